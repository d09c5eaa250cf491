"""Against a server that locks accounts after failed logins, a run locks nobody and leaves nothing.

Each test runs the real suite in a subprocess against a seeded reference server with
Kestra EE's lockout (`--lockout THRESHOLD/WINDOW/DURATION`), as the seeded superadmin,
and reads the server's own count of wrong passwords per account (`logins` in its state,
read with a seeded superadmin token, which no lockout touches).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.harness import DEFAULT_BUDGET, Credentials
from reference_server import RunningServer
from tests._faulty_proxy import TOKEN_IN_A_LIST, faulty_proxy
from tests._seeded import (
    OPS_EMAIL,
    OPS_PASSWORD,
    REPO,
    ROBOT_TOKEN,
    run_suite,
    seeded_server,
    suite_command,
    suite_env,
    sweep,
)

KESTRA_LOCKOUT = "10/300/1800"
#: The default profile without shrinking: a faulty server's failures are not replayed for minutes.
SELFTEST = ("-p", "tests._suite_probe", "--hypothesis-profile", "selftest")
THRESHOLD = 10


def state(server: RunningServer) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/_reference/state", headers={"Authorization": f"Bearer {ROBOT_TOKEN}"})
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def left_behind(server: RunningServer) -> list[str]:
    """Everything on the server that carries the suite's prefix."""
    held = state(server)
    names = [str(u.get("email")) for u in held["users"].values()]
    names += [str(a.get("name")) for a in held["serviceAccounts"].values()]
    names += [str(g.get("name")) for g in held["groups"].values()]
    return [name for name in names if name.startswith("kct-")]


def assert_nobody_locked(server: RunningServer) -> dict[str, int]:
    """The suite's identity never failed a login; no account came near the threshold."""
    logins: dict[str, dict[str, Any]] = state(server)["logins"]
    assert OPS_EMAIL not in logins, f"the suite's identity had failed logins: {logins[OPS_EMAIL]}"
    most = {name: int(info["maxFailuresInWindow"]) for name, info in logins.items()}
    assert not [name for name, info in logins.items() if info["locked"]], logins
    assert all(count <= DEFAULT_BUDGET < THRESHOLD for count in most.values()), most
    assert all(name.startswith("kct-") for name in most), f"failed logins for accounts the run did not create: {most}"
    return most


def _alive_in_ledger(reports: Path) -> int:
    """Objects created and not yet deleted, as the ledger says so far (its last line may be half written)."""
    lines = [line for path in reports.glob("runs/*/ledger/*.jsonl") for line in path.read_text().splitlines()]
    return sum(1 for line in lines if '"op": "created"' in line) - sum(1 for line in lines if '"op": "deleted"' in line)


def _outcome(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"


def test_a_default_run_against_a_lockout_server_passes_locks_nobody_and_leaves_nothing(tmp_path: Path) -> None:
    with seeded_server(tmp_path, "--lockout", KESTRA_LOCKOUT) as server:
        result = run_suite(server.url, tmp_path / "reports", "contract", timeout=900)
        assert result.returncode == 0, _outcome(result)
        most = assert_nobody_locked(server)
        assert most, "no probe of a created account's password ran: the test proves nothing"
        assert left_behind(server) == []


#: The nightly run's share in this test: a budget ends it as the nightly workflow's budget ends a night.
NIGHTLY_SLICE = "150s"


def test_nightly_credential_probes_lock_nobody(tmp_path: Path) -> None:
    """The nightly profile's credential tests, its long machine examples included, under a budget as
    the nightly workflow runs them: the most failed logins of a run, per account.

    An account lives within one machine example, and the budget for failed logins is per
    account: how long an example is (60 steps in nightly) decides how many failures could
    pile onto one account, not how many examples the night runs.
    """
    selection = ["-k", "requires_credentials or passwords", "--hypothesis-profile", "nightly"]
    with seeded_server(tmp_path, "--lockout", KESTRA_LOCKOUT) as server:
        result = run_suite(
            server.url, tmp_path / "reports", "contract", *selection, "--budget", NIGHTLY_SLICE, timeout=400
        )
        assert result.returncode == 0, _outcome(result)
        most = assert_nobody_locked(server)
        assert most, "no probe of a created account's password ran: the test proves nothing"
        assert left_behind(server) == []


@pytest.mark.parametrize("fault", ["q-filter-ignored", "duplicate-email-accepted"])
def test_a_server_with_wrong_search_or_duplicates_fails_the_run_and_keeps_nothing(fault: str, tmp_path: Path) -> None:
    with seeded_server(tmp_path, "--lockout", KESTRA_LOCKOUT, "--faults", fault) as server:
        result = run_suite(server.url, tmp_path / "reports", "contract", *SELFTEST, timeout=900)
        assert result.returncode == 1, _outcome(result)
        assert left_behind(server) == [], _outcome(result)
        assert_nobody_locked(server)


#: How long the suite's identity stays locked in the lost-credentials test.
LOCK_SECONDS = 45


def test_losing_the_suites_credentials_stops_the_run_at_once_and_says_how_to_finish(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    # Locked long enough that a run slowed by a loaded machine cannot clean up after the lock ends
    # (then nothing would be left to sweep, and the test would prove nothing).
    with seeded_server(tmp_path, "--lockout", f"3/300/{LOCK_SECONDS}") as server:
        # Without the tests that create five objects and delete them a moment later: the objects
        # counted below must still be there when the lock comes, even on a loaded machine.
        keep = ("--deselect", "contract/test_cleanup_operations.py")
        command = suite_command(server.url, reports, "contract", "-p", "no:randomly", *keep)
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 120
            while _alive_in_ledger(reports) < 5:
                assert process.poll() is None, "the run ended before it got going"
                assert time.monotonic() < deadline, "the run did not get going"
                time.sleep(0.2)
            wrong = Credentials(username=OPS_EMAIL, password="Someone-else-typed-1")
            for _ in range(3):  # someone else locks the account the suite runs as
                httpx.get(f"{server.url}/api/v1/users", headers={"Authorization": wrong.header})
            locked_at = time.monotonic()
            output, _ = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
        stopped_after = time.monotonic() - locked_at

        assert process.returncode == 4, output[-4000:]
        assert stopped_after < 30, output[-4000:]
        assert output.count("are refused with 401: locked, rotated or revoked; run stopped") <= 3, output[-4000:]
        failed = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
        assert len(failed) <= 2, failed
        (summary_path,) = reports.glob("runs/*/summary.json")
        summary = json.loads(summary_path.read_text())
        problems = " ".join(summary["cleanup"]["problems"])
        assert "cleanup could not finish" in problems
        assert "python -m contract.sweep" in problems
        assert "--delete" in problems
        assert "python -m contract.sweep" in (summary_path.parent / "index.html").read_text()
        assert "python -m contract.sweep" in output
        assert left_behind(server), f"nothing was left to sweep: the test proves nothing\n{output[-3000:]}"

        time.sleep(max(0.0, locked_at + LOCK_SECONDS + 1 - time.monotonic()))  # until the lock ends
        swept = sweep(server.url, reports, "--delete")
        assert swept.returncode == 0, _outcome(swept)
        assert left_behind(server) == []


def test_no_secret_the_run_used_reaches_any_artifact(tmp_path: Path) -> None:
    """Failures are printed (with examples, steps and SDK errors) against a faulty server; none shows a secret.

    The secrets come from the server's own record (every password set and every fullToken
    issued), not from the suite's masker: a secret the masker never heard of is looked for too.
    Every file the run wrote, and its output, is searched.
    """
    faults = ",".join(
        [
            "password-in-response",
            "old-password-still-valid",
            "token-list-leaks-fulltoken",
            "wrong-old-password-accepted",
        ]
    )
    reports = tmp_path / "reports"
    # In front, a proxy that wraps a new user token's fullToken in a list: the SDK cannot read it,
    # and its error says what it got.
    with seeded_server(tmp_path, "--faults", faults) as server, faulty_proxy(server.url, TOKEN_IN_A_LIST) as proxy:
        selection = (*SELFTEST, "-m", "fuzz or stateful or sdk")
        command = suite_command(proxy.url, reports, "contract", *selection)
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900, env=suite_env())
        issued = state(server)["secretsIssued"]
    assert result.returncode == 1, _outcome(result)
    secrets = {s for s in [*issued["passwords"], *issued["fullTokens"]] if len(s) >= 8}
    assert len(secrets) > 20, "the run used next to no secrets: the test proves nothing"
    assert OPS_PASSWORD in secrets, "the suite's own password is among them"
    artifacts = {str(p): p.read_text(errors="replace") for p in reports.rglob("*") if p.is_file()}
    assert any(p.endswith("junit.xml") for p in artifacts)
    assert any(p.endswith("index.html") for p in artifacts)
    assert "sdk_detail" in next(text for p, text in artifacts.items() if p.endswith("junit.xml")), "no SDK failure"
    artifacts["output"] = result.stdout + result.stderr
    assert "Falsifying" in artifacts["output"] or "state." in artifacts["output"], "no example was printed"
    leaks = [
        f"{where}: …{text[max(0, at - 300) : at + 60].replace(secret, '<SECRET>')}…"
        for where, text in artifacts.items()
        for secret in secrets
        if (at := text.find(secret)) >= 0
    ]
    assert not leaks, "\n\n".join(leaks)
