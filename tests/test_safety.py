"""A run touches only what it created and leaves nothing behind: passed, failed, interrupted or killed.

One reference server holds pre-existing data (users with passwords and tokens, a group,
service accounts with tokens) for the whole module. After every run below, the server
must hold exactly what it held before, every seeded secret must still work, and nothing
carrying the run prefix may remain.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference_server import RunningServer
from tests._faulty_proxy import FLAKY_DELETES, LOSE_CREATED_USERS, STUCK_SERVICE_ACCOUNTS, faulty_proxy
from tests._seeded import (
    LONGEST_MAX_AGE_SECONDS,
    REPO,
    assert_untouched,
    cleanup_report,
    lasting_credentials,
    ledger_lines,
    prefixed,
    run_suite,
    run_tokens,
    seeded_server,
    snapshot,
    suite_command,
    suite_env,
    sweep,
)
from tests.safety_probe.readiness import RAISES_KEYBOARD_INTERRUPT, read_markers

PROBE = ["--contract-session", "-p", "tests.safety_probe.readiness"]
#: The probe test each process holds in (xdist workers one parametrization each).
HOLD = "tests/safety_probe/probe_hold.py::test_create_then_hold"
#: Two machine shards side by side in threads of one process.
HOLD_SIDE_BY_SIDE = "tests/safety_probe/probe_hold.py::test_side_by_side_hold"
#: Objects each probe test creates: a user and its token, a service account and its token, a group.
PER_PROBE = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with seeded_server(tmp_path_factory.mktemp("seeded")) as running:
        yield running


@pytest.fixture(scope="module")
def before(server: RunningServer) -> dict[str, Any]:
    state = snapshot(server)
    assert len(state["users"]) == 4, "the bootstrap admin and 3 seeded users"
    assert len(state["serviceAccounts"]) == 2
    assert len(state["groups"]) == 1
    return state


def _outcome(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"


def test_a_passing_run_deletes_what_it_created(server: RunningServer, before: dict[str, Any], tmp_path: Path) -> None:
    """...and leaves no lasting credential at any moment: every token it made (the server's own record says)
    expires within two hours, or was deleted within seconds of its issue (C-DEPLOY-08).
    """
    history = snapshot(server)
    result = run_suite(server.url, tmp_path, "contract", "-n", "2")

    assert result.returncode == 0, _outcome(result)
    lines = ledger_lines(tmp_path)
    created = {(e["kind"], e["id"]) for e in lines if e["op"] == "created"}
    deleted = {(e["kind"], e["id"]) for e in lines if e["op"] == "deleted"}
    assert created, "the run created nothing: it proves nothing about cleanup"
    assert created <= deleted, f"in the ledger but never deleted: {created - deleted}"
    assert cleanup_report(tmp_path)["ok"] is True
    assert_untouched(server, before)
    tokens = run_tokens(snapshot(server), history)
    assert len(tokens) > 50, "the run made next to no tokens: the test proves nothing"
    lasting = [t for t in tokens if t["maxAgeSeconds"] is None or t["maxAgeSeconds"] > LONGEST_MAX_AGE_SECONDS]
    assert lasting, "no token without a short maxAge was made (and deleted at once): the test proves nothing"
    assert lasting_credentials(tokens) == []


def test_a_run_against_a_faulty_server_fails_and_still_cleans_up(
    server: RunningServer, before: dict[str, Any], tmp_path: Path
) -> None:
    with faulty_proxy(server.url, LOSE_CREATED_USERS, FLAKY_DELETES) as proxy:
        result = run_suite(proxy.url, tmp_path, "contract", "-x")

    assert result.returncode == 1, _outcome(result)
    assert any(i.startswith(LOSE_CREATED_USERS) for i in proxy.injected), proxy.injected
    assert any(i.startswith(FLAKY_DELETES) for i in proxy.injected), proxy.injected
    report = cleanup_report(tmp_path)
    assert report["ok"] is True, json.dumps(report, indent=1)
    # The users the suite never heard about were found by the run's prefix, and deleted.
    assert report["processes"]["last pass"]["deleted"] >= 1, json.dumps(report["processes"])
    assert_untouched(server, before)


def test_a_read_only_run_sends_nothing_that_changes_state(
    server: RunningServer, before: dict[str, Any], tmp_path: Path
) -> None:
    with faulty_proxy(server.url) as proxy:
        result = run_suite(proxy.url, tmp_path, "contract", "--read-only", "-rs")

    assert result.returncode == 0, _outcome(result)
    assert "--read-only: this test changes state" in result.stdout
    changing = [r for r in proxy.requests if r[0] != "GET" and not r[1].endswith("/tenant-access/autocomplete")]
    assert not changing, changing
    assert len(proxy.requests) > 10, "the read-only run checked next to nothing"
    assert not ledger_lines(tmp_path)
    assert_untouched(server, before)


def test_what_cleanup_cannot_delete_is_reported_then_swept(
    server: RunningServer, before: dict[str, Any], tmp_path: Path
) -> None:
    with faulty_proxy(server.url, STUCK_SERVICE_ACCOUNTS) as proxy:
        result = run_suite(proxy.url, tmp_path, "contract/test_cleanup_operations.py")
        report = cleanup_report(tmp_path)
        stuck = [f for f in report["failed"] if f["kind"] == "service_account"]
        assert result.returncode == 1, _outcome(result)
        assert stuck, json.dumps(report, indent=1)
        assert all("answered 500" in f["reason"] for f in stuck), stuck
        assert "could not delete service_account" in result.stdout
        assert report["ok"] is False
        assert len(prefixed(snapshot(server))) == len(stuck)

        proxy.faults.clear()
        dry = sweep(proxy.url, tmp_path)
        assert dry.returncode == 0, _outcome(dry)
        assert all(f["id"] in dry.stdout for f in stuck), dry.stdout
        assert len(prefixed(snapshot(server))) == len(stuck), "a dry run deleted something"

        swept = sweep(proxy.url, tmp_path, "--delete")
        assert swept.returncode == 0, _outcome(swept)
    assert f"cleanup: {len(stuck)} deleted" in swept.stdout, swept.stdout
    assert_untouched(server, before)


class Probe:
    """A run of the probe that holds once every test has created its objects.

    `sigint` is the disposition of SIGINT the run inherits: SIG_DFL as from a terminal,
    SIG_IGN as a script's background job (or a runner that ignores it) hands it down.
    """

    #: Generous: on 2 busy cores, starting pytest, xdist and the suite in each process takes a while.
    READY_SECONDS = 180.0
    STOP_SECONDS = 120.0

    def __init__(
        self,
        server: RunningServer,
        report_dir: Path,
        *args: str,
        token: bool = False,
        sigint: signal.Handlers = signal.SIG_DFL,
        hold: str = HOLD,
    ) -> None:
        self.ready_dir = report_dir / "ready"
        self.ready_dir.mkdir(parents=True)
        self.roles = {"main", "gw0", "gw1"} if "-n" in args else {"main"}
        command = suite_command(server.url, report_dir, *PROBE, hold, *args, token=token)
        env = {**suite_env(), "SAFETY_PROBE_DIR": str(self.ready_dir)}

        def inherit() -> None:
            signal.signal(signal.SIGINT, sigint)

        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True, preexec_fn=inherit,
        )  # fmt: skip

    def wait_until_ready(self) -> dict[str, dict[str, Any]]:
        """Wait until every process of the probe (controller, each worker) is ready to be interrupted.

        A signal sent earlier may find a process that cannot react to it yet.
        """
        deadline = time.monotonic() + self.READY_SECONDS
        while True:
            markers = read_markers(self.ready_dir)
            if set(markers) >= self.roles:
                break
            if self.process.poll() is not None:
                pytest.fail(f"the probe ended before it was ready (exit {self.process.returncode}):\n{self._output()}")
            if time.monotonic() > deadline:
                self.kill_leftovers()
                missing = ", ".join(sorted(self.roles - set(markers)))
                pytest.fail(
                    f"after {self.READY_SECONDS:.0f}s, these probe processes were still not ready to be "
                    f"interrupted: {missing} (ready: {json.dumps(markers)})\n{self._output()}"
                )
            time.sleep(0.05)
        deaf = {role: m for role, m in markers.items() if m["SIGINT"] != RAISES_KEYBOARD_INTERRUPT}
        assert not deaf, f"probe processes that would sit through Ctrl-C: {json.dumps(deaf)}"
        return markers

    def stop(self, signum: int, *, whole_group: bool) -> str:
        if whole_group:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        try:
            output, _ = self.process.communicate(timeout=self.STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill_leftovers()
            name = signal.Signals(signum).name
            pytest.fail(f"the probe was still running {self.STOP_SECONDS:.0f}s after {name}:\n{self._output()}")
        return output

    def _output(self) -> str:
        if self.process.poll() is None:
            return "(the probe is still running)"
        output, _ = self.process.communicate()
        return output[-3000:]

    def kill_leftovers(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.mark.parametrize(
    ("signum", "whole_group", "args", "token", "sigint"),
    [
        pytest.param(signal.SIGINT, True, ("-n", "2"), False, signal.SIG_DFL, id="ctrl-c-in-a-terminal-xdist"),
        # A script's background job: the shell hands SIGINT down ignored, to the suite and its workers.
        pytest.param(signal.SIGINT, True, ("-n", "2"), False, signal.SIG_IGN, id="ctrl-c-sigint-ignored-xdist"),
        pytest.param(signal.SIGTERM, False, ("-n", "2"), False, signal.SIG_DFL, id="sigterm-to-the-controller-xdist"),
        pytest.param(signal.SIGTERM, False, (), True, signal.SIG_DFL, id="sigterm-single-process-as-a-token"),
    ],
)
def test_an_interrupted_run_cleans_up(
    server: RunningServer,
    before: dict[str, Any],
    tmp_path: Path,
    signum: int,
    whole_group: bool,
    args: tuple[str, ...],
    token: bool,
    sigint: signal.Handlers,
) -> None:
    probe = Probe(server, tmp_path, *args, token=token, sigint=sigint)
    try:
        probe.wait_until_ready()
        holding = len(prefixed(snapshot(server)))
        output = probe.stop(signum, whole_group=whole_group)
    finally:
        probe.kill_leftovers()

    assert holding == PER_PROBE * (2 if args else 1), "the probe created what it should before it was stopped"
    assert probe.process.returncode == pytest.ExitCode.INTERRUPTED, output[-3000:]
    report = cleanup_report(tmp_path)
    assert report["ok"] is True, json.dumps(report, indent=1)
    assert len(report["deleted"]) == holding, output[-3000:]
    assert f"cleanup: {holding} deleted, 0 already gone, 0 failed" in output
    assert_untouched(server, before)


def test_ctrl_c_stops_shards_in_threads_before_cleanup(
    server: RunningServer, before: dict[str, Any], tmp_path: Path
) -> None:
    """A machine's shards run side by side in threads: Ctrl-C stops them before cleanup, which then deletes
    everything, including what they made while the signal travelled.
    """
    probe = Probe(server, tmp_path, hold=HOLD_SIDE_BY_SIDE)
    try:
        probe.wait_until_ready()
        holding = len(prefixed(snapshot(server)))
        output = probe.stop(signal.SIGINT, whole_group=True)
    finally:
        probe.kill_leftovers()

    assert holding >= 2 * PER_PROBE, "the shards created what they should before they were stopped"
    assert probe.process.returncode == pytest.ExitCode.INTERRUPTED, output[-3000:]
    report = cleanup_report(tmp_path)
    assert report["ok"] is True, json.dumps(report, indent=1)
    assert len(report["deleted"]) >= holding, output[-3000:]
    assert_untouched(server, before)


def test_a_killed_run_is_found_and_swept(server: RunningServer, before: dict[str, Any], tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    probe = Probe(server, reports, "-n", "2")
    try:
        probe.wait_until_ready()
        probe.stop(signal.SIGKILL, whole_group=True)
    finally:
        probe.kill_leftovers()
    left = prefixed(snapshot(server))
    assert len(left) == 2 * PER_PROBE, left

    # Without the ledgers (reports lost with a CI machine), the prefix still finds every user, service
    # account and group (tokens go with their owners), and spares them while the run may still be going.
    young = sweep(server.url, tmp_path / "no-reports")
    assert young.returncode == 0, _outcome(young)
    assert "objects with the suite's prefix, in no ledger: 0" in young.stdout, young.stdout
    assert "may still be going" in young.stdout, young.stdout
    by_prefix = sweep(server.url, tmp_path / "no-reports", "--min-age", "0")
    assert by_prefix.returncode == 0, _outcome(by_prefix)
    assert "objects with the suite's prefix, in no ledger: 6" in by_prefix.stdout, by_prefix.stdout

    dry = sweep(server.url, reports)
    assert dry.returncode == 0, _outcome(dry)
    assert f"{2 * PER_PROBE} object(s) would be" in dry.stdout, dry.stdout
    assert prefixed(snapshot(server)) == left, "a dry run deleted something"

    swept = sweep(server.url, tmp_path / "no-reports", "--min-age", "0", "--delete")
    assert swept.returncode == 0, _outcome(swept)
    assert "cleanup: 6 deleted, 0 already gone, 0 failed" in swept.stdout, swept.stdout
    assert_untouched(server, before)
    with_ledgers = sweep(server.url, reports, "--delete")
    assert with_ledgers.returncode == 0, _outcome(with_ledgers)
    assert f"cleanup: 0 deleted, {2 * PER_PROBE} already gone, 0 failed" in with_ledgers.stdout, with_ledgers.stdout
    again = sweep(server.url, reports)
    assert "0 object(s) would be" in again.stdout, again.stdout
