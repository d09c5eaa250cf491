"""What a request created, read from the server's confirmation, so the ledger holds it at once.

Api.call records every confirmed creation itself, whoever sent the request (a fuzzer,
a state machine, the SDK or the arranger), before anything else can fail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from contract.harness.records._ledger import Entry, Kind

__all__ = [
    "CREATING_OPERATIONS",
    "UNRESOLVED_PREFIX",
    "MissingId",
    "created_entries",
    "is_unresolved",
    "unresolved_user",
]

#: The ledger id of a user the server confirmed but that no listing showed yet: found by email at cleanup.
UNRESOLVED_PREFIX = "by-email:"

#: operation -> the kind of object it creates.
CREATING_OPERATIONS: dict[str, Kind] = {
    "createUser": "user",
    "createApiTokensForUser_1": "token",
    "createApiTokensForUser": "token",
    "createApiTokensForUserWithTenant": "token",
    "createApiTokenForCurrentUser": "token",
    "createServiceAccount": "service_account",
    "createServiceAccountForTenant": "service_account",
    "createGroup": "group",
}

_TOKEN_OWNERS = {
    "createApiTokensForUser_1": "user",
    "createApiTokensForUser": "service_account",
    "createApiTokensForUserWithTenant": "service_account",
    # Contract 2: a token of the identity the suite runs as (POST /api/v1/me/api-tokens).
    "createApiTokenForCurrentUser": "self",
}


class MissingId(ValueError):
    """The server confirmed a creation without saying what it created."""


def unresolved_user(email: str) -> Entry:
    """A user the run created whose id is not known: cleanup looks it up by exact email."""
    return Entry("user", f"{UNRESOLVED_PREFIX}{email}", label=email)


def is_unresolved(entry: Entry) -> bool:
    return entry.kind == "user" and entry.id.startswith(UNRESOLVED_PREFIX)


def created_entries(
    operation_id: str,
    path: Mapping[str, str],
    body: Any,
    payload: Any,
    find_user_ids: Callable[[str], list[str]],
) -> list[Entry]:
    """The ledger entries for a confirmed creation: one, or for a user found by email, each match.

    `payload` is the response's JSON (None if empty); `find_user_ids` looks users up by
    exact email for servers whose createUser answers with an empty body. Several matches
    (a duplicate the server wrongly allowed) are all the run's; none gives an unresolved
    entry, so that the creation is never lost.
    """
    kind = CREATING_OPERATIONS[operation_id]
    sent: dict[str, Any] = body if isinstance(body, dict) else {}
    answered: dict[str, Any] = payload if isinstance(payload, dict) else {}
    new_id = answered.get("id")
    label_field = "email" if kind == "user" else "name"
    label = str(sent.get(label_field) or answered.get(label_field) or "")
    if kind == "user" and not isinstance(new_id, str):
        if not label:
            raise MissingId("createUser answered without an id, and the request named no email to find it by")
        ids = find_user_ids(label)
        return [Entry("user", i, tenant=path.get("tenant"), label=label) for i in ids] or [unresolved_user(label)]
    if not isinstance(new_id, str) or not new_id:
        raise MissingId(f"{operation_id} answered success without the new object's id")
    if kind == "token":
        return [Entry("token", new_id, parent=path.get("id"), parent_kind=_TOKEN_OWNERS[operation_id], label=label)]
    return [Entry(kind, new_id, tenant=path.get("tenant"), label=label)]
