"""What the reference server does, operation by operation (docs/contract-semantics.md)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tests.reference_server.conftest import ADMIN, Api, basic, bearer

MakeApi = Callable[..., Api]


def test_credentials_are_required(api: Api) -> None:
    assert api("GET", "/api/v1/users?page=1&size=1", auth={}).status_code == 401
    assert api("GET", "/api/v1/users?page=1&size=1", auth=basic(ADMIN[0], "nope")).status_code == 401
    assert api("GET", "/api/v1/users?page=1&size=1", auth=bearer("kt_unknown")).status_code == 401
    assert api("GET", "/api/v1/users?page=1&size=1", auth={"Authorization": "Basic !!"}).status_code == 401


def test_a_plain_user_is_forbidden_but_may_change_its_own_password(api: Api) -> None:
    api.create_user("plain@example.com")
    plain = basic("plain@example.com", "Passw0rd1")
    assert api("GET", "/api/v1/users?page=1&size=1", auth=plain).status_code == 403
    assert api("POST", "/api/v1/main/tenant-access/autocomplete", json={}, auth=plain).status_code == 403
    changed = api(
        "PUT", "/api/v1/me/password", json={"oldPassword": "Passw0rd1", "newPassword": "N3wPassword"}, auth=plain
    )
    assert changed.status_code == 200
    assert api("GET", "/api/v1/users?page=1&size=1", auth=plain).status_code == 401


def test_wrong_old_password_changes_nothing(api: Api) -> None:
    api.create_user("me@example.com")
    me = basic("me@example.com", "Passw0rd1")
    refused = api(
        "PUT", "/api/v1/me/password", json={"oldPassword": "Wrong0000", "newPassword": "N3wPassword"}, auth=me
    )
    assert 400 <= refused.status_code < 500
    assert api("GET", "/api/v1/users?page=1&size=1", auth=me).status_code == 403  # still authenticates


def test_create_get_update_delete(api: Api) -> None:
    user_id = api.create_user("a@example.com")
    user = api("GET", f"/api/v1/users/{user_id}").json
    assert user is not None
    assert (user["email"], user["username"], user["firstName"], user["superAdmin"]) == (
        "a@example.com",
        "a@example.com",
        "Zoë",
        False,
    )
    assert [a["type"] for a in user["auths"]] == ["PASSWORD"]
    assert "Passw0rd1" not in api("GET", f"/api/v1/users/{user_id}").get_data(as_text=True)
    patched = api(
        "PATCH", f"/api/v1/users/{user_id}", json={"firstName": "B", "lastName": "C", "email": "b@example.com"}
    )
    assert patched.status_code == 200
    assert api("GET", f"/api/v1/users/{user_id}").json["email"] == "b@example.com"  # type: ignore[index]
    assert api("DELETE", f"/api/v1/users/{user_id}").status_code == 204
    assert api("GET", f"/api/v1/users/{user_id}").status_code == 404
    assert api("DELETE", f"/api/v1/users/{user_id}").status_code == 404


@pytest.mark.parametrize("body_style", ["empty", "user"])
def test_create_user_body_is_configurable(make_api: MakeApi, body_style: str) -> None:
    api = make_api(create_user_body=body_style)
    body = {
        "tenants": ["main"],
        "groups": [],
        "firstName": "A",
        "lastName": "B",
        "email": "x@example.com",
        "password": "Passw0rd1",
        "superAdmin": False,
        "restricted": False,
    }
    response = api("POST", "/api/v1/users", json=body)
    assert response.status_code == 201
    assert (response.get_data() == b"") == (body_style == "empty")


def test_duplicate_email_never_makes_a_second_user(api: Api) -> None:
    api.create_user("dup@example.com")
    body = {
        "tenants": ["main"],
        "groups": [],
        "firstName": "A",
        "lastName": "B",
        "email": "DUP@example.com",
        "password": "Passw0rd1",
        "superAdmin": False,
        "restricted": False,
    }
    assert api("POST", "/api/v1/users", json=body).status_code in (409, 422)
    listing = api("GET", "/api/v1/users", query_string={"q": "dup@example.com", "page": 1, "size": 10}).json
    assert listing is not None
    assert listing["total"] == 1


def test_concurrent_creates_with_one_email_make_one_user(api: Api) -> None:
    body = {
        "tenants": ["main"],
        "groups": [],
        "firstName": "A",
        "lastName": "B",
        "email": "race@example.com",
        "password": "Passw0rd1",
        "superAdmin": False,
        "restricted": False,
    }
    statuses: list[int] = []

    def create() -> None:
        statuses.append(api("POST", "/api/v1/users", json=body).status_code)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(201) == 1


@pytest.mark.parametrize("status", [400, 422])
def test_invalid_input_status_is_configurable(make_api: MakeApi, status: int) -> None:
    api = make_api(invalid_input_status=status)
    assert api("POST", "/api/v1/users", data=b"{bad", content_type="application/json").status_code == status
    assert api("PATCH", "/api/v1/users/x/superadmin", json={"superAdmin": "yes"}).status_code == status


def test_token_lifecycle(api: Api) -> None:
    user_id = api.create_user("tok@example.com")
    created = api(
        "POST",
        f"/api/v1/users/{user_id}/api-tokens",
        json={"name": "my-token", "description": "", "maxAge": "PT1H", "extended": False},
    )
    assert created.status_code == 200
    token = created.json
    assert token is not None
    assert token["fullToken"]
    listed = api("GET", f"/api/v1/users/{user_id}/api-tokens")
    assert [t["id"] for t in listed.json["results"]] == [token["id"]]  # type: ignore[index]
    assert "fullToken" not in listed.get_data(as_text=True)
    assert api("GET", f"/api/v1/users/{user_id}", auth=bearer(token["fullToken"])).status_code == 403
    assert api("DELETE", f"/api/v1/users/{user_id}/api-tokens/{token['id']}").status_code == 204
    assert api("GET", "/api/v1/users?page=1&size=1", auth=bearer(token["fullToken"])).status_code == 401


@pytest.mark.parametrize("max_age", ["abc", "1h", "10", "P1W", "PT"])
def test_bad_durations_are_refused(api: Api, max_age: str) -> None:
    user_id = api.create_user("dur@example.com")
    body = {"name": "t", "description": "", "maxAge": max_age, "extended": False}
    assert api("POST", f"/api/v1/users/{user_id}/api-tokens", json=body).status_code in (400, 422)


def test_a_token_is_found_only_under_its_owner(api: Api) -> None:
    owner = api.create_user("owner@example.com")
    other = api.create_user("other@example.com")
    token = api(
        "POST",
        f"/api/v1/users/{owner}/api-tokens",
        json={"name": "t", "description": "", "maxAge": "", "extended": False},
    ).json
    assert token is not None
    assert api("DELETE", f"/api/v1/users/{other}/api-tokens/{token['id']}").status_code == 404
    assert len(api("GET", f"/api/v1/users/{owner}/api-tokens").json["results"]) == 1  # type: ignore[index]


def test_listing_pages_do_not_overlap(api: Api) -> None:
    for n in range(7):
        api.create_user(f"page{n}@example.com")
    seen: list[str] = []
    for page in (1, 2, 3):
        body = api("GET", "/api/v1/users", query_string={"q": "page", "page": page, "size": 3}).json
        assert body is not None
        assert body["total"] == 7
        seen += [u["id"] for u in body["results"]]
    assert len(seen) == len(set(seen)) == 7
    assert api("GET", "/api/v1/users", query_string={"page": 0, "size": 3}).status_code == 400


def test_service_account_tokens_respect_the_tenant(make_api: MakeApi) -> None:
    api = make_api(tenants=("main", "other"))
    account = api(
        "POST",
        "/api/v1/service-accounts",
        json={"name": "sa-1", "description": "", "superAdmin": False, "tenants": ["other"]},
    ).json
    assert account is not None
    body = {"name": "t", "description": "", "maxAge": "", "extended": False}
    assert api("POST", f"/api/v1/other/service-accounts/{account['id']}/api-tokens", json=body).status_code == 200
    assert api("POST", f"/api/v1/main/service-accounts/{account['id']}/api-tokens", json=body).status_code == 404
    assert api("GET", f"/api/v1/nowhere/service-accounts/{account['id']}/api-tokens").status_code == 404


def test_groups_in_a_tenant(api: Api) -> None:
    user_id = api.create_user("g@example.com")
    group = api("POST", "/api/v1/main/groups", json={"name": "devs", "description": "", "membersId": []}).json
    assert group is not None
    assert api("PUT", f"/api/v1/main/users/{user_id}/groups", json={"groupIds": [group["id"]]}).status_code == 204
    assert api("GET", f"/api/v1/users/{user_id}").json["groups"] == [{"id": group["id"], "tenantId": "main"}]  # type: ignore[index]
    assert api("PUT", f"/api/v1/main/users/{user_id}/groups", json={"groupIds": ["nope"]}).status_code == 404


def test_unsupported_method_and_unknown_path(api: Api) -> None:
    response = api("POST", "/api/v1/users/some-id")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert api("GET", "/api/v1/nothing/here/at/all").status_code == 404


@pytest.mark.parametrize(
    ("style", "content_type"), [("json", "application/json"), ("problem", "application/problem+json")]
)
def test_error_body_styles(make_api: MakeApi, style: str, content_type: str) -> None:
    api = make_api(error_body=style, auth_error_body=style)
    response = api("GET", "/api/v1/users/unknown")
    assert response.status_code == 404
    assert response.mimetype == content_type
    assert api("GET", "/api/v1/users/unknown", auth={}).mimetype == content_type


def test_empty_auth_error_body(make_api: MakeApi) -> None:
    api = make_api(auth_error_body="empty")
    response = api("GET", "/api/v1/users/unknown", auth={})
    assert response.status_code == 401
    assert response.get_data() == b""


def test_lenient_server_accepts_a_minimal_user(make_api: MakeApi) -> None:
    strict, lenient = make_api(), make_api(lenient_required=True)
    assert strict("POST", "/api/v1/users", json={"email": "min@example.com"}).status_code in (400, 422)
    assert lenient("POST", "/api/v1/users", json={"email": "min@example.com"}).status_code == 201
