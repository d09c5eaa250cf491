"""Target resolution and the one-time preflight."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contract.harness import Credentials, Target, TargetError, check_base_url, preflight
from reference_server import RunningServer, spawn


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with spawn() as running:
        yield running


def test_credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KESTRA_USERNAME", "u@example.com")
    monkeypatch.setenv("KESTRA_PASSWORD", "pw")
    monkeypatch.delenv("KESTRA_API_TOKEN", raising=False)
    assert Credentials.from_options(None, None, None) == Credentials(username="u@example.com", password="pw")
    assert Credentials.from_options(None, None, "tok") == Credentials(token="tok")
    assert Credentials.from_options(None, None, "tok").header == "Bearer tok"  # type: ignore[union-attr]


def test_half_given_credentials_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KESTRA_USERNAME", "KESTRA_PASSWORD", "KESTRA_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert Credentials.from_options(None, None, None) is None
    with pytest.raises(TargetError, match="both --username and --password"):
        Credentials.from_options("u", None, None)


@pytest.mark.parametrize("url", ["foo", "ftp://host", "http://", "http://host:notaport"])
def test_malformed_base_urls(url: str) -> None:
    with pytest.raises(TargetError, match="malformed --base-url"):
        check_base_url(url)


def test_base_url_keeps_a_prefix_without_trailing_slash() -> None:
    assert check_base_url("https://staging.example/kestra/") == "https://staging.example/kestra"


def test_preflight_accepts_a_superadmin(server: RunningServer) -> None:
    preflight(Target(server.url, Credentials(server.username, server.password), "main", embedded=True))


def test_preflight_rejects_wrong_credentials(server: RunningServer) -> None:
    with pytest.raises(TargetError, match="rejected the credentials"):
        preflight(Target(server.url, Credentials(server.username, "wrong"), "main", embedded=True))


def test_preflight_rejects_a_plain_user(server: RunningServer) -> None:
    body = {
        "tenants": ["main"],
        "groups": [],
        "firstName": "P",
        "lastName": "U",
        "email": "plain@example.com",
        "password": "Passw0rd1",
        "superAdmin": False,
        "restricted": False,
    }
    created = httpx.post(f"{server.url}/api/v1/users", json=body, auth=(server.username, server.password))
    assert created.status_code == 201
    with pytest.raises(TargetError, match="not a superadmin"):
        preflight(Target(server.url, Credentials("plain@example.com", "Passw0rd1"), "main", embedded=True))


def test_preflight_reports_an_unreachable_target() -> None:
    with pytest.raises(TargetError, match="unreachable"):
        preflight(Target("http://127.0.0.1:9", Credentials(token="x"), "main", embedded=False), timeout=2)
