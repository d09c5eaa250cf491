"""Tests that run in threads before pytest reaches them, and how they stop.

Against a server that makes each request wait (distance, a lagging search), one process
can keep several tests in flight: a machine's shards start side by side when its first
shard runs, and each shard's pytest item then waits for its own outcome. pytest sees
each shard as a test of its own, as before. When the run ends early (Ctrl-C, `-x`, a
lost identity) the threads' next request raises `Halted`, and cleanup starts only once
every thread has stopped: nothing is created behind its back.

Which test the running code works for.

pytest runs one test at a time per process, but a machine's shards may run side by side
in threads (`Background`): so the test is kept per thread, set as each test or shard
begins, and read by what counts examples or names the origin of a late check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

__all__ = ["Background", "Halted", "current_test", "in_background", "plain_nodeid", "set_current_test"]


_local = threading.local()


def in_background() -> bool:
    """Whether this thread runs a test for `Background` (not pytest's own thread)."""
    return bool(getattr(_local, "background", False))


class Halted(BaseException):
    """The run is ending: a background thread stops at its next request (never caught as a failure)."""


class Background:
    """A pool of threads for tests that run ahead of their pytest items."""

    def __init__(self, halted: threading.Event, join_timeout: float = 120.0) -> None:
        #: Set when the run ends: the Api refuses every request of a background thread.
        self.halted = halted
        self.join_timeout = join_timeout
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def start(self, test: str, body: Callable[[], None]) -> None:
        """Run `body` for `test` in a thread now (once per test; a halted run starts nothing)."""
        with self._lock:
            if test in self._futures or self.halted.is_set():
                return
            if self._pool is None:
                self._pool = ThreadPoolExecutor(thread_name_prefix="kct-test")
            self._futures[test] = self._pool.submit(_in_background, body)

    def started(self, test: str) -> bool:
        with self._lock:
            return test in self._futures

    def outcome(self, test: str) -> None:
        """Wait for `test`'s thread: return if it passed, raise what it raised."""
        with self._lock:
            future = self._futures[test]
        try:
            future.result()
        except KeyboardInterrupt:
            self.halt()
            raise
        except BaseException:
            # pytest formats this outcome with `ast`, which fails now and then while another
            # thread's hypothesis moves the recursion limit: let the others finish first.
            self._wait_for_all()
            raise

    def _wait_for_all(self) -> None:
        with self._lock:
            futures = list(self._futures.values())
        wait(futures)

    def halt(self) -> None:
        """Stop every thread at its next request and wait for them (bounded): before cleanup."""
        self.halted.set()
        with self._lock:
            pool, futures = self._pool, list(self._futures.values())
        if pool is None:
            return
        for future in futures:
            future.cancel()
        wait(futures, timeout=self.join_timeout)
        pool.shutdown(wait=False, cancel_futures=True)


def _in_background(body: Callable[[], None]) -> None:
    _local.background = True
    body()


_local = threading.local()


def current_test() -> str:
    """The node id this thread works for, or "" outside any test."""
    return str(getattr(_local, "test", ""))


def set_current_test(nodeid: str) -> None:
    _local.test = nodeid


def plain_nodeid(nodeid: str) -> str:
    """The node id pytest accepts: without the `@group` suffix xdist's loadgroup adds on workers."""
    return nodeid[: nodeid.rfind("@")] if nodeid.rfind("@") > nodeid.rfind("]") else nodeid
