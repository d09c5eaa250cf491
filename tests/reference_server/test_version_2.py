"""The reference server as Kestra EE 2.x (contract version 2): what changes from version 1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from reference_server import ReferenceApp, ServerConfig
from tests.reference_server.conftest import ADMIN, basic, bearer

PASSWORD = "Kc9!Passw0rd"


class V2:
    """A cookie-jar client that logs in as a browser does, then mints and uses an API token."""

    def __init__(self, **config: Any) -> None:
        self.app = ReferenceApp(ServerConfig(kestra_version="2", **config))
        self.client = Client(self.app)
        self.token = ""

    def login(self, username: str, password: str) -> TestResponse:
        return self.client.post("/login", json={"username": username, "password": password})

    def csrf(self) -> str:
        page = self.client.get("/ui/").get_data(as_text=True)
        match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
        assert match is not None
        return match.group(1)

    def mint(self) -> str:
        assert self.login(*ADMIN).status_code == 200
        minted = self.client.post(
            "/api/v1/me/api-tokens", json={"name": "suite", "maxAge": "PT1H"}, headers={"X-CSRF-TOKEN": self.csrf()}
        )
        assert minted.status_code in (200, 201), minted.get_data(as_text=True)
        self.client = Client(self.app)  # no cookies from here on: the token alone
        self.token = str(minted.json["fullToken"])  # type: ignore[index]
        return self.token

    def __call__(self, method: str, path: str, **kw: Any) -> TestResponse:
        headers = kw.pop("headers", None) or bearer(self.token or self.mint())
        return self.client.open(path, method=method, headers=headers, **kw)

    def create_user(self, email: str, **extra: Any) -> dict[str, Any]:
        body = {"email": email, "password": PASSWORD, "tenants": ["main"], **extra}
        created = self("POST", "/api/v1/users", json=body)
        assert created.status_code == 201, created.get_data(as_text=True)
        assert isinstance(created.json, dict)
        return created.json


def test_basic_auth_is_refused_and_never_counts_as_a_wrong_password() -> None:
    v2 = V2(lockout=None)
    assert v2("GET", "/api/v1/users", headers=basic(*ADMIN)).status_code == 401
    assert v2("GET", "/api/v1/users", headers=basic(ADMIN[0], "Wrong-0-pass")).status_code == 401
    assert v2("GET", "/_reference/state").json["logins"] == {}  # type: ignore[index]


def test_a_password_login_sets_a_cookie_and_writes_need_the_csrf_header() -> None:
    v2 = V2()
    assert v2.login(ADMIN[0], "Wrong-0-pass").status_code == 401
    assert v2.login(*ADMIN).status_code == 200
    assert v2.client.get("/api/v1/users").status_code == 200  # a read with the cookie alone
    body = {"name": "x", "maxAge": "PT1H"}
    assert v2.client.post("/api/v1/me/api-tokens", json=body).status_code == 403
    assert v2.client.post("/api/v1/me/api-tokens", json=body, headers={"X-CSRF-TOKEN": v2.csrf()}).status_code == 200
    assert v2("GET", "/_reference/state").json["logins"][ADMIN[0]]["maxFailuresInWindow"] == 1  # type: ignore[index]


def test_configs_need_an_identity_and_say_the_version() -> None:
    v2 = V2()
    assert v2.client.get("/api/v1/configs").status_code == 401
    configs = v2("GET", "/api/v1/configs").json
    assert configs is not None
    assert configs["version"] == "2.0.1"
    assert configs["edition"] == "EE"


def test_statuses_and_shapes_of_version_2() -> None:
    v2 = V2()
    user = v2.create_user("a@example.com")
    assert user["instanceOwner"] is False
    assert "superAdmin" not in user
    token = v2("POST", f"/api/v1/users/{user['id']}/api-tokens", json={"name": "t"})
    assert token.status_code == 201
    listing = v2("GET", f"/api/v1/users/{user['id']}/api-tokens").json
    assert listing is not None
    assert listing["total"] == 1
    assert listing["results"][0]["name"] == "t"
    patched = v2("PATCH", f"/api/v1/users/{user['id']}/password", json={"password": "Kc9!Other123"})
    assert patched.status_code == 200
    assert patched.json["id"] == user["id"]  # type: ignore[index]
    impersonated = v2("POST", f"/api/v1/users/{user['id']}/impersonate")
    assert impersonated.status_code == 303
    assert "JWT=" in impersonated.headers["Set-Cookie"]
    missing = v2("GET", "/api/v1/users/nobody")
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"


def test_list_users_is_searched_with_filters_and_bounds_its_pages() -> None:
    v2 = V2()
    v2.create_user("findme@example.com")
    found = v2("GET", "/api/v1/users", query_string={"filters[q][EQUALS]": "findme"}).json
    assert found is not None
    assert [u["username"] for u in found["results"]] == ["findme@example.com"]
    unfiltered = v2("GET", "/api/v1/users", query_string={"q": "findme"}).json
    assert unfiltered is not None
    assert unfiltered["total"] == 2
    assert v2("GET", "/api/v1/users", query_string={"page": 0}).status_code == 422
    assert v2("GET", "/api/v1/users", query_string={"size": 1001}).status_code == 422
    capped = V2(oversized_page="cap")
    assert capped("GET", "/api/v1/users", query_string={"size": 5000}).status_code == 200


@pytest.mark.parametrize("field", ["superAdmin", "instanceOwner"])
def test_either_field_promotes_and_both_spellings_can_be_answered(field: str) -> None:
    v2 = V2(owner_field="both")
    user = v2.create_user("b@example.com", **{field: True})
    assert user["superAdmin"] is True
    assert user["instanceOwner"] is True


def test_the_current_identity_lists_and_deletes_its_own_tokens() -> None:
    v2 = V2()
    v2.mint()
    own = v2("GET", "/api/v1/me/api-tokens").json
    assert own is not None
    assert [t["name"] for t in own["results"]] == ["suite"]
    assert v2("DELETE", f"/api/v1/me/api-tokens/{own['results'][0]['id']}").status_code == 200
    assert v2("GET", "/api/v1/me/api-tokens").status_code == 401  # it was the token in use
