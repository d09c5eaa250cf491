"""The suite's pytest plugin, installed with the package (entry point `pytest11`).

Every pytest hook of the suite is here or in this package's modules: options, ini keys,
markers and hypothesis profiles (for every session), and, in a session that runs the
suite (`names_the_suite`), the target and its one-time preflight (unreachable, rejected
credentials, not a superadmin: one line, exit 4), the run seed (always forced, so every
failure prints a `--hypothesis-seed` replay line), the hand-off to xdist workers (a typed
`Settings`), the settle window and unstable targets around each test (`_deployment`),
the budget and xdist's order (`_pacing`), the reports (`_report`), and cleanup at the end.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from contract.fuzz import FuzzEngine
from contract.harness import (
    CLEANUP_FILE,
    CleanupReport,
    ExampleMemory,
    IdentityLost,
    Run,
    TargetError,
    encode_example,
    example_key,
    finish_run,
    interrupt_on_termination,
    plain_nodeid,
    publish_run_seed,
    register_profiles,
    remember_examples,
    signals_deferred,
    sweep_hint,
    write_process_report,
    write_run_record,
)
from contract.plugin._deployment import EXIT_UNSTABLE_TARGET, IDENTITY_LOST_PROPERTY, DeploymentPlugin
from contract.plugin._markers import MARKERS
from contract.plugin._options import OPTIONS, add_options, option_value
from contract.plugin._pacing import PacePlugin, remote_workers
from contract.plugin._report import ReportPlugin
from contract.plugin._session import RunningTarget, Settings, names_the_suite, new_settings, resolve_target, run_dir
from contract.reporting import EXAMPLES_PROPERTY, read_corpus

__all__ = [
    "EXIT_UNSTABLE_TARGET",
    "MARKERS",
    "OPTIONS",
    "RUN_KEY",
    "SETTINGS_KEY",
    "Settings",
    "contract_run",
    "plain_nodeid",
    "remote_workers",
]

#: This process's settings; absent when the session does not run the suite.
SETTINGS_KEY = pytest.StashKey[Settings]()
RUN_KEY = pytest.StashKey[Run]()
_TARGET_KEY = pytest.StashKey[RunningTarget]()
#: This process's example database: --example-db, the regression corpus, what the run saved.
_MEMORY_KEY = pytest.StashKey[ExampleMemory]()
#: The run's cleanup verdict and any problems reaching it, for the terminal summary.
_VERDICT_KEY = pytest.StashKey[tuple[CleanupReport, list[str]]]()
#: The run stopped because its own credentials stopped working (seen here, or in a worker's report).
_LOST_KEY = pytest.StashKey[str]()
#: The workerinput key of the settings.
_WIRE = "contract"

register_profiles()


def _settings(config: pytest.Config) -> Settings | None:
    return config.stash.get(SETTINGS_KEY, None)


def contract_run(config: pytest.Config) -> Run:
    """The Run of this process, created on first use."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        settings = _settings(config)
        if settings is None:
            raise pytest.UsageError(
                "this session does not run the contract suite: name the contract package "
                "(`pytest contract`, `pytest --pyargs contract`) or pass --contract-session"
            )
        run = settings.run(_worker_name(config))
        config.stash[RUN_KEY] = run
    return run


_DEPLOYMENT = DeploymentPlugin(
    lambda config: config.stash.get(RUN_KEY, None), lambda config: _settings(config) is not None
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the parts now: the report's configure then runs after ours and before junitxml's,
    and xdist asks the pacing part how many workers `-n auto` means before configure.
    """
    pluginmanager.register(
        ReportPlugin(_settings, RUN_KEY, MARKERS, lambda config: config.stash.get(_MEMORY_KEY, None)), "contract-report"
    )
    pluginmanager.register(_DEPLOYMENT, "contract-deployment")
    pluginmanager.register(PacePlugin(contract_run, _longest_first, _settings), "contract-pace")


def _longest_first(item: pytest.Item) -> tuple[int, int]:
    """Under xdist: state-machine shards first, the first of each machine before the second of any."""
    if item.get_closest_marker("stateful") is None:
        return (1, 0)
    callspec = getattr(item, "callspec", None) if isinstance(item, pytest.Function) else None
    shard = callspec.params.get("shard") if callspec is not None else None
    return (0, getattr(shard, "index", 0))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _worker_name(config: pytest.Config) -> str:
    return str(config.workerinput["workerid"]) if _is_worker(config) else "main"  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    _choose_profile(config)
    if _is_worker(config):
        wire = config.workerinput.get(_WIRE)  # type: ignore[attr-defined]
        if wire is not None:
            _start(config, Settings.from_wire(wire))
        return
    if config.option.help or config.option.version or not names_the_suite(config):
        return
    settings = new_settings(config)
    try:
        running = resolve_target(config, settings.tenant)
    except (TargetError, RuntimeError) as error:
        raise pytest.UsageError(f"contract suite cannot run: {error}") from None
    config.stash[_TARGET_KEY] = running
    settings = settings.with_target(running.target, run_dir(settings))
    _start(config, settings)
    write_run_record(Path(settings.run_dir), settings.run_id, settings.base_url)


def _choose_profile(config: pytest.Config) -> None:
    """--hypothesis-profile, else the suite's own option (flag, environment, ini); a known name either way."""
    profile = config.getoption("hypothesis_profile", None)
    if profile is None:
        profile = option_value(config, "profile")
        if profile:
            config.option.hypothesis_profile = profile
    if profile and profile not in hypothesis_settings._profiles:
        known = ", ".join(sorted(p for p in hypothesis_settings._profiles if not p.startswith("_")))
        raise pytest.UsageError(f"unknown profile {profile!r}; choose one of: {known}")


def _start(config: pytest.Config, settings: Settings) -> None:
    config.stash[SETTINGS_KEY] = settings
    config.option.hypothesis_seed = settings.seed
    publish_run_seed(settings.seed)
    interrupt_on_termination()
    _remember(config, settings)


def _remember(config: pytest.Config, settings: Settings) -> None:
    """Hypothesis's database for this run: the directory of --example-db, the corpus on top, read-only."""
    try:
        corpus = read_corpus(Path(settings.regressions)) if settings.regressions else {}
    except ValueError as error:
        raise pytest.UsageError(f"--regressions: {error}") from None
    memory = ExampleMemory(Path(settings.example_db) if settings.example_db else None, corpus)
    config.stash[_MEMORY_KEY] = memory
    remember_examples(memory, config.getoption("hypothesis_profile", None))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """File a hypothesis test's examples under a key of its own node id.

    Set just before the call: a test function that pytest parametrizes is one object for
    all its items. Machines set theirs per shard (`contract.machines.run_machine`).
    """
    test = getattr(item, "obj", None)
    if _settings(item.config) is not None and getattr(test, "is_hypothesis_test", False):
        test._hypothesis_internal_database_key = example_key(item.nodeid)  # type: ignore[union-attr]


def pytest_configure_node(node: Any) -> None:
    settings = _settings(node.config)
    if settings is not None:
        node.workerinput[_WIRE] = settings.to_wire()


@pytest.fixture(scope="session")
def run(pytestconfig: pytest.Config) -> Run:
    """The Run of this process: the target, the guarded Api, the ledger and the run's names."""
    return contract_run(pytestconfig)


@pytest.fixture(scope="session")
def fuzz_engine(run: Run) -> Iterator[FuzzEngine]:
    """Shared by the generated and the hand-written request-level tests."""
    engine = FuzzEngine(run)
    yield engine
    engine.close()


@pytest.fixture(scope="session", autouse=True)
def _nothing_showed_late(pytestconfig: pytest.Config) -> Iterator[None]:
    """Checks that nothing showed in a search (`run.absences`): made at once, and once more for the
    whole session after the settle window; a failure shows at the teardown of the last test.
    """
    yield
    run = pytestconfig.stash.get(RUN_KEY, None)
    if run is not None:
        run.absences.verify()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--read-only runs only tests marked `smoke` (known to change nothing), never one marked `mutating`.

    An allow-list: a test nobody has vouched for does not run against production. The
    SafetyGuard refuses every change in such a run anyway.
    """
    settings = _settings(config)
    if settings is None or not settings.read_only:
        return
    changes = pytest.mark.skip(reason="--read-only: this test changes state")
    unknown = pytest.mark.skip(reason="--read-only: runs only tests marked smoke")
    for item in items:
        if item.get_closest_marker("mutating"):
            item.add_marker(changes)
        elif not item.get_closest_marker("smoke"):
            item.add_marker(unknown)


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = _settings(config)
    if settings is None:
        return []
    target = settings.target
    where = "embedded reference server" if target.embedded else "remote"
    return [
        f"contract: run {settings.run_id}, seed {settings.seed} (replay with --hypothesis-seed={settings.seed})",
        f"contract: target {target.base_url} ({where}) as {target.credentials.describe}, tenant {target.tenant}",
    ]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    settings = _settings(item.config)
    if settings is None:
        return
    if call.excinfo is not None and call.excinfo.errisinstance(IdentityLost):
        # One line and a stop, not hundreds of failures that all say 401.
        message = str(call.excinfo.value)
        report.longrepr = message
        report.user_properties.append((IDENTITY_LOST_PROPERTY, message))
        item.session.shouldstop = message
        item.config.stash[_LOST_KEY] = message
        return
    run = item.config.stash.get(RUN_KEY, None)
    if run is not None and report.failed:
        _mask_report(report, run)
    memory = item.config.stash.get(_MEMORY_KEY, None)
    if memory is not None and report.failed and call.when == "call":
        # The failing examples travel with the report (xdist too) to the corpus the controller writes.
        # (an attribute, not a user property: a blob may hold generated passwords, junit.xml never does)
        examples = [encode_example(value) for value in memory.failing(item.nodeid)]
        if examples:
            setattr(report, EXAMPLES_PROPERTY, examples)
    if report.failed and call.when == "call":
        base = f" --base-url {settings.base_url}" if not settings.embedded else ""
        profile = item.config.getoption("hypothesis_profile", None)
        chosen = f" --hypothesis-profile {profile}" if profile and profile != "default" else ""
        node = plain_nodeid(item.nodeid)
        report.sections.append(("replay", f"pytest '{node}' --hypothesis-seed={settings.seed}{chosen}{base}"))


def _mask_report(report: pytest.TestReport, run: Run) -> None:
    """No password or token the run used in failure output (terminal, junit.xml, summary, index.html)."""
    text = report.longreprtext
    masked = run.secrets.mask(text)
    if masked != text:
        report.longrepr = masked
    report.sections = [(title, run.secrets.mask(content)) for title, content in report.sections]


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Mask again: schemathesis rewrites a failure's text here, after the report was made."""
    run = node.config.stash.get(RUN_KEY, None)
    if run is not None and report.failed:
        _mask_report(report, run)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Delete what the run created, whether it passed, failed or was interrupted."""
    config = session.config
    settings = _settings(config)
    if settings is None:
        return
    with signals_deferred():
        run = config.stash.get(RUN_KEY, None)
        if run is not None:
            write_process_report(Path(settings.run_dir), f"{run.worker}-{os.getpid()}", run.finish())
        if _is_worker(config):
            return
        verdict = finish_run(settings.target, Path(settings.run_dir), settings.run_id, read_only=settings.read_only)
    config.stash[_VERDICT_KEY] = verdict
    # The controller speaks last for the run (the report plugin reads it from here).
    report, problems = verdict
    contract_run(config).cleanup = report
    contract_run(config).cleanup_problems = problems
    reporter: ReportPlugin | None = config.pluginmanager.get_plugin("contract-report")
    if session.exitstatus == pytest.ExitCode.TESTS_FAILED and reporter is not None and reporter.only_known_failures():
        session.exitstatus = pytest.ExitCode.OK  # every violation is a known one (--baseline)
    if (not report.ok or problems) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if config.stash.get(_LOST_KEY, None) or _DEPLOYMENT.identity_lost:
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    session.exitstatus = _DEPLOYMENT.exit_status(session.exitstatus)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        for drift in run.findings.drifts:
            terminalreporter.write_line(f"drift: {drift.operation} {drift.detail}", yellow=True)
    verdict = config.stash.get(_VERDICT_KEY, None)
    settings = _settings(config)
    if verdict is None or settings is None:
        return
    report, problems = verdict
    ok = report.ok and not problems
    terminalreporter.write_line(report.summary(), red=not ok, green=ok)
    for problem in problems:
        terminalreporter.write_line(f"  {problem}", red=True)
    terminalreporter.write_line(f"cleanup report: {Path(settings.run_dir) / CLEANUP_FILE}")
    if not ok:
        terminalreporter.write_line(
            "what could not be deleted stays in the run's ledger; to finish the cleanup: "
            + sweep_hint(settings.target),
            red=True,
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    running = config.stash.get(_TARGET_KEY, None)
    if running is not None:
        running.stop()
