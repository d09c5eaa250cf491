from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from reference_server import ReferenceApp, ServerConfig

ADMIN = ("admin@kestra.local", "Admin1234")


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """A thin test client for the app, as the superadmin unless told otherwise."""

    def __init__(self, app: ReferenceApp) -> None:
        self.app = app
        self.client = Client(app)

    def __call__(
        self, method: str, path: str, *, json: Any = None, auth: dict[str, str] | None = None, **kw: Any
    ) -> TestResponse:
        headers = basic(*ADMIN) if auth is None else auth
        return self.client.open(path, method=method, json=json, headers=headers, **kw)

    def create_user(self, email: str, password: str = "Passw0rd1", **extra: Any) -> str:
        body = {
            "tenants": ["main"],
            "groups": [],
            "firstName": "Zoë",
            "lastName": "Ωmega",
            "email": email,
            "password": password,
            "superAdmin": False,
            "restricted": False,
            **extra,
        }
        response = self("POST", "/api/v1/users", json=body)
        assert response.status_code == 201, response.get_data(as_text=True)
        listing = self("GET", "/api/v1/users", query_string={"q": email, "page": 1, "size": 10}).json
        assert listing is not None
        return str(next(u["id"] for u in listing["results"] if u["username"] == email))


@pytest.fixture
def make_api() -> Callable[..., Api]:
    def make(**config: Any) -> Api:
        return Api(ReferenceApp(ServerConfig(**config)))

    return make


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
