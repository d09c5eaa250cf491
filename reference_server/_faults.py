"""Deliberate defects the reference server can switch on, to prove the suite catches them.

Each is the kind of bug a real server ships, and each breaks a rule of
../shared/contract-semantics.md or the documented schemas, so a suite that knows
nothing of this server can still notice it. The self-tests in tests/ run the suite
against the server with each one and assert that it fails in a test of the area
named here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["AREAS", "FAULTS", "Area", "Fault", "validate_faults"]

#: The parts of the suite, by pytest marker.
Area = Literal["fuzz", "stateful", "sdk", "regressions"]
AREAS: tuple[Area, ...] = ("fuzz", "stateful", "sdk", "regressions")


@dataclass(frozen=True)
class Fault:
    """One defect: what it breaks, and which part of the suite should notice."""

    category: str
    description: str
    #: Suite areas expected to catch it (pytest markers), the likeliest first.
    areas: tuple[Area, ...]
    #: An optional pytest -k expression that narrows the run to relevant tests.
    keyword: str = ""

    @property
    def marker_expression(self) -> str:
        return " or ".join(self.areas)


def _fault(category: str, description: str, *areas: Area, keyword: str = "") -> Fault:
    return Fault(category, description, areas, keyword)


FAULTS: dict[str, Fault] = {
    # -- response shapes -----------------------------------------------------------
    "user-missing-displayname": _fault(
        "shape", "ApiUser bodies (getUser, updateUser, patchUser) lack the required displayName", "fuzz", "stateful"
    ),
    "summary-superadmin-string": _fault(
        "shape", 'listUsers summaries carry superAdmin as the string "true"/"false"', "fuzz", "stateful"
    ),
    "null-tenants-list": _fault(
        "shape", "listUsers summaries of superadmins carry tenants: null (they 'have every tenant')", "fuzz"
    ),
    "null-groups-list": _fault("shape", "getUser answers groups: null for a user in no group", "fuzz", "stateful"),
    "autocomplete-object-not-array": _fault(
        "shape", "autocompleteUsers wraps its array in {results: [...]}", "fuzz", "stateful"
    ),
    # -- status codes ----------------------------------------------------------------
    "create-user-200": _fault("status", "createUser answers 200 instead of 201", "fuzz", "stateful"),
    "delete-user-200": _fault("status", "deleteUser answers 200 with {} instead of 204", "fuzz", "stateful"),
    "delete-token-200": _fault("status", "deleteApiToken_1 answers 200 with {} instead of 204", "fuzz", "stateful"),
    "unknown-user-token-list-200": _fault(
        "status", "listApiTokens_1 answers 200 with no results for a user id that does not exist", "stateful", "fuzz"
    ),
    # -- content types -------------------------------------------------------------
    "wrong-content-type": _fault("content-type", "listUsers answers JSON labelled text/plain", "fuzz"),
    "error-body-html": _fault("content-type", "404 answers are an HTML error page (text/html)", "fuzz"),
    # -- validation ------------------------------------------------------------------
    "malformed-json-accepted": _fault(
        "validation", "a body that is not JSON is read as {} (autocompleteUsers then answers 200)", "fuzz", "stateful"
    ),
    "wrong-type-accepted": _fault(
        "validation", 'boolean fields accept strings ("false" is stored as is, and is truthy)', "fuzz", "stateful"
    ),
    "bad-token-name-accepted": _fault(
        "validation", "token and service-account names outside their pattern are accepted", "fuzz", "stateful"
    ),
    "bad-duration-accepted": _fault(
        "validation", "a maxAge that is not a duration is accepted as 'never expires'", "fuzz", "stateful"
    ),
    "duplicate-email-accepted": _fault(
        "validation", "createUser does not check that the email is free: a second user appears", "stateful"
    ),
    # -- 5xx on edge inputs ----------------------------------------------------------
    "page-zero-500": _fault("5xx", "listUsers with page=0 (or below) answers 500 instead of 400", "fuzz"),
    "huge-page-500": _fault("5xx", "listUsers computes the offset in 32 bits: a huge page answers 500", "fuzz"),
    "unicode-name-500": _fault(
        "5xx", "names are stored in a latin-1 column: '山田' or 'Łukasz' answers 500", "fuzz", "stateful"
    ),
    "unknown-auth-500": _fault(
        "5xx", "deleteUserAuthMethod looks the auth method up first and answers 500 when it is unknown", "fuzz"
    ),
    # -- persistence -----------------------------------------------------------------
    "patch-user-not-saved": _fault(
        "persistence", "patchUser answers the new values but does not save them", "stateful"
    ),
    "update-user-not-saved": _fault(
        "persistence", "updateUser answers the new values but does not save them", "stateful"
    ),
    "restricted-flag-not-saved": _fault(
        "persistence", "patchUserDemo answers 200 but restricted does not change", "stateful"
    ),
    "group-change-not-saved": _fault(
        "persistence", "updateUserGroups answers 204 but the user's groups do not change", "stateful"
    ),
    # -- deletion ----------------------------------------------------------------------
    "deleted-user-still-listed": _fault(
        "deletion", "deleted users stay in listUsers (the soft-delete flag is not filtered)", "stateful"
    ),
    "sa-token-delete-ignored": _fault(
        "deletion", "deleteApiToken (service account) answers 200 but the token stays, listed and valid", "stateful"
    ),
    # -- listing -----------------------------------------------------------------------
    "list-total-wrong": _fault("listing", "listUsers total is the size of the page, not of all matches", "stateful"),
    "list-pages-overlap": _fault(
        "listing", "listUsers pages after the first start one user early (off by one)", "stateful"
    ),
    "q-filter-ignored": _fault("listing", "listUsers ignores q", "stateful"),
    # -- authentication --------------------------------------------------------------
    "skip-auth-get-user": _fault(
        "authentication",
        "getUser is left out of the secured routes: it answers without credentials",
        "fuzz",
        "stateful",
    ),
    "old-password-still-valid": _fault(
        "authentication", "after patchUserPassword the old password still logs in", "stateful"
    ),
    "deleted-token-still-valid": _fault(
        "authentication", "bearer logins are cached and deleting a token does not evict it", "stateful"
    ),
    "deleted-user-still-logs-in": _fault(
        "authentication", "basic logins are cached and deleting a user does not evict them", "stateful"
    ),
    "wrong-old-password-accepted": _fault(
        "authentication", "PUT /api/v1/me/password does not check oldPassword", "stateful"
    ),
    # -- authorization ---------------------------------------------------------------
    "non-superadmin-allowed": _fault(
        "authorization", "GET operations only check authentication: any user may read them", "stateful"
    ),
    "demoted-keeps-power": _fault(
        "authorization", "superadmins are cached on first use: a demoted user keeps its power", "stateful"
    ),
    "cross-user-token-delete": _fault(
        "authorization", "deleteApiToken_1 finds the token among all users, not only the one in the path", "stateful"
    ),
    # -- secrets -------------------------------------------------------------------------
    "token-list-leaks-fulltoken": _fault(
        "secrets", "listApiTokens_1 summaries include each token's fullToken", "stateful", "fuzz"
    ),
    "password-in-response": _fault(
        "secrets", "updateUser merges the request into its answer, password included", "stateful", "fuzz"
    ),
    # -- service accounts and tenants ------------------------------------------------
    "sa-tenant-check-missing": _fault(
        "tenants",
        "tenant-scoped service-account token operations ignore the tenant (unknown or not the account's)",
        "stateful",
        "fuzz",
    ),
    "unknown-tenant-accepted": _fault(
        "tenants", "autocompleteUsers answers 200 [] for a tenant that does not exist", "stateful", "fuzz"
    ),
}


def validate_faults(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
