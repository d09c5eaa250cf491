"""How requests go out and are guarded: where the target is and as whom (`Target`,
`Credentials`), the one HTTP path (`Api`), the `SafetyGuard` and the login book that
refuse what must never be sent, retries that tell the API's answers from the
infrastructure's, what a change whose answer was lost did (`_resolve`), the lookups of
the run's users, the secrets to mask, the watch on the suite's own identity, and what
the server announces about itself (configs).
"""

from contract.harness.sending._api import (
    ANONYMOUS,
    MISSING_PREFIX,
    READ_OPERATIONS,
    Api,
    SafetyGuard,
    UnsafeRequest,
    missing_id,
)
from contract.harness.sending._configs import CONFIGS_PATH, announced_password_policy
from contract.harness.sending._guard import EMAIL_OF_NO_ONE, is_missing_id, mutates
from contract.harness.sending._identity import (
    IdentityLost,
    IdentityWatch,
    identity_refused,
    lost_identity_message,
    sweep_hint,
)
from contract.harness.sending._logins import DEFAULT_BUDGET, DEFAULT_WINDOW, LoginBook, basic_login
from contract.harness.sending._lookup import PAGE_SIZE, users_where, users_with_email, users_with_prefix
from contract.harness.sending._resolve import (
    IDEMPOTENT,
    RESOLVERS,
    OutcomeUnknown,
    Unreadable,
    Verdict,
    Write,
    resolving,
    write_of,
)
from contract.harness.sending._retry import (
    DEFAULT_RETRY,
    Answer,
    RetryPolicy,
    infrastructure_reason,
    not_processed,
    retry_after_seconds,
    send_with_retries,
)
from contract.harness.sending._secrets import MIN_SECRET_LENGTH, SecretBook
from contract.harness.sending._target import Credentials, Target, TargetError, check_base_url, preflight

__all__ = [
    "ANONYMOUS",
    "CONFIGS_PATH",
    "DEFAULT_BUDGET",
    "DEFAULT_RETRY",
    "DEFAULT_WINDOW",
    "EMAIL_OF_NO_ONE",
    "IDEMPOTENT",
    "MIN_SECRET_LENGTH",
    "MISSING_PREFIX",
    "PAGE_SIZE",
    "READ_OPERATIONS",
    "RESOLVERS",
    "Answer",
    "Api",
    "Credentials",
    "IdentityLost",
    "IdentityWatch",
    "LoginBook",
    "OutcomeUnknown",
    "RetryPolicy",
    "SafetyGuard",
    "SecretBook",
    "Target",
    "TargetError",
    "Unreadable",
    "UnsafeRequest",
    "Verdict",
    "Write",
    "announced_password_policy",
    "basic_login",
    "check_base_url",
    "identity_refused",
    "infrastructure_reason",
    "is_missing_id",
    "lost_identity_message",
    "missing_id",
    "mutates",
    "not_processed",
    "preflight",
    "resolving",
    "retry_after_seconds",
    "send_with_retries",
    "sweep_hint",
    "users_where",
    "users_with_email",
    "users_with_prefix",
    "write_of",
]
