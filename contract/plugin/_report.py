"""The report writer: JUnit XML, summary.json and index.html for every run, one folder each.

Registered by the suite's plugin as soon as it loads, so its `pytest_configure`
runs after the plugin's own (which knows the run folder) and before pytest's junitxml
plugin (which reads `--junitxml`). With xdist, each worker puts its payload in
`config.workeroutput` once its Run has cleaned up; the controller collects the payloads
in `pytest_testnodedown`, sees every test report itself, and alone writes files.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

import pytest

from contract.harness import NOT_STARTED, ExampleMemory, Run, plain_nodeid
from contract.plugin._session import Settings
from contract.reporting import (
    Outcomes,
    baseline_verdict,
    build_summary,
    clause_rows,
    depth_line,
    failure_record,
    history,
    judge,
    ledger_state,
    merge_payloads,
    point_latest,
    process_payload,
    read_baseline,
    read_matrix,
    render,
    secrets_of,
    test_function,
    write_regressions,
    write_report,
)

__all__ = ["PAYLOAD_KEY", "ReportPlugin"]

#: The key of this plugin's data in a worker's `workeroutput`.
PAYLOAD_KEY = "contract_report"


def _sdk_version() -> str:
    try:
        return importlib.metadata.version("kestrapy")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _stamp(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(when))


class ReportPlugin:
    def __init__(
        self,
        settings_of: Callable[[pytest.Config], Settings | None],
        run_key: pytest.StashKey[Run],
        markers: Iterable[str],
        memory_of: Callable[[pytest.Config], ExampleMemory | None] = lambda config: None,
    ) -> None:
        self.settings_of = settings_of
        self.run_key = run_key
        self.memory_of = memory_of
        self.outcomes = Outcomes(markers)
        self.failures: dict[tuple[str, str], dict[str, Any]] = {}
        self.payloads: dict[str, dict[str, Any]] = {}
        self.lost_workers: list[str] = []
        self.not_started: list[str] = []
        self.depth = ""
        self.settings: Settings | None = None
        self.is_worker = False
        self.started = time.time()
        self.index: Path | None = None
        self.junit: str = ""
        self.warnings: list[str] = []
        #: Known violations (--baseline), read once at configure.
        self.baseline: list[dict[str, Any]] | None = None
        #: What the baseline made of this run's failures ({known, new, fixed, not_checked}).
        self.judgement: dict[str, Any] | None = None
        self.regressions: list[Path] = []
        self.memory_lines: list[str] = []

    # Both kinds of process

    def pytest_configure(self, config: pytest.Config) -> None:
        settings = self.settings_of(config)
        if settings is None or not settings.run_dir or config.option.collectonly:
            return
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        if self.is_worker or not hasattr(config.option, "xmlpath"):
            return
        if settings.baseline:
            try:
                self.baseline = read_baseline(Path(settings.baseline))
            except (OSError, ValueError) as error:
                raise pytest.UsageError(f"--baseline: {error}") from None
        run_dir = Path(settings.run_dir)
        if not config.option.xmlpath:
            config.option.xmlpath = str(run_dir / "junit.xml")
        junit = Path(config.option.xmlpath).resolve()
        self.junit = junit.name if junit.parent == run_dir else str(junit)

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Generator[None, Any, Any]:
        """Inside the terminal's and xdist's wrappers, after every plain sessionfinish.

        So the contract plugin's Run has cleaned up, the terminal summary can name the
        report, and a worker's payload is in `workeroutput` before xdist sends it.
        """
        result = yield
        if self.settings is not None:
            config = session.config
            run = config.stash.get(self.run_key, None)
            if self.is_worker:
                worker = str(config.workerinput["workerid"])  # type: ignore[attr-defined]
                config.workeroutput[PAYLOAD_KEY] = self._payload(config, run, worker)  # type: ignore[attr-defined]
            else:
                self.payloads["main"] = self._payload(config, run, "main")
                self._write(config, int(session.exitstatus))
        return result

    def _payload(self, config: pytest.Config, run: Run | None, worker: str) -> dict[str, Any]:
        payload = process_payload(run, worker)
        memory = self.memory_of(config)
        payload["examples_offered"] = memory.offered() if memory is not None else {}
        return payload

    def only_known_failures(self) -> bool:
        """Whether every failure of the run is a violation the baseline knows (the run then passes)."""
        if self.baseline is None or self.settings is None or self.is_worker:
            return False
        judgement = self._judge()
        called = all(f["phase"] == "call" for f in self.failures.values())
        return called and bool(judgement["known"]) and not judgement["new"]

    def _judge(self) -> dict[str, Any]:
        assert self.baseline is not None
        final = self.outcomes.final()
        ran = {test_function(nodeid) for nodeid, outcome in final.items() if outcome != "skipped"}
        checked = {row["id"] for row in clause_rows(final) if row["state"] != "unchecked"}
        violations = [f["violation"] for f in self.failures.values() if f["phase"] == "call"]
        self.judgement = judge(violations, self.baseline, ran, checked)
        return self.judgement

    # The controller

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Called once when a worker finishes, and again if it then goes down: keep one payload."""
        worker = str(node.gateway.id)
        payload = getattr(node, "workeroutput", {}).get(PAYLOAD_KEY)
        if payload is not None:
            self.payloads[worker] = payload
        elif worker not in self.payloads and worker not in self.lost_workers:
            self.lost_workers.append(worker)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.settings is None or self.is_worker:
            return
        self.outcomes.add(report)
        if report.skipped and isinstance(report.longrepr, tuple) and NOT_STARTED in str(report.longrepr[-1]):
            self.not_started.append(plain_nodeid(report.nodeid))
        if report.failed:
            secrets = secrets_of(self.settings.credentials)
            self.failures[(report.nodeid, report.when)] = failure_record(
                report, self.outcomes.marks_of(report), secrets
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if self.settings is None or self.is_worker or not report.failed or (report.nodeid, "collect") in self.failures:
            return
        self.outcomes.collection_errors += 1
        secrets = secrets_of(self.settings.credentials)
        self.failures[(report.nodeid, "collect")] = failure_record(report, (), secrets)

    def _meta(self, config: pytest.Config, exitstatus: int, finished: float) -> dict[str, Any]:
        settings = self.settings
        assert settings is not None
        return {
            "run": {
                "id": settings.run_id,
                "dir": settings.run_dir,
                "started": _stamp(self.started),
                "finished": _stamp(finished),
                "duration_s": round(finished - self.started, 2),
                "exit_status": exitstatus,
            },
            "target": {
                "base_url": settings.base_url,
                "embedded": settings.embedded,
                "tenant": settings.tenant,
                "identity": settings.target.credentials.describe,
            },
            "sdk": {"package": "kestrapy", "version": _sdk_version()},
            "profile": config.getoption("hypothesis_profile", None) or "default",
            "seed": settings.seed,
            "budget": settings.budget,
            "read_only": settings.read_only,
            "files": {"junit": self.junit, "summary": "summary.json"},
            "lost_workers": self.lost_workers,
        }

    def _memory(self, config: pytest.Config, failures: list[dict[str, Any]]) -> dict[str, Any]:
        """The example database and the corpus: what this run tried first, and what it wrote."""
        settings = self.settings
        assert settings is not None
        memory = self.memory_of(config)
        offered: dict[str, int] = {}
        for payload in self.payloads.values():
            offered.update(payload.get("examples_offered") or {})
        found = {
            "run": settings.run_id,
            "at": _stamp(self.started),
            "target": settings.base_url,
            "seed": settings.seed,
        }
        if settings.regressions:
            try:
                self.regressions = write_regressions(Path(settings.regressions), failures, found)
            except OSError as error:
                self.warnings.append(f"could not write the regression corpus: {error}")
        return {
            "example_db": settings.example_db or None,
            "corpus": settings.regressions or None,
            "corpus_examples": memory.corpus_size if memory is not None else 0,
            "replayed_first": offered,
            "written": [str(path) for path in self.regressions],
        }

    def _write(self, config: pytest.Config, exitstatus: int) -> None:
        assert self.settings is not None
        run_dir = Path(self.settings.run_dir)
        merged = merge_payloads(self.payloads.values())
        created, alive = ledger_state(run_dir / "ledger")
        failures = list(self.failures.values())
        meta = self._meta(config, exitstatus, time.time())
        meta["memory"] = self._memory(config, failures)
        if self.baseline is not None:
            meta["baseline"] = {"file": self.settings.baseline, **self._judge()}
        summary = build_summary(
            meta,
            self.outcomes.totals(),
            self.outcomes.by_marker(),
            failures,
            merged,
            created,
            alive,
            clause_rows(self.outcomes.final()),
            self.not_started,
            self.outcomes.unstable,
            self.outcomes.not_run,
        )
        if self.judgement is not None:
            summary["verdict"] = baseline_verdict(summary["verdict"], self.judgement, self.only_known_failures())
        self.depth = depth_line(summary["depth"])
        self.memory_lines = _memory_lines(summary)
        report_dir = Path(self.settings.report_dir)
        matrix, problem = read_matrix(report_dir)
        if problem:
            self.warnings.append(problem)
        if self.lost_workers:
            self.warnings.append(f"no report data from crashed workers: {', '.join(self.lost_workers)}")
        trend = history(report_dir, summary, self.settings.trend, exclude=run_dir)
        self.index = write_report(run_dir, summary, render(summary, matrix, trend))
        if point_latest(report_dir, run_dir) is None:
            self.warnings.append(f"{report_dir / 'latest'} is a directory: not pointing it at this run")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.depth:
            terminalreporter.write_line(self.depth)
        for line in self.memory_lines:
            terminalreporter.write_line(line)
        for warning in self.warnings:
            terminalreporter.write_line(f"report: {warning}", yellow=True)
        if self.index is not None:
            terminalreporter.write_line(f"report: {self.index}")


def _violation_line(item: dict[str, Any]) -> str:
    clauses = ", ".join(item.get("clauses") or ([item["clause"]] if item.get("clause") else []))
    where = " ".join(str(x) for x in (item.get("operation"), item.get("test")) if x)
    return f"{clauses or '?'} {where}".strip() + (f" ({item['check']})" if item.get("check") else "")


def _memory_lines(summary: dict[str, Any]) -> list[str]:
    """The terminal's word on the corpus, the example database and the baseline."""
    lines = []
    memory = summary.get("memory") or {}
    replayed = memory.get("replayed_first") or {}
    if replayed:
        lines.append(
            f"memory: {sum(replayed.values())} stored examples tried first in {len(replayed)} tests "
            f"(corpus {memory.get('corpus') or 'off'}, example database {memory.get('example_db') or 'off'})"
        )
    for test, example in ((summary.get("depth") or {}).get("failed_at_example") or {}).items():
        lines.append(f"memory: {test} failed on example {example}")
    lines += [f"regressions: wrote {path}" for path in memory.get("written", [])]
    baseline = summary.get("baseline")
    if baseline:
        for word, key in (("new", "new"), ("known", "known"), ("fixed", "fixed"), ("not checked", "not_checked")):
            lines += [f"baseline: {word}: {_violation_line(item)}" for item in baseline.get(key, [])]
    return lines
