"""Not a test of the project: a stand-in for a run that is stopped midway.

tests/test_safety.py runs it with `pytest -p contract.conftest` (it is named so that
`pytest tests` does not collect it). Each test creates one object of every kind, says
so in a file, then waits to be killed or interrupted.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from contract.harness import Run

HOLD_SECONDS = 60.0


@pytest.mark.mutating
@pytest.mark.parametrize("n", [1, 2])
def test_create_then_hold(run: Run, n: int) -> None:
    user, _ = run.arrange.create_user()
    run.arrange.create_token(user.id)
    account = run.arrange.create_service_account()
    run.arrange.create_token(account, "service_account")
    run.arrange.create_group(members=[user.id])
    ready = Path(os.environ["SAFETY_PROBE_DIR"]) / f"ready-{n}"
    ready.write_text(str(len(run.ledger.live())))
    deadline = time.monotonic() + HOLD_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
    pytest.fail("nobody stopped the probe")
