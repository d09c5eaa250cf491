"""One function per operationId: what a conforming server does (contract-semantics.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_server import _views as views
from reference_server._config import ServerConfig
from reference_server._errors import ApiError
from reference_server._model import Principal, ServiceAccount, User, new_id
from reference_server._rules import check_email, check_name, check_password, parse_duration
from reference_server._store import Store, TokenRequest

__all__ = ["HANDLERS", "Call", "Reply"]


@dataclass
class Call:
    store: Store
    config: ServerConfig
    principal: Principal
    path: dict[str, str]
    query: dict[str, Any]
    body: Any

    @property
    def tenant(self) -> str:
        return self.store.tenant(self.path["tenant"])

    def user(self) -> User:
        return self.store.user(self.path["id"])

    def field(self, name: str, default: Any) -> Any:
        """A body field; the default stands in only where the server is lenient."""
        return self.body.get(name, default) if isinstance(self.body, dict) else default


@dataclass
class Reply:
    status: int
    body: Any = None


Handler = Callable[[Call], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


# -- users -------------------------------------------------------------------


def _apply_user_fields(call: Call, user: User, *, creating: bool) -> None:
    email = call.field("email", user.email)
    first_name = call.field("firstName", user.first_name)
    last_name = call.field("lastName", user.last_name)
    password = call.field("password", "")
    tenants = call.field("tenants", user.tenants)
    groups = call.field("groups", list(user.groups))
    check_email(email)
    check_name(first_name, "firstName")
    check_name(last_name, "lastName")
    if password:
        check_password(password)
    for tenant in tenants:
        call.store.tenant(tenant)
    resolved = [call.store.group(gid) for gid in groups]
    call.store.ensure_email_free(email, for_user=None if creating else user.id)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.super_admin = bool(call.field("superAdmin", user.super_admin))
    user.restricted = bool(call.field("restricted", user.restricted))
    user.tenants = list(dict.fromkeys(tenants))
    user.groups = {g.id: g.tenant for g in resolved}
    if password:
        user.set_password(password)


@handles("createUser")
def create_user(call: Call) -> Reply:
    user = User(id=new_id(), super_admin=False)
    _apply_user_fields(call, user, creating=True)
    call.store.add_user(user)
    if call.config.create_user_body == "user":
        return Reply(201, views.user(call.store, user))
    return Reply(201)


@handles("getUser")
def get_user(call: Call) -> Reply:
    return Reply(200, views.user(call.store, call.user()))


@handles("updateUser")
def update_user(call: Call) -> Reply:
    user = call.user()
    _apply_user_fields(call, user, creating=False)
    return Reply(200, views.user(call.store, user))


@handles("patchUser")
def patch_user(call: Call) -> Reply:
    user = call.user()
    email = call.body["email"]
    check_email(email)
    check_name(call.body["firstName"], "firstName")
    check_name(call.body["lastName"], "lastName")
    call.store.ensure_email_free(email, for_user=user.id)
    user.email = email
    user.first_name = call.body["firstName"]
    user.last_name = call.body["lastName"]
    return Reply(200, views.user(call.store, user))


@handles("deleteUser")
def delete_user(call: Call) -> Reply:
    call.store.delete_user(call.path["id"])
    return Reply(204)


@handles("patchUserDemo")
def patch_user_demo(call: Call) -> Reply:
    call.user().restricted = call.body["restricted"]
    return Reply(200)


@handles("patchUserSuperAdmin")
def patch_user_super_admin(call: Call) -> Reply:
    call.user().super_admin = call.body["superAdmin"]
    return Reply(200)


@handles("patchUserPassword")
def patch_user_password(call: Call) -> Reply:
    user = call.user()
    check_password(call.body["password"])
    user.set_password(call.body["password"])
    return Reply(200, {})


@handles("updateCurrentUserPassword")
def update_current_user_password(call: Call) -> Reply:
    me = call.principal
    if not isinstance(me, User) or me.password_auth_id is None:
        raise ApiError(400, "The current identity has no password")
    if not me.password_matches(call.body["oldPassword"]):
        raise ApiError(422, "The old password does not match")
    check_password(call.body["newPassword"])
    me.set_password(call.body["newPassword"])
    return Reply(200, {})


@handles("deleteUserAuthMethod")
def delete_user_auth_method(call: Call) -> Reply:
    user = call.user()
    if user.password_auth_id is None or user.password_auth_id != call.path["auth"]:
        raise ApiError(404, f"Auth method '{call.path['auth']}' not found")
    user.clear_password()
    return Reply(200, views.user(call.store, user))


@handles("impersonate")
def impersonate(call: Call) -> Reply:
    user = call.user()
    return Reply(200, {"id": user.id, "username": user.username})


@handles("deleteRefreshToken")
def delete_refresh_token(call: Call) -> Reply:
    call.user()
    return Reply(204)


_SORT_KEYS: dict[str, Callable[[User], str]] = {
    "username": lambda u: u.username.casefold(),
    "email": lambda u: u.email.casefold(),
    "displayName": lambda u: u.display_name.casefold(),
}


@handles("listUsers")
def list_users(call: Call) -> Reply:
    q = (call.query.get("q") or "").casefold()
    page, size = call.query["page"], call.query["size"]
    matches = [
        u
        for u in call.store.users.values()
        if not q or any(q in text.casefold() for text in (u.username, u.email, u.display_name))
    ]
    for spec in reversed(call.query.get("sort") or []):
        field, _, direction = spec.partition(":")
        key = _SORT_KEYS.get(field)
        if key:
            matches.sort(key=key, reverse=direction == "desc")
    start = (page - 1) * size
    results = [views.user_summary(call.store, u) for u in matches[start : start + size]]
    return Reply(200, {"results": results, "total": len(matches)})


@handles("autocompleteUsers")
def autocomplete_users(call: Call) -> Reply:
    tenant = call.tenant
    q = (call.field("q", None) or call.field("username", None) or "").casefold()
    ids = call.field("ids", None)
    found = [
        views.tenant_access(call.store, u, tenant)
        for u in call.store.users.values()
        if tenant in u.tenants
        and (not q or any(q in t.casefold() for t in (u.username, u.email, u.display_name)))
        and (not ids or u.id in ids)
    ]
    return Reply(200, found)


@handles("updateUserGroups")
def update_user_groups(call: Call) -> Reply:
    tenant = call.tenant
    call.store.set_user_groups(call.user(), tenant, call.body["groupIds"])
    return Reply(204)


# -- API tokens ----------------------------------------------------------------


def _token_request(call: Call) -> TokenRequest:
    return TokenRequest(
        name=call.body["name"],
        description=call.field("description", ""),
        max_age_seconds=parse_duration(call.field("maxAge", None)),
        extended=bool(call.field("extended", False)),
    )


def _create_token(call: Call, owner: Principal) -> Reply:
    token, full_token = call.store.create_token(owner, _token_request(call))
    return Reply(200, {"id": token.id, "name": token.name, "fullToken": full_token})


def _list_tokens(owner: Principal) -> Reply:
    now = time.time()
    return Reply(200, {"results": [t.summary(now) for t in owner.tokens.values()]})


def _service_account(call: Call, *, tenant_scoped: bool) -> ServiceAccount:
    tenant = call.tenant if tenant_scoped else None
    return call.store.service_account(call.path["id"], tenant)


@handles("listApiTokens_1")
def list_user_tokens(call: Call) -> Reply:
    return _list_tokens(call.user())


@handles("createApiTokensForUser_1")
def create_user_token(call: Call) -> Reply:
    return _create_token(call, call.user())


@handles("deleteApiToken_1")
def delete_user_token(call: Call) -> Reply:
    call.store.delete_token(call.user(), call.path["tokenId"])
    return Reply(204)


@handles("listApiTokens")
def list_sa_tokens(call: Call) -> Reply:
    return _list_tokens(_service_account(call, tenant_scoped=False))


@handles("listApiTokensWithTenant")
def list_sa_tokens_in_tenant(call: Call) -> Reply:
    return _list_tokens(_service_account(call, tenant_scoped=True))


@handles("createApiTokensForUser")
def create_sa_token(call: Call) -> Reply:
    return _create_token(call, _service_account(call, tenant_scoped=False))


@handles("createApiTokensForUserWithTenant")
def create_sa_token_in_tenant(call: Call) -> Reply:
    return _create_token(call, _service_account(call, tenant_scoped=True))


@handles("deleteApiToken")
def delete_sa_token(call: Call) -> Reply:
    call.store.delete_token(_service_account(call, tenant_scoped=False), call.path["tokenId"])
    return Reply(200, {})


@handles("deleteApiTokenWithTenant")
def delete_sa_token_in_tenant(call: Call) -> Reply:
    call.store.delete_token(_service_account(call, tenant_scoped=True), call.path["tokenId"])
    return Reply(200, {})


# -- setup: service accounts and groups ---------------------------------------------


@handles("createServiceAccount")
def create_service_account(call: Call) -> Reply:
    tenants = [call.store.tenant(t) for t in call.body["tenants"]]
    account = ServiceAccount(
        id=new_id(),
        super_admin=call.body["superAdmin"],
        name=call.body["name"],
        description=call.body["description"],
        tenants=list(dict.fromkeys(tenants)),
    )
    call.store.add_service_account(account)
    return Reply(200, views.service_account_detail(call.store, account))


@handles("getServiceAccount")
def get_service_account(call: Call) -> Reply:
    account = call.store.service_account(call.path["id"])
    return Reply(200, views.service_account_detail(call.store, account))


@handles("deleteServiceAccount")
def delete_service_account(call: Call) -> Reply:
    call.store.delete_service_account(call.path["id"])
    return Reply(204)


@handles("createServiceAccountForTenant")
def create_service_account_for_tenant(call: Call) -> Reply:
    tenant = call.tenant
    groups = [call.store.group(g["id"], tenant).id for g in call.body["groups"]]
    account = ServiceAccount(
        id=new_id(),
        super_admin=call.body["superAdmin"],
        name=call.body["name"],
        description=call.body["description"],
        tenants=[tenant],
        groups=groups,
    )
    call.store.add_service_account(account)
    return Reply(200, views.service_account_response(account))


@handles("deleteServiceAccountForTenant")
def delete_service_account_for_tenant(call: Call) -> Reply:
    call.store.delete_service_account(call.path["id"], call.tenant)
    return Reply(200)


@handles("createGroup")
def create_group(call: Call) -> Reply:
    tenant = call.tenant
    group = call.store.add_group(tenant, call.body["name"], call.body["description"], call.body["membersId"])
    return Reply(200, views.group_detail(group))


@handles("getGroup")
def get_group(call: Call) -> Reply:
    return Reply(200, views.group_detail(call.store.group(call.path["id"], call.tenant)))


@handles("deleteGroup")
def delete_group(call: Call) -> Reply:
    call.store.delete_group(call.path["id"], call.tenant)
    return Reply(200)
