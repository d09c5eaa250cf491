"""Checks for fuzz cases that the policy adds to schemathesis's own.

schemathesis checks the documented shapes (content types, headers, response schemas,
no 5xx). These add what only the policy (specs/v1/policy.yaml) knows: which statuses are allowed at
all, that valid requests succeed, that invalid ones are refused (or, for an omitted
required field, recorded as drift), what error bodies look like, what a token list's
summaries hold (the description leaves that body untyped), and that secrets never come
back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from openapi_schema_validator import OAS30Validator
from schemathesis import Case
from schemathesis.core.transport import Response

import specs
from contract.fuzz._world import Prepared
from contract.harness import Drift, Findings

__all__ = ["Check", "error_body_shape", "policy_checks", "token_summaries"]

Check = Callable[[Any, Response, Case[Any]], bool | None]
_SECRET_FIELDS = ("password", "oldPassword", "newPassword")
#: What every token summary of a token list holds (contract-semantics.md; exp, extended and
#: expired are optional).
_TOKEN_SUMMARY_FIELDS = ("id", "name", "prefix", "iat")
#: The only answers that may hold a fullToken.
_TOKEN_CREATES = frozenset(
    {
        "createApiTokensForUser_1",
        "createApiTokensForUser",
        "createApiTokensForUserWithTenant",
        "createApiTokenForCurrentUser",
    }
)
#: Short values could appear in a response by chance; only real secrets are searched for.
_MIN_SECRET_LENGTH = 8


def _status_line(response: Response) -> str:
    return f"{response.status_code} {response.content[:300]!r}"


def status_within_policy(operation: specs.Operation) -> Check:
    """Success is exactly the documented code; errors are among the policy's statuses."""
    success = specs.success_statuses(operation.operation_id)

    def check(ctx: Any, response: Response, case: Case[Any]) -> None:
        status = response.status_code
        if status in success:
            return
        if 200 <= status < 300:
            assert status in success, (
                f"{operation.operation_id} answered {status}; its documented success status is "
                f"{' or '.join(map(str, sorted(success)))}"
            )
        elif 400 <= status < 500:
            allowed = sorted(specs.policy().error_statuses)
            assert status in specs.policy().error_statuses, (
                f"{status} is not an error status the policy allows ({allowed})"
            )
        elif status < 500:
            raise AssertionError(f"unexpected status {status}")

    check.__name__ = "status_within_policy"
    return check


def valid_requests_succeed(operation: specs.Operation, prepared: Prepared) -> Check:
    """A realistic request on real objects gets the documented success; on missing ids, a 404."""
    success = specs.success_statuses(operation.operation_id)
    expected = " or ".join(map(str, sorted(success)))

    def check(ctx: Any, response: Response, case: Case[Any]) -> None:
        if not prepared.positive:
            return
        status = response.status_code
        if prepared.aims_at_missing:
            allowed = sorted(specs.policy().unknown_id_statuses)
            assert status in specs.policy().unknown_id_statuses, (
                f"a request aimed at an id that does not exist ({prepared.path}) should get {allowed}, got {status}"
            )
        elif prepared.realistic or "requestBody" not in operation.definition:
            assert status in success, (
                f"valid data for existing objects should get {expected}, got {_status_line(response)}"
            )

    check.__name__ = "valid_requests_succeed"
    return check


def _body_schema(operation: specs.Operation) -> dict[str, Any] | None:
    content = operation.definition.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def _without_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


@cache
def _body_validators(operation_id: str) -> tuple[OAS30Validator, OAS30Validator] | None:
    """(one that ignores `required`, the strict one) for the operation's JSON body."""
    schema = _body_schema(specs.operations_by_id()[operation_id])
    if schema is None:
        return None
    components = specs.openapi()["components"]
    lenient = {**_without_required(schema), "components": _without_required(components)}
    return OAS30Validator(lenient), OAS30Validator({**schema, "components": components})


def _nulls_as_omitted(node: Any) -> Any:
    """The body as Kestra's Java server reads it: a field that is JSON null is a field not given."""
    if isinstance(node, dict):
        return {k: _nulls_as_omitted(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_nulls_as_omitted(v) for v in node]
    return node


def _body_faults(operation: specs.Operation, body: Any) -> tuple[list[str], list[str]]:
    """(what is invalid, which required fields are omitted) in a JSON body.

    A null field counts as omitted (contract-semantics.md): for an optional field that is
    no fault at all, for a required one it is an omission (drift when accepted).
    """
    validators = _body_validators(operation.operation_id)
    if validators is None:
        return [], []
    lenient, strict = validators
    body = _nulls_as_omitted(body)
    invalid = [e.message for e in lenient.iter_errors(body)]
    if invalid:
        return invalid, []
    return [], [e.message for e in strict.iter_errors(body) if e.validator == "required"]


def _as_on_the_wire(value: Any, schema: dict[str, Any]) -> Any:
    """What the server can see of a query value: strings, a repeated key as an array, digits as integers."""
    kind = schema.get("type")
    if kind == "array":
        return [_wire_text(v) for v in (value if isinstance(value, list) else [value])]
    text = _wire_text(value)
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def _wire_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _query_faults(operation: specs.Operation, query: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    """(what is invalid, which required parameters are omitted) in a query string.

    Parameters the description does not declare are not faults: servers ignore them.
    """
    query = query or {}
    invalid: list[str] = []
    omitted: list[str] = []
    for param in operation.definition.get("parameters", []):
        if param["in"] != "query":
            continue
        name, schema = param["name"], param["schema"]
        if name not in query:
            if param.get("required"):
                omitted.append(f"query parameter '{name}'")
            continue
        values = query[name] if isinstance(query[name], list) and schema.get("type") != "array" else [query[name]]
        for value in values:
            error = next(iter(OAS30Validator(schema).iter_errors(_as_on_the_wire(value, schema))), None)
            if error is not None and _may_be_capped(name, error.validator):
                continue  # above the page size limit: refused, or capped (oversized_pages_capped checks that)
            if error is not None:
                invalid.append(f"query parameter '{name}': {error.message}")
    return invalid, omitted


def _may_be_capped(name: str, validator: object) -> bool:
    """A page size above the contract's limit (2.x: 1000) may be refused or capped at the limit."""
    return name == "size" and validator == "maximum" and specs.policy().max_page_size is not None


def oversized_pages_capped(ctx: Any, response: Response, case: Case[Any]) -> None:
    """A page size above the limit that was accepted gave a page of at most the limit."""
    limit = specs.policy().max_page_size
    size = (case.query or {}).get("size")
    if limit is None or not isinstance(size, int) or isinstance(size, bool) or size <= limit:
        return
    if not 200 <= response.status_code < 300:
        return
    payload = json.loads(response.content)
    results = payload.get("results") if isinstance(payload, dict) else None
    assert isinstance(results, list), f"a page without results: {response.content[:200]!r}"
    assert len(results) <= limit, f"size={size} accepted: a page holds at most {limit}, got {len(results)}"


def invalid_requests_refused(
    operation: specs.Operation, prepared: Prepared, findings: Findings, curl: Callable[[], str]
) -> Check:
    """Invalid input gets a 4xx; an accepted omission of a required field is drift, not a failure."""

    def check(ctx: Any, response: Response, case: Case[Any]) -> None:
        if prepared.positive:
            return
        invalid: list[str] = []
        omitted: list[str] = []
        if "body" in prepared.negated:
            found = _body_faults(operation, case.body)
            invalid += found[0]
            omitted += found[1]
        if "query" in prepared.negated:
            found = _query_faults(operation, case.query)
            invalid += found[0]
            omitted += found[1]
        status = response.status_code
        allowed = specs.policy().invalid_input_statuses | (
            specs.policy().unknown_id_statuses if prepared.aims_at_missing else set()
        )
        sent_type = str(response.request.headers.get("Content-Type", "")).split(";")[0].strip().lower()
        if sent_type and sent_type != "application/json":
            allowed = allowed | {415}  # a body sent as another media type may be refused for that alone
        if invalid and status not in allowed:
            verb = "accepted" if status < 300 else "answered"
            raise AssertionError(
                f"invalid input was {verb} with {status} ({'; '.join(invalid[:3])}); expected {sorted(allowed)}"
            )
        if omitted and status < 300:
            findings.drift(Drift(operation.operation_id, "accepted without " + ", ".join(omitted), curl()))

    check.__name__ = "invalid_requests_refused"
    return check


def error_body_shape(ctx: Any, response: Response, case: Case[Any]) -> None:
    """An error body is empty, JSON with a string `message`, or problem details."""
    if response.status_code < 400 or not response.content.strip():
        return
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    allowed = specs.policy().error_content_types
    assert content_type in allowed, (
        f"error body with content type {content_type!r}; expected empty or one of {sorted(allowed)}"
    )
    try:
        payload = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"error body is not JSON: {response.content[:200]!r}") from None
    assert isinstance(payload, dict), f"error body is not a JSON object: {payload!r}"
    if content_type == "application/json":
        assert isinstance(payload.get("message"), str), f"JSON error body without a string `message`: {payload!r}"


def token_summaries(ctx: Any, response: Response, case: Case[Any]) -> None:
    """A token list answers an object whose `results` are token summaries with their required fields."""
    if response.status_code != 200 or not case.operation.definition.raw.get("operationId", "").startswith(
        "listApiTokens"
    ):
        return
    payload = json.loads(response.content)
    results = payload.get("results") if isinstance(payload, dict) else None
    assert isinstance(results, list), f"a token list without a `results` array: {response.content[:200]!r}"
    for summary in results:
        missing = [f for f in _TOKEN_SUMMARY_FIELDS if not isinstance(summary, dict) or f not in summary]
        assert not missing, f"a token summary without {', '.join(missing)}: {json.dumps(summary)[:300]}"
    total = payload.get("total")
    # An ApiTokenList (2.x) may say its total: the number of tokens it lists (one owner's, on one page).
    assert total is None or total == len(results), f"a token list with total {total!r} and {len(results)} results"


def answers_the_user(operation: specs.Operation) -> Check:
    """Where the active description types the success answer as an ApiUser, it is that user: an object
    with the id of the path (for createUser, a new id). Version 2 types createUser's and patchUserPassword's
    answers so too; a body-less 201 or an empty object there says nothing of the user.
    """
    schema = _success_schema(operation)
    typed = isinstance(schema, dict) and str(schema.get("$ref", "")).endswith("/IAMUserController.ApiUser")

    def check(ctx: Any, response: Response, case: Case[Any]) -> None:
        if not typed or not 200 <= response.status_code < 300:
            return
        try:
            payload = json.loads(response.content) if response.content else None
        except ValueError:
            payload = None
        user_id = payload.get("id") if isinstance(payload, dict) else None
        what = f"{operation.operation_id} answers the user (an ApiUser with its id); got {response.content[:200]!r}"
        assert isinstance(user_id, str), what
        assert user_id, what
        expected = (case.path_parameters or {}).get("id")
        assert expected is None or user_id == expected, f"{operation.operation_id} on {expected} answered {user_id}"

    check.__name__ = "answers_the_user"
    return check


def _success_schema(operation: specs.Operation) -> Any:
    for code in sorted(specs.success_statuses(operation.operation_id)):
        content = operation.definition.get("responses", {}).get(str(code), {}).get("content", {})
        if "application/json" in content:
            return content["application/json"].get("schema")
    return None


def redirects_with_a_session(ctx: Any, response: Response, case: Case[Any]) -> None:
    """A redirect the contract allows (2.x's impersonate: 303) says where to, and carries the session it made."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return
    headers = {name.lower() for name in response.headers}
    assert "location" in headers, f"a {response.status_code} without a Location"
    assert "set-cookie" in headers, f"a {response.status_code} from {case.operation.label} without the session cookie"


def no_secrets(prepared: Prepared, operation: specs.Operation) -> Check:
    """No response ever holds a password; a fullToken only in the response that created it."""

    def check(ctx: Any, response: Response, case: Case[Any]) -> None:
        text = response.content.decode("utf-8", "replace")
        sent = case.body if isinstance(case.body, dict) else {}
        secrets = set(prepared.secrets) | {str(sent.get(f)) for f in _SECRET_FIELDS if isinstance(sent.get(f), str)}
        for secret in secrets:
            if len(secret) >= _MIN_SECRET_LENGTH and secret in text:
                raise AssertionError(f"the response of {operation.operation_id} contains a secret ({secret[:3]}…)")
        if operation.operation_id not in _TOKEN_CREATES and '"fullToken"' in text:
            raise AssertionError(f"{operation.operation_id} returned a fullToken; only token creation may")

    check.__name__ = "no_secrets"
    return check


def policy_checks(
    operation: specs.Operation, prepared: Prepared, findings: Findings, curl: Callable[[], str]
) -> list[Check]:
    return [
        status_within_policy(operation),
        valid_requests_succeed(operation, prepared),
        invalid_requests_refused(operation, prepared, findings, curl),
        error_body_shape,
        token_summaries,
        answers_the_user(operation),
        oversized_pages_capped,
        redirects_with_a_session,
        no_secrets(prepared, operation),
    ]
