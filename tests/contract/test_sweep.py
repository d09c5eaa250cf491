"""The sweep deletes leftovers of earlier runs against this server, and nothing else."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from contract import sweep
from contract.harness import run_id_of_name
from strategies import new_run_id
from tests._seeded import OPS_EMAIL, OPS_PASSWORD, SEED, seeded_server, snapshot

#: A run that started a day ago, and one that started a minute ago.
OLD_RUN = new_run_id(time.time() - 86400)
YOUNG_RUN = new_run_id(time.time() - 60)


@pytest.mark.parametrize(
    ("email", "run_id"),
    [
        ("kct-ab12cd-1@kestra-contract.test", "ab12cd"),
        ("kct-htlajq12b-gw0-3-1.x@kestra-contract.test", "htlajq12b"),
        ("kct-ab12cd-gw1-7.x@kestra-contract.test", "ab12cd"),
        ("kct-htlajq12b-3.x+y@mail.kestra-contract.test", "htlajq12b"),
        ("kct-htlajq12b-4.aaaa@aaaa.aaaa.kestra-contract.test", "htlajq12b"),
        ("kct-ab12cd-1@example.com", "ab12cd"),  # a tamed fuzz body's own domain
        ("kct-htlajq12b-no-at-sign", "htlajq12b"),  # a tamed email a lenient server took
        ("kct-htlajq12b-gw1-17", "htlajq12b"),  # a service account's or group's name
        ("KCT-AB12CD-1@Kestra-Contract.test", None),  # the suite's names are lower case: someone else's
        ("kct-ab1-1@kestra-contract.test", None),
        ("kct-missing-login-1a2b@kestra-contract.test", None),
        ("alice@example.com", None),
        ("ops.kct-ab12cd-1@kestra-contract.test", None),
    ],
)
def test_only_the_suites_own_names_are_recognised(email: str, run_id: str | None) -> None:
    assert run_id_of_name(email) == run_id


def _fake_run(report_dir: Path, name: str, run: dict[str, Any] | None, ledger: list[dict[str, Any]]) -> None:
    run_dir = report_dir / "runs" / name
    (run_dir / "ledger").mkdir(parents=True)
    if run is not None:
        (run_dir / "run.json").write_text(json.dumps(run))
    (run_dir / "ledger" / "main-1.jsonl").write_text("".join(json.dumps(line) + "\n" for line in ledger))


def test_the_sweep_touches_only_leftovers_of_finished_runs_against_this_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lookalikes = ["KCT-AB12CD-1@example.com", "kct-ab1-1@kestra-contract.test", "ops.kct-ab12cd-1@kestra-contract.test"]
    leftover = f"kct-{OLD_RUN}-1@mail.kestra-contract.test"
    young = f"kct-{YOUNG_RUN}-1@kestra-contract.test"
    undated = "kct-zz99zz-1@kestra-contract.test"
    seed = {
        **SEED,
        "users": SEED["users"] + [{"email": e} for e in [*lookalikes, leftover, young, undated]],
        # A killed run's service account and group: found by their prefix, without any ledger.
        "serviceAccounts": SEED["serviceAccounts"] + [{"name": f"kct-{OLD_RUN}-2"}, {"name": f"kct-{YOUNG_RUN}-2"}],
        "groups": SEED["groups"] + [{"name": n, "tenant": "main"} for n in (f"kct-{OLD_RUN}-3", "kct-ab1-3")],
    }
    with seeded_server(tmp_path, seed=seed) as server:
        before = snapshot(server)
        alice = next(u for u in before["users"].values() if u["email"] == "alice@example.com")
        named = [{"op": "created", "kind": "user", "id": alice["id"], "label": "alice"}]
        here = {"host": socket.gethostname(), "ended": False}
        reports = tmp_path / "reports"
        finished = {"run_id": "aaaaaa", "base_url": "http://127.0.0.1:1", "pid": 1, **here, "ended": True}
        _fake_run(reports, "other-server", finished, named)
        _fake_run(
            reports, "still-running", {"run_id": "bbbbbb", "base_url": server.url, "pid": os.getpid(), **here}, named
        )
        elsewhere = {"host": "ci-runner-7", "pid": 1, "ended": False, "base_url": server.url}
        _fake_run(reports, "going-elsewhere", {"run_id": YOUNG_RUN, **elsewhere}, named)
        _fake_run(reports, "no-record", None, named)
        argv = ["--base-url", server.url, "--username", OPS_EMAIL, "--password", OPS_PASSWORD]

        assert sweep.main([*argv, "--report-dir", str(reports)]) == 0
        dry = capsys.readouterr().out
        assert sweep.main([*argv, "--report-dir", str(reports), "--delete"]) == 0
        done = capsys.readouterr().out
        after = snapshot(server)

    assert "still-running: spared, still running here" in dry
    assert "going-elsewhere: spared, started" in dry
    assert "h ago on ci-runner-7, younger than --min-age 6 h" in dry
    assert "spared user" in dry
    assert young in dry
    assert undated in dry
    assert "its run id has no date" in dry
    assert "objects with the suite's prefix, in no ledger: 3" in dry
    assert leftover in dry
    assert alice["id"] not in dry
    assert "cleanup: 3 deleted, 0 already gone, 0 failed" in done
    gone = {k for k in before["users"] if k not in after["users"]}
    assert [before["users"][k]["email"] for k in gone] == [leftover], "young, undated and live runs are spared"
    assert all(after["users"][k] == v for k, v in before["users"].items() if k not in gone)
    gone_names = {
        kind: sorted(v["name"] for k, v in before[kind].items() if k not in after[kind])
        for kind in ("serviceAccounts", "groups")
    }
    assert gone_names == {"serviceAccounts": [f"kct-{OLD_RUN}-2"], "groups": [f"kct-{OLD_RUN}-3"]}
    assert all(after[kind][k] == v for kind in gone_names for k, v in before[kind].items() if k in after[kind])


def test_the_sweep_needs_a_superadmin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with seeded_server(tmp_path) as server:
        code = sweep.main(["--base-url", server.url, "--username", "alice@example.com", "--password", "AlicePass123"])
    assert code == sweep.EXIT_USAGE
    assert "not a superadmin" in capsys.readouterr().err
