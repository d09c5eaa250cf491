"""The SafetyGuard refuses whatever could change an object the run did not create."""

from __future__ import annotations

from typing import Any

import pytest

import specs
from contract.harness import Api, Credentials, Entry, Kind, Ledger, Target, missing_id
from contract.harness.sending._guard import SafetyGuard, UnsafeRequest, mutates

RUN = "abc123"
PREFIX = f"kct-{RUN}-"
OPERATIONS = {op.operation_id: op for op in specs.operations(include_setup=True)}
PRE_EXISTING = "PreExistingId0000000001"


@pytest.fixture
def ledger() -> Ledger:
    ledger = Ledger(RUN)
    owned: list[tuple[Kind, str]] = [("user", "U1"), ("token", "T1"), ("group", "G1"), ("service_account", "S1")]
    for kind, object_id in owned:
        ledger.record(Entry(kind, object_id, parent="U1" if kind == "token" else None, parent_kind="user"))
    return ledger


def check(guard: SafetyGuard, operation_id: str, path: dict[str, str] | None = None, body: Any = None) -> None:
    guard.check(OPERATIONS[operation_id], {"tenant": "main", **(path or {})}, body=body)


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("deleteUser", {"id": PRE_EXISTING}),
        ("updateUser", {"id": PRE_EXISTING}),
        ("patchUserSuperAdmin", {"id": PRE_EXISTING}),
        ("patchUserPassword", {"id": PRE_EXISTING}),
        ("deleteUserAuthMethod", {"id": PRE_EXISTING, "auth": "a"}),
        ("createApiTokensForUser_1", {"id": PRE_EXISTING}),
        ("deleteApiToken_1", {"id": "U1", "tokenId": PRE_EXISTING}),
        ("deleteApiToken", {"id": PRE_EXISTING, "tokenId": "T1"}),
        ("deleteServiceAccount", {"id": "U1"}),
        ("deleteGroup", {"id": "S1"}),
        ("updateUserGroups", {"id": PRE_EXISTING}),
        ("deleteUser", {"id": "kct-missing-x%2F..%2F" + PRE_EXISTING}),
        ("deleteUser", {"id": "kct-missing-x/../" + PRE_EXISTING}),
    ],
)
def test_refuses_changing_objects_the_run_did_not_create(
    ledger: Ledger, operation_id: str, path: dict[str, str]
) -> None:
    with pytest.raises(UnsafeRequest, match="not created by this run"):
        check(SafetyGuard(ledger), operation_id, path)


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("deleteUser", {"id": "U1"}),
        ("deleteApiToken_1", {"id": "U1", "tokenId": "T1"}),
        ("deleteGroup", {"id": "G1"}),
        ("deleteServiceAccount", {"id": "S1"}),
        ("deleteUser", {"id": missing_id("user")}),
        ("getUser", {"id": PRE_EXISTING}),
    ],
)
def test_allows_what_the_run_created_ids_that_cannot_exist_and_reads(
    ledger: Ledger, operation_id: str, path: dict[str, str]
) -> None:
    check(SafetyGuard(ledger), operation_id, path)


def test_deleted_objects_stay_addressable(ledger: Ledger) -> None:
    ledger.forget("user", "U1")
    check(SafetyGuard(ledger), "getUser", {"id": "U1"})
    check(SafetyGuard(ledger), "deleteUser", {"id": "U1"})
    check(SafetyGuard(ledger), "deleteApiToken_1", {"id": "U1", "tokenId": "T1"})


@pytest.mark.parametrize(
    ("operation_id", "path", "body"),
    [
        ("createGroup", {}, {"name": PREFIX + "g", "description": "", "membersId": [PRE_EXISTING]}),
        ("createUser", {}, {"email": PREFIX + "1@x.test", "groups": [PRE_EXISTING]}),
        ("updateUser", {"id": "U1"}, {"email": PREFIX + "1@x.test", "groups": ["G1", PRE_EXISTING]}),
        ("updateUserGroups", {"id": "U1"}, {"groupIds": [PRE_EXISTING]}),
        ("createServiceAccountForTenant", {}, {"name": PREFIX + "s", "groups": [{"id": PRE_EXISTING}]}),
    ],
)
def test_refuses_bodies_that_name_objects_the_run_did_not_create(
    ledger: Ledger, operation_id: str, path: dict[str, str], body: dict[str, Any]
) -> None:
    with pytest.raises(UnsafeRequest, match=PRE_EXISTING):
        check(SafetyGuard(ledger), operation_id, path, body)


def test_allows_bodies_naming_own_or_missing_objects(ledger: Ledger) -> None:
    guard = SafetyGuard(ledger)
    check(guard, "createGroup", body={"name": PREFIX + "g", "membersId": ["U1", missing_id()]})
    check(guard, "updateUserGroups", {"id": "U1"}, {"groupIds": ["G1"]})
    check(guard, "createUser", body={"email": PREFIX + "2@x.test", "groups": ["G1"]})


@pytest.mark.parametrize(
    ("operation_id", "path", "body"),
    [
        ("createUser", {}, {"email": "someone@example.com"}),
        ("createUser", {}, {"email": "kct-zzzzzz-1@kestra-contract.test"}),
        ("patchUser", {"id": "U1"}, {"email": "renamed@example.com"}),
        ("createGroup", {}, {"name": "operators"}),
        ("createServiceAccount", {}, {"name": "robot"}),
    ],
)
def test_refuses_creating_or_renaming_without_the_run_prefix(
    ledger: Ledger, operation_id: str, path: dict[str, str], body: dict[str, Any]
) -> None:
    with pytest.raises(UnsafeRequest, match="lacks the run prefix"):
        check(SafetyGuard(ledger), operation_id, path, body)


@pytest.mark.parametrize("email", ["not-an-email", "", 42, True, 1.5, ["someone@example.com"], {"a": "b"}])
def test_a_name_no_server_should_take_still_needs_the_prefix(ledger: Ledger, email: Any) -> None:
    """A lenient server may take an email without `@`, or read a number as one: only the run's own names go out."""
    with pytest.raises(UnsafeRequest, match="lacks the run prefix"):
        check(SafetyGuard(ledger), "createUser", body={"email": email})
    with pytest.raises(UnsafeRequest, match="lacks the run prefix"):
        check(SafetyGuard(ledger), "patchUser", {"id": "U1"}, {"email": email})
    tamed = SafetyGuard(ledger).tame("createUser", {"email": email})
    check(SafetyGuard(ledger), "createUser", body=tamed)
    assert type(tamed["email"]) is not str or "@" in str(email) or "@" not in tamed["email"], "still invalid"


def test_an_omitted_name_names_no_one(ledger: Ledger) -> None:
    check(SafetyGuard(ledger), "createUser", body={"email": None})
    check(SafetyGuard(ledger), "createUser", body={"firstName": "A"})


def test_read_only_refuses_every_operation_that_changes_state(ledger: Ledger) -> None:
    guard = SafetyGuard(ledger, read_only=True)
    changing = [op for op in OPERATIONS.values() if mutates(op)]
    assert len(changing) == 24, "every operation but the 7 GETs and autocompleteUsers"
    for operation in changing:
        path = {"id": "U1", "tokenId": "T1", "auth": "a", "tenant": "main"}
        with pytest.raises(UnsafeRequest, match="read-only"):
            guard.check(operation, path, body={"email": PREFIX + "1@x.test"})
    for operation in OPERATIONS.values():
        if not mutates(operation):
            guard.check(operation, {"id": PRE_EXISTING, "tenant": "main"})


def test_never_changes_the_password_of_the_suites_identity(ledger: Ledger) -> None:
    suite = Credentials(username="admin@example.com", password="Secret123")
    api = Api(Target("http://127.0.0.1:9", suite, "main", embedded=False), ledger, SafetyGuard(ledger))
    body = {"oldPassword": "Secret123", "newPassword": "Other1234"}
    with pytest.raises(UnsafeRequest, match="identity the suite runs as"):
        api.call("updateCurrentUserPassword", json=body)
    with pytest.raises(UnsafeRequest, match="identity the suite runs as"):
        api.call("updateCurrentUserPassword", json=body, as_=suite)
    with pytest.raises(UnsafeRequest, match="identity the suite runs as"):
        api.call("updateCurrentUserPassword", json=body, headers={"authorization": suite.header})
    # As someone else the guard lets it through (and the unroutable target refuses to connect).
    with pytest.raises(Exception, match="onnect"):
        api.call("updateCurrentUserPassword", json=body, as_=Credentials(token="kt_created_by_the_run"))


def test_invalid_bodies_are_tamed_into_the_runs_own(ledger: Ledger) -> None:
    """A lenient server may accept an invalid body: what it would create carries the prefix, names nothing foreign."""
    guard = SafetyGuard(ledger)
    body = {"email": "x@y.z", "groups": ["", PRE_EXISTING, "G1", {"id": PRE_EXISTING}], "firstName": []}
    tamed = guard.tame("createUser", body)
    assert tamed["email"] == f"{PREFIX}x@y.z"
    assert tamed["groups"][2] == "G1"
    assert all(str(g if isinstance(g, str) else g["id"]).startswith("kct-missing-") for g in tamed["groups"][:2])
    assert tamed["groups"][3]["id"].startswith("kct-missing-")
    check(guard, "createUser", body=tamed)
    assert guard.tame("createServiceAccount", {"name": "UPPER"})["name"] == f"{PREFIX}UPPER"
    assert guard.tame("createUser", {"email": "no-at-sign"}) == {"email": f"{PREFIX}no-at-sign"}
    assert guard.tame("createUser", {"email": 42}) == {"email": [f"{PREFIX}42"]}
    assert guard.tame("createUser", ["not", "an", "object"]) == ["not", "an", "object"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("DELETE", "/api/v1/users"),
        ("PUT", "/api/v1/main/tenant-access/autocomplete"),
        ("PATCH", "/api/v1/me/password"),
        ("DELETE", f"/api/v1/users/{PRE_EXISTING}"),
    ],
)
def test_raw_requests_never_act_on_collections_or_real_ids(ledger: Ledger, method: str, url: str) -> None:
    api = Api(Target("http://127.0.0.1:9", Credentials("a", "b"), "main", embedded=False), ledger, SafetyGuard(ledger))
    with pytest.raises(UnsafeRequest):
        api.send_raw(method, url)
