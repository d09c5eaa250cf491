"""Nights that remember, shown against the reference server with deliberate faults.

A failure found once is tried first the next time (the example database, and the committed
corpus alone), with the new run's names; a fixed server turns the corpus green; a baseline
lets a known violation pass and fails on a new one. Facts come from the runs' summary.json
and the server's own fault switches. Each run is one fuzz test with the selftest profile.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from reference_server import spawn
from tests._suite_probe import SELFTEST_PROFILE
from tests._suite_runner import REPO, SuiteRun, run_suite

CREATE = "contract/test_fuzz.py::test_operation[POST /api/v1/users]"
LIST = "contract/test_fuzz.py::test_operation[GET /api/v1/users]"
SELECTION = ["--hypothesis-profile", SELFTEST_PROFILE, "-m", "fuzz"]
BOTH = "test_operation[POST and /api/v1/users] or test_operation[GET and /api/v1/users]"


def _run(
    faults: str, workdir: Path, *args: str, seed: int, keyword: str = "test_operation[POST and /api/v1/users]"
) -> SuiteRun:
    with spawn(*(["--faults", faults] if faults else [])) as server:
        return run_suite(server, *SELECTION, "-k", keyword, *args, workdir=workdir, seed=seed, timeout=300)


def _summary(workdir: Path) -> dict[str, Any]:
    (path,) = (workdir / "reports" / "runs").glob("*/summary.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_a_failure_found_once_is_tried_first_with_the_new_runs_names(tmp_path: Path) -> None:
    db = tmp_path / "examples"
    first = _run("unicode-name-500", tmp_path / "1", "--example-db", str(db), "--regressions", "off", seed=1)
    second = _run("unicode-name-500", tmp_path / "2", "--example-db", str(db), "--regressions", "off", seed=2)
    assert (first.exit_code, second.exit_code) == (1, 1), second.tail()
    one, two = _summary(tmp_path / "1"), _summary(tmp_path / "2")
    assert one["depth"]["failed_at_example"][CREATE] > 1  # found by search
    assert two["memory"]["replayed_first"] == {CREATE: 1}
    assert two["depth"]["failed_at_example"][CREATE] == 1  # tried first, failed at once
    (failure,) = two["failures"]
    assert f"kct-{two['run']['id']}-" in failure["curl"]
    assert one["run"]["id"] not in failure["curl"]  # no request names an object of the run that found it


def test_the_committed_corpus_runs_first_and_a_fixed_server_turns_it_green(tmp_path: Path) -> None:
    corpus = tmp_path / "regressions"
    found = _run("unicode-name-500", tmp_path / "1", "--regressions", str(corpus), seed=1)
    assert found.exit_code == 1
    (written,) = corpus.glob("*.yaml")
    record = yaml.safe_load(written.read_text())
    assert record["test"] == CREATE
    assert record["operation"] == "createUser"
    assert "C-STATUS-14" in record["clauses"]  # the clause the fault breaks
    assert record["curl"].startswith("curl -X POST")
    assert record["examples"]
    again = _run("unicode-name-500", tmp_path / "2", "--regressions", str(corpus), seed=7)
    assert again.exit_code == 1
    assert _summary(tmp_path / "2")["depth"]["failed_at_example"][CREATE] == 1
    fixed = _run("", tmp_path / "3", "--regressions", str(corpus), seed=7)
    assert fixed.exit_code == 0, fixed.tail()
    assert _summary(tmp_path / "3")["memory"]["replayed_first"] == {CREATE: 1}


def test_a_baseline_lets_known_violations_pass_and_fails_on_a_new_one(tmp_path: Path) -> None:
    known = _run("unicode-name-500", tmp_path / "1", "--regressions", "off", seed=1, keyword=BOTH)
    assert known.exit_code == 1
    baseline = next((tmp_path / "1" / "reports" / "runs").glob("*/summary.json"))
    held = _run(
        "unicode-name-500", tmp_path / "2", "--regressions", "off", "--baseline", str(baseline), seed=2, keyword=BOTH
    )
    assert held.exit_code == 0, held.tail()
    summary = _summary(tmp_path / "2")
    assert [v["operation"] for v in summary["baseline"]["known"]] == ["createUser"]
    assert summary["verdict"]["ok"] is True
    both = "unicode-name-500,huge-page-500"
    new = _run(both, tmp_path / "3", "--regressions", "off", "--baseline", str(baseline), seed=3, keyword=BOTH)
    assert new.exit_code == 1
    judged = _summary(tmp_path / "3")["baseline"]
    assert [v["operation"] for v in judged["new"]] == ["listUsers"]
    assert [v["operation"] for v in judged["known"]] == ["createUser"]
    later = next((tmp_path / "3" / "reports" / "runs").glob("*/summary.json"))
    compared = subprocess.run(
        [sys.executable, "-m", "contract.compare", str(baseline), str(later)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert compared.returncode == 1, compared.stderr
    lines = compared.stdout.splitlines()
    new_line = lines[lines.index("new in B: 1") + 1]
    assert "listUsers" in new_line
    assert "createUser" not in new_line
    assert "still failing: 1" in lines
