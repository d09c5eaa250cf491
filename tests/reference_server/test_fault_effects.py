"""Each fault of the catalogue shows on the wire, and the clean server does not show it.

A probe drives the in-process reference app through the HTTP API and answers whether
the fault's misbehaviour appeared. This proves the faults themselves, independently of
whether the suite catches them (tests/test_faults.py checks that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from reference_server import FAULTS, ReferenceApp, ServerConfig
from tests.reference_server._version_2 import PASSWORD as PASSWORD_2X
from tests.reference_server._version_2 import V2
from tests.reference_server.conftest import ADMIN, basic, bearer
from tests.reference_server.conftest import Api as AppClient

PASSWORD = "Passw0rd-one"

#: (username, password) for basic, a string for bearer, None for no credentials.
Auth = tuple[str, str] | str | None


class Api(AppClient):
    """The app with some faults on, and the few steps the probes need."""

    def __init__(self, faults: frozenset[str]) -> None:
        super().__init__(ReferenceApp(ServerConfig(faults=faults)))
        self.count = 0

    def call(
        self, method: str, path: str, body: Any = None, *, auth: Auth = ADMIN, raw: bytes | None = None, **query: Any
    ) -> TestResponse:
        headers = basic(*auth) if isinstance(auth, tuple) else bearer(auth) if auth else {}
        if raw is not None:
            return self(method, path, data=raw, content_type="application/json", auth=headers, query_string=query)
        return self(method, path, json=body, auth=headers, query_string=query)

    def email(self) -> str:
        self.count += 1
        return f"probe-{self.count}@kestra-contract.test"

    def user(self, *, super_admin: bool = False) -> tuple[str, str]:
        email = self.email()
        return self.create_user(email, PASSWORD, superAdmin=super_admin), email

    def get_user(self, user_id: str) -> Any:
        return self.call("GET", f"/api/v1/users/{user_id}").get_json(force=True)

    def token(self, owner_path: str) -> dict[str, Any]:
        self.count += 1
        response = self.call("POST", f"{owner_path}/api-tokens", _token_body(name=f"probe-{self.count}"))
        assert response.status_code == 200, response.get_data(as_text=True)
        return dict(response.get_json())

    def service_account(self, tenants: list[str]) -> str:
        self.count += 1
        body = {"name": f"sa-{self.count}", "description": "", "superAdmin": False, "tenants": tenants}
        return str(self.call("POST", "/api/v1/service-accounts", body).get_json()["id"])

    def listing(self, **query: Any) -> Any:
        return self.call("GET", "/api/v1/users", **query).get_json(force=True)


def _created_then_read(api: Api, change: Callable[[str], TestResponse], read: Callable[[Any], Any]) -> Any:
    user_id, _ = api.user()
    assert change(user_id).status_code in (200, 204)
    return read(api.get_user(user_id))


def _logs_in(api: Api, auth: tuple[str, str] | str) -> bool:
    """Authenticated (as anyone) rather than refused with 401."""
    return api.call("GET", "/api/v1/users", auth=auth, page=1, size=1).status_code != 401


def _old_password_still_valid(api: Api) -> bool:
    user_id, email = api.user()
    api.call("PATCH", f"/api/v1/users/{user_id}/password", {"password": "Another-pass9"})
    return _logs_in(api, (email, PASSWORD))


def _token_outlives_its_delete(api: Api, owner_path: str) -> bool:
    """A token of the owner at `owner_path`, used, then deleted: whether it still logs in."""
    token = api.token(owner_path)
    assert _logs_in(api, token["fullToken"])
    api.call("DELETE", f"{owner_path}/api-tokens/{token['id']}")
    return _logs_in(api, token["fullToken"])


def _user_path(api: Api) -> str:
    return f"/api/v1/users/{api.user()[0]}"


def _sa_path(api: Api) -> str:
    return f"/api/v1/service-accounts/{api.service_account(['main'])}"


def _deleted_user_still_logs_in(api: Api) -> bool:
    user_id, email = api.user()
    assert _logs_in(api, (email, PASSWORD))
    api.call("DELETE", f"/api/v1/users/{user_id}")
    return _logs_in(api, (email, PASSWORD))


def _demoted_keeps_power(api: Api) -> bool:
    user_id, email = api.user(super_admin=True)
    assert api.call("GET", "/api/v1/users", auth=(email, PASSWORD), page=1, size=1).status_code == 200
    api.call("PATCH", f"/api/v1/users/{user_id}/superadmin", {"superAdmin": False})
    return api.call("GET", "/api/v1/users", auth=(email, PASSWORD), page=1, size=1).status_code == 200


def _cross_user_token_delete(api: Api) -> bool:
    owner, _ = api.user()
    other, _ = api.user()
    token = api.token(f"/api/v1/users/{owner}")
    return api.call("DELETE", f"/api/v1/users/{other}/api-tokens/{token['id']}").status_code < 300


def _delete_token_status_is_200(api: Api) -> bool:
    user_id, _ = api.user()
    token = api.token(f"/api/v1/users/{user_id}")
    return api.call("DELETE", f"/api/v1/users/{user_id}/api-tokens/{token['id']}").status_code == 200


def _sa_token_delete_ignored(api: Api) -> bool:
    account = api.service_account(["main"])
    token = api.token(f"/api/v1/service-accounts/{account}")
    assert api.call("DELETE", f"/api/v1/service-accounts/{account}/api-tokens/{token['id']}").status_code == 200
    return _logs_in(api, token["fullToken"])


def _group_change_not_saved(api: Api) -> bool:
    group = api.call("POST", "/api/v1/main/groups", {"name": "g", "description": "", "membersId": []}).get_json()
    return not _created_then_read(
        api, lambda uid: api.call("PUT", f"/api/v1/main/users/{uid}/groups", {"groupIds": [group["id"]]}), _groups
    )


def _groups(user: Any) -> Any:
    return user["groups"]


def _list_pages_overlap(api: Api) -> bool:
    api.user()
    first = api.listing(page=1, size=1)["results"]
    second = api.listing(page=2, size=1)["results"]
    return bool({u["id"] for u in first} & {u["id"] for u in second})


def _deleted_user_still_listed(api: Api) -> bool:
    user_id, email = api.user()
    api.call("DELETE", f"/api/v1/users/{user_id}")
    return bool(api.listing(q=email, page=1, size=10)["results"])


def _duplicate_email_accepted(api: Api) -> bool:
    _, email = api.user()
    return api.call("POST", "/api/v1/users", _user_body(email=email)).status_code < 300


def _duplicate_email_refused_too_late(api: Api) -> bool:
    """Refused, yet a second user with the email is there."""
    _, email = api.user()
    refused = api.call("POST", "/api/v1/users", _user_body(email=email)).status_code == 409
    listing = api.call("GET", "/api/v1/users", q=email, page=1, size=10).get_json()
    return refused and listing["total"] == 2


def _token_list_leaks(api: Api) -> bool:
    user_id, _ = api.user()
    api.token(f"/api/v1/users/{user_id}")
    listing = api.call("GET", f"/api/v1/users/{user_id}/api-tokens").get_json()
    return any("fullToken" in t for t in listing["results"])


def _password_in_response(api: Api) -> bool:
    user_id, email = api.user()
    body = _user_body(email=email, password="Secret-pass77")
    return "Secret-pass77" in api.call("PUT", f"/api/v1/users/{user_id}", body).get_data(as_text=True)


def _sa_tenant_check_missing(api: Api) -> bool:
    account = api.service_account([])
    return api.call("GET", f"/api/v1/main/service-accounts/{account}/api-tokens").status_code == 200


def _patch(api: Api, path: str, body: Any) -> Callable[[str], TestResponse]:
    return lambda uid: api.call("PATCH", path.format(uid), body)


def _user_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"tenants": ["main"], "groups": [], "firstName": "New", "lastName": "Name"}
    return body | {"email": "fresh@kestra.test", "password": "", "superAdmin": False, "restricted": False, **fields}


#: fault -> a probe that answers True when the fault's misbehaviour shows.
PROBES: dict[str, Callable[[Api], bool]] = {
    "user-missing-displayname": lambda api: "displayName" not in api.get_user(api.user()[0]),
    "summary-superadmin-string": lambda api: isinstance(api.listing()["results"][0]["superAdmin"], str),
    "null-tenants-list": lambda api: api.listing()["results"][0]["tenants"] is None,
    "null-groups-list": lambda api: api.get_user(api.user()[0])["groups"] is None,
    "autocomplete-object-not-array": lambda api: isinstance(
        api.call("POST", "/api/v1/main/tenant-access/autocomplete", {}).get_json(), dict
    ),
    "create-user-200": lambda api: api.call("POST", "/api/v1/users", _user_body()).status_code == 200,
    "delete-user-200": lambda api: api.call("DELETE", f"/api/v1/users/{api.user()[0]}").status_code == 200,
    "delete-token-200": _delete_token_status_is_200,
    "unknown-user-token-list-200": lambda api: api.call("GET", "/api/v1/users/nope/api-tokens").status_code == 200,
    "wrong-content-type": lambda api: api.call("GET", "/api/v1/users").mimetype == "text/plain",
    "error-body-html": lambda api: api.call("GET", "/api/v1/users/nope").mimetype == "text/html",
    "malformed-json-accepted": lambda api: (
        api.call("POST", "/api/v1/main/tenant-access/autocomplete", raw=b"{not json").status_code == 200
    ),
    "wrong-type-accepted": lambda api: (
        api.call("PATCH", f"/api/v1/users/{api.user()[0]}/restricted", {"restricted": "false"}).status_code == 200
    ),
    "bad-token-name-accepted": lambda api: (
        api.call("POST", f"/api/v1/users/{api.user()[0]}/api-tokens", _token_body(name="Not Valid")).status_code == 200
    ),
    "bad-duration-accepted": lambda api: (
        api.call("POST", f"/api/v1/users/{api.user()[0]}/api-tokens", _token_body(maxAge="1h")).status_code == 200
    ),
    "duplicate-email-accepted": _duplicate_email_accepted,
    "duplicate-email-refused-too-late": _duplicate_email_refused_too_late,
    "page-zero-500": lambda api: api.call("GET", "/api/v1/users", page=0, size=10).status_code == 500,
    "huge-page-500": lambda api: api.call("GET", "/api/v1/users", page=2147483647, size=10).status_code == 500,
    "unicode-name-500": lambda api: api.call("POST", "/api/v1/users", _user_body(firstName="山田")).status_code == 500,
    "unknown-auth-500": lambda api: api.call("DELETE", "/api/v1/users/nope/auths/nope").status_code == 500,
    "patch-user-not-saved": lambda api: (
        _created_then_read(
            api,
            _patch(api, "/api/v1/users/{}", {"firstName": "Bo", "lastName": "X", "email": api.email()}),
            _first_name,
        )
        != "Bo"
    ),
    "update-user-not-saved": lambda api: (
        _created_then_read(
            api, lambda uid: api.call("PUT", f"/api/v1/users/{uid}", _user_body(email=api.email())), _first_name
        )
        != "New"
    ),
    "restricted-flag-not-saved": lambda api: (
        not _created_then_read(
            api, _patch(api, "/api/v1/users/{}/restricted", {"restricted": True}), lambda u: u["restricted"]
        )
    ),
    "group-change-not-saved": _group_change_not_saved,
    "deleted-user-still-listed": _deleted_user_still_listed,
    "sa-token-delete-ignored": _sa_token_delete_ignored,
    "list-total-wrong": lambda api: bool(api.user() and api.user()) and api.listing(page=1, size=1)["total"] == 1,
    "list-pages-overlap": _list_pages_overlap,
    "q-filter-ignored": lambda api: api.listing(q=api.user()[1], page=1, size=10)["total"] > 1,
    "skip-auth-get-user": lambda api: api.call("GET", f"/api/v1/users/{api.user()[0]}", auth=None).status_code == 200,
    "old-password-still-valid": _old_password_still_valid,
    "deleted-token-still-valid": lambda api: _token_outlives_its_delete(api, _user_path(api)),
    "deleted-user-still-logs-in": _deleted_user_still_logs_in,
    "wrong-old-password-accepted": lambda api: (
        api.call(
            "PUT",
            "/api/v1/me/password",
            {"oldPassword": "Wrong-pass1", "newPassword": "Brand-new-pass2"},
            auth=(api.user()[1], PASSWORD),
        ).status_code
        == 200
    ),
    "non-superadmin-allowed": lambda api: (
        api.call("GET", "/api/v1/users", auth=(api.user()[1], PASSWORD), page=1, size=1).status_code == 200
    ),
    "demoted-keeps-power": _demoted_keeps_power,
    "cross-user-token-delete": _cross_user_token_delete,
    "token-list-leaks-fulltoken": _token_list_leaks,
    "password-in-response": _password_in_response,
    "sa-tenant-check-missing": _sa_tenant_check_missing,
    "unknown-tenant-accepted": lambda api: (
        api.call("POST", "/api/v1/nope/tenant-access/autocomplete", {}).status_code == 200
    ),
}


# -- probes of the faults that prove a clause nothing else broke ---------------------------

_AUTOCOMPLETE = "/api/v1/main/tenant-access/autocomplete"


def _as_plain_user(api: Api) -> tuple[str, str]:
    user_id, email = api.user()
    return user_id, email


def _email_changed(api: Api) -> tuple[str, str]:
    """A user whose email was then changed with patchUser: (its old email, its new one)."""
    user_id, old = api.user()
    new = api.email()
    _patch_user(api, user_id, email=new)
    return old, new


def _patch_user(api: Api, user_id: str, *, email: str, first_name: str = "A") -> None:
    api.call("PATCH", f"/api/v1/users/{user_id}", {"firstName": first_name, "lastName": "B", "email": email})


def _empty_password_logs_in(api: Api) -> bool:
    email = api.email()
    api.call("POST", "/api/v1/users", _user_body(email=email))
    return _logs_in(api, (email, ""))


def _sa_token_not_accepted(api: Api) -> bool:
    token = api.token(f"/api/v1/service-accounts/{api.service_account(['main'])}")
    return not _logs_in(api, token["fullToken"])


def _token_outlives_its_owner(api: Api, owner_path: str) -> bool:
    """A token of the owner at `owner_path`, which is then deleted: whether the token still logs in."""
    token = api.token(owner_path)
    assert api.call("DELETE", owner_path).status_code == 204
    return _logs_in(api, token["fullToken"])


def _promoted_stays_plain(api: Api) -> bool:
    user_id, email = api.user()
    assert api.call("GET", "/api/v1/users", auth=(email, PASSWORD), page=1, size=1).status_code == 403
    api.call("PATCH", f"/api/v1/users/{user_id}/superadmin", {"superAdmin": True})
    return api.call("GET", "/api/v1/users", auth=(email, PASSWORD), page=1, size=1).status_code == 403


def _create_ignores(field: str, expected: Any) -> Callable[[Api], bool]:
    def probe(api: Api) -> bool:
        group = api.call("POST", "/api/v1/main/groups", {"name": api.email(), "description": "", "membersId": []})
        body = _user_body(email=api.email(), restricted=True, groups=[group.get_json()["id"]])
        api.call("POST", "/api/v1/users", body)
        user = api.listing(q=body["email"], page=1, size=1)["results"][0]
        return bool(api.get_user(user["id"])[field] == expected)

    return probe


def _update_duplicate_email_accepted(api: Api) -> bool:
    _, taken = api.user()
    user_id, _ = api.user()
    body = {"firstName": "A", "lastName": "B", "email": taken}
    return api.call("PATCH", f"/api/v1/users/{user_id}", body).status_code < 300


def _list_shows_creation_state(api: Api) -> bool:
    user_id, email = api.user()
    api.call("PATCH", f"/api/v1/users/{user_id}/superadmin", {"superAdmin": True})
    return api.listing(q=email, page=1, size=1)["results"][0]["superAdmin"] is False


def _new_password_not_saved(api: Api) -> bool:
    user_id, email = api.user()
    api.call("PATCH", f"/api/v1/users/{user_id}/password", {"password": "Another-pass9"})
    return not _logs_in(api, (email, "Another-pass9"))


def _me_password_not_saved(api: Api) -> bool:
    _, email = api.user()
    body = {"oldPassword": PASSWORD, "newPassword": "Another-pass9"}
    assert api.call("PUT", "/api/v1/me/password", body, auth=(email, PASSWORD)).status_code == 200
    return not _logs_in(api, (email, "Another-pass9"))


def _auth_removed(api: Api) -> tuple[str, str]:
    user_id, email = api.user()
    auth = api.get_user(user_id)["auths"][0]["id"]
    assert api.call("DELETE", f"/api/v1/users/{user_id}/auths/{auth}").status_code == 200
    return user_id, email


def _soft_deleted(api: Api) -> tuple[str, str]:
    user_id, email = api.user()
    api.call("DELETE", f"/api/v1/users/{user_id}")
    return user_id, email


def _page_size_plus_one(api: Api) -> bool:
    api.user()
    api.user()
    return len(api.listing(page=1, size=1)["results"]) > 1


def _found_by_q(api: Api, q: Callable[[str], str]) -> bool:
    email = api.email()
    api.call("POST", "/api/v1/users", _user_body(email=email, firstName="Quirinus", lastName="Zyx"))
    return bool(api.listing(q=q(email), page=1, size=10)["results"])


def _autocompleted(api: Api, tenants: list[str]) -> bool:
    email = api.email()
    api.call("POST", "/api/v1/users", _user_body(email=email, tenants=tenants))
    return bool(api.call("POST", _AUTOCOMPLETE, {"q": email}).get_json())


def _summary(api: Api, **token: Any) -> dict[str, Any]:
    user_id, _ = api.user()
    api.call("POST", f"/api/v1/users/{user_id}/api-tokens", _token_body(**token))
    return dict(api.call("GET", f"/api/v1/users/{user_id}/api-tokens").get_json()["results"][0])


def _expired_token(api: Api, **token: Any) -> tuple[str, dict[str, Any]]:
    """A token created with maxAge PT1S, once that second has passed: (its fullToken, its summary)."""
    user_id, _ = api.user()
    created = api.call("POST", f"/api/v1/users/{user_id}/api-tokens", _token_body(maxAge="PT1S", **token)).get_json()
    time.sleep(1.1)
    return created["fullToken"], dict(api.call("GET", f"/api/v1/users/{user_id}/api-tokens").get_json()["results"][0])


def _extended_ignored(api: Api) -> bool:
    user_id, _ = api.user()
    body = _token_body(maxAge="PT1S", extended=True)
    full = api.call("POST", f"/api/v1/users/{user_id}/api-tokens", body).get_json()["fullToken"]
    for _ in range(3):
        time.sleep(0.5)
        if not _logs_in(api, full):
            return True
    return False


def _deleted_token_still_listed(api: Api) -> bool:
    user_id, _ = api.user()
    token = api.token(f"/api/v1/users/{user_id}")
    api.call("DELETE", f"/api/v1/users/{user_id}/api-tokens/{token['id']}")
    return bool(api.call("GET", f"/api/v1/users/{user_id}/api-tokens").get_json()["results"])


def _get_user_cached(api: Api) -> bool:
    user_id, _ = api.user()
    api.get_user(user_id)
    api.call("PATCH", f"/api/v1/users/{user_id}/restricted", {"restricted": True})
    return api.get_user(user_id)["restricted"] is False


CLAUSE_PROBES: dict[str, Callable[[Api], bool]] = {
    "new-user-cannot-log-in": lambda api: not _logs_in(api, (api.user()[1], PASSWORD)),
    "email-change-keeps-login": lambda api: not _logs_in(api, (_email_changed(api)[1], PASSWORD)),
    "empty-password-logs-in": _empty_password_logs_in,
    "sa-token-not-accepted": _sa_token_not_accepted,
    "deleted-owner-tokens-valid": lambda api: _token_outlives_its_owner(api, _user_path(api)),
    "me-password-superadmin-only": lambda api: (
        api.call(
            "PUT",
            "/api/v1/me/password",
            {"oldPassword": PASSWORD, "newPassword": "Brand-new-pass2"},
            auth=(api.user()[1], PASSWORD),
        ).status_code
        == 403
    ),
    "promoted-stays-plain": _promoted_stays_plain,
    "patch-demo-204": lambda api: (
        api.call("PATCH", f"/api/v1/users/{api.user()[0]}/restricted", {"restricted": True}).status_code == 204
    ),
    "page-past-end-416": lambda api: api.call("GET", "/api/v1/users", page=99, size=10).status_code == 416,
    "error-without-message": lambda api: "message" not in api.call("GET", "/api/v1/users/nope").get_json(force=True),
    "refused-token-still-created": lambda api: (
        api.call("POST", f"/api/v1/users/{(uid := api.user()[0])}/api-tokens", _token_body(maxAge="1h")).status_code
        >= 400
        and bool(api.call("GET", f"/api/v1/users/{uid}/api-tokens").get_json()["results"])
    ),
    "method-not-allowed-500": lambda api: api.call("PATCH", "/api/v1/users").status_code == 500,
    "create-ignores-restricted": _create_ignores("restricted", False),
    "create-ignores-tenants": _create_ignores("tenants", []),
    "create-ignores-groups": _create_ignores("groups", []),
    "password-auth-not-listed": lambda api: api.get_user(api.user()[0])["auths"] == [],
    "update-duplicate-email-accepted": _update_duplicate_email_accepted,
    "superadmin-flag-not-saved": lambda api: (
        _created_then_read(
            api, _patch(api, "/api/v1/users/{}/superadmin", {"superAdmin": True}), lambda u: u["superAdmin"]
        )
        is False
    ),
    "list-shows-creation-state": _list_shows_creation_state,
    "new-password-not-saved": _new_password_not_saved,
    "me-password-not-saved": _me_password_not_saved,
    "auth-delete-not-saved": lambda api: bool(api.get_user(_auth_removed(api)[0])["auths"]),
    "auth-delete-keeps-login": lambda api: _logs_in(api, (_auth_removed(api)[1], PASSWORD)),
    "patch-deleted-user": lambda api: (
        api.call(
            "PATCH", f"/api/v1/users/{_soft_deleted(api)[0]}", {"firstName": "A", "lastName": "B", "email": api.email()}
        ).status_code
        == 200
    ),
    "deleted-user-autocompleted": lambda api: bool(
        api.call("POST", _AUTOCOMPLETE, {"q": _soft_deleted(api)[1]}).get_json()
    ),
    "refresh-token-200": lambda api: (
        api.call("DELETE", f"/api/v1/users/{api.user()[0]}/refresh-token").status_code == 200
    ),
    "impersonate-204": lambda api: api.call("POST", f"/api/v1/users/{api.user()[0]}/impersonate").status_code == 204,
    "refresh-token-unknown-204": lambda api: api.call("DELETE", "/api/v1/users/nope/refresh-token").status_code == 204,
    "impersonate-unknown-403": lambda api: api.call("POST", "/api/v1/users/nope/impersonate").status_code == 403,
    "page-size-plus-one": _page_size_plus_one,
    "q-ignores-display-name": lambda api: not _found_by_q(api, lambda email: "irinus"),
    "q-case-sensitive": lambda api: not _found_by_q(api, str.upper),
    "autocomplete-ignores-tenant": lambda api: _autocompleted(api, []),
    "autocomplete-name-only": lambda api: not _autocompleted(api, ["main"]),
    "token-create-201": lambda api: (
        api.call("POST", f"/api/v1/users/{api.user()[0]}/api-tokens", _token_body()).status_code == 201
    ),
    "extended-tokens-not-listed": lambda api: not _listed_tokens(api, extended=True),
    "token-summary-no-iat": lambda api: "iat" not in _summary(api),
    "duration-minutes-refused": lambda api: (
        api.call("POST", f"/api/v1/users/{api.user()[0]}/api-tokens", _token_body(maxAge="PT90M")).status_code >= 400
    ),
    "empty-maxage-zero": lambda api: not _logs_in(api, api.token(f"/api/v1/users/{api.user()[0]}")["fullToken"]),
    "max-age-ignored": lambda api: _logs_in(api, _expired_token(api)[0]),
    "exp-not-shown": lambda api: "exp" not in _summary(api, maxAge="PT1H"),
    "expired-flag-never-set": lambda api: _expired_token(api)[1]["expired"] is False,
    "extended-ignored": _extended_ignored,
    "deleted-token-still-listed": _deleted_token_still_listed,
    "sa-unknown-tenant-ignored": lambda api: (
        api.call("GET", f"/api/v1/nope/service-accounts/{api.service_account([])}/api-tokens").status_code == 200
    ),
    "get-user-cached": _get_user_cached,
}


def _listed_tokens(api: Api, **token: Any) -> list[Any]:
    user_id, _ = api.user()
    api.call("POST", f"/api/v1/users/{user_id}/api-tokens", _token_body(**token))
    return list(api.call("GET", f"/api/v1/users/{user_id}/api-tokens").get_json()["results"])


def _token_body(**fields: Any) -> dict[str, Any]:
    return {"name": "ok", "description": "", "maxAge": "", "extended": False, **fields}


def _first_name(user: Any) -> Any:
    return user["firstName"]


def _as_2x(api: Api) -> V2:
    """The same faults, on the server as Kestra EE 2.x (the faults of version-2 clauses show only there)."""
    return V2(faults=api.app.config.faults)


def _user_2x(v2: V2) -> str:
    created = v2("POST", "/api/v1/users", json={"email": "probe-2x@kestra-contract.test", "password": PASSWORD_2X})
    assert created.status_code == 201
    if created.get_data():
        return str(created.json["id"])  # type: ignore[index]
    listing = v2("GET", "/api/v1/users", query_string={"filters[q][EQUALS]": "probe-2x@"}).json
    return str(listing["results"][0]["id"])  # type: ignore[index]


def _token_list_2x(api: Api) -> Any:
    v2 = _as_2x(api)
    user_id = _user_2x(v2)
    v2("POST", f"/api/v1/users/{user_id}/api-tokens", json={"name": "probe"})
    return v2("GET", f"/api/v1/users/{user_id}/api-tokens").json


def _impersonation_2x(api: Api) -> TestResponse:
    v2 = _as_2x(api)
    return v2("POST", f"/api/v1/users/{_user_2x(v2)}/impersonate")


#: Faults of version-2 clauses: each shows on the server as Kestra 2.x.
VERSION_2_PROBES: dict[str, Callable[[Api], bool]] = {
    "user-token-create-200": lambda api: (
        (v2 := _as_2x(api))("POST", f"/api/v1/users/{_user_2x(v2)}/api-tokens", json={"name": "p"}).status_code == 200
    ),
    "create-user-no-body": lambda api: (
        _as_2x(api)("POST", "/api/v1/users", json={"email": "nobody@kestra-contract.test"}).get_data() == b""
    ),
    "password-patch-no-user": lambda api: (
        "id"
        not in (
            (v2 := _as_2x(api))(
                "PATCH", f"/api/v1/users/{_user_2x(v2)}/password", json={"password": "Kc9!Other-one"}
            ).json
            or {}
        )
    ),
    "impersonate-303-no-cookie": lambda api: "Set-Cookie" not in _impersonation_2x(api).headers,
    "token-list-total-wrong": lambda api: (listing := _token_list_2x(api))["total"] != len(listing["results"]),
}


# -- probes of the faults that break one part of a clause beyond its main case ---------------

_NEW_PASSWORD = "Another-pass9"


def _acts_as_superadmin(api: Api, auth: tuple[str, str] | str) -> bool:
    return api.call("GET", "/api/v1/users", auth=auth, page=1, size=1).status_code == 200


def _token_role_across_flip(api: Api, *, super_admin: bool) -> tuple[bool, bool]:
    """Whether a user's token acts as superadmin before and after patchUserSuperAdmin flips the user's flag."""
    user_id, _ = api.user(super_admin=super_admin)
    token = api.token(f"/api/v1/users/{user_id}")["fullToken"]
    before = _acts_as_superadmin(api, token)
    api.call("PATCH", f"/api/v1/users/{user_id}/superadmin", {"superAdmin": not super_admin})
    return before, _acts_as_superadmin(api, token)


def _me_password_change(api: Api, old: str) -> tuple[int, bool, bool]:
    """A plain user's PUT /api/v1/me/password to _NEW_PASSWORD, claiming `old` as its current one:
    (the status, whether PASSWORD logs in after, whether _NEW_PASSWORD does).
    """
    _, email = api.user()
    body = {"oldPassword": old, "newPassword": _NEW_PASSWORD}
    status = api.call("PUT", "/api/v1/me/password", body, auth=(email, PASSWORD)).status_code
    return status, _logs_in(api, (email, PASSWORD)), _logs_in(api, (email, _NEW_PASSWORD))


def _listed(api: Api, q: str) -> bool:
    return bool(api.listing(q=q, page=1, size=10)["results"])


def _autocompletes(api: Api, q: str) -> bool:
    return bool(api.call("POST", _AUTOCOMPLETE, {"q": q}).get_json())


def _autocompleted_once_renamed(api: Api) -> bool:
    """Not found by its email as created, found by the same email once its name changed."""
    user_id, email = api.user()
    as_created = _autocompletes(api, email)
    _patch_user(api, user_id, email=email, first_name="Renamed")
    return not as_created and _autocompletes(api, email)


def _new_name_not_listed(api: Api) -> bool:
    user_id, email = api.user()
    _patch_user(api, user_id, email=email, first_name="Xavierus")
    return not _listed(api, "Xavierus")


def _tenant_ids(user: Any) -> list[str]:
    return [t["id"] for t in user["tenants"]]


def _other_tenant_groups_cleared(api: Api) -> bool:
    """A user in a group of `second` whose groups in `main` are set: whether the `second` group is gone."""
    body = {"name": "g", "description": "", "membersId": []}
    group = api.call("POST", "/api/v1/second/groups", body).get_json()["id"]
    user_id = api.create_user(api.email(), PASSWORD, tenants=["main", "second"], groups=[group])
    assert api.call("PUT", f"/api/v1/main/users/{user_id}/groups", {"groupIds": []}).status_code == 204
    return not api.get_user(user_id)["groups"]


def _auth_deleted_through_other_user(api: Api) -> bool:
    owner, _ = api.user()
    other, _ = api.user()
    auth = api.get_user(owner)["auths"][0]["id"]
    deleted = api.call("DELETE", f"/api/v1/users/{other}/auths/{auth}").status_code < 300
    return deleted and not api.get_user(owner)["auths"]


def _duplicate_create_ignored(api: Api) -> bool:
    """201 for a taken email, and still a single user with it."""
    _, email = api.user()
    status = api.call("POST", "/api/v1/users", _user_body(email=email)).status_code
    return status == 201 and api.listing(q=email, page=1, size=10)["total"] == 1


def _user_on_no_page(api: Api) -> bool:
    api.user()
    api.user()
    everyone = {u["id"] for u in api.listing(page=1, size=100)["results"]}
    paged = {u["id"] for page in range(1, len(everyone) + 1) for u in api.listing(page=page, size=1)["results"]}
    return bool(everyone - paged)


def _size_zero_answers_all(api: Api) -> bool:
    api.user()
    answer = api.call("GET", "/api/v1/users", page=1, size=0)
    return answer.status_code == 200 and len(answer.get_json()["results"]) == 2


def _token_works_after_password_change(api: Api) -> bool:
    user_id, _ = api.user()
    token = api.token(f"/api/v1/users/{user_id}")["fullToken"]
    api.call("PATCH", f"/api/v1/users/{user_id}/password", {"password": _NEW_PASSWORD})
    return _logs_in(api, token)


def _sibling_token_deleted(api: Api) -> bool:
    """Whether deleting one of a user's two tokens ends the other too."""
    path = _user_path(api)
    kept, deleted = api.token(path), api.token(path)
    api.call("DELETE", f"{path}/api-tokens/{deleted['id']}")
    return not _logs_in(api, kept["fullToken"])


def _other_owners_token_deleted_through_sa_path(api: Api) -> bool:
    token, other_account = api.token(_sa_path(api)), _sa_path(api)
    deleted = api.call("DELETE", f"{other_account}/api-tokens/{token['id']}").status_code < 300
    return deleted and not _logs_in(api, token["fullToken"])


#: Faults that break one part of a clause beyond its main case (another tenant, owner, credential, a later change).
PART_PROBES: dict[str, Callable[[Api], bool]] = {
    "old-email-still-logs-in": lambda api: _logs_in(api, (_email_changed(api)[0], PASSWORD)),
    "email-change-drops-login": lambda api: not any(_logs_in(api, (e, PASSWORD)) for e in _email_changed(api)),
    "password-change-revokes-tokens": lambda api: not _token_works_after_password_change(api),
    "deleted-sa-tokens-valid": lambda api: _token_outlives_its_owner(api, _sa_path(api)),
    "plain-token-allowed": lambda api: _acts_as_superadmin(api, api.token(_user_path(api))["fullToken"]),
    "promoted-token-stays-plain": lambda api: _token_role_across_flip(api, super_admin=False) == (False, False),
    "demoted-token-keeps-power": lambda api: _token_role_across_flip(api, super_admin=True) == (True, True),
    "create-keeps-first-tenant": lambda api: (
        _tenant_ids(api.get_user(api.create_user(api.email(), PASSWORD, tenants=["main", "second"]))) == ["main"]
    ),
    "duplicate-email-ignored": _duplicate_create_ignored,
    "group-change-clears-other-tenants": _other_tenant_groups_cleared,
    "search-text-from-creation": lambda api: not _listed(api, _email_changed(api)[1]),
    "search-name-from-creation": _new_name_not_listed,
    "me-password-garbled": lambda api: _me_password_change(api, PASSWORD) == (200, False, False),
    "me-password-old-still-valid": lambda api: _me_password_change(api, PASSWORD) == (200, True, True),
    "wrong-old-password-ignored": lambda api: _me_password_change(api, "Wrong-pass1") == (200, True, False),
    "wrong-old-password-saved-anyway": lambda api: _me_password_change(api, "Wrong-pass1") == (422, False, True),
    "cross-user-auth-delete": _auth_deleted_through_other_user,
    "deleted-user-tokens-listed": lambda api: (
        api.call("GET", f"/api/v1/users/{_soft_deleted(api)[0]}/api-tokens").status_code == 200
    ),
    "size-zero-unpaged": _size_zero_answers_all,
    "list-pages-skip-one": _user_on_no_page,
    "q-email-prefix-only": lambda api: not _found_by_q(api, lambda email: email.partition("@")[2]),
    "autocomplete-misses-new-users": _autocompleted_once_renamed,
    "autocomplete-text-from-creation": lambda api: not _autocompletes(api, _email_changed(api)[1]),
    "token-delete-takes-all-of-owner": _sibling_token_deleted,
    "sa-deleted-token-still-valid": lambda api: _token_outlives_its_delete(api, _sa_path(api)),
    "sa-path-token-delete-any-owner": _other_owners_token_deleted_through_sa_path,
}

#: Every probe, by fault.
ALL_PROBES = PROBES | CLAUSE_PROBES | VERSION_2_PROBES | PART_PROBES


def test_every_fault_has_a_probe() -> None:
    assert sorted(ALL_PROBES) == sorted(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_shows_only_when_switched_on(name: str) -> None:
    probe = ALL_PROBES[name]
    assert probe(Api(frozenset({name}))), f"{name} does not show"
    assert not probe(Api(frozenset())), f"the clean server shows {name}"
