"""State-machine shards: the profile's examples dealt out, seeds of their own, stable ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import settings

from contract.machines import Shard, machine_shards
from contract.machines._shards import MAX_SHARDS


@contextmanager
def _profile(name: str) -> Iterator[None]:
    previous = settings._current_profile
    settings.load_profile(name)
    try:
        yield
    finally:
        settings.load_profile(previous or "default")


@pytest.mark.parametrize(("profile", "count"), [("default", 6), ("ci", 15), ("nightly", MAX_SHARDS)])
def test_each_profile_deals_out_its_examples(profile: str, count: int) -> None:
    with _profile(profile):
        shards = machine_shards(0.5)
        expected = round(settings().max_examples * 0.5)
    assert len(shards) == count
    assert sum(s.examples for s in shards) == expected
    assert max(s.examples for s in shards) - min(s.examples for s in shards) <= 1


def test_a_tiny_share_is_one_shard_of_two_examples() -> None:
    assert machine_shards(0.01) == [Shard(0, 1, 2)]


def test_ids_say_which_shard() -> None:
    assert str(Shard(2, 6, 2)) == "shard-3-of-6"


def test_seeds_differ_per_shard_and_follow_the_run_seed() -> None:
    seeds = [Shard(i, 6, 2).seed(12345) for i in range(6)]
    assert len(set(seeds)) == 6
    assert seeds == [Shard(i, 6, 2).seed(12345) for i in range(6)]
    assert Shard(0, 6, 2).seed(12345) != Shard(0, 6, 2).seed(12346)
