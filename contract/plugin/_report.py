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
from _pytest import junitxml

from contract.harness import NOT_STARTED, Run, plain_nodeid
from contract.plugin._session import Settings
from contract.reporting import (
    Outcomes,
    build_summary,
    clause_rows,
    depth_line,
    failure_record,
    ledger_state,
    merge_payloads,
    point_latest,
    process_payload,
    read_matrix,
    render,
    secrets_of,
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
    ) -> None:
        self.settings_of = settings_of
        self.run_key = run_key
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

    # Both kinds of process

    def pytest_configure(self, config: pytest.Config) -> None:
        settings = self.settings_of(config)
        if settings is None or not settings.run_dir or config.option.collectonly:
            return
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        if self.is_worker or not hasattr(config.option, "xmlpath"):
            return
        run_dir = Path(settings.run_dir)
        if not config.option.xmlpath:
            config.option.xmlpath = str(run_dir / "junit.xml")
        junit = Path(config.option.xmlpath).resolve()
        self.junit = junit.name if junit.parent == run_dir else str(junit)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """JUnit names the contract and the server version, as properties of the test suite."""
        xml = session.config.stash.get(junitxml.xml_key, None)
        if xml is None or self.settings is None:
            return
        choice = self.settings.choice
        xml.add_global_property("contract_version", str(choice.version))
        xml.add_global_property("server_version", choice.server_version or "unknown")
        xml.add_global_property("contract", choice.describe)

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
                config.workeroutput[PAYLOAD_KEY] = process_payload(run, worker)  # type: ignore[attr-defined]
            else:
                self.payloads["main"] = process_payload(run, "main")
                self._write(config, int(exitstatus))
        return result

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
            "contract": {**settings.choice.to_wire(), "describe": settings.choice.describe},
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

    def _write(self, config: pytest.Config, exitstatus: int) -> None:
        assert self.settings is not None
        run_dir = Path(self.settings.run_dir)
        merged = merge_payloads(self.payloads.values())
        created, alive = ledger_state(run_dir / "ledger")
        summary = build_summary(
            self._meta(config, exitstatus, time.time()),
            self.outcomes.totals(),
            self.outcomes.by_marker(),
            list(self.failures.values()),
            merged,
            created,
            alive,
            clause_rows(self.outcomes.final(), self.settings.contract_version),
            self.not_started,
            self.outcomes.unstable,
            self.outcomes.not_run,
        )
        self.depth = depth_line(summary["depth"])
        report_dir = Path(self.settings.report_dir)
        matrix, problem = read_matrix(report_dir)
        if problem:
            self.warnings.append(problem)
        if self.lost_workers:
            self.warnings.append(f"no report data from crashed workers: {', '.join(self.lost_workers)}")
        self.index = write_report(run_dir, summary, render(summary, matrix))
        if point_latest(report_dir, run_dir) is None:
            self.warnings.append(f"{report_dir / 'latest'} is a directory: not pointing it at this run")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.depth:
            terminalreporter.write_line(self.depth)
        for warning in self.warnings:
            terminalreporter.write_line(f"report: {warning}", yellow=True)
        if self.index is not None:
            terminalreporter.write_line(f"report: {self.index}")
