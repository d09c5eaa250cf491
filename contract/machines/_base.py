"""What every state machine of the suite shares: the run, its own names, settings, teardown.

A machine creates through `run.arrange` / `run.api` only, so everything lands in the
ledger; it forgets what it deletes, and its teardown deletes what is left, so that each
example starts from a server that holds none of its objects. Each example passes the
run's budget gate as it starts (`run.progress`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import Phase, reject, seed, settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.errors import HypothesisException
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test
from hypothesis.strategies import SearchStrategy

from contract.harness import (
    AbsenceChecks,
    CreatedUser,
    Entry,
    Exchange,
    Kind,
    PendingChecks,
    Run,
    current_test,
    delete_all,
    example_key,
    met_unstable_target,
    rejecting_examples,
)
from contract.machines._checks import SecretWatch
from contract.machines._shards import Shard, machine_shards
from contract.machines._side_by_side import run_shard
from strategies import RunNames

__all__ = [
    "EXAMPLES_FRACTION",
    "ContractMachine",
    "Session",
    "machine_session",
    "machine_settings",
    "of_machine",
    "run_machine",
]

T = TypeVar("T")


def of_machine(build: Callable[[Any], SearchStrategy[T]]) -> SearchStrategy[T]:
    """A rule argument drawn with the running machine's names and objects (its prefix, its groups)."""
    return st.runner().flatmap(build)


def machine_settings(examples: int) -> settings:
    """The loaded profile's settings (its step count, phases, health checks) with `examples` examples."""
    current = settings()
    # The explain phase replays variants of a failure to report covered lines: for a
    # machine whose steps are HTTP calls that costs minutes and says nothing new.
    phases = [phase for phase in current.phases if phase is not Phase.explain]
    return settings(current, max_examples=examples, phases=phases)


@dataclass
class Session:
    """One machine test: a secret watch over all its requests, and objects its examples share."""

    run: Run
    watch: SecretWatch = field(default_factory=SecretWatch)
    _objects: list[tuple[Kind, str]] = field(default_factory=list)

    def group(self, tenant: str | None = None) -> str:
        """A group the session's examples share, in the suite's tenant or in `tenant`."""
        group_id = self.run.arrange.create_group(tenant=tenant)
        self._objects.append(("group", group_id))
        return group_id

    def service_account(self) -> str:
        account_id = self.run.arrange.create_service_account()
        self._objects.append(("service_account", account_id))
        return account_id

    def close(self) -> None:
        delete_all(self.run.api, [e for e in self.run.ledger.live() if (e.kind, e.id) in set(self._objects)])


@contextmanager
def machine_session(run: Run) -> Iterator[Session]:
    session = Session(run)
    if run.target.credentials.password:
        session.watch.password(run.target.credentials.password)
    run.api.observers.append(session.watch)
    try:
        yield session
    finally:
        run.api.observers.remove(session.watch)
        session.close()


def run_machine(session: Session, factory: Callable[[], RuleBasedStateMachine], shard: Shard) -> None:
    """One shard: a complete hypothesis run of the machine, with the shard's examples and seed.

    Each example is counted as its machine is built; its teardown passes the budget's
    gate, so a spent budget stops the shard between examples (`BudgetSpent`).
    """
    progress = session.run.progress

    def build() -> RuleBasedStateMachine:
        if shard.index and not current_build_context().data.draw_boolean(p=0.999):
            # Every hypothesis run starts with its simplest example, the same in each shard:
            # only the first shard runs it, the others spend their examples on new ones.
            reject()
        progress.started()
        return factory()

    # run_state_machine_as_test takes no seed; the test it runs is this one.
    chosen = machine_settings(shard.examples)
    test = seed(shard.seed(session.run.seed))(get_state_machine_test(build, settings=chosen))  # type: ignore[arg-type]
    # @seed turns hypothesis's database off; the run's database and a key of the shard's own,
    # the same from run to run, turn it back on: a failure found in this shard is tried first
    # the next time it runs (with that run's seed and names).
    test._hypothesis_internal_use_settings = settings(test._hypothesis_internal_use_settings, database=chosen.database)  # type: ignore[attr-defined]
    test._hypothesis_internal_database_key = example_key(current_test())  # type: ignore[attr-defined]
    # An example that meets an unstable target is rejected; the others go on.
    with rejecting_examples():
        test()


#: Share of the profile's examples a machine runs unless it says otherwise (the step count applies as is).
EXAMPLES_FRACTION = 0.5


class ContractMachine(RuleBasedStateMachine):
    """A state machine bound to the session's run, with names that only this example uses.

    `test_x = XMachine.sharded_test()` makes it a pytest test in one line (as hypothesis's
    `TestX = XMachine.TestCase` does): parametrized by shard, each shard a complete hypothesis
    run with its own seed, run side by side with its siblings. A machine whose examples
    share objects made once per shard (groups, a service account) returns them from
    `shared(session)`; they are passed to its constructor after the session.
    """

    @classmethod
    def shared(cls, session: Session) -> tuple[Any, ...]:
        """What every example of one shard shares, made once through `session` (deleted when the shard ends)."""
        return ()

    @classmethod
    def run_one_shard(cls, run: Run, shard: Shard) -> None:
        """One shard of this machine: a session, what its examples share, then the hypothesis run."""
        with machine_session(run) as session:
            shared = cls.shared(session)
            run_machine(session, lambda: cls(session, *shared), shard)

    @classmethod
    def sharded_test(cls, fraction: float = EXAMPLES_FRACTION) -> Callable[..., None]:
        """The machine as a pytest test, one item per shard, for `fraction` of the profile's examples."""

        @pytest.mark.parametrize("shard", machine_shards(fraction), ids=str)
        def test(run: Run, shard: Shard, request: pytest.FixtureRequest) -> None:
            run_shard(request.node, run, shard, cls.run_one_shard)

        test.__doc__ = cls.__doc__
        test.__qualname__ = test.__name__ = f"test_{cls.__name__}"
        return test

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.run = run = session.run
        self.api = run.api
        self.arrange = run.arrange
        self.tenant = run.target.tenant
        self.watch = session.watch
        #: "Nothing showed" search checks: the run verifies them once, after the settle window.
        self.absences: AbsenceChecks = run.absences
        #: Search checks of this example not agreed yet; read again together before teardown deletes.
        self.pending = PendingChecks(run.settle)
        #: Under a fresh prefix, so `listUsers?q=<prefix>` finds exactly this example's users.
        self.names: RunNames = run.names.child()
        self._mine: list[tuple[Kind, str]] = []
        met_unstable_target()  # a mark left by an earlier example of this thread is not this one's

    def call(self, operation_id: str, path: dict[str, str] | None = None, **kwargs: Any) -> Exchange:
        return self.api.call(operation_id, path, **kwargs)

    def may_probe_wrong_password(self, username: str) -> bool:
        """Whether a password login expected to fail fits the account's budget of failures.

        Kestra locks an account after a few failed logins; a probe beyond the budget is
        skipped (the same check ran on this account before, or runs on a fresh one).
        """
        return self.api.login_book.may_fail(username)

    def created(self, kind: Kind, object_id: str) -> None:
        """An object of this example; teardown deletes it if the rules did not."""
        self._mine.append((kind, object_id))

    def make_users(self, requests: list[dict[str, Any]]) -> list[tuple[CreatedUser, Exchange]]:
        """Create a user per request (ids found together), watch their passwords, and own them."""
        for request in requests:
            self.watch.password(request["password"])
        made = self.arrange.create_users(requests)
        for created, _ in made:
            self.created("user", created.id)
        return made

    def deleted(self, kind: Kind, object_id: str) -> None:
        self.run.ledger.forget(kind, object_id)

    def adopt_users(self, email: str, keep: set[str]) -> None:
        """A create that should have failed made a user: ledger it, so that cleanup deletes it.

        Found by exact email over every page (never by trusting `q`), and only if the
        email carries the run prefix: so no one else's user is ever adopted.
        """
        for entry in self.api.adopt_users(email):
            if entry.id not in keep:
                self.created("user", entry.id)

    def adopt_token(self, exchange: Exchange, owner_id: str, owner_kind: str) -> None:
        """A token create that should have failed made a token: ledger it, so that cleanup deletes it."""
        if 200 <= exchange.status < 300 and exchange.response.content:
            payload = exchange.json()
            if isinstance(payload, dict) and isinstance(payload.get("id"), str):
                self.run.ledger.record(Entry("token", payload["id"], parent=owner_id, parent_kind=owner_kind))
                self.created("token", payload["id"])

    def settle_pending(self) -> None:
        """Read this example's pending search checks again now (one wait, only if any is pending):
        before a step that would make them moot, such as deleting what they are about.
        """
        self.pending.verify()

    def teardown(self) -> None:
        """Settle the example's search checks (unless it failed already), delete what it left, then pass
        the budget's gate (which may end the shard).
        """
        # Hypothesis calls teardown in a `finally`: a failing step's exception is still in
        # flight here, and the budget then lets hypothesis shrink and report it, however late.
        error = sys.exc_info()[1]
        try:
            if error is None:
                self.pending.verify()
            else:
                self.pending.forget()
        except BaseException as late:  # a search that never showed what the steps did
            error = late
            raise
        finally:
            self._delete_mine()
            failed = isinstance(error, Exception) and not isinstance(error, HypothesisException)
            if met_unstable_target():
                self.run.progress.cut_short()
            elif failed:
                self.run.progress.failed()
            elif error is None:
                self.run.progress.completed()
                self.run.progress.finished()
            else:  # hypothesis's own ending (its data ran out, a draw it rejected): no example of the machine
                self.run.progress.abandoned()

    def _delete_mine(self) -> None:
        mine = set(self._mine)
        owners = {object_id for kind, object_id in mine if kind != "token"}
        entries = [
            e
            for e in self.run.ledger.live()
            if (e.kind, e.id) in mine and not (e.kind == "token" and e.parent in owners)
        ]
        delete_all(self.api, entries)
