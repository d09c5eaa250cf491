"""The words an SDK check ends in, shared by the tests that record them and the matrix that reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pydantic

__all__ = ["PROPERTY", "Outcome", "Result", "mask_secrets", "short", "validation_summary", "worst"]

_SECRET_VALUE = re.compile(
    r"""(?P<key>['"]?(?:password|oldPassword|newPassword|fullToken|old_password|new_password|full_token)['"]?"""
    r"""\s*[:=]\s*)(?P<quote>['"])(?:(?!(?P=quote)).)*(?:(?P=quote)|$)""",
    re.IGNORECASE | re.MULTILINE,
)


def mask_secrets(text: str) -> str:
    """Replace password and token values in a message (JSON, repr or pydantic style) with ***.

    A value cut short (no closing quote) is masked to the end of its line.
    """
    return _SECRET_VALUE.sub(lambda m: f"{m['key']}{m['quote']}***{m['quote']}", text)


def short(value: Any) -> str:
    """A value for a message: masked whole, then cut (a cut would leave half a secret no pattern recognises)."""
    text = mask_secrets(repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


#: Fields whose values are secrets, as the API and the SDKs name them: never shown in a failure.
_SECRET_KEYS = frozenset(
    {"password", "oldPassword", "newPassword", "fullToken", "old_password", "new_password", "full_token"}
)


def hidden(value: Any, secret: bool = False) -> Any:
    """`value` with every string a secret field holds (however deep) replaced by ***."""
    if isinstance(value, dict):
        return {k: hidden(v, secret or str(k) in _SECRET_KEYS) for k, v in value.items()}
    if isinstance(value, list):
        return [hidden(v, secret) for v in value]
    return "***" if secret and isinstance(value, str) else value


def validation_summary(error: pydantic.ValidationError) -> str:
    """One line per problem, without pydantic's links: what, where, and the value it got.

    Never pydantic's own text: it cuts long inputs in the middle, leaving a token's tail without its key.
    """
    problems = [
        f"{'.'.join(str(p) for p in item['loc']) or '$'}: {item['msg']} "
        f"(got {short(hidden(item.get('input'), any(str(part) in _SECRET_KEYS for part in item['loc'])))})"
        for item in error.errors()[:3]
    ]
    more = f"; and {error.error_count() - 3} more" if error.error_count() > 3 else ""
    return f"{error.title}: " + "; ".join(problems) + more


class Outcome(StrEnum):
    WORKS = "works"
    MISSING = "missing"
    UNPARSED = "does not parse"
    ERROR = "error"
    NOT_RUN = "not run"


#: JUnit properties a check records, so that the matrix need not parse failure text.
PROPERTY = {
    "operation": "sdk_operation",
    "check": "sdk_check",
    "outcome": "sdk_outcome",
    "method": "sdk_method",
    "detail": "sdk_detail",
    "note": "sdk_note",
}

#: Which outcome a cell shows when an operation's checks disagree: the most telling one.
_SEVERITY = [Outcome.MISSING, Outcome.ERROR, Outcome.UNPARSED, Outcome.NOT_RUN, Outcome.WORKS]


def worst(outcomes: list[Outcome]) -> Outcome:
    return min(outcomes, key=_SEVERITY.index) if outcomes else Outcome.NOT_RUN


@dataclass
class Result:
    """How one check of one operation went."""

    outcome: Outcome
    detail: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.detail = mask_secrets(self.detail)
        self.notes = [mask_secrets(note) for note in self.notes]

    def describe(self, operation_id: str, sdk_label: str) -> str:
        text = f"{operation_id} with {sdk_label}: {self.outcome}"
        if self.detail:
            text += f"\n{self.detail}"
        return text
