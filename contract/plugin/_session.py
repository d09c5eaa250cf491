"""One run's settings, decided once by the controller and handed to every xdist worker.

Whether a pytest session is a run of the suite at all is decided here too: only a
session that names the contract package (a path inside it, or `--pyargs contract`), or
asks for it with `--contract-session`, starts a target. So `pytest tests` in this
project, or any other test run in an environment where the suite is installed, never
touches a server.
"""

from __future__ import annotations

import importlib.util
import random
import shlex
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

import contract
from contract.harness import (
    DEFAULT_TIMEOUT,
    Budget,
    Connection,
    ContractChoice,
    Credentials,
    Network,
    Run,
    SecretBook,
    Target,
    TargetError,
    check_base_url,
    connect,
    own_token_name,
    parse_duration,
    preflight,
)
from contract.plugin._options import option_value
from strategies import new_run_id

__all__ = ["RunningTarget", "Settings", "names_the_suite", "new_settings", "resolve_target"]

_PACKAGE = Path(contract.__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """What every process of one run must agree on. Crosses to xdist workers as plain data."""

    run_id: str
    seed: int
    read_only: bool
    settle: float
    login_budget: int
    login_window: float
    report_dir: str
    tenant: str
    #: Another tenant the run may use ("" for none; the embedded server's `second` without the option).
    second_tenant: str = ""
    #: The budget's stop time and reserve (`Budget.to_info()`), or None without --budget.
    budget: dict[str, float | None] | None = None
    #: How requests reach the target (`Network`): CA bundle, no verification, extra headers, timeout.
    ca_bundle: str | None = None
    insecure: bool = False
    headers: list[list[str]] = field(default_factory=list)
    request_timeout: float = DEFAULT_TIMEOUT
    #: Known once the controller has resolved and checked the target.
    base_url: str = ""
    credentials: dict[str, str | None] = field(default_factory=dict)
    embedded: bool = False
    run_dir: str = ""
    #: Hypothesis's example database (--example-db), "" for none.
    example_db: str = ""
    #: The regression corpus (--regressions), "" when off.
    regressions: str = ""
    #: Known violations (--baseline), "" for none.
    baseline: str = ""
    #: Earlier runs index.html charts.
    trend: int = 14
    #: `--contract`: auto, 1 or 2.
    contract_option: str = "auto"
    #: The contract the run speaks and the server version it was picked from (`ContractChoice`).
    contract: dict[str, Any] = field(default_factory=dict)
    #: The API token the run minted for its own identity (2.x with a password): id and name.
    own_token: dict[str, str] = field(default_factory=dict)
    #: `--sdk-across-majors`: the SDK tests run whatever contract the installed kestrapy is built for.
    sdk_across_majors: bool = False

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Settings:
        return cls(**data)

    def with_target(self, running: RunningTarget, run_dir: Path) -> Settings:
        target = running.target
        credentials = target.credentials
        own = running.own_token
        return replace(
            self,
            contract=running.contract.to_wire(),
            own_token={"id": own.id, "name": own.name} if own is not None else {},
            base_url=target.base_url,
            credentials={
                "username": credentials.username,
                "password": credentials.password,
                "token": credentials.token,
            },
            tenant=target.tenant,
            second_tenant=target.second_tenant,
            embedded=target.embedded,
            run_dir=str(run_dir),
        )

    @property
    def network(self) -> Network:
        headers = tuple((name, value) for name, value in self.headers)
        return Network(self.ca_bundle, self.insecure, headers, self.request_timeout)

    @property
    def choice(self) -> ContractChoice:
        return ContractChoice(**self.contract) if self.contract else ContractChoice(1, None, "unreadable", "not read")

    @property
    def contract_version(self) -> int:
        return self.choice.version

    @property
    def target(self) -> Target:
        return Target(
            self.base_url,
            Credentials(**self.credentials),
            self.tenant,
            self.embedded,
            network=self.network,
            second_tenant=self.second_tenant,
        )

    @property
    def secrets(self) -> list[str]:
        """What no report may show: the password, the token, the basic header, the extra headers' values."""
        credentials = Credentials(**self.credentials)
        given = {value for value in (credentials.password, credentials.token) if value}  # however short
        return sorted(SecretBook.of(credentials).secrets | given) + self.network.header_values

    def run(self, worker: str) -> Run:
        """The Run of one process of this run."""
        return Run(
            run_id=self.run_id,
            worker=worker,
            target=self.target,
            run_dir=Path(self.run_dir),
            seed=self.seed,
            read_only=self.read_only,
            settle_window=self.settle,
            budget=Budget.from_info(self.budget),
            login_budget=self.login_budget,
            login_window=self.login_window,
            sdk_across_majors=self.sdk_across_majors,
        )


def names_the_suite(config: pytest.Config) -> bool:
    """Whether this session runs the suite: it names the contract package, or asks with --contract-session."""
    if option_value(config, "suite_session"):
        return True
    for arg in config.args:
        path = _resolve(str(arg).split("::")[0], config)
        if path is not None and (path == _PACKAGE or _PACKAGE in path.parents):
            return True
    return False


def _resolve(arg: str, config: pytest.Config) -> Path | None:
    if config.option.pyargs and arg and "/" not in arg:
        try:
            spec = importlib.util.find_spec(arg)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            origin = Path(spec.origin).resolve()
            return origin.parent if origin.name == "__init__.py" else origin
    try:
        return (config.invocation_params.dir / arg).resolve()
    except OSError:
        return None


def new_settings(config: pytest.Config) -> Settings:
    """The controller's settings from options, environment and ini; a usage error when one is wrong."""
    seed = config.getoption("hypothesis_seed", None)
    settings = Settings(
        run_id=new_run_id(),
        seed=int(seed) if seed is not None and str(seed).isdigit() else random.randrange(2**32),
        read_only=bool(option_value(config, "read_only")),
        settle=float(option_value(config, "settle")),
        budget=Budget.starting_now(_budget_seconds(config)).to_info(),
        login_budget=int(option_value(config, "wrong_password_budget")),
        login_window=float(option_value(config, "wrong_password_window")),
        report_dir=str(Path(option_value(config, "report_dir")).resolve()),
        second_tenant=str(option_value(config, "second_tenant") or ""),
        tenant=str(option_value(config, "tenant")),
        ca_bundle=_ca_bundle(config),
        insecure=bool(option_value(config, "insecure")),
        headers=[[name, value] for name, value in option_value(config, "headers")],
        request_timeout=float(option_value(config, "request_timeout")),
        example_db=_path_option(config, "example_db"),
        regressions=_path_option(config, "regressions"),
        baseline=_path_option(config, "baseline"),
        trend=int(option_value(config, "trend")),
        contract_option=str(option_value(config, "contract")),
        sdk_across_majors=bool(option_value(config, "sdk_across_majors")),
    )
    if settings.baseline and not Path(settings.baseline).is_file():
        raise pytest.UsageError(f"--baseline: {settings.baseline} does not exist")
    if settings.trend < 0:
        raise pytest.UsageError(f"--trend must be 0 or more, not {settings.trend}")
    if settings.login_budget < 1 or settings.login_window <= 0:
        raise pytest.UsageError("--wrong-password-budget must be at least 1 and --wrong-password-window positive")
    if not (settings.settle >= 0):
        raise pytest.UsageError(f"--settle must be a number of seconds >= 0, not {settings.settle}")
    return settings


def _ca_bundle(config: pytest.Config) -> str | None:
    """The CA bundle as an absolute path (workers and the sweep hint read it from anywhere)."""
    path = option_value(config, "ca_bundle")
    if not path:
        return None
    resolved = Path(str(path)).expanduser()
    if not resolved.is_absolute():
        resolved = config.invocation_params.dir / resolved
    if not resolved.is_file():
        raise pytest.UsageError(f"--ca-bundle: no such file {path}")
    return str(resolved.resolve())


def _path_option(config: pytest.Config, dest: str) -> str:
    """An absolute path (workers may run elsewhere), or "" when unset or 'off'."""
    value = option_value(config, dest)
    if value is None or str(value).strip().lower() in ("", "off", "none"):
        return ""
    return str(Path(str(value)).expanduser().resolve())


def _budget_seconds(config: pytest.Config) -> float | None:
    text = option_value(config, "budget")
    if text is None:
        return None
    try:
        return parse_duration(str(text))
    except ValueError as error:
        raise pytest.UsageError(f"--budget: {error}") from None


@dataclass
class RunningTarget(Connection):
    """The target of this run, the contract it speaks, and what to undo at the end: the token the run
    minted for itself, the embedded server (if the suite started one).
    """

    server: Any = None

    def stop(self) -> None:
        self.forget_own_token()
        if self.server is not None:
            self.server.stop()
            self.server = None


#: The second tenant the embedded reference server has (`python -m reference_server` makes `main` and `second`).
EMBEDDED_SECOND_TENANT = "second"


def resolve_target(
    config: pytest.Config, tenant: str, network: Network, run_id: str = "", second_tenant: str = ""
) -> RunningTarget:
    """The server under test, checked once; raises TargetError with one line saying why not."""
    credentials = Credentials.from_options(
        option_value(config, "username"), option_value(config, "password"), option_value(config, "token")
    )
    # pytest-base-url's flag or $PYTEST_BASE_URL, else its ini key (read here: this runs before its configure).
    base_url = config.getoption("base_url", None) or config.getini("base_url") or None
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
        target = Target(url, credentials, tenant, embedded=False, network=network, second_tenant=second_tenant)
        server = None
    else:
        from reference_server import spawn

        password = "Kc9" + new_run_id() + "x7"
        server = spawn(*shlex.split(str(option_value(config, "reference_server_args"))), password=password)
        credentials = Credentials(server.username, server.password)
        second = second_tenant or (EMBEDDED_SECOND_TENANT if tenant != EMBEDDED_SECOND_TENANT else "")
        target = Target(server.url, credentials, tenant, embedded=True, network=network, second_tenant=second)
    running = RunningTarget(target, ContractChoice(1, None, "unreadable", "not read"), server=server)
    try:
        # The contract from the server's version (or --contract); on 2.x a password becomes a token.
        connection = connect(target, str(option_value(config, "contract")), own_token_name(run_id or new_run_id()))
        running.target, running.contract = connection.target, connection.contract
        running.own_token = connection.own_token
        preflight(running.target)
    except (TargetError, RuntimeError):
        running.stop()
        raise
    return running


def run_dir(settings: Settings) -> Path:
    return Path(settings.report_dir) / "runs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{settings.run_id}"
