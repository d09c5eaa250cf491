"""A ledger file read back after a run holds only what is still alive."""

from pathlib import Path

from contract.harness import Entry, Ledger


def test_an_owner_deleted_takes_its_tokens_with_it_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger("abc123", path)
    ledger.record(Entry("user", "u1"))
    ledger.record(Entry("token", "t1", parent="u1", parent_kind="user"))
    ledger.record(Entry("user", "u2"))
    ledger.record(Entry("token", "t2", parent="u2", parent_kind="user"))
    ledger.forget("user", "u1")
    alive = {(e.kind, e.id) for e in Ledger.read_file(path)}
    assert alive == {("user", "u2"), ("token", "t2")}
    assert alive == {(e.kind, e.id) for e in ledger.live()}
