"""When a change's answer is lost, ask the server what happened, and go on from there.

A gateway's 502 or 504, a timeout or a reset after the request went out leave a write's
outcome unknown: the server may or may not have made the change. Sending it again blindly
could create twice, and giving up throws a whole state-machine example away. So `Api.send`
raises `OutcomeUnknown`, and `resolving` asks the operation's resolver, which reads the state
back through the API: the object by id, a new user by its email and a token by its name in
its owner's list (within the settle window: both are searches), a password by logging in
with each candidate (within the login budget), a token's end by using it as a credential.

- Not made: the request is sent again, as though for the first time.
- Made: the caller gets `Verdict` (the Api turns it into an exchange marked `resolved`,
  with the documented success status and no body), and what a creation made is already in
  the ledger, so cleanup never loses it. A token's `fullToken` is only in the lost answer:
  that token is deleted again and the create sent again.
- Idempotent changes (PUT and PATCH of whole values, group membership) need no reading:
  sent again, they answer truly whether or not the first one was made.
- What cannot be read back (a listing that cannot be read, a user whose old and new
  passwords both fail) raises `UnstableTarget`, as any unstable answer does: only then does
  an example end early.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from contract.harness.lifecycle import UnstableTarget, give_up
from contract.harness.records import Entry, Kind
from contract.harness.sending._guard import UnsafeRequest
from contract.harness.sending._logins import basic_login
from contract.harness.sending._lookup import named_where
from contract.harness.sending._target import Credentials

if TYPE_CHECKING:  # the Api calls this module, and this module reads through the Api
    from contract.harness.sending._api import Api

__all__ = [
    "IDEMPOTENT",
    "RESOLVERS",
    "OutcomeUnknown",
    "Unreadable",
    "Verdict",
    "Write",
    "resolving",
    "write_of",
]

#: How often one request is sent again after its outcome was read back as "not made".
MAX_ROUNDS = 3


class OutcomeUnknown(UnstableTarget):
    """A change may have been made, but its answer was lost: `resolving` reads the state back."""


class Unreadable(Exception):
    """The state a lost answer left cannot be read back through the API."""


@dataclass(frozen=True)
class Write:
    """A change the suite sent, as a resolver needs to see it."""

    operation: str
    path: Mapping[str, str]
    body: Any
    authorization: str | None
    #: Whether the object the request changes was alive in the ledger when it was sent:
    #: only then can "it is gone now" mean that this request deleted it. None: it could not
    #: be read before sending, so a lost answer cannot be read back either.
    target_live: bool | None = False


@dataclass(frozen=True)
class Verdict:
    """What reading back found: whether the change was made, and how that was seen."""

    applied: bool
    how: str
    #: What a creation made (already in the ledger).
    created: Entry | None = None
    #: The request may be sent again only because the server refuses a second one (409): a
    #: 409 then means the first was made, with an id nobody can read back.
    conflict_means_made: bool = False


R = TypeVar("R")
Resolver = Callable[["Api", Write], Verdict]


def resolving(
    api: Api,
    write: Write,
    send: Callable[[], R],
    *,
    on_resolved: Callable[[str, str], None] | None = None,
    status: Callable[[R], int] = lambda answer: int(getattr(answer, "status_code", 0)),
) -> R | Verdict:
    """`send()`; when it raises OutcomeUnknown, read the state back and send again until an answer
    comes (`R`, whose HTTP status `status` tells) or the change is found made (`Verdict`). What cannot
    be read back ends as unstable.
    """
    conflict_means_made = False
    reason, where = "", write.operation
    for _ in range(MAX_ROUNDS):
        try:
            result = send()
        except OutcomeUnknown as unknown:
            reason, where = unknown.reason, unknown.where or where
            verdict = _read_back(api, write, unknown, on_resolved or _ignore)
            again = "sent again (idempotent)" if write.operation in IDEMPOTENT else "not made"
            (on_resolved or _ignore)(write.operation, "made" if verdict.applied else again)
            if verdict.applied:
                return verdict
            conflict_means_made = verdict.conflict_means_made
            continue
        if conflict_means_made and status(result) == 409:
            (on_resolved or _ignore)(write.operation, "cannot be read back")
            _unreadable(f"{reason}; sent again, {write.operation} answered 409: the first made it, id lost", where)
        return result
    _unreadable(f"{reason}; still no answer after reading back and sending again {MAX_ROUNDS} times", where)


def _ignore(operation: str, outcome: str) -> None:
    """No one listens."""


def _read_back(api: Api, write: Write, unknown: OutcomeUnknown, tell: Callable[[str, str], None]) -> Verdict:
    if write.operation in IDEMPOTENT:
        return Verdict(False, f"{write.operation} is idempotent: sent again")
    resolver = RESOLVERS.get(write.operation)
    try:
        if resolver is None:
            raise Unreadable(f"no way to read back what {write.operation} did")
        return resolver(api, write)
    except (Unreadable, UnsafeRequest) as why:
        tell(write.operation, "cannot be read back")
        _unreadable(f"{unknown.reason}; outcome cannot be read back: {why}", unknown.where)
    except UnstableTarget as lost:  # the read back met the target's instability too
        tell(write.operation, "cannot be read back")
        reason = f"{unknown.reason}; outcome cannot be read back: {lost.where}: {lost.reason}"
        give_up(UnstableTarget(reason, where=unknown.where, unreachable=lost.unreachable))


def _unreadable(reason: str, where: str) -> NoReturn:
    give_up(UnstableTarget(reason, where=where))


# -- what a request changes ---------------------------------------------------------------

#: Operation -> (kind, path parameter) of the object it deletes or changes in place.
_TARGETS: dict[str, tuple[Kind, str]] = {
    "deleteUser": ("user", "id"),
    "deleteUserAuthMethod": ("user", "id"),
    "deleteServiceAccount": ("service_account", "id"),
    "deleteServiceAccountForTenant": ("service_account", "id"),
    "deleteGroup": ("group", "id"),
    "deleteApiToken_1": ("token", "tokenId"),
    "deleteApiToken": ("token", "tokenId"),
    "deleteApiTokenWithTenant": ("token", "tokenId"),
    "deleteApiTokenForCurrentUser": ("token", "tokenId"),
}


def write_of(api: Api, operation: str, path: Mapping[str, str], body: Any, authorization: str | None) -> Write:
    """The Write of a request about to be sent (whether its target is alive is read now, before sending)."""
    target = _TARGETS.get(operation)
    entry = api.ledger.find(target[0], str(path.get(target[1], ""))) if target is not None else None
    # A token addressed under another owner is not deleted by this request, whatever its answer.
    live: bool | None = entry is not None and (entry.kind != "token" or "id" not in path or entry.parent == path["id"])
    if live and operation == "deleteUserAuthMethod":
        # Another user's entry, or one gone already, is not listed under this user: no answer of
        # this request can delete it, so "no longer listed" afterwards would prove nothing.
        live = _auth_listed(api, path)
    return Write(operation, dict(path), body, authorization, live)


# -- resolvers ------------------------------------------------------------------------------

#: Sent again, these answer truly whether or not the first was made: the state they leave is the same.
IDEMPOTENT = frozenset(
    {
        "updateUser",
        "patchUser",
        "patchUserDemo",
        "patchUserSuperAdmin",
        "patchUserPassword",
        "updateUserGroups",
        "deleteRefreshToken",
        "impersonate",
        # 2.x's password login changes nothing but the lockout's count, which a second try stays far
        # inside (the login book's budget per account is well below any lockout threshold).
        "login",
    }
)


def _gone_by_id(read: str, params: Callable[[Write], dict[str, str]]) -> Resolver:
    """A delete: made when the object it found alive before is now 404 on a read by id (immediate)."""

    def resolve(api: Api, write: Write) -> Verdict:
        if not write.target_live:
            return Verdict(False, "its target was not alive before: the same answer comes again")
        exchange = api.call(read, params(write))
        if exchange.status == 404:
            return Verdict(True, f"{read} answered 404 after it")
        if exchange.status == 200:
            return Verdict(False, f"{read} answered 200 after it")
        raise Unreadable(f"{read} answered {exchange.status}")

    return resolve


def _by_id(write: Write) -> dict[str, str]:
    return {"id": write.path["id"]}


def _group(write: Write) -> dict[str, str]:
    return {"tenant": write.path["tenant"], "id": write.path["id"]}


def _auth_gone(api: Api, write: Write) -> Verdict:
    """deleteUserAuthMethod: made when the entry its user listed before no longer shows in `auths`."""
    if write.target_live is None:
        raise Unreadable("its user's `auths` could not be read before it was sent")
    if not write.target_live:
        return Verdict(False, "its user did not list that entry before: the same answer comes again")
    listed = _auth_listed(api, write.path)
    if listed is None:
        raise Unreadable("getUser shows no `auths`")
    return Verdict(not listed, f"getUser {'still lists' if listed else 'no longer lists'} the entry")


def _auth_listed(api: Api, path: Mapping[str, str]) -> bool | None:
    """Whether the user lists the auth entry of `path` (None: its `auths` cannot be read)."""
    exchange = api.call("getUser", {"id": path["id"]})
    if exchange.status == 404:
        return False
    payload = exchange.payload() if exchange.status == 200 else None
    auths = payload.get("auths") if isinstance(payload, dict) else None
    if not isinstance(auths, list):
        return None
    return any(isinstance(a, dict) and a.get("id") == path["auth"] for a in auths)


#: Token delete -> (the list of the same owner, the list's path parameters).
_TOKEN_LISTS: dict[str, str] = {
    "deleteApiToken_1": "listApiTokens_1",
    "deleteApiToken": "listApiTokens",
    "deleteApiTokenWithTenant": "listApiTokensWithTenant",
    "createApiTokensForUser_1": "listApiTokens_1",
    "createApiTokensForUser": "listApiTokens",
    "createApiTokensForUserWithTenant": "listApiTokensWithTenant",
    # 2.x: the tokens of the identity that sends the request (/api/v1/me/api-tokens).
    "deleteApiTokenForCurrentUser": "listApiTokensForCurrentUser",
    "createApiTokenForCurrentUser": "listApiTokensForCurrentUser",
}
_TOKEN_DELETES = {
    "createApiTokensForUser_1": "deleteApiToken_1",
    "createApiTokensForUser": "deleteApiToken",
    "createApiTokensForUserWithTenant": "deleteApiTokenWithTenant",
    "createApiTokenForCurrentUser": "deleteApiTokenForCurrentUser",
}
_TOKEN_OWNERS = {"createApiTokensForUser_1": "user", "createApiTokenForCurrentUser": "self"}


def _owner_path(write: Write) -> dict[str, str]:
    return {k: v for k, v in write.path.items() if k != "tokenId"}


def _token_gone(api: Api, write: Write) -> Verdict:
    """A token delete: made when the token it found alive is refused as a credential (at once), or,
    without its fullToken, when its owner's list no longer shows it (within the settle window).
    """
    if not write.target_live:
        return Verdict(False, "its token was not alive before: the same answer comes again")
    token_id = write.path["tokenId"]
    full_token = api.full_token(token_id)
    if full_token is not None:
        if api.credential_works(Credentials(token=full_token)):
            return Verdict(False, "the token still works as a credential")
        return Verdict(True, "the token is refused as a credential (401)")
    settled = api.settle.until(lambda: _listed_tokens(api, write), lambda ids: ids is None or token_id not in ids)
    shows = "no longer shows" if settled.agreed else "still shows"
    return Verdict(settled.agreed, f"{_TOKEN_LISTS[write.operation]} {shows} it")


def _listed_tokens(api: Api, write: Write, name: str | None = None) -> set[str] | None:
    """Ids of the owner's tokens (named `name`, if given); None when the owner is not found (404)."""
    operation = _TOKEN_LISTS[write.operation]
    exchange = api.call(operation, _owner_path(write))
    if exchange.status == 404:
        return None
    payload = exchange.payload()
    results = payload.get("results") if exchange.status == 200 and isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise Unreadable(f"{operation} answered {exchange.status} without `results`")
    return {
        str(r["id"])
        for r in results
        if isinstance(r, dict) and isinstance(r.get("id"), str) and (name is None or r.get("name") == name)
    }


def _token_made(api: Api, write: Write) -> Verdict:
    """A token create: a token of that name that the ledger does not hold showed in its owner's list
    (within the settle window). Its fullToken was only in the lost answer, so it is deleted, and the
    create is sent again.
    """
    name = write.body.get("name") if isinstance(write.body, dict) else None
    if not isinstance(name, str):
        raise Unreadable("the request names no token to look for")

    def new() -> set[str] | None:
        listed = _listed_tokens(api, write, name)
        return None if listed is None else {i for i in listed if not api.ledger.owns("token", i)}

    settled = api.settle.until(new, lambda ids: ids is None or bool(ids))
    if settled.value is None:
        return Verdict(False, "its owner is not found (404)")
    if not settled.value:
        return Verdict(False, f"no such token in its owner's list within {settled.waited:.1f} s")
    owner = write.path.get("id")
    owner_kind = _TOKEN_OWNERS.get(write.operation, "service_account")
    for token_id in sorted(settled.value):
        api.ledger.record(Entry("token", token_id, parent=owner, parent_kind=owner_kind))
        path = {**_owner_path(write), "tokenId": token_id}
        deleted = api.call(_TOKEN_DELETES[write.operation], path)
        if not deleted.response.is_success:
            raise Unreadable(f"the token it made ({token_id}) could not be deleted: {deleted.status}")
        api.ledger.forget("token", token_id)
    return Verdict(False, "it made a token whose fullToken was lost: deleted it, sent again")


def _user_made(api: Api, write: Write) -> Verdict:
    """createUser: a user with that email that the ledger does not hold (searched within the settle window,
    then over every page), written to the ledger.
    """
    email = write.body.get("email") if isinstance(write.body, dict) else None
    if not isinstance(email, str) or not email.casefold().startswith(api.guard.prefix.casefold()):
        raise Unreadable("the request names no email of this run to look for")
    new = [i for i in api.find_user_ids(email) if not api.ledger.owns("user", i)]
    if not new:
        return Verdict(False, f"no new user {email} in listUsers")
    entries = [api.ledger.record(Entry("user", user_id, label=email)) for user_id in new]
    return Verdict(True, f"listUsers shows the new user {email}", created=entries[0])


def _named_made(lister: str, kind: Kind) -> Resolver:
    """A group or service account: one of that exact name that the ledger does not hold shows in its
    listing (within the settle window, then on every page), written to the ledger. Not found: sent again
    (a group's name is refused once in use, so a second group can never come of it unseen).
    """

    def resolve(api: Api, write: Write) -> Verdict:
        name = write.body.get("name") if isinstance(write.body, dict) else None
        if not isinstance(name, str) or not name.startswith(api.guard.prefix):
            raise Unreadable("the request names nothing of this run to look for")
        path = {"tenant": write.path["tenant"]} if "tenant" in write.path and kind == "group" else {}

        def new() -> list[str]:
            found = named_where(api, lister, path, lambda seen: seen == name, q=name)
            return sorted(i for i in found if not api.ledger.owns(kind, i))

        settled = api.settle.until(new, bool)
        if not settled.value:
            return Verdict(False, f"no {kind} {name} in {lister}", conflict_means_made=kind == "group")
        tenant = write.path.get("tenant")
        entries = [api.ledger.record(Entry(kind, i, label=name, tenant=tenant)) for i in settled.value]
        return Verdict(True, f"{lister} shows the new {kind} {name}", created=entries[0])

    return resolve


def _own_password(api: Api, write: Write) -> Verdict:
    """PUT /me/password: the password the request logged in with (or, sent with a token, its
    `oldPassword`) still logs in (not made), or else the new one does (made).

    The password that logged in is tried first, not `oldPassword`: a request that sends a wrong
    one must fail, and trying it would spend a failure. Each login goes through the login book,
    so a failure counts against the account's budget.
    """
    body = write.body if isinstance(write.body, dict) else {}
    login = basic_login(write.authorization)
    old = login[1] if login is not None else body.get("oldPassword")
    new = body.get("newPassword")
    username = _username(api, write.authorization)
    if not isinstance(old, str) or not isinstance(new, str) or username is None:
        raise Unreadable("no user and passwords to try")
    if api.credential_works(Credentials(username=username, password=old)):
        return Verdict(False, "the password it logged in with still logs in")
    if api.credential_works(Credentials(username=username, password=new)):
        return Verdict(True, "the new password logs in, the old one not")
    raise Unreadable("neither the old nor the new password logs in")


def _username(api: Api, authorization: str | None) -> str | None:
    """Whose the credentials are: a Basic login's username, or the user owning a token the run made."""
    login = basic_login(authorization)
    if login is not None:
        return login[0]
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    owner = api.token_owner(authorization[7:].strip())
    if owner is None:
        return None
    exchange = api.call("getUser", {"id": owner})
    payload = exchange.payload()
    username = payload.get("username") if exchange.status == 200 and isinstance(payload, dict) else None
    return username if isinstance(username, str) else None


#: Every change but the idempotent ones, and how to read back what it did.
RESOLVERS: dict[str, Resolver] = {
    "createUser": _user_made,
    "deleteUser": _gone_by_id("getUser", _by_id),
    "deleteUserAuthMethod": _auth_gone,
    "createApiTokensForUser_1": _token_made,
    "createApiTokensForUser": _token_made,
    "createApiTokensForUserWithTenant": _token_made,
    "deleteApiToken_1": _token_gone,
    "deleteApiToken": _token_gone,
    "deleteApiTokenWithTenant": _token_gone,
    "createApiTokenForCurrentUser": _token_made,
    "deleteApiTokenForCurrentUser": _token_gone,
    "createServiceAccount": _named_made("listServiceAccounts", "service_account"),
    "createServiceAccountForTenant": _named_made("listServiceAccounts", "service_account"),
    "deleteServiceAccount": _gone_by_id("getServiceAccount", _by_id),
    "deleteServiceAccountForTenant": _gone_by_id("getServiceAccount", _by_id),
    "createGroup": _named_made("searchGroups", "group"),
    "deleteGroup": _gone_by_id("getGroup", _group),
    "updateCurrentUserPassword": _own_password,
}
