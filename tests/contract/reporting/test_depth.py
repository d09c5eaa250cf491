"""How far a run got: merged from the processes, one line for people, in summary.json."""

from __future__ import annotations

from contract.reporting._depth import depth, depth_line, merge_progress


def test_processes_add_up() -> None:
    merged = merge_progress(
        [{"examples": {"a": 3}, "cut": []}, None, {"examples": {"b": 2, "a": 1}, "cut": ["b"], "failed_at": {"b": 2}}]
    )
    assert merged == {"examples": {"a": 4, "b": 2}, "cut": ["b"], "failed_at": {"b": 2}}


def test_without_a_budget_the_line_says_what_ran() -> None:
    data = depth(None, {"examples": {"a": 3, "b": 2}, "cut": []}, [], 1234)
    assert data["budget_s"] is None
    assert data["examples"] == 5
    assert depth_line(data) == "ran 5 examples in 2 tests, 1,234 requests"


def test_under_a_budget_the_line_says_what_was_left_out() -> None:
    data = depth({"seconds": 180, "started": 0.0}, {"examples": {"a": 3}, "cut": ["a"]}, ["c", "b"], 10)
    assert data["reserve_s"] == 20
    assert data["not_started"] == ["b", "c"]
    line = depth_line(data)
    assert line.startswith("ran 3 examples in 1 tests, 10 requests; budget 3m00s (new work stopped at ")
    assert line.endswith("1 tests stopped early, 2 not started")


def test_a_budget_that_fit() -> None:
    data = depth({"seconds": 180, "started": 0.0}, {"examples": {"a": 3}, "cut": []}, [], 10)
    assert depth_line(data).endswith("everything fit")
