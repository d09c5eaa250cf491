"""How requests go out and are guarded: where the target is and as whom (`Target`,
`Credentials`), the one HTTP path (`Api`), the `SafetyGuard` and the login book that
refuse what must never be sent, retries that tell the API's answers from the
infrastructure's, what a change whose answer was lost did (`_resolve`), the lookups of
the run's users, the secrets to mask, the watch on the suite's own identity, what the
server announces about itself (configs), and the one place HTTP clients are made from
the run's network settings (`Network`).
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
from contract.harness.sending._lookup import (
    PAGE_SIZE,
    named_where,
    named_with_prefix,
    users_where,
    users_with_email,
    users_with_prefix,
)
from contract.harness.sending._network import DEFAULT_TIMEOUT, Network, parse_header
from contract.harness.sending._passwords import (
    OwnToken,
    PasswordSession,
    delete_own_token,
    login_succeeded,
    mint_own_token,
    own_token_name,
    passwords_by_login,
    search_query,
)
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
from contract.harness.sending._version import (
    CONTRACT_CHOICES,
    Connection,
    ContractChoice,
    ServerVersion,
    choose_contract,
    connect,
    parse_contract_option,
    read_server_version,
)

__all__ = [
    "ANONYMOUS",
    "CONFIGS_PATH",
    "CONTRACT_CHOICES",
    "DEFAULT_BUDGET",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
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
    "Connection",
    "ContractChoice",
    "Credentials",
    "IdentityLost",
    "IdentityWatch",
    "LoginBook",
    "Network",
    "OutcomeUnknown",
    "OwnToken",
    "PasswordSession",
    "RetryPolicy",
    "SafetyGuard",
    "SecretBook",
    "ServerVersion",
    "Target",
    "TargetError",
    "Unreadable",
    "UnsafeRequest",
    "Verdict",
    "Write",
    "announced_password_policy",
    "basic_login",
    "check_base_url",
    "choose_contract",
    "connect",
    "delete_own_token",
    "identity_refused",
    "infrastructure_reason",
    "is_missing_id",
    "login_succeeded",
    "lost_identity_message",
    "mint_own_token",
    "missing_id",
    "mutates",
    "named_where",
    "named_with_prefix",
    "not_processed",
    "own_token_name",
    "parse_contract_option",
    "parse_header",
    "passwords_by_login",
    "preflight",
    "read_server_version",
    "resolving",
    "retry_after_seconds",
    "search_query",
    "send_with_retries",
    "sweep_hint",
    "users_where",
    "users_with_email",
    "users_with_prefix",
    "write_of",
]
