"""Mutation score: run the suite against the reference server with each fault, and tabulate.

    python bench/mutation_score.py [--faults a,b] [--jobs 2] [--seed N|random] [--full]

For each fault: the clause part of specs/clauses.yaml it breaks, caught or not (the suite
failed in a test that checks that part), by which tests, and how long after
the start of the suite the first failure came. By default each run is what
tests/test_faults.py runs (the fault's selection, stopping at the first failure,
`selftest` profile: `default` without shrinking); --full runs the whole default suite to
the end, to list every test that catches it.
Writes reports/bench/mutation-score.json and .md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from reference_server import FAULTS, spawn
from tests._suite_probe import SELFTEST_PROFILE
from tests._suite_runner import REPO, SuiteRun, default_seed, fault_selection, relevant_failures, run_suite

OUT_DIR = REPO / "reports" / "bench"


@dataclass(frozen=True)
class Row:
    fault: str
    category: str
    clause: str
    expected: str
    caught: bool
    exit_code: int
    seed: int
    catching_tests: list[str]
    other_failures: list[str]
    first_failure_seconds: float | None
    wall_seconds: float


def _measure(name: str, workdir: Path, seed: int | None, full: bool) -> Row:
    fault = FAULTS[name]
    selection = ["--hypothesis-profile", SELFTEST_PROFILE] if full else fault_selection(fault)
    with spawn("--faults", name) as server:
        run: SuiteRun = run_suite(server, *selection, workdir=workdir / name, seed=seed)
    catching = relevant_failures(run, fault)
    return Row(
        fault=name,
        category=fault.category,
        clause=fault.part_id,
        expected=fault.marker_expression,
        caught=run.exit_code == 1 and bool(catching),
        exit_code=run.exit_code,
        seed=run.seed,
        catching_tests=[c.nodeid for c in catching],
        other_failures=[c.nodeid for c in run.failures if c not in catching],
        first_failure_seconds=run.first_failure_at,
        wall_seconds=round(run.wall_seconds, 1),
    )


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def _short(nodeid: str) -> str:
    return nodeid.removeprefix("contract/")


def _markdown(rows: list[Row], meta: dict[str, object]) -> str:
    caught = sum(r.caught for r in rows)
    lines = [
        "# Mutation score",
        "",
        f"**{caught}/{len(rows)} faults caught** ({100 * caught / max(len(rows), 1):.0f}%).",
        "",
        f"Commit `{meta['commit']}`, seed {meta['seed']}, mode {meta['mode']}, {meta['jobs']} jobs, "
        f"{meta['wall_seconds']}s in all, {meta['date']}.",
        "",
        "| fault | part | category | expected | caught | by tests | first failure (s) | run (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        tests = "<br>".join(_short(t) for t in r.catching_tests[:3]) or (
            "only outside the expected area: " + ", ".join(_short(t) for t in r.other_failures[:2])
            if r.other_failures
            else "-"
        )
        first = f"{r.first_failure_seconds:.1f}" if r.first_failure_seconds is not None else "-"
        mark = "yes" if r.caught else f"**no** (exit {r.exit_code}, seed {r.seed})"
        cells = [f"`{r.fault}`", r.clause, r.category, r.expected, mark, tests, first, str(r.wall_seconds)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _table(rows: list[Row]) -> str:
    out = [f"{'fault':30} {'part':13} {'category':15} {'caught':7} {'first(s)':>8} {'run(s)':>7}  by tests"]
    for r in rows:
        first = f"{r.first_failure_seconds:.1f}" if r.first_failure_seconds is not None else "-"
        tests = ", ".join(_short(t) for t in r.catching_tests[:2]) or "-"
        caught = "yes" if r.caught else f"NO({r.exit_code}, seed {r.seed})"
        out.append(f"{r.fault:30} {r.clause:13} {r.category:15} {caught:7} {first:>8} {r.wall_seconds:>7}  {tests}")
    caught_count = sum(r.caught for r in rows)
    out.append(f"mutation score: {caught_count}/{len(rows)} caught")
    return "\n".join(out)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/mutation_score.py", description=__doc__.splitlines()[0])
    parser.add_argument("--faults", default="", help="comma-separated subset (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="suite runs at once (default: 2)")
    parser.add_argument("--seed", default=None, help="hypothesis seed, or 'random' (default: the self-tests' seed)")
    parser.add_argument("--full", action="store_true", help="whole default suite per fault, no -x")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write mutation-score.json and .md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    names = [n.strip() for n in args.faults.split(",") if n.strip()] or sorted(FAULTS)
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        print(f"unknown fault(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    seed = default_seed() if args.seed is None else (None if args.seed == "random" else int(args.seed))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kct-mutation-") as tmp, ThreadPoolExecutor(max(args.jobs, 1)) as pool:
        rows = list(pool.map(lambda n: _measure(n, Path(tmp), seed, args.full), names))
    meta: dict[str, object] = {
        "commit": _commit(),
        "seed": seed if seed is not None else "random",
        "mode": "full suite" if args.full else "fault selection, -x",
        "jobs": args.jobs,
        "wall_seconds": round(time.monotonic() - started, 1),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(_table(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    report = {**meta, "caught": sum(r.caught for r in rows), "total": len(rows), "faults": [asdict(r) for r in rows]}
    (args.out / "mutation-score.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "mutation-score.md").write_text(_markdown(rows, meta))
    print(f"wrote {args.out / 'mutation-score.md'} and .json in {meta['wall_seconds']}s")
    return 0 if all(r.caught for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
