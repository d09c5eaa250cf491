"""index.html: the run's summary for people, in one self-contained file.

Inline CSS, no scripts, no network: it opens from a CI artifact or a mail attachment.
It renders a summary dict (see _summary.py) and the SDK matrix when there is one, and
escapes every value that came from the run.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from contract.reporting._depth import depth_line
from contract.reporting._summary import status_class
from contract.reporting._trend import trend_section

__all__ = ["render"]


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{_n(count)} {word if count == 1 else (plural or word + 's')}"


_CSS = """
:root{--ink:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f4f6f8;--card:#fff;
--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;
--info:#0550ae;--info-bg:#ddf4ff;--grey:#8c959f;--grey-bg:#eef1f4;
--mono:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",Roboto,sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 40px}
.eyebrow{color:var(--muted);font-size:12px;letter-spacing:.08em;text-transform:uppercase;margin-bottom:10px}
.verdict{display:flex;align-items:center;gap:18px;padding:18px 22px;border-radius:12px;border:1px solid}
.verdict.ok{background:var(--ok-bg);border-color:#4ac26b;color:#0f5323}
.verdict.bad{background:var(--bad-bg);border-color:#ff8182;color:#82071e}
.verdict .mark{flex:none;width:48px;height:48px;border-radius:50%;display:flex;align-items:center;
justify-content:center;font-size:28px;font-weight:700;color:#fff}
.verdict.ok .mark{background:var(--ok)}.verdict.bad .mark{background:var(--bad)}
.verdict h1{margin:0;font-size:28px;line-height:1.15}
.verdict p{margin:4px 0 0;font-size:14px;opacity:.9}
.meta{display:flex;flex-wrap:wrap;gap:6px 22px;margin:14px 2px 0;color:var(--muted);font-size:13px}
.meta b{color:var(--ink);font-weight:600}
.cards{display:grid;grid-template-columns:repeat(7,1fr);gap:12px;margin:20px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:24px;font-weight:650;margin-top:2px}
.card .s{color:var(--muted);font-size:12px}
.card.bad .v{color:var(--bad)}.card.ok .v{color:var(--ok)}.card.warn .v{color:var(--warn)}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin:16px 0}
section h2{font-size:17px;margin:0 0 4px}
section .lead{color:var(--muted);margin:0 0 12px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}.cols section{margin:0}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{font-size:13px}.grid th.code{text-align:center;min-width:42px}
.grid td{padding:3px 8px}.grid .path{display:inline-block;white-space:nowrap}
.scroll{overflow-x:auto}
.grid td.cell{text-align:center;font-variant-numeric:tabular-nums;border:2px solid #fff;border-radius:6px}
.grid tr:hover td{background-color:#f6f8fa}
.c-documented{background:var(--ok-bg)!important;color:#0f5323;font-weight:600}
.c-allowed{background:var(--info-bg)!important;color:var(--info)}
.c-violation{background:var(--bad)!important;color:#fff;font-weight:700}
.c-unseen{background:var(--grey-bg)!important;color:var(--grey)}
.clauses{table-layout:fixed}.clauses td{font-size:12.5px}.clauses td:nth-child(2){width:44%}
.clauses th:nth-child(1){width:108px}.clauses th:nth-child(3),.clauses th:nth-child(4){width:64px}
.clauses td.cid{white-space:nowrap;font:600 12px var(--mono)}
.clauses tr.k-checked td.cid{color:var(--ok)}.clauses tr.k-failed td{background:var(--bad-bg)}
.clauses tr.k-failed td.cid{color:var(--bad)}.clauses tr.k-unchecked td{color:var(--grey);background:var(--grey-bg)}
.clauses .tests{font:11px var(--mono);color:var(--muted);word-break:break-word}
.clauses tr.sect td{background:#fff;font-weight:600;color:var(--muted);font-size:12px;padding-top:10px}
.op{font-family:var(--mono);font-size:12.5px;font-weight:600}
.path{font-family:var(--mono);font-size:11.5px;color:var(--muted)}
.m{display:inline-block;min-width:52px;text-align:center;font:700 10.5px/18px var(--mono);
border-radius:4px;color:#fff;margin-right:6px}
.m-GET{background:#0969da}.m-POST{background:#1a7f37}.m-PUT{background:#bc4c00}.m-PATCH{background:#8250df}
.m-DELETE{background:#cf222e}.m-{background:var(--grey)}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:8px;background:var(--grey-bg);color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:0 0 10px;font-size:12px;color:var(--muted)}
.legend span{display:inline-flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:16px;height:12px;border-radius:3px}
.fail{border:1px solid #ffcecb;border-left:5px solid var(--bad);border-radius:8px;padding:12px 14px;margin:12px 0}
.fail h3{margin:0 0 6px;font:600 13.5px/1.4 var(--mono);word-break:break-all}
.fail .msg{margin:0 0 8px;color:#82071e}
.kv{display:grid;grid-template-columns:90px 1fr;gap:3px 10px;margin:6px 0}
.kv dt{color:var(--muted);font-size:12px;padding-top:1px}.kv dd{margin:0;word-break:break-word}
pre{margin:4px 0 8px;padding:10px 12px;border-radius:8px;background:#0d1117;color:#e6edf3;
font:12px/1.5 var(--mono);white-space:pre-wrap;word-break:break-all}
pre.light{background:#f6f8fa;color:var(--ink);border:1px solid var(--line)}
.label{font-size:12px;color:var(--muted);margin-top:6px}
details summary{cursor:pointer;color:var(--info);font-size:12.5px;margin-top:4px}
.ok-text{color:var(--ok);font-weight:600}.bad-text{color:var(--bad);font-weight:600}
.muted{color:var(--muted)}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.pill.ok{background:var(--ok-bg);color:#0f5323}.pill.bad{background:var(--bad-bg);color:#82071e}
.pill.na{background:var(--grey-bg);color:var(--muted)}
.pill.warn{background:var(--warn-bg);color:var(--warn)}
svg.trend{display:block;max-width:100%;margin:4px 0 10px}
footer{color:var(--muted);font-size:12px;margin-top:20px}
footer a{color:var(--info)}
"""


def _verdict(summary: dict[str, Any]) -> str:
    verdict = summary["verdict"]
    tests = summary["tests"]
    totals = summary["totals"]
    cleanup = summary["cleanup"]
    facts = [
        _plural(tests.get("total", 0), "test"),
        _plural(totals["requests"], "request"),
        f"{totals['operations_exercised']}/{totals['operations']} operations exercised",
        "cleanup clean" if cleanup["ok"] else "cleanup left objects behind",
        *verdict.get("notes", []),
    ]
    state = "ok" if verdict["ok"] else "bad"
    return (
        f'<div class="verdict {state}"><div class="mark">{"✓" if verdict["ok"] else "✗"}</div>'
        f"<div><h1>{e(verdict['text'])}</h1><p>{e(' · '.join(dict.fromkeys(facts)))}</p></div></div>"
    )


def _meta(summary: dict[str, Any]) -> str:
    target = summary.get("target", {})
    run = summary.get("run", {})
    sdk = summary.get("sdk", {})
    where = "embedded reference server" if target.get("embedded") else "remote"
    items = [
        ("Target", f"{target.get('base_url', '?')} ({where})"),
        ("Tenant", target.get("tenant", "?")),
        ("As", target.get("identity", "?")),
        ("SDK", f"{sdk.get('package', 'kestrapy')} {sdk.get('version', '?')}"),
        ("Profile", summary.get("profile", "?")),
        ("Seed", summary.get("seed", "?")),
        ("Run", run.get("id", "?")),
        ("Started", run.get("started", "?")),
        ("Duration", f"{run.get('duration_s', 0):.1f} s"),
    ]
    if summary.get("read_only"):
        items.append(("Mode", "read-only"))
    workers = [w for w in summary.get("workers", []) if w["id"] != "main"]
    if workers:
        items.append(("Workers", len(workers)))
    return '<div class="meta">' + "".join(f"<span>{e(k)} <b>{e(v)}</b></span>" for k, v in items) + "</div>"


def _card(label: str, value: str, sub: str = "", state: str = "") -> str:
    return (
        f'<div class="card {state}"><div class="k">{e(label)}</div><div class="v">{e(value)}</div>'
        f'<div class="s">{e(sub)}</div></div>'
    )


def _cards(summary: dict[str, Any]) -> str:
    tests = summary["tests"]
    totals = summary["totals"]
    cleanup = summary["cleanup"]
    problems = tests.get("failed", 0) + tests.get("errors", 0)
    left = len(cleanup["left_behind"]) + len(cleanup["failed"])
    return (
        '<div class="cards">'
        + _card(
            "Tests passed",
            f"{_n(tests.get('passed', 0))}/{_n(tests.get('total', 0))}",
            f"{tests.get('failed', 0)} failed · {tests.get('errors', 0)} errors · {tests.get('skipped', 0)} skipped",
            "bad" if problems else "ok",
        )
        + _card(
            "Requests", _n(totals["requests"]), f"{totals['operations_exercised']}/{totals['operations']} operations"
        )
        + _card(
            "Checks",
            _n(totals["checks_run"]),
            f"{_n(totals['checks_failed'])} failed",
            "bad" if totals["checks_failed"] else "",
        )
        + _card(
            "Unexpected statuses",
            _n(totals["unexpected_statuses"]),
            "neither documented nor allowed",
            "bad" if totals["unexpected_statuses"] else "ok",
        )
        + _clause_card(totals)
        + _card(
            "Drift", _n(len(summary["drift"])), "accepted what the schema forbids", "warn" if summary["drift"] else ""
        )
        + _cleanup_card(cleanup, left)
        + "</div>"
    )


def _cleanup_counts(cleanup: dict[str, Any]) -> tuple[int, int, int]:
    """(created, deleted by the tests themselves, deleted or found gone by cleanup)."""
    swept = cleanup["deleted"] + cleanup["already_gone"]
    left = len(cleanup["left_behind"]) + len(cleanup["failed"])
    return cleanup["created"], max(cleanup["created"] - swept - left, 0), swept


def _cleanup_card(cleanup: dict[str, Any], left: int) -> str:
    """What is left on the server first; then where the run's objects went."""
    created, by_tests, swept = _cleanup_counts(cleanup)
    sub = f"{_n(created)} created · {_n(by_tests)} deleted by the tests · {_n(swept)} by cleanup"
    return _card("Left on the server", _n(left), sub, "bad" if left else "ok")


def _clause_card(totals: dict[str, Any]) -> str:
    count, checked, failed = (totals.get(k, 0) for k in ("clauses", "clauses_checked", "clauses_failed"))
    if not count:
        return ""
    sub = f"{_n(failed)} failed" if failed else f"{_n(count - checked)} not checked by this run"
    return _card("Clauses checked", f"{_n(checked)}/{_n(count)}", sub, "bad" if failed else "")


_CLAUSE_STATE = {
    "checked": "checked by this run",
    "failed": "a test that checks it failed",
    "unchecked": "no test of this run checks it",
}


def _clause_row(row: dict[str, Any]) -> str:
    tests = " · ".join(
        f"{e(name.removeprefix('contract/'))}" + (f" ×{_n(count)}" if count > 1 else "")
        for name, count in row["tests"].items()
    )
    suite = ' <span class="tag">about the suite</span>' if row["kind"] == "suite" else ""
    failed = f'<span class="bad-text">{_n(row["failed"])}</span>' if row["failed"] else '<span class="muted">0</span>'
    return (
        f'<tr class="k-{e(row["state"])}" title="{e(_CLAUSE_STATE[row["state"]])}"><td class="cid">{e(row["id"])}</td>'
        f'<td>{e(row["text"])}{suite}</td><td class="num">{_n(row["exercised"])}</td><td class="num">{failed}</td>'
        f'<td class="tests">{tests or "not checked by this run"}</td></tr>'
    )


def _clauses(summary: dict[str, Any]) -> str:
    rows = summary.get("clauses") or []
    if not rows:
        return ""
    body, section = [], ""
    for row in rows:
        prefix = row["id"].rsplit("-", 1)[0]
        if prefix != section:
            section = prefix
            body.append(f'<tr class="sect"><td colspan="5">{e(prefix)}</td></tr>')
        body.append(_clause_row(row))
    totals = summary["totals"]
    legend = (
        '<div class="legend"><span><i class="c-documented"></i>checked by this run</span>'
        '<span><i class="c-violation"></i>a test that checks it failed</span>'
        '<span><i class="c-unseen"></i>no test of this run checks it</span></div>'
    )
    return (
        f'<section id="clauses"><h2>Clauses <span class="pill {"bad" if totals["clauses_failed"] else "na"}">'
        f"{_n(totals['clauses_checked'])}/{_n(totals['clauses'])} checked</span></h2>"
        '<p class="lead">Each clause of the contract (specs/clauses.yaml), how many tests of this run checked it, '
        "how many of them failed, and which.</p>"
        + legend
        + '<div class="scroll"><table class="clauses"><thead><tr><th>Clause</th><th>Statement</th>'
        '<th class="num">Tests</th><th class="num">Failed</th><th>By</th></tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div></section>"
    )


def _grid(summary: dict[str, Any]) -> str:
    rows = summary["operations"]
    allowed = set(summary["policy"]["error_statuses"])
    codes = sorted({c for r in rows for c in r["documented"]} | {int(c) for r in rows for c in r["statuses"]})
    head = "".join(f'<th class="code">{code}</th>' for code in codes)
    body = []
    for row in rows:
        seen = {int(code): count for code, count in row["statuses"].items()}
        cells = []
        for code in codes:
            cls = status_class(code, code in seen, row["documented"], allowed)
            text = {"unseen": "–", "none": ""}.get(cls, _n(seen.get(code, 0)))
            title = {
                "documented": f"{code}: documented, seen {seen.get(code, 0)}×",
                "allowed": f"{code}: allowed by the policy, seen {seen.get(code, 0)}×",
                "violation": f"{code}: neither documented nor allowed, seen {seen.get(code, 0)}×",
                "unseen": f"{code}: documented, never seen",
                "none": "",
            }[cls]
            cells.append(f'<td class="cell c-{cls}" title="{e(title)}">{text}</td>')
        checks = (
            f'<span class="bad-text">{row["checks_failed"]}</span>/{_n(row["checks_run"])}'
            if row["checks_failed"]
            else (_n(row["checks_run"]) if row["checks_run"] else '<span class="muted">–</span>')
        )
        setup = ' <span class="tag">setup</span>' if row["setup"] else ""
        requests = _n(row["requests"]) if row["requests"] else '<span class="muted" title="never called">0</span>'
        body.append(
            f'<tr><td class="opcell"><span class="m m-{e(row["method"])}">{e(row["method"] or "?")}</span>'
            f'<span class="op">{e(row["operation"])}</span>{setup} <span class="path">{e(row["path"])}</span></td>'
            f'<td class="num">{requests}</td><td class="num">{checks}</td>{"".join(cells)}</tr>'
        )
    legend = (
        '<div class="legend">'
        '<span><i class="c-documented"></i>seen, documented</span>'
        '<span><i class="c-allowed"></i>seen, an error the policy allows</span>'
        '<span><i class="c-violation"></i>seen, neither documented nor allowed</span>'
        '<span><i class="c-unseen"></i>documented, never seen</span></div>'
    )
    return (
        '<section id="grid"><h2>Operations × status codes</h2>'
        '<p class="lead">How many responses of each status every operation got, against what it documents.</p>'
        + legend
        + '<div class="scroll"><table class="grid"><thead><tr><th>Operation</th><th class="num">Requests</th>'
        + f'<th class="num">Checks failed/run</th>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div></section>"
    )


def _failure(failure: dict[str, Any]) -> str:
    facts = [
        ("operation", failure.get("operation")),
        ("expected", failure.get("expected")),
        ("got", failure.get("got")),
        ("detail", failure.get("detail")),
        ("phase", failure.get("phase") if failure.get("phase") != "call" else ""),
        ("markers", ", ".join(failure.get("markers", []))),
    ]
    rows = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts if v)
    parts = [
        f'<div class="fail"><h3>{e(failure["nodeid"])}</h3>',
        f'<p class="msg">{e(failure.get("message", ""))}</p>',
        f'<dl class="kv">{rows}</dl>' if rows else "",
    ]
    if failure.get("curl"):
        parts.append(f'<div class="label">Reproduce the request</div><pre>{e(failure["curl"])}</pre>')
    if failure.get("replay"):
        parts.append(f'<div class="label">Replay the test</div><pre>{e(failure["replay"])}</pre>')
    if failure.get("details"):
        parts.append(
            f'<details><summary>Full output</summary><pre class="light">{e(failure["details"])}</pre></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def _failures(summary: dict[str, Any]) -> str:
    failures = summary["failures"]
    if not failures:
        return ""
    return (
        f'<section id="failures"><h2>Failures <span class="pill bad">{len(failures)}</span></h2>'
        '<p class="lead">Each with the request that showed it (secrets masked) and the command that replays it.</p>'
        + "".join(_failure(f) for f in failures)
        + "</section>"
    )


def _drift(summary: dict[str, Any]) -> str:
    drift = summary["drift"]
    if not drift:
        body = '<p class="muted">None: the server refused everything the schemas forbid.</p>'
    else:
        body = (
            "<table><thead><tr><th>Operation</th><th>What the server accepted</th></tr></thead><tbody>"
            + "".join(
                f'<tr><td class="op">{e(d["operation"])}</td><td>{e(d["detail"])}'
                f"<pre>{e(d.get('curl', ''))}</pre></td></tr>"
                for d in drift
            )
            + "</tbody></table>"
        )
    return (
        f'<section id="drift"><h2>Drift <span class="pill {"warn" if drift else "na"}">{len(drift)}</span></h2>'
        '<p class="lead">Not violations: answers the policy tolerates but the schemas do not describe.</p>'
        + body
        + "</section>"
    )


def _table(headers: tuple[str, str], rows: str) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _unstable(summary: dict[str, Any]) -> str:
    unstable = summary.get("unstable") or {"tests": [], "requests": {}, "total_requests": 0}
    tests, requests = unstable["tests"], unstable["requests"]
    if not tests and not requests:
        return ""
    rows = "".join(
        f'<tr><td class="op">{e(op)}</td><td>{e(", ".join(f"{kind}: {n}" for kind, n in kinds.items()))}</td></tr>'
        for op, kinds in sorted(requests.items())
    )
    concluded = "".join(f'<tr><td class="op">{e(t["nodeid"])}</td><td>{e(t["reason"])}</td></tr>' for t in tests)
    return (
        f'<section id="unstable"><h2>Unstable target <span class="pill warn">{len(tests)}</span></h2>'
        '<p class="lead">Not violations: answers of what stands in front of the API (network errors, gateway '
        "pages, rate limits) after the retries that are safe. Hypothesis examples that met one were "
        f"discarded ({_plural(unstable['total_requests'], 'request')}); the tests below could not conclude.</p>"
        + _table(("Test", "Why"), concluded)
        + _table(("Operation", "Answers"), rows)
        + "</section>"
    )


def _depth(summary: dict[str, Any]) -> str:
    """Examples per test, and what a budget stopped early or left out."""
    data = summary.get("depth")
    if not data:
        return ""
    cut, left = set(data["stopped_early"]), data["not_started"]
    rows = "".join(
        f'<tr><td class="op">{e(test)}</td><td class="num">{_n(count)}</td>'
        f"<td>{'stopped by the budget' if test in cut else ''}</td></tr>"
        for test, count in data["examples_per_test"].items()
    )
    head = "<tr><th>Test</th><th class='num'>Examples</th><th></th></tr>"
    table = f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"
    skipped = "".join(f"<li>{e(test)}</li>" for test in left)
    state = "warn" if cut or left else "na"
    return (
        f'<section id="depth"><h2>How far it got <span class="pill {state}">{_n(data["examples"])} examples</span></h2>'
        f'<p class="lead">{e(depth_line(data))}</p>'
        + (f"<details><summary>Examples per test</summary>{table}</details>" if rows else "")
        + (f"<details><summary>Not started: budget spent</summary><ul>{skipped}</ul></details>" if left else "")
        + "</section>"
    )


def _markers(summary: dict[str, Any]) -> str:
    markers = summary["markers"]
    columns = ("passed", "failed", "errors", "skipped", "xfailed")
    rows = "".join(
        f'<tr><td class="op">{e(mark)}</td>'
        + "".join(
            f'<td class="num{" bad-text" if col in ("failed", "errors") and counts.get(col) else ""}">'
            f"{_n(counts.get(col, 0))}</td>"
            for col in columns
        )
        + "</tr>"
        for mark, counts in markers.items()
    )
    head = "".join(f'<th class="num">{c}</th>' for c in columns)
    return (
        '<section id="markers"><h2>Tests by marker</h2>'
        + (f"<table><thead><tr><th>Marker</th>{head}</tr></thead><tbody>{rows}</tbody></table>" if rows else "")
        + ("" if rows else '<p class="muted">No tests ran.</p>')
        + "</section>"
    )


def _objects(title: str, items: Iterable[dict[str, Any]], reason: bool) -> str:
    rows = "".join(
        f'<tr><td>{e(i["kind"])}</td><td class="op">{e(i["id"])}</td><td>{e(i.get("label", ""))}</td>'
        + (f"<td>{e(i.get('reason', ''))}</td>" if reason else "")
        + "</tr>"
        for i in items
    )
    if not rows:
        return ""
    extra = "<th>Why</th>" if reason else ""
    return (
        f'<div class="label">{e(title)}</div><table><thead><tr><th>Kind</th><th>Id</th><th>Label</th>{extra}'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _cleanup(summary: dict[str, Any]) -> str:
    c = summary["cleanup"]
    created, by_tests, _ = _cleanup_counts(c)
    left = len(c["left_behind"]) + len(c["failed"])
    gone = f" ({_n(c['already_gone'])} of them already gone)" if c["already_gone"] else ""
    line = (
        f"The run created {_plural(created, 'object')}: its tests deleted {_n(by_tests)} themselves, "
        f"cleanup deleted {_n(c['deleted'] + c['already_gone'])}{gone}; "
        + ("nothing is left on the server." if not left else f"{_plural(left, 'object')} left on the server.")
    )
    state = '<span class="pill ok">clean</span>' if c["ok"] else '<span class="pill bad">objects left behind</span>'
    return (
        f'<section id="cleanup"><h2>Cleanup {state}</h2><p>{e(line)}</p>'
        + "".join(f'<p class="bad">{e(problem)}</p>' for problem in c.get("problems", []))
        + _objects("Could not delete", c["failed"], reason=True)
        + _objects("Still on the server", c["left_behind"], reason=False)
        + "</section>"
    )


_PASS = {"pass", "passed", "ok", "true", "yes", "green", "success", "✓"}
_FAIL = {"fail", "failed", "false", "no", "red", "error", "failure", "✗"}


def _matrix_rows(matrix: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Accept a list of row objects, {"rows": [...]}, or {name: {...}}; columns in first-seen order."""
    if isinstance(matrix, dict):
        rows = matrix.get("rows", matrix.get("results", matrix.get("versions")))
        if rows is None:
            rows = [{"name": k, **(v if isinstance(v, dict) else {"result": v})} for k, v in matrix.items()]
    else:
        rows = matrix
    if isinstance(rows, dict):
        rows = [{"name": k, **(v if isinstance(v, dict) else {"result": v})} for k, v in rows.items()]
    rows = [r if isinstance(r, dict) else {"value": r} for r in (rows or [])]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return columns, rows


def _matrix_cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f'<td class="path">{e(value)}</td>'
    word = str(value).strip().lower()
    if word in _PASS:
        return f'<td><span class="pill ok">{e(value)}</span></td>'
    if word in _FAIL:
        return f'<td><span class="pill bad">{e(value)}</span></td>'
    return f"<td>{e(value)}</td>"


_OUTCOME_STATE = {"works": "ok", "missing": "bad", "error": "bad", "does not parse": "bad", "not run": "na"}


def _is_version_matrix(matrix: Any) -> bool:
    """The shape `nox -s sdk_matrix` writes: {"versions": {version: {"operations": {op: {...}}}}}."""
    versions = matrix.get("versions") if isinstance(matrix, dict) else None
    return (
        isinstance(versions, dict)
        and bool(versions)
        and all(isinstance(v, dict) and isinstance(v.get("operations"), dict) for v in versions.values())
    )


def _import_cell(version: dict[str, Any]) -> str:
    clean = version.get("clean_import") or {}
    if not clean.get("checked"):
        return '<td><span class="pill na">not checked</span></td>'
    if clean.get("ok"):
        return '<td><span class="pill ok">clean</span></td>'
    added = ", ".join(version.get("added_for_import") or [])
    label = f"needs {added}" if added and not version.get("import_error") else "fails"
    title = clean.get("error") or version.get("import_error") or ""
    return f'<td><span class="pill bad" title="{e(title)}">{e(label)}</span></td>'


def _version_matrix(matrix: dict[str, Any]) -> str:
    versions: dict[str, dict[str, Any]] = matrix["versions"]
    names = list(versions)
    listed = [o.get("operation", "") for o in matrix.get("operations", []) if isinstance(o, dict)]
    operations = list(dict.fromkeys(listed + [op for v in versions.values() for op in v["operations"]]))
    head = "".join(f"<th>kestrapy {e(name)}</th>" for name in names)
    counts = "".join(
        '<td class="path">' + e(" · ".join(f"{n} {word}" for word, n in (v.get("counts") or {}).items() if n)) + "</td>"
        for v in versions.values()
    )
    rows = [
        "<tr><td>import in a clean environment</td>" + "".join(_import_cell(v) for v in versions.values()) + "</tr>",
        f"<tr><td>outcomes</td>{counts}</tr>",
    ]
    for operation in operations:
        cells = []
        for name in names:
            cell = versions[name]["operations"].get(operation) or {"outcome": "not run"}
            outcome = str(cell.get("outcome", "not run"))
            title = " ".join([*cell.get("details", []), *cell.get("notes", [])])
            method = f' <span class="path">{e(cell["method"])}</span>' if cell.get("method") else ""
            state = _OUTCOME_STATE.get(outcome, "na")
            cells.append(f'<td title="{e(title)}"><span class="pill {state}">{e(outcome)}</span>{method}</td>')
        rows.append(f'<tr><td class="op">{e(operation)}</td>{"".join(cells)}</tr>')
    generated = f" Generated {matrix['generated']}." if matrix.get("generated") else ""
    return (
        '<section id="sdk-matrix"><h2>SDK matrix</h2>'
        f'<p class="lead">Which kestrapy versions can call each operation of this server.{e(generated)}</p>'
        f"<table><thead><tr><th>Operation</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _matrix(matrix: Any) -> str:
    if matrix is None:
        return ""
    if _is_version_matrix(matrix):
        return _version_matrix(matrix)
    columns, rows = _matrix_rows(matrix)
    caption = matrix.get("description", "") if isinstance(matrix, dict) else ""
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_matrix_cell(r.get(c, "")) for c in columns) + "</tr>" for r in rows)
    return (
        '<section id="sdk-matrix"><h2>SDK matrix</h2>'
        + (f'<p class="lead">{e(caption)}</p>' if caption else "")
        + (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if rows else "<p>Empty.</p>")
        + "</section>"
    )


def _footer(summary: dict[str, Any]) -> str:
    files = summary.get("files", {})
    links = " · ".join(f'<a href="{e(path)}">{e(path)}</a>' for path in files.values() if path)
    run = summary.get("run", {})
    return (
        f"<footer>{links}{' · ' if links else ''}run folder {e(run.get('dir', ''))}"
        f" · finished {e(run.get('finished', ''))}</footer>"
    )


def _violation(item: dict[str, Any]) -> str:
    where = " · ".join(str(x) for x in (item.get("operation"), item.get("test")) if x)
    clauses = ", ".join(item.get("clauses") or ([item["clause"]] if item.get("clause") else []))
    return (
        f"<li><b>{e(clauses or '?')}</b> {e(where)}"
        + (f' <span class="muted">{e(item["check"])}</span>' if item.get("check") else "")
        + "</li>"
    )


def _baseline(summary: dict[str, Any]) -> str:
    """Known violations (not failing the run), new ones, and known ones this run no longer saw."""
    baseline = summary.get("baseline")
    if not baseline:
        return ""
    groups = (
        ("New: not in the baseline", "bad", baseline.get("new", [])),
        ("Known: in the baseline, not failing the run", "warn", baseline.get("known", [])),
        ("Fixed: in the baseline, no longer seen", "ok", baseline.get("fixed", [])),
        ("Not checked by this run", "na", baseline.get("not_checked", [])),
    )
    body = "".join(
        f'<div class="label"><span class="pill {state}">{len(items)}</span> {e(title)}</div>'
        f"<ul>{''.join(_violation(i) for i in items)}</ul>"
        for title, state, items in groups
        if items
    )
    return (
        f'<section id="baseline"><h2>Baseline <span class="pill {"bad" if baseline.get("new") else "ok"}">'
        f"{len(baseline.get('new', []))} new</span></h2>"
        f'<p class="lead">Against the known violations of {e(baseline.get("file", ""))}.</p>{body}</section>'
    )


def _memory(summary: dict[str, Any]) -> str:
    """What the run tried first (the corpus, the example database) and the corpus files it wrote."""
    memory = summary.get("memory") or {}
    replayed, written = memory.get("replayed_first") or {}, memory.get("written") or []
    failed_at = (summary.get("depth") or {}).get("failed_at_example") or {}
    if not replayed and not written and not failed_at:
        return ""
    items = [f"<li>{e(test)}: {_plural(n, 'stored example')} tried first</li>" for test, n in replayed.items()]
    items += [f"<li>{e(test)}: failed on example {_n(n)}</li>" for test, n in failed_at.items()]
    items += [f"<li>wrote {e(path)}</li>" for path in written]
    sources = " and ".join(
        f"{what} {e(where)}"
        for what, where in (("the example database", memory.get("example_db")), ("the corpus", memory.get("corpus")))
        if where
    )
    return (
        '<section id="memory"><h2>Earlier failures first</h2>'
        f'<p class="lead">Examples stored by earlier runs ({sources or "none"}) run before new ones; '
        f"each violation found is written to the corpus.</p><ul>{''.join(items)}</ul></section>"
    )


def render(summary: dict[str, Any], matrix: Any = None, history: list[dict[str, Any]] | None = None) -> str:
    title = f"{summary['verdict']['text']} · Users API contract · run {summary.get('run', {}).get('id', '')}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>"
        '<div class="eyebrow">Kestra Users API · contract report</div>'
        + _verdict(summary)
        + _meta(summary)
        + _cards(summary)
        + trend_section(history or [])
        + _baseline(summary)
        + _failures(summary)
        + _memory(summary)
        + _grid(summary)
        + _clauses(summary)
        + _drift(summary)
        + _unstable(summary)
        + f'<div class="cols">{_markers(summary)}{_cleanup(summary)}</div>'
        + _depth(summary)
        + _matrix(matrix)
        + _footer(summary)
        + "</main></body></html>\n"
    )
