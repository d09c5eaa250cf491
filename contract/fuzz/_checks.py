"""The built-in fuzz checks, registered with `@check` like any team's own (`_registry`).

schemathesis's own checks come first: the documented shapes (content types, headers,
response schemas, no 5xx). Then what only the policy (specs/v1/policy.yaml) knows: which
statuses are allowed at all, that valid requests succeed, that invalid ones are refused
(or, for an omitted required field, recorded as drift), what error bodies look like, what
a token list's summaries hold (the description leaves that body untyped), that secrets
never come back, and that a token delete that answered success took effect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from openapi_schema_validator import OAS30Validator
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

import specs
from contract.fuzz._registry import CheckContext, check
from contract.harness import ContractViolation, Drift, Problem, curl, listed_results

__all__ = ["TOKEN_LISTS", "error_body_shape"]

_SECRET_FIELDS = ("password", "oldPassword", "newPassword")
#: What every token summary of a token list holds (docs/contract-semantics.md; exp, extended and
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


def _schemathesis(builtin: Callable[..., Any]) -> None:
    """One of schemathesis's own checks (they hold for every conforming server), in the registry."""

    def run_builtin(ctx: CheckContext, response: Response, case: Case[Any]) -> Any:
        return builtin(ctx.schemathesis, response, case)

    run_builtin.__name__ = run_builtin.__qualname__ = builtin.__name__
    check(run_builtin)


# Its status-code, positive/negative acceptance and auth checks are replaced by policy-aware ones below.
for _builtin in (
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
):
    _schemathesis(_builtin)


def _status_line(response: Response) -> str:
    return f"{response.status_code} {response.content[:300]!r}"


@check
def status_within_policy(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """Success is exactly the documented code; errors are among the policy's statuses."""
    operation = ctx.operation
    success = specs.success_statuses(operation.operation_id)
    status = response.status_code
    if status in success:
        return
    if 200 <= status < 300:
        expected = " or ".join(map(str, sorted(success)))
        raise AssertionError(f"{operation.operation_id} answered {status}; its documented success status is {expected}")
    if 400 <= status < 500:
        allowed = specs.policy().error_statuses
        assert status in allowed, f"{status} is not an error status the policy allows ({sorted(allowed)})"
    elif status < 500:
        raise AssertionError(f"unexpected status {status}")


@check
def valid_requests_succeed(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A realistic request on real objects gets the documented success; on missing ids, a 404."""
    operation, prepared = ctx.operation, ctx.prepared
    if not prepared.positive:
        return
    status = response.status_code
    if prepared.aims_at_missing:
        allowed = specs.policy().unknown_id_statuses
        assert status in allowed, (
            f"a request aimed at an id that does not exist ({prepared.path}) should get {sorted(allowed)}, got {status}"
        )
    elif prepared.realistic or "requestBody" not in operation.definition:
        success = specs.success_statuses(operation.operation_id)
        expected = " or ".join(map(str, sorted(success)))
        assert status in success, f"valid data for existing objects should get {expected}, got {_status_line(response)}"


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

    A null field counts as omitted (docs/contract-semantics.md): for an optional field that is
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


def _wire_value(text: str, schema: dict[str, Any]) -> Any:
    """A query value as the server reads it: text, digits as an integer for an integer parameter."""
    if schema.get("type") == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def sent_query(request: Any) -> dict[str, list[str]]:
    """Every query parameter the request put on the wire, with each of its values."""
    return parse_qs(urlsplit(str(request.url)).query, keep_blank_values=True)


def _query_faults(operation: specs.Operation, sent: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(what is invalid, which required parameters are omitted) in the query string as sent.

    Parameters the description does not declare are not faults: servers ignore them. A
    parameter sent twice is invalid only when each value is (which one a server reads is its
    choice). A `size` above the policy's largest page may be refused or capped: no fault.
    """
    invalid: list[str] = []
    omitted: list[str] = []
    for param in operation.definition.get("parameters", []):
        if param["in"] != "query":
            continue
        name, schema = param["name"], param["schema"]
        if name not in sent:
            if param.get("required"):
                omitted.append(f"query parameter '{name}'")
            continue
        if schema.get("type") == "array":
            candidates: list[Any] = [[item for value in sent[name] for item in value.split(",")]]
        else:
            candidates = [_wire_value(value, schema) for value in sent[name]]
        errors = [next(iter(OAS30Validator(schema).iter_errors(value)), None) for value in candidates]
        first = errors[0]
        if first is None or not all(errors):
            continue
        if name == "size" and first.validator == "maximum":
            continue  # above the largest page: refused or capped, both fine (oversized_pages_capped checks that)
        invalid.append(f"query parameter '{name}': {first.message}")
    return invalid, omitted


def _sent_body_faults(operation: specs.Operation, request: Any) -> tuple[list[str], list[str]]:
    """(what is invalid, which required fields are omitted) in the body as sent."""
    raw = request.body or b""
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        return ["the body is not JSON"], []
    return _body_faults(operation, body)


@check
def oversized_pages_capped(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A page size above the largest (valid_data.page_size_max) that was accepted gave a page of at most that."""
    limit = specs.policy().page_size_max
    sizes = sent_query(response.request).get("size", [])
    size = int(sizes[0]) if len(sizes) == 1 and sizes[0].isdigit() else None
    if size is None or size <= limit or not 200 <= response.status_code < 300:
        return
    payload = json.loads(response.content)
    results = payload.get("results") if isinstance(payload, dict) else None
    assert isinstance(results, list), f"a page without results: {response.content[:200]!r}"
    assert len(results) <= limit, f"size={size} accepted: a page holds at most {limit}, got {len(results)}"


@check
def invalid_requests_refused(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """Invalid input gets a 4xx; an accepted omission of a required field is drift, not a failure.

    What is judged is the request as it went out (its URL and body), not the value that was
    generated: an encoding may drop or change a value (a `size` of `{}` sends no `size` at all).
    """
    operation, prepared = ctx.operation, ctx.prepared
    if prepared.positive:
        return
    sent = response.request
    invalid: list[str] = []
    omitted: list[str] = []
    if "body" in prepared.negated:
        found = _sent_body_faults(operation, sent)
        invalid += found[0]
        omitted += found[1]
    if "query" in prepared.negated:
        found = _query_faults(operation, sent_query(sent))
        invalid += found[0]
        omitted += found[1]
    status = response.status_code
    allowed = specs.policy().invalid_input_statuses | (
        specs.policy().unknown_id_statuses if prepared.aims_at_missing else set()
    )
    sent_type = str(sent.headers.get("Content-Type", "")).split(";")[0].strip().lower()
    if sent_type and sent_type != "application/json":
        allowed = allowed | {415}  # a body sent as another media type may be refused for that alone
    if invalid and status not in allowed:
        verb = "accepted" if status < 300 else "answered"
        raise AssertionError(
            f"invalid input was {verb} with {status} ({'; '.join(invalid[:3])}); expected {sorted(allowed)}"
        )
    if omitted and status < 300:
        ctx.findings.drift(Drift(operation.operation_id, "accepted without " + ", ".join(omitted), ctx.curl()))


@check
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


@check
def token_summaries(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A token list answers an object whose `results` are token summaries with their required fields."""
    if response.status_code != 200 or not ctx.operation_id.startswith("listApiTokens"):
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


@check
def answers_the_user(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """Where the active description types the success answer as an ApiUser, it is that user: an object
    with the id of the path (for createUser, a new id). Version 2 types createUser's and patchUserPassword's
    answers so too; a body-less 201 or an empty object there says nothing of the user.
    """
    operation = ctx.operation
    schema = _success_schema(operation)
    typed = isinstance(schema, dict) and str(schema.get("$ref", "")).endswith("/IAMUserController.ApiUser")
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


def _success_schema(operation: specs.Operation) -> Any:
    for code in sorted(specs.success_statuses(operation.operation_id)):
        content = operation.definition.get("responses", {}).get(str(code), {}).get("content", {})
        if "application/json" in content:
            return content["application/json"].get("schema")
    return None


@check
def redirects_with_a_session(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A redirect the contract allows (2.x's impersonate: 303) says where to, and carries the session it made."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return
    headers = {name.lower() for name in response.headers}
    assert "location" in headers, f"a {response.status_code} without a Location"
    assert "set-cookie" in headers, f"a {response.status_code} from {case.operation.label} without the session cookie"


@check
def no_secrets(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """No response ever holds a password; a fullToken only in the response that created it."""
    operation = ctx.operation
    text = response.content.decode("utf-8", "replace")
    sent = case.body if isinstance(case.body, dict) else {}
    secrets = set(ctx.prepared.secrets) | {str(sent.get(f)) for f in _SECRET_FIELDS if isinstance(sent.get(f), str)}
    for secret in secrets:
        if len(secret) >= _MIN_SECRET_LENGTH and secret in text:
            raise AssertionError(f"the response of {operation.operation_id} contains a secret ({secret[:3]}…)")
    if operation.operation_id not in _TOKEN_CREATES and '"fullToken"' in text:
        raise AssertionError(f"{operation.operation_id} returned a fullToken; only token creation may")


#: Token delete operation -> the list that must no longer show the token.
TOKEN_LISTS = {
    "deleteApiToken_1": "listApiTokens_1",
    "deleteApiToken": "listApiTokens",
    "deleteApiTokenWithTenant": "listApiTokensWithTenant",
    "deleteApiTokenForCurrentUser": "listApiTokensForCurrentUser",
}


@check
def deleted_tokens_are_gone(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A token delete that answered success took effect: the token is refused at once, and off its owner's
    list within the settle window (the list is a search: the test's end reads it again).
    """
    operation_id = ctx.operation_id
    path = case.path_parameters or {}
    token = ctx.world.fresh_tokens.get(str(path.get("tokenId")))
    # The owner is in the path, or (contract 2's /api/v1/me/api-tokens) the suite's own identity.
    if (
        operation_id not in TOKEN_LISTS
        or response.status_code >= 300
        or token is None
        or token.owner_id != path.get("id", token.owner_id)
    ):
        return
    run, deleted = ctx.run, ctx.exchange
    lister, owner_path = TOKEN_LISTS[operation_id], {k: v for k, v in path.items() if k != "tokenId"}

    def off_the_list() -> Problem:
        listing = run.api.call(lister, owner_path)
        listed = [t.get("id") for t in listed_results(listing, f"{lister} of the token's owner")]
        if token.id not in listed:
            return None
        expected = f"token {token.id} gone from the list after {operation_id} answered {deleted.status}"
        return expected, listing, f"the delete was: {curl(deleted.request)}"

    run.pending.expect(off_the_list, key=("token gone", token.id))
    probe = run.api.call("listUsers", params={"page": 1, "size": 1}, as_=token.credentials)
    if probe.status != specs.policy().unauthenticated_status:
        raise ContractViolation(
            f"401 for the fullToken of a token deleted with {operation_id}",
            probe,
            f"the delete was: {curl(deleted.request)}",
        )
