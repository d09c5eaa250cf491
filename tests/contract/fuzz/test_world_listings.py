"""A listing that cannot be read is never evidence that something is absent.

The fuzz checks that a refused request made nothing, and that a deleted token is off its
owner's list, read listings. Against a server whose listings answer 403 or a body that is
not a page, each must fail as a violation of its own, never pass as "nothing listed".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from contract.fuzz import FuzzEngine
from contract.fuzz._checks import deleted_tokens_are_gone
from contract.fuzz._registry import CheckContext
from contract.fuzz._world import Prepared
from contract.harness import ContractViolation, Credentials, Run, Target
from reference_server import RunningServer, spawn
from strategies import new_run_id
from tests._faulty_proxy import LISTS_FORBIDDEN, LISTS_UNREADABLE, FaultyProxy, faulty_proxy


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with spawn() as running:
        yield running


@pytest.fixture
def proxy(server: RunningServer) -> Iterator[FaultyProxy]:
    with faulty_proxy(server.url) as running:
        yield running


@pytest.fixture
def engine(proxy: FaultyProxy, server: RunningServer, tmp_path: Path) -> Iterator[FuzzEngine]:
    target = Target(proxy.url, Credentials(server.username, server.password), "main", embedded=False)
    run = Run(new_run_id(), "main", target, tmp_path, seed=1, read_only=False, settle_window=0.5)
    engine = FuzzEngine(run)
    engine.world.ensure_pool()
    run.pending.verify()
    try:
        yield engine
    finally:
        proxy.faults.clear()
        engine.close()
        assert run.finish().ok


@pytest.mark.parametrize("fault", [LISTS_FORBIDDEN, LISTS_UNREADABLE])
def test_a_failing_listing_is_never_read_as_nothing_new(engine: FuzzEngine, proxy: FaultyProxy, fault: str) -> None:
    world = engine.world
    email = engine.run.names.email()
    assert world._unknown_tokens() is None
    assert world._unknown_users(email) is None
    proxy.faults.add(fault)
    with pytest.raises(ContractViolation, match="listApiTokens"):
        world._unknown_tokens()
    with pytest.raises(ContractViolation, match="listUsers"):
        world._unknown_users(email)
    with pytest.raises(ContractViolation):
        world.expect_nothing_new({"email": email})
    assert any(injected.startswith(fault) for injected in proxy.injected)


@pytest.mark.parametrize("fault", [LISTS_FORBIDDEN, LISTS_UNREADABLE])
def test_a_deleted_token_is_not_off_a_list_that_cannot_be_read(
    engine: FuzzEngine, proxy: FaultyProxy, fault: str
) -> None:
    run, world = engine.run, engine.world
    owner = world.pool_users[0]
    token = world._fresh_token(owner.id, "user")
    path = {"id": owner.id, "tokenId": token.id}
    deleted = run.api.call("deleteApiToken_1", path)
    assert deleted.status == 204
    proxy.faults.add(fault)
    context = CheckContext(run, world, run.api.operation("deleteApiToken_1"), Prepared(), deleted)
    response, case = SimpleNamespace(status_code=204), SimpleNamespace(path_parameters=path)
    with pytest.raises(ContractViolation, match="listApiTokens_1"):
        deleted_tokens_are_gone(context, cast(Any, response), cast(Any, case))
