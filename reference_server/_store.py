"""In-memory state: users, service accounts, tokens, groups, tenants.

Every request runs under the store's lock, so state stays consistent under
concurrent requests without finer-grained locking.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_server._config import ServerConfig
from reference_server._errors import ApiError
from reference_server._model import Group, Principal, ServiceAccount, Token, User, new_id
from reference_server._search_index import SearchIndex

__all__ = ["Store", "TokenRequest"]


@dataclass(frozen=True)
class TokenRequest:
    name: str
    description: str
    max_age_seconds: float | None
    extended: bool


#: Faults under which a deleted user stays in the table with a flag that some query forgets.
_SOFT_DELETE_FAULTS = frozenset(
    {"deleted-user-still-listed", "patch-deleted-user", "deleted-user-autocompleted", "deleted-user-tokens-listed"}
)


def _token_digest(full_token: str) -> bytes:
    return hashlib.sha256(full_token.encode()).digest()


class Store:
    def __init__(self, config: ServerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        """`clock` (monotonic seconds) times the search index's refreshes; tests give a fake one."""
        self.config = config
        self.lock = threading.RLock()
        self.tenants: dict[str, str] = {t: t.capitalize() for t in config.tenants}
        self.users: dict[str, User] = {}
        #: Users deleted while a soft-delete fault is on (a soft-delete flag).
        self._soft_deleted: dict[str, User] = {}
        #: Owners deleted while `deleted-owner-tokens-valid` is on, whose tokens still resolve.
        self._departed: dict[str, Principal] = {}
        self.service_accounts: dict[str, ServiceAccount] = {}
        self.groups: dict[str, Group] = {}
        self._tokens_by_digest: dict[bytes, tuple[str, str]] = {}
        #: getUser answers by id; only the `get-user-cached` fault fills it.
        self.read_cache: dict[str, dict[str, Any]] = {}
        #: What searches see; only consulted when it lags (`search_lag`).
        self.search = SearchIndex(config.search_lag, clock)
        #: Every token ever issued, deleted ones too (the project's tests read it: how long tokens lived).
        self.token_history: dict[str, dict[str, Any]] = {}
        #: Every password set and every fullToken issued, in clear: the project's tests look for them in reports.
        self.issued_secrets: dict[str, set[str]] = {"passwords": set(), "fullTokens": set()}

    # -- lookups -------------------------------------------------------------

    def user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(404, f"User '{user_id}' not found")
        return user

    def service_account(self, sa_id: str, tenant: str | None = None) -> ServiceAccount:
        account = self.service_accounts.get(sa_id)
        if account is None or (tenant is not None and tenant not in account.tenants):
            raise ApiError(404, f"Service account '{sa_id}' not found")
        return account

    def tenant(self, tenant: str) -> str:
        if tenant not in self.tenants:
            raise ApiError(404, f"Tenant '{tenant}' not found")
        return tenant

    def group(self, group_id: str, tenant: str | None = None) -> Group:
        group = self.groups.get(group_id)
        if group is None or (tenant is not None and group.tenant != tenant):
            raise ApiError(404, f"Group '{group_id}' not found")
        return group

    def user_by_email(self, email: str) -> User | None:
        folded = email.casefold()
        return next((u for u in self.users.values() if u.email.casefold() == folded), None)

    def principal_by_token(self, full_token: str) -> Principal | None:
        found = self._tokens_by_digest.get(_token_digest(full_token))
        if found is None:
            return None
        owner_id, token_id = found
        accounts = {} if self.config.has("sa-token-not-accepted") else self.service_accounts
        owner: Principal | None = self.users.get(owner_id) or accounts.get(owner_id) or self._departed.get(owner_id)
        if owner is None or token_id not in owner.tokens:
            return None
        token = owner.tokens[token_id]
        now = time.time()
        if token.expired(now) and not self.config.has("max-age-ignored"):
            return None
        if not self.config.has("extended-ignored"):
            token.last_used = now
        return owner

    def user_by_username(self, username: str) -> User | None:
        """Who logs in as `username`: its email (its creation email under `email-change-keeps-login`)."""
        found = next((u for u in self.users.values() if (u.login_name or u.username) == username), None)
        if found is None and self.config.has("old-email-still-logs-in"):
            found = next((u for u in self.users.values() if username in u.former_logins), None)
        return found

    def principal_by_password(self, username: str, password: str) -> User | None:
        user = self.user_by_username(username)
        if user is not None and user.password_matches(password):
            return user
        if user is not None and not password and user.password_auth_id is None:
            return user if self.config.has("empty-password-logs-in") else None
        return None

    # -- users ---------------------------------------------------------------

    def soft_deleted(self, user_id: str) -> User | None:
        """A deleted user that a soft-delete fault still finds."""
        return self._soft_deleted.get(user_id)

    def autocompleted_users(self) -> list[User]:
        """The users autocompleteUsers searches."""
        users = self.searchable_users(listed=False)
        if self.config.has("deleted-user-autocompleted"):
            users += self._soft_deleted.values()  # the search forgot `WHERE NOT deleted`
        return users

    def listed_users(self) -> list[User]:
        """The users listUsers shows."""
        users = list(self.users.values())
        if self.config.has("deleted-user-still-listed"):
            users += self._soft_deleted.values()  # the list query forgot `WHERE NOT deleted`
        return users

    def searchable_users(self, *, listed: bool) -> list[User]:
        """The users a search sees: as listUsers shows them (`listed`) or as they exist; late if the index lags."""
        if not self.search.enabled:
            return self.listed_users() if listed else list(self.users.values())
        self._refresh_search()
        return self.search.users(listed=listed)

    def searchable_tokens(self, owner: Principal) -> list[Token]:
        """The owner's tokens as a token list shows them; late if the index lags."""
        if not self.search.enabled:
            return list(owner.tokens.values())
        self._refresh_search()
        return self.search.tokens(owner.id)

    def _refresh_search(self) -> None:
        if self.search.stale():
            owners: list[Principal] = [*self.users.values(), *self.service_accounts.values()]
            self.search.refresh(self.listed_users(), self.users, owners)

    def ensure_email_free(self, email: str, for_user: str | None = None) -> None:
        holder = self.user_by_email(email)
        if holder is not None and holder.id != for_user:
            raise ApiError(409, f"A user with email '{email}' already exists")

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        user.created_texts = (user.username, user.email, user.display_name)
        if self.config.has("list-shows-creation-state"):
            user.indexed = {"username": user.username, "displayName": user.display_name, "superAdmin": user.super_admin}
        return user

    def delete_user(self, user_id: str) -> None:
        user = self.user(user_id)
        self._forget_tokens(user)
        del self.users[user_id]
        if self.config.faults & _SOFT_DELETE_FAULTS:
            self._soft_deleted[user_id] = user

    def set_password(self, user: User, password: str) -> None:
        """Set a user's password, and remember it among the secrets issued."""
        self.issued_secrets["passwords"].add(password)
        user.set_password(password)

    def group_ids_exist(self, group_ids: list[str], tenant: str) -> None:
        """404 unless every id is a group of `tenant`."""
        for gid in group_ids:
            self.group(gid, tenant)

    def set_user_groups(self, user: User, tenant: str, group_ids: list[str]) -> None:
        groups = [self.group(gid, tenant) for gid in group_ids]
        user.groups = {gid: t for gid, t in user.groups.items() if t != tenant}
        user.groups.update({g.id: g.tenant for g in groups})
        if tenant not in user.tenants:
            user.tenants.append(tenant)

    # -- service accounts ----------------------------------------------------

    def add_service_account(self, account: ServiceAccount) -> ServiceAccount:
        self.service_accounts[account.id] = account
        return account

    def delete_service_account(self, sa_id: str, tenant: str | None = None) -> None:
        account = self.service_account(sa_id, tenant)
        self._forget_tokens(account)
        del self.service_accounts[sa_id]

    # -- groups --------------------------------------------------------------

    def add_group(self, tenant: str, name: str, description: str, member_ids: list[str]) -> Group:
        if any(g.tenant == tenant and g.name == name for g in self.groups.values()):
            raise ApiError(409, f"A group named '{name}' already exists")
        members = [self.user(uid) for uid in member_ids]
        group = Group(new_id(), tenant, name, description)
        self.groups[group.id] = group
        for member in members:
            member.groups[group.id] = tenant
        return group

    def delete_group(self, group_id: str, tenant: str) -> None:
        self.group(group_id, tenant)
        del self.groups[group_id]
        for user in self.users.values():
            user.groups.pop(group_id, None)
        for account in self.service_accounts.values():
            if group_id in account.groups:
                account.groups.remove(group_id)

    # -- tokens --------------------------------------------------------------

    def create_token(self, owner: Principal, request: TokenRequest, full_token: str | None = None) -> tuple[Token, str]:
        """A new token; `full_token` fixes its secret (pre-existing data), else a random one."""
        full_token = full_token or "kt_" + secrets.token_urlsafe(30)
        now = time.time()
        token = Token(
            id=new_id(),
            owner_id=owner.id,
            name=request.name,
            description=request.description,
            prefix=full_token[:8],
            digest=_token_digest(full_token),
            iat=now,
            max_age_seconds=request.max_age_seconds,
            extended=request.extended,
            last_used=now,
        )
        owner.tokens[token.id] = token
        self._tokens_by_digest[token.digest] = (owner.id, token.id)
        self.issued_secrets["fullTokens"].add(full_token)
        self.token_history[token.id] = {
            "id": token.id,
            "ownerId": owner.id,
            "owner": getattr(owner, "email", "") or getattr(owner, "name", ""),
            "name": token.name,
            "issuedAt": now,
            "maxAgeSeconds": token.max_age_seconds,
            "extended": token.extended,
            "deletedAt": None,
        }
        return token, full_token

    def revoke_tokens(self, owner: Principal) -> None:
        """Every token of `owner` stops working and leaves its list (only faults call this on a live owner)."""
        for token in owner.tokens.values():
            self._tokens_by_digest.pop(token.digest, None)
            self._ended(token)
        owner.tokens.clear()

    def token_holder(self, token_id: str, default: Principal) -> Principal:
        """Whoever holds token `token_id` (a lookup by token id alone, as the cross-owner faults do)."""
        holders: list[Principal] = [*self.users.values(), *self.service_accounts.values()]
        return next((p for p in holders if token_id in p.tokens), default)

    def delete_token(self, owner: Principal, token_id: str) -> None:
        token = owner.tokens.pop(token_id, None)
        if token is None:
            raise ApiError(404, f"API token '{token_id}' not found")
        self._tokens_by_digest.pop(token.digest, None)
        self._ended(token)

    def _forget_tokens(self, owner: Principal) -> None:
        fault = "deleted-sa-tokens-valid" if owner.is_service_account else "deleted-owner-tokens-valid"
        if self.config.has(fault):
            self._departed[owner.id] = owner  # the tokens table has no foreign key to its owner
            return
        self.revoke_tokens(owner)

    def _ended(self, token: Token) -> None:
        record = self.token_history.get(token.id)
        if record is not None and record["deletedAt"] is None:
            record["deletedAt"] = time.time()
