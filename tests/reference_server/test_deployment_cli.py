"""The command line spells each real-deployment switch, and a spawned server honours them."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from reference_server import spawn
from reference_server.__main__ import _parser, config_from_args, main
from reference_server._config import LockoutRule, ServerConfig


def test_every_switch_reaches_the_config() -> None:
    args = _parser().parse_args(
        [
            "--lockout", "10/300/1800", "--search-lag", "1.5", "--crowd", "50", "--crowd-activity", "2",
            "--crowd-seed", "9", "--password-policy", "kestra-2", "--expose-configs", "--flaky-proxy", "0.1",
            "--flaky-seed", "4", "--latency", "30",
        ]
    )  # fmt: skip
    config = config_from_args(args)
    assert config.lockout == LockoutRule(10, 300.0, 1800.0)
    assert (config.search_lag, config.crowd, config.crowd_rate, config.crowd_seed) == (1.5, 50, 2.0, 9)
    assert (config.password_policy, config.expose_configs) == ("kestra-2", True)
    assert (config.flaky_proxy, config.flaky_seed, config.latency_ms) == (0.1, 4, 30)


def test_every_switch_is_off_by_default() -> None:
    assert config_from_args(_parser().parse_args([])) == ServerConfig()


@pytest.mark.parametrize(
    "argv",
    [
        ["--flaky-proxy", "1.5"],
        ["--search-lag", "-1"],
        ["--crowd", "-3"],
        ["--crowd-activity", "-1"],
        ["--latency", "-5"],
    ],
)
def test_out_of_range_values_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_a_spawned_server_has_a_busy_crowd_configs_and_latency_and_stops_cleanly() -> None:
    with spawn(
        "--crowd", "8", "--crowd-activity", "20", "--expose-configs", "--password-policy", "kestra-1.1.5",
        "--latency", "20",
    ) as server:  # fmt: skip
        auth = (server.username, server.password)
        with httpx.Client(base_url=server.url, auth=auth, timeout=30) as client:
            configs: Any = client.get("/api/v1/configs").json()
            assert configs["passwordRegexp"] == "(?=.{8,})(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9]).*"

            def names() -> dict[str, str]:
                listing = client.get("/api/v1/users", params={"page": 1, "size": 100}).json()
                return {u["id"]: u["displayName"] for u in listing["results"]}

            first = names()
            assert len(first) >= 2
            deadline = time.monotonic() + 30
            while names() == first and time.monotonic() < deadline:
                time.sleep(0.1)
            assert names() != first
    assert server.process.poll() is not None
