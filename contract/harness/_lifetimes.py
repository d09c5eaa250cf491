"""How long the tokens the run makes may live: a run killed before cleanup leaves no lasting credential."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["OWN_TOKEN_MAX_AGE", "short_lived"]

#: The maxAge of every token the suite makes for its own use.
OWN_TOKEN_MAX_AGE = "PT2H"
_LONGEST_SECONDS = 2 * 3600
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


def _seconds(duration: str) -> int | None:
    match = _DURATION.fullmatch(duration)
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def short_lived(body: Any) -> bool:
    """Whether a token request asks for a token that expires within two hours."""
    max_age = body.get("maxAge") if isinstance(body, dict) else None
    seconds = _seconds(max_age) if isinstance(max_age, str) else None
    return seconds is not None and seconds <= _LONGEST_SECONDS
