"""What every state machine of the suite shares: the run, its own names, settings, teardown.

A machine creates through `run.arrange` / `run.api` only, so everything lands in the
ledger; it forgets what it deletes, and its teardown deletes what is left, so that each
example starts from a server that holds none of its objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
from hypothesis.strategies import SearchStrategy

from contract.harness import Entry, Exchange, Kind, Run, delete_all
from contract.machines._checks import SecretWatch
from strategies import RunNames

__all__ = ["ContractMachine", "Session", "machine_session", "machine_settings", "of_machine", "run_machine"]

T = TypeVar("T")


def of_machine(build: Callable[[Any], SearchStrategy[T]]) -> SearchStrategy[T]:
    """A rule argument drawn with the running machine's names and objects (its prefix, its groups)."""
    return st.runner().flatmap(build)


def machine_settings(fraction: float) -> settings:
    """The loaded profile's settings with `fraction` of its examples (so `nightly` still scales them up)."""
    current = settings()
    # The explain phase replays variants of a failure to report covered lines: for a
    # machine whose steps are HTTP calls that costs minutes and says nothing new.
    phases = [phase for phase in current.phases if phase is not Phase.explain]
    return settings(current, max_examples=max(2, round(current.max_examples * fraction)), phases=phases)


@dataclass
class Session:
    """One machine test: a secret watch over all its requests, and objects its examples share."""

    run: Run
    watch: SecretWatch = field(default_factory=SecretWatch)
    _objects: list[tuple[Kind, str]] = field(default_factory=list)

    def group(self) -> str:
        group_id = self.run.arrange.create_group()
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


def run_machine(factory: Callable[[], RuleBasedStateMachine], fraction: float) -> None:
    run_state_machine_as_test(factory, settings=machine_settings(fraction))  # type: ignore[arg-type]


class ContractMachine(RuleBasedStateMachine):
    """A state machine bound to the session's run, with names that only this example uses."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.run = run = session.run
        self.api = run.api
        self.arrange = run.arrange
        self.tenant = run.target.tenant
        self.watch = session.watch
        #: Under a fresh prefix, so `listUsers?q=<prefix>` finds exactly this example's users.
        self.names: RunNames = run.names.child()
        self._mine: list[tuple[Kind, str]] = []

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

    def teardown(self) -> None:
        mine = set(self._mine)
        owners = {object_id for kind, object_id in mine if kind != "token"}
        entries = [
            e
            for e in self.run.ledger.live()
            if (e.kind, e.id) in mine and not (e.kind == "token" and e.parent in owners)
        ]
        delete_all(self.api, entries)
