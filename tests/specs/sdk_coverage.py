"""Compare an SDK's routes with the documented operations."""

from __future__ import annotations

from collections.abc import Iterable

import specs


def missing_routes(routes: dict[str, tuple[str, str]], operations: Iterable[specs.Operation]) -> list[str]:
    """SDK methods whose HTTP method and path the description does not have."""
    documented = {(op.method, op.path) for op in operations}
    return sorted(
        f"{name}: {method} {path}" for name, (method, path) in routes.items() if (method, path) not in documented
    )
