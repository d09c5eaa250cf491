"""The GitHub workflows: valid for GitHub, pinned, no input pasted into a shell, a budget that fits.

Validated with check-jsonschema's vendored schema of GitHub workflow files (installed from
the package index with the dev extra). Each rule is also shown to catch what it forbids.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

#: `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`
_PINNED = re.compile(r"^\s*-?\s*uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")
_USES = re.compile(r"^\s*-?\s*uses:\s*(\S+)")


def _validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def unpinned(text: str) -> list[str]:
    """Every `uses:` line not pinned to a full commit SHA with its tag in a comment (local actions aside)."""
    return [
        line.strip()
        for line in text.splitlines()
        if (found := _USES.match(line)) and not found.group(1).startswith("./") and not _PINNED.match(line)
    ]


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, body in workflow["jobs"].items() for step in body.get("steps", [])]


def pasted_expressions(workflow: dict[str, Any]) -> list[str]:
    """Steps whose shell script contains a `${{ }}` expression (template injection): env: carries values."""
    shells = [(job, step) for job, step in _steps(workflow) if "${{" in step.get("run", "")]
    return [f"{job}: {step.get('name', step['run'][:40])}" for job, step in shells]


def test_there_is_a_pull_request_workflow_and_a_nightly() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"nightly.yml", "pull-request.yml"} <= names
    pull = yaml.safe_load((REPO / ".github/workflows/pull-request.yml").read_text())
    runs = " ".join(step.get("run", "") for _, step in _steps(pull))
    assert "pytest tests" in runs
    assert "pytest contract --hypothesis-profile ci" in runs


def test_workflows_are_valid_for_github() -> None:
    done = _validate(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (REPO / ".github/workflows/nightly.yml").read_text()
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1))
    done = _validate(broken)
    assert done.returncode != 0
    assert "runs-on" in done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha(path: Path) -> None:
    text = path.read_text()
    assert any(_USES.match(line) for line in text.splitlines()), "no actions at all?"
    assert unpinned(text) == []


def test_an_action_pinned_by_tag_is_caught() -> None:
    assert unpinned("    steps:\n      - uses: actions/checkout@v4\n") == ["- uses: actions/checkout@v4"]
    sha = "3d3c42e5aac5ba805825da76410c181273ba90b1"
    assert unpinned(f"      - uses: actions/checkout@{sha}\n")  # no tag in a comment
    assert unpinned(f"      - uses: actions/checkout@{sha} # v7.0.1\n") == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_shell(path: Path) -> None:
    assert pasted_expressions(yaml.safe_load(path.read_text())) == []


def test_a_pasted_input_is_caught() -> None:
    workflow = {"jobs": {"j": {"steps": [{"name": "x", "run": 'pytest --budget "${{ inputs.budget }}"'}]}}}
    assert pasted_expressions(workflow) == ["j: x"]


def _nightly_job() -> dict[str, Any]:
    job: dict[str, Any] = yaml.safe_load((REPO / ".github/workflows/nightly.yml").read_text())["jobs"]["nightly"]
    return job


def _budget_check(budget: str) -> subprocess.CompletedProcess[str]:
    job = _nightly_job()
    (step,) = [s for s in job["steps"] if s.get("name") == "Check the budget against the job's timeout"]
    env = {**os.environ, **{k: str(v) for k, v in job["env"].items() if "${{" not in str(v)}, "BUDGET": budget}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["bash", "-c", step["run"]], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)


def test_the_budget_input_must_leave_room_for_cleanup() -> None:
    job = _nightly_job()
    assert str(job["timeout-minutes"]) == job["env"]["JOB_TIMEOUT_MINUTES"]
    assert _budget_check("90m").returncode == 0
    too_long = _budget_check("110m")
    assert too_long.returncode == 1
    assert "::error title=budget::" in too_long.stdout
    assert _budget_check("ninety").returncode == 1


def test_exit_6_is_a_warning_and_the_memory_is_kept_whatever_the_verdict() -> None:
    job = _nightly_job()
    (suite,) = [s for s in job["steps"] if s.get("id") == "suite"]
    assert '"$code" -eq 6' in suite["run"]
    assert "::warning" in suite["run"]
    saved = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache/save@")]
    assert saved
    assert saved[0].get("if") == "always()"
    assert job["env"]["KESTRA_CONTRACT_EXAMPLE_DB"]
