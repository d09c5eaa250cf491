"""One documented operation, called through the installed SDK, judged in the matrix's words.

A call `works` when the SDK sends it, the server answers the documented success status,
the SDK returns its declared type without a validation error, that type also accepts the
raw JSON when validated strictly (hand-written clients fall back to an unvalidated model
silently), and the parsed value agrees with the raw JSON field by documented field.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from typing import Any

import pydantic
import requests
import urllib3

import specs
from contract.harness import (
    READ_OPERATIONS,
    Answer,
    OutcomeUnknown,
    Run,
    UnstableTarget,
    Verdict,
    give_up,
    resolving,
    send_with_retries,
    write_of,
)
from contract.sdk._args import ArgumentError, build_arguments, model_class, unwrap
from contract.sdk._client import Sdk, SdkCall, SdkClient
from contract.sdk._compare import disagreements, dump, resolve
from contract.sdk._outcome import Outcome, Result
from contract.sdk._routes import elsewhere, match_operations, param_key
from contract.sdk._scenarios import Scenario, arrange, unknown_id

__all__ = ["check_call", "check_unknown_id", "sdk_method_for"]


def sdk_method_for(sdk: Sdk, operation: specs.Operation) -> str | None:
    documented = {operation.operation_id: (operation.method, operation.path)}
    return match_operations(sdk.routes, documented)[operation.operation_id]


def _missing(sdk: Sdk, operation: specs.Operation) -> Result:
    offered = elsewhere(sdk.module, (operation.method, operation.path), skip=[sdk.users_api])
    detail = f"{sdk.users_api.__name__} has no method for {operation.method} {operation.path}"
    return Result(Outcome.MISSING, detail + (f" (offered by {', '.join(offered)})" if offered else ""))


def _path_params(operation: specs.Operation) -> list[str]:
    return [p["name"] for p in operation.definition.get("parameters", []) if p["in"] == "path"]


def _query_params(operation: specs.Operation) -> list[str]:
    return [p["name"] for p in operation.definition.get("parameters", []) if p["in"] == "query"]


def _response_schema(operation: specs.Operation) -> dict[str, Any] | None:
    response = operation.definition["responses"][str(operation.success_status)]
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return dict(schema) if schema else None


def _body_schema(operation: specs.Operation) -> dict[str, Any] | None:
    schema = operation.definition.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return resolve(schema, specs.openapi()) if schema else None


def _return_type(method: Any) -> Any:
    try:
        return typing.get_type_hints(method).get("return", Any)
    except Exception:
        return Any


def _validation_summary(error: pydantic.ValidationError) -> str:
    """One line per problem, without pydantic's links: what, where, and the value it got."""
    problems = [
        f"{'.'.join(str(p) for p in item['loc']) or '$'}: {item['msg']} (got {_short(item.get('input'))})"
        for item in error.errors()[:3]
    ]
    more = f"; and {error.error_count() - 3} more" if error.error_count() > 3 else ""
    return f"{error.title}: " + "; ".join(problems) + more


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _typed_statuses(method: Any) -> list[str]:
    """The statuses a generated method deserializes a body for, read from its source."""
    try:
        source = inspect.getsource(method)
    except (OSError, TypeError):
        return []
    return re.findall(r"'(\d{3})': \"\w", source)


def _is_argument_error(error: pydantic.ValidationError, method_name: str) -> bool:
    """validate_call names the method in its errors; a model names itself."""
    return method_name in str(error.title)


#: What the SDKs' transports raise when no HTTP answer came back (generated clients use urllib3).
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (urllib3.exceptions.HTTPError, requests.RequestException)


def _answer(operation: specs.Operation, result: SdkCall | Exception) -> Answer:
    """What the retry logic sees: a success, or the status, headers and body an ApiException carries."""
    if isinstance(result, SdkCall):
        return Answer(result.status or operation.success_status, "", b"")
    headers = getattr(result, "headers", None) or {}

    def header(name: str) -> str | None:
        value = headers.get(name) or headers.get(name.title()) if hasattr(headers, "get") else None
        return None if value is None else str(value)

    body = getattr(result, "body", None) or b""
    raw = body if isinstance(body, bytes) else str(body).encode()
    return Answer(int(getattr(result, "status", 0) or 0), header("content-type") or "", raw, header("retry-after"))


def _steady_call(
    sdk: Sdk,
    run: Run,
    operation: specs.Operation,
    client: SdkClient,
    method_name: str,
    arguments: dict[str, Any],
    scenario: Scenario,
    authorization: str | None,
) -> SdkCall:
    """`client.call` with the harness's retries: a gateway page or a timeout is not the SDK's fault, nor the API's.

    A change whose answer was lost is read back (`resolving`) and sent again if it was not made; one
    found made leaves the SDK nothing to parse, so the test cannot conclude.
    """
    where = f"{operation.operation_id} through the SDK"
    safe = operation.operation_id in READ_OPERATIONS

    def attempt() -> SdkCall | Exception:
        try:
            return client.call(method_name, arguments)
        except sdk.api_exception as error:
            return error  # type: ignore[return-value]

    def once() -> SdkCall | Exception:
        try:
            return send_with_retries(
                attempt,
                lambda r: _answer(operation, r),
                safe=safe,
                transport_errors=_TRANSPORT_ERRORS,
                policy=run.api.retry,
            )
        except UnstableTarget as error:
            for observer in run.api.unstable_observers:
                observer(operation.operation_id, error.reason)
            if error.maybe_applied and not safe:
                raise OutcomeUnknown(error.reason, unreachable=error.unreachable, where=where) from None
            raise UnstableTarget(error.reason, unreachable=error.unreachable, where=where) from None

    if safe:
        result = once()
    else:
        write = write_of(run.api, operation.operation_id, scenario.path, scenario.body, authorization)
        answer = resolving(
            run.api, write, once, on_resolved=run.api.tell_resolved, status=lambda r: _answer(operation, r).status
        )
        if isinstance(answer, Verdict):
            give_up(UnstableTarget(f"the answer was lost; read back: {answer.how}; nothing to parse", where=where))
        result = answer
    if isinstance(result, Exception):
        raise result
    return result


def _invoke(
    sdk: Sdk, run: Run, operation: specs.Operation, method_name: str, scenario: Scenario, notes: list[str]
) -> SdkCall | Result:
    """Send the call through the SDK; a Result if it did not come back as a success."""
    credentials = scenario.as_ or run.target.credentials
    authorization = credentials.header if credentials.username or credentials.token else None
    # The same guard as every other request, body and credentials included.
    run.api.vet(
        operation, scenario.path, body=scenario.body, authorization=authorization, as_suite=scenario.as_ is None
    )
    with sdk.client(run.target.base_url, credentials) as client:
        method = getattr(client.users, method_name)
        try:
            built = build_arguments(method, scenario.path, scenario.query, scenario.body, _body_schema(operation))
        except (ArgumentError, pydantic.ValidationError) as error:
            return Result(Outcome.ERROR, f"cannot build the call {method_name}(...): {error}")
        notes.extend(built.notes)
        raw: bytes | None = None
        try:
            call = _steady_call(sdk, run, operation, client, method_name, built.arguments, scenario, authorization)
            raw = call.body
            return call
        except sdk.api_exception as error:
            status = getattr(error, "status", None)
            return Result(Outcome.ERROR, f"{method_name} raised {type(error).__name__} {status}: {_body_of(error)}")
        except pydantic.ValidationError as error:
            if _is_argument_error(error, method_name):
                return Result(Outcome.ERROR, f"{method_name} rejected its arguments: {_validation_summary(error)}")
            return Result(Outcome.UNPARSED, f"{method_name} could not parse the response: {_validation_summary(error)}")
        except Exception as error:
            if type(error).__name__ == "JSONDecodeError":  # json's, simplejson's or requests' own
                return Result(Outcome.UNPARSED, f"{method_name} could not read the response as JSON: {error}")
            return Result(Outcome.ERROR, f"{method_name} raised {type(error).__name__}: {str(error)[:500]}")
        finally:
            scenario.record(raw if raw is not None else client.last_body)


def _body_of(error: BaseException) -> str:
    body = getattr(error, "body", None)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return text[:300]


def _unsent_query(method: Any, operation: specs.Operation, scenario: Scenario) -> list[str]:
    """Documented query parameters this check wanted to send that the SDK cannot take."""
    accepted = {param_key(name) for name in inspect.signature(method).parameters}
    return [name for name in scenario.query if name in _query_params(operation) and param_key(name) not in accepted]


def _judge(operation: specs.Operation, type_owner: type, method: Any, call: SdkCall) -> Result:
    if call.status is not None and call.status != operation.success_status:
        return Result(Outcome.ERROR, f"the server answered {call.status}, documented {operation.success_status}")
    schema = _response_schema(operation)
    if schema is None:
        return Result(Outcome.WORKS)
    if not call.body:
        return Result(Outcome.ERROR, "the documented response body is empty")
    try:
        raw = json.loads(call.body)
    except ValueError as error:
        return Result(Outcome.ERROR, f"the server sent a body that is not JSON: {error}")
    declared = unwrap(_return_type(method))
    problem = _strict_parse(declared, raw)
    if problem:
        return Result(Outcome.UNPARSED, problem)
    differences = disagreements(dump(call.value), raw, schema, specs.openapi())
    if differences:
        shown = "; ".join(differences[:5]) + (f"; and {len(differences) - 5} more" if len(differences) > 5 else "")
        typed = _typed_statuses(getattr(type_owner, f"{method.__name__}_with_http_info", method))
        if call.value is None and typed and str(call.status) not in typed:
            shown += f" (the SDK reads a body only for status {', '.join(typed)}, the server answered {call.status})"
        return Result(Outcome.UNPARSED, f"the parsed value disagrees with the JSON: {shown}")
    return Result(Outcome.WORKS)


def _strict_parse(declared: Any, raw: Any) -> str | None:
    """Validate the raw JSON with the SDK's own declared model, as the generated clients do."""
    item_type = typing.get_args(declared)[0] if typing.get_origin(declared) is list else None
    model = model_class(item_type if item_type is not None else declared)
    if model is None:
        return None
    items = raw if item_type is not None and isinstance(raw, list) else [raw]
    for item in items:
        try:
            model.from_dict(item)  # type: ignore[attr-defined]
        except (pydantic.ValidationError, ValueError, TypeError) as error:
            return f"{model.__name__} does not accept the response: {error}"
    return None


def check_call(sdk: Sdk, run: Run, operation: specs.Operation) -> tuple[str | None, Result]:
    """Call the operation with realistic arguments on objects this run created."""
    method_name = sdk_method_for(sdk, operation)
    if method_name is None:
        return None, _missing(sdk, operation)
    scenario = arrange(operation.operation_id, run)
    notes: list[str] = []
    answer = _invoke(sdk, run, operation, method_name, scenario, notes)
    if isinstance(answer, Result):
        answer.notes[:0] = notes
        return method_name, answer
    method = getattr(sdk.users_api, method_name)
    result = _judge(operation, sdk.users_api, method, answer)
    result.notes[:0] = notes
    if result.outcome is Outcome.WORKS:
        scenario.finish()
        unsent = _unsent_query(method, operation, scenario)
        if unsent:
            result.notes.append(f"cannot send documented query parameter(s) {', '.join(unsent)}")
    return method_name, result


def check_unknown_id(sdk: Sdk, run: Run, operation: specs.Operation) -> tuple[str | None, Result]:
    """The same call on ids that do not exist must raise the SDK's ApiException with 404."""
    method_name = sdk_method_for(sdk, operation)
    if method_name is None:
        return None, _missing(sdk, operation)
    scenario = unknown_id(operation.operation_id, _path_params(operation), run)
    allowed = specs.policy().unknown_id_statuses
    # The same guard as every other request (an unknown id never names anything the run did not make).
    run.api.vet(
        operation,
        scenario.path,
        body=scenario.body,
        authorization=run.target.credentials.header,
        as_suite=True,
    )
    with sdk.client(run.target.base_url, run.target.credentials) as client:
        try:
            built = build_arguments(
                getattr(client.users, method_name), scenario.path, {}, scenario.body, _body_schema(operation)
            )
            authorization = run.target.credentials.header
            _steady_call(sdk, run, operation, client, method_name, built.arguments, scenario, authorization)
        except sdk.api_exception as error:
            status = getattr(error, "status", None)
            if status in allowed:
                return method_name, Result(Outcome.WORKS)
            return method_name, Result(Outcome.ERROR, f"{type(error).__name__} with status {status}, expected 404")
        except Exception as error:
            detail = f"unknown id: {method_name} raised {type(error).__name__} instead of ApiException: {error}"
            return method_name, Result(Outcome.ERROR, detail[:600])
    return method_name, Result(Outcome.ERROR, f"unknown id: {method_name} returned normally, expected ApiException 404")
