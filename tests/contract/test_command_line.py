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
