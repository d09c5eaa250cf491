"""An SDK failure never carries a secret into a report, even one the suite's own requests never saw.

SDK calls bypass the suite's `Api`, so the masker learns of their secrets from the call
itself; and an SDK's errors echo what it could not read (a pydantic error shows the
response). A server that answers a new token in a shape the SDK cannot read makes such an
error; the secret is the one the server issued (its own record), looked for in the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import specs
from contract.harness import Credentials, Run, Target
from contract.sdk import Outcome, check_call, load_sdk
from reference_server import RunningServer, spawn
from strategies import new_run_id
from tests._faulty_proxy import TOKEN_IN_A_LIST, faulty_proxy
from tests._seeded import snapshot


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with spawn() as running:
        yield running


def test_an_sdk_that_cannot_read_a_new_token_does_not_show_it(server: RunningServer, tmp_path: Path) -> None:
    with faulty_proxy(server.url, TOKEN_IN_A_LIST) as proxy:
        target = Target(proxy.url, Credentials(server.username, server.password), "main", embedded=False)
        run = Run(new_run_id(), "main", target, tmp_path, seed=1, read_only=False, settle_window=0.5)
        try:
            _, result = check_call(load_sdk(), run, specs.operations_by_id()["createApiTokensForUser_1"])
        finally:
            run.finish()
    assert any(injected.startswith(TOKEN_IN_A_LIST) for injected in proxy.injected)
    assert result.outcome is Outcome.UNPARSED, result
    issued = snapshot(server)["secretsIssued"]["fullTokens"]
    assert issued, "the server issued no token: the test proves nothing"
    shown = " ".join([result.detail, *result.notes])
    assert "***" in shown, shown
    assert not [token for token in issued if token in shown], shown
