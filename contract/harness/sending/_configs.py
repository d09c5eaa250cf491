"""Which password policy is in force, when the server says so.

Kestra 1.x shows `passwordRegexp` in `GET /api/v1/configs` where a deployment sets one;
Kestra 2.x shows structured rules as `passwordConfiguration` (minimum length, digits,
lower- and upper-case letters, and whether one of the allowed special characters is
required), which read as the same kind of regexp. A 404, an answer without either, or
rules Python cannot read all mean "not known", and the suite then assumes only what
every policy Kestra ships has in common.
"""

from __future__ import annotations

import re
from typing import Any

from contract.harness.sending._api import Api

__all__ = ["CONFIGS_PATH", "announced_password_policy", "password_configuration_regexp"]

CONFIGS_PATH = "/api/v1/configs"


def announced_password_policy(api: Api) -> re.Pattern[str] | None:
    """The regexp new passwords must match (whole, as Java's `String.matches`), or None if not announced."""
    request = api.client.build_request("GET", CONFIGS_PATH, headers=api.target.headers)
    response = api.send("getConfigs", request, safe=True)  # outside the contract: not recorded
    if response.status_code != 200:
        return None
    try:
        payload = response.json()
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    regexp = payload.get("passwordRegexp")
    if not isinstance(regexp, str) or not regexp:
        regexp = password_configuration_regexp(payload.get("passwordConfiguration"))
    if not regexp:
        return None
    try:
        return re.compile(regexp)
    except re.error:
        return None


def password_configuration_regexp(rules: Any) -> str | None:
    """Kestra 2.x's `passwordConfiguration` as one regexp of lookaheads; None when it says nothing readable."""
    if not isinstance(rules, dict):
        return None
    parts: list[str] = []

    def count(name: str) -> int:
        value = rules.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    if count("passwordMinLength"):
        parts.append(f"(?=.{{{count('passwordMinLength')},}})")
    for name, letters in (
        ("passwordMinDigits", "0-9"),
        ("passwordMinLowerCase", "a-z"),
        ("passwordMinUpperCase", "A-Z"),
    ):
        if count(name):
            parts.append(f"(?=(?:.*[{letters}]){{{count(name)}}})")
    special = rules.get("passwordAllowedSpecialCharacters")
    if rules.get("passwordRequireSpecial") is True and isinstance(special, str) and special:
        parts.append(f"(?=.*[{re.escape(special)}])")
    return "".join(parts) + ".*" if parts else None
