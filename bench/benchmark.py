"""How fast the suite drives requests and finds bugs, and what it costs, on this machine.

    python bench/benchmark.py            # everything (several minutes on 2 cores)
    python bench/benchmark.py --quick    # skip the per-fault timings

Writes reports/bench/results.json and results.md, and replaces the table between the
`<!-- bench:start -->` and `<!-- bench:end -->` markers in README.md. Request counts are
what the reference server itself served (its /_reference/state counter), so every
engine is measured the same way. A benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from reference_server import RunningServer, spawn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reports" / "bench"
README = ROOT / "README.md"
SEED = "12345"


@dataclass
class Measure:
    name: str
    wall_seconds: float
    requests: int
    exit_code: int = 0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0


def served(server: RunningServer) -> int:
    state = httpx.get(f"{server.url}/_reference/state", auth=(server.username, server.password), timeout=30).json()
    return int(state["requestsServed"])


def measured(name: str, server: RunningServer, command: list[str]) -> Measure:
    before = served(server)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, env=_env())
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stdout[-2000:] + result.stderr[-2000:])
    return Measure(name, wall, served(server) - before - 1, result.returncode)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("KESTRA_", "PYTEST_"))}


def suite(server: RunningServer, *args: str) -> list[str]:
    report_dir = tempfile.mkdtemp(prefix="kct-bench-")
    return [
        sys.executable, "-m", "pytest", "contract", "-q", "-p", "no:cacheprovider",
        "--base-url", server.url, "--username", server.username, "--password", server.password,
        "--hypothesis-seed", SEED, "--report-dir", report_dir, *args,
    ]  # fmt: skip


def http_ceiling(server: RunningServer, seconds: float = 5.0, limit: int = 5000) -> Measure:
    """A plain keep-alive httpx loop: what one client process can get from this server."""
    started = time.perf_counter()
    count = 0
    with httpx.Client(base_url=server.url, auth=(server.username, server.password)) as client:
        while count < limit and time.perf_counter() - started < seconds:
            client.get("/api/v1/users", params={"page": 1, "size": 5})
            count += 1
    return Measure("plain httpx loop (GET listUsers)", time.perf_counter() - started, count)


def st_run(server: RunningServer) -> Measure:
    """The plain schemathesis CLI on specs/, with settings comparable to the default profile."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / "specs" / "users-api.yaml"),
        "--url", server.url, "--auth", f"{server.username}:{server.password}",
        "--include-tag", "Users", "--max-examples", "25", "--seed", SEED, "--phases", "fuzzing",
        "--mode", "all", "--workers", "1", "--no-color",
    ]  # fmt: skip
    return measured("st run (fuzzing phase, 25 examples/operation)", server, command)


def fault_timings() -> list[dict[str, Any]]:
    """Time to the first failure per self-test fault, from the mutation-score script."""
    script = ROOT / "bench" / "mutation_score.py"
    if not script.exists():
        return []
    out = OUT / "mutation-score.json"
    subprocess.run([sys.executable, str(script)], cwd=ROOT, timeout=3600, env=_env(), check=False)
    return json.loads(out.read_text()).get("faults", []) if out.exists() else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the per-fault timings")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    measures: list[Measure] = []
    with spawn() as server:
        measures.append(http_ceiling(server))
        measures.append(measured("suite: fuzz tests (-m fuzz)", server, suite(server, "-m", "fuzz")))
        measures.append(measured("suite: state machines (-m stateful)", server, suite(server, "-m", "stateful")))
        measures.append(measured("suite: default profile, -n 1", server, suite(server, "-n", "1")))
        measures.append(measured("suite: default profile, -n 2", server, suite(server, "-n", "2")))
        measures.append(measured("suite: default profile, no xdist", server, suite(server)))
        measures.append(st_run(server))
    results["measures"] = [{**asdict(m), "requests_per_second": round(m.requests_per_second, 1)} for m in measures]
    if not args.quick:
        results["faults"] = fault_timings()
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    table = render(measures, results.get("faults", []))
    (OUT / "results.md").write_text(table)
    update_readme(table)
    print(table)
    return 0


def render(measures: list[Measure], faults: list[dict[str, Any]]) -> str:
    by_name = {m.name: m for m in measures}
    ceiling = measures[0].requests_per_second
    st = next(m for m in measures if m.name.startswith("st run"))
    fuzz = by_name["suite: fuzz tests (-m fuzz)"]
    lines = [
        f"Measured on this machine ({os.cpu_count()} cores), client and embedded server on one host, seed {SEED}.",
        "",
        "| run | wall time | requests | requests/s | vs. httpx loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for m in measures:
        share = m.requests_per_second / ceiling if ceiling else 0
        lines.append(
            f"| {m.name} | {m.wall_seconds:.1f} s | {m.requests} | {m.requests_per_second:.0f} | {share:.0%} |"
        )
    if st.requests_per_second:
        lines += [
            "",
            f"Fuzz tests vs. `st run`: {fuzz.requests_per_second / st.requests_per_second:.2f}x the request rate.",
        ]
    caught = [f for f in faults if f.get("caught")]
    if faults:
        times = sorted(f["first_failure_seconds"] for f in caught if f.get("first_failure_seconds") is not None)
        median = times[len(times) // 2] if times else float("nan")
        lines += [
            "",
            f"Self-test faults caught: {len(caught)}/{len(faults)}; median time to first failure {median:.1f} s.",
        ]
    return "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    text = README.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        README.write_text(f"{before}{start}\n{table}{end}{after}")


if __name__ == "__main__":
    sys.exit(main())
