"""Against a server whose search shows writes late: new users' ids are still found, and recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract.harness import Api, Credentials, Ledger, Target
from contract.harness._arrange import Arranger
from contract.harness.lifecycle import Settle
from contract.harness.sending._guard import SafetyGuard
from reference_server import RunningServer, spawn
from strategies import RunNames, new_run_id


@pytest.fixture(scope="module")
def lagging() -> Iterator[RunningServer]:
    """createUser answers with an empty body; searches show writes up to a second late."""
    with spawn("--search-lag", "1", "--create-user-body", "empty") as server:
        yield server


def _arranger(server: RunningServer) -> Arranger:
    ledger = Ledger(new_run_id())
    target = Target(server.url, Credentials(server.username, server.password), "main", embedded=False)
    api = Api(target, ledger, SafetyGuard(ledger), settle=Settle(10.0))
    return Arranger(api, RunNames(ledger.run_id))


def test_a_batch_of_new_users_is_found_and_recorded(lagging: RunningServer) -> None:
    arrange = _arranger(lagging)
    bodies = [arrange.user_body() for _ in range(3)]
    made = arrange.create_users(bodies)
    assert [user.email for user, _ in made] == [body["email"] for body in bodies]
    for user, exchange in made:
        assert exchange.created is not None
        assert arrange.api.ledger.owns("user", user.id)
        shown = arrange.api.call("getUser", {"id": user.id}).json()
        assert shown["email"] == user.email


def test_once_search_lags_users_are_made_ahead_and_handed_out_once_each(lagging: RunningServer) -> None:
    arrange = _arranger(lagging)
    assert not arrange.api.search_lagged
    for _ in range(4):  # back to back, the next one shows late (unless the machine stalls for a second)
        arrange.create_user()
        if arrange.api.search_lagged:
            break
    assert arrange.api.search_lagged
    users = [arrange.create_user()[0] for _ in range(arrange.RESERVE_BATCH + 1)]
    assert len({u.id for u in users}) == len(users)
    assert all(arrange.api.ledger.owns("user", u.id) for u in users)
    assert all(u.password for u in users)
