"""Business rules for data, as docs/contract-semantics.md states them."""

from __future__ import annotations

import re

from reference_server._config import ServerConfig
from reference_server._errors import ApiError
from reference_server._password_policy import POLICIES
from specs import policy

__all__ = ["check_email", "check_name", "check_password", "parse_duration"]

#: Java's Duration.parse (case-insensitive, signs, a fraction of seconds); years, months and weeks are refused.
_DURATION = re.compile(
    r"^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$",
    re.IGNORECASE,
)


def check_email(email: str) -> None:
    local, at, domain = email.partition("@")
    well_formed = (
        at == "@"
        and local
        and "@" not in domain
        and "." in domain.strip(".")
        and not any(ch.isspace() for ch in email)
        and len(email) <= policy().email_max_length
    )
    if not well_formed:
        raise ApiError(422, "Invalid email")


def check_password(password: str, config: ServerConfig | None = None) -> None:
    """The server's own minimum (422), then the deployment's password policy if `config` has one."""
    rules = policy()
    strong = (
        rules.password_min_length <= len(password) <= rules.password_max_length
        and any(ch.isalpha() for ch in password)
        and any(ch.isdigit() for ch in password)
    )
    if not strong:
        raise ApiError(422, "Password must be 8 to 64 characters with letters and digits")
    deployed = POLICIES[config.password_policy] if config is not None else None
    if config is not None and deployed is not None and not deployed.allows(password):
        raise ApiError(config.invalid_input_status, deployed.message)


def check_name(value: str, field: str) -> None:
    if len(value) > policy().name_max_length:
        raise ApiError(422, f"{field} is too long")


def parse_duration(text: str | None) -> float | None:
    """Seconds of a duration as Java's Duration.parse reads it; None for no expiry."""
    if not text:
        return None
    match = _DURATION.match(text)
    if not match:
        raise ApiError(422, f"Invalid duration: {text}")
    sign, days, time_part, hours, minutes, seconds, fraction = match.groups()
    if not any((days, hours, minutes, seconds)) or (time_part is not None and time_part.upper() == "T"):
        raise ApiError(422, f"Invalid duration: {text}")
    whole = float(seconds or 0)
    if fraction:
        whole += (-1 if whole < 0 or (seconds or "").startswith("-") else 1) * float(f"0.{fraction}")
    total = float(days or 0) * 86400 + float(hours or 0) * 3600 + float(minutes or 0) * 60 + whole
    return -total if sign == "-" else total
