"""The ledger remembers what the run made; the guard refuses to touch anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

import specs
from contract.harness import MISSING_PREFIX, Credentials, Entry, Ledger
from contract.harness.sending._api import SafetyGuard, UnsafeRequest

OPS = specs.operations_by_id()


def test_ledger_file_replays_what_is_still_alive(tmp_path: Path) -> None:
    ledger = Ledger("run1", tmp_path / "ledger.jsonl")
    ledger.record(Entry("user", "u1"))
    ledger.record(Entry("token", "t1", parent="u1", parent_kind="user"))
    ledger.record(Entry("user", "u2"))
    ledger.record(Entry("group", "g1", tenant="main"))
    ledger.forget("user", "u1")
    assert {(e.kind, e.id) for e in ledger.live()} == {("user", "u2"), ("group", "g1")}
    assert {(e.kind, e.id) for e in Ledger.read_file(tmp_path / "ledger.jsonl")} == {("user", "u2"), ("group", "g1")}


def test_cleanup_order_is_tokens_users_accounts_groups() -> None:
    ledger = Ledger("run1")
    for entry in [
        Entry("group", "g"),
        Entry("service_account", "s"),
        Entry("user", "u"),
        Entry("token", "t", parent="u"),
    ]:
        ledger.record(entry)
    assert [e.kind for e in ledger.in_cleanup_order()] == ["token", "user", "service_account", "group"]


@pytest.mark.parametrize(
    ("operation", "path"),
    [
        ("deleteUser", {"id": "pre-existing"}),
        ("patchUserSuperAdmin", {"id": "pre-existing"}),
        ("deleteApiToken_1", {"id": "mine", "tokenId": "theirs"}),
        ("createApiTokensForUser_1", {"id": "pre-existing"}),
        ("deleteServiceAccount", {"id": "pre-existing"}),
        ("deleteGroup", {"id": "pre-existing", "tenant": "main"}),
    ],
)
def test_guard_refuses_objects_the_run_did_not_create(operation: str, path: dict[str, str]) -> None:
    ledger = Ledger("run1")
    ledger.record(Entry("user", "mine"))
    with pytest.raises(UnsafeRequest):
        SafetyGuard(ledger).check(OPS[operation], path, None)


def test_guard_allows_own_objects_missing_ids_and_reads() -> None:
    ledger = Ledger("run1")
    ledger.record(Entry("user", "mine"))
    ledger.record(Entry("token", "tok", parent="mine"))
    guard = SafetyGuard(ledger)
    guard.check(OPS["deleteApiToken_1"], {"id": "mine", "tokenId": "tok"}, None)
    guard.check(OPS["deleteUser"], {"id": MISSING_PREFIX + "x"}, None)
    guard.check(OPS["getUser"], {"id": "anyone"}, None)


def test_guard_never_changes_the_suites_own_password() -> None:
    guard = SafetyGuard(Ledger("run1"))
    with pytest.raises(UnsafeRequest, match="identity the suite runs as"):
        guard.check(OPS["updateCurrentUserPassword"], {}, None)
    guard.check(OPS["updateCurrentUserPassword"], {}, Credentials("made@example.com", "pw"))


def test_read_only_guard_refuses_every_change() -> None:
    guard = SafetyGuard(Ledger("run1"), read_only=True)
    with pytest.raises(UnsafeRequest, match="read-only"):
        guard.check(OPS["createUser"], {}, None)
    guard.check(OPS["listUsers"], {}, None)
