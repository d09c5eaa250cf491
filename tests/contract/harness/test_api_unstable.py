"""The Api against an unstable target: reads are retried, writes are not repeated blindly, and what
the infrastructure answered never reaches the observers as an answer of the API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from contract.harness import (
    Api,
    Credentials,
    Entry,
    Exchange,
    Ledger,
    Target,
    UnstableTarget,
    delete_all,
    rejecting_examples,
)
from contract.harness.sending import RetryPolicy
from contract.harness.sending._guard import SafetyGuard
from strategies import new_run_id

GATEWAY = httpx.Response(502, headers={"content-type": "text/html"}, content=b"<html>502 Bad Gateway</html>")


def _api(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[Api, list[Exchange], list[tuple[str, str]]]:
    ledger = Ledger(new_run_id())
    api = Api(
        Target("http://kestra.test", Credentials("admin@kestra.test", "Admin1234!"), "main", embedded=False),
        ledger,
        SafetyGuard(ledger),
        retry=RetryPolicy(attempts=3, first_pause=0.0, max_pause=0.0),
    )
    api._local.client = httpx.Client(base_url=api.target.base_url, transport=httpx.MockTransport(handler))
    seen: list[Exchange] = []
    unstable: list[tuple[str, str]] = []
    api.observers.append(seen.append)
    api.unstable_observers.append(lambda op, reason: unstable.append((op, reason)))
    return api, seen, unstable


def test_a_read_behind_a_flaky_gateway_is_retried_and_observed_once() -> None:
    answers = [GATEWAY, httpx.Response(200, json={"results": [], "total": 0})]
    api, seen, unstable = _api(lambda request: answers.pop(0))
    exchange = api.call("listUsers", params={"page": 1, "size": 1})
    assert exchange.status == 200
    assert [e.status for e in seen] == [200]
    assert unstable == []


def test_a_create_whose_lookup_fails_too_is_sent_once_and_unstable() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return GATEWAY

    api, seen, unstable = _api(handler)
    body = {"name": f"kct-{api.ledger.run_id}-1", "description": "", "superAdmin": False, "tenants": ["main"]}
    with pytest.raises(UnstableTarget) as raised:
        api.call("createServiceAccount", json=body)
    assert [r.method for r in sent].count("POST") == 1, "never sent again blindly"
    assert {r.url.path for r in sent if r.method == "GET"} == {"/api/v1/service-accounts"}, "looked up by name"
    assert seen == []
    assert unstable
    assert unstable[0][0] == "createServiceAccount"
    assert "502 from a gateway" in raised.value.reason
    assert "cannot be read back" in raised.value.reason
    assert "Admin1234!" not in str(raised.value)  # the curl line masks credentials


def test_a_rate_limited_create_is_sent_again() -> None:
    answers = [
        httpx.Response(429, headers={"retry-after": "0"}, text="slow down"),
        httpx.Response(200, json={"id": "g1", "name": "kct-x-1"}),
    ]
    api, _seen, _ = _api(lambda request: answers.pop(0))
    exchange = api.call("createGroup", json={"name": f"kct-{api.ledger.run_id}-1", "description": "", "membersId": []})
    assert exchange.status == 200
    assert exchange.created is not None
    assert exchange.created.id == "g1"


def test_a_500_of_the_api_is_an_answer_not_instability() -> None:
    api, seen, unstable = _api(lambda request: httpx.Response(500, json={"message": "boom"}))
    assert api.call("getUser", {"id": "kct-missing-x"}).status == 500
    assert unstable == []
    assert [e.status for e in seen] == [500]


def test_inside_hypothesis_an_unstable_answer_rejects_the_example_only() -> None:
    api, _, _ = _api(lambda request: GATEWAY)
    tried = []

    @settings(max_examples=3, database=None)
    @given(st.integers())
    def body(n: int) -> None:
        tried.append(n)
        api.call("getUser", {"id": "kct-missing-x"})

    with rejecting_examples(), pytest.raises(Unsatisfiable):
        body()
    assert len(tried) > 3  # every example was rejected, and hypothesis went on drawing others


def test_a_change_aimed_at_an_id_that_cannot_exist_is_repeated() -> None:
    answers = [GATEWAY, httpx.Response(404, json={"message": "not found"})]
    api, seen, unstable = _api(lambda request: answers.pop(0))
    exchange = api.call("deleteUser", {"id": "kct-missing-user-1"})
    assert exchange.status == 404
    assert [e.status for e in seen] == [404]
    assert unstable == []


def test_cleanup_reads_back_a_delete_behind_a_gateway_error_and_sends_it_again() -> None:
    answers = {"DELETE": [GATEWAY, httpx.Response(204)], "GET": [httpx.Response(200, json={"id": "u1"})]}
    api, _, unstable = _api(lambda request: answers[request.method].pop(0))
    entry = api.ledger.record(Entry("user", "u1", label=f"kct-{api.ledger.run_id}-1@kestra-contract.test"))
    report = delete_all(api, [entry])
    assert report.ok
    assert [e.id for e in report.deleted] == ["u1"]
    assert len(unstable) == 1  # the gateway's answer is reported, and the delete went through
    assert answers == {"DELETE": [], "GET": []}, "read back (still there), then sent again"


def test_a_lost_auth_delete_whose_user_could_not_be_read_before_is_unstable_not_guessed() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.method == "GET":
            return httpx.Response(500, json={"message": "the user store is down"})
        return GATEWAY

    api, _, unstable = _api(handler)
    api.ledger.record(Entry("user", "u-other"))
    with pytest.raises(UnstableTarget) as raised:
        api.call("deleteUserAuthMethod", {"id": "u-other", "auth": "a-of-someone"})
    assert [r.method for r in sent].count("DELETE") == 1, "neither taken as made nor sent again"
    assert "could not be read before it was sent" in raised.value.reason
    assert unstable[0][0] == "deleteUserAuthMethod"
