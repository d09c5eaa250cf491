"""Everything one pytest process of a run shares: target, ledger, API client, names."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from contract.harness._api import Api, SafetyGuard
from contract.harness._arrange import Arranger
from contract.harness._budget import Budget
from contract.harness._cleanup import CleanupReport, delete_all
from contract.harness._findings import Findings
from contract.harness._ledger import Ledger
from contract.harness._progress import Progress
from contract.harness._record import Record
from contract.harness._target import Target
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
    ledger: Ledger = field(init=False)
    api: Api = field(init=False)
    names: RunNames = field(init=False)
    arrange: Arranger = field(init=False)
    findings: Findings = field(default_factory=Findings)
    record: Record = field(default_factory=Record)
    cleanup: CleanupReport | None = None
    progress: Progress = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.run_id, self.run_dir / "ledger" / f"{self.worker}-{os.getpid()}.jsonl")
        self.api = Api(self.target, self.ledger, SafetyGuard(self.ledger, self.read_only))
        self.api.observers.append(self.record.observe)
        self.names = RunNames(self.run_id, "" if self.worker == "main" else self.worker)
        self.arrange = Arranger(self.api, self.names)
        self.progress = Progress(self.budget)

    def finish(self) -> CleanupReport:
        """Delete everything this process created; safe to call more than once."""
        self.cleanup = delete_all(self.api, self.ledger.in_cleanup_order())
        self.api.close()
        return self.cleanup
