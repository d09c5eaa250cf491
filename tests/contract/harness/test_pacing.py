"""The budget and xdist in pytest's terms: node ids to replay, workers for remote targets."""

from __future__ import annotations

import pytest

from contract.harness import plain_nodeid
from contract.plugin._pacing import remote_workers


@pytest.mark.parametrize(
    ("nodeid", "plain"),
    [
        ("contract/test_sdk.py::test_sdk_call[getUser]@sdk", "contract/test_sdk.py::test_sdk_call[getUser]"),
        ("contract/test_x.py::test_y@group", "contract/test_x.py::test_y"),
        ("contract/test_fuzz.py::test_operation[POST /a@b]", "contract/test_fuzz.py::test_operation[POST /a@b]"),
        ("contract/test_x.py::test_y[shard-1-of-6]", "contract/test_x.py::test_y[shard-1-of-6]"),
    ],
)
def test_replay_lines_name_the_node_pytest_knows(nodeid: str, plain: str) -> None:
    assert plain_nodeid(nodeid) == plain


@pytest.mark.parametrize(("cores", "workers"), [(1, 8), (2, 8), (4, 16), (64, 16)])
def test_remote_targets_get_more_workers_than_cores(cores: int, workers: int) -> None:
    assert remote_workers(cores) == workers
