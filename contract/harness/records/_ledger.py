"""What this run created, written down the moment the server confirms it.

The ledger is the suite's allow-list: it may change or delete only what is in it
(see _api.SafetyGuard), and it deletes all of it at the end of the session. Each
entry is also appended to a file, so a run killed with SIGKILL can be swept later.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

__all__ = ["CLEANUP_ORDER", "Entry", "Kind", "Ledger"]

Kind = Literal["token", "user", "service_account", "group"]

#: Dependency order: tokens before their owners, owners before their groups.
CLEANUP_ORDER: tuple[Kind, ...] = ("token", "user", "service_account", "group")


@dataclass(frozen=True)
class Entry:
    kind: Kind
    id: str
    #: A token's owner id; a group's or tenant service account's tenant.
    parent: str | None = None
    #: "user" or "service_account" for tokens; "self" for a token of the suite's own identity.
    parent_kind: str | None = None
    tenant: str | None = None
    label: str = ""


class Ledger:
    def __init__(self, run_id: str, path: Path | None = None) -> None:
        self.run_id = run_id
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], Entry] = {}
        self._gone: set[tuple[str, str]] = set()
        self.created = 0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    @classmethod
    def resume(cls, run_id: str, path: Path) -> Ledger:
        """The ledger a process left in `path`, to finish its cleanup: deletions append there."""
        ledger = cls(run_id, path)
        for entry in cls.read_file(path):
            ledger._entries[(entry.kind, entry.id)] = entry
        return ledger

    def record(self, entry: Entry) -> Entry:
        """Write `entry` down (once: recording the same object again changes nothing)."""
        with self._lock:
            known = self._entries.get((entry.kind, entry.id))
            if known is not None:
                return known
            self._entries[(entry.kind, entry.id)] = entry
            self.created += 1
            if self.path is not None:
                with self.path.open("a") as handle:
                    handle.write(json.dumps({"op": "created", **asdict(entry)}) + "\n")
        return entry

    def forget(self, kind: Kind, object_id: str) -> None:
        """The object is gone (deleted by a test or by cleanup), and so are its tokens."""
        with self._lock:
            entry = self._entries.pop((kind, object_id), None)
            if entry is None:
                return
            gone: list[tuple[str, str]] = [(kind, object_id)]
            if kind in ("user", "service_account"):
                gone += [key for key, e in self._entries.items() if e.kind == "token" and e.parent == object_id]
            for key in gone:
                self._entries.pop(key, None)
                self._gone.add(key)
            if self.path is not None:
                with self.path.open("a") as handle:
                    handle.writelines(json.dumps({"op": "deleted", "kind": k, "id": i}) + "\n" for k, i in gone)

    def find(self, kind: Kind, object_id: str) -> Entry | None:
        """The entry of an object alive as far as the run knows (created, not deleted since), or None."""
        with self._lock:
            return self._entries.get((kind, object_id))

    def owns(self, kind: Kind, object_id: str) -> bool:
        with self._lock:
            return (kind, object_id) in self._entries or (kind, object_id) in self._gone

    def owns_any(self, object_id: str) -> bool:
        with self._lock:
            return any(key[1] == object_id for key in (*self._entries, *self._gone))

    def live(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    def in_cleanup_order(self) -> Iterator[Entry]:
        live = self.live()
        for kind in CLEANUP_ORDER:
            yield from (e for e in live if e.kind == kind)

    @staticmethod
    def read_file(path: Path) -> list[Entry]:
        """The entries a ledger file says are still alive.

        A process killed while writing leaves a torn last line; it is skipped (the object
        it named, if any, still carries the run prefix).
        """
        alive: dict[tuple[str, str], Entry] = {}
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
                op = record.pop("op")
            except (ValueError, KeyError, AttributeError):
                continue
            key = (record["kind"], record["id"])
            if op == "created":
                alive[key] = Entry(**record)
            else:
                alive.pop(key, None)
                if record["kind"] in ("user", "service_account"):
                    # forget() drops an owner's tokens with it, without a line for each.
                    for other, entry in list(alive.items()):
                        if entry.kind == "token" and entry.parent == record["id"]:
                            del alive[other]
        return list(alive.values())
