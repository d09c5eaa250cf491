"""The ledger: written down once per object, cascades owners to tokens, survives a torn last line."""

from __future__ import annotations

import json
from pathlib import Path

from contract.harness import Entry, Ledger


def _lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_recording_an_object_twice_writes_it_once(tmp_path: Path) -> None:
    ledger = Ledger("run1", tmp_path / "ledger" / "main.jsonl")
    first = ledger.record(Entry("user", "U1", label="kct-run1-1@x.test"))
    again = ledger.record(Entry("user", "U1", label="other"))
    assert again is first
    assert len(_lines(tmp_path / "ledger" / "main.jsonl")) == 1
    assert ledger.created == 1


def test_forgetting_an_owner_forgets_its_tokens_in_the_file_too(tmp_path: Path) -> None:
    path = tmp_path / "main.jsonl"
    ledger = Ledger("run1", path)
    ledger.record(Entry("user", "U1"))
    ledger.record(Entry("token", "T1", parent="U1", parent_kind="user"))
    ledger.record(Entry("token", "T2", parent="U2", parent_kind="user"))
    ledger.forget("user", "U1")
    assert [e.id for e in ledger.live()] == ["T2"]
    assert ledger.owns("token", "T1")
    assert [e.id for e in Ledger.read_file(path)] == ["T2"]


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "main.jsonl"
    ledger = Ledger("run1", path)
    ledger.record(Entry("group", "G1", tenant="main"))
    with path.open("a") as handle:
        handle.write('{"op": "created", "kind": "us')
    assert Ledger.read_file(path) == [Entry("group", "G1", tenant="main")]


def test_a_resumed_ledger_writes_its_deletions_back(tmp_path: Path) -> None:
    path = tmp_path / "gw0-1.jsonl"
    original = Ledger("run1", path)
    for object_id in ("U1", "U2"):
        original.record(Entry("user", object_id))
    resumed = Ledger.resume("run1", path)
    assert {e.id for e in resumed.live()} == {"U1", "U2"}
    resumed.forget("user", "U1")
    assert [e.id for e in Ledger.read_file(path)] == ["U2"]
    assert sum(1 for line in _lines(path) if line["op"] == "created") == 2
