"""Bookkeeping that looks users up by email never takes an account without the run prefix.

On a server that tells letter cases apart (or a lenient one that took a name without the
prefix), matching usernames without case could record someone else's account as the run's,
and cleanup would then delete it. Lookups only ever return usernames that carry the prefix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.harness import Api, Credentials, Ledger, Target
from contract.harness.lifecycle import Settle
from contract.harness.sending._guard import SafetyGuard
from reference_server import RunningServer
from tests._seeded import seeded_server

RUN = "abc123def"
#: Someone else's accounts: one with the run's prefix in other letters, one without any prefix.
SHOUTED = f"KCT-{RUN.upper()}-1@KESTRA-CONTRACT.TEST"
PLAIN = "alice@example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    seed = {"users": [{"email": SHOUTED, "firstName": "Shout"}, {"email": PLAIN, "firstName": "Alice"}]}
    with seeded_server(Path(tmp_path_factory.mktemp("seed")), seed=seed) as running:
        yield running


def _api(server: RunningServer) -> Api:
    ledger = Ledger(RUN)
    target = Target(server.url, Credentials(server.username, server.password), "main", embedded=False)
    return Api(target, ledger, SafetyGuard(ledger), settle=Settle(0.5))


def test_a_username_equal_but_for_case_is_not_the_runs(server: RunningServer) -> None:
    api = _api(server)
    assert api.users_now([SHOUTED])[SHOUTED] == []
    ours = SHOUTED.lower()
    assert api.users_now([ours]) == {ours: []}
    assert api.find_user_ids(ours) == []
    assert api.adopt_users(ours) == []
    assert not api.ledger.live()


def test_an_email_without_the_prefix_finds_no_one(server: RunningServer) -> None:
    api = _api(server)
    assert api.find_users([PLAIN, PLAIN.upper()]) == {PLAIN: [], PLAIN.upper(): []}
    assert not api.ledger.live()
