"""`python -m reference_server` runs standalone and says which credentials it accepts."""

from __future__ import annotations

import httpx

from reference_server import spawn


def test_standalone_server_prints_credentials_and_serves() -> None:
    with spawn(password="Some-pass-123") as server:
        assert server.url.startswith("http://127.0.0.1:")
        ok = httpx.get(
            f"{server.url}/api/v1/users", params={"page": 1, "size": 5}, auth=(server.username, "Some-pass-123")
        )
        assert ok.status_code == 200
        assert [u["username"] for u in ok.json()["results"]] == [server.username]
    assert server.process.poll() is not None


def test_unknown_fault_is_refused() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "reference_server", "--faults", "no-such-fault"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unknown fault" in result.stderr
