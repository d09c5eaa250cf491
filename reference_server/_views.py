"""Wire (camelCase) shapes of the stored objects, as users-api.yaml documents them."""

from __future__ import annotations

from typing import Any

from reference_server._dialect import Dialect
from reference_server._model import Group, ServiceAccount, User
from reference_server._store import Store

__all__ = [
    "group_detail",
    "service_account_detail",
    "service_account_response",
    "tenant_access",
    "user",
    "user_summary",
]


def _tenants(store: Store, tenant_ids: list[str]) -> list[dict[str, str]]:
    return [{"id": t, "name": store.tenants.get(t, t)} for t in tenant_ids]


def user(store: Store, u: User) -> dict[str, Any]:
    groups = [{"id": gid, "tenantId": tenant} for gid, tenant in u.groups.items()]
    view = {
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "email": u.email,
        "tenants": _tenants(store, u.tenants),
        "auths": [] if store.config.has("password-auth-not-listed") else u.auths(),
        "groups": groups if groups or not store.config.has("null-groups-list") else None,
        **Dialect(store.config).owner_fields(u.super_admin),
        "restricted": u.restricted,
    }
    if store.config.has("user-missing-displayname"):
        del view["displayName"]
    return view


def user_summary(store: Store, u: User) -> dict[str, Any]:
    return {**_summary(store, u), **(u.indexed or {})}


def _summary(store: Store, u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "tenants": None if u.super_admin and store.config.has("null-tenants-list") else _tenants(store, u.tenants),
        "auths": u.auths(),
        **Dialect(store.config).owner_fields(
            str(u.super_admin).lower() if store.config.has("summary-superadmin-string") else u.super_admin  # type: ignore[arg-type]
        ),
    }


def tenant_access(store: Store, u: User, tenant: str) -> dict[str, Any]:
    groups = [store.groups[g] for g, t in u.groups.items() if t == tenant and g in store.groups]
    return {
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "description": "",
        "groups": [{"id": g.id, "name": g.name, "external": False} for g in groups],
        "auths": [{"name": a["name"], "type": a["type"]} for a in u.auths()],
    }


def service_account_detail(store: Store, sa: ServiceAccount) -> dict[str, Any]:
    return {
        "id": sa.id,
        "name": sa.name,
        "description": sa.description,
        "tenants": _tenants(store, sa.tenants),
        **Dialect(store.config).owner_fields(sa.super_admin),
    }


def service_account_response(store: Store, sa: ServiceAccount) -> dict[str, Any]:
    return {
        "id": sa.id,
        "name": sa.name,
        "description": sa.description,
        "groups": [{"id": g} for g in sa.groups],
        **Dialect(store.config).owner_fields(sa.super_admin),
    }


def group_detail(g: Group) -> dict[str, Any]:
    return {"id": g.id, "name": g.name, "description": g.description}
