"""Which password policy is in force, when the server says so.

Kestra shows `passwordRegexp` in `GET /api/v1/configs` where a deployment sets one; a
404, an answer without the field, or a regexp Python cannot read all mean "not known",
and the suite then assumes only what every policy Kestra ships has in common.
"""

from __future__ import annotations

import re

from contract.harness.sending._api import Api

__all__ = ["CONFIGS_PATH", "announced_password_policy"]

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
    regexp = payload.get("passwordRegexp") if isinstance(payload, dict) else None
    if not isinstance(regexp, str) or not regexp:
        return None
    try:
        return re.compile(regexp)
    except re.error:
        return None
