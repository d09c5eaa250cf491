"""Cleanup retries what may pass, stops when the target is gone, and reports per object."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.harness import Api, CleanupReport, Credentials, Entry, Ledger, Target, delete_all
from contract.harness._arrange import Arranger
from contract.harness.cleanup import sweep_run
from contract.harness.records._creations import unresolved_user
from contract.harness.sending._guard import SafetyGuard
from reference_server import RunningServer, spawn
from strategies import RunNames, new_run_id
from tests._faulty_proxy import FLAKY_DELETES, faulty_proxy
from tests._seeded import snapshot


def _api(base_url: str, server: RunningServer | None = None, ledger_path: Path | None = None) -> Api:
    credentials = Credentials(server.username, server.password) if server else Credentials("a@b.test", "Admin1234")
    ledger = Ledger(new_run_id(), ledger_path)
    return Api(Target(base_url, credentials, "main", embedded=False), ledger, SafetyGuard(ledger))


@pytest.fixture(scope="module", params=["empty", "user"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """Both answers to createUser that the contract allows: an empty body, or the new user."""
    with spawn("--create-user-body", request.param) as running:
        yield running


def test_every_confirmed_creation_is_in_the_ledger_file_at_once(server: RunningServer, tmp_path: Path) -> None:
    api = _api(server.url, server, tmp_path / "main.jsonl")
    arrange = Arranger(api, RunNames(api.ledger.run_id))
    body = arrange.user_body()
    exchange = api.call("createUser", json=body)
    assert exchange.created is not None
    assert exchange.created.label == body["email"]
    duplicate = api.call("createUser", json=body)
    assert duplicate.status in (409, 422)
    assert duplicate.created is None
    token = api.call("createApiTokensForUser_1", {"id": exchange.created.id}, json=arrange.token_body())
    group = api.call("createGroup", json={"name": arrange.names.unique(), "description": "", "membersId": []})
    written = [json.loads(line) for line in (tmp_path / "main.jsonl").read_text().splitlines()]
    created = [w for w in written if w["op"] == "created"]
    # Without an answer body, the user is written down by email before its id is looked up (a run
    # stopped during the lookup still cleans it up), then by id, and the placeholder is dropped.
    by_email = ("user", unresolved_user(body["email"]).id)
    held = [by_email] if not exchange.response.content else []
    assert [(w["kind"], w["id"]) for w in created] == [
        *held,
        ("user", exchange.created.id),
        ("token", token.json()["id"]),
        ("group", group.json()["id"]),
    ]
    assert created[-2]["parent"] == exchange.created.id
    assert by_email not in [(e.kind, e.id) for e in api.ledger.live()]
    assert delete_all(api, api.ledger.in_cleanup_order()).ok


def test_transient_answers_are_retried(server: RunningServer) -> None:
    with faulty_proxy(server.url, FLAKY_DELETES) as proxy:
        api = _api(proxy.url, server)
        arrange = Arranger(api, RunNames(api.ledger.run_id))
        user, _ = arrange.create_user()
        arrange.create_token(user.id)
        report = delete_all(api, api.ledger.in_cleanup_order())
    assert report.ok, report.summary()
    assert [e.kind for e in report.deleted] == ["token", "user"]
    assert len(proxy.injected) == 2, proxy.injected
    assert not api.ledger.live()


def test_an_unreachable_target_is_given_up_on_quickly() -> None:
    api = _api("http://127.0.0.1:9")
    entries = [Entry("user", f"U{n}") for n in range(3)]
    for entry in entries:
        api.ledger.record(entry)
    started = time.monotonic()
    report = delete_all(api, api.ledger.in_cleanup_order())
    assert time.monotonic() - started < 10
    assert [f[0] for f in report.failed] == entries
    assert report.failed[0][1].startswith("ConnectError")
    assert all("unreachable" in reason for _, reason in report.failed[1:])
    assert {e.id for e in api.ledger.live()} == {"U0", "U1", "U2"}, "what failed stays in the ledger"


def test_a_later_attempt_decides_and_reports_travel_as_json() -> None:
    user, token, group = Entry("user", "U1"), Entry("token", "T1", parent="U1"), Entry("group", "G1", tenant="main")
    earlier = CleanupReport(deleted=[token], failed=[(user, "deleteUser answered 503"), (group, "answered 500")])
    later = CleanupReport(deleted=[user])
    combined = CleanupReport.from_json(json.loads(json.dumps(earlier.to_json()))).then(later)
    assert combined.deleted == [token, user]
    assert combined.failed == [(group, "answered 500")]
    assert not combined.ok
    assert "could not delete group G1" in combined.summary()


def test_the_runs_last_pass_finds_every_kind_by_its_prefix_when_the_ledger_is_lost(
    server: RunningServer, tmp_path: Path
) -> None:
    """Users of every domain the strategies use (and a tamed body's own), service accounts, groups, and
    tokens with their owners: none is left when nothing was written down (the server's own state says).
    """
    api = _api(server.url, server)
    arrange = Arranger(api, RunNames(api.ledger.run_id, "gw1"))
    names = arrange.names
    emails = [names.email(), names.email("a.b", "mail.kestra-contract.test")]
    emails.append(names.email("x", "x.kestra-contract.test"))
    emails.append(f"{names.unique()}.{'z' * 40}@{'z' * 63}.{'z' * 63}.kestra-contract.test")
    emails.append(names.email(domain="example.com"))
    users = [arrange.create_user(arrange.user_body(email=email))[0] for email in emails]
    arrange.create_token(users[0].id)
    account = arrange.create_service_account()
    arrange.create_token(account, "service_account")
    arrange.create_service_account(tenants=[])
    arrange.create_group(members=[users[1].id])
    api.close()
    run_dir = tmp_path / "run"
    (run_dir / "ledger").mkdir(parents=True)  # the ledger is lost: the process died before writing it

    report, problems = sweep_run(api.target, run_dir, api.ledger.run_id, read_only=False)

    assert problems == []
    assert sorted(e.kind for e in report.deleted) == ["group", *["service_account"] * 2, *["user"] * 5]
    state = snapshot(server)
    prefix = f"kct-{api.ledger.run_id}-"
    assert not [u["email"] for u in state["users"].values() if u["email"].startswith(prefix)]
    assert not [a["name"] for a in state["serviceAccounts"].values() if a["name"].startswith(prefix)]
    assert not [g["name"] for g in state["groups"].values() if g["name"].startswith(prefix)]
