"""A reference server holding data that exists before any run, and ways to check it is untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from contract.harness import Credentials
from reference_server import RunningServer, spawn

REPO = Path(__file__).resolve().parent.parent

OPS_EMAIL = "ops.admin@example.com"
OPS_PASSWORD = "OpsAdmin2024"
ROBOT_TOKEN = "kt_seeded_robot_superadmin_token_0001"

#: People and machines on a shared staging server, with passwords and tokens.
SEED: dict[str, Any] = {
    "users": [
        {
            "email": OPS_EMAIL,
            "password": OPS_PASSWORD,
            "superAdmin": True,
            "firstName": "Ops",
            "lastName": "Admin",
            "tokens": [{"name": "ops-laptop", "secret": "kt_seeded_ops_token_0001", "description": "laptop"}],
        },
        {
            "email": "alice@example.com",
            "password": "AlicePass123",
            "firstName": "Alice",
            "lastName": "Doe",
            "tokens": [
                {"name": "alice-ci", "secret": "kt_seeded_alice_token_0001"},
                {"name": "alice-cli", "secret": "kt_seeded_alice_token_0002", "maxAge": "P30D"},
            ],
        },
        {"email": "bob@example.com", "restricted": True, "firstName": "Bob"},
    ],
    "groups": [{"name": "operators", "tenant": "main", "description": "on call", "members": ["alice@example.com"]}],
    "serviceAccounts": [
        {
            "name": "robot",
            "description": "deploys",
            "superAdmin": True,
            "tokens": [{"name": "robot-deploy", "secret": ROBOT_TOKEN}],
        },
        {"name": "reader", "tokens": [{"name": "reader-ro", "secret": "kt_seeded_reader_token_0001"}]},
    ],
}


def seeded_credentials() -> list[dict[str, str]]:
    """Every password and token the seed holds, as Authorization headers."""
    found = [
        {"Authorization": Credentials(username=u["email"], password=u["password"]).header}
        for u in SEED["users"]
        if u.get("password")
    ]
    for owner in SEED["users"] + SEED["serviceAccounts"]:
        found += [{"Authorization": f"Bearer {t['secret']}"} for t in owner.get("tokens", [])]
    return found


@contextmanager
def seeded_server(directory: Path, *args: str, seed: dict[str, Any] = SEED) -> Iterator[RunningServer]:
    seed_file = directory / "seed.json"
    seed_file.write_text(json.dumps(seed))
    with spawn("--seed-file", str(seed_file), *args) as server:
        yield server


def snapshot(server: RunningServer) -> dict[str, Any]:
    """Everything the server holds (the reference server's own view, not the API's)."""
    response = httpx.get(f"{server.url}/_reference/state", auth=(server.username, server.password), timeout=10)
    response.raise_for_status()
    state: dict[str, Any] = response.json()
    return state


def prefixed(state: dict[str, Any], prefix: str = "kct-") -> list[str]:
    """What in `state` carries the run prefix: users by email, the rest by name (tokens too)."""
    found = [u["email"] for u in state["users"].values() if u["email"].startswith(prefix)]
    found += [a["name"] for a in state["serviceAccounts"].values() if a["name"].startswith(prefix)]
    found += [g["name"] for g in state["groups"].values() if g["name"].startswith(prefix)]
    for owner in [*state["users"].values(), *state["serviceAccounts"].values()]:
        found += [t["name"] for t in owner["tokens"] if t["name"].startswith(prefix)]
    return found


def assert_untouched(server: RunningServer, before: dict[str, Any]) -> None:
    """The server holds exactly what it held before, and every seeded secret still works."""
    after = snapshot(server)
    assert not prefixed(after), f"left behind: {prefixed(after)}"
    for kind in ("users", "serviceAccounts", "groups"):
        changed = {k for k in before[kind].keys() | after[kind].keys() if before[kind].get(k) != after[kind].get(k)}
        assert not changed, f"{kind} changed: " + json.dumps(
            {k: {"before": before[kind].get(k), "after": after[kind].get(k)} for k in changed}, indent=1
        )
    for headers in seeded_credentials():
        status = httpx.get(f"{server.url}/api/v1/users", params={"page": 1, "size": 1}, headers=headers).status_code
        assert status in (200, 403), f"a seeded credential no longer authenticates: {status}"


def suite_command(base_url: str, report_dir: Path, *args: str, token: bool = False) -> list[str]:
    identity = ["--token", ROBOT_TOKEN] if token else ["--username", OPS_EMAIL, "--password", OPS_PASSWORD]
    where = ["--report-dir", str(report_dir), "--regressions", str(report_dir / "regressions")]
    return [sys.executable, "-m", "pytest", "--base-url", base_url, *identity, *where, *args]


def run_suite(
    base_url: str, report_dir: Path, *args: str, token: bool = False, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    command = suite_command(base_url, report_dir, *args, token=token)
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=suite_env())


def sweep(base_url: str, report_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "contract.sweep", "--base-url", base_url,
        "--username", OPS_EMAIL, "--password", OPS_PASSWORD, "--report-dir", str(report_dir), *args,
    ]  # fmt: skip
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=suite_env())


def suite_env() -> dict[str, str]:
    """This environment, less what would change how a suite run in a subprocess behaves."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KESTRA_", "PYTEST_", "REFERENCE_SERVER"))}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cleanup_report(report_dir: Path) -> dict[str, Any]:
    """The cleanup.json of the one run written under `report_dir`."""
    (path,) = report_dir.glob("runs/*/cleanup.json")
    report: dict[str, Any] = json.loads(path.read_text())
    return report


def ledger_lines(report_dir: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for path in report_dir.glob("runs/*/ledger/*.jsonl") for line in path.read_text().splitlines()
    ]
