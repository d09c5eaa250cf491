"""A machine's examples in shards: many pytest items, so that `-n N` runs them side by side.

Against a remote server a machine waits on the network far more than it computes, and
one pytest item cannot be spread over xdist workers. So each machine test is
parametrized with `machine_shards(fraction)`: every shard is a complete hypothesis run
of the machine with its share of the profile's examples and a seed of its own, derived
from the run seed and its place, so that `pytest '<node>' --hypothesis-seed=N` replays
exactly that shard.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hypothesis import settings

__all__ = ["EXAMPLES_PER_SHARD", "MAX_SHARDS", "Shard", "machine_shards"]

#: Small shards balance well across workers (a shard's examples run one after another).
EXAMPLES_PER_SHARD = 2
#: More would only add per-item setup: 16 already keeps 8 workers busy with 3 machines.
MAX_SHARDS = 16


@dataclass(frozen=True)
class Shard:
    index: int
    count: int
    examples: int

    def __str__(self) -> str:
        return f"shard-{self.index + 1}-of-{self.count}"

    def seed(self, run_seed: int) -> int:
        """The hypothesis seed of the shard: the same for the same run seed, different for each shard."""
        digest = hashlib.sha256(f"{run_seed}:{self.index}:{self.count}".encode()).digest()
        return int.from_bytes(digest[:8], "big")


def machine_shards(fraction: float) -> list[Shard]:
    """`fraction` of the loaded profile's examples, dealt out to shards of about EXAMPLES_PER_SHARD each."""
    total = max(2, round(settings().max_examples * fraction))
    count = max(1, min(MAX_SHARDS, total // EXAMPLES_PER_SHARD))
    base, extra = divmod(total, count)
    return [Shard(index, count, base + (1 if index < extra else 0)) for index in range(count)]
