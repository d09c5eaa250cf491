"""--latency: every answer comes later, unchanged, and concurrent requests wait side by side."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest
from werkzeug.serving import ThreadedWSGIServer
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from reference_server import ReferenceApp, ServerConfig, make_http_server
from reference_server._serve import wsgi_stack
from tests.reference_server.conftest import ADMIN, basic

LIST = "/api/v1/users?page=1&size=5"


def test_each_answer_is_delayed_and_unchanged() -> None:
    delayed = Client(wsgi_stack(ReferenceApp(ServerConfig(latency_ms=150))))
    plain = Client(wsgi_stack(ReferenceApp(ServerConfig())))
    for _ in range(3):
        start = time.monotonic()
        slow = delayed.get(LIST, headers=basic(*ADMIN))
        assert time.monotonic() - start >= 0.149
        fast = plain.get(LIST, headers=basic(*ADMIN))
        assert slow.status_code == fast.status_code == 200
        assert [u["username"] for u in slow.json["results"]] == [u["username"] for u in fast.json["results"]]  # type: ignore[index]
    start = time.monotonic()
    assert delayed.get(LIST).status_code == 401  # errors are late too
    assert time.monotonic() - start >= 0.149


def test_the_http_server_serves_concurrent_clients_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four requests must be inside the app at once to pass the barrier: no timing assumed."""
    clients = 4
    app = ReferenceApp(ServerConfig(latency_ms=100))
    barrier = threading.Barrier(clients, timeout=30)
    dispatch: Callable[[Request], Response] = app.dispatch

    def dispatch_together(request: Request) -> Response:
        barrier.wait()
        return dispatch(request)

    monkeypatch.setattr(app, "dispatch", dispatch_together)
    server = make_http_server(app.config, app=app)
    assert isinstance(server, ThreadedWSGIServer)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.port}{LIST}"
    codes: list[int] = []

    def client() -> None:
        codes.append(httpx.get(url, auth=ADMIN, timeout=60).status_code)

    try:
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert codes == [200] * clients
    assert not barrier.broken
