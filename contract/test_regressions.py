"""Targeted checks for rules that generation reaches only by luck.

Found by the mutation score (bench/mutation_score.py). With the default profile,
schemathesis sends a string where a boolean is documented in about one negative case
out of a hundred, and `page=0` in a run out of two; the state machines check saved
changes, demotion, group changes and deletion too, but their random walk misses one of
these in roughly one run out of ten. Each is a rule docs/contract-semantics.md states
outright, so it is checked here on every run, in the fewest requests that show it.
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import pytest

import specs
from contract.fuzz import FuzzEngine
from contract.harness import (
    ContractViolation,
    Credentials,
    Exchange,
    Problem,
    Run,
    announced_password_policy,
    expect_status,
)
from contract.machines import Access, check, expect_access, json_array, json_object, listed_user_ids

POLICY = specs.policy()


@pytest.mark.fuzz
@pytest.mark.parametrize(("page", "size"), [(0, 10), (-1, 10), (1, 0), (1, -5), (0, 0)])
def test_pages_below_one_are_refused(page: int, size: int, run: Run) -> None:
    """`page` and `size` start at 1: smaller values get 400 or 422, never a 5xx or a page."""
    exchange = run.api.call("listUsers", params={"page": page, "size": size})
    expect_status(exchange, POLICY.invalid_input_statuses, f"listUsers with page={page}, size={size}")


#: (operation, field, a value of the wrong JSON type). Strings that no lenient parser reads
#: as a boolean: a server that stores one as is has a truthy "no".
WRONG_TYPES: list[tuple[str, str, Any]] = [
    ("patchUserDemo", "restricted", "no"),
    ("patchUserSuperAdmin", "superAdmin", "no"),
    ("createUser", "superAdmin", "no"),
    ("updateUser", "restricted", "no"),
    ("createApiTokensForUser_1", "extended", "no"),
    ("createUser", "tenants", "main"),
    ("patchUser", "firstName", 42),
    ("updateUserGroups", "groupIds", "none"),
]


def _valid_body(operation_id: str, run: Run) -> dict[str, Any]:
    arrange = run.arrange
    bodies: dict[str, dict[str, Any]] = {
        "patchUserDemo": {"restricted": False},
        "patchUserSuperAdmin": {"superAdmin": False},
        "createUser": arrange.user_body(),
        "updateUser": arrange.user_body(),
        "createApiTokensForUser_1": arrange.token_body(),
        "patchUser": {"firstName": "Contract", "lastName": "User", "email": run.names.email()},
        "updateUserGroups": {"groupIds": []},
    }
    return bodies[operation_id]


@pytest.mark.fuzz
@pytest.mark.mutating
@pytest.mark.parametrize(("operation_id", "field", "value"), WRONG_TYPES)
def test_a_field_of_the_wrong_type_is_refused(
    operation_id: str, field: str, value: Any, run: Run, fuzz_engine: FuzzEngine
) -> None:
    """A valid body but for one field of the wrong type: 400 or 422, and nothing changes."""
    world = fuzz_engine.world
    world.ensure_pool()
    operation = run.api.operation(operation_id)
    path = {"id": world.pool_users[0].id} if "{id}" in operation.path else {}
    body = {**_valid_body(operation_id, run), field: value}
    before = world.observable_state()
    exchange = run.api.call(operation_id, path, json=body)
    fuzz_engine.book_created(operation, path, body, exchange)
    expect_status(exchange, POLICY.invalid_input_statuses, f"{field} of the wrong type ({value!r})")
    after = world.observable_state()
    if before != after:
        changed = sorted(key for key in before if before[key] != after.get(key))
        raise ContractViolation("nothing changes after a refused request", exchange, "changed: " + ", ".join(changed))
    world.expect_nothing_new(body)


# -- effects that the state machines reach only on most runs ----------------------------


@pytest.mark.stateful
@pytest.mark.mutating
def test_demotion_takes_effect_at_once(run: Run) -> None:
    """A promoted user may call Superadmin-only operations; demoted, it gets 403 on the next call: through
    its password and through its token alike, each used before the change (C-AUTH-05, C-AUTH-06).
    """
    user, _ = run.arrange.create_user()
    token, _ = run.arrange.create_token(user.id)
    credentials = {"password": user.credentials, "token": token.credentials}
    for how, login in credentials.items():
        expect_access(run.api, login, "forbidden", f"a plain user's {how}", user.id)
    steps: tuple[tuple[bool, Access], ...] = ((True, "superadmin"), (False, "forbidden"))
    for super_admin, access in steps:
        exchange = run.api.call("patchUserSuperAdmin", {"id": user.id}, json={"superAdmin": super_admin})
        expect_status(exchange, 200, "patchUserSuperAdmin")
        for how, login in credentials.items():
            what = f"the user's {how} right after patchUserSuperAdmin {super_admin}"
            expect_access(run.api, login, access, what, user.id)


def _normal(field: str, value: Any) -> Any:
    """Emails compare without letter case: the server may keep either (docs/contract-semantics.md)."""
    return str(value).casefold() if field == "email" else value


def _changes(run: Run, password: str | None) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Operation -> (request body, the fields getUser must then show)."""
    email = run.names.email()
    names = {"firstName": "Zoë-Changed", "lastName": "Ωmega-Changed"}
    return {
        "patchUser": ({**names, "email": email}, {**names, "email": email}),
        "updateUser": (
            run.arrange.user_body(**names, email=email, password=password or "", restricted=True),
            {**names, "email": email, "restricted": True},
        ),
        "patchUserDemo": ({"restricted": True}, {"restricted": True}),
    }


@pytest.mark.stateful
@pytest.mark.mutating
@pytest.mark.parametrize("operation_id", ["patchUser", "updateUser", "patchUserDemo"])
def test_each_change_is_saved(operation_id: str, run: Run) -> None:
    """What a change answered with success is what the next getUser shows."""
    user, _ = run.arrange.create_user()
    body, expected = _changes(run, user.password)[operation_id]
    expect_status(run.api.call(operation_id, {"id": user.id}, json=body), 200, operation_id)
    fetched = expect_status(run.api.call("getUser", {"id": user.id}), 200, "getUser")
    shown = json_object(fetched, "getUser answers an ApiUser")
    wrong = {k: shown.get(k) for k, v in expected.items() if _normal(k, shown.get(k)) != _normal(k, v)}
    check(not wrong, f"getUser shows what {operation_id} saved: {expected}", fetched, f"got {wrong}")


@pytest.mark.stateful
@pytest.mark.mutating
def test_group_changes_are_saved(run: Run) -> None:
    """The user's groups in the tenant are exactly the last `groupIds` set, as the next getUser shows; its
    groups in a second tenant (`--second-tenant`) stay as they were (C-USERS-13).
    """
    groups = [run.arrange.create_group(), run.arrange.create_group()]
    user, _ = run.arrange.create_user()
    second = run.target.second_tenant
    elsewhere: set[str] = set()
    if second:
        elsewhere = {run.arrange.create_group(tenant=second)}
        path = {"id": user.id, "tenant": second}
        expect_status(
            run.api.call("updateUserGroups", path, json={"groupIds": sorted(elsewhere)}), 204, "updateUserGroups"
        )
    for wanted in (groups, groups[1:], []):
        exchange = run.api.call("updateUserGroups", {"id": user.id}, json={"groupIds": wanted})
        expect_status(exchange, 204, "updateUserGroups")
        fetched = expect_status(run.api.call("getUser", {"id": user.id}), 200, "getUser")
        listed = [
            g for g in json_object(fetched, "getUser answers an ApiUser").get("groups") or [] if isinstance(g, dict)
        ]
        shown = {g.get("id") for g in listed if g.get("tenantId", run.target.tenant) == run.target.tenant}
        check(shown == set(wanted), f"groups {sorted(wanted)} after updateUserGroups", fetched)
        if second:
            kept = {g.get("id") for g in listed if g.get("tenantId") == second}
            check(kept == elsewhere, f"groups {sorted(elsewhere)} in tenant {second} left as they were", fetched)


@pytest.mark.stateful
@pytest.mark.mutating
def test_a_deleted_user_is_gone_everywhere(run: Run) -> None:
    """After deleteUser: getUser 404, in no listing, and its password refused."""
    user, _ = run.arrange.create_user()
    expect_access(run.api, user.credentials, "forbidden", "a plain user before deletion", user.id)
    expect_status(run.api.call("deleteUser", {"id": user.id}), 204, "deleteUser")
    run.ledger.forget("user", user.id)
    expect_status(run.api.call("getUser", {"id": user.id}), 404, "getUser of a deleted user")
    expect_access(run.api, user.credentials, "refused", "the password of a deleted user")

    def listed() -> Problem:
        ids, page = listed_user_ids(run.api, user.email, size=10)
        return None if user.id not in ids else (f"deleted user {user.id} gone from listUsers", page.exchange, "")

    def completed() -> Problem:
        found = expect_status(run.api.call("autocompleteUsers", json={"q": user.email}), 200, "autocompleteUsers")
        entries = json_array(found, "autocompleteUsers answers an array")
        gone = all(e.get("id") != user.id for e in entries if isinstance(e, dict))
        return None if gone else (f"deleted user {user.id} gone from autocompleteUsers", found, "")

    # Searches may show the delete late (the settle window): the test's end reads them again.
    run.pending.expect(listed)
    run.pending.expect(completed)


#: Refused by every policy Kestra ships (shorter than 8), and by none of them but 2.x's (no special character).
_SHORT_PASSWORD = "Ab1!xyz"
_NO_SPECIAL_PASSWORD = "Abcdefgh12345"


# -- clauses no other check looked at (specs/clauses.yaml) ------------------------------


@pytest.mark.stateful
@pytest.mark.mutating
@pytest.mark.parametrize("operation_id", ["patchUser", "updateUser"])
def test_a_new_email_is_the_new_login(operation_id: str, run: Run) -> None:
    """After a change of email the user logs in with the new one, and no longer with the old (C-IDENT-03)."""
    user, _ = run.arrange.create_user()
    email = run.names.email()
    body = (
        {"firstName": "Contract", "lastName": "User", "email": email}
        if operation_id == "patchUser"
        else run.arrange.user_body(email=email, password=user.password)
    )
    expect_status(run.api.call(operation_id, {"id": user.id}, json=body), 200, operation_id)
    login = Credentials(username=email, password=user.password)
    expect_access(run.api, login, "forbidden", f"the new email as login after {operation_id}", user.id)
    # The login name is the email: the old one names no account any more (C-IDENT-03.2).
    old_login = Credentials(username=user.email, password=user.password)
    expect_access(run.api, old_login, "refused", f"the old email as login after {operation_id}")


@pytest.mark.stateful
@pytest.mark.mutating
def test_a_user_without_a_password_has_no_password_login(run: Run) -> None:
    """No `auths` entry, and an empty password is refused (C-IDENT-04)."""
    user, _ = run.arrange.create_user(run.arrange.user_body(password=""))
    fetched = expect_status(run.api.call("getUser", {"id": user.id}), 200, "getUser")
    auths = json_object(fetched, "getUser answers an ApiUser").get("auths")
    check(not auths, "no `auths` entry for a user created without a password", fetched)
    expect_access(run.api, Credentials(username=user.email, password=""), "refused", "an empty password")


def _letters(count: int) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(count))


@pytest.mark.stateful
@pytest.mark.mutating
def test_q_matches_any_case_of_username_email_or_display_name(run: Run) -> None:
    """`q` is a case-insensitive substring of username, email or display name (C-LIST-06, C-LIST-07)."""
    marker = _letters(12)
    body = run.arrange.user_body(firstName="Quin" + marker, lastName="Contract")
    user, _ = run.arrange.create_user(body)
    swapped = user.email.swapcase()
    what = f"q=<the email in other letter case> finds exactly user {user.id}"
    _search_settles(run, swapped, lambda found: found == {user.id}, what)
    # A substring, not only a prefix: the email without its first character (C-LIST-06.1).
    inner = user.email[1:]
    what = f"q=<the email without its first character> finds exactly user {user.id}"
    _search_settles(run, inner, lambda found: found == {user.id}, what)
    shown = json_object(expect_status(run.api.call("getUser", {"id": user.id}), 200, "getUser"), "an ApiUser")
    display = str(shown.get("displayName", ""))
    if marker not in display.casefold():
        return  # this server's display name does not show the first name: nothing more to search for
    part = marker[2:10].upper()
    what = f"q=<part of the display name, upper case> finds user {user.id}"
    _search_settles(run, part, lambda found: user.id in found, what)


def _search_settles(run: Run, q: str, wanted: Callable[[set[str]], bool], what: str) -> None:
    """A search (`listUsers?q=`) finds what `wanted` asks for within the settle window, or `what` fails."""
    settled = run.settle.until(lambda: listed_user_ids(run.api, q, size=10), lambda r: wanted(r[0]))
    check(settled.agreed, what, settled.value[1].exchange, settled.note())


def _autocompleted(run: Run, q: str) -> tuple[set[str], Exchange]:
    exchange = expect_status(run.api.call("autocompleteUsers", json={"q": q}), 200, "autocompleteUsers")
    return {str(e.get("id")) for e in json_array(exchange, "an array") if isinstance(e, dict)}, exchange


@pytest.mark.stateful
@pytest.mark.mutating
def test_autocomplete_finds_only_users_of_the_tenant(run: Run) -> None:
    """A user of the tenant is found by its email; one without access to it is not (C-LIST-09, C-LIST-10)."""
    inside, _ = run.arrange.create_user()
    outside, _ = run.arrange.create_user(run.arrange.user_body(tenants=[]))
    settled = run.settle.until(lambda: _autocompleted(run, inside.email), lambda r: inside.id in r[0])
    what = f"autocompleteUsers q=<email> finds user {inside.id} of the tenant"
    check(settled.agreed, what, settled.value[1], settled.note())

    def outside_left_out() -> Problem:
        found, exchange = _autocompleted(run, outside.email)
        return (
            None
            if outside.id not in found
            else (f"autocomplete leaves out {outside.id}, not in the tenant", exchange, "")
        )

    # "Not found" is a conclusion a lagging search can only give once the settle window has passed.
    run.absences.add(outside_left_out)


def _summary(
    run: Run, user_id: str, token_id: str, shows: Callable[[dict[str, Any]], bool] = lambda summary: True
) -> tuple[dict[str, Any], Exchange]:
    """The token's summary in its owner's list, once the list shows it, and what `shows` wants if it can
    within the settle window (the list is a search: it may lag).
    """

    def read() -> tuple[list[dict[str, Any]], Exchange]:
        exchange = expect_status(run.api.call("listApiTokens_1", {"id": user_id}), 200, "listApiTokens_1")
        results = json_object(exchange, "a token list").get("results") or []
        return [r for r in results if isinstance(r, dict) and r.get("id") == token_id], exchange

    settled = run.settle.until(read, lambda r: len(r[0]) == 1 and shows(r[0][0]))
    found, exchange = settled.value
    check(len(found) == 1, f"token {token_id} listed once", exchange, settled.note())
    return found[0], exchange


@pytest.mark.stateful
@pytest.mark.mutating
def test_a_token_without_max_age_does_not_expire(run: Run) -> None:
    """An empty maxAge: the token works and its summary shows no expiry; deleted at once (C-TOKENS-06)."""
    user, _ = run.arrange.create_user()
    token, _ = run.arrange.create_token(user.id, body=run.arrange.token_body(maxAge=""))
    try:
        expect_access(run.api, token.credentials, "forbidden", "a token without maxAge", user.id)
        summary, exchange = _summary(run, user.id, token.id)
        check(summary.get("exp") is None and summary.get("expired") is not True, "no exp, not expired", exchange)
    finally:
        expect_status(run.api.call("deleteApiToken_1", {"id": user.id, "tokenId": token.id}), 204, "deleteApiToken_1")
        run.ledger.forget("token", token.id)


#: Short enough to wait for, long enough that request latency stays far from it.
_MAX_AGE_S = 3


def _seconds(summary: dict[str, Any], field: str) -> float:
    return datetime.fromisoformat(str(summary.get(field))).timestamp()


def _sleep_until(deadline: float) -> None:
    time.sleep(max(0.0, deadline - time.monotonic()))


@pytest.mark.stateful
@pytest.mark.mutating
def test_a_token_expires_after_its_max_age_unless_extended(run: Run) -> None:
    """After maxAge a token gets 401 and shows exp = iat + maxAge and expired; an extended one lives on
    while used (C-TOKENS-07 to C-TOKENS-10).
    """
    user, _ = run.arrange.create_user()
    age = f"PT{_MAX_AGE_S}S"
    plain, _ = run.arrange.create_token(user.id, body=run.arrange.token_body(maxAge=age))
    extended, _ = run.arrange.create_token(user.id, body=run.arrange.token_body(maxAge=age, extended=True))
    created = time.monotonic()  # both were issued before this
    for token in (plain, extended):
        expect_access(run.api, token.credentials, "forbidden", f"{token.name} just created", user.id)
    _sleep_until(created + _MAX_AGE_S / 2)
    expect_access(run.api, extended.credentials, "forbidden", "an extended token used before its maxAge", user.id)
    _sleep_until(created + _MAX_AGE_S + 0.5)
    expect_access(run.api, plain.credentials, "refused", f"a token {_MAX_AGE_S + 0.5}s after its maxAge {age}")
    expect_access(run.api, extended.credentials, "forbidden", "an extended token, used within its maxAge", user.id)
    summary, exchange = _summary(run, user.id, plain.id, lambda shown: shown.get("expired") is True)
    check(summary.get("expired") is True, "expired: true once maxAge has passed", exchange)
    check("exp" in summary, "exp in the summary of a token with a maxAge", exchange)
    lifetime = _seconds(summary, "exp") - _seconds(summary, "iat")
    check(abs(lifetime - _MAX_AGE_S) <= 1, f"exp = iat + maxAge ({age})", exchange, f"exp - iat = {lifetime}s")


#: Refused by every policy Kestra ships (shorter than 8), and by none of them but 2.x's (no special character).
_SHORT_PASSWORD = "Ab1!xyz"
_NO_SPECIAL_PASSWORD = "Abcdefgh12345"


@pytest.mark.stateful
@pytest.mark.mutating
def test_passwords_the_policy_refuses_are_refused(run: Run) -> None:
    """A password every plausible policy refuses gets a 4xx and the old one still works; so does one that
    the regexp the server announces (GET /api/v1/configs `passwordRegexp`) refuses. Nothing else is
    asserted refused: which policy a server has is its choice.
    """
    user, _ = run.arrange.create_user()
    refused = [_SHORT_PASSWORD]
    regexp = announced_password_policy(run.api)
    if regexp is not None and regexp.fullmatch(_NO_SPECIAL_PASSWORD) is None:
        refused.append(_NO_SPECIAL_PASSWORD)
    for password in refused:
        exchange = run.api.call("patchUserPassword", {"id": user.id}, json={"password": password})
        expect_status(exchange, POLICY.business_rule_statuses, f"patchUserPassword with {password!r}")
        what = f"the old password after {password!r} was refused"
        expect_access(run.api, user.credentials, "forbidden", what, user.id)


#: Each path that deletes a token: (owner kind, delete operation, its success status, list operation).
_TOKEN_PATHS: tuple[tuple[Literal["user", "service_account"], str, int, str], ...] = (
    ("user", "deleteApiToken_1", 204, "listApiTokens_1"),
    ("service_account", "deleteApiToken", 200, "listApiTokens"),
    ("service_account", "deleteApiTokenWithTenant", 200, "listApiTokensWithTenant"),
)


@pytest.mark.stateful
@pytest.mark.mutating
@pytest.mark.parametrize(("kind", "operation", "status", "listing"), _TOKEN_PATHS, ids=[p[1] for p in _TOKEN_PATHS])
def test_a_token_delete_reaches_that_token_only(
    kind: Literal["user", "service_account"], operation: str, status: int, listing: str, run: Run
) -> None:
    """On each path, a token delete finds nothing through another owner's path and leaves the token working;
    through its own, that token gets 401 at once while its owner's other token stays listed and working
    (C-TOKENS-12.2, C-TOKENS-13, C-TOKENS-14). Each token is used first, as a cache would remember it.
    """
    owner, stranger = (_owner(run, kind) for _ in range(2))
    doomed, _ = run.arrange.create_token(owner, kind)
    kept, _ = run.arrange.create_token(owner, kind)
    run.arrange.create_token(stranger, kind)  # the other owner has tokens of its own
    for token in (doomed, kept):
        expect_access(run.api, token.credentials, "forbidden", f"{token.name}, a token of a plain {kind}")
    exchange = run.api.call(operation, {"id": stranger, "tokenId": doomed.id})
    expect_status(exchange, 404, f"{operation} of another owner's token")
    expect_access(run.api, doomed.credentials, "forbidden", f"a token after {operation} through another owner")
    expect_status(run.api.call(operation, {"id": owner, "tokenId": doomed.id}), status, operation)
    run.ledger.forget("token", doomed.id)
    expect_access(run.api, doomed.credentials, "refused", f"a token deleted with {operation} a moment ago")
    expect_access(run.api, kept.credentials, "forbidden", f"the owner's other token after {operation}")

    def listed() -> Problem:
        exchange = expect_status(run.api.call(listing, {"id": owner}), 200, listing)
        results = json_object(exchange, "a token list").get("results") or []
        ids = {r.get("id") for r in results if isinstance(r, dict)}
        if kept.id in ids and doomed.id not in ids:
            return None
        return f"{listing} holds the owner's other token {kept.id}, not {doomed.id}", exchange, f"listed {ids}"

    run.pending.expect(listed)


def _owner(run: Run, kind: Literal["user", "service_account"]) -> str:
    return run.arrange.create_user()[0].id if kind == "user" else run.arrange.create_service_account()
