"""How far a run got: merged from the processes, one line for people, in summary.json."""

from __future__ import annotations

from contract.reporting._depth import completion, depth, depth_line, merge_progress


def test_processes_add_up() -> None:
    merged = merge_progress(
        [{"examples": {"a": 3}, "cut": []}, None, {"examples": {"b": 2, "a": 1}, "cut": ["b"], "failed_at": {"b": 2}}]
    )
    assert merged["examples"] == {"a": 4, "b": 2}
    assert merged["cut"] == ["b"]
    assert merged["failed_at"] == {"b": 2}
    assert merged["completed"] == merged["cut_short"] == merged["abandoned"] == {}


def test_machine_examples_say_how_many_ran_to_their_end_per_machine() -> None:
    shard = "contract/test_machine_x.py::test_x[shard-{}-of-2]"
    progress = merge_progress(
        [
            {"examples": {shard.format(1): 3, "f::fuzz[a]": 9}, "completed": {shard.format(1): 3}, "cut": []},
            {
                "examples": {shard.format(2): 5},
                "completed": {shard.format(2): 2},
                "cut_short": {shard.format(2): 1},
                "abandoned": {shard.format(2): 1},
            },
        ]
    )
    machines = completion(progress)
    expected = {"examples": 7, "completed": 5, "cut_short": 1, "shards_run_again": 0}
    assert machines == {"contract/test_machine_x.py::test_x": expected}
    line = depth_line(depth(None, progress, [], 100))
    assert line.endswith("; machine examples completed: 5 of 7 (71%); cut short by an unstable target: 1")


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
