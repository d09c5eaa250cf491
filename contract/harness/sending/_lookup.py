"""Find the run's users by exact email or prefix, without trusting the server's search.

A server whose `q` filter is broken (ignored, or wrong) must not make the run lose what
it created. So `q` only narrows a first look whose results are checked exactly; when
that finds nothing (an email), or always (a prefix), every page of the whole list is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract.harness.records import ContractViolation, expect_status

if TYPE_CHECKING:  # _api uses this module to find what a creation made
    from contract.harness.sending._api import Api

__all__ = ["PAGE_SIZE", "users_where", "users_with_email", "users_with_prefix"]

PAGE_SIZE = 100
#: 100 000 users: a bound, so a server that pages forever cannot hold the run.
_MAX_PAGES = 1000

Summary = dict[str, Any]


def _username(user: Summary) -> str:
    return str(user.get("username") or user.get("email") or "")


def users_where(api: Api, predicate: Callable[[str], bool], q: str | None = None) -> dict[str, Summary]:
    """Every user (by id) whose username satisfies `predicate`, over every page of listUsers (`q` if given)."""
    found: dict[str, Summary] = {}
    for page in range(1, _MAX_PAGES + 1):
        params: dict[str, Any] = {"page": page, "size": PAGE_SIZE}
        if q is not None:
            params["q"] = q
        exchange = expect_status(api.call("listUsers", params=params), 200, "listUsers, looking for the run's users")
        try:
            listing = exchange.json()
        except ValueError:
            raise ContractViolation("listUsers answers JSON", exchange) from None
        results = listing.get("results") if isinstance(listing, dict) else None
        if not isinstance(results, list):
            raise ContractViolation("listUsers answers an object with `results`", exchange)
        for user in results:
            if isinstance(user, dict) and isinstance(user.get("id"), str) and predicate(_username(user)):
                found[user["id"]] = user
        total = listing.get("total")
        if not results or len(results) < PAGE_SIZE or (isinstance(total, int) and page * PAGE_SIZE >= total):
            break
    return found


def users_with_email(api: Api, email: str) -> list[str]:
    """Ids of the users whose username is `email` (without case): `q` verified, else every page."""
    folded = email.casefold()

    def exact(name: str) -> bool:
        return name.casefold() == folded

    found = users_where(api, exact, q=email)
    return sorted(found or users_where(api, exact))


def users_with_prefix(api: Api, prefix: str) -> dict[str, str]:
    """Username by id of every user whose username starts with `prefix`: `q` and every page, merged."""
    folded = prefix.casefold()

    def prefixed(name: str) -> bool:
        return name.casefold().startswith(folded)

    found = users_where(api, prefixed, q=prefix)
    found.update(users_where(api, prefixed))
    return {user_id: _username(user) for user_id, user in found.items()}
