"""Real objects for generated requests to act on, so fuzzing gets past the 404s.

Every path id a fuzz case carries is replaced here: by an object this run created
(a pool that lives for the session, or a fresh object for operations that consume
it, like deletes), or by an id that cannot exist (to check the 404s). Positive cases
also get realistic bodies from strategies/, so that success paths are reached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

import specs
import strategies
from contract.harness import (
    MISSING_PREFIX,
    CreatedToken,
    CreatedUser,
    Credentials,
    Exchange,
    Problem,
    Run,
    expect_status,
    listed_results,
    missing_id,
    search_query,
)

__all__ = ["FuzzWorld", "Prepared"]

Draw = Callable[[st.SearchStrategy[Any]], Any]
NOT_SET: Any = object()

#: Operations whose schema-generated positive bodies already pass every business rule.
_SCHEMA_BODIES_ARE_VALID = frozenset({"patchUserDemo", "patchUserSuperAdmin", "autocompleteUsers"})

#: Share of cases aimed at ids that do not exist.
_MISSING_WEIGHT = 0.15


@dataclass
class Prepared:
    """What the world decided for one case."""

    path: dict[str, str] = field(default_factory=dict)
    body: Any = NOT_SET
    query: dict[str, Any] | None = None
    as_: Credentials | None = None
    #: A path id (or tenant) that cannot exist: expect the unknown-id statuses.
    aims_at_missing: bool = False
    #: The body came from strategies/ and passes every business rule.
    realistic: bool = False
    #: Values that must never come back in a response.
    secrets: set[str] = field(default_factory=set)
    #: Where the request breaks the schema on purpose (query, body); empty for valid requests.
    negated: frozenset[str] = frozenset()

    @property
    def positive(self) -> bool:
        return not self.negated


@dataclass
class FuzzWorld:
    run: Run
    pool_users: list[CreatedUser] = field(default_factory=list)
    pool_groups: list[str] = field(default_factory=list)
    pool_account: str = ""
    known_full_tokens: set[str] = field(default_factory=set)
    #: Tokens the world made for delete cases, by id: a delete must end them.
    fresh_tokens: dict[str, CreatedToken] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ready: bool = False

    def ensure_pool(self) -> None:
        """A few users, groups and a service account, created once per process."""
        with self._lock:
            if self._ready:
                return
            arrange = self.run.arrange
            self.pool_groups = [arrange.create_group(), arrange.create_group()]
            self.pool_users = [arrange.create_user()[0] for _ in range(3)]
            self.pool_account = arrange.create_service_account()
            # A standing token per owner: every token list then holds a summary whose shape the
            # response checks can judge, however late a search shows the tokens a case makes.
            owners = [(u.id, "user", "listApiTokens_1") for u in self.pool_users]
            owners.append((self.pool_account, "service_account", "listApiTokens"))
            standing = [(operation, owner, self._fresh_token(owner, kind).id) for owner, kind, operation in owners]
            for _, _, token_id in standing:
                self.fresh_tokens.pop(token_id)  # not for delete cases: it stands for the whole run
            self.run.pending.expect(lambda: self._standing_tokens_listed(standing), key="standing tokens")
            self._ready = True

    def observable_state(self) -> dict[str, Any]:
        """What a refused request must leave alone, as reads by id show it at once: the pool's users."""
        return {f"user {u.id}": self.run.api.call("getUser", {"id": u.id}).response.text for u in self.pool_users}

    def expect_nothing_new(self, body: Any = None) -> None:
        """A refused request made nothing: no token the run did not make on the pool's owners, no user with
        the body's email. Checked at once and, since a search may show it late, again after the window.
        """
        absences = self.run.absences
        absences.add(self._unknown_tokens, key="pool tokens")
        email = body.get("email") if isinstance(body, dict) else None
        if isinstance(email, str) and email.startswith(self.run.names.prefix):
            absences.add(lambda: self._unknown_users(email), key=("email", email))

    def _unknown_tokens(self) -> Problem:
        ledger = self.run.ledger
        lists = [("listApiTokens_1", u.id) for u in self.pool_users] + [("listApiTokens", self.pool_account)]
        for operation, owner in lists:
            exchange, listed = self._token_ids(operation, owner)
            unknown = sorted(token_id for token_id in listed if not ledger.owns("token", token_id))
            if unknown:
                return f"no token the run did not make on {owner} (a refused request made none)", exchange, f"{unknown}"
        return None

    def _standing_tokens_listed(self, standing: list[tuple[str, str, str]]) -> Problem:
        for operation, owner, token_id in standing:
            exchange, listed = self._token_ids(operation, owner)
            if token_id not in listed:
                return f"the token {token_id} just created in the token list of {owner}", exchange, ""
        return None

    def _token_ids(self, operation: str, owner: str) -> tuple[Exchange, list[str]]:
        """The ids an owner's token list shows now; a list that cannot be read is a violation, never empty."""
        exchange = self.run.api.call(operation, {"id": owner})
        results = listed_results(exchange, f"{operation} of an owner the run created")
        return exchange, [str(t.get("id")) for t in results]

    def _unknown_users(self, email: str) -> Problem:
        exchange = self.run.api.call("listUsers", params={"q": email, "page": 1, "size": 10})
        results = listed_results(exchange, "listUsers q=<email>")
        unknown = sorted(str(u.get("id")) for u in results if not self.run.ledger.owns("user", str(u.get("id"))))
        return None if not unknown else (f"no user with {email} (a refused request made none)", exchange, f"{unknown}")

    # -- choosing ids ----------------------------------------------------------

    def _missing(self, draw: Draw) -> bool:
        return bool(draw(st.floats(0, 1)) < _MISSING_WEIGHT)

    def _pool_user(self, draw: Draw) -> CreatedUser:
        return draw(st.sampled_from(self.pool_users))  # type: ignore[no-any-return]

    def _fresh_token(self, owner_id: str, kind: str) -> CreatedToken:
        token, _ = self.run.arrange.create_token(owner_id, kind)  # type: ignore[arg-type]
        self.known_full_tokens.add(token.full_token)
        self.fresh_tokens[token.id] = token
        return token

    # -- per operation ---------------------------------------------------------

    def prepare(self, operation_id: str, draw: Draw, *, negated: frozenset[str]) -> Prepared:
        if operation_id != "listUsers":
            self.ensure_pool()
        prepared = Prepared(secrets=set(self.known_full_tokens), negated=negated)
        positive = prepared.positive
        if "{tenant}" in self.run.api.operation(operation_id).path:
            prepared.path["tenant"] = self.run.target.tenant
        handler = getattr(self, f"_prepare_{operation_id}", None) or self._prepare_user_by_id
        handler(prepared, draw, positive)
        if positive and prepared.body is NOT_SET:
            prepared.body = self._realistic_body(operation_id, draw)
            prepared.realistic = prepared.body is not NOT_SET or operation_id in _SCHEMA_BODIES_ARE_VALID
        return prepared

    def _prepare_user_by_id(self, p: Prepared, draw: Draw, positive: bool) -> None:
        if self._missing(draw):
            p.path["id"] = missing_id("user")
            p.aims_at_missing = True
        else:
            p.path["id"] = self._pool_user(draw).id

    def _prepare_listUsers(self, p: Prepared, draw: Draw, positive: bool) -> None:
        if positive:
            p.query = search_query(
                {
                    "page": draw(st.integers(1, 5) | st.just(2**31 - 1)),
                    # Never more than a page of about a thousand from a shared server (valid_data.page_size_max).
                    "size": draw(st.integers(1, 50) | st.just(specs.policy().page_size_max)),
                    "q": draw(st.none() | st.text(max_size=12) | st.just(self.run.names.prefix)),
                }
            )

    def _prepare_createUser(self, p: Prepared, draw: Draw, positive: bool) -> None:
        return None

    def _prepare_updateCurrentUserPassword(self, p: Prepared, draw: Draw, positive: bool) -> None:
        # Draw before sending: an example the target cuts short then never ends before a draw
        # that another run of the same choices makes (hypothesis would call that flaky).
        new_password = draw(strategies.passwords()) if positive else ""
        user, _ = self.run.arrange.create_user()
        p.as_ = user.credentials
        p.secrets.add(user.password or "")
        if positive:
            p.body = {"oldPassword": user.password, "newPassword": new_password}
            p.secrets.add(new_password)
            p.realistic = True

    def _prepare_deleteUser(self, p: Prepared, draw: Draw, positive: bool) -> None:
        if self._missing(draw):
            p.path["id"] = missing_id("user")
            p.aims_at_missing = True
        else:
            p.path["id"] = self.run.arrange.create_user()[0].id

    def _prepare_deleteUserAuthMethod(self, p: Prepared, draw: Draw, positive: bool) -> None:
        if self._missing(draw):
            p.path.update(id=self._pool_user(draw).id, auth=missing_id("auth"))
            p.aims_at_missing = True
            return
        user, _ = self.run.arrange.create_user()
        fetched = expect_status(self.run.api.call("getUser", {"id": user.id}), 200, "getUser of a created user")
        auths = fetched.json().get("auths") or [{"id": missing_id("auth")}]
        p.path.update(id=user.id, auth=str(auths[0]["id"]))
        p.aims_at_missing = str(auths[0]["id"]).startswith(MISSING_PREFIX)

    def _prepare_deleteApiToken_1(self, p: Prepared, draw: Draw, positive: bool) -> None:
        owner, other = draw(st.permutations(self.pool_users))[:2]
        choice = draw(st.sampled_from(["own", "own", "own", "missing", "other-owner"]))
        if choice == "missing":
            p.path.update(id=owner.id, tokenId=missing_id("token"))
        elif choice == "other-owner":
            # A token id is found only under its owner.
            p.path.update(id=other.id, tokenId=self._fresh_token(owner.id, "user").id)
        else:
            p.path.update(id=owner.id, tokenId=self._fresh_token(owner.id, "user").id)
        p.aims_at_missing = choice != "own"

    def _prepare_service_account(self, p: Prepared, draw: Draw, positive: bool) -> None:
        choice = draw(st.sampled_from(["pool"] * 6 + ["missing-account", "missing-tenant"]))
        p.path["id"] = missing_id("sa") if choice == "missing-account" else self.pool_account
        if choice == "missing-tenant" and "tenant" in p.path:
            p.path["tenant"] = missing_id("tenant")
        p.aims_at_missing = choice == "missing-account" or (choice == "missing-tenant" and "tenant" in p.path)

    _prepare_listApiTokens = _prepare_service_account
    _prepare_createApiTokensForUser = _prepare_service_account
    _prepare_listApiTokensWithTenant = _prepare_service_account
    _prepare_createApiTokensForUserWithTenant = _prepare_service_account

    def _prepare_sa_token_delete(self, p: Prepared, draw: Draw, positive: bool) -> None:
        self._prepare_service_account(p, draw, positive)
        if p.aims_at_missing or draw(st.floats(0, 1)) < _MISSING_WEIGHT:
            p.path["tokenId"] = missing_id("token")
            p.aims_at_missing = True
        else:
            p.path["tokenId"] = self._fresh_token(self.pool_account, "service_account").id

    _prepare_deleteApiToken = _prepare_sa_token_delete
    _prepare_deleteApiTokenWithTenant = _prepare_sa_token_delete

    # -- contract 2: the tokens of the identity the suite runs as (/api/v1/me/api-tokens) ----------

    def _prepare_own_tokens(self, p: Prepared, draw: Draw, positive: bool) -> None:
        return None  # no path: always the suite's own identity

    _prepare_listApiTokensForCurrentUser = _prepare_own_tokens
    _prepare_createApiTokenForCurrentUser = _prepare_own_tokens

    def _prepare_deleteApiTokenForCurrentUser(self, p: Prepared, draw: Draw, positive: bool) -> None:
        """Only tokens this run minted for itself, or ids that cannot exist: never one of the identity's own."""
        if draw(st.floats(0, 1)) < _MISSING_WEIGHT:
            p.path["tokenId"] = missing_id("token")
            p.aims_at_missing = True
        else:
            p.path["tokenId"] = self._fresh_token("", "self").id

    def _prepare_autocompleteUsers(self, p: Prepared, draw: Draw, positive: bool) -> None:
        if draw(st.floats(0, 1)) < _MISSING_WEIGHT:
            p.path["tenant"] = missing_id("tenant")
            p.aims_at_missing = True

    def _prepare_updateUserGroups(self, p: Prepared, draw: Draw, positive: bool) -> None:
        self._prepare_user_by_id(p, draw, positive)
        if not p.aims_at_missing and draw(st.floats(0, 1)) < _MISSING_WEIGHT:
            p.path["tenant"] = missing_id("tenant")
            p.aims_at_missing = True

    # -- realistic bodies --------------------------------------------------------

    def _realistic_body(self, operation_id: str, draw: Draw) -> Any:
        names, tenant = self.run.names, self.run.target.tenant
        if operation_id in ("createUser", "updateUser"):
            return draw(strategies.create_user_requests(names, [tenant], self.pool_groups))
        if operation_id == "patchUser":
            return {
                "firstName": draw(strategies.person_names),
                "lastName": draw(strategies.person_names),
                "email": draw(strategies.emails(names)),
            }
        if operation_id == "patchUserPassword":
            return {"password": draw(strategies.passwords())}
        if operation_id.startswith("createApiTokensForUser") or operation_id == "createApiTokenForCurrentUser":
            return draw(strategies.create_token_requests(names))
        if operation_id == "updateUserGroups":
            return {"groupIds": draw(st.lists(st.sampled_from(self.pool_groups), unique=True))}
        return NOT_SET
