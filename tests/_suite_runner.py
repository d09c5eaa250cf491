"""Run the contract suite in a subprocess against a reference server, and read what it found.

Shared by the project's tests (tests/test_faults.py, and any test that needs a real
suite run) and by bench/mutation_score.py. The suite runs exactly as a user runs it,
`pytest contract --base-url ...`, with tests._suite_probe loaded so that the JUnit XML
also says each test's markers and when each failure came.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import specs
from contract.plugin import EXIT_UNSTABLE_TARGET
from reference_server import FAULTS, Fault, RunningServer, spawn
from tests._suite_probe import FAILED_AT_PROPERTY, MARKERS_PROPERTY, ONLY_OPTION, SELFTEST_PROFILE

__all__ = [
    "ALL_BEHAVIOURS",
    "BEHAVIOURS",
    "CLEAN_CONFIGURATIONS",
    "EXIT_UNSTABLE_TARGET",
    "REPO",
    "VERSION_2",
    "CaseResult",
    "SuiteRun",
    "broken_part",
    "default_seed",
    "fault_selection",
    "parse_junit",
    "relevant_failures",
    "run_clean",
    "run_fault",
    "run_suite",
]

REPO = Path(__file__).resolve().parent.parent

#: A fixed seed keeps self-test runs repeatable; KCT_SELFTEST_SEED=random (or a number) overrides it.
DEFAULT_SEED = 1

#: The second tenant every spawned reference server has (`python -m reference_server`'s default).
SECOND_TENANT = "second"

#: Server configurations that docs/contract-semantics.md allows, chosen so that every value of
#: every option appears in at least one of them (the suite must pass against all).
CLEAN_CONFIGURATIONS: dict[str, tuple[str, ...]] = {
    "default": (),
    "user-body,auth-empty,invalid-422": (
        "--create-user-body",
        "user",
        "--auth-error-body",
        "empty",
        "--invalid-input-status",
        "422",
    ),
    "problem-bodies,lenient": ("--auth-error-body", "problem", "--error-body", "problem", "--lenient-required"),
}

#: What a staging server adds (docs/contract-semantics.md, "Real deployments"): each behaviour's switches.
BEHAVIOURS: dict[str, tuple[str, ...]] = {
    "search-lag": ("--search-lag", "1"),
    "crowd": ("--crowd", "300"),  # with its default background activity
    "password-kestra-1.1.5": ("--password-policy", "kestra-1.1.5"),
    "password-kestra-2,configs": ("--password-policy", "kestra-2", "--expose-configs"),
    "flaky-proxy": ("--flaky-proxy", "0.02"),
}

#: Every behaviour at once (the stricter password policy: Kestra 2's, announced in configs).
ALL_BEHAVIOURS: tuple[str, ...] = tuple(
    arg for name, args in BEHAVIOURS.items() if name != "password-kestra-1.1.5" for arg in args
)

#: The settle window of fault runs: above the 1 s search lag of ALL_BEHAVIOURS, so a clean server
#: passes, and short, so that a fault that keeps something out of a search is called without
#: waiting out the default 5 s window each time.
FAULT_SETTLE_SECONDS = 2.0

#: The reference server as Kestra EE 2.x: the suite then speaks contract 2, picked from the server's version.
VERSION_2: tuple[str, ...] = ("--kestra-version", "2")

CLEAN_CONFIGURATIONS.update({f"behaviour:{name}": args for name, args in BEHAVIOURS.items()})
CLEAN_CONFIGURATIONS["all behaviours"] = ALL_BEHAVIOURS

Outcome = Literal["passed", "failed", "error", "skipped"]

#: Environment that would change how the child suite runs if it leaked from this process.
_SCRUBBED_PREFIXES = ("PYTEST_", "KESTRA_", "REFERENCE_SERVER_", "HYPOTHESIS_")


@dataclass(frozen=True)
class CaseResult:
    """One test case of the suite run, as its JUnit XML recorded it."""

    nodeid: str
    outcome: Outcome
    markers: frozenset[str]
    message: str
    seconds: float
    #: Seconds from session start to this failure (failures only).
    failed_at: float | None


@dataclass(frozen=True)
class SuiteRun:
    command: tuple[str, ...]
    #: The hypothesis seed the run used: `--hypothesis-seed` replays it.
    seed: int
    exit_code: int
    wall_seconds: float
    cases: tuple[CaseResult, ...]
    output: str

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if c.outcome in ("failed", "error")]

    @property
    def first_failure_at(self) -> float | None:
        times = [c.failed_at for c in self.failures if c.failed_at is not None]
        return min(times) if times else None

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def default_seed() -> int | None:
    """The seed self-test runs use: DEFAULT_SEED, or $KCT_SELFTEST_SEED ("random" for none)."""
    raw = os.environ.get("KCT_SELFTEST_SEED", "").strip()
    if raw == "random":
        return None
    return int(raw) if raw else DEFAULT_SEED


def _child_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def run_suite(
    server: RunningServer,
    *pytest_args: str,
    workdir: Path,
    seed: int | None = None,
    timeout: float = 600.0,
) -> SuiteRun:
    """`pytest contract` against `server`, with `pytest_args` added; never raises on failures.

    Without a `seed`, one is drawn here, so that every run can be replayed.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    seed = random.randrange(2**32) if seed is None else seed
    junit = workdir / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract",
        "--base-url",
        server.url,
        "--username",
        server.username,
        "--password",
        server.password,
        "--second-tenant",
        SECOND_TENANT,
        "--report-dir",
        str(workdir / "reports"),
        "--regressions",
        str(workdir / "regressions"),
        "-p",
        "no:cacheprovider",
        "-p",
        "tests._suite_probe",
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",
        "-q",
        f"--hypothesis-seed={seed}",
        *pytest_args,
    ]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command, cwd=REPO, env=_child_environment(), capture_output=True, text=True, timeout=timeout
        )
        exit_code, output = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as expired:
        exit_code = -1
        output = _text(expired.stdout) + _text(expired.stderr) + f"\n[suite killed after {timeout:.0f}s]"
    wall = time.monotonic() - started
    cases = tuple(parse_junit(junit)) if junit.exists() else ()
    return SuiteRun(tuple(command), seed, exit_code, wall, cases, output)


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def broken_part(fault: Fault) -> specs.Part:
    """The clause part `fault` breaks (specs/clauses.yaml)."""
    return specs.clauses_by_id()[fault.clause].part(fault.part)


def fault_selection(fault: Fault) -> list[str]:
    """The pytest arguments that run only the checks of the part `fault` breaks (narrowed by its -k
    keyword), stopping at its first failure.

    The `selftest` profile is `default` without shrinking (see tests._suite_probe).
    """
    only = [arg for pattern in broken_part(fault).checks for arg in (ONLY_OPTION, pattern)]
    selection = [*only, *(["-k", fault.keyword] if fault.keyword else [])]
    return ["--hypothesis-profile", SELFTEST_PROFILE, "--settle", str(FAULT_SETTLE_SECONDS), "-x", *selection]


def run_fault(
    name: str, workdir: Path, *, seed: int | None, timeout: float = 600.0, server_args: Sequence[str] = ()
) -> SuiteRun:
    """The relevant part of the suite against a reference server with fault `name` switched on (and `server_args`)."""
    with spawn("--faults", name, *server_args) as server:
        return run_suite(server, *fault_selection(FAULTS[name]), workdir=workdir, seed=seed, timeout=timeout)


def run_clean(
    server_args: Sequence[str], workdir: Path, *pytest_args: str, seed: int | None, timeout: float = 900.0
) -> SuiteRun:
    """The whole default suite against a reference server without faults."""
    with spawn(*server_args) as server:
        return run_suite(server, *pytest_args, workdir=workdir, seed=seed, timeout=timeout)


def relevant_failures(run: SuiteRun, fault: Fault) -> list[CaseResult]:
    """Failures in a test that checks the part `fault` breaks."""
    part = broken_part(fault)
    return [c for c in run.failures if part.checked_by(c.nodeid)]


def _nodeid(case: ET.Element) -> str:
    """`path/to/test_x.py::Class::name`, from the class name (the `file` of generated tests is their generator's)."""
    parts = (case.get("classname") or "").split(".")
    name = case.get("name") or ""
    for split in range(len(parts), 0, -1):
        module = "/".join(parts[:split]) + ".py"
        if (REPO / module).is_file():
            return "::".join([module, *parts[split:], name])
    return "::".join(part for part in (case.get("file") or "", name) if part)


def parse_junit(path: Path) -> list[CaseResult]:
    """Every test case of a pytest JUnit XML file (xunit1 family, as run_suite writes it)."""
    results: list[CaseResult] = []
    for case in ET.parse(path).getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") or "" for p in case.iter("property")}
        outcome: Outcome = "passed"
        message = ""
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                outcome = "failed" if tag == "failure" else tag  # type: ignore[assignment]
                message = ((element.get("message") or "") + "\n" + (element.text or "")).strip()
                break
        failed_at = properties.get(FAILED_AT_PROPERTY)
        results.append(
            CaseResult(
                nodeid=_nodeid(case),
                outcome=outcome,
                markers=frozenset(m for m in properties.get(MARKERS_PROPERTY, "").split(",") if m),
                message=message,
                seconds=float(case.get("time") or 0.0),
                failed_at=float(failed_at) if failed_at else None,
            )
        )
    return results
