"""For each documented operation, realistic arguments on objects this run created.

A scenario arranges what the call needs through `run.arrange` (so the ledger holds it),
says what to send, records at once whatever the SDK call itself created, and tidies up
after a call that changed something the rest of the run should not see (a promoted user).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import specs
from contract.harness import (
    ContractViolation,
    CreatedUser,
    Credentials,
    Entry,
    Run,
    expect_status,
    missing_id,
    strong_password,
)

__all__ = ["Scenario", "arrange", "body_for", "unknown_id"]


def _nothing(*args: Any) -> None:
    return None


@dataclass
class Scenario:
    path: dict[str, str]
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    #: Call as this identity instead of the suite's own.
    as_: Credentials | None = None
    #: Runs right after the call, whether it raised or not, with the raw body if known.
    record: Callable[[bytes | None], None] = _nothing
    #: Runs after a successful call.
    finish: Callable[[], None] = _nothing


def body_for(operation_id: str, run: Run) -> Any:
    """A realistic, valid request body for the operation, or None if it takes none."""
    arrange = run.arrange
    bodies: dict[str, Callable[[], Any]] = {
        "createUser": arrange.user_body,
        "updateUser": lambda: arrange.user_body(firstName="Renamed"),
        "patchUser": lambda: {"firstName": "Patched", "lastName": "Person", "email": run.names.email()},
        "patchUserDemo": lambda: {"restricted": True},
        "patchUserSuperAdmin": lambda: {"superAdmin": True},
        "patchUserPassword": lambda: {"password": strong_password()},
        "updateCurrentUserPassword": lambda: {"oldPassword": strong_password(), "newPassword": strong_password()},
        "updateUserGroups": lambda: {"groupIds": []},
        "autocompleteUsers": lambda: {"q": run.names.email()},
        "createApiTokensForUser": arrange.token_body,
        "createApiTokensForUser_1": arrange.token_body,
        "createApiTokensForUserWithTenant": arrange.token_body,
        "createApiTokenForCurrentUser": arrange.token_body,
    }
    make = bodies.get(operation_id)
    return make() if make else None


def unknown_id(operation_id: str, path_params: list[str], run: Run) -> Scenario:
    """Every id in the path unknown to the server (the tenant stays the real one)."""
    path = {name: run.target.tenant if name == "tenant" else missing_id(name) for name in path_params}
    return Scenario(path=path, body=body_for(operation_id, run))


def arrange(operation_id: str, run: Run) -> Scenario:
    """Create what the operation acts on and say how to call it."""
    return _ARRANGERS[operation_id](run)


# ---- helpers -------------------------------------------------------------------------


def _user(run: Run) -> CreatedUser:
    return run.arrange.create_user()[0]


def _json_id(raw: bytes | None) -> str | None:
    if not raw:
        return None
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    return str(payload["id"]) if isinstance(payload, dict) and isinstance(payload.get("id"), str) else None


def _record_user(run: Run, email: str) -> Callable[[bytes | None], None]:
    def record(raw: bytes | None) -> None:
        user_id = _json_id(raw)
        if user_id is None:
            search = specs.policy().search_parameter
            listing = run.api.call("listUsers", params={search: email, "page": 1, "size": 10})
            if listing.status != 200:
                return
            matches = [u for u in listing.json().get("results", []) if u.get("username") == email]
            if len(matches) != 1:
                return
            user_id = str(matches[0]["id"])
        run.ledger.record(Entry("user", user_id, label=email))

    return record


def _record_token(
    run: Run, owner_id: str, owner_kind: str, name: str, list_operation: str
) -> Callable[[bytes | None], None]:
    def record(raw: bytes | None) -> None:
        token_id = _json_id(raw)
        if token_id is None:
            listing = run.api.call(list_operation, {"id": owner_id})
            results = listing.json().get("results", []) if listing.status == 200 else []
            named = [t for t in results if isinstance(t, dict) and t.get("name") == name]
            if len(named) != 1:
                return
            token_id = str(named[0]["id"])
        run.ledger.record(Entry("token", token_id, parent=owner_id, parent_kind=owner_kind, label=name))

    return record


def _forget(run: Run, kind: Any, object_id: str) -> Callable[[], None]:
    return lambda: run.ledger.forget(kind, object_id)


# ---- users ---------------------------------------------------------------------------


def _create_user(run: Run) -> Scenario:
    body = body_for("createUser", run)
    return Scenario(path={}, body=body, record=_record_user(run, body["email"]))


def _on_user(operation_id: str) -> Callable[[Run], Scenario]:
    def make(run: Run) -> Scenario:
        user = _user(run)
        return Scenario(path={"id": user.id}, body=body_for(operation_id, run))

    return make


def _update_user(run: Run) -> Scenario:
    user = _user(run)
    return Scenario(path={"id": user.id}, body=run.arrange.user_body(email=user.email, firstName="Renamed"))


def _list_users(run: Run) -> Scenario:
    if run.read_only:
        return Scenario(path={}, query={"page": 1, "size": 10})
    user = _user(run)
    # The contract's own search parameter: `q` in version 1, `filters[q][EQUALS]` in version 2.
    return Scenario(path={}, query={"page": 1, "size": 10, specs.policy().search_parameter: user.email})


def _delete_user(run: Run) -> Scenario:
    user = _user(run)
    return Scenario(path={"id": user.id}, finish=_forget(run, "user", user.id))


def _patch_super_admin(run: Run) -> Scenario:
    user = _user(run)

    def demote() -> None:
        # Leave no superadmin with a known password behind, even for the rest of the run.
        exchange = run.api.call("patchUserSuperAdmin", {"id": user.id}, json={"superAdmin": False})
        expect_status(exchange, 200, "demote the user the SDK promoted")

    return Scenario(path={"id": user.id}, body={"superAdmin": True}, finish=demote)


def _delete_auth_method(run: Run) -> Scenario:
    user = _user(run)
    exchange = expect_status(run.api.call("getUser", {"id": user.id}), 200, "getUser of a created user")
    auths = exchange.json().get("auths") or []
    if not auths:
        raise ContractViolation("a user created with a password has an entry in auths", exchange)
    return Scenario(path={"id": user.id, "auth": str(auths[0]["id"])})


def _signed_in_as(run: Run, user: CreatedUser) -> Credentials:
    """How the SDK calls as a user the run created: as that user's own SDK user would.

    Where the contract takes a password on every call (version 1), its password; where
    it does not (version 2 dropped basic authentication, and kestrapy 2.x has no login),
    an API token made for it first.
    """
    if specs.policy().password_login == "basic" and user.password:
        return user.credentials
    token, _ = run.arrange.create_token(user.id, "user")
    return token.credentials


def _update_current_password(run: Run) -> Scenario:
    user = _user(run)
    body = {"oldPassword": user.password, "newPassword": strong_password()}
    return Scenario(path={}, body=body, as_=_signed_in_as(run, user))


# ---- the current user's tokens (contract 2): always a user the run created, never the suite's own


def _create_own_token(run: Run) -> Scenario:
    user = _user(run)
    body = run.arrange.token_body()
    record = _record_token(run, user.id, "user", body["name"], "listApiTokens_1")
    return Scenario(path={}, body=body, as_=_signed_in_as(run, user), record=record)


def _list_own_tokens(run: Run) -> Scenario:
    user = _user(run)
    run.arrange.create_token(user.id, "user")
    return Scenario(path={}, as_=_signed_in_as(run, user))


def _delete_own_token(run: Run) -> Scenario:
    user = _user(run)
    token, _ = run.arrange.create_token(user.id, "user")
    return Scenario(path={"tokenId": token.id}, as_=_signed_in_as(run, user), finish=_forget(run, "token", token.id))


def _autocomplete(run: Run) -> Scenario:
    user = _user(run)
    return Scenario(path={"tenant": run.target.tenant}, body={"q": user.email})


def _update_groups(run: Run) -> Scenario:
    user = _user(run)
    group = run.arrange.create_group()
    return Scenario(path={"id": user.id, "tenant": run.target.tenant}, body={"groupIds": [group]})


# ---- tokens --------------------------------------------------------------------------

_TOKEN_OWNERS = {
    "_1": ("user", "listApiTokens_1"),
    "": ("service_account", "listApiTokens"),
    "WithTenant": ("service_account", "listApiTokens"),
}


def _owner(run: Run, kind: str) -> str:
    return _user(run).id if kind == "user" else run.arrange.create_service_account()


def _token_path(run: Run, suffix: str, owner_id: str) -> dict[str, str]:
    path = {"id": owner_id}
    if suffix == "WithTenant":
        path["tenant"] = run.target.tenant
    return path


def _create_token(suffix: str) -> Callable[[Run], Scenario]:
    kind, list_operation = _TOKEN_OWNERS[suffix]

    def make(run: Run) -> Scenario:
        owner_id = _owner(run, kind)
        body = run.arrange.token_body()
        record = _record_token(run, owner_id, kind, body["name"], list_operation)
        return Scenario(path=_token_path(run, suffix, owner_id), body=body, record=record)

    return make


def _list_tokens(suffix: str) -> Callable[[Run], Scenario]:
    kind, _ = _TOKEN_OWNERS[suffix]

    def make(run: Run) -> Scenario:
        owner_id = _owner(run, kind)
        run.arrange.create_token(owner_id, kind)  # type: ignore[arg-type]
        return Scenario(path=_token_path(run, suffix, owner_id))

    return make


def _delete_token(suffix: str) -> Callable[[Run], Scenario]:
    kind, _ = _TOKEN_OWNERS[suffix]

    def make(run: Run) -> Scenario:
        owner_id = _owner(run, kind)
        token, _ = run.arrange.create_token(owner_id, kind)  # type: ignore[arg-type]
        path = {**_token_path(run, suffix, owner_id), "tokenId": token.id}
        return Scenario(path=path, finish=_forget(run, "token", token.id))

    return make


_ARRANGERS: dict[str, Callable[[Run], Scenario]] = {
    "createUser": _create_user,
    "getUser": _on_user("getUser"),
    "updateUser": _update_user,
    "patchUser": _on_user("patchUser"),
    "deleteUser": _delete_user,
    "listUsers": _list_users,
    "patchUserDemo": _on_user("patchUserDemo"),
    "patchUserPassword": _on_user("patchUserPassword"),
    "patchUserSuperAdmin": _patch_super_admin,
    "deleteUserAuthMethod": _delete_auth_method,
    "deleteRefreshToken": _on_user("deleteRefreshToken"),
    "impersonate": _on_user("impersonate"),
    "updateCurrentUserPassword": _update_current_password,
    "autocompleteUsers": _autocomplete,
    "updateUserGroups": _update_groups,
    "createApiTokensForUser": _create_token(""),
    "createApiTokensForUser_1": _create_token("_1"),
    "createApiTokensForUserWithTenant": _create_token("WithTenant"),
    "listApiTokens": _list_tokens(""),
    "listApiTokens_1": _list_tokens("_1"),
    "listApiTokensWithTenant": _list_tokens("WithTenant"),
    "deleteApiToken": _delete_token(""),
    "deleteApiToken_1": _delete_token("_1"),
    "deleteApiTokenWithTenant": _delete_token("WithTenant"),
    "createApiTokenForCurrentUser": _create_own_token,
    "listApiTokensForCurrentUser": _list_own_tokens,
    "deleteApiTokenForCurrentUser": _delete_own_token,
}
