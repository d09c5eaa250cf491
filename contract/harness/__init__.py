"""The ground every part of the suite stands on: where the target is and as whom
(`Target`), the one HTTP path (`Api`, guarded by the `SafetyGuard`), what the run created
(`Ledger`) and how it is deleted again (`delete_all`, `finish_run`, the leftovers of
earlier runs), one process's shared state (`Run`), the run seed and the hypothesis
profiles. Nothing here knows about fuzzing, state machines, the SDK or reports.
"""

from contract.harness._api import ANONYMOUS, MISSING_PREFIX, READ_OPERATIONS, Api, missing_id
from contract.harness._arrange import CreatedToken, CreatedUser, strong_password
from contract.harness._cleanup import CleanupReport, delete_all
from contract.harness._creations import CREATING_OPERATIONS, MissingId, created_entry
from contract.harness._deployment import EXIT_UNSTABLE_TARGET, DeploymentPlugin
from contract.harness._ending import CLEANUP_FILE, finish_run, write_process_report
from contract.harness._exchange import ContractViolation, Exchange, curl, expect_status
from contract.harness._findings import Drift, Findings
from contract.harness._ledger import Entry, Kind, Ledger
from contract.harness._leftovers import (
    RunRecord,
    delete_leftovers,
    leftover_ledgers,
    prefixed_users,
    run_id_of_email,
    write_run_record,
)
from contract.harness._not_run import NOT_RUN_PROPERTY, CannotRun, cannot_run
from contract.harness._password_policy import announced_password_policy
from contract.harness._profiles import register_profiles
from contract.harness._record import merge_snapshots, unstable_kind
from contract.harness._retry import (
    DEFAULT_RETRY,
    Answer,
    RetryPolicy,
    infrastructure_reason,
    not_processed,
    retry_after_seconds,
    send_with_retries,
)
from contract.harness._run import Run
from contract.harness._seed import publish_run_seed, run_seed
from contract.harness._settle import DEFAULT_SETTLE_SECONDS, Eventually, Later, Problem, Settle, Settled
from contract.harness._signals import held_back, interrupt_on_termination
from contract.harness._target import Credentials, Target, TargetError, check_base_url, preflight
from contract.harness._unstable import (
    UNSTABLE_PROPERTY,
    UnstableTarget,
    give_up,
    raising_unstable,
    rejecting_examples,
)

__all__ = [
    "ANONYMOUS",
    "CLEANUP_FILE",
    "CREATING_OPERATIONS",
    "DEFAULT_RETRY",
    "DEFAULT_SETTLE_SECONDS",
    "EXIT_UNSTABLE_TARGET",
    "MISSING_PREFIX",
    "NOT_RUN_PROPERTY",
    "READ_OPERATIONS",
    "UNSTABLE_PROPERTY",
    "Answer",
    "Api",
    "CannotRun",
    "CleanupReport",
    "ContractViolation",
    "CreatedToken",
    "CreatedUser",
    "Credentials",
    "DeploymentPlugin",
    "Drift",
    "Entry",
    "Eventually",
    "Exchange",
    "Findings",
    "Kind",
    "Later",
    "Ledger",
    "MissingId",
    "Problem",
    "RetryPolicy",
    "Run",
    "RunRecord",
    "Settle",
    "Settled",
    "Target",
    "TargetError",
    "UnstableTarget",
    "announced_password_policy",
    "cannot_run",
    "check_base_url",
    "created_entry",
    "curl",
    "delete_all",
    "delete_leftovers",
    "expect_status",
    "finish_run",
    "give_up",
    "held_back",
    "infrastructure_reason",
    "interrupt_on_termination",
    "leftover_ledgers",
    "merge_snapshots",
    "missing_id",
    "not_processed",
    "prefixed_users",
    "preflight",
    "publish_run_seed",
    "raising_unstable",
    "register_profiles",
    "rejecting_examples",
    "retry_after_seconds",
    "run_id_of_email",
    "run_seed",
    "send_with_retries",
    "strong_password",
    "unstable_kind",
    "write_process_report",
    "write_run_record",
]
