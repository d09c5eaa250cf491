"""Deleting what the run created: in dependency order with retries (`delete_all`), the
controller's last pass and `cleanup.json` (`finish_run`), and what earlier processes and
runs left behind (the sweep's leftovers, and whether their run may still be going).
"""

from contract.harness.cleanup._delete import (
    DEFAULT_BUDGET_SECONDS,
    IDENTITY_REFUSED,
    CleanupReport,
    delete_all,
    delete_entry,
    retry_pause,
)
from contract.harness.cleanup._finish import CLEANUP_FILE, finish_run, sweep_run, write_process_report
from contract.harness.cleanup._leftovers import (
    DEFAULT_MIN_AGE_HOURS,
    RUN_RECORD,
    RunRecord,
    delete_leftovers,
    leftover_ledgers,
    mark_run_ended,
    prefixed_objects,
    run_id_of_name,
    why_spared,
    write_run_record,
)

__all__ = [
    "CLEANUP_FILE",
    "DEFAULT_BUDGET_SECONDS",
    "DEFAULT_MIN_AGE_HOURS",
    "IDENTITY_REFUSED",
    "RUN_RECORD",
    "CleanupReport",
    "RunRecord",
    "delete_all",
    "delete_entry",
    "delete_leftovers",
    "finish_run",
    "leftover_ledgers",
    "mark_run_ended",
    "prefixed_objects",
    "retry_pause",
    "run_id_of_name",
    "sweep_run",
    "why_spared",
    "write_process_report",
    "write_run_record",
]
