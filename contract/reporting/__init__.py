"""What a run writes for people and CI: counts per operation, outcomes, the merged
`summary.json`, the self-contained `index.html` and `latest`, through one pytest plugin
(`ReportPlugin`). `python -m contract.reporting.markdown` renders a summary for CI pages.
"""

from contract.reporting._plugin import ReportPlugin

__all__ = ["ReportPlugin"]
