"""One function per operationId: what a conforming server does (docs/contract-semantics.md)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reference_server import _views as views
from reference_server._config import ServerConfig
from reference_server._dialect import Dialect
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
    #: What this server does as Kestra 1.x or 2.x.
    dialect: Dialect

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
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    #: Open a cookie session for this user id and set its cookie (Kestra 2.x's impersonate).
    session_for: str | None = None


Handler = Callable[[Call], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


# -- users -------------------------------------------------------------------


def _check_names(call: Call, first_name: str, last_name: str) -> None:
    check_name(first_name, "firstName")
    check_name(last_name, "lastName")
    if call.config.has("unicode-name-500"):
        (first_name + last_name).encode("latin-1")  # a latin-1 column: raises outside it


def _apply_user_fields(call: Call, user: User, *, creating: bool) -> None:
    email = call.field("email", user.email)
    first_name = call.field("firstName", user.first_name)
    last_name = call.field("lastName", user.last_name)
    password = call.field("password", "")
    tenants = call.field("tenants", user.tenants)
    groups = call.field("groups", list(user.groups))
    check_email(email)
    _check_names(call, first_name, last_name)
    if password:
        check_password(password, call.config)
    for tenant in tenants:
        call.store.tenant(tenant)
    resolved = [call.store.group(gid) for gid in groups]
    unchecked = "duplicate-email-accepted" if creating else "update-duplicate-email-accepted"
    checked_after = creating and call.config.has("duplicate-email-refused-too-late")
    if not call.config.has(unchecked) and not checked_after:
        call.store.ensure_email_free(email, for_user=None if creating else user.id)
    _remember_former_login(call, user, email)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.super_admin = call.dialect.owner_flag(call.body, user.super_admin)
    user.restricted = bool(call.field("restricted", user.restricted))
    user.tenants = list(dict.fromkeys(tenants))
    user.groups = {g.id: g.tenant for g in resolved}
    if password:
        call.store.set_password(user, password)
    if creating:
        _forget_on_create(call, user, email)


def _remember_former_login(call: Call, user: User, email: str) -> None:
    """Under `old-email-still-logs-in`, an email change keeps the old email as a login name; under
    `email-change-drops-login` the login name stays the old email, which no longer exists as such.
    """
    if not user.email or user.email.casefold() == email.casefold():
        return
    if call.config.has("old-email-still-logs-in"):
        user.former_logins.append(user.email)
    if call.config.has("email-change-drops-login"):
        user.login_name = f"{user.email}#stale"  # the credential row still names the old email, mangled


def _forget_on_create(call: Call, user: User, email: str) -> None:
    """What the create faults lose of a new user."""
    if call.config.has("create-ignores-restricted"):
        user.restricted = False
    if call.config.has("create-ignores-tenants"):
        user.tenants = []
    if call.config.has("create-keeps-first-tenant"):
        user.tenants = user.tenants[:1]  # a single tenant column
    if call.config.has("create-ignores-groups"):
        user.groups = {}
    if call.config.has("new-user-cannot-log-in") and user.password_auth_id is not None:
        user.password_salt = b"never-used"  # the digest was made with another salt
    if call.config.has("email-change-keeps-login"):
        user.login_name = email


@handles("createUser")
def create_user(call: Call) -> Reply:
    email = str(call.field("email", ""))
    if call.config.has("duplicate-email-ignored") and call.store.user_by_email(email) is not None:
        return Reply(201)  # "already there": an idempotent create that answers success and makes nothing
    user = User(id=new_id(), super_admin=False)
    _apply_user_fields(call, user, creating=True)
    call.store.add_user(user)
    if call.config.has("duplicate-email-refused-too-late"):
        call.store.ensure_email_free(user.email, for_user=user.id)  # no rollback: the new user stays
    status = 200 if call.config.has("create-user-200") else 201
    if call.dialect.create_user_body():
        return Reply(status, views.user(call.store, user))
    return Reply(status)


@handles("getUser")
def get_user(call: Call) -> Reply:
    user = call.user()
    if call.config.has("get-user-cached"):
        return Reply(200, call.store.read_cache.setdefault(user.id, views.user(call.store, user)))
    return Reply(200, views.user(call.store, user))


@handles("updateUser")
def update_user(call: Call) -> Reply:
    user = call.user()
    if call.config.has("update-user-not-saved"):
        user = copy.copy(user)  # changes a detached copy
    _apply_user_fields(call, user, creating=False)
    view = views.user(call.store, user)
    if call.config.has("password-in-response"):
        view = {**call.body, **view}  # the request merged into the answer
    return Reply(200, view)


@handles("patchUser")
def patch_user(call: Call) -> Reply:
    found = call.store.soft_deleted(call.path["id"]) if call.config.has("patch-deleted-user") else None
    user = found or call.user()
    if call.config.has("patch-user-not-saved"):
        user = copy.copy(user)  # changes a detached copy
    email = call.field("email", user.email)
    first_name, last_name = call.field("firstName", user.first_name), call.field("lastName", user.last_name)
    check_email(email)
    _check_names(call, first_name, last_name)
    if not call.config.has("update-duplicate-email-accepted"):
        call.store.ensure_email_free(email, for_user=user.id)
    _remember_former_login(call, user, email)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    return Reply(200, views.user(call.store, user))


@handles("deleteUser")
def delete_user(call: Call) -> Reply:
    call.store.delete_user(call.path["id"])
    if call.config.has("delete-user-200"):
        return Reply(200, {})
    return Reply(204)


@handles("patchUserDemo")
def patch_user_demo(call: Call) -> Reply:
    user = call.user()
    if not call.config.has("restricted-flag-not-saved"):
        user.restricted = call.body["restricted"]
    return Reply(204 if call.config.has("patch-demo-204") else 200)


@handles("patchUserSuperAdmin")
def patch_user_super_admin(call: Call) -> Reply:
    user = call.user()
    if not call.config.has("superadmin-flag-not-saved"):
        user.super_admin = call.dialect.owner_flag(call.body, user.super_admin)
    return Reply(200)


@handles("patchUserPassword")
def patch_user_password(call: Call) -> Reply:
    user = call.user()
    check_password(call.body["password"], call.config)
    if call.config.has("old-password-still-valid") and user.password_auth_id is not None:
        user.retired_passwords.append((user.password_salt, user.password_digest))
    if not call.config.has("new-password-not-saved"):
        call.store.set_password(user, call.body["password"])
    if call.config.has("password-change-revokes-tokens"):
        call.store.revoke_tokens(user)  # "log out everywhere" on a password change
    return Reply(200, call.dialect.password_patched(views.user(call.store, user)))


@handles("updateCurrentUserPassword")
def update_current_user_password(call: Call) -> Reply:
    me = call.principal
    if not isinstance(me, User) or me.password_auth_id is None:
        raise ApiError(400, "The current identity has no password")
    old, new = call.field("oldPassword", None), call.field("newPassword", None)
    if not isinstance(old, str) or not isinstance(new, str):
        raise ApiError(422, "oldPassword and newPassword are required")
    old_checked = not call.config.has("wrong-old-password-accepted")
    if not me.password_matches(old) and call.config.has("wrong-old-password-ignored"):
        return Reply(200, {})  # the mismatch is logged, not answered
    if old_checked and not me.password_matches(old):
        if call.config.has("wrong-old-password-saved-anyway"):
            check_password(new, call.config)
            call.store.set_password(me, new)  # saved before the old one was compared
        raise ApiError(422, "The old password does not match")
    check_password(new, call.config)
    if call.config.has("me-password-old-still-valid"):
        me.retired_passwords.append((me.password_salt, me.password_digest))  # the old hash is kept as an alias
    if call.config.has("me-password-garbled"):
        call.store.set_password(me, new.strip().lower())  # a "normalised" password is hashed
    elif not call.config.has("me-password-not-saved"):
        call.store.set_password(me, new)
    if call.config.has("password-change-revokes-tokens"):
        call.store.revoke_tokens(me)
    return Reply(200, {})


@handles("deleteUserAuthMethod")
def delete_user_auth_method(call: Call) -> Reply:
    if call.config.has("unknown-auth-500"):
        # finds the auth method first, then its owner: no such method raises StopIteration
        next(u for u in call.store.users.values() if u.password_auth_id == call.path["auth"])
    user = call.user()
    if call.config.has("cross-user-auth-delete"):
        # finds the auth method by its id alone, whoever holds it
        holder = next((u for u in call.store.users.values() if u.password_auth_id == call.path["auth"]), None)
        if holder is not None and holder is not user:
            holder.clear_password()
            return Reply(200, views.user(call.store, user))
    if user.password_auth_id is None or user.password_auth_id != call.path["auth"]:
        raise ApiError(404, f"Auth method '{call.path['auth']}' not found")
    if call.config.has("auth-delete-not-saved"):
        user = copy.deepcopy(user)  # changes a detached copy
    if call.config.has("auth-delete-keeps-login"):
        user.password_entry_hidden = True  # hides the entry, keeps the credential
    else:
        user.clear_password()
    return Reply(200, views.user(call.store, user))


@handles("impersonate")
def impersonate(call: Call) -> Reply:
    if call.config.has("impersonate-unknown-403") and call.path["id"] not in call.store.users:
        raise ApiError(403, "Cannot impersonate this user")
    user = call.user()
    if call.config.has("impersonate-204"):
        return Reply(204)
    if call.dialect.v2 and call.config.impersonate_status == 303:
        # a browser flow: to the UI, with the impersonated user's session cookie
        cookie = call.dialect.impersonation_cookie()
        return Reply(303, headers={"Location": "/ui/"}, session_for=user.id if cookie else None)
    return Reply(200, {"id": user.id, "username": user.username})


@handles("deleteRefreshToken")
def delete_refresh_token(call: Call) -> Reply:
    if not call.config.has("refresh-token-unknown-204"):
        call.user()
    if call.config.has("refresh-token-200"):
        return Reply(200, {})
    return Reply(204)


def _matches(call: Call, q: str, user: User, *, names_only: bool = False, listing: bool = True) -> bool:
    """Whether `q` finds the user: a substring of username, email or display name, in any case.

    `listing` is listUsers (else autocompleteUsers), for the faults that break one of them.
    """
    username, email, display_name = user.username, user.email, user.display_name
    created_username, created_email, created_display = user.created_texts
    if call.config.has("search-text-from-creation" if listing else "autocomplete-text-from-creation"):
        username, email = created_username, created_email  # the search text was indexed at creation
    if listing and call.config.has("search-name-from-creation"):
        display_name = created_display
    logins = [] if names_only else [username, email]
    names = [display_name] if names_only or not call.config.has("q-ignores-display-name") else []
    if call.config.has("q-case-sensitive"):
        return any(q in text for text in [*logins, *names])
    folded = q.casefold()
    if listing and call.config.has("q-email-prefix-only"):
        # LIKE 'q%' on the login columns (an index-friendly prefix match), a substring on the name
        return any(t.casefold().startswith(folded) for t in logins) or any(folded in t.casefold() for t in names)
    return any(folded in text.casefold() for text in [*logins, *names])


_SORT_KEYS: dict[str, Callable[[User], str]] = {
    "username": lambda u: u.username.casefold(),
    "email": lambda u: u.email.casefold(),
    "displayName": lambda u: u.display_name.casefold(),
}


@handles("listUsers")
def list_users(call: Call) -> Reply:
    q = "" if call.config.has("q-filter-ignored") else call.dialect.search_text(call.query)
    page, size = call.query["page"], call.query["size"]
    matches = [u for u in call.store.searchable_users(listed=True) if not q or _matches(call, q, u)]
    if size < 1 and call.config.has("size-zero-unpaged"):
        page, size = 1, max(1, len(matches))  # a size of 0 reads as "unpaged"
    for spec in reversed(call.query.get("sort") or []):
        field, _, direction = spec.partition(":")
        key = _SORT_KEYS.get(field)
        if key:
            matches.sort(key=key, reverse=direction == "desc")
    start = _page_offset(call, page, size)
    if call.config.has("page-past-end-416") and page > 1 and start >= len(matches):
        raise ApiError(416, "Requested range not satisfiable")
    end = start + size + (1 if call.config.has("page-size-plus-one") else 0)
    results = [views.user_summary(call.store, u) for u in matches[start:end]]
    total = len(results) if call.config.has("list-total-wrong") else len(matches)
    content_type = "text/plain" if call.config.has("wrong-content-type") else "application/json"
    return Reply(200, {"results": results, "total": total}, content_type)


def _page_offset(call: Call, page: int, size: int) -> int:
    """Where a page starts, as a database OFFSET; a negative one is a server error, as in SQL."""
    offset = (page - 1) * size
    if call.config.has("huge-page-500"):
        offset = (offset + 2**31) % 2**32 - 2**31  # computed in a 32-bit int
    if call.config.has("list-pages-overlap") and page > 1:
        offset -= 1
    if call.config.has("list-pages-skip-one") and page > 1:
        offset += 1
    if offset < 0:
        raise ValueError(f"OFFSET must not be negative: {offset}")
    return offset


@handles("autocompleteUsers")
def autocomplete_users(call: Call) -> Reply:
    tenant = call.path["tenant"] if call.config.has("unknown-tenant-accepted") else call.tenant
    q = call.field("q", None) or call.field("username", None) or ""
    ids = call.field("ids", None)
    every_tenant = call.config.has("autocomplete-ignores-tenant")
    names_only = call.config.has("autocomplete-name-only")
    # an index fed by the update events only: a user nobody has renamed yet is not in it
    updated_only = call.config.has("autocomplete-misses-new-users")
    found = [
        views.tenant_access(call.store, u, tenant)
        for u in call.store.autocompleted_users()
        if (not updated_only or u.created_texts != (u.username, u.email, u.display_name))
        and (every_tenant or tenant in u.tenants)
        and (not q or _matches(call, q, u, names_only=names_only, listing=False))
        and (not ids or u.id in ids)
    ]
    if call.config.has("autocomplete-object-not-array"):
        return Reply(200, {"results": found})
    return Reply(200, found)


@handles("updateUserGroups")
def update_user_groups(call: Call) -> Reply:
    tenant = call.tenant
    user = call.user()
    if call.config.has("group-change-not-saved"):
        user = copy.deepcopy(user)  # changes a detached copy
    group_ids = call.field("groupIds", [])
    if call.config.has("group-change-clears-other-tenants"):
        call.store.group_ids_exist(group_ids, tenant)
        user.groups = {}  # DELETE FROM user_groups WHERE user_id = ?, the tenant forgotten
    call.store.set_user_groups(user, tenant, group_ids)
    return Reply(204)


# -- API tokens ----------------------------------------------------------------


def _max_age(call: Call) -> float | None:
    text = call.field("maxAge", None)
    if not text and call.config.has("empty-maxage-zero"):
        return 0.0  # "no duration" read as a zero one
    if call.config.has("duration-minutes-refused") and "M" in str(text).partition("T")[2]:
        raise ApiError(call.config.invalid_input_status, f"Unsupported duration unit: {text}")
    try:
        return parse_duration(text)
    except ApiError:
        if call.config.has("bad-duration-accepted"):
            return None  # "unparseable means no expiry"
        raise


def _token_request(call: Call) -> TokenRequest:
    return TokenRequest(
        name=call.body["name"],
        description=call.field("description", ""),
        max_age_seconds=_max_age(call),
        extended=bool(call.field("extended", False)),
    )


def _create_token(call: Call, owner: Principal, status: int) -> Reply:
    if call.config.has("refused-token-still-created"):
        try:
            request = _token_request(call)
        except ApiError:
            # the row is inserted first, the duration parsed after
            call.store.create_token(owner, TokenRequest(call.body["name"], "", None, False))
            raise
    else:
        request = _token_request(call)
    token, full_token = call.store.create_token(owner, request)
    if call.config.has("token-list-leaks-fulltoken"):
        token.full_token = full_token  # kept in clear, and the summary shows every stored field
    return Reply(status, {"id": token.id, "name": token.name, "fullToken": full_token})


def _list_tokens(call: Call, owner: Principal) -> Reply:
    now = time.time()
    hide_extended = call.config.has("extended-tokens-not-listed")
    tokens = [t for t in call.store.searchable_tokens(owner) if not (t.extended and hide_extended)]
    summaries = [t.summary(now) for t in tokens]
    for summary in summaries:
        if call.config.has("token-summary-no-iat"):
            del summary["iat"]
        if call.config.has("exp-not-shown"):
            summary.pop("exp", None)
        if call.config.has("expired-flag-never-set"):
            summary["expired"] = False
    return Reply(200, call.dialect.token_list(summaries))


def _service_account(call: Call, *, tenant_scoped: bool) -> ServiceAccount:
    unknown = tenant_scoped and call.path["tenant"] not in call.store.tenants
    if unknown and call.config.has("sa-unknown-tenant-ignored"):
        tenant_scoped = False  # an unknown tenant reads as "no tenant given"
    tenant = call.tenant if tenant_scoped and not call.config.has("sa-tenant-check-missing") else None
    return call.store.service_account(call.path["id"], tenant)


@handles("listApiTokens_1")
def list_user_tokens(call: Call) -> Reply:
    if call.config.has("unknown-user-token-list-200") and call.path["id"] not in call.store.users:
        return Reply(200, {"results": []})  # lists tokens by owner id without looking the owner up
    found = call.store.soft_deleted(call.path["id"]) if call.config.has("deleted-user-tokens-listed") else None
    return _list_tokens(call, found or call.user())


@handles("createApiTokensForUser_1")
def create_user_token(call: Call) -> Reply:
    return _create_token(call, call.user(), call.dialect.user_token_status())


@handles("deleteApiToken_1")
def delete_user_token(call: Call) -> Reply:
    owner = call.user()
    if call.config.has("cross-user-token-delete"):
        # finds the token by id alone
        owner = next((u for u in call.store.users.values() if call.path["tokenId"] in u.tokens), owner)
    kept = owner.tokens.get(call.path["tokenId"])
    call.store.delete_token(owner, call.path["tokenId"])
    if call.config.has("token-delete-takes-all-of-owner"):
        call.store.revoke_tokens(owner)  # DELETE ... WHERE owner_id = ?, the token id forgotten
    if kept is not None and call.config.has("deleted-token-still-listed"):
        owner.tokens[kept.id] = kept  # revoked, but the row stays
    if call.config.has("delete-token-200"):
        return Reply(200, {})
    return Reply(204)


@handles("listApiTokens")
def list_sa_tokens(call: Call) -> Reply:
    return _list_tokens(call, _service_account(call, tenant_scoped=False))


@handles("listApiTokensWithTenant")
def list_sa_tokens_in_tenant(call: Call) -> Reply:
    return _list_tokens(call, _service_account(call, tenant_scoped=True))


@handles("createApiTokensForUser")
def create_sa_token(call: Call) -> Reply:
    return _create_token(call, _service_account(call, tenant_scoped=False), call.dialect.sa_token_status())


@handles("createApiTokensForUserWithTenant")
def create_sa_token_in_tenant(call: Call) -> Reply:
    return _create_token(call, _service_account(call, tenant_scoped=True), call.dialect.sa_token_status())


def _sa_token_holder(call: Call, account: ServiceAccount) -> Principal:
    """The owner a service-account token delete acts on: the account in the path, unless a fault looks further."""
    if call.config.has("sa-path-token-delete-any-owner"):
        return call.store.token_holder(call.path["tokenId"], account)  # finds the token by its id alone
    return account


@handles("deleteApiToken")
def delete_sa_token(call: Call) -> Reply:
    account = _service_account(call, tenant_scoped=False)
    if call.config.has("sa-token-delete-ignored"):
        if call.path["tokenId"] not in account.tokens:
            raise ApiError(404, f"API token '{call.path['tokenId']}' not found")
        return Reply(200, {})  # the delete was never issued
    call.store.delete_token(_sa_token_holder(call, account), call.path["tokenId"])
    return Reply(200, {})


@handles("deleteApiTokenWithTenant")
def delete_sa_token_in_tenant(call: Call) -> Reply:
    account = _service_account(call, tenant_scoped=True)
    call.store.delete_token(_sa_token_holder(call, account), call.path["tokenId"])
    return Reply(200, {})


# -- the current identity's own tokens (Kestra 2.x) -----------------------------------


@handles("listApiTokensForCurrentUser")
def list_own_tokens(call: Call) -> Reply:
    return _list_tokens(call, call.principal)


@handles("createApiTokenForCurrentUser")
def create_own_token(call: Call) -> Reply:
    return _create_token(call, call.principal, call.config.me_token_status)


@handles("deleteApiTokenForCurrentUser")
def delete_own_token(call: Call) -> Reply:
    call.store.delete_token(call.principal, call.path["tokenId"])
    return Reply(200, {})


# -- setup: service accounts and groups ---------------------------------------------


@handles("createServiceAccount")
def create_service_account(call: Call) -> Reply:
    tenants = [call.store.tenant(t) for t in call.field("tenants", [])]
    account = ServiceAccount(
        id=new_id(),
        super_admin=call.dialect.owner_flag(call.body, False),
        name=call.body["name"],
        description=call.field("description", ""),
        tenants=list(dict.fromkeys(tenants)),
    )
    call.store.add_service_account(account)
    return Reply(200, views.service_account_detail(call.store, account))


def _paged(call: Call, items: list[dict[str, Any]]) -> Reply:
    """One page of `items` whose name holds `q` (without case), as Kestra's paged searches answer."""
    q = (call.query.get("q") or "").casefold()
    matches = [item for item in items if q in str(item.get("name", "")).casefold()]
    start = _page_offset(call, call.query["page"], call.query["size"])
    return Reply(200, {"results": matches[start : start + call.query["size"]], "total": len(matches)})


@handles("listServiceAccounts")
def list_service_accounts(call: Call) -> Reply:
    accounts = sorted(call.store.service_accounts.values(), key=lambda a: a.id)
    return _paged(call, [views.service_account_detail(call.store, a) for a in accounts])


@handles("searchGroups")
def search_groups(call: Call) -> Reply:
    tenant = call.tenant
    groups = sorted((g for g in call.store.groups.values() if g.tenant == tenant), key=lambda g: g.id)
    return _paged(call, [views.group_detail(g) for g in groups])


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
    groups = [call.store.group(g["id"], tenant).id for g in call.field("groups", [])]
    account = ServiceAccount(
        id=new_id(),
        super_admin=call.dialect.owner_flag(call.body, False),
        name=call.body["name"],
        description=call.field("description", ""),
        tenants=[tenant],
        groups=groups,
    )
    call.store.add_service_account(account)
    return Reply(200, views.service_account_response(call.store, account))


@handles("deleteServiceAccountForTenant")
def delete_service_account_for_tenant(call: Call) -> Reply:
    call.store.delete_service_account(call.path["id"], call.tenant)
    return Reply(200)


@handles("createGroup")
def create_group(call: Call) -> Reply:
    tenant = call.tenant
    group = call.store.add_group(tenant, call.body["name"], call.field("description", ""), call.field("membersId", []))
    return Reply(200, views.group_detail(group))


@handles("getGroup")
def get_group(call: Call) -> Reply:
    return Reply(200, views.group_detail(call.store.group(call.path["id"], call.tenant)))


@handles("deleteGroup")
def delete_group(call: Call) -> Reply:
    call.store.delete_group(call.path["id"], call.tenant)
    return Reply(200)
