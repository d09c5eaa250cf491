"""Objects that exist before a run: users, groups, service accounts and their tokens.

`python -m reference_server --seed-file seed.json` loads them at start-up, so the
project's tests can prove that a run leaves what it did not create exactly as it was.
Token secrets come from the file, so a test can use (and check) the tokens it seeded.

    {"users": [{"email": "ops@example.com", "password": "Ops12345", "superAdmin": true,
                "tenants": ["main"], "tokens": [{"name": "ci", "secret": "kt_..."}]}],
     "groups": [{"name": "ops", "tenant": "main", "members": ["ops@example.com"]}],
     "serviceAccounts": [{"name": "robot", "superAdmin": false, "tokens": [...]}]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reference_server._errors import ApiError
from reference_server._model import Principal, ServiceAccount, User, new_id
from reference_server._rules import parse_duration
from reference_server._store import Store, TokenRequest

__all__ = ["load_seed_file", "seed"]


def load_seed_file(store: Store, path: str | Path) -> None:
    """Seed `store` from a JSON file; ValueError says what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read seed file {path}: {error}") from None
    seed(store, data)


def seed(store: Store, data: dict[str, Any]) -> None:
    """Add the seed's objects to `store`, or raise ValueError for a seed it cannot hold."""
    try:
        _seed(store, data)
    except ApiError as error:
        raise ValueError(f"bad seed: {error.message}") from None


def _seed(store: Store, data: dict[str, Any]) -> None:
    if not isinstance(data, dict) or set(data) - {"users", "groups", "serviceAccounts"}:
        raise ValueError("a seed holds only 'users', 'groups' and 'serviceAccounts'")
    tenants = list(store.tenants)
    for spec in data.get("users", []):
        _seed_user(store, spec, tenants)
    for spec in data.get("serviceAccounts", []):
        account = ServiceAccount(
            id=new_id(),
            super_admin=bool(spec.get("superAdmin", False)),
            name=_required(spec, "name"),
            description=spec.get("description", ""),
            tenants=list(spec.get("tenants", tenants)),
        )
        store.add_service_account(account)
        _seed_tokens(store, account, spec.get("tokens", []))
    for spec in data.get("groups", []):
        tenant = spec.get("tenant", tenants[0])
        members = [_user_id(store, email) for email in spec.get("members", [])]
        store.add_group(tenant, _required(spec, "name"), spec.get("description", ""), members)


def _seed_user(store: Store, spec: dict[str, Any], tenants: list[str]) -> None:
    email = _required(spec, "email")
    store.ensure_email_free(email)
    user = User(
        id=new_id(),
        super_admin=bool(spec.get("superAdmin", False)),
        email=email,
        first_name=spec.get("firstName", ""),
        last_name=spec.get("lastName", ""),
        restricted=bool(spec.get("restricted", False)),
        tenants=list(spec.get("tenants", tenants)),
    )
    if spec.get("password"):
        store.set_password(user, spec["password"])
    store.add_user(user)
    _seed_tokens(store, user, spec.get("tokens", []))


def _seed_tokens(store: Store, owner: Principal, specs: list[dict[str, Any]]) -> None:
    for spec in specs:
        request = TokenRequest(
            name=_required(spec, "name"),
            description=spec.get("description", ""),
            max_age_seconds=parse_duration(spec.get("maxAge")),
            extended=bool(spec.get("extended", False)),
        )
        store.create_token(owner, request, full_token=spec.get("secret"))


def _user_id(store: Store, email: str) -> str:
    user = store.user_by_email(email)
    if user is None:
        raise ValueError(f"seed group member {email!r} is not a seeded user")
    return user.id


def _required(spec: dict[str, Any], key: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"seed entry {spec!r} needs a non-empty {key!r}")
    return value
