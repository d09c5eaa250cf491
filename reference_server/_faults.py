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
    #: A pytest -k expression for the tests of those areas that are relevant to it.
    keyword: str = ""

    @property
    def marker_expression(self) -> str:
        return " or ".join(self.areas)


def _fault(category: str, description: str, *areas: Area, keyword: str) -> Fault:
    return Fault(category, description, areas, keyword)


# -k building blocks: test names of the suite areas (schemathesis ids are "test_operation[GET /api/v1/users]";
# -k cannot spell braces, so "users/" stands for the paths under /api/v1/users/{id}).
_GET_USER = "test_operation[GET and users/ and not api-tokens"
_LIST_USERS = "test_operation[GET and /api/v1/users]"
_CREATE_USER = "test_operation[POST and /api/v1/users]"
_DELETE_USER = "test_operation[DELETE and users/ and not api-tokens and not auths and not refresh-token"
_USERS_MACHINE = "test_users_behave"
_TOKENS_MACHINE = "test_tokens_behave"
_ACCESS_MACHINE = "test_passwords_and_access"
_DELETED_USER = "test_a_deleted_user_is_gone"
_CHANGE_SAVED = "test_each_change_is_saved"


def _any(*keywords: str) -> str:
    return " or ".join(f"({k})" for k in keywords)


FAULTS: dict[str, Fault] = {
    # -- response shapes -----------------------------------------------------------
    "user-missing-displayname": _fault(
        "shape",
        "ApiUser bodies (getUser, updateUser, patchUser) lack the required displayName",
        "fuzz",
        "sdk",
        keyword=_any(_GET_USER, "test_sdk_call[getUser]"),
    ),
    "summary-superadmin-string": _fault(
        "shape",
        'listUsers summaries carry superAdmin as the string "true"/"false"',
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(_LIST_USERS, _USERS_MACHINE, "test_sdk_call[listUsers]"),
    ),
    "null-tenants-list": _fault(
        "shape",
        "listUsers summaries of superadmins carry tenants: null (they 'have every tenant')",
        "fuzz",
        keyword=_LIST_USERS,
    ),
    "null-groups-list": _fault(
        "shape",
        "getUser answers groups: null for a user in no group",
        "fuzz",
        "sdk",
        keyword=_any(_GET_USER, "test_sdk_call[getUser]"),
    ),
    "autocomplete-object-not-array": _fault(
        "shape",
        "autocompleteUsers wraps its array in {results: [...]}",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any("test_operation and autocomplete", _USERS_MACHINE, "test_sdk_call[autocompleteUsers]"),
    ),
    # -- status codes ----------------------------------------------------------------
    "create-user-200": _fault(
        "status",
        "createUser answers 200 instead of 201",
        "fuzz",
        "stateful",
        keyword=_any(_CREATE_USER, _USERS_MACHINE),
    ),
    "delete-user-200": _fault(
        "status",
        "deleteUser answers 200 with {} instead of 204",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(_DELETE_USER, _ACCESS_MACHINE, "test_sdk_call[deleteUser]"),
    ),
    "delete-token-200": _fault(
        "status",
        "deleteApiToken_1 answers 200 with {} instead of 204",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(
            "test_operation[DELETE and users/ and api-tokens", _TOKENS_MACHINE, "test_sdk_call[deleteApiToken_1]"
        ),
    ),
    "unknown-user-token-list-200": _fault(
        "status",
        "listApiTokens_1 answers 200 with no results for a user id that does not exist",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(
            "test_operation[GET and users/ and api-tokens", _TOKENS_MACHINE, "test_sdk_unknown_id[listApiTokens_1]"
        ),
    ),
    # -- content types -------------------------------------------------------------
    "wrong-content-type": _fault(
        "content-type",
        "listUsers answers JSON labelled text/plain",
        "fuzz",
        "sdk",
        keyword=_any(_LIST_USERS, "test_sdk_call[listUsers]"),
    ),
    "error-body-html": _fault(
        "content-type",
        "404 answers are an HTML error page (text/html)",
        "fuzz",
        keyword="test_operation[GET",
    ),
    # -- validation ------------------------------------------------------------------
    "malformed-json-accepted": _fault(
        "validation",
        "a body that is not JSON is read as {} (autocompleteUsers then answers 200)",
        "fuzz",
        keyword="test_malformed_json",
    ),
    "wrong-type-accepted": _fault(
        "validation",
        'boolean fields accept strings ("false" is stored as is, and is truthy)',
        "fuzz",
        keyword="test_a_field_of_the_wrong_type",
    ),
    "bad-token-name-accepted": _fault(
        "validation",
        "token and service-account names outside their pattern are accepted",
        "fuzz",
        keyword=_any("test_invalid_token_requests", "test_operation[POST and api-tokens"),
    ),
    "bad-duration-accepted": _fault(
        "validation",
        "a maxAge that is not a duration is accepted as 'never expires'",
        "fuzz",
        keyword=_any("test_invalid_token_requests", "test_operation[POST and api-tokens"),
    ),
    "duplicate-email-accepted": _fault(
        "validation",
        "createUser does not check that the email is free: a second user appears",
        "stateful",
        keyword=_USERS_MACHINE,
    ),
    # -- 5xx on edge inputs ----------------------------------------------------------
    "page-zero-500": _fault(
        "5xx",
        "listUsers with page=0 (or below) answers 500 instead of 400",
        "fuzz",
        keyword=_any("test_pages_below_one", _LIST_USERS),
    ),
    "huge-page-500": _fault(
        "5xx",
        "listUsers computes the offset in 32 bits: a huge page answers 500",
        "fuzz",
        keyword=_LIST_USERS,
    ),
    "unicode-name-500": _fault(
        "5xx",
        "names are stored in a latin-1 column: '山田' or 'Łukasz' answers 500",
        "fuzz",
        "stateful",
        keyword=_any(_CREATE_USER, _USERS_MACHINE, _ACCESS_MACHINE),
    ),
    "unknown-auth-500": _fault(
        "5xx",
        "deleteUserAuthMethod looks the auth method up first and answers 500 when it is unknown",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any("test_operation and auths/", _USERS_MACHINE, "test_sdk_unknown_id[deleteUserAuthMethod]"),
    ),
    # -- persistence -----------------------------------------------------------------
    "patch-user-not-saved": _fault(
        "persistence",
        "patchUser answers the new values but does not save them",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
    ),
    "update-user-not-saved": _fault(
        "persistence",
        "updateUser answers the new values but does not save them",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
    ),
    "restricted-flag-not-saved": _fault(
        "persistence",
        "patchUserDemo answers 200 but restricted does not change",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
    ),
    "group-change-not-saved": _fault(
        "persistence",
        "updateUserGroups answers 204 but the user's groups do not change",
        "stateful",
        keyword=_any(_USERS_MACHINE, "test_group_changes_are_saved"),
    ),
    # -- deletion ----------------------------------------------------------------------
    "deleted-user-still-listed": _fault(
        "deletion",
        "deleted users stay in listUsers (the soft-delete flag is not filtered)",
        "stateful",
        keyword=_any(_USERS_MACHINE, _DELETED_USER),
    ),
    "sa-token-delete-ignored": _fault(
        "deletion",
        "deleteApiToken (service account) answers 200 but the token stays, listed and valid",
        "stateful",
        "fuzz",
        keyword=_any(_TOKENS_MACHINE, "test_operation[DELETE and api-tokens"),
    ),
    # -- listing -----------------------------------------------------------------------
    "list-total-wrong": _fault(
        "listing",
        "listUsers total is the size of the page, not of all matches",
        "stateful",
        keyword=_USERS_MACHINE,
    ),
    "list-pages-overlap": _fault(
        "listing",
        "listUsers pages after the first start one user early (off by one)",
        "stateful",
        keyword=_USERS_MACHINE,
    ),
    "q-filter-ignored": _fault("listing", "listUsers ignores q", "stateful", keyword=_USERS_MACHINE),
    # -- authentication --------------------------------------------------------------
    "skip-auth-get-user": _fault(
        "authentication",
        "getUser is left out of the secured routes: it answers without credentials",
        "fuzz",
        "stateful",
        keyword=_any("test_requires_credentials[GET and users/ and not api-tokens", _ACCESS_MACHINE),
    ),
    "old-password-still-valid": _fault(
        "authentication",
        "after patchUserPassword the old password still logs in",
        "stateful",
        keyword=_ACCESS_MACHINE,
    ),
    "deleted-token-still-valid": _fault(
        "authentication",
        "bearer logins are cached and deleting a token does not evict it",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, _TOKENS_MACHINE),
    ),
    "deleted-user-still-logs-in": _fault(
        "authentication",
        "basic logins are cached and deleting a user does not evict them",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, _USERS_MACHINE, _DELETED_USER),
    ),
    "wrong-old-password-accepted": _fault(
        "authentication",
        "PUT /api/v1/me/password does not check oldPassword",
        "stateful",
        keyword=_ACCESS_MACHINE,
    ),
    # -- authorization ---------------------------------------------------------------
    "non-superadmin-allowed": _fault(
        "authorization",
        "GET operations only check authentication: any user may read them",
        "stateful",
        keyword=_ACCESS_MACHINE,
    ),
    "demoted-keeps-power": _fault(
        "authorization",
        "superadmins are cached on first use: a demoted user keeps its power",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, "test_demotion_takes_effect"),
    ),
    "cross-user-token-delete": _fault(
        "authorization",
        "deleteApiToken_1 finds the token among all users, not only the one in the path",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[DELETE and users/ and api-tokens", _TOKENS_MACHINE),
    ),
    # -- secrets -------------------------------------------------------------------------
    "token-list-leaks-fulltoken": _fault(
        "secrets",
        "token listings (users and service accounts) include each token's fullToken",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[GET and api-tokens", _TOKENS_MACHINE),
    ),
    "password-in-response": _fault(
        "secrets",
        "updateUser merges the request into its answer, password included",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[PUT and users/", _USERS_MACHINE),
    ),
    # -- service accounts and tenants ------------------------------------------------
    "sa-tenant-check-missing": _fault(
        "tenants",
        "tenant-scoped service-account token operations ignore the tenant (unknown or not the account's)",
        "fuzz",
        "stateful",
        keyword=_any("test_operation and service-accounts", _TOKENS_MACHINE),
    ),
    "unknown-tenant-accepted": _fault(
        "tenants",
        "autocompleteUsers answers 200 [] for a tenant that does not exist",
        "fuzz",
        keyword="test_operation and autocomplete",
    ),
}


def validate_faults(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
