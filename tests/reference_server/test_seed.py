"""The reference server starts with pre-existing data from --seed-file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests._seeded import SEED, seeded_credentials, seeded_server, snapshot


def test_the_seed_is_there_and_its_secrets_work(tmp_path: Path) -> None:
    with seeded_server(tmp_path) as server:
        state = snapshot(server)
        emails = {u["email"] for u in state["users"].values()}
        assert emails == {server.username} | {u["email"] for u in SEED["users"]}
        alice = next(u for u in state["users"].values() if u["email"] == "alice@example.com")
        (operators,) = state["groups"].values()
        assert alice["groups"] == [{"id": operators["id"], "tenantId": "main"}]
        assert sorted(t["name"] for t in alice["tokens"]) == ["alice-ci", "alice-cli"]
        robot = next(a for a in state["serviceAccounts"].values() if a["name"] == "robot")
        assert robot["superAdmin"] is True
        assert [t["name"] for t in robot["tokens"]] == ["robot-deploy"]
        statuses = [
            httpx.get(f"{server.url}/api/v1/users", params={"page": 1, "size": 1}, headers=h).status_code
            for h in seeded_credentials()
        ]
        # ops and robot are superadmins (200); alice and the reader get in but may not list (403).
        assert sorted(statuses) == [200, 200, 200, 403, 403, 403, 403]
        wrong = httpx.get(f"{server.url}/api/v1/users", headers={"Authorization": "Bearer kt_seeded_nope"})
        assert wrong.status_code == 401


def test_a_bad_seed_stops_the_server_with_a_message(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"groups": [{"name": "g", "members": ["nobody@example.com"]}]}))
    result = subprocess.run(
        [sys.executable, "-m", "reference_server", "--port", "0", "--seed-file", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "nobody@example.com" in result.stderr
