"""Not a test of the project: a stand-in for a run that is stopped midway.

tests/test_safety.py runs it with `pytest --contract-session -p tests.safety_probe.readiness`
(it is named so that `pytest tests` does not collect it). Each test creates one object
of every kind, says that its process is ready to be interrupted (see readiness.py),
then waits to be killed or interrupted. `test_side_by_side_hold` does the same in two
machine shards that run in threads, which go on creating until the run stops them.
"""

from __future__ import annotations

import threading
import time

import pytest

from contract.harness import Run
from contract.machines import Shard, run_shard
from strategies import EMAIL_DOMAIN
from tests.safety_probe.readiness import announce

#: Longer than tests/test_safety.py waits for every process to be ready and then for the
#: run to stop: a slow sibling must not let this test's hold run out first.
HOLD_SECONDS = 600.0


@pytest.mark.mutating
@pytest.mark.parametrize("n", [1, 2])
def test_create_then_hold(run: Run, n: int) -> None:
    _one_of_each_kind(run)
    announce(run.worker, holding=f"test_create_then_hold[{n}]", live=len(run.ledger.live()))
    deadline = time.monotonic() + HOLD_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
    pytest.fail("nobody stopped the probe")


_holding = threading.Barrier(2)


@pytest.mark.mutating
@pytest.mark.parametrize("shard", [Shard(0, 2, 1), Shard(1, 2, 1)], ids=str)
def test_side_by_side_hold(run: Run, shard: Shard, request: pytest.FixtureRequest) -> None:
    run_shard(request.node, run, shard, _shard_hold)


def _shard_hold(run: Run, shard: Shard) -> None:
    """Create, say so once both shards hold, then go on creating (a group at a time) until stopped."""
    _one_of_each_kind(run)
    if _holding.wait(HOLD_SECONDS) == 0:
        announce(run.worker, holding="test_side_by_side_hold: two shards in threads", live=len(run.ledger.live()))
    deadline = time.monotonic() + HOLD_SECONDS
    while time.monotonic() < deadline:
        run.arrange.create_group()  # a shard that outlived the run would leave this behind
        time.sleep(0.05)
    pytest.fail("nobody stopped the probe")


def _one_of_each_kind(run: Run) -> None:
    """A user and its token, a service account and its token, a group: PER_PROBE objects.

    The user's email is on a subdomain, as the strategies make some: a sweep must find it too.
    """
    arrange = run.arrange
    user, _ = arrange.create_user(arrange.user_body(email=run.names.email("probe", f"mail.{EMAIL_DOMAIN}")))
    run.arrange.create_token(user.id)
    account = run.arrange.create_service_account()
    run.arrange.create_token(account, "service_account")
    run.arrange.create_group(members=[user.id])
