"""The fuzz checks judge the request as it went out, not the value that was generated.

Reported against a correct server (at 30 ms, -n 8, seed 1994420108): a generated `size` of
`{}` failed `invalid_requests_refused` ("invalid input was accepted with 200"), while the
request on the wire, `GET /api/v1/users?sort=&page=231`, had no `size` at all: the query
encoding dropped it, and a request without `size` is one a lenient server may accept. Here
that request, and others an encoding changes, go to a lenient reference server for real.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
import requests
from schemathesis.core.transport import Response

import specs
from contract.fuzz import users_schema
from contract.fuzz._checks import invalid_requests_refused, sent_query
from contract.fuzz._registry import CheckContext
from contract.fuzz._world import Prepared
from contract.harness import Findings
from reference_server import RunningServer, spawn

SCHEMA = users_schema()
LIST_USERS = SCHEMA["/api/v1/users"]["GET"]
CREATE_USER = SCHEMA["/api/v1/users"]["POST"]


@pytest.fixture(scope="module")
def lenient() -> Iterator[RunningServer]:
    """A server that accepts a request without a required parameter or field (drift, not a failure)."""
    with spawn("--lenient-required") as server:
        yield server


def _judge(
    server: RunningServer, operation: Any, generated: dict[str, Any], sent: requests.Request, negated: str
) -> tuple[Response, Findings]:
    """Send `sent` for real; judge it as the case that generated `generated` with the fuzz check."""
    with requests.Session() as session:
        sent.url = server.url + str(sent.url)
        sent.auth = (server.username, server.password)
        answer = session.send(sent.prepare())
    response = Response.from_requests(answer, verify=True)
    findings = Findings()
    case = operation.Case(**generated)
    prepared = Prepared(negated=frozenset({negated}))
    op = specs.operations_by_id()[operation.definition.raw["operationId"]]
    context = SimpleNamespace(operation=op, prepared=prepared, findings=findings, curl=lambda: "curl")
    invalid_requests_refused(cast(CheckContext, context), response, case)
    return response, findings


def test_a_value_the_encoding_dropped_is_judged_as_not_sent(lenient: RunningServer) -> None:
    query: dict[str, Any] = {"size": {}, "sort": "", "page": 231}
    generated = {"query": query}
    sent = requests.Request("GET", "/api/v1/users", params=query)
    response, findings = _judge(lenient, LIST_USERS, generated, sent, "query")
    assert "size" not in sent_query(response.request), response.request.url
    assert response.status_code == 200
    assert [d.detail for d in findings.drifts] == ["accepted without query parameter 'size'"]


def test_a_parameter_sent_twice_is_invalid_only_when_each_value_is(lenient: RunningServer) -> None:
    query: dict[str, Any] = {"size": [1, "x"], "page": 1}
    generated = {"query": query}
    sent = requests.Request("GET", "/api/v1/users", params=query)
    response, findings = _judge(lenient, LIST_USERS, generated, sent, "query")
    assert response.status_code == 200
    assert not findings.drifts


def test_what_went_out_invalid_is_still_judged_invalid(lenient: RunningServer) -> None:
    """A generated value that was valid as drawn but not as sent (a boolean sent as `True`) is invalid input."""
    query: dict[str, Any] = {"size": True, "page": 1}
    generated = {"query": query}
    sent = requests.Request("GET", "/api/v1/users", params=query)
    response, _ = _judge(lenient, LIST_USERS, generated, sent, "query")
    assert response.status_code in specs.policy().invalid_input_statuses
    accepted = requests.Request("GET", "/api/v1/users?page=1&size=2")  # what went out is valid
    response, _ = _judge(lenient, LIST_USERS, {"query": {"size": "x", "page": 1}}, accepted, "query")
    assert response.status_code == 200
