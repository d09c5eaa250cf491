"""Business rules for data, as contract-semantics.md states them."""

from __future__ import annotations

import re

from reference_server._config import ServerConfig
from reference_server._errors import ApiError
from reference_server._password_policy import POLICIES
from specs import policy

__all__ = ["check_email", "check_name", "check_password", "parse_duration"]

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


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
    """Seconds of a Java-style ISO-8601 duration; None for no expiry."""
    if not text:
        return None
    match = _DURATION.match(text)
    if not match or not any(match.groups()) or text.endswith("T"):
        raise ApiError(422, f"Invalid duration: {text}")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds
