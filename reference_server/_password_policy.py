"""The password policies Kestra ships, on top of the server's own minimum rules.

Kestra 1.x checks new passwords against `kestra.security.basic-auth.password-regexp`
(the default from 1.1.5 on is KESTRA_1_1_5 below); Kestra 2.x has structured rules,
which KESTRA_2's regexp states. GET /api/v1/configs shows the regexp in force as
`passwordRegexp`, as Kestra does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reference_server._config import PasswordPolicyName

__all__ = ["POLICIES", "PasswordPolicy"]


@dataclass(frozen=True)
class PasswordPolicy:
    regexp: str
    message: str
    #: How Kestra 2.x's GET /api/v1/configs states it (`passwordConfiguration`); 1.x states the regexp.
    configuration: dict[str, Any] = field(default_factory=dict)

    def allows(self, password: str) -> bool:
        """A whole-string match, as Java's `String.matches` does."""
        return re.fullmatch(self.regexp, password) is not None


KESTRA_1_1_5 = PasswordPolicy(
    regexp="(?=.{8,})(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9]).*",
    message="Your password must meet the criteria defined by the RegEx expression",
    configuration={
        "passwordMinLength": 8,
        "passwordRequireSpecial": False,
        "passwordMinDigits": 1,
        "passwordMinLowerCase": 1,
        "passwordMinUpperCase": 1,
    },
)
KESTRA_2 = PasswordPolicy(
    regexp="(?=.{8,})(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])(?=.*[!@#$%^&*]).*",
    message=(
        "Password must have at least 8 characters, a lower-case letter, an upper-case letter,"
        " a digit and one of !@#$%^&*"
    ),
    configuration={
        "passwordMinLength": 8,
        "passwordRequireSpecial": True,
        "passwordMinDigits": 1,
        "passwordMinLowerCase": 1,
        "passwordMinUpperCase": 1,
        "passwordAllowedSpecialCharacters": "!@#$%^&*",
    },
)

POLICIES: dict[PasswordPolicyName, PasswordPolicy | None] = {
    "none": None,
    "kestra-1.1.5": KESTRA_1_1_5,
    "kestra-2": KESTRA_2,
}
