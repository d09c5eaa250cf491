"""The suite's options: one table in README says what OPTIONS holds, and the precedence holds.

Flag > environment > ini > default, read from a real pytest configuration with the
installed plugin (pytester), so the test sees what a team's `pyproject.toml` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract.plugin import OPTIONS
from contract.plugin._options import Option, option_value

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[3]
#: Options that are secrets, or carry them: no ini key, since configuration files get committed.
SECRETS = {"password", "token", "headers"}
#: Rows of README's table that other plugins own.
OTHER_PLUGINS = {"--base-url", "--hypothesis-profile", "--hypothesis-seed", "-n"}


def _readme_rows() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- options:start -->", 1)[1].split("<!-- options:end -->", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        flag = re.match(r"`(-{1,2}[\w-]+)", cells[0])
        assert flag, line
        rows[flag.group(1)] = cells
    return rows


def _shown(option: Option) -> str:
    default = option.default
    if default is False:
        return "`off`"
    if default in (None, "", ()):
        return "—"
    if isinstance(default, float) and default.is_integer():
        default = int(default)
    return f"`{default}`"


def test_readme_has_one_row_per_option_saying_what_options_says() -> None:
    rows = _readme_rows()
    assert set(rows) - {o.flag for o in OPTIONS} == OTHER_PLUGINS
    for option in OPTIONS:
        cells = rows[option.flag]
        assert cells[0] == f"`{option.flag}" + (f" {option.metavar}`" if option.metavar else "`")
        assert cells[1] == (f"`{option.env}`" if option.env else "—"), option.flag
        assert cells[2] == (f"`{option.ini}`" if option.ini else "—"), option.flag
        assert cells[3] == _shown(option), option.flag


def test_every_option_but_the_secrets_has_an_ini_key_and_an_environment_variable() -> None:
    assert {o.dest for o in OPTIONS if o.ini is None} == SECRETS
    assert [o.flag for o in OPTIONS if o.env is None] == []


@pytest.mark.parametrize(
    ("flag", "env", "ini", "expected"),
    [
        ("from-flag", "from-env", "from-ini", "from-flag"),
        (None, "from-env", "from-ini", "from-env"),
        (None, None, "from-ini", "from-ini"),
        (None, None, None, "main"),
    ],
)
def test_flag_beats_environment_beats_ini_beats_default(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    flag: str | None,
    env: str | None,
    ini: str | None,
    expected: str,
) -> None:
    monkeypatch.delenv("KESTRA_TENANT", raising=False)
    if env is not None:
        monkeypatch.setenv("KESTRA_TENANT", env)
    if ini is not None:
        pytester.makepyprojecttoml(f'[tool.pytest.ini_options]\ncontract_tenant = "{ini}"\n')
    config = pytester.parseconfig(*(["--tenant", flag] if flag else []))
    assert option_value(config, "tenant") == expected


def test_ini_keys_take_numbers_switches_and_paths(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for option in OPTIONS:
        if option.env:
            monkeypatch.delenv(option.env, raising=False)
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'contract_settle = "12.5"\n'
        'contract_request_timeout = "7"\n'
        'contract_insecure = "true"\n'
        'contract_wrong_password_budget = "2"\n'
    )
    config = pytester.parseconfig()
    assert option_value(config, "settle") == 12.5
    assert option_value(config, "request_timeout") == 7.0
    assert option_value(config, "insecure") is True
    assert option_value(config, "wrong_password_budget") == 2
    assert option_value(config, "read_only") is False


def test_a_bad_value_says_where_it_came_from(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KESTRA_CONTRACT_REQUEST_TIMEOUT", raising=False)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ncontract_request_timeout = "-1"\n')
    config = pytester.parseconfig()
    with pytest.raises(pytest.UsageError, match="ini contract_request_timeout: '-1' is not a valid --request-timeout"):
        option_value(config, "request_timeout")


def test_headers_repeat_and_come_from_the_environment_one_per_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KESTRA_CONTRACT_HEADERS", "X-One: 1\n\nX-Two: two words")
    assert option_value(pytester.parseconfig(), "headers") == (("X-One", "1"), ("X-Two", "two words"))
    flags = pytester.parseconfig("--header", "X-Flag: a", "--header", "X-Other: b")
    assert option_value(flags, "headers") == (("X-Flag", "a"), ("X-Other", "b"))
