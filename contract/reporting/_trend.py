"""The trend: earlier runs next to this one, as a chart drawn in the page and a table beneath.

A report folder kept from night to night (`--report-dir`, carried by CI's cache) holds
every run's `summary.json` under `runs/`; summaries copied into `history/` count too
(so CI can keep just those). The chart is inline SVG: four small panels (violations,
unstable tests, requests, wall time), one bar per run, each bar's tooltip naming the
run and its failing clauses; no script, nothing fetched.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contract.reporting._violations import violation_of

__all__ = ["HISTORY_DIR", "history", "trend_point", "trend_section"]

#: Summaries kept apart from run folders (CI's cache carries only these).
HISTORY_DIR = "history"


def trend_point(summary: dict[str, Any]) -> dict[str, Any]:
    """What the chart shows of one run."""
    run = summary.get("run", {})
    tests = summary.get("tests", {})
    baseline = summary.get("baseline") or {}
    # The clauses each violation names (a failing test checks many more than the one it broke).
    failures = [f for f in summary.get("failures", []) if f.get("phase", "call") == "call"]
    named = {c for f in failures for c in (f.get("violation") or violation_of(f)).get("clauses", [])}
    failing = sorted(named or {row["id"] for row in summary.get("clauses", []) if row.get("state") == "failed"})
    return {
        "run": run.get("id", "?"),
        "started": run.get("started", ""),
        "violations": int(tests.get("failed", 0)) + int(tests.get("errors", 0)),
        "known": len(baseline.get("known", [])),
        "unstable": len((summary.get("unstable") or {}).get("tests", [])),
        "requests": int(summary.get("totals", {}).get("requests", 0)),
        "wall_s": float(run.get("duration_s", 0.0)),
        "verdict": summary.get("verdict", {}).get("text", ""),
        "ok": bool(summary.get("verdict", {}).get("ok")),
        "failing_clauses": failing,
        "profile": summary.get("profile", ""),
    }


def _summaries(report_dir: Path, exclude: Path | None) -> Iterable[tuple[str, Path]]:
    for path in (report_dir / "runs").glob("*/summary.json"):
        if exclude is None or path.parent.resolve() != exclude.resolve():
            yield path.parent.name, path
    for path in (report_dir / HISTORY_DIR).glob("*.json"):
        yield path.stem, path


def history(report_dir: Path, current: dict[str, Any], limit: int, exclude: Path | None = None) -> list[dict[str, Any]]:
    """The last `limit` runs, oldest first, this one last (earlier ones from `report_dir`)."""
    if limit <= 0:
        return []
    points: dict[str, dict[str, Any]] = {}
    for _, path in sorted(_summaries(report_dir, exclude)):
        try:
            point = trend_point(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a half-written or foreign file: not a run to chart
        points[point["run"]] = point
    now = trend_point(current)
    points.pop(now["run"], None)
    earlier = sorted(points.values(), key=lambda p: (p["started"], p["run"]))
    return [*earlier[-(limit - 1) :], now] if limit > 1 else [now]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _short(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


_PANELS: tuple[tuple[str, str, str], ...] = (
    ("violations", "Violations", "#cf222e"),
    ("unstable", "Unstable tests", "#bf8700"),
    ("requests", "Requests", "#0969da"),
    ("wall_s", "Wall time", "#57606a"),
)
_W, _H, _GAP = 280, 132, 20
_TOP, _BOTTOM, _LEFT = 26, 22, 34


def _label(point: dict[str, Any]) -> str:
    return str(point["started"])[5:16] or point["run"]


def _tooltip(point: dict[str, Any], key: str, title: str) -> str:
    value = _minutes(point[key]) if key == "wall_s" else f"{point[key]:,}"
    clauses = ", ".join(point["failing_clauses"]) or "none"
    known = f" ({point['known']} known)" if point.get("known") else ""
    return f"{point['started'] or point['run']} · {title}: {value}{known} · failing clauses: {clauses}"


def _panel(points: list[dict[str, Any]], key: str, title: str, colour: str, x0: int) -> str:
    values = [float(p[key]) for p in points]
    top = max(values) or 1.0
    inner_w, inner_h = _W - _LEFT - 6, _H - _TOP - _BOTTOM
    slot = inner_w / len(points)
    bar = max(3.0, min(28.0, slot * 0.7))
    parts = [
        f'<g transform="translate({x0},0)"><text x="0" y="14" class="t">{_e(title)}</text>',
        f'<text x="{_LEFT - 4}" y="{_TOP + 4}" class="a" text-anchor="end">'
        f"{_e(_minutes(top) if key == 'wall_s' else _short(top))}</text>",
        f'<text x="{_LEFT - 4}" y="{_TOP + inner_h}" class="a" text-anchor="end">0</text>',
        f'<line x1="{_LEFT}" y1="{_TOP + inner_h}" x2="{_LEFT + inner_w}" y2="{_TOP + inner_h}" class="axis"/>',
    ]
    for index, (point, value) in enumerate(zip(points, values, strict=True)):
        height = inner_h * value / top
        x = _LEFT + slot * index + (slot - bar) / 2
        last = index == len(points) - 1
        parts.append(
            f'<rect x="{x:.1f}" y="{_TOP + inner_h - height:.1f}" width="{bar:.1f}" height="{max(height, 0.8):.1f}" '
            f'fill="{colour}" opacity="{1 if last else 0.55}" rx="2"><title>{_e(_tooltip(point, key, title))}</title>'
            "</rect>"
        )
    if len(points) > 1:
        parts.append(f'<text x="{_LEFT}" y="{_H - 6}" class="a">{_e(_label(points[0]))}</text>')
    newest = _e(_label(points[-1]))
    parts.append(f'<text x="{_LEFT + inner_w}" y="{_H - 6}" class="a" text-anchor="end">{newest}</text>')
    parts.append("</g>")
    return "".join(parts)


def _chart(points: list[dict[str, Any]]) -> str:
    width = len(_PANELS) * _W + (len(_PANELS) - 1) * _GAP
    panels = "".join(
        _panel(points, key, title, colour, index * (_W + _GAP)) for index, (key, title, colour) in enumerate(_PANELS)
    )
    return (
        f'<svg class="trend" viewBox="0 0 {width} {_H}" width="100%" role="img" '
        f'aria-label="violations, unstable tests, requests and wall time of the last {len(points)} runs">'
        "<style>.t{font:600 12px system-ui,sans-serif;fill:#1f2328}.a{font:10.5px system-ui,sans-serif;fill:#656d76}"
        ".axis{stroke:#d8dee4}</style>"
        f"{panels}</svg>"
    )


def _table(points: list[dict[str, Any]]) -> str:
    rows = []
    for point in reversed(points):
        state = "ok" if point["ok"] else "bad"
        clauses = " ".join(f'<span class="tag">{_e(c)}</span>' for c in point["failing_clauses"]) or (
            '<span class="muted">none</span>'
        )
        known = f' <span class="muted">({point["known"]} known)</span>' if point.get("known") else ""
        rows.append(
            f"<tr><td>{_e(point['started'] or point['run'])}</td>"
            f'<td><span class="pill {state}">{_e(point["verdict"])}</span>{known}</td>'
            f'<td class="num">{point["violations"]:,}</td><td class="num">{point["unstable"]:,}</td>'
            f'<td class="num">{point["requests"]:,}</td><td class="num">{_e(_minutes(point["wall_s"]))}</td>'
            f"<td>{clauses}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Run</th><th>Verdict</th><th class='num'>Violations</th>"
        "<th class='num'>Unstable</th><th class='num'>Requests</th><th class='num'>Wall time</th>"
        f"<th>Failing clauses</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def trend_section(points: list[dict[str, Any]]) -> str:
    """The trend section of index.html; nothing when there is no earlier run to compare with."""
    if len(points) < 2:
        return ""
    return (
        f'<section id="trend"><h2>Trend <span class="pill na">last {len(points)} runs</span></h2>'
        '<p class="lead">This run (solid) after the earlier runs kept in the report folder; '
        "hover a bar for the run and its failing clauses.</p>"
        + _chart(points)
        + "<details open><summary>Runs and their failing clauses</summary>"
        + _table(points)
        + "</details></section>"
    )
