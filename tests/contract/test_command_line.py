"""`pytest contract` refuses to start with one clear line and exit code 4."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_suite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KESTRA_", "PYTEST_"))}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "contract", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--base-url", "not-a-url"], {}, "malformed --base-url"),
        (["--base-url", "http://127.0.0.1:9"], {}, "no credentials for http://127.0.0.1:9"),
        (["--base-url", "http://127.0.0.1:9", "--token", "t"], {}, "is unreachable"),
        ([], {"PYTEST_BASE_URL": "http://127.0.0.1:9", "KESTRA_API_TOKEN": "t"}, "is unreachable"),
        (["--hypothesis-profile", "nosuch"], {}, "unknown profile 'nosuch'"),
        # Credentials meant for staging must never run against the embedded server instead.
        (["--username", "admin@example.com", "--password", "x"], {}, "credentials were given but no --base-url"),
        ([], {"KESTRA_API_TOKEN": "t"}, "credentials were given but no --base-url"),
        (["--settle", "-1"], {}, "--settle must be a number of seconds >= 0"),
        (["--budget", "soon"], {}, "--budget: not a duration: 'soon'"),
    ],
)
def test_cannot_run_is_one_line_and_exit_4(args: list[str], env: dict[str, str], message: str) -> None:
    result = run_suite(*args, env=env)
    assert result.returncode == 4, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert message in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_spent_budget_skips_what_did_not_start_and_says_so(tmp_path: Path) -> None:
    """A budget of one second is spent before the first test (collection alone takes longer)."""
    result = run_suite("-m", "smoke", "--budget", "1s", "--report-dir", str(tmp_path))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "budget 1s (new work stopped at" in out, out
    assert "0 tests stopped early" in out, out
    assert "not started" in out, out
    assert " passed" not in out.splitlines()[-1], out
    assert "cleanup: " in out, out
