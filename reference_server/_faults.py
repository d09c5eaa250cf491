"""Deliberate defects the reference server can switch on, to prove the suite catches them.

Each is the kind of bug a real server ships. The self-tests in tests/ run the suite
against the server with each one and assert that it fails.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FAULTS", "validate_faults"]

FAULTS: dict[str, str] = {}


def validate_faults(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
