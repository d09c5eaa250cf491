"""Hand-written invalid requests that generation reaches only by luck: each refused, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specs
import strategies
from contract.fuzz import FuzzEngine
from contract.harness import OWN_TOKEN_MAX_AGE, ContractViolation, Run, expect_status, missing_id

pytestmark = [pytest.mark.fuzz, pytest.mark.mutating]

POLICY = specs.policy()
WITH_BODY = sorted(op.operation_id for op in specs.operations() if "requestBody" in op.definition)


@pytest.mark.parametrize("operation_id", WITH_BODY)
@settings(max_examples=3)
@given(data=st.data())
def test_malformed_json_is_refused_and_changes_nothing(
    operation_id: str, data: st.DataObject, run: Run, fuzz_engine: FuzzEngine
) -> None:
    world = fuzz_engine.world
    world.ensure_pool()
    prepared = world.prepare(operation_id, data.draw, negated=frozenset({"body"}))
    before = world.observable_state()
    exchange = run.api.call(
        operation_id,
        prepared.path,
        content=b'{"email": "x@y.z", "name": ',
        headers={"Content-Type": "application/json"},
        as_=prepared.as_,
    )
    allowed = POLICY.invalid_input_statuses | (POLICY.unknown_id_statuses if prepared.aims_at_missing else set())
    expect_status(exchange, allowed, "malformed JSON")
    after = world.observable_state()
    if before != after:
        raise ContractViolation("nothing changes after a refused request", exchange, _diff(before, after))
    world.expect_nothing_new()


@settings(max_examples=10)
@given(name=strategies.invalid_token_names, max_age=st.none() | strategies.invalid_durations)
def test_invalid_token_requests_are_refused(name: str, max_age: str | None, run: Run, fuzz_engine: FuzzEngine) -> None:
    """A name outside its pattern or a maxAge that is not a duration: 400 or 422, and no token."""
    world = fuzz_engine.world
    world.ensure_pool()
    owner = world.pool_users[0]
    body = {
        "name": name if max_age is None else run.names.unique(),
        "description": "",
        "maxAge": max_age or OWN_TOKEN_MAX_AGE,
        "extended": False,
    }
    before = world.observable_state()
    exchange = run.api.call("createApiTokensForUser_1", {"id": owner.id}, json=body)
    if exchange.status == 200:
        fuzz_engine.book_created(run.api.operation("createApiTokensForUser_1"), {"id": owner.id}, body, exchange)
    expect_status(
        exchange, POLICY.invalid_input_statuses, f"invalid token request ({'name' if max_age is None else 'maxAge'})"
    )
    after = world.observable_state()
    if before != after:
        raise ContractViolation("nothing changes after a refused request", exchange, _diff(before, after))
    world.expect_nothing_new()


LENIENCY_PROBES: dict[str, Callable[[Run], dict[str, Any]]] = {
    "createUser": lambda run: run.arrange.user_body(),
    "createApiTokensForUser_1": lambda run: run.arrange.token_body(),
}


@pytest.mark.parametrize("operation_id", sorted(LENIENCY_PROBES))
def test_omitted_required_fields(operation_id: str, run: Run, fuzz_engine: FuzzEngine) -> None:
    """A body without one required field is refused, or accepted and recorded as drift (never failed)."""
    operation = run.api.operation(operation_id)
    for field in _required_fields(operation):
        body = {k: v for k, v in LENIENCY_PROBES[operation_id](run).items() if k != field}
        fuzz_engine.probe_leniency(operation, body, omitted=field)


def _unsupported_methods() -> list[tuple[str, str]]:
    documented: dict[str, set[str]] = {}
    for operation in specs.operations(include_setup=True):
        documented.setdefault(operation.path, set()).add(operation.method)
    every = {"GET", "PUT", "POST", "DELETE", "PATCH"}
    paths = sorted({op.path for op in specs.operations()})
    # A DELETE, PUT or PATCH aimed at a path without ids could act on a whole collection
    # of a server that does not follow its documentation: never sent (Api.send_raw refuses).
    return [
        (path, method)
        for path in paths
        for method in sorted(every - documented[path])
        if _names_an_id(path) or method not in ("DELETE", "PUT", "PATCH")
    ]


def _names_an_id(path: str) -> bool:
    return any(part.startswith("{") and part != "{tenant}" for part in path.split("/"))


@pytest.mark.parametrize(("path", "method"), _unsupported_methods())
def test_unsupported_method(path: str, method: str, run: Run) -> None:
    """A method the path does not document gets 404 or 405: never a success, never a 5xx."""
    ids = {"id": missing_id("user"), "tokenId": missing_id("token"), "auth": missing_id("auth")}
    exchange = run.api.send_raw(method, path.format(tenant=run.target.tenant, **ids))
    expect_status(exchange, POLICY.unsupported_method_statuses, "method not documented for this path")


def _required_fields(operation: specs.Operation) -> list[str]:
    ref = operation.definition["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return list(specs.openapi()["components"]["schemas"][ref.rsplit("/", 1)[-1]]["required"])


def _diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    return "changed: " + ", ".join(changed)
