"""--search-lag: listUsers, autocompleteUsers and token lists see writes late; reads by id do not."""

from __future__ import annotations

from typing import Any

from reference_server import ReferenceApp, ServerConfig
from tests.reference_server.clock import FakeClock
from tests.reference_server.conftest import Api, bearer

LAG = 1.0
TOKEN = {"description": "", "maxAge": "PT1H", "extended": False}


def make(clock: FakeClock, lag: float = LAG) -> Api:
    return Api(ReferenceApp(ServerConfig(search_lag=lag, create_user_body="user"), clock=clock))


def create(api: Api, email: str) -> str:
    body = {
        "tenants": ["main"],
        "groups": [],
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": email,
        "password": "Passw0rd1",
        "superAdmin": True,
        "restricted": False,
    }
    created = api("POST", "/api/v1/users", json=body)
    assert created.status_code == 201
    assert created.json is not None
    return str(created.json["id"])


def found(api: Api, q: str) -> list[str]:
    listing = api("GET", "/api/v1/users", query_string={"q": q, "page": 1, "size": 50}).json
    assert listing is not None
    assert listing["total"] == len(listing["results"])
    return [u["username"] for u in listing["results"]]


def autocompleted(api: Api, q: str) -> list[str]:
    answer = api("POST", "/api/v1/main/tenant-access/autocomplete", json={"q": q}).json
    assert isinstance(answer, list)
    return [u["username"] for u in answer]


def token_ids(api: Api, user_id: str) -> list[str]:
    listing = api("GET", f"/api/v1/users/{user_id}/api-tokens").json
    assert listing is not None
    return [t["id"] for t in listing["results"]]


def test_a_new_user_is_found_by_id_at_once_and_by_search_only_after_the_refresh() -> None:
    clock = FakeClock()
    api = make(clock)
    assert found(api, "late@") == []  # the index is fresh now
    user_id = create(api, "late@example.com")
    assert api("GET", f"/api/v1/users/{user_id}").status_code == 200
    clock.advance(LAG * 0.9)
    assert found(api, "late@example.com") == []
    assert autocompleted(api, "late@example.com") == []
    clock.advance(LAG * 0.1)
    assert found(api, "late@example.com") == ["late@example.com"]
    assert autocompleted(api, "late@example.com") == ["late@example.com"]


def test_changes_and_deletes_show_in_searches_late() -> None:
    clock = FakeClock()
    api = make(clock)
    user_id = create(api, "old@example.com")
    clock.advance(LAG)
    assert found(api, "old@example.com") == ["old@example.com"]
    patched = api(
        "PATCH",
        f"/api/v1/users/{user_id}",
        json={"firstName": "Grace", "lastName": "Hopper", "email": "new@example.com"},
    )
    assert patched.status_code == 200
    got: Any = api("GET", f"/api/v1/users/{user_id}").json
    assert got["email"] == "new@example.com"
    assert found(api, "old@example.com") == ["old@example.com"]
    assert found(api, "new@example.com") == []
    clock.advance(LAG)
    assert found(api, "old@example.com") == []
    assert found(api, "Grace Hopper") == ["new@example.com"]
    assert api("DELETE", f"/api/v1/users/{user_id}").status_code == 204
    assert api("GET", f"/api/v1/users/{user_id}").status_code == 404
    assert found(api, "new@example.com") == ["new@example.com"]
    assert autocompleted(api, "new@example.com") == ["new@example.com"]
    clock.advance(LAG)
    assert found(api, "new@example.com") == []
    assert autocompleted(api, "new@example.com") == []


def test_tokens_authenticate_at_once_but_show_in_lists_late() -> None:
    clock = FakeClock()
    api = make(clock)
    user_id = create(api, "owner@example.com")
    clock.advance(LAG)
    assert token_ids(api, user_id) == []
    token: Any = api("POST", f"/api/v1/users/{user_id}/api-tokens", json={"name": "t", **TOKEN}).json
    me = "/api/v1/users?page=1&size=1"
    assert api("GET", me, auth=bearer(token["fullToken"])).status_code == 200
    assert token_ids(api, user_id) == []
    clock.advance(LAG)
    assert token_ids(api, user_id) == [token["id"]]
    assert api("DELETE", f"/api/v1/users/{user_id}/api-tokens/{token['id']}").status_code == 204
    assert api("GET", me, auth=bearer(token["fullToken"])).status_code == 401
    assert token_ids(api, user_id) == [token["id"]]
    clock.advance(LAG)
    assert token_ids(api, user_id) == []


def test_a_token_list_of_an_unknown_user_is_404_at_once() -> None:
    clock = FakeClock()
    api = make(clock)
    user_id = create(api, "gone@example.com")
    token_ids(api, user_id)
    assert api("DELETE", f"/api/v1/users/{user_id}").status_code == 204
    assert api("GET", f"/api/v1/users/{user_id}/api-tokens").status_code == 404


def test_service_account_token_lists_lag_too() -> None:
    clock = FakeClock()
    api = make(clock)
    account: Any = api(
        "POST",
        "/api/v1/service-accounts",
        json={"name": "robot", "description": "", "superAdmin": False, "tenants": ["main"]},
    ).json
    path = f"/api/v1/service-accounts/{account['id']}/api-tokens"
    assert api("GET", path).json == {"results": []}
    token: Any = api("POST", path, json={"name": "t", **TOKEN}).json
    assert api("GET", path).json == {"results": []}
    assert api("GET", f"/api/v1/main/service-accounts/{account['id']}/api-tokens").json == {"results": []}
    clock.advance(LAG)
    listed: Any = api("GET", path).json
    assert [t["id"] for t in listed["results"]] == [token["id"]]


def test_without_lag_searches_are_immediate() -> None:
    clock = FakeClock()
    api = make(clock, lag=0.0)
    create(api, "now@example.com")
    assert found(api, "now@example.com") == ["now@example.com"]
