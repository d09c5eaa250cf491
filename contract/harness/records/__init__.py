"""What the run writes down as it goes: the ledger of what it created (`Ledger`, and what a
confirmed creation adds to it), each request and answer (`Exchange`, its curl line, the
`ContractViolation` that cites it), and the per-operation counts and drift (`Record`, `Findings`).
It sends nothing and knows nothing of pytest's hooks.
"""

from contract.harness.records._creations import (
    CREATING_OPERATIONS,
    UNRESOLVED_PREFIX,
    MissingId,
    created_entries,
    is_unresolved,
    unresolved_user,
)
from contract.harness.records._exchange import ContractViolation, Exchange, curl, expect_status, superadmin_flag
from contract.harness.records._ledger import CLEANUP_ORDER, Entry, Kind, Ledger
from contract.harness.records._stats import Drift, Findings, OperationStats, Record, merge_snapshots, unstable_kind

__all__ = [
    "CLEANUP_ORDER",
    "CREATING_OPERATIONS",
    "UNRESOLVED_PREFIX",
    "ContractViolation",
    "Drift",
    "Entry",
    "Exchange",
    "Findings",
    "Kind",
    "Ledger",
    "MissingId",
    "OperationStats",
    "Record",
    "created_entries",
    "curl",
    "expect_status",
    "is_unresolved",
    "merge_snapshots",
    "superadmin_flag",
    "unresolved_user",
    "unstable_kind",
]
