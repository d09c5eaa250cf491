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

from contract.harness import (
    DEFAULT_BUDGET,
    DEFAULT_SETTLE_SECONDS,
    DEFAULT_TIMEOUT,
    DEFAULT_WINDOW,
    parse_contract_option,
    parse_header,
)

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
    #: Given as often as needed (`--header`); the environment variable holds one per line.
    repeat: bool = False


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _modules(text: str) -> tuple[str, ...]:
    """Module names, separated by commas or whitespace."""
    return tuple(name for name in text.replace(",", " ").split() if name)


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


#: Every option of the suite; README's table says the same (a project test compares them).
OPTIONS: tuple[Option, ...] = (
    Option(
        "username",
        "--username",
        "a superadmin's username, over HTTP basic (with --password)",
        env="KESTRA_USERNAME",
        ini="contract_username",
        metavar="EMAIL",
    ),
    Option("password", "--password", "that superadmin's password", env="KESTRA_PASSWORD", metavar="PASSWORD"),
    Option("token", "--token", "or a superadmin's API token, sent as bearer", env="KESTRA_API_TOKEN", metavar="TOKEN"),
    Option("tenant", "--tenant", "tenant id", env="KESTRA_TENANT", ini="contract_tenant", default="main", metavar="ID"),
    Option(
        "contract",
        "--contract",
        "the contract version to run: 1 (Kestra EE 1.x), 2 (2.x), or auto: the server's major version",
        env="KESTRA_CONTRACT_VERSION",
        ini="contract_version",
        default="auto",
        convert=parse_contract_option,
        metavar="VERSION",
    ),
    Option(
        "second_tenant",
        "--second-tenant",
        "another existing tenant, where the run puts groups of its own users to see that a change in the"
        " first tenant leaves them alone (the embedded server has `second`)",
        env="KESTRA_SECOND_TENANT",
        ini="contract_second_tenant",
        default="",
        metavar="ID",
    ),
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
        "request_timeout",
        "--request-timeout",
        "seconds a request may take before it counts as timed out (every request: suite, SDK, cleanup)",
        env="KESTRA_CONTRACT_REQUEST_TIMEOUT",
        ini="contract_request_timeout",
        default=DEFAULT_TIMEOUT,
        convert=_seconds,
        metavar="SECONDS",
    ),
    Option(
        "ca_bundle",
        "--ca-bundle",
        "a PEM file of the CAs to trust instead of the system's (a staging server behind a private CA)",
        env="KESTRA_CONTRACT_CA_BUNDLE",
        ini="contract_ca_bundle",
        metavar="PATH",
    ),
    Option(
        "insecure",
        "--insecure",
        "do not verify TLS certificates at all (said loudly in the terminal and the report)",
        env="KESTRA_CONTRACT_INSECURE",
        ini="contract_insecure",
        default=False,
        convert=_truthy,
        switch=True,
    ),
    Option(
        "headers",
        "--header",
        "'Name: value' sent with every request, for an auth gateway or tracing; repeatable; masked in every report",
        env="KESTRA_CONTRACT_HEADERS",
        default=(),
        convert=parse_header,
        metavar="'NAME: VALUE'",
        repeat=True,
    ),
    Option(
        "extensions",
        "--contract-extensions",
        "modules to import before the run: their @check functions join the fuzz checks (comma- or space-separated)",
        env="KESTRA_CONTRACT_EXTENSIONS",
        ini="contract_extensions",
        default=(),
        convert=_modules,
        metavar="MODULES",
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
        "sdk_across_majors",
        "--sdk-across-majors",
        "run the SDK tests also with a kestrapy built for the other contract version (the SDK matrix does;"
        " by default they are skipped: a compatibility question, not a violation of the server)",
        env="KESTRA_CONTRACT_SDK_ACROSS_MAJORS",
        ini="contract_sdk_across_majors",
        default=False,
        convert=_truthy,
        switch=True,
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
        elif option.repeat:
            group.addoption(
                option.flag, dest=option.dest, action="append", default=None, metavar=option.metavar, help=text
            )
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
    if option.repeat:
        return _repeated(option, flag)
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


def _repeated(option: Option, flags: list[str] | None) -> tuple[Any, ...]:
    """Every value of a repeatable option: the flags if any were given, else the environment's lines."""
    where, texts = option.flag, flags
    if not texts and option.env:
        where, texts = f"${option.env}", os.environ.get(option.env, "").splitlines()
    values = []
    for text in texts or []:
        if not text.strip():
            continue
        try:
            values.append(option.convert(text.strip()))
        except ValueError as error:
            raise pytest.UsageError(f"{where}: {error}") from None
    return tuple(values) if values else option.default


def _ini(config: pytest.Config, key: str | None) -> str | None:
    if key is None:
        return None
    value = config.getini(key)
    return str(value) if value else None
