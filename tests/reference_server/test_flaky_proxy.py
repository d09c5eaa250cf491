"""--flaky-proxy: a proxy answers some requests itself, and those never reach the server."""

from __future__ import annotations

from collections import Counter
from typing import Any

from werkzeug.test import Client, TestResponse

from reference_server import ReferenceApp, ServerConfig
from reference_server._proxy import FlakyProxy
from reference_server._serve import wsgi_stack
from tests.reference_server.conftest import ADMIN, basic

PROXY_STATUSES = {429, 502, 503, 504}


class Proxied:
    """The app behind the proxy, as a client over the network sees it."""

    def __init__(self, rate: float, seed: int = 0) -> None:
        self.app = ReferenceApp(ServerConfig(flaky_proxy=rate, flaky_seed=seed))
        self.client = Client(wsgi_stack(self.app))

    def __call__(self, method: str, path: str, *, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.open(path, method=method, json=json, headers=basic(*ADMIN), **kw)

    def emails(self) -> set[str]:
        state: Any = self("GET", "/_reference/state").json
        return {u["email"] for u in state["users"].values()}


def statuses(proxied: Proxied, n: int) -> list[int]:
    return [proxied("GET", "/api/v1/users?page=1&size=1").status_code for _ in range(n)]


def test_about_rate_of_requests_get_a_proxy_answer_and_never_reach_the_app() -> None:
    proxied = Proxied(0.3)
    seen = Counter(statuses(proxied, 400))
    by_proxy = sum(seen[s] for s in PROXY_STATUSES)
    assert set(seen) <= PROXY_STATUSES | {200}
    assert 0.2 * 400 < by_proxy < 0.4 * 400
    assert all(seen[s] > 0 for s in PROXY_STATUSES)
    assert proxied.app.requests_served == seen[200]


def test_the_proxy_answers_look_like_a_proxys() -> None:
    """Gateway statuses come as an HTML page or, as API gateways answer, as JSON."""
    proxied = Proxied(1.0)
    seen: dict[tuple[int, str], TestResponse] = {}
    kinds = {(s, m) for s in (502, 503, 504) for m in ("text/html", "application/json")} | {(429, "text/plain")}
    for _ in range(400):
        response = proxied("GET", "/api/v1/users?page=1&size=1")
        seen.setdefault((response.status_code, response.mimetype or ""), response)
    assert set(seen) == kinds
    reasons = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out"}
    for status, reason in reasons.items():
        assert f"<h1>{status} {reason}</h1>" in seen[status, "text/html"].get_data(as_text=True)
        assert seen[status, "application/json"].json == {"message": reason, "status": status}
    answers = {status: response for (status, kind), response in seen.items() if kind != "application/json"}
    assert answers[503].headers["Retry-After"] == "1"
    assert answers[429].headers["Retry-After"] == "1"
    assert answers[429].get_data()
    assert "Retry-After" not in answers[502].headers
    assert proxied.app.requests_served == 0


def test_a_create_answered_by_the_proxy_created_nothing() -> None:
    proxied = Proxied(0.5, seed=7)
    outcomes: dict[str, int] = {}
    for n in range(40):
        email = f"p{n}@example.com"
        body = {
            "tenants": ["main"],
            "groups": [],
            "firstName": "A",
            "lastName": "B",
            "email": email,
            "password": "Passw0rd1",
            "superAdmin": False,
            "restricted": False,
        }
        outcomes[email] = proxied("POST", "/api/v1/users", json=body).status_code
    held = proxied.emails()
    assert {e for e, s in outcomes.items() if s == 201} <= held
    refused = {e for e, s in outcomes.items() if s in PROXY_STATUSES}
    assert refused
    assert not refused & held
    assert set(outcomes.values()) <= PROXY_STATUSES | {201}


def test_the_tests_own_view_of_the_state_always_goes_through() -> None:
    proxied = Proxied(1.0)
    assert all(proxied("GET", "/_reference/state").status_code == 200 for _ in range(20))


def test_the_same_seed_meets_the_same_answers() -> None:
    assert statuses(Proxied(0.5, seed=3), 50) == statuses(Proxied(0.5, seed=3), 50)
    assert statuses(Proxied(0.5, seed=3), 50) != statuses(Proxied(0.5, seed=4), 50)


def test_which_requests_are_answered_does_not_depend_on_what_else_is_sent() -> None:
    """Keyed per request, not by a global count: threads sending in another order meet the same answers."""
    alone = statuses(Proxied(0.5, seed=3), 30)
    crowded = Proxied(0.5, seed=3)
    mixed = []
    for n in range(30):
        crowded("GET", f"/api/v1/users?page=1&size={n % 5 + 2}")  # other requests, in between
        mixed.append(crowded("GET", "/api/v1/users?page=1&size=1").status_code)
    assert mixed == alone


def test_a_request_sent_again_gets_a_draw_of_its_own() -> None:
    """Nothing is doomed: the same request, again, may go through where it was answered by the proxy."""
    seen = statuses(Proxied(0.5, seed=3), 30)
    assert 200 in seen
    assert set(seen) & PROXY_STATUSES


def test_the_body_reaches_the_app_after_the_proxy_read_it() -> None:
    proxied = Proxied(0.01, seed=0)
    body = {"name": "kct-proxy-group", "description": "", "membersId": []}
    response = proxied("POST", "/api/v1/main/groups", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json is not None
    assert response.json["name"] == "kct-proxy-group"


def test_without_the_option_there_is_no_proxy() -> None:
    app = ReferenceApp(ServerConfig())
    assert wsgi_stack(app) is app
    assert isinstance(wsgi_stack(ReferenceApp(ServerConfig(flaky_proxy=0.1))), FlakyProxy)
