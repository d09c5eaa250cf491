"""A client of the reference server as Kestra EE 2.x, for the project's tests of it."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.test import Client, TestResponse

from reference_server import ReferenceApp, ServerConfig
from tests.reference_server.conftest import ADMIN, bearer

__all__ = ["PASSWORD", "V2"]

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
