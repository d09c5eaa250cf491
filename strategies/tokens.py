"""API token requests: names at the edges of their pattern, ISO-8601 durations."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from strategies.naming import RunNames

__all__ = [
    "SHORT_MAX_AGE_SECONDS",
    "create_token_requests",
    "durations",
    "invalid_durations",
    "invalid_token_names",
    "lasting_durations",
    "lasting_token_requests",
    "short_durations",
    "token_descriptions",
    "token_names",
    "usable_token_requests",
]

NAME_MAX = 63


@st.composite
def token_names(draw: st.DrawFn, names: RunNames) -> str:
    """`^(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$`, with the run prefix, often at 63 characters."""
    stem = names.unique()
    room = NAME_MAX - len(stem) - 1
    tail = draw(
        st.one_of(
            st.just(""),
            st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
            st.just("z" * room) if room > 0 else st.just(""),
        )
    )
    name = f"{stem}-{tail}" if tail else stem
    return name[:NAME_MAX].rstrip("-")


#: Outside the name pattern: uppercase, spaces, leading or doubled dashes, too long, empty.
invalid_token_names = st.one_of(
    st.sampled_from(["", "-lead", "trail-", "dou--ble", "Upper", "with space", "under_score", "é", "a" * 64]),
    st.text(min_size=1, max_size=10).filter(lambda s: any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in s)),
)

_N = st.integers(1, 400)


@st.composite
def durations(draw: st.DrawFn) -> str:
    """Java `Duration.parse` durations without years, months or weeks: `P1D`, `PT12H`, `P1DT12H`, `PT90M`."""
    days = draw(st.none() | _N)
    hours, minutes, seconds = (draw(st.none() | _N) for _ in range(3))
    if not any((days, hours, minutes, seconds)):
        hours = draw(_N)
    time_part = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if v)
    return "P" + (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")


#: Not a duration at all (docs/contract-semantics.md: `abc`, `1h`, `10`).
invalid_durations = st.sampled_from(["abc", "1h", "10", "P", "PT", "T1H", "P1H", "PT1D", "1D", "P-", "PTH"])


@st.composite
def create_token_requests(draw: st.DrawFn, names: RunNames) -> dict[str, Any]:
    """A valid `CreateApiTokenRequest`; maxAge empty (never expires) or a real duration."""
    return {
        "name": draw(token_names(names)),
        "description": draw(token_descriptions),
        "maxAge": draw(st.one_of(st.just(""), durations())),
        "extended": draw(st.booleans()),
    }


_DURATION_MAX = 9999


def lasting_durations(min_seconds: int = 3600) -> st.SearchStrategy[str]:
    """Durations of at least `min_seconds` (`P2D`, `PT3H30M`, `PT120M`, `PT3600S`): a token stays usable for a run."""
    days = st.integers(max(1, -(-min_seconds // 86400)), 400)
    time_part = st.one_of(st.just(""), st.integers(1, 23).map(lambda h: f"T{h}H"))
    options = [
        st.builds(lambda d, t: f"P{d}D{t}", days, time_part),
        st.builds(
            lambda h, m: f"PT{h}H" + (f"{m}M" if m else ""),
            st.integers(max(1, -(-min_seconds // 3600)), _DURATION_MAX),
            st.none() | st.integers(1, 59),
        ),
    ]
    if -(-min_seconds // 60) <= _DURATION_MAX:
        options.append(st.integers(max(1, -(-min_seconds // 60)), _DURATION_MAX).map(lambda m: f"PT{m}M"))
    if min_seconds <= _DURATION_MAX:
        options.append(st.integers(max(1, min_seconds), _DURATION_MAX).map(lambda s: f"PT{s}S"))
    return st.one_of(options)


_WORD = st.text(st.characters(categories=["L", "N", "P"], max_codepoint=0xFFFF), min_size=1, max_size=12)

#: Realistic descriptions: unicode words of the Basic Multilingual Plane (as names: some databases
#: refuse the rest), no control characters, no outer spaces.
token_descriptions = st.lists(_WORD, max_size=4).map(" ".join)


#: The longest a token the suite keeps beyond one step may live: a run killed before its cleanup
#: leaves no lasting credential (contract-semantics.md, "Tokens outlive runs").
SHORT_MAX_AGE_SECONDS = 2 * 3600


def short_durations(min_seconds: int = 3600) -> st.SearchStrategy[str]:
    """Durations from `min_seconds` (an hour: a token stays usable for a run) to two hours, in every form
    Java reads: `PT2H`, `PT1H30M`, `PT95M`, `PT5400S`.
    """
    low, high = min_seconds, SHORT_MAX_AGE_SECONDS
    options = [st.integers(-(-low // 60), high // 60).map(lambda m: f"PT{m}M")]
    options.append(st.integers(low, high).map(lambda s: f"PT{s}S"))
    options.append(st.integers(-(-low // 3600), high // 3600).map(lambda h: f"PT{h}H"))
    mixed = st.tuples(st.integers(1, high // 3600), st.integers(1, 59)).filter(
        lambda hm: low <= hm[0] * 3600 + hm[1] * 60 <= high
    )
    options.append(mixed.map(lambda hm: f"PT{hm[0]}H{hm[1]}M"))
    return st.one_of(options)


@st.composite
def usable_token_requests(draw: st.DrawFn, names: RunNames, min_seconds: int = 3600) -> dict[str, Any]:
    """A valid `CreateApiTokenRequest` whose token works for at least `min_seconds` and at most two hours:
    one a state machine may keep from step to step.
    """
    return {
        "name": draw(token_names(names)),
        "description": draw(token_descriptions),
        "maxAge": draw(short_durations(min_seconds)),
        "extended": draw(st.booleans()),
    }


@st.composite
def lasting_token_requests(draw: st.DrawFn, names: RunNames) -> dict[str, Any]:
    """A valid `CreateApiTokenRequest` for a token that never expires or outlives any run (up to 400 days):
    a lasting credential, which whoever creates it deletes at once, in the same step.
    """
    return {
        "name": draw(token_names(names)),
        "description": draw(token_descriptions),
        "maxAge": draw(st.one_of(st.just(""), lasting_durations(SHORT_MAX_AGE_SECONDS + 1))),
        "extended": draw(st.booleans()),
    }
