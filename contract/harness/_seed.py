"""The run's seed, shared with modules that pytest imports after configuration.

conftest.py decides the seed in pytest_configure (from --hypothesis-seed, or at random)
and publishes it here; the fuzz module reads it at import to seed schemathesis, so one
`--hypothesis-seed=N` replays both engines. An environment variable carries it, so that
xdist workers and subprocesses see the same value.
"""

from __future__ import annotations

import os

__all__ = ["publish_run_seed", "run_seed"]

_ENV = "KESTRA_CONTRACT_SEED"


def publish_run_seed(seed: int) -> None:
    os.environ[_ENV] = str(seed)


def run_seed() -> int | None:
    value = os.environ.get(_ENV)
    return int(value) if value else None
