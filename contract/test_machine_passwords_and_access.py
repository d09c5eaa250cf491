"""Passwords, privileges and credentials behave as documented, step after step.

The model knows each user's current and former passwords, its tokens and whether it is
a superadmin. After every step each live user's password and tokens must get exactly
the access the model predicts (200 as superadmin, 403 without rights) and its former
password a 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

import specs
from contract.harness import Credentials, Exchange, expect_status, missing_id
from contract.machines import (
    Access,
    ContractMachine,
    ModelToken,
    ModelUser,
    Session,
    check,
    expect_access,
    of_machine,
    room_for_a_user,
    several_users,
)
from strategies import create_user_requests, passwords, usable_token_requests

pytestmark = [pytest.mark.stateful, pytest.mark.mutating]

POLICY = specs.policy()

#: (path parameters, JSON body or None, query parameters or None) for one forbidden request.
Request = tuple[dict[str, str], Any, dict[str, Any] | None]


def _user_requests(machine: AccessMachine) -> st.SearchStrategy[dict[str, Any]]:
    return create_user_requests(machine.names, [machine.tenant], with_password=True, edge_emails=True)


def _token_requests(machine: AccessMachine) -> st.SearchStrategy[dict[str, Any]]:
    return usable_token_requests(machine.names)


# Preconditions and filters are named functions: hypothesis describes a lambda by parsing
# its source, which is not safe while a machine's shards run side by side in threads.
def _a_plain_user(machine: AccessMachine) -> bool:
    return any(_plain(user) for user in machine.model.values())


def _plain(user: ModelUser) -> bool:
    return not user.super_admin


class AccessMachine(ContractMachine):
    users = Bundle("users")

    @classmethod
    def shared(cls, session: Session) -> tuple[Any, ...]:
        """A service account whose token operations a plain user must be refused, made once per shard."""
        return (session.service_account(),)

    def __init__(self, session: Session, service_account: str) -> None:
        super().__init__(session)
        self.service_account = service_account
        self.model: dict[str, ModelUser] = {}

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def access_of(user: ModelUser) -> Access:
        if not user.alive:
            return "refused"
        return "superadmin" if user.super_admin else "forbidden"

    def expect_credentials(self, user: ModelUser, what: str, *, every_token: bool = True) -> None:
        """The current password and the tokens get the user's access; the last former password a 401.

        Without `every_token` only the newest token is tried, and no former password: the
        invariant's round, after every step, would otherwise send a wrong password each
        time and lock the account out. The former password is tried right after a change,
        within the account's budget of failed logins.
        """
        access = self.access_of(user)
        if user.password is not None:
            expect_access(self.api, user.login_with(user.password), access, f"{what}: current password", user.id)
        former = user.old_passwords[-1] if user.old_passwords else None
        if every_token and former not in (None, user.password) and self.may_probe_wrong_password(user.username):
            old = user.login_with(former or "")
            expect_access(self.api, old, "refused", f"{what}: former password", user.id)
        tokens = list(user.tokens.values())
        for token in tokens if every_token else tokens[-1:]:
            expect_access(self.api, token.credentials, access if token.works else "refused", f"{what}: token", user.id)

    def new_token(self, user: ModelUser, request: dict[str, Any]) -> ModelToken:
        created, _ = self.arrange.create_token(user.id, "user", request)
        self.created("token", created.id)
        self.watch.full_token(created.full_token)
        token = ModelToken(created.id, request["name"], request["description"], user, created.full_token)
        user.tokens[token.id] = token
        return token

    # -- users and tokens ----------------------------------------------------------------

    @initialize(target=users, first=of_machine(_user_requests), second=of_machine(_user_requests))
    def first_users(self, first: dict[str, Any], second: dict[str, Any]) -> MultipleResults[ModelUser]:
        """Two users from the start, so that every rule (deleting one too) is possible at once."""
        return multiple(*self.new_users([first, second]))

    @precondition(room_for_a_user)
    @rule(target=users, request=of_machine(_user_requests))
    def create_user(self, request: dict[str, Any]) -> ModelUser:
        return self.new_users([request])[0]

    def new_users(self, requests: list[dict[str, Any]]) -> list[ModelUser]:
        """Create users (their ids found together); each credential works as the model says at once."""
        made = self.make_users(requests)
        users = []
        for (created, _), request in zip(made, requests, strict=True):
            user = ModelUser(
                id=created.id,
                email=request["email"],
                first_name=request["firstName"],
                last_name=request["lastName"],
                username=request["email"],
                password=request["password"],
            )
            self.model[user.id] = user
            self.expect_credentials(user, "a user just created")
            users.append(user)
        return users

    @rule(user=users, request=of_machine(_token_requests))
    def create_token(self, user: ModelUser, request: dict[str, Any]) -> None:
        token = self.new_token(user, request)
        expect_access(self.api, token.credentials, self.access_of(user), "a token just created", user.id)

    @precondition(several_users)
    @rule(user=consumes(users), use_token=st.booleans(), request=of_machine(_token_requests))
    def delete_user(self, user: ModelUser, use_token: bool, request: dict[str, Any]) -> None:
        """A deleted user's password and tokens get a 401, on every operation."""
        expect_status(self.call("deleteUser", {"id": user.id}), 204, "deleteUser")
        self.deleted("user", user.id)
        user.alive = False
        del self.model[user.id]
        self.expect_credentials(user, "a deleted user")
        tokens = list(user.tokens.values())
        assert user.password is not None
        former = tokens[-1].credentials if use_token and tokens else user.login_with(user.password)
        me_body = {"oldPassword": user.password, "newPassword": user.password + "9"}
        self.sweep(user, former, request, POLICY.unauthenticated_status, "with the credentials of a deleted user")
        exchange = self.call("updateCurrentUserPassword", json=me_body, as_=former)
        expect_status(exchange, POLICY.unauthenticated_status, "PUT /api/v1/me/password as a deleted user")

    # -- passwords -----------------------------------------------------------------------

    @rule(user=users, new_password=passwords())
    def set_password(self, user: ModelUser, new_password: str) -> None:
        self.watch.password(new_password)
        exchange = self.call("patchUserPassword", {"id": user.id}, json={"password": new_password})
        expect_status(exchange, 200, "patchUserPassword")
        user.change_password(new_password)
        self.expect_credentials(user, "right after patchUserPassword")

    @rule(user=users, new_password=passwords(), use_token=st.booleans())
    def change_own_password(self, user: ModelUser, new_password: str, use_token: bool) -> None:
        """`PUT /api/v1/me/password` as the user itself, logged in by password or by one of its tokens."""
        assert user.password is not None
        self.watch.password(new_password)
        me = self.identity(user, use_token)
        body = {"oldPassword": user.password, "newPassword": new_password}
        exchange = self.call("updateCurrentUserPassword", json=body, as_=me)
        expect_status(exchange, 200, "updateCurrentUserPassword with the right old password")
        user.change_password(new_password)
        self.expect_credentials(user, "right after PUT /api/v1/me/password")

    @rule(user=users, wrong_password=passwords(), new_password=passwords())
    def change_own_password_with_a_wrong_one(self, user: ModelUser, wrong_password: str, new_password: str) -> None:
        assert user.password is not None
        if wrong_password == user.password or not self.may_probe_wrong_password(user.username):
            return
        self.watch.password(wrong_password)
        self.watch.password(new_password)
        body = {"oldPassword": wrong_password, "newPassword": new_password}
        exchange = self.call("updateCurrentUserPassword", json=body, as_=user.login_with(user.password))
        check(
            400 <= exchange.status < 500,
            "a 4xx for PUT /api/v1/me/password with a wrong oldPassword",
            exchange,
        )
        self.expect_credentials(user, "after a refused password change")
        if new_password != user.password and self.may_probe_wrong_password(user.username):
            expect_access(self.api, user.login_with(new_password), "refused", "the refused new password", user.id)

    def identity(self, user: ModelUser, use_token: bool) -> Credentials:
        assert user.password is not None
        live = [t for t in user.tokens.values() if t.works]
        return live[-1].credentials if use_token and live else user.login_with(user.password)

    # -- privileges ----------------------------------------------------------------------

    @rule(user=users, super_admin=st.booleans())
    def set_superadmin(self, user: ModelUser, super_admin: bool) -> None:
        exchange = self.call("patchUserSuperAdmin", {"id": user.id}, json={"superAdmin": super_admin})
        expect_status(exchange, 200, "patchUserSuperAdmin")
        user.super_admin = super_admin
        self.expect_credentials(user, "promoted" if super_admin else "demoted")
        if super_admin:
            listing = self.call("listUsers", params={"page": 1, "size": 1}, as_=user.login_with(user.password or ""))
            expect_status(listing, 200, "listUsers as a user promoted a moment ago")

    @precondition(_a_plain_user)
    @rule(user=users.filter(_plain), use_token=st.booleans(), request=of_machine(_token_requests))
    def forbidden_everywhere(self, user: ModelUser, use_token: bool, request: dict[str, Any]) -> None:
        """Every operation but `PUT /api/v1/me/password` answers 403 to a user who is not a superadmin."""
        if use_token and not any(t.works for t in user.tokens.values()):
            self.new_token(user, request)
        me = self.identity(user, use_token)
        self.sweep(user, me, request, POLICY.forbidden_status, "by a user who is not a superadmin")

    def sweep(self, user: ModelUser, me: Credentials, request: dict[str, Any], status: int, what: str) -> None:
        """Send every operation of FORBIDDEN as `me`; each must answer `status`."""
        for operation, build in FORBIDDEN.items():
            path, body, params = build(self, user, request)
            kwargs: dict[str, Any] = {"as_": me, "params": params}
            if body is not None:
                kwargs["json"] = body
            exchange = self.call(operation, path, **kwargs)
            if 200 <= exchange.status < 300:
                self.adopt(operation, exchange, path, body)
            expect_status(exchange, status, f"{operation} {what}")

    def adopt(self, operation: str, exchange: Exchange, path: dict[str, str], body: Any) -> None:
        """What a wrongly allowed request created goes into the ledger, for cleanup."""
        if operation == "createUser":
            self.adopt_users(body["email"], keep=set())
        elif operation.startswith("createApiTokens"):
            self.adopt_token(exchange, path["id"], "user" if operation.endswith("_1") else "service_account")

    # -- after every step ----------------------------------------------------------------

    @invariant()
    def credentials_match_the_model(self) -> None:
        for user in self.model.values():
            self.expect_credentials(user, "after the step", every_token=False)


def _own(machine: AccessMachine, user: ModelUser, request: dict[str, Any]) -> Request:
    return {"id": user.id}, None, None


def _account(machine: AccessMachine, user: ModelUser, request: dict[str, Any]) -> Request:
    return {"id": machine.service_account}, None, None


def _with_body(
    path: Callable[[AccessMachine, ModelUser, dict[str, Any]], Request],
    body: Callable[[AccessMachine, ModelUser, dict[str, Any]], Any],
    **extra: Callable[[AccessMachine, ModelUser], str],
) -> Callable[[AccessMachine, ModelUser, dict[str, Any]], Request]:
    def build(machine: AccessMachine, user: ModelUser, request: dict[str, Any]) -> Request:
        params, _, query = path(machine, user, request)
        params = {**params, **{name: make(machine, user) for name, make in extra.items()}}
        return params, body(machine, user, request), query

    return build


def _no_body(machine: AccessMachine, user: ModelUser, request: dict[str, Any]) -> None:
    return None


def _own_token(machine: AccessMachine, user: ModelUser) -> str:
    return next((t.id for t in user.tokens.values() if t.works), missing_id("token"))


def _new_user(machine: AccessMachine, user: ModelUser, request: dict[str, Any]) -> dict[str, Any]:
    body = machine.arrange.user_body(email=machine.names.email(), superAdmin=True)
    machine.watch.password(body["password"])
    return body


def _self_promotion(machine: AccessMachine, user: ModelUser, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenants": [machine.tenant],
        "groups": [],
        "firstName": user.first_name,
        "lastName": user.last_name,
        "email": user.email,
        "password": user.password or "",
        "superAdmin": True,
        "restricted": False,
    }


#: Every operation a user who is not a superadmin must get a 403 for, and the request to send.
#: Requests aim at the user itself (self-promotion, self-deletion) or at the suite's service account.
FORBIDDEN: dict[str, Callable[[AccessMachine, ModelUser, dict[str, Any]], Request]] = {
    "listUsers": lambda m, u, r: ({}, None, {"page": 1, "size": 10}),
    "createUser": _with_body(lambda m, u, r: ({}, None, None), _new_user),
    "getUser": _own,
    "updateUser": _with_body(_own, _self_promotion),
    "patchUser": _with_body(_own, lambda m, u, r: {"firstName": "X", "lastName": "Y", "email": u.email}),
    "patchUserSuperAdmin": _with_body(_own, lambda m, u, r: {"superAdmin": True}),
    "patchUserDemo": _with_body(_own, lambda m, u, r: {"restricted": True}),
    "patchUserPassword": _with_body(_own, lambda m, u, r: {"password": u.password}),
    "listApiTokens_1": _own,
    "createApiTokensForUser_1": _with_body(_own, lambda m, u, r: r),
    "deleteApiToken_1": _with_body(_own, _no_body, tokenId=_own_token),
    "deleteUserAuthMethod": _with_body(_own, _no_body, auth=lambda m, u: missing_id("auth")),
    "impersonate": _own,
    "deleteRefreshToken": _own,
    "listApiTokens": _account,
    "createApiTokensForUser": _with_body(_account, lambda m, u, r: r),
    "deleteApiToken": _with_body(_account, _no_body, tokenId=lambda m, u: missing_id("token")),
    "listApiTokensWithTenant": _account,
    "createApiTokensForUserWithTenant": _with_body(_account, lambda m, u, r: r),
    "deleteApiTokenWithTenant": _with_body(_account, _no_body, tokenId=lambda m, u: missing_id("token")),
    "autocompleteUsers": _with_body(lambda m, u, r: ({}, None, None), lambda m, u, r: {"q": u.email}),
    "updateUserGroups": _with_body(_own, lambda m, u, r: {"groupIds": []}),
    "deleteUser": _own,
}

_MUST_FORBID = {op.operation_id for op in specs.operations()} - POLICY.open_to_any_identity
if set(FORBIDDEN) != _MUST_FORBID:
    raise RuntimeError(
        f"FORBIDDEN must cover exactly {sorted(_MUST_FORBID)}; differs by {set(FORBIDDEN) ^ _MUST_FORBID}"
    )


test_passwords_and_access_behave_as_documented = AccessMachine.sharded_test()
