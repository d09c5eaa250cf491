"""The suite's options: each a flag, an environment variable and an ini key, in that order of precedence.

A team keeps what does not change from night to night in its own `pyproject.toml`
(`[tool.pytest.ini_options]`), sets per-machine values in the environment, and overrides
either on the command line. Secrets (passwords, tokens, extra headers that carry
credentials) have no ini key: a configuration file is committed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from contract.harness import DEFAULT_BUDGET, DEFAULT_SETTLE_SECONDS, DEFAULT_WINDOW

__all__ = ["OPTIONS", "Option", "add_options", "option_value"]


@dataclass(frozen=True)
class Option:
    """One setting of the suite, and everywhere it can come from."""

    dest: str
    flag: str
    help: str
    env: str | None = None
    #: The `[tool.pytest.ini_options]` key; None for secrets.
    ini: str | None = None
    default: Any = None
    convert: Callable[[str], Any] = str
    metavar: str | None = None
    #: A switch (`--read-only`): the flag takes no value.
    switch: bool = False


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


#: Every option of the suite; README's table says the same (a project test compares them).
OPTIONS: tuple[Option, ...] = (
    Option("username", "--username", "superadmin username", env="KESTRA_USERNAME"),
    Option("password", "--password", "superadmin password", env="KESTRA_PASSWORD"),
    Option("token", "--token", "superadmin API token, sent as bearer", env="KESTRA_API_TOKEN"),
    Option("tenant", "--tenant", "tenant id", env="KESTRA_TENANT", ini="contract_tenant", default="main"),
    Option(
        "report_dir",
        "--report-dir",
        "where runs write their reports",
        env="KESTRA_CONTRACT_REPORT_DIR",
        ini="contract_report_dir",
        default="reports",
        metavar="DIR",
    ),
    Option(
        "read_only",
        "--read-only",
        "run only the smoke tests, which change nothing on the target",
        env="KESTRA_CONTRACT_READ_ONLY",
        ini="contract_read_only",
        default=False,
        convert=_truthy,
        switch=True,
    ),
    Option(
        "settle",
        "--settle",
        "how long searches may show a write late, in seconds",
        env="KESTRA_CONTRACT_SETTLE",
        ini="contract_settle",
        default=DEFAULT_SETTLE_SECONDS,
        convert=float,
        metavar="SECONDS",
    ),
    Option(
        "budget",
        "--budget",
        "wall time for the whole run (45m, 90s, 1h30m): it goes as deep as fits, then cleans up and reports",
        env="KESTRA_CONTRACT_BUDGET",
        ini="contract_budget",
        metavar="DURATION",
    ),
    Option(
        "wrong_password_budget",
        "--wrong-password-budget",
        "failed password logins allowed per account the run created, per window",
        env="KESTRA_CONTRACT_WRONG_PASSWORD_BUDGET",
        ini="contract_wrong_password_budget",
        default=DEFAULT_BUDGET,
        convert=int,
        metavar="N",
    ),
    Option(
        "wrong_password_window",
        "--wrong-password-window",
        "that window in seconds (Kestra's default lockout window)",
        env="KESTRA_CONTRACT_WRONG_PASSWORD_WINDOW",
        ini="contract_wrong_password_window",
        default=DEFAULT_WINDOW,
        convert=float,
        metavar="SECONDS",
    ),
    Option(
        "profile",
        "--contract-profile",
        "the hypothesis profile when --hypothesis-profile is not given (default, ci, nightly)",
        env="KESTRA_CONTRACT_PROFILE",
        ini="contract_profile",
        metavar="NAME",
    ),
    Option(
        "suite_session",
        "--contract-session",
        "start the suite's session (target, cleanup, reports) although no path of the contract package is named:"
        " for your own checks and machines",
        env="KESTRA_CONTRACT_SESSION",
        ini="contract_session",
        default=False,
        convert=_truthy,
        switch=True,
    ),
    Option(
        "example_db",
        "--example-db",
        "keep hypothesis's example database in DIR: failures found before are tried first (off by default)",
        env="KESTRA_CONTRACT_EXAMPLE_DB",
        ini="contract_example_db",
        metavar="DIR",
    ),
    Option(
        "regressions",
        "--regressions",
        "the regression corpus: each violation found is written there, and its examples run first"
        " on every run ('off' for neither)",
        env="KESTRA_CONTRACT_REGRESSIONS",
        ini="contract_regressions",
        default="regressions",
        metavar="DIR",
    ),
    Option(
        "baseline",
        "--baseline",
        "known violations (a summary.json, or a list of clause and operation): reported as known, they do not"
        " fail the run",
        env="KESTRA_CONTRACT_BASELINE",
        ini="contract_baseline",
        metavar="FILE",
    ),
    Option(
        "trend",
        "--trend",
        "how many earlier runs of --report-dir index.html charts (0 for none)",
        env="KESTRA_CONTRACT_TREND",
        ini="contract_trend",
        default=14,
        convert=int,
        metavar="N",
    ),
    Option(
        "reference_server_args",
        "--reference-server-args",
        "extra arguments for the embedded reference server (when no --base-url is given)",
        env="REFERENCE_SERVER_ARGS",
        ini="contract_reference_server_args",
        default="",
        metavar="ARGS",
    ),
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Kestra Users API contract suite")
    for option in OPTIONS:
        sources = [s for s in (f"${option.env}" if option.env else "", f"ini {option.ini}" if option.ini else "") if s]
        default = f"; default {option.default}" if option.default not in (None, "", False) else ""
        text = f"{option.help} ({', '.join(sources)}{default})" if sources or default else option.help
        if option.switch:
            group.addoption(option.flag, dest=option.dest, action="store_true", default=None, help=text)
        else:
            group.addoption(option.flag, dest=option.dest, default=None, metavar=option.metavar, help=text)
        if option.ini:
            parser.addini(option.ini, help=option.help, type="string", default="")


def option_value(config: pytest.Config, dest: str) -> Any:
    """The option's value: the flag, else the environment, else the ini key, else its default."""
    option = next(o for o in OPTIONS if o.dest == dest)
    flag = config.getoption(dest, None)
    if option.switch and flag:
        return True
    sources = (
        (option.flag, None if option.switch else flag),
        (f"${option.env}", os.environ.get(option.env) if option.env else None),
        (f"ini {option.ini}", _ini(config, option.ini)),
    )
    for where, text in sources:
        if text is not None and str(text).strip() != "":
            try:
                return option.convert(str(text).strip())
            except ValueError:
                raise pytest.UsageError(f"{where}: {text!r} is not a valid {option.flag} value") from None
    return option.default


def _ini(config: pytest.Config, key: str | None) -> str | None:
    if key is None:
        return None
    value = config.getini(key)
    return str(value) if value else None
