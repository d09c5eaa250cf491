"""Tests run ahead in threads: each outcome reaches its own item, and a halted run stops them before cleanup."""

from __future__ import annotations

import threading

import httpx
import pytest

from contract.harness import Api, Credentials, Ledger, Target
from contract.harness.lifecycle import Background, Halted
from contract.harness.sending._guard import SafetyGuard
from strategies import new_run_id


def _api(sent: list[str]) -> Api:
    ledger = Ledger(new_run_id())
    api = Api(
        Target("http://kestra.test", Credentials("admin@kestra.test", "Admin1234!"), "main", embedded=False),
        ledger,
        SafetyGuard(ledger),
    )

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json={"results": [], "total": 0})

    transport = httpx.MockTransport(answer)
    api._local.client = httpx.Client(base_url=api.target.base_url, transport=transport)
    return api


def test_each_test_gets_what_its_own_thread_raised() -> None:
    background = Background(threading.Event())

    def fails() -> None:
        raise AssertionError("shard 2 broke the contract")

    background.start("shard-1", lambda: None)
    background.start("shard-2", fails)
    background.outcome("shard-1")
    with pytest.raises(AssertionError, match="shard 2 broke"):
        background.outcome("shard-2")
    background.halt()


def test_a_test_starts_once() -> None:
    background = Background(threading.Event())
    runs: list[str] = []
    background.start("shard-1", lambda: runs.append("first"))
    background.start("shard-1", lambda: runs.append("second"))
    background.outcome("shard-1")
    assert runs == ["first"]
    assert background.started("shard-1")
    assert not background.started("shard-2")
    background.halt()


def test_halting_stops_threads_at_their_next_request_but_not_cleanup() -> None:
    sent: list[str] = []
    api = _api(sent)
    background = Background(api.halted)
    ready, go_on = threading.Event(), threading.Event()

    def shard() -> None:
        ready.set()
        go_on.wait(5)
        api.call("listUsers", params={"page": 1, "size": 10})  # the run is ending: never sent

    background.start("shard-1", shard)
    assert ready.wait(5)
    api.halted.set()
    go_on.set()
    background.halt()  # waits for the thread
    with pytest.raises(Halted):
        background.outcome("shard-1")
    assert sent == []
    # pytest's own thread (cleanup) still reaches the server
    api.call("listUsers", params={"page": 1, "size": 10})
    assert sent == ["GET /api/v1/users"]
    background.start("shard-2", lambda: None)  # a halted run starts nothing
    assert not background.started("shard-2")
