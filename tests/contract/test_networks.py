"""Real networks: a private CA, an auth gateway's header and a slow link, for every request of a run.

Each proof runs the suite (or the sweep) as a user would, against a reference server the
test starts: over HTTPS with a certificate from a CA made here, behind a gateway that
refuses requests without its header, or at a distance. The selection covers every way
the suite sends: the harness's Api (the smoke tests, preflight, cleanup), schemathesis
(one fuzz test) and the SDK (one SDK test).
"""

from __future__ import annotations

import json
import os
import secrets
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.harness import parse_header
from reference_server import spawn
from reference_server._spawn import RunningServer
from tests._gateway import Gateway
from tests._tls import Pki, make_pki

ROOT = Path(__file__).resolve().parents[2]
#: Tests of each engine: the harness's Api (smoke), schemathesis (listUsers, createUser), the SDK (getUser).
EVERY_ENGINE = (
    "contract/test_readonly.py",
    "contract/test_fuzz.py",
    "contract/test_sdk.py",
    "-k",
    "test_readonly or test_operation and /api/v1/users] or test_sdk_call and getUser",
)


def _run(
    args: list[str], server: RunningServer | None, *, url: str | None = None, module: str = "pytest"
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KESTRA_", "PYTEST_"))}
    login = ["--username", server.username, "--password", server.password] if server is not None else []
    where = ["--base-url", url or server.url] if server is not None else []
    command = [sys.executable, "-m", module, *args, *where, *login]
    if module == "pytest":
        # Violations these runs expect are not the checkout's regressions to replay.
        command += ["-q", "-p", "no:cacheprovider", "--hypothesis-seed", "1", "--regressions", "off"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_server(pki: Pki) -> Iterator[RunningServer]:
    with spawn("--tls-cert", str(pki.cert), "--tls-key", str(pki.key), password="Kc9-tls-Admin1") as server:
        assert server.url.startswith("https://127.0.0.1:")
        yield server


def test_a_server_behind_a_private_ca_is_reached_with_its_bundle_only(
    tls_server: RunningServer, pki: Pki, tmp_path: Path
) -> None:
    refused = _run(["contract/test_readonly.py", "--report-dir", str(tmp_path / "refused")], tls_server)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in _one_line(refused)

    served = _state(tls_server, pki)["requestsServed"]
    reached = _run([*EVERY_ENGINE, "--ca-bundle", str(pki.ca), "--report-dir", str(tmp_path)], tls_server)
    assert reached.returncode == 0, reached.stdout + reached.stderr
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    assert summary["tests"]["passed"] == summary["tests"]["total"] >= 3, summary["tests"]
    assert summary["target"]["network"]["ca_bundle"] == str(pki.ca)
    assert summary["markers"]["fuzz"]["passed"] >= 1, summary["markers"]
    assert summary["markers"]["sdk"]["passed"] == 1, summary["markers"]
    # The server's own count: every request the run counted reached it over TLS, and what it made is gone.
    state = _state(tls_server, pki)
    assert state["requestsServed"] - served >= summary["totals"]["requests"] > 100
    assert summary["cleanup"]["deleted"] > 0, summary["cleanup"]
    assert [u["email"] for u in state["users"].values() if str(u.get("email", "")).startswith("kct-")] == []


def _state(server: RunningServer, pki: Pki) -> dict[str, Any]:
    auth = (server.username, server.password)
    state: dict[str, Any] = httpx.get(f"{server.url}/_reference/state", auth=auth, verify=ssl_context(pki)).json()
    return state


def ssl_context(pki: Pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki.ca))


def test_insecure_reaches_it_and_says_so_loudly(tls_server: RunningServer, tmp_path: Path) -> None:
    result = _run(["contract/test_readonly.py", "--insecure", "--report-dir", str(tmp_path)], tls_server)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    warnings = [line for line in out.splitlines() if "WARNING --insecure" in line]
    assert len(warnings) == 2, out  # as the run starts, and again as it ends
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    assert summary["target"]["network"]["insecure"] is True
    assert "TLS certificates not verified (--insecure)" in summary["verdict"]["notes"]
    assert 'id="insecure"' in (tmp_path / "latest" / "index.html").read_text()


def test_the_sweep_reaches_a_private_ca_with_the_same_flags(
    tls_server: RunningServer, pki: Pki, tmp_path: Path
) -> None:
    args = ["--report-dir", str(tmp_path)]
    refused = _run(args, tls_server, module="contract.sweep")
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr
    reached = _run([*args, "--ca-bundle", str(pki.ca)], tls_server, module="contract.sweep")
    assert reached.returncode == 0, reached.stdout + reached.stderr
    assert "dry run: nothing deleted" in reached.stdout


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[Gateway, RunningServer]]:
    # 404 answers as an HTML page: the smoke tests fail, and their failure output shows requests.
    with (
        spawn("--faults", "error-body-html", password="Kc9-gw-Admin1") as server,
        Gateway(server.url, "X-Gateway-Key", "gw-" + secrets.token_hex(12)).running() as proxy,
    ):
        yield proxy, server


def test_a_gateway_header_goes_with_every_request_and_never_shows(
    gateway: tuple[Gateway, RunningServer], tmp_path: Path
) -> None:
    proxy, server = gateway
    refused = _run(["contract/test_readonly.py", "--report-dir", str(tmp_path / "refused")], server, url=proxy.url)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    proxy.refused.clear()
    passed_before = proxy.passed

    header = f"X-Gateway-Key: {proxy.value}"
    result = _run([*EVERY_ENGINE, "--header", header, "--report-dir", str(tmp_path)], server, url=proxy.url)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out  # the fault is found: the run reached the API through the gateway
    assert proxy.refused == [], proxy.refused[:5]
    assert proxy.passed - passed_before > 20
    # Failures show the request, with the header masked; its value appears in no output and no file.
    assert "x-gateway-key: ***" in out.lower(), out
    assert proxy.value not in out
    written = [p for p in tmp_path.rglob("*") if p.is_file() and proxy.value.encode() in p.read_bytes()]
    assert written == []
    summary = json.loads((tmp_path / "latest" / "summary.json").read_text())
    assert summary["target"]["network"]["headers"] == ["X-Gateway-Key"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Authorization: Bearer x", "Authorization is set by the suite itself"),
        ("X-Key value", "expected 'Name: value'"),
        (": value", "expected 'Name: value'"),
    ],
)
def test_a_header_option_that_cannot_work_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_header(text)
    assert parse_header(" X-Key :  a value: with colons ") == ("X-Key", "a value: with colons")


def test_the_request_timeout_is_every_request_s(tmp_path: Path) -> None:
    with spawn("--latency", "700", password="Kc9-slow-Admin1") as server:
        short = _run(["contract/test_readonly.py", "--request-timeout", "0.2", "--report-dir", str(tmp_path)], server)
        assert short.returncode == 4, short.stdout + short.stderr
        assert "timed out" in _one_line(short).lower()
        node = "contract/test_readonly.py::test_the_suites_own_identity_is_listed_and_readable"
        enough = _run([node, "--request-timeout", "3", "--report-dir", str(tmp_path)], server)
        assert enough.returncode == 0, enough.stdout + enough.stderr
