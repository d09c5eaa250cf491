"""Not a test of the project: a stand-in for a run that is stopped midway.

tests/test_safety.py runs it with `pytest -p contract.conftest -p tests.safety_probe.readiness`
(it is named so that `pytest tests` does not collect it). Each test creates one object
of every kind, says that its process is ready to be interrupted (see readiness.py),
then waits to be killed or interrupted.
"""

from __future__ import annotations

import time

import pytest

from contract.harness import Run
from tests.safety_probe.readiness import announce

#: Longer than tests/test_safety.py waits for every process to be ready and then for the
#: run to stop: a slow sibling must not let this test's hold run out first.
HOLD_SECONDS = 600.0


@pytest.mark.mutating
@pytest.mark.parametrize("n", [1, 2])
def test_create_then_hold(run: Run, n: int) -> None:
    user, _ = run.arrange.create_user()
    run.arrange.create_token(user.id)
    account = run.arrange.create_service_account()
    run.arrange.create_token(account, "service_account")
    run.arrange.create_group(members=[user.id])
    announce(run.worker, holding=f"test_create_then_hold[{n}]", live=len(run.ledger.live()))
    deadline = time.monotonic() + HOLD_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
    pytest.fail("nobody stopped the probe")
