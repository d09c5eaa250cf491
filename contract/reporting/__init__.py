"""What a run writes for people and CI: outcomes per test and marker, counts per operation,
the clause table, the merged `summary.json`, the self-contained `index.html` (with the trend
of earlier runs) and `latest`; the regression corpus, and what makes a violation known to a
baseline.
The pytest hooks that feed it live in `contract.plugin`; `python -m contract.reporting.markdown`
renders a summary for CI pages.
"""

from contract.reporting._clauses import clause_rows
from contract.reporting._compare import compare, comparison_lines
from contract.reporting._depth import depth_line
from contract.reporting._files import point_latest, read_matrix, write_report
from contract.reporting._html import render
from contract.reporting._outcomes import EXAMPLES_PROPERTY, Outcomes, failure_record
from contract.reporting._regressions import read_corpus, write_regressions
from contract.reporting._summary import build_summary, ledger_state, merge_payloads, process_payload
from contract.reporting._trend import HISTORY_DIR, history, trend_point
from contract.reporting._violations import baseline_verdict, judge, read_baseline, test_function, violation_of

__all__ = [
    "EXAMPLES_PROPERTY",
    "HISTORY_DIR",
    "Outcomes",
    "baseline_verdict",
    "build_summary",
    "clause_rows",
    "compare",
    "comparison_lines",
    "depth_line",
    "failure_record",
    "history",
    "judge",
    "ledger_state",
    "merge_payloads",
    "point_latest",
    "process_payload",
    "read_baseline",
    "read_corpus",
    "read_matrix",
    "render",
    "test_function",
    "trend_point",
    "violation_of",
    "write_regressions",
    "write_report",
]
