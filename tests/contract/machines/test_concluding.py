"""A shard that an unstable target left unable to conclude is run again from its start."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest
from hypothesis.errors import Unsatisfiable

from contract.harness import Budget, ContractViolation, Run, UnstableTarget
from contract.harness.lifecycle import Progress
from contract.harness.records import Record
from contract.machines import Shard
from contract.machines._side_by_side import SHARD_TRIES, _until_concluded

SHARD = Shard(0, 1, 2)


def _run() -> tuple[Run, Record, Progress]:
    record, progress = Record(), Progress(Budget())
    progress.begin("m[shard-1-of-1]")
    return cast(Run, SimpleNamespace(record=record, progress=progress)), record, progress


def test_a_shard_cut_short_by_the_target_runs_again_until_it_concludes() -> None:
    run, record, progress = _run()
    runs = []

    def body(run: Run, shard: Shard) -> None:
        runs.append(shard)
        if len(runs) < SHARD_TRIES:
            record.unstable("deleteUser", "502 from a gateway (text/html, 10 bytes)")
            raise Unsatisfiable("every example was rejected")

    _until_concluded(run, SHARD, body)
    assert len(runs) == SHARD_TRIES
    assert progress.snapshot()["retried"] == {"m[shard-1-of-1]": SHARD_TRIES - 1}


def test_a_shard_the_target_never_lets_conclude_ends_unstable() -> None:
    run, record, _ = _run()
    runs = []

    def body(run: Run, shard: Shard) -> None:
        runs.append(shard)
        record.unstable("deleteUser", "ReadTimeout")
        raise Unsatisfiable("every example was rejected")

    with pytest.raises(UnstableTarget):
        _until_concluded(run, SHARD, body)
    assert len(runs) == SHARD_TRIES


def test_a_violation_is_never_run_again() -> None:
    run, _, progress = _run()
    runs = []

    def body(run: Run, shard: Shard) -> None:
        runs.append(shard)
        raise ContractViolation("status 204")

    with pytest.raises(ContractViolation):
        _until_concluded(run, SHARD, body)
    assert len(runs) == 1
    assert progress.snapshot()["retried"] == {}
