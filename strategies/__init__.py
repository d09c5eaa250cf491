"""Hypothesis strategies for realistic Users API data.

Valid data here passes every business rule of specs/policy.yaml (so success paths are
reached); the `invalid_*` and `weak_*` strategies are for what a server must refuse.
"""

from strategies.naming import EMAIL_DOMAIN, RUN_ID_PATTERN, RUN_PREFIX_ROOT, RunNames, new_run_id, run_started_at
from strategies.people import (
    PASSWORD_SPECIALS,
    create_user_requests,
    email_locals,
    emails,
    long_emails,
    passwords,
    person_names,
    user_emails,
    weak_passwords,
)
from strategies.tokens import (
    SHORT_MAX_AGE_SECONDS,
    create_token_requests,
    durations,
    invalid_durations,
    invalid_token_names,
    lasting_durations,
    lasting_token_requests,
    short_durations,
    token_descriptions,
    token_names,
    usable_token_requests,
)

__all__ = [
    "EMAIL_DOMAIN",
    "PASSWORD_SPECIALS",
    "RUN_ID_PATTERN",
    "RUN_PREFIX_ROOT",
    "SHORT_MAX_AGE_SECONDS",
    "RunNames",
    "create_token_requests",
    "create_user_requests",
    "durations",
    "email_locals",
    "emails",
    "invalid_durations",
    "invalid_token_names",
    "lasting_durations",
    "lasting_token_requests",
    "long_emails",
    "new_run_id",
    "passwords",
    "person_names",
    "run_started_at",
    "short_durations",
    "token_descriptions",
    "token_names",
    "usable_token_requests",
    "user_emails",
    "weak_passwords",
]
