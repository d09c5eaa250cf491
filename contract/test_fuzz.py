"""schemathesis fuzzing of every documented operation, valid and invalid requests alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import Case

import specs
from contract._api import missing_id
from contract._exchange import expect_status
from contract._fuzz_engine import FuzzEngine, users_schema
from contract._run import Run

schema = users_schema()

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="session")
def fuzz_engine(run: Run) -> Iterator[FuzzEngine]:
    engine = FuzzEngine(run)
    yield engine
    engine.close()


@schema.parametrize()
@schema.given(data=st.data())
def test_operation(case: Case[Any], data: st.DataObject, fuzz_engine: FuzzEngine) -> None:
    """Generated requests get documented answers, valid ones succeed, invalid ones are refused."""
    fuzz_engine.execute(case, data.draw)


@schema.parametrize()
@schema.given(data=st.data(), variant=st.sampled_from(["none", "malformed", "wrong-password", "unknown-token"]))
@settings(max_examples=max(4, settings().max_examples // 5))
def test_requires_credentials(case: Case[Any], data: st.DataObject, variant: str, fuzz_engine: FuzzEngine) -> None:
    """Without valid credentials every operation answers 401, whatever the request."""
    fuzz_engine.execute_unauthenticated(case, data.draw, variant)


LENIENCY_PROBES = {
    "createUser": lambda run: run.arrange.user_body(),
    "createApiTokensForUser_1": lambda run: run.arrange.token_body(),
}


@pytest.mark.mutating
@pytest.mark.parametrize("operation_id", sorted(LENIENCY_PROBES))
def test_omitted_required_fields(operation_id: str, run: Run, fuzz_engine: FuzzEngine) -> None:
    """A body without one required field is refused, or accepted and recorded as drift (never failed)."""
    operation = run.api.operation(operation_id)
    required = _required_fields(operation)
    for field in required:
        body = {k: v for k, v in LENIENCY_PROBES[operation_id](run).items() if k != field}
        fuzz_engine.probe_leniency(operation, body, omitted=field)


def _required_fields(operation: specs.Operation) -> list[str]:
    ref = operation.definition["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    return list(specs.openapi()["components"]["schemas"][name]["required"])


def _unsupported_methods() -> list[tuple[str, str]]:
    documented: dict[str, set[str]] = {}
    for operation in specs.operations(include_setup=True):
        documented.setdefault(operation.path, set()).add(operation.method)
    users_paths = {op.path for op in specs.operations()}
    every = {"GET", "PUT", "POST", "DELETE", "PATCH"}
    return [(path, method) for path in sorted(users_paths) for method in sorted(every - documented[path])]


@pytest.mark.parametrize(("path", "method"), _unsupported_methods())
def test_unsupported_method(path: str, method: str, run: Run) -> None:
    """A method the path does not document gets 404 or 405: never a success, never a 5xx."""
    url = path.format(
        tenant=run.target.tenant, id=missing_id("user"), tokenId=missing_id("token"), auth=missing_id("a")
    )
    exchange = run.api.send_raw(method, url)
    expect_status(exchange, specs.policy().unsupported_method_statuses, "method not documented for this path")
