"""Hypothesis profiles: how hard each kind of run works.

Chosen with hypothesis's own `--hypothesis-profile`. `default` is what a laptop or a
pull request runs; `ci` digs twice as deep; `nightly` is for staging at night.

The run's seed, shared with modules that pytest imports after configuration.

conftest.py decides the seed in pytest_configure (from --hypothesis-seed, or at random)
and publishes it here; the fuzz module reads it at import to seed schemathesis, so one
`--hypothesis-seed=N` replays both engines. An environment variable carries it, so that
xdist workers and subprocesses see the same value.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

__all__ = ["PROFILES", "publish_run_seed", "register_profiles", "run_seed"]


_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    "database": None,
    "print_blob": True,
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink, Phase.explain],
}

#: name -> (max_examples, stateful_step_count)
PROFILES: dict[str, tuple[int, int]] = {
    "default": (25, 20),
    "ci": (60, 30),
    "nightly": (400, 60),
}


def register_profiles() -> None:
    for name, (examples, steps) in PROFILES.items():
        settings.register_profile(name, max_examples=examples, stateful_step_count=steps, **_COMMON)  # type: ignore[arg-type]
    settings.load_profile("default")


_ENV = "KESTRA_CONTRACT_SEED"


def publish_run_seed(seed: int) -> None:
    os.environ[_ENV] = str(seed)


def run_seed() -> int | None:
    value = os.environ.get(_ENV)
    return int(value) if value else None
