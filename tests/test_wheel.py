"""The suite as a user gets it: a wheel, installed into a fresh virtual environment, run from an empty directory.

Nothing of this checkout is on the path there: no root conftest, no pyproject.toml, no
reference folders. The plugin comes with the package (entry point `pytest11`), so
`pytest --pyargs contract` registers its options, markers and profiles, starts the
embedded reference server (or runs against `--base-url`; that server, started by this
test, is the only thing taken from the checkout), and writes its reports to `./reports`.
One environment serves every case (building and installing it is most of the cost).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reference_server import spawn

ROOT = Path(__file__).resolve().parents[1]

#: One worker builds the one environment and runs every case in it.
pytestmark = pytest.mark.xdist_group("wheel")


@dataclass
class Installed:
    python: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def bin(self) -> Path:
        return self.python.parent


def _clean_environment() -> dict[str, str]:
    """No variable of ours, and nothing that would put this checkout on the path."""
    dropped = ("KESTRA_", "PYTEST_", "REFERENCE_", "PYTHONPATH", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


def _step(what: str, command: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=_clean_environment(), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{what} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel built from this checkout, in a new virtual environment with its dependencies from the index."""
    dist, venv = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("venv")
    timings: dict[str, float] = {}
    started = time.monotonic()
    _step("pip wheel", [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", dist], ROOT, 600)
    timings["build"] = time.monotonic() - started
    wheels = list(dist.glob("kestra_users_contract-*.whl"))
    assert len(wheels) == 1, wheels
    started = time.monotonic()
    _step("venv", [sys.executable, "-m", "venv", venv], venv, 120)
    python = venv / "bin" / "python"
    _step("pip install", [python, "-m", "pip", "install", "-q", wheels[0]], venv, 900)
    timings["install"] = time.monotonic() - started
    origin = _step("import", [python, "-c", "import contract; print(contract.__file__)"], venv, 60).stdout.strip()
    assert Path(origin).is_relative_to(venv), origin
    return Installed(python, timings)


def _suite(installed: Installed, folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [installed.bin / "pytest", "--pyargs", "contract", "--hypothesis-seed", "1", *args],
        cwd=folder,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, time.monotonic() - started


def _summary(reports: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((reports / "latest" / "summary.json").read_text())
    return summary


def test_the_smoke_tests_run_from_an_empty_directory_and_report_there(installed: Installed, tmp_path: Path) -> None:
    result, took = _suite(installed, tmp_path, "-m", "smoke")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "embedded reference server" in out
    summary = _summary(tmp_path / "reports")
    assert summary["tests"]["passed"] == summary["tests"]["total"] >= 10, summary["tests"]
    assert summary["target"]["embedded"] is True
    # Besides the reports, only what pytest and hypothesis keep in any directory they run in.
    assert {p.name for p in tmp_path.iterdir()} - {".pytest_cache", ".hypothesis"} == {"reports"}
    built, install = installed.timings["build"], installed.timings["install"]
    print(f"wheel build {built:.1f} s, install {install:.1f} s, smoke {took:.1f} s")


def test_the_nightly_profile_is_registered_by_the_installed_plugin(installed: Installed, tmp_path: Path) -> None:
    result, _ = _suite(installed, tmp_path, "-m", "smoke", "--hypothesis-profile", "nightly")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _summary(tmp_path / "reports")["profile"] == "nightly"


def test_a_pyproject_alone_configures_the_run(installed: Installed, tmp_path: Path) -> None:
    """A team's pyproject.toml and no flag: the tenant, the report folder and the embedded server's options."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n"
        'contract_tenant = "staging"\n'
        'contract_reference_server_args = "--tenant staging"\n'
        'contract_report_dir = "out/contract"\n'
        'contract_settle = "2"\n'
    )
    # The SDK test creates a user in the tenant: on a server that has only "staging", the wrong tenant fails.
    result, _ = _suite(installed, tmp_path, "-m", "smoke or sdk", "-k", "test_readonly or test_sdk_call and getUser")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "tenant staging" in out
    assert not (tmp_path / "reports").exists()
    summary = _summary(tmp_path / "out" / "contract")
    assert summary["target"]["tenant"] == "staging"
    assert summary["markers"]["sdk"]["passed"] == 1, summary["markers"]


def test_a_server_given_by_url_is_run_against_from_the_empty_directory(installed: Installed, tmp_path: Path) -> None:
    with spawn(password="Kc9-wheel-Admin1") as server:
        login = ["--username", server.username, "--password", server.password]
        result, _ = _suite(installed, tmp_path, "-m", "smoke", "--base-url", server.url, *login)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path / "reports")
    assert summary["target"]["base_url"] == server.url
    assert summary["target"]["embedded"] is False
