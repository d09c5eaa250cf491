"""Compare two runs (`python -m contract.compare A/summary.json B/summary.json`).

Prints what is new in B, what B no longer shows (fixed), what still fails, and what
changed in drift, clauses, requests and wall time. Exits 1 when B has a violation A did
not have, 0 otherwise (2 when a file cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contract.reporting import compare, comparison_lines


def _summary(path: Path) -> dict[str, Any]:
    if path.is_dir():
        path = path / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "failures" not in data:
        raise ValueError(f"{path} is not a summary.json")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contract.compare", description="Compare two runs of the suite.")
    parser.add_argument("a", type=Path, help="the earlier run's summary.json (or its run folder)")
    parser.add_argument("b", type=Path, help="the later run's summary.json (or its run folder)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = parser.parse_args(argv)
    try:
        a, b = _summary(args.a), _summary(args.b)
    except (OSError, ValueError) as error:
        print(f"contract.compare: {error}", file=sys.stderr)
        return 2
    result = compare(a, b)
    print(json.dumps(result, indent=2) if args.json else "\n".join(comparison_lines(result)))
    return 1 if result["new"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
