"""How fast the suite drives requests and finds bugs, and what it costs, on this machine.

    python bench/benchmark.py                  # everything (about 20 minutes on 2 cores)
    python bench/benchmark.py --quick          # skip the per-fault timings
    python bench/benchmark.py --nightly 45m    # also the nightly profile at 30 ms under that budget
    python bench/benchmark.py --repeat 3       # each suite row's median of 3 runs
    python bench/benchmark.py --only-flaky     # just the flaky-gateway rows (reports/bench/flaky.md)

Besides the loopback rows, the "remote" rows run the default profile against a reference
server that answers every request 30 ms late (`--latency 30`), as a staging server tens
of ms away does, with 1, 2, 4 and 8 xdist workers (and at 0 ms for comparison). The
"flaky gateway" rows run the default profile with every real-deployment behaviour on and
a proxy that answers 2 % of requests itself (`--flaky-proxy 0.02`, a different
`--flaky-seed` per run), and say from each run's own summary.json how many state-machine
examples ran to their end and which shards could not conclude.

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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from contract.harness import parse_duration
from reference_server import RunningServer, spawn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reports" / "bench"
README = ROOT / "README.md"
SEED = "12345"
#: How far away the "remote" rows put the server, and the workers they try.
REMOTE_LATENCY_MS = 30
WORKERS = (1, 2, 4, 8)
#: Every real-deployment behaviour of the reference server (as tests/_suite_runner.ALL_BEHAVIOURS).
ALL_BEHAVIOURS = (
    "--search-lag", "1", "--crowd", "300", "--password-policy", "kestra-2", "--expose-configs",
    "--flaky-proxy", "0.02",
)  # fmt: skip


@dataclass
class Measure:
    name: str
    wall_seconds: float
    requests: int
    exit_code: int = 0
    latency_ms: int = 0
    #: Every run's wall time when a row is the median of several.
    walls: tuple[float, ...] = ()
    #: What the run's own report says about it (how far it got, cleanup).
    note: str = ""
    #: State-machine examples: run to their end, and in all (from the run's summary.json).
    completed: int = 0
    examples: int = 0
    #: Tests that could not conclude (the target was unstable).
    unconcluded: int = 0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0


def served(server: RunningServer) -> int:
    state = httpx.get(f"{server.url}/_reference/state", auth=(server.username, server.password), timeout=30).json()
    return int(state["requestsServed"])


def measured(name: str, server: RunningServer, command: list[str], latency_ms: int = 0, repeat: int = 1) -> Measure:
    """The median wall time of `repeat` runs of `command` (and that run's request count)."""
    runs = []
    for _ in range(repeat):
        before = served(server)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=7200, env=_env())
        wall = time.perf_counter() - started
        if result.returncode not in (0, 1):
            sys.stderr.write(result.stdout[-2000:] + result.stderr[-2000:])
        runs.append(Measure(name, wall, served(server) - before - 1, result.returncode, latency_ms))
    runs.sort(key=lambda m: m.wall_seconds)
    median = runs[len(runs) // 2]
    median.walls = tuple(round(m.wall_seconds, 1) for m in runs) if repeat > 1 else ()
    return median


def _env() -> dict[str, str]:
    """The environment, less what would change the suite's target, and with bytecode caching on.

    pytest keeps the modules it rewrites (all of hypothesis and schemathesis, as plugins)
    as bytecode; where writing bytecode is switched off, every xdist worker recompiles
    them, seconds of CPU each, which no ordinary installation does.
    """
    prefixes = ("KESTRA_", "PYTEST_", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def suite(server: RunningServer, *args: str, report_dir: str | None = None) -> list[str]:
    report_dir = report_dir or tempfile.mkdtemp(prefix="kct-bench-")
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
        sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / "specs" / "v1" / "users-api.yaml"),
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


def remote_rows(repeat: int) -> list[Measure]:
    """The default profile with 1, 2, 4 and 8 workers, on loopback and against a distant server."""
    rows = []
    for latency in (0, REMOTE_LATENCY_MS):
        with spawn("--latency", str(latency)) as server:
            for workers in WORKERS:
                name = f"default profile at {latency} ms, -n {workers}"
                rows.append(measured(name, server, suite(server, "-n", str(workers)), latency, repeat))
    return rows


def nightly_row(budget: str, workers: int = 8) -> Measure:
    """The nightly profile at 30 ms under `budget`: it must end in time, clean up, and say how far it got."""
    report_dir = tempfile.mkdtemp(prefix="kct-bench-")
    args = ("--hypothesis-profile", "nightly", "-n", str(workers), "--budget", budget)
    with spawn("--latency", str(REMOTE_LATENCY_MS)) as server:
        name = f"nightly profile at {REMOTE_LATENCY_MS} ms, -n {workers}, --budget {budget}"
        measure = measured(name, server, suite(server, *args, report_dir=report_dir), REMOTE_LATENCY_MS)
    summary_file = Path(report_dir) / "latest" / "summary.json"
    if summary_file.exists():
        summary = json.loads(summary_file.read_text())
        depth, cleanup = summary["depth"], summary["cleanup"]
        measure.note = (
            f"{summary['verdict']['text']}; {depth['examples']} examples, {len(depth['stopped_early'])} tests "
            f"stopped early, {len(depth['not_started'])} not started; cleanup "
            f"{'clean' if cleanup['ok'] else 'left objects behind'} ({cleanup['deleted']} deleted)"
        )
    return measure


def flaky_rows(runs: int) -> list[Measure]:
    """The default profile behind a 2 % flaky gateway, every behaviour on: what share of machine examples
    ran to their end, and whether every shard concluded, as each run's own report says.
    """
    rows = []
    for flaky_seed in range(runs):
        report_dir = tempfile.mkdtemp(prefix="kct-bench-")
        with spawn(*ALL_BEHAVIOURS, "--flaky-seed", str(flaky_seed)) as server:
            name = f"default profile, all behaviours, flaky gateway 2 % (flaky seed {flaky_seed})"
            measure = measured(name, server, suite(server, report_dir=report_dir))
        summary_file = Path(report_dir) / "latest" / "summary.json"
        if summary_file.exists():
            summary = json.loads(summary_file.read_text())
            machines = summary["depth"].get("completion", {}).values()
            measure.completed = sum(m["completed"] for m in machines)
            measure.examples = sum(m["examples"] for m in machines)
            measure.unconcluded = len(summary["unstable"]["tests"])
            again = sum(m.get("shards_run_again", 0) for m in machines)
            measure.note = (
                f"exit {measure.exit_code}; machine examples completed {measure.completed} of {measure.examples}, "
                f"{sum(m['cut_short'] for m in machines)} cut short, {again} shards run again; "
                f"{measure.unconcluded} tests could not conclude; {summary['unstable']['total_requests']} requests "
                f"answered by the gateway, {summary['unstable'].get('total_resolved', 0)} lost changes read back"
            )
        rows.append(measure)
    return rows


def render_flaky(rows: list[Measure]) -> list[str]:
    if not rows:
        return []
    lines = [
        "Behind a gateway that answers 2 % of requests itself, every real-deployment behaviour on "
        "(default profile, one process):",
        "",
        "| run | wall time | requests | machine examples completed | tests that could not conclude |",
        "|---|---:|---:|---:|---:|",
    ]
    for m in rows:
        share = f"{m.completed}/{m.examples} ({m.completed / m.examples:.0%})" if m.examples else "-"
        lines.append(f"| {m.name} | {m.wall_seconds:.1f} s | {m.requests} | {share} | {m.unconcluded} |")
    completed, examples = sum(m.completed for m in rows), sum(m.examples for m in rows)
    if examples:
        lines += [
            "",
            f"Machine examples completed behind the flaky gateway: {completed}/{examples} "
            f"({completed / examples:.0%}) over {len(rows)} runs; tests that could not conclude: "
            f"{sum(m.unconcluded for m in rows)}.",
        ]
    lines += [f"\n{m.name}: {m.note}." for m in rows if m.note]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the per-fault timings")
    parser.add_argument("--nightly", metavar="BUDGET", help="also run the nightly profile at 30 ms under BUDGET")
    parser.add_argument("--repeat", type=int, default=1, help="runs per suite row; the row shows the median")
    parser.add_argument("--flaky-runs", type=int, default=2, help="runs behind the flaky gateway (flaky seeds 0..)")
    parser.add_argument("--only-flaky", action="store_true", help="only the flaky-gateway rows, to flaky.md")
    args = parser.parse_args()
    if args.nightly:
        parse_duration(args.nightly)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only_flaky:
        rows = flaky_rows(args.flaky_runs)
        (OUT / "flaky.json").write_text(json.dumps([asdict(m) for m in rows], indent=2))
        text = "\n".join(render_flaky(rows)) + "\n"
        (OUT / "flaky.md").write_text(text)
        print(text)
        return 0
    results: dict[str, Any] = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    measures: list[Measure] = []
    with spawn() as server:
        measures.append(http_ceiling(server))
        measures.append(measured("suite: fuzz tests (-m fuzz)", server, suite(server, "-m", "fuzz")))
        measures.append(measured("suite: state machines (-m stateful)", server, suite(server, "-m", "stateful")))
        measures.append(measured("suite: default profile, no xdist", server, suite(server), repeat=args.repeat))
        measures.append(st_run(server))
    remote = remote_rows(args.repeat)
    if args.nightly:
        remote.append(nightly_row(args.nightly))
    flaky = flaky_rows(args.flaky_runs)
    results["measures"] = [
        {**asdict(m), "requests_per_second": round(m.requests_per_second, 1)} for m in [*measures, *remote, *flaky]
    ]
    if not args.quick:
        results["faults"] = fault_timings()
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    table = render(measures, remote, results.get("faults", []), flaky)
    (OUT / "results.md").write_text(table)
    update_readme(table)
    print(table)
    return 0


def render(
    measures: list[Measure], remote: list[Measure], faults: list[dict[str, Any]], flaky: Sequence[Measure] = ()
) -> str:
    by_name = {m.name: m for m in measures}
    ceiling = measures[0].requests_per_second
    st = next(m for m in measures if m.name.startswith("st run"))
    fuzz = by_name["suite: fuzz tests (-m fuzz)"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Measured on this machine ({os.cpu_count()} cores, load average {load} when the table was written), "
        f"client and embedded server on one host, seed {SEED}.",
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
    lines += ["", *render_remote(remote)]
    lines += ["", *render_flaky(list(flaky))] if flaky else []
    caught = [f for f in faults if f.get("caught")]
    if faults:
        times = sorted(f["first_failure_seconds"] for f in caught if f.get("first_failure_seconds") is not None)
        median = times[len(times) // 2] if times else float("nan")
        lines += [
            "",
            f"Self-test faults caught: {len(caught)}/{len(faults)}; median time to first failure {median:.1f} s.",
        ]
    return "\n".join(lines) + "\n"


def render_remote(remote: list[Measure]) -> list[str]:
    """The remote table, and the best `-n` against a server REMOTE_LATENCY_MS away."""
    lines = [
        f"Against a server that answers every request {REMOTE_LATENCY_MS} ms late (`--latency {REMOTE_LATENCY_MS}`), "
        "as a remote staging server does:",
        "",
        "| run | wall time | requests | requests/s |",
        "|---|---:|---:|---:|",
    ]
    for m in remote:
        walls = f" (runs: {', '.join(f'{w:.0f}' for w in m.walls)} s)" if m.walls else ""
        lines.append(f"| {m.name} | {m.wall_seconds:.1f} s{walls} | {m.requests} | {m.requests_per_second:.0f} |")
    lines += [f"\n{m.name}: {m.note}." for m in remote if m.note]
    far = [m for m in remote if m.latency_ms == REMOTE_LATENCY_MS and m.name.startswith("default")]
    if far:
        best = min(far, key=lambda m: m.wall_seconds)
        lines += ["", f"Best against a remote server: `{best.name.rsplit(', ', 1)[-1]}` ({best.wall_seconds:.0f} s)."]
    return lines


def update_readme(table: str) -> None:
    text = README.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        README.write_text(f"{before}{start}\n{table}{end}{after}")


if __name__ == "__main__":
    sys.exit(main())
