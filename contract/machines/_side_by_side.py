"""A machine's shards side by side in one process.

A shard spends most of its time waiting: for the network against a distant server, for
a lagging search to show a new user. Under xdist the shards are spread over workers; in
a single process the first shard of a machine to run starts every selected shard of that
machine in a thread (`Run.background`), and each shard's item then waits for its own
outcome. Each shard stays a pytest test of its own, with its seed, its replay line and
its report: only when it runs changes.

A shard whose examples an unstable target cut short so often that hypothesis could not
conclude (`unstable_when_cut_short`) is run again from its start, a fresh hypothesis run
with the same seed, up to `SHARD_TRIES` times while the budget allows: behind a flaky
gateway every shard still concludes, and which requests the gateway drops decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract.harness import NOT_STARTED, Run, UnstableTarget, current_test, unstable_when_cut_short
from contract.machines._shards import Shard

__all__ = ["run_shard"]

#: What one shard of a machine does: a complete hypothesis run of it.
ShardBody = Callable[[Run, Shard], None]

#: Complete runs of a shard at most, while the target leaves it unable to conclude.
SHARD_TRIES = 3


def run_shard(item: pytest.Item, run: Run, shard: Shard, body: ShardBody) -> None:
    """`body(run, shard)` for this item: in a thread started with its siblings, or here under xdist."""
    siblings = _siblings(item)
    if len(siblings) < 2 or not _side_by_side(item.config):
        _until_concluded(run, shard, body)
        return
    for nodeid, sibling in siblings:
        if not run.background.started(nodeid):
            run.progress.claim(nodeid)
            run.background.start(nodeid, _ahead(run, nodeid, sibling, body))
    run.background.outcome(item.nodeid)


def _ahead(run: Run, nodeid: str, shard: Shard, body: ShardBody) -> Callable[[], None]:
    def shard_in_thread() -> None:
        run.progress.begin(nodeid)
        if not run.progress.fits(nodeid):
            raise pytest.skip.Exception(NOT_STARTED)
        _until_concluded(run, shard, body)

    return shard_in_thread


def _until_concluded(run: Run, shard: Shard, body: ShardBody) -> None:
    """`body(run, shard)`, run again from its start when the target left it unable to conclude."""
    for attempt in range(1, SHARD_TRIES + 1):
        try:
            with unstable_when_cut_short(run.record.unstable_total):
                body(run, shard)
            return
        except UnstableTarget:
            if attempt == SHARD_TRIES or not run.progress.fits(current_test()):
                raise
            run.progress.retried()


def _siblings(item: pytest.Item) -> list[tuple[str, Shard]]:
    """The shards of this machine test that this process will run (pytest's selection), in order."""
    name = getattr(item, "originalname", None)
    found = []
    for other in item.session.items:
        params = getattr(getattr(other, "callspec", None), "params", {})
        if other.parent is item.parent and getattr(other, "originalname", None) == name and "shard" in params:
            found.append((other.nodeid, params["shard"]))
    return found


def _side_by_side(config: pytest.Config) -> bool:
    """Not on xdist workers (xdist spreads the shards), nor under --pdb (one thread to debug)."""
    return not hasattr(config, "workerinput") and not config.getoption("usepdb", False)
