"""Hypothesis's example database for a run: failures found before are tried first.

Hypothesis keeps every failing example it finds under a key of its test and replays
those before it generates anything new (its `reuse` phase). The suite forces a seed on
every run (so each failure prints a replay line), and hypothesis then turns its
database off unless the test carries an explicit key: so every test of the suite gets
one here (`example_key`), made from its node id alone and stable from run to run. A
state machine's shards are separate hypothesis runs: each shard keeps its own key (its
machine and its place, not the shard count, so a profile with more shards still
replays the first ones).

`ExampleMemory` is the one database of a run. It reads and writes `--example-db DIR`
(a `DirectoryBasedExampleDatabase`, carried from night to night), offers the committed
regression corpus read-only on top, and notes what this run saved, so that a failing
test's example can be written to the corpus. A replay is a choice sequence, not a
request: the run's own prefix, objects and seed are drawn anew, so a replayed example
names only objects of the new run.
"""

from __future__ import annotations

import base64
import threading
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from contract.harness.lifecycle._background import plain_nodeid

__all__ = [
    "ExampleMemory",
    "decode_example",
    "encode_example",
    "example_key",
    "key_name",
    "remember_examples",
]

_PREFIX = "kct:"


def key_name(nodeid: str) -> str:
    """What a test's examples are filed under: its node id; a machine shard's without its shard count."""
    head, bracket, params = plain_nodeid(nodeid).partition("[")
    if bracket and params.startswith("shard-") and "-of-" in params:
        return f"{head}[{params.split('-of-', 1)[0]}]"
    return plain_nodeid(nodeid)


def example_key(nodeid: str) -> bytes:
    """The database key of the test `nodeid` (hypothesis reads it from `_hypothesis_internal_database_key`)."""
    return (_PREFIX + key_name(nodeid)).encode()


def encode_example(value: bytes) -> str:
    """A database entry as the blob `@reproduce_failure(version, blob)` takes (hypothesis's own encoding)."""
    compressed = zlib.compress(value)
    blob = b"\1" + compressed if len(compressed) < len(value) else b"\0" + value
    return base64.b64encode(blob).decode()


def decode_example(blob: str) -> bytes:
    raw = base64.b64decode(blob.encode(), validate=True)
    if raw[:1] == b"\1":
        return zlib.decompress(raw[1:])
    if raw[:1] == b"\0":
        return raw[1:]
    raise ValueError(f"not a hypothesis example blob: {blob[:20]!r}")


class ExampleMemory(ExampleDatabase):
    """A directory database (optional), the regression corpus (read-only), and what this run saved."""

    def __init__(self, directory: Path | None = None, corpus: Mapping[bytes, Iterable[bytes]] | None = None) -> None:
        super().__init__()
        self.directory = directory
        self._disk = DirectoryBasedExampleDatabase(str(directory)) if directory is not None else None
        self._corpus = {key: list(dict.fromkeys(values)) for key, values in (corpus or {}).items()}
        self._saved: dict[bytes, list[bytes]] = {}
        #: How many stored examples each key offered when its test began (primary keys only).
        self._offered: dict[bytes, int] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ExampleMemory({self.directory}, corpus of {sum(map(len, self._corpus.values()))})"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        values = list(dict.fromkeys([*self._corpus.get(key, ()), *(self._disk.fetch(key) if self._disk else ())]))
        if key.startswith(_PREFIX.encode()) and not key.endswith((b".secondary", b".pareto")):
            with self._lock:
                self._offered.setdefault(key, len(values))
        return values

    def save(self, key: bytes, value: bytes) -> None:
        with self._lock:
            saved = self._saved.setdefault(key, [])
            if value not in saved:
                saved.append(value)
        if self._disk is not None:
            self._disk.save(key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        with self._lock:
            if value in self._saved.get(key, []):
                self._saved[key].remove(value)
        if self._disk is not None:
            self._disk.delete(key, value)

    def failing(self, nodeid: str) -> list[bytes]:
        """The examples this run filed as failing for `nodeid` (hypothesis's shrunk ones, the smallest first)."""
        with self._lock:
            values = list(self._saved.get(example_key(nodeid), []))
        return sorted(values, key=lambda v: (len(v), v))

    def offered(self) -> dict[str, int]:
        """Tests that began with stored examples to try first, and how many (corpus and directory)."""
        with self._lock:
            return {key.decode()[len(_PREFIX) :]: n for key, n in sorted(self._offered.items()) if n}

    @property
    def corpus_size(self) -> int:
        return sum(len(values) for values in self._corpus.values())


def remember_examples(memory: ExampleMemory, profile: str | None = None) -> None:
    """Give the hypothesis profile `profile` (the loaded one by default) this database, and load it.

    Every test inherits it from the profile; hypothesis's pytest plugin, which loads
    `--hypothesis-profile` after the suite's configure, then loads this one.
    """
    name = profile or settings.get_current_profile_name()
    settings.register_profile(name, settings(settings.get_profile(name), database=memory))
    settings.load_profile(name)
