"""Deliberate defects the reference server can switch on, to prove the suite catches them.

Each is the kind of bug a real server ships, and each breaks a rule of
docs/contract-semantics.md or the documented schemas, so a suite that knows
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
    #: The clause of specs/clauses.yaml it breaks.
    clause: str = ""
    #: The part of that clause it breaks (`C-USERS-19.2`), where the clause is stated in parts.
    part: str = ""

    @property
    def marker_expression(self) -> str:
        return " or ".join(self.areas)

    @property
    def part_id(self) -> str:
        """The id of the part it breaks: its clause's own id when the clause is one part."""
        return self.part or self.clause


def _fault(category: str, description: str, *areas: Area, keyword: str, clause: str, part: str = "") -> Fault:
    return Fault(category, description, areas, keyword, clause, part)


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
_TOKEN_PATHS = "test_a_token_delete_reaches_that_token_only"


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
        clause="C-SHAPE-01",
    ),
    "summary-superadmin-string": _fault(
        "shape",
        'listUsers summaries carry superAdmin as the string "true"/"false"',
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(_LIST_USERS, _USERS_MACHINE, "test_sdk_call[listUsers]"),
        clause="C-SHAPE-01",
    ),
    "null-tenants-list": _fault(
        "shape",
        "listUsers summaries of superadmins carry tenants: null (they 'have every tenant')",
        "fuzz",
        keyword=_LIST_USERS,
        clause="C-SHAPE-01",
    ),
    "null-groups-list": _fault(
        "shape",
        "getUser answers groups: null for a user in no group",
        "fuzz",
        "sdk",
        keyword=_any(_GET_USER, "test_sdk_call[getUser]"),
        clause="C-SHAPE-01",
    ),
    "autocomplete-object-not-array": _fault(
        "shape",
        "autocompleteUsers wraps its array in {results: [...]}",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any("test_operation and autocomplete", _USERS_MACHINE, "test_sdk_call[autocompleteUsers]"),
        clause="C-LIST-08",
    ),
    # -- status codes ----------------------------------------------------------------
    "create-user-200": _fault(
        "status",
        "createUser answers 200 instead of 201",
        "fuzz",
        "stateful",
        keyword=_any(_CREATE_USER, _USERS_MACHINE),
        clause="C-USERS-01",
    ),
    "delete-user-200": _fault(
        "status",
        "deleteUser answers 200 with {} instead of 204",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(_DELETE_USER, _ACCESS_MACHINE, "test_sdk_call[deleteUser]"),
        clause="C-USERS-21",
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
        clause="C-TOKENS-11",
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
        clause="C-STATUS-15",
    ),
    # -- content types -------------------------------------------------------------
    "wrong-content-type": _fault(
        "content-type",
        "listUsers answers JSON labelled text/plain",
        "fuzz",
        "sdk",
        keyword=_any(_LIST_USERS, "test_sdk_call[listUsers]"),
        clause="C-SHAPE-02",
    ),
    "error-body-html": _fault(
        "content-type",
        "404 answers are an HTML error page (text/html)",
        "fuzz",
        keyword="test_operation[GET",
        clause="C-STATUS-03",
    ),
    # -- validation ------------------------------------------------------------------
    "malformed-json-accepted": _fault(
        "validation",
        "a body that is not JSON is read as {} (autocompleteUsers then answers 200)",
        "fuzz",
        keyword="test_malformed_json",
        clause="C-STATUS-06",
    ),
    "wrong-type-accepted": _fault(
        "validation",
        'boolean fields accept strings ("false" is stored as is, and is truthy)',
        "fuzz",
        keyword="test_a_field_of_the_wrong_type",
        clause="C-STATUS-07",
    ),
    "bad-token-name-accepted": _fault(
        "validation",
        "token and service-account names outside their pattern are accepted",
        "fuzz",
        keyword=_any("test_invalid_token_requests", "test_operation[POST and api-tokens"),
        clause="C-STATUS-08",
    ),
    "bad-duration-accepted": _fault(
        "validation",
        "a maxAge that is not a duration is accepted as 'never expires'",
        "fuzz",
        keyword=_any("test_invalid_token_requests", "test_operation[POST and api-tokens"),
        clause="C-STATUS-09",
    ),
    "duplicate-email-accepted": _fault(
        "validation",
        "createUser does not check that the email is free: a second user appears",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-07",
        part="C-USERS-07.1",
    ),
    "duplicate-email-refused-too-late": _fault(
        "validation",
        "createUser checks that the email is free after storing the user: it answers 409, and a second user stays",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-07",
        part="C-USERS-07.2",
    ),
    # -- 5xx on edge inputs ----------------------------------------------------------
    "page-zero-500": _fault(
        "5xx",
        "listUsers with page=0 (or below) answers 500 instead of 400",
        "fuzz",
        keyword=_any("test_pages_below_one", _LIST_USERS),
        clause="C-LIST-01",
        part="C-LIST-01.1",
    ),
    "huge-page-500": _fault(
        "5xx",
        "listUsers computes the offset in 32 bits: a huge page answers 500",
        "fuzz",
        keyword=_LIST_USERS,
        clause="C-STATUS-05",
    ),
    "unicode-name-500": _fault(
        "5xx",
        "names are stored in a latin-1 column: '山田' or 'Łukasz' answers 500",
        "fuzz",
        "stateful",
        keyword=_any(_CREATE_USER, _USERS_MACHINE, _ACCESS_MACHINE),
        clause="C-STATUS-14",
    ),
    "unknown-auth-500": _fault(
        "5xx",
        "deleteUserAuthMethod looks the auth method up first and answers 500 when it is unknown",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any("test_operation and auths/", _USERS_MACHINE, "test_sdk_unknown_id[deleteUserAuthMethod]"),
        clause="C-STATUS-15",
    ),
    # -- persistence -----------------------------------------------------------------
    "patch-user-not-saved": _fault(
        "persistence",
        "patchUser answers the new values but does not save them",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
        clause="C-USERS-10",
    ),
    "update-user-not-saved": _fault(
        "persistence",
        "updateUser answers the new values but does not save them",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
        clause="C-USERS-09",
    ),
    "restricted-flag-not-saved": _fault(
        "persistence",
        "patchUserDemo answers 200 but restricted does not change",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
        clause="C-USERS-11",
    ),
    "group-change-not-saved": _fault(
        "persistence",
        "updateUserGroups answers 204 but the user's groups do not change",
        "stateful",
        keyword=_any(_USERS_MACHINE, "test_group_changes_are_saved"),
        clause="C-USERS-13",
        part="C-USERS-13.1",
    ),
    # -- deletion ----------------------------------------------------------------------
    "deleted-user-still-listed": _fault(
        "deletion",
        "deleted users stay in listUsers (the soft-delete flag is not filtered)",
        "stateful",
        keyword=_any(_USERS_MACHINE, _DELETED_USER),
        clause="C-USERS-23",
    ),
    "sa-token-delete-ignored": _fault(
        "deletion",
        "deleteApiToken (service account) answers 200 but the token stays, listed and valid",
        "stateful",
        "fuzz",
        keyword=_any(_TOKENS_MACHINE, "test_operation[DELETE and api-tokens"),
        clause="C-TOKENS-15",
    ),
    # -- listing -----------------------------------------------------------------------
    "list-total-wrong": _fault(
        "listing",
        "listUsers total is the size of the page, not of all matches",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-LIST-02",
    ),
    "list-pages-overlap": _fault(
        "listing",
        "listUsers pages after the first start one user early (off by one)",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-LIST-04",
        part="C-LIST-04.1",
    ),
    "q-filter-ignored": _fault(
        "listing", "listUsers ignores q", "stateful", keyword=_USERS_MACHINE, clause="C-LIST-05"
    ),
    # -- authentication --------------------------------------------------------------
    "skip-auth-get-user": _fault(
        "authentication",
        "getUser is left out of the secured routes: it answers without credentials",
        "fuzz",
        "stateful",
        keyword=_any("test_requires_credentials[GET and users/ and not api-tokens", _ACCESS_MACHINE),
        clause="C-AUTH-01",
    ),
    "old-password-still-valid": _fault(
        "authentication",
        "after patchUserPassword the old password still logs in",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-16",
    ),
    "deleted-token-still-valid": _fault(
        "authentication",
        "user tokens are cached on first use and deleting one does not evict it",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, _TOKENS_MACHINE, _TOKEN_PATHS),
        clause="C-TOKENS-13",
        part="C-TOKENS-13.1",
    ),
    "deleted-user-still-logs-in": _fault(
        "authentication",
        "basic logins are cached and deleting a user does not evict them",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, _USERS_MACHINE, _DELETED_USER),
        clause="C-USERS-25",
    ),
    "wrong-old-password-accepted": _fault(
        "authentication",
        "PUT /api/v1/me/password does not check oldPassword",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-18",
        part="C-USERS-18.1",
    ),
    # -- authorization ---------------------------------------------------------------
    "non-superadmin-allowed": _fault(
        "authorization",
        "GET operations only check authentication for password logins: any user may read them",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-AUTH-03",
        part="C-AUTH-03.1",
    ),
    "demoted-keeps-power": _fault(
        "authorization",
        "superadmins are cached on their first password login: demoted, the password keeps its power",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, "test_demotion_takes_effect"),
        clause="C-AUTH-06",
        part="C-AUTH-06.1",
    ),
    "cross-user-token-delete": _fault(
        "authorization",
        "deleteApiToken_1 finds the token among all users, not only the one in the path",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[DELETE and users/ and api-tokens", _TOKENS_MACHINE, _TOKEN_PATHS),
        clause="C-TOKENS-14",
        part="C-TOKENS-14.1",
    ),
    # -- secrets -------------------------------------------------------------------------
    "token-list-leaks-fulltoken": _fault(
        "secrets",
        "token listings (users and service accounts) include each token's fullToken",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[GET and api-tokens", _TOKENS_MACHINE),
        clause="C-SECRETS-02",
    ),
    "password-in-response": _fault(
        "secrets",
        "updateUser merges the request into its answer, password included",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[PUT and users/", _USERS_MACHINE),
        clause="C-SECRETS-01",
    ),
    # -- service accounts and tenants ------------------------------------------------
    "sa-tenant-check-missing": _fault(
        "tenants",
        "tenant-scoped service-account token operations ignore the tenant (unknown or not the account's)",
        "fuzz",
        "stateful",
        keyword=_any("test_operation and service-accounts", _TOKENS_MACHINE),
        clause="C-TOKENS-16",
    ),
    "unknown-tenant-accepted": _fault(
        "tenants",
        "autocompleteUsers answers 200 [] for a tenant that does not exist",
        "fuzz",
        keyword="test_operation and autocomplete",
        clause="C-STATUS-16",
    ),
    # -- clauses nothing else broke (specs/clauses.yaml) --------------------------------
    "new-user-cannot-log-in": _fault(
        "authentication",
        "createUser stores the password with a salt that login never uses: new users cannot log in",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, "test_demotion_takes_effect"),
        clause="C-IDENT-02",
    ),
    "email-change-keeps-login": _fault(
        "authentication",
        "the basic-auth login name is kept from creation: after an email change only the old email logs in",
        "stateful",
        keyword="test_a_new_email_is_the_new_login",
        clause="C-IDENT-03",
        part="C-IDENT-03.1",
    ),
    "empty-password-logs-in": _fault(
        "authentication",
        "a user created without a password logs in with an empty one",
        "stateful",
        keyword="test_a_user_without_a_password",
        clause="C-IDENT-04",
    ),
    "sa-token-not-accepted": _fault(
        "authentication",
        "bearer tokens are looked up among users only: service-account tokens get 401",
        "stateful",
        keyword=_TOKENS_MACHINE,
        clause="C-IDENT-05",
        part="C-IDENT-05.1",
    ),
    "deleted-owner-tokens-valid": _fault(
        "authentication",
        "deleting a user leaves its tokens valid",
        "stateful",
        keyword=_any(_TOKENS_MACHINE, _ACCESS_MACHINE),
        clause="C-IDENT-06",
        part="C-IDENT-06.1",
    ),
    "me-password-superadmin-only": _fault(
        "authorization",
        "PUT /api/v1/me/password is secured like the Superadmin-only operations: plain users get 403",
        "stateful",
        "fuzz",
        keyword=_any(_ACCESS_MACHINE, "test_operation[PUT and /api/v1/me/password]"),
        clause="C-AUTH-04",
    ),
    "promoted-stays-plain": _fault(
        "authorization",
        "plain users are cached on their first password login: promoted, the password keeps getting 403",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, "test_demotion_takes_effect"),
        clause="C-AUTH-05",
        part="C-AUTH-05.1",
    ),
    "patch-demo-204": _fault(
        "status",
        "patchUserDemo answers 204 instead of its documented 200",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[PATCH and restricted", _USERS_MACHINE, _CHANGE_SAVED),
        clause="C-STATUS-01",
    ),
    "page-past-end-416": _fault(
        "status",
        "listUsers answers 416 Range Not Satisfiable for a page past the last one",
        "fuzz",
        "stateful",
        keyword=_any(_LIST_USERS, _USERS_MACHINE),
        clause="C-STATUS-02",
    ),
    "error-without-message": _fault(
        "shape",
        "404 answers are Spring's default error JSON ({timestamp, status, error}) without a message",
        "fuzz",
        keyword="test_operation",
        clause="C-STATUS-04",
    ),
    "refused-token-still-created": _fault(
        "validation",
        "a token request with a maxAge that is not a duration is refused, after the token was created",
        "fuzz",
        keyword="test_invalid_token_requests",
        clause="C-STATUS-10",
    ),
    "method-not-allowed-500": _fault(
        "5xx",
        "the router has no 405 handler: a method a path does not support answers 500",
        "fuzz",
        keyword="test_unsupported_method",
        clause="C-STATUS-17",
    ),
    "create-ignores-restricted": _fault(
        "persistence",
        "createUser ignores restricted: every new user is unrestricted",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-03",
    ),
    "create-ignores-tenants": _fault(
        "persistence",
        "createUser ignores tenants: a new user has access to no tenant",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-04",
        part="C-USERS-04.1",
    ),
    "create-ignores-groups": _fault(
        "persistence",
        "createUser ignores groups: a new user is in no group",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-05",
    ),
    "password-auth-not-listed": _fault(
        "shape",
        "auths never lists the password login",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-06",
    ),
    "update-duplicate-email-accepted": _fault(
        "validation",
        "patchUser and updateUser do not check that the new email is free",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-08",
    ),
    "superadmin-flag-not-saved": _fault(
        "persistence",
        "patchUserSuperAdmin answers 200 but superAdmin does not change",
        "stateful",
        keyword=_any(_USERS_MACHINE, _ACCESS_MACHINE, "test_demotion_takes_effect"),
        clause="C-USERS-12",
    ),
    "list-shows-creation-state": _fault(
        "listing",
        "listUsers shows each user as it was created (the search index is never updated)",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-14",
        part="C-USERS-14.1",
    ),
    "new-password-not-saved": _fault(
        "persistence",
        "patchUserPassword answers 200 but the password does not change",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-15",
    ),
    "me-password-not-saved": _fault(
        "persistence",
        "PUT /api/v1/me/password answers 200 but the password does not change",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-17",
        part="C-USERS-17.1",
    ),
    "auth-delete-not-saved": _fault(
        "persistence",
        "deleteUserAuthMethod answers the user without the entry but does not remove it",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-19",
        part="C-USERS-19.1",
    ),
    "auth-delete-keeps-login": _fault(
        "authentication",
        "deleteUserAuthMethod hides the password entry but the password still logs in",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-20",
    ),
    "patch-deleted-user": _fault(
        "deletion",
        "patchUser finds soft-deleted users and answers 200",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-22",
        part="C-USERS-22.1",
    ),
    "deleted-user-autocompleted": _fault(
        "deletion",
        "autocompleteUsers still offers deleted users (the soft-delete flag is not filtered)",
        "stateful",
        keyword=_any(_USERS_MACHINE, _DELETED_USER),
        clause="C-USERS-24",
    ),
    "refresh-token-200": _fault(
        "status",
        "deleteRefreshToken answers 200 with {} instead of 204",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[DELETE and refresh-token", _USERS_MACHINE),
        clause="C-USERS-26",
    ),
    "impersonate-204": _fault(
        "status",
        "impersonate answers 204 with no body instead of 200",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[POST and impersonate", _USERS_MACHINE),
        clause="C-USERS-27",
    ),
    "refresh-token-unknown-204": _fault(
        "status",
        "deleteRefreshToken answers 204 for any id (deleting nothing is a success)",
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any(
            "test_operation[DELETE and refresh-token", _USERS_MACHINE, "test_sdk_unknown_id[deleteRefreshToken]"
        ),
        clause="C-USERS-28",
    ),
    "impersonate-unknown-403": _fault(
        "status",
        'impersonate answers 403 for an unknown id ("cannot impersonate")',
        "fuzz",
        "stateful",
        "sdk",
        keyword=_any("test_operation[POST and impersonate", _USERS_MACHINE, "test_sdk_unknown_id[impersonate]"),
        clause="C-USERS-29",
    ),
    "page-size-plus-one": _fault(
        "listing",
        "listUsers pages hold size + 1 results (LIMIT off by one)",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-LIST-03",
    ),
    "q-ignores-display-name": _fault(
        "listing",
        "listUsers q matches username and email only, not the display name",
        "stateful",
        keyword="test_q_matches",
        clause="C-LIST-06",
        part="C-LIST-06.2",
    ),
    "q-case-sensitive": _fault(
        "listing",
        "listUsers q matches only in the same letter case",
        "stateful",
        keyword="test_q_matches",
        clause="C-LIST-07",
    ),
    "autocomplete-ignores-tenant": _fault(
        "tenants",
        "autocompleteUsers offers users of every tenant",
        "stateful",
        keyword="test_autocomplete_finds_only",
        clause="C-LIST-09",
    ),
    "autocomplete-name-only": _fault(
        "listing",
        "autocompleteUsers matches q against display names only",
        "stateful",
        keyword=_any(_USERS_MACHINE, "test_autocomplete_finds_only"),
        clause="C-LIST-10",
        part="C-LIST-10.1",
    ),
    "token-create-201": _fault(
        "status",
        "token creation answers 201 instead of its documented 200",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[POST and api-tokens", _TOKENS_MACHINE),
        clause="C-TOKENS-01",
    ),
    "extended-tokens-not-listed": _fault(
        "listing",
        "token lists leave out extended tokens",
        "stateful",
        keyword=_TOKENS_MACHINE,
        clause="C-TOKENS-02",
    ),
    "token-summary-no-iat": _fault(
        "shape",
        "token summaries lack iat",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[GET and api-tokens", _TOKENS_MACHINE),
        clause="C-TOKENS-03",
    ),
    "duration-minutes-refused": _fault(
        "validation",
        "maxAge durations with minutes (PT90M) are refused",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[POST and api-tokens", _TOKENS_MACHINE),
        clause="C-TOKENS-04",
    ),
    "empty-maxage-zero": _fault(
        "authentication",
        "an empty maxAge is read as zero: the token is expired at once",
        "stateful",
        keyword="test_a_token_without_max_age",
        clause="C-TOKENS-06",
    ),
    "max-age-ignored": _fault(
        "authentication",
        "maxAge is stored but never enforced: tokens never expire",
        "stateful",
        keyword="test_a_token_expires",
        clause="C-TOKENS-07",
    ),
    "exp-not-shown": _fault(
        "shape",
        "token summaries never show exp",
        "stateful",
        keyword="test_a_token_expires",
        clause="C-TOKENS-08",
    ),
    "expired-flag-never-set": _fault(
        "shape",
        "token summaries always show expired: false",
        "stateful",
        keyword="test_a_token_expires",
        clause="C-TOKENS-09",
    ),
    "extended-ignored": _fault(
        "authentication",
        "extended tokens expire like the others: use does not move the expiry",
        "stateful",
        keyword="test_a_token_expires",
        clause="C-TOKENS-10",
    ),
    "deleted-token-still-listed": _fault(
        "deletion",
        "deleteApiToken_1 revokes the token but leaves it in the list",
        "stateful",
        "fuzz",
        keyword=_any(_TOKENS_MACHINE, "test_operation[DELETE and users/ and api-tokens"),
        clause="C-TOKENS-12",
        part="C-TOKENS-12.1",
    ),
    "sa-unknown-tenant-ignored": _fault(
        "tenants",
        "tenant-scoped service-account token operations treat an unknown tenant as no tenant",
        "stateful",
        "fuzz",
        keyword=_any(_TOKENS_MACHINE, "test_operation and service-accounts"),
        clause="C-TOKENS-17",
    ),
    "get-user-cached": _fault(
        "persistence",
        "getUser answers from a cache filled on first read and never evicted",
        "stateful",
        keyword=_any(_USERS_MACHINE, _CHANGE_SAVED),
        clause="C-DEPLOY-04",
    ),
    # -- Kestra 2.x only (contract version 2: the server plays it with --kestra-version 2) ----------
    "user-token-create-200": _fault(
        "status",
        "2.x: a user's token creation answers 200 instead of its documented 201",
        "fuzz",
        "stateful",
        keyword=_any("test_operation[POST and users/ and api-tokens", _TOKENS_MACHINE),
        clause="C-TOKENS-18",
    ),
    "create-user-no-body": _fault(
        "shape",
        "2.x: createUser answers 201 without the new user (an empty body, as 1.0 did)",
        "fuzz",
        keyword=_CREATE_USER,
        clause="C-USERS-30",
    ),
    "password-patch-no-user": _fault(
        "shape",
        "2.x: patchUserPassword answers an empty object instead of the updated user",
        "fuzz",
        keyword="test_operation[PATCH and password",
        clause="C-USERS-31",
    ),
    "impersonate-303-no-cookie": _fault(
        "shape",
        "2.x: impersonate answers 303 to the UI without the impersonation cookie",
        "fuzz",
        keyword="test_operation[POST and impersonate",
        clause="C-USERS-32",
    ),
    "token-list-total-wrong": _fault(
        "listing",
        "2.x: a token list's total counts one token more than it lists",
        "fuzz",
        keyword="test_operation[GET and api-tokens",
        clause="C-TOKENS-19",
    ),
    # -- parts of clauses that no fault broke before (specs/clauses.yaml `parts`) ------------
    "old-email-still-logs-in": _fault(
        "authentication",
        "after a change of email the old email keeps logging in too (former emails stay login aliases)",
        "stateful",
        keyword="test_a_new_email_is_the_new_login",
        clause="C-IDENT-03",
        part="C-IDENT-03.2",
    ),
    "password-change-revokes-tokens": _fault(
        "authentication",
        "a password change (patchUserPassword, PUT /api/v1/me/password) revokes every token of the user",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-IDENT-05",
        part="C-IDENT-05.2",
    ),
    "deleted-sa-tokens-valid": _fault(
        "authentication",
        "deleting a service account leaves its tokens valid",
        "stateful",
        keyword=_any(_TOKENS_MACHINE, "test_deleting_an_owner_deletes_its_tokens"),
        clause="C-IDENT-06",
        part="C-IDENT-06.2",
    ),
    "promoted-token-stays-plain": _fault(
        "authorization",
        "a token's role is cached on its first use: promoted, the user's tokens keep getting 403",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, "test_demotion_takes_effect"),
        clause="C-AUTH-05",
        part="C-AUTH-05.2",
    ),
    "demoted-token-keeps-power": _fault(
        "authorization",
        "a token's role is cached once it acted as superadmin: demoted, the user's tokens keep their power",
        "stateful",
        keyword=_any(_ACCESS_MACHINE, "test_demotion_takes_effect"),
        clause="C-AUTH-06",
        part="C-AUTH-06.2",
    ),
    "search-text-from-creation": _fault(
        "listing",
        "listUsers matches q against the username and email a user was created with (its text is never reindexed)",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-14",
        part="C-USERS-14.2",
    ),
    "search-name-from-creation": _fault(
        "listing",
        "listUsers matches q against the display name the user was created with (names are never reindexed)",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-14",
        part="C-USERS-14.3",
    ),
    "me-password-old-still-valid": _fault(
        "authentication",
        "PUT /api/v1/me/password keeps the old password's hash as an alias: both log in",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-17",
        part="C-USERS-17.2",
    ),
    "wrong-old-password-saved-anyway": _fault(
        "persistence",
        "PUT /api/v1/me/password saves the new password before comparing oldPassword, then answers 422",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-18",
        part="C-USERS-18.2",
    ),
    "cross-user-auth-delete": _fault(
        "authorization",
        "deleteUserAuthMethod finds the auth method among all users, not only the one in the path",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-19",
        part="C-USERS-19.2",
    ),
    "size-zero-unpaged": _fault(
        "validation",
        "listUsers reads size=0 as 'unpaged' and answers every match",
        "fuzz",
        "stateful",
        keyword=_any("test_pages_below_one", _LIST_USERS, _USERS_MACHINE),
        clause="C-LIST-01",
        part="C-LIST-01.2",
    ),
    "list-pages-skip-one": _fault(
        "listing",
        "listUsers pages after the first start one user late (off by one): a user is on no page",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-LIST-04",
        part="C-LIST-04.2",
    ),
    "q-email-prefix-only": _fault(
        "listing",
        "listUsers q matches usernames and emails only from their start (LIKE 'q%')",
        "stateful",
        keyword="test_q_matches",
        clause="C-LIST-06",
        part="C-LIST-06.1",
    ),
    "autocomplete-text-from-creation": _fault(
        "listing",
        "autocompleteUsers matches q against the email the user was created with",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-LIST-10",
        part="C-LIST-10.2",
    ),
    "token-delete-takes-all-of-owner": _fault(
        "deletion",
        "deleteApiToken_1 deletes every token of the user, not only the one in the path",
        "stateful",
        keyword=_any(_TOKENS_MACHINE, _TOKEN_PATHS),
        clause="C-TOKENS-12",
        part="C-TOKENS-12.2",
    ),
    "sa-deleted-token-still-valid": _fault(
        "authentication",
        "service-account tokens are cached on first use and deleting one does not evict it",
        "stateful",
        keyword=_any(_TOKENS_MACHINE, _TOKEN_PATHS),
        clause="C-TOKENS-13",
        part="C-TOKENS-13.2",
    ),
    "email-change-drops-login": _fault(
        "authentication",
        "after a change of email the login keeps naming the old email, mangled: neither email logs in",
        "stateful",
        keyword="test_a_new_email_is_the_new_login",
        clause="C-IDENT-03",
        part="C-IDENT-03.1",
    ),
    "plain-token-allowed": _fault(
        "authorization",
        "a user's API token skips the superadmin check: a plain user's token may call every operation",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-AUTH-03",
        part="C-AUTH-03.2",
    ),
    "duplicate-email-ignored": _fault(
        "validation",
        "createUser with an email already in use answers 201 and creates nothing (an idempotent create)",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-07",
        part="C-USERS-07.1",
    ),
    "me-password-garbled": _fault(
        "persistence",
        "PUT /api/v1/me/password saves the new password lower-cased: the old one and a new one with capitals fail",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-17",
        part="C-USERS-17.1",
    ),
    "wrong-old-password-ignored": _fault(
        "validation",
        "PUT /api/v1/me/password with a wrong oldPassword answers 200 and changes nothing",
        "stateful",
        keyword=_ACCESS_MACHINE,
        clause="C-USERS-18",
        part="C-USERS-18.1",
    ),
    "deleted-user-tokens-listed": _fault(
        "deletion",
        "listApiTokens_1 finds soft-deleted users: their (emptied) token list answers 200, not 404",
        "stateful",
        keyword=_any(_USERS_MACHINE, _TOKENS_MACHINE, _DELETED_USER),
        clause="C-USERS-22",
        part="C-USERS-22.2",
    ),
    "create-keeps-first-tenant": _fault(
        "tenants",
        "createUser keeps the first of the requested tenants only",
        "stateful",
        keyword=_USERS_MACHINE,
        clause="C-USERS-04",
        part="C-USERS-04.2",
    ),
    "autocomplete-misses-new-users": _fault(
        "listing",
        "autocompleteUsers reads an index fed by update events only: a user is found once renamed, not as created",
        "stateful",
        keyword=_any(_USERS_MACHINE, "test_autocomplete_finds_only"),
        clause="C-LIST-10",
        part="C-LIST-10.1",
    ),
    "group-change-clears-other-tenants": _fault(
        "tenants",
        "updateUserGroups replaces the user's groups in every tenant, not only in the one in the path",
        "stateful",
        keyword=_any(_USERS_MACHINE, "test_group_changes_are_saved"),
        clause="C-USERS-13",
        part="C-USERS-13.2",
    ),
    "sa-path-token-delete-any-owner": _fault(
        "authorization",
        "the service-account token deletes find the token among all owners, not only the account in the path",
        "stateful",
        keyword=_any(_TOKENS_MACHINE, _TOKEN_PATHS),
        clause="C-TOKENS-14",
        part="C-TOKENS-14.2",
    ),
}


def validate_faults(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
