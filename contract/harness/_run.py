"""Everything one pytest process of a run shares: target, ledger, API client, names."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import specs
from contract.harness._arrange import Arranger
from contract.harness.cleanup import CleanupReport, delete_all
from contract.harness.lifecycle import (
    DEFAULT_SETTLE_SECONDS,
    AbsenceChecks,
    Background,
    Budget,
    PendingChecks,
    Progress,
    Settle,
)
from contract.harness.records import Drift, Findings, Ledger, Record
from contract.harness.sending import (
    DEFAULT_BUDGET,
    DEFAULT_WINDOW,
    Api,
    IdentityWatch,
    LoginBook,
    SafetyGuard,
    SecretBook,
    Target,
)
from strategies import RunNames

__all__ = ["Run"]


@dataclass
class Run:
    run_id: str
    worker: str
    target: Target
    run_dir: Path
    seed: int
    read_only: bool
    budget: Budget = field(default_factory=Budget)
    #: Failed password logins allowed per created account within `login_window` seconds.
    login_budget: int = DEFAULT_BUDGET
    login_window: float = DEFAULT_WINDOW
    #: Seconds a search may show a write late (`--settle`).
    settle_window: float = DEFAULT_SETTLE_SECONDS
    #: Run the SDK tests with a kestrapy built for the other contract version too (`--sdk-across-majors`).
    sdk_across_majors: bool = False
    ledger: Ledger = field(init=False)
    api: Api = field(init=False)
    names: RunNames = field(init=False)
    arrange: Arranger = field(init=False)
    findings: Findings = field(default_factory=Findings)
    record: Record = field(default_factory=Record)
    cleanup: CleanupReport | None = None
    progress: Progress = field(init=False)
    #: Why cleanup could not finish (the controller's last pass says), for the report.
    cleanup_problems: list[str] = field(default_factory=list)
    identity: IdentityWatch = field(init=False)
    secrets: SecretBook = field(init=False)
    #: Search checks of the running test not yet agreed; verified when its body ends.
    pending: PendingChecks = field(init=False)
    #: "Nothing showed" search checks of the whole session, verified once after the settle window.
    absences: AbsenceChecks = field(init=False)
    #: Tests running in threads ahead of their items (a machine's shards side by side).
    background: Background = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.run_id, self.run_dir / "ledger" / f"{self.worker}-{os.getpid()}.jsonl")
        guard = SafetyGuard(self.ledger, self.read_only)
        logins = LoginBook(self.target.credentials, guard.prefix, self.login_budget, self.login_window)
        self.api = Api(self.target, self.ledger, guard, logins=logins, settle=Settle(self.settle_window))
        self.identity = IdentityWatch(self.target)
        self.secrets = SecretBook.of(self.target.credentials)
        self.secrets.add(*self.target.network.header_values)
        # Secrets first: the identity watch may stop the run on this very exchange.
        self.api.observers += [self.secrets, self.identity, self.record.observe]
        self.api.secret_observers.append(self.secrets.add)
        self.api.unstable_observers.append(self.record.unstable)
        self.api.resolved_observers.append(self.record.resolved)
        self.names = RunNames(self.run_id, "" if self.worker == "main" else self.worker)
        self.arrange = Arranger(self.api, self.names)
        self.progress = Progress(self.budget)
        self.pending = PendingChecks(self.api.settle)
        self.absences = AbsenceChecks(self.api.settle)
        self.background = Background(self.api.halted)
        # Where the active contract's description does not match what servers and SDKs send: drift of
        # the description itself, reported by every run of that contract, never a failure.
        for operation, detail in specs.policy().description_drift:
            self.findings.drift(Drift(operation, f"(the description) {detail}", ""))

    @property
    def settle(self) -> Settle:
        return self.api.settle

    def finish(self) -> CleanupReport:
        """Stop the background threads, then delete everything this process created; safe to call more than once."""
        self.background.halt()
        self.cleanup = delete_all(self.api, self.ledger.in_cleanup_order())
        self.api.close()
        return self.cleanup
