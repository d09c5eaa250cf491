"""What a run writes for people and CI: outcomes per test and marker, counts per operation,
the clause table, the merged `summary.json`, the self-contained `index.html` and `latest`.
The pytest hooks that feed it live in `contract.plugin`; `python -m contract.reporting.markdown`
renders a summary for CI pages.
"""

from contract.reporting._clauses import clause_rows
from contract.reporting._depth import depth_line
from contract.reporting._files import point_latest, read_matrix, write_report
from contract.reporting._html import render
from contract.reporting._outcomes import Outcomes, failure_record, secrets_of
from contract.reporting._summary import build_summary, ledger_state, merge_payloads, process_payload

__all__ = [
    "Outcomes",
    "build_summary",
    "clause_rows",
    "depth_line",
    "failure_record",
    "ledger_state",
    "merge_payloads",
    "point_latest",
    "process_payload",
    "read_matrix",
    "render",
    "secrets_of",
    "write_report",
]
