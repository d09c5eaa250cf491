"""The run's life, apart from the wire: the time budget and how far each test got (`Budget`,
`Progress`), the settle window that search checks wait for (`Settle`, `PendingSearches`,
`AbsenceChecks`), tests run side by side in threads (`Background`), how a test ends that
neither passed nor failed (`UnstableTarget`, `CannotRun`), signals, the hypothesis
profiles and run seed, and the example database that replays earlier failures first (`ExampleMemory`).
"""

from contract.harness.lifecycle._background import (
    Background,
    Halted,
    current_test,
    in_background,
    plain_nodeid,
    set_current_test,
)
from contract.harness.lifecycle._budget import (
    NOT_STARTED,
    Budget,
    BudgetSpent,
    Progress,
    cleanup_reserve,
    format_duration,
    parse_duration,
    stopped_by_budget,
)
from contract.harness.lifecycle._examples import (
    ExampleMemory,
    decode_example,
    encode_example,
    example_key,
    key_name,
    remember_examples,
)
from contract.harness.lifecycle._hypothesis import PROFILES, publish_run_seed, register_profiles, run_seed
from contract.harness.lifecycle._outcomes import (
    NOT_RUN_PROPERTY,
    UNSTABLE_PROPERTY,
    CannotRun,
    UnstableTarget,
    cannot_run,
    give_up,
    met_unstable_target,
    raising_unstable,
    rejecting_examples,
    unstable_when_cut_short,
)
from contract.harness.lifecycle._settle import (
    DEFAULT_SETTLE_SECONDS,
    AbsenceChecks,
    PendingChecks,
    Problem,
    Settle,
    Settled,
)
from contract.harness.lifecycle._signals import interrupt_on_termination, signals_deferred

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "NOT_RUN_PROPERTY",
    "NOT_STARTED",
    "PROFILES",
    "UNSTABLE_PROPERTY",
    "AbsenceChecks",
    "Background",
    "Budget",
    "BudgetSpent",
    "CannotRun",
    "ExampleMemory",
    "Halted",
    "PendingChecks",
    "Problem",
    "Progress",
    "Settle",
    "Settled",
    "UnstableTarget",
    "cannot_run",
    "cleanup_reserve",
    "current_test",
    "decode_example",
    "encode_example",
    "example_key",
    "format_duration",
    "give_up",
    "in_background",
    "interrupt_on_termination",
    "key_name",
    "met_unstable_target",
    "parse_duration",
    "plain_nodeid",
    "publish_run_seed",
    "raising_unstable",
    "register_profiles",
    "rejecting_examples",
    "remember_examples",
    "run_seed",
    "set_current_test",
    "signals_deferred",
    "stopped_by_budget",
    "unstable_when_cut_short",
]
