"""The pytest plugin behind `pytest contract`: options, target, seed, cleanup.

On the controller it resolves the target (starting the embedded reference server
when no --base-url is given), checks it once, and hands the result to xdist workers
through `workerinput`. Anything that stops the suite from running is one line and
exit code 4 (pytest's usage error).
"""

from __future__ import annotations

import os
import random
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from contract import MARKERS
from contract.fuzz import FuzzEngine
from contract.harness import (
    CLEANUP_FILE,
    DEFAULT_BUDGET,
    DEFAULT_SETTLE_SECONDS,
    DEFAULT_WINDOW,
    Budget,
    CleanupReport,
    Credentials,
    DeploymentPlugin,
    IdentityLost,
    PacePlugin,
    Run,
    Target,
    TargetError,
    check_base_url,
    finish_run,
    held_back,
    interrupt_on_termination,
    parse_duration,
    plain_nodeid,
    preflight,
    publish_run_seed,
    sweep_hint,
    write_process_report,
    write_run_record,
)
from contract.reporting import ReportPlugin
from strategies import new_run_id

RUN_KEY = pytest.StashKey[Run]()
TARGET_KEY = pytest.StashKey[Target]()
SERVER_KEY = pytest.StashKey[Any]()
INFO_KEY = pytest.StashKey[dict[str, Any]]()
#: The run's cleanup verdict and any problems reaching it, for the terminal summary.
VERDICT_KEY = pytest.StashKey[tuple[CleanupReport, list[str]]]()
#: Settle window and unstable targets around each test (one per process).
DEPLOYMENT = DeploymentPlugin(lambda config: config.stash.get(RUN_KEY, None))
#: Why the run stopped when its own credentials stopped working (this process saw it).
LOST_KEY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Kestra Users API contract suite")
    group.addoption("--username", help="superadmin username (or $KESTRA_USERNAME)")
    group.addoption("--password", help="superadmin password (or $KESTRA_PASSWORD)")
    group.addoption("--token", help="superadmin API token (or $KESTRA_API_TOKEN)")
    group.addoption("--tenant", default=os.environ.get("KESTRA_TENANT", "main"), help="tenant id (default: main)")
    group.addoption("--report-dir", default="reports", help="where runs write their reports (default: reports/)")
    group.addoption(
        "--read-only", action="store_true", help="run only the smoke tests, which change nothing on the target"
    )
    group.addoption(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE_SECONDS,
        metavar="SECONDS",
        help=f"how long searches may show a write late (default: {DEFAULT_SETTLE_SECONDS:g})",
    )
    group.addoption(
        "--budget",
        metavar="DURATION",
        help="wall time for the whole run (e.g. 45m, 90s): it goes as deep as fits, then cleans up and reports",
    )
    group.addoption(
        "--wrong-password-budget",
        type=int,
        default=DEFAULT_BUDGET,
        help=f"failed password logins allowed per account the run created, per window (default {DEFAULT_BUDGET})",
    )
    group.addoption(
        "--wrong-password-window",
        type=float,
        default=DEFAULT_WINDOW,
        help=f"that window in seconds (default {DEFAULT_WINDOW:g}: Kestra's default lockout window)",
    )
    group.addoption(
        "--reference-server-args",
        default=os.environ.get("REFERENCE_SERVER_ARGS", ""),
        help="extra arguments for the embedded reference server (when no --base-url is given)",
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the report writer now: its configure then runs after ours and before junitxml's.

    The budget's plugin too: xdist asks it how many workers `-n auto` means before configure.
    """
    pluginmanager.register(ReportPlugin(INFO_KEY, RUN_KEY, MARKERS), "contract-report")
    pluginmanager.register(DEPLOYMENT, "contract-deployment")
    pluginmanager.register(PacePlugin(contract_run, _longest_first), "contract-pace")


def _longest_first(item: pytest.Item) -> tuple[int, int]:
    """Under xdist: state-machine shards first, the first of each machine before the second of any."""
    if item.get_closest_marker("stateful") is None:
        return (1, 0)
    callspec = getattr(item, "callspec", None) if isinstance(item, pytest.Function) else None
    shard = callspec.params.get("shard") if callspec is not None else None
    return (0, getattr(shard, "index", 0))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _usage_error(message: str) -> pytest.UsageError:
    return pytest.UsageError(message)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    profile = config.getoption("hypothesis_profile", None)
    if profile and profile not in settings._profiles:
        known = ", ".join(sorted(p for p in settings._profiles if not p.startswith("_")))
        raise _usage_error(f"unknown profile {profile!r}; choose one of: {known}")
    if _is_worker(config):
        info: dict[str, Any] = dict(config.workerinput["contract"])  # type: ignore[attr-defined]
    else:
        seed = config.getoption("hypothesis_seed", None)
        info = {
            "run_id": new_run_id(),
            "seed": int(seed) if seed is not None and str(seed).isdigit() else random.randrange(2**32),
            "read_only": bool(config.getoption("read_only")),
            "settle": float(config.getoption("settle")),
            "budget": Budget.starting_now(_budget_seconds(config)).to_info(),
            "login_budget": int(config.getoption("wrong_password_budget")),
            "login_window": float(config.getoption("wrong_password_window")),
        }
        if info["login_budget"] < 1 or info["login_window"] <= 0:
            raise _usage_error("--wrong-password-budget must be at least 1 and --wrong-password-window positive")
        if not (info["settle"] >= 0):
            raise _usage_error(f"--settle must be a number of seconds >= 0, not {info['settle']}")
    config.option.hypothesis_seed = info["seed"]
    publish_run_seed(info["seed"])
    config.stash[INFO_KEY] = info
    interrupt_on_termination()
    if _is_worker(config):
        creds = Credentials(**info["credentials"])
        config.stash[TARGET_KEY] = Target(info["base_url"], creds, info["tenant"], info["embedded"])
        return
    if config.option.help or config.option.version:
        return
    try:
        target = _resolve_target(config)
        preflight(target)
    except (TargetError, RuntimeError) as error:
        _stop_server(config)
        raise _usage_error(f"contract suite cannot run: {error}") from None
    config.stash[TARGET_KEY] = target
    info.update(
        base_url=target.base_url,
        credentials={
            "username": target.credentials.username,
            "password": target.credentials.password,
            "token": target.credentials.token,
        },
        tenant=target.tenant,
        embedded=target.embedded,
        run_dir=str(_run_dir(config, info["run_id"])),
    )
    write_run_record(Path(info["run_dir"]), info["run_id"], target.base_url)


def _budget_seconds(config: pytest.Config) -> float | None:
    text = config.getoption("budget")
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise _usage_error(f"--budget: {error}") from None


def _resolve_target(config: pytest.Config) -> Target:
    credentials = Credentials.from_options(
        config.getoption("username"), config.getoption("password"), config.getoption("token")
    )
    tenant = config.getoption("tenant")
    base_url = config.getoption("base_url")
    if credentials is not None and not base_url:
        raise TargetError(
            "credentials were given but no --base-url: say which server they are for "
            "(without both, the suite runs against its embedded reference server)"
        )
    if base_url:
        url = check_base_url(base_url)
        if credentials is None:
            raise TargetError(
                f"no credentials for {url}: set --username/--password or --token "
                "(or KESTRA_USERNAME/KESTRA_PASSWORD or KESTRA_API_TOKEN)"
            )
        return Target(url, credentials, tenant, embedded=False)
    import shlex

    from reference_server import spawn

    password = "Kc9" + new_run_id() + "x7"
    server = spawn(*shlex.split(config.getoption("reference_server_args")), password=password)
    config.stash[SERVER_KEY] = server
    return Target(server.url, Credentials(server.username, server.password), tenant, embedded=True)


def _run_dir(config: pytest.Config, run_id: str) -> Path:
    import time

    base = Path(config.getoption("report_dir"))
    return base.resolve() / "runs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{run_id}"


def pytest_configure_node(node: Any) -> None:
    node.workerinput["contract"] = node.config.stash[INFO_KEY]


def _worker_name(config: pytest.Config) -> str:
    return str(config.workerinput["workerid"]) if _is_worker(config) else "main"  # type: ignore[attr-defined]


def contract_run(config: pytest.Config) -> Run:
    """The Run of this process, created on first use."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        info = config.stash[INFO_KEY]
        run = Run(
            run_id=info["run_id"],
            worker=_worker_name(config),
            target=config.stash[TARGET_KEY],
            run_dir=Path(info["run_dir"]),
            seed=info["seed"],
            read_only=info["read_only"],
            settle_window=info["settle"],
            budget=Budget.from_info(info.get("budget")),
            login_budget=info["login_budget"],
            login_window=info["login_window"],
        )
        config.stash[RUN_KEY] = run
    return run


@pytest.fixture(scope="session")
def run(pytestconfig: pytest.Config) -> Run:
    return contract_run(pytestconfig)


@pytest.fixture(scope="session")
def fuzz_engine(run: Run) -> Iterator[FuzzEngine]:
    """Shared by the generated and the hand-written request-level tests."""
    engine = FuzzEngine(run)
    yield engine
    engine.close()


@pytest.fixture(scope="session", autouse=True)
def _nothing_showed_late(pytestconfig: pytest.Config) -> Iterator[None]:
    """Checks that nothing showed in a search (`run.later`): made at once, and once more for the
    whole session after the settle window; a failure shows at the teardown of the last test.
    """
    yield
    run = pytestconfig.stash.get(RUN_KEY, None)
    if run is not None:
        run.later.verify()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--read-only runs only tests marked `smoke` (known to change nothing), never one marked `mutating`.

    An allow-list: a test nobody has vouched for does not run against production. The
    SafetyGuard refuses every change in such a run anyway.
    """
    if not config.getoption("read_only"):
        return
    changes = pytest.mark.skip(reason="--read-only: this test changes state")
    unknown = pytest.mark.skip(reason="--read-only: runs only tests marked smoke")
    for item in items:
        if item.get_closest_marker("mutating"):
            item.add_marker(changes)
        elif not item.get_closest_marker("smoke"):
            item.add_marker(unknown)


def pytest_report_header(config: pytest.Config) -> list[str]:
    info = config.stash.get(INFO_KEY, {})
    target = config.stash.get(TARGET_KEY, None)
    seed = info.get("seed")
    lines = [f"contract: run {info.get('run_id')}, seed {seed} (replay with --hypothesis-seed={seed})"]
    if target is not None:
        where = "embedded reference server" if target.embedded else "remote"
        lines.append(
            f"contract: target {target.base_url} ({where}) as {target.credentials.describe}, tenant {target.tenant}"
        )
    return lines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(IdentityLost):
        # One line and a stop, not hundreds of failures that all say 401.
        message = str(call.excinfo.value)
        report.longrepr = message
        item.session.shouldstop = message
        config = item.config
        config.stash[LOST_KEY] = message
        return
    run = item.config.stash.get(RUN_KEY, None)
    if run is not None and report.failed:
        _mask_report(report, run)
    if report.failed and call.when == "call":
        info = item.config.stash[INFO_KEY]
        target = item.config.stash.get(TARGET_KEY, None)
        base = f" --base-url {target.base_url}" if target is not None and not target.embedded else ""
        profile = item.config.getoption("hypothesis_profile", None)
        chosen = f" --hypothesis-profile {profile}" if profile and profile != "default" else ""
        node = plain_nodeid(item.nodeid)
        report.sections.append(("replay", f"pytest '{node}' --hypothesis-seed={info['seed']}{chosen}{base}"))


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
    if TARGET_KEY not in config.stash:
        return
    info = config.stash[INFO_KEY]
    run_dir = Path(info["run_dir"])
    with held_back():
        run = config.stash.get(RUN_KEY, None)
        if run is not None:
            write_process_report(run_dir, f"{run.worker}-{os.getpid()}", run.finish())
        if _is_worker(config):
            return
        verdict = finish_run(config.stash[TARGET_KEY], run_dir, info["run_id"], read_only=info["read_only"])
    config.stash[VERDICT_KEY] = verdict
    # The controller speaks last for the run (the report plugin reads it from here).
    contract_run(config).cleanup = verdict[0]
    report, problems = verdict
    contract_run(config).cleanup_problems = problems
    if (not report.ok or problems) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if config.stash.get(LOST_KEY, None) or (session.shouldstop and _lost(str(session.shouldstop))):
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    session.exitstatus = DEPLOYMENT.exit_status(session.exitstatus)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        for drift in run.findings.drifts:
            terminalreporter.write_line(f"drift: {drift.operation} {drift.detail}", yellow=True)
    verdict = config.stash.get(VERDICT_KEY, None)
    if verdict is None:
        return
    report, problems = verdict
    ok = report.ok and not problems
    terminalreporter.write_line(report.summary(), red=not ok, green=ok)
    for problem in problems:
        terminalreporter.write_line(f"  {problem}", red=True)
    run_dir = Path(config.stash[INFO_KEY]["run_dir"])
    terminalreporter.write_line(f"cleanup report: {run_dir / CLEANUP_FILE}")
    if not ok:
        target = config.stash[TARGET_KEY]
        terminalreporter.write_line(
            f"what could not be deleted stays in the run's ledger; to finish the cleanup: {sweep_hint(target)}",
            red=True,
        )


def _lost(reason: str) -> bool:
    """Whether xdist's stop reason is a worker's IdentityLost message."""
    return "the suite's own credentials" in reason


def _stop_server(config: pytest.Config) -> None:
    server = config.stash.get(SERVER_KEY, None)
    if server is not None:
        server.stop()


def pytest_unconfigure(config: pytest.Config) -> None:
    _stop_server(config)
