"""Hypothesis profiles: how hard each kind of run works.

Chosen with hypothesis's own `--hypothesis-profile`. `default` is what a laptop or a
pull request runs; `ci` digs twice as deep; `nightly` is for staging at night.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

__all__ = ["PROFILES", "register_profiles"]

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
