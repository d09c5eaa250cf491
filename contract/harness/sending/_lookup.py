"""Find the run's users by exact email or prefix, and its service accounts and groups by prefix,
without trusting the server's search.

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

__all__ = ["PAGE_SIZE", "named_where", "named_with_prefix", "users_where", "users_with_email", "users_with_prefix"]

PAGE_SIZE = 100
#: 100 000 users: a bound, so a server that pages forever cannot hold the run.
_MAX_PAGES = 1000

Summary = dict[str, Any]


def _username(user: Summary) -> str:
    return str(user.get("username") or user.get("email") or "")


def users_where(api: Api, predicate: Callable[[str], bool], q: str | None = None) -> dict[str, Summary]:
    """Every user (by id) whose username satisfies `predicate`, over every page of listUsers (`q` if given)."""
    return _search(api, "listUsers", {}, _username, predicate, q)


def named_where(
    api: Api, operation: str, path: dict[str, str], predicate: Callable[[str], bool], q: str | None = None
) -> dict[str, Summary]:
    """Every object (by id) whose `name` satisfies `predicate`, over every page of a paged search
    (`listServiceAccounts`, `searchGroups`), with `q` if given.
    """
    return _search(api, operation, path, lambda item: str(item.get("name") or ""), predicate, q)


def _search(
    api: Api,
    operation: str,
    path: dict[str, str],
    name_of: Callable[[Summary], str],
    predicate: Callable[[str], bool],
    q: str | None,
) -> dict[str, Summary]:
    found: dict[str, Summary] = {}
    for page in range(1, _MAX_PAGES + 1):
        params: dict[str, Any] = {"page": page, "size": PAGE_SIZE}
        if q is not None:
            params["q"] = q
        exchange = api.call(operation, path, params=params)
        expect_status(exchange, 200, f"{operation}, looking for the run's objects")
        try:
            listing = exchange.json()
        except ValueError:
            raise ContractViolation(f"{operation} answers JSON", exchange) from None
        results = listing.get("results") if isinstance(listing, dict) else None
        if not isinstance(results, list):
            raise ContractViolation(f"{operation} answers an object with `results`", exchange)
        for item in results:
            if isinstance(item, dict) and isinstance(item.get("id"), str) and predicate(name_of(item)):
                found[item["id"]] = item
        total = listing.get("total")
        if not results or len(results) < PAGE_SIZE or (isinstance(total, int) and page * PAGE_SIZE >= total):
            break
    return found


def users_with_email(api: Api, email: str, prefix: str) -> list[str]:
    """Ids of the users whose username is `email` (without case) and starts with `prefix` (with case):
    `q` verified, else every page. A username that differs from a run's email only in case is
    someone else's on a server that tells them apart: it is never the run's.
    """
    folded = email.casefold()

    def exact(name: str) -> bool:
        return name.casefold() == folded and name.startswith(prefix)

    found = users_where(api, exact, q=email)
    return sorted(found or users_where(api, exact))


def users_with_prefix(api: Api, prefix: str) -> dict[str, str]:
    """Username by id of every user whose username starts with `prefix` (as written): `q` and every page, merged."""

    def prefixed(name: str) -> bool:
        return name.startswith(prefix)

    found = users_where(api, prefixed, q=prefix)
    found.update(users_where(api, prefixed))
    return {user_id: _username(user) for user_id, user in found.items()}


def named_with_prefix(api: Api, operation: str, path: dict[str, str], prefix: str) -> dict[str, str]:
    """Name by id of every object a paged search lists whose name starts with `prefix`: `q` and every page."""

    def prefixed(name: str) -> bool:
        return name.startswith(prefix)

    found = named_where(api, operation, path, prefixed, q=prefix)
    found.update(named_where(api, operation, path, prefixed))
    return {object_id: str(item.get("name")) for object_id, item in found.items()}
