"""Which test the running code works for.

pytest runs one test at a time per process, but a machine's shards may run side by side
in threads (`Background`): so the test is kept per thread, set as each test or shard
begins, and read by what counts examples or names the origin of a late check.
"""

from __future__ import annotations

import threading

__all__ = ["current_test", "set_current_test"]

_local = threading.local()


def current_test() -> str:
    """The node id this thread works for, or "" outside any test."""
    return str(getattr(_local, "test", ""))


def set_current_test(nodeid: str) -> None:
    _local.test = nodeid
