"""README's "Add your own check" example, run as a team would: installed suite, own pyproject, own module.

The code blocks are taken from README itself, so the example cannot drift from what
works. Against the clean reference server the check runs and passes; against a server
that drops `displayName` it is the check of that name that reports the violation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHECK = "users_have_a_display_name"
#: getUser's fuzz test only (`-k` cannot spell its `{id}`).
GET_USER = "test_operation and GET and users/ and not api-tokens"


def _example() -> tuple[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- example-check:start -->", 1)[1].split("<!-- example-check:end -->", 1)[0]
    python = re.search(r"```python\n(.*?)```", block, re.S)
    toml = re.search(r"```toml\n(.*?)```", block, re.S)
    assert python, "README's example check lost its python block"
    assert toml, "README's example check lost its toml block"
    return python.group(1), toml.group(1)


def _run_from(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KESTRA_", "PYTEST_", "REFERENCE_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract", "-m", "fuzz", "-k", GET_USER, "-q", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = json.loads((folder / "reports" / "latest" / "summary.json").read_text())
    return result, summary


def _counted(summary: dict[str, Any]) -> dict[str, int]:
    row = next(row for row in summary["operations"] if row["operation"] == "getUser")
    counts: dict[str, int] = row["checks"].get(CHECK, {"run": 0, "failed": 0})
    return counts


@pytest.fixture
def team(tmp_path: Path) -> Path:
    python, toml = _example()
    (tmp_path / "team_checks.py").write_text(python)
    (tmp_path / "pyproject.toml").write_text(toml)
    return tmp_path


def test_the_readme_example_check_runs_on_every_case_and_passes_a_conforming_server(team: Path) -> None:
    result, summary = _run_from(team, "--hypothesis-seed", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    counted = _counted(summary)
    assert counted["run"] >= 10, counted
    assert counted["failed"] == 0, counted


def test_the_readme_example_check_reports_a_server_that_drops_display_names(team: Path) -> None:
    result, summary = _run_from(
        team, "--hypothesis-seed", "1", "--reference-server-args=--faults user-missing-displayname"
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert _counted(summary)["failed"] >= 1, _counted(summary)
    assert "has no displayName" in out, out


def test_a_module_that_cannot_be_imported_stops_the_run_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ncontract_extensions = "no_such_checks"\n')
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4, result.stdout + result.stderr
    assert "contract_extensions: cannot import no_such_checks" in result.stdout + result.stderr
