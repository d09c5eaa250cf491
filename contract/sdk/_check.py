"""One documented operation, called through the installed SDK, judged in the matrix's words.

A call `works` when the SDK sends it, the server answers the documented success status,
the SDK returns its declared type without a validation error, that type also accepts the
raw JSON when validated strictly (hand-written clients fall back to an unvalidated model
silently), and the parsed value agrees with the raw JSON field by documented field.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
import typing
from typing import Any
from urllib.parse import quote

import httpx
import pydantic
import requests
import urllib3

import specs
from contract.harness import (
    READ_OPERATIONS,
    Answer,
    Credentials,
    Exchange,
    OutcomeUnknown,
    Run,
    UnstableTarget,
    Verdict,
    give_up,
    infrastructure_reason,
    resolving,
    send_with_retries,
    write_of,
)
from contract.sdk._args import ArgumentError, build_arguments, model_class, unwrap
from contract.sdk._client import Sdk, SdkCall, SdkClient, SdkMethod
from contract.sdk._compare import disagreements, dump, resolve
from contract.sdk._outcome import Outcome, Result, mask_secrets, short, validation_summary
from contract.sdk._routes import elsewhere
from contract.sdk._scenarios import Scenario, arrange, unknown_id

__all__ = ["check_call", "check_unknown_id", "sdk_method_for"]


def sdk_method_for(sdk: Sdk, operation: specs.Operation) -> SdkMethod | None:
    return sdk.method_for((operation.method, operation.path))


def _missing(sdk: Sdk, operation: specs.Operation) -> Result:
    offered = elsewhere(sdk.module, (operation.method, operation.path), skip=sdk.api_classes.values())
    detail = f"no API of KestraClient has a method for {operation.method} {operation.path}"
    if offered:
        detail += f" (kestrapy.{', kestrapy.'.join(offered)} has one, but KestraClient does not offer it)"
    return Result(Outcome.MISSING, detail)


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


def _typed_statuses(method: Any) -> list[str]:
    """The statuses a generated method deserializes a body for, read from its source."""
    try:
        source = inspect.getsource(method)
    except (OSError, TypeError):
        return []
    return re.findall(r"'(\d{3})': \"\w", source)


def _is_argument_error(error: pydantic.ValidationError, method: SdkMethod) -> bool:
    """validate_call names the method in its errors; a model names itself."""
    return method.name in str(error.title)


#: What the SDKs' transports raise when no HTTP answer came back (generated clients use urllib3).
#: Not requests' JSONDecodeError, a RequestException too: a body the SDK cannot read is a finding.
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    urllib3.exceptions.HTTPError,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _answer(operation: specs.Operation, result: SdkCall | Exception) -> Answer:
    """What the retry logic sees: a success, or the status, headers and body an ApiException carries."""
    if isinstance(result, SdkCall):
        return Answer(result.status or operation.success_status, "", b"")
    headers = getattr(result, "headers", None) or {}

    def header(name: str) -> str | None:
        value = headers.get(name) or headers.get(name.title()) if hasattr(headers, "get") else None
        return None if value is None else str(value)

    return Answer(
        int(getattr(result, "status", 0) or 0), header("content-type") or "", _raw_of(result), header("retry-after")
    )


def _raw_of(error: BaseException) -> bytes:
    body = getattr(error, "body", None) or b""
    return body if isinstance(body, bytes) else str(body).encode()


class _Witness:
    """What the SDK sent and saw, told to the run as if the suite had sent it itself.

    The SDK's requests do not go through `Api.call`, so nothing else would tell the run's
    observers: the SecretBook of a `fullToken` the SDK received or a password it sent (a
    failure text that quotes them would reach junit.xml unmasked), the login book of a
    password login the SDK made, the identity watch of a 401, the record of the request.
    """

    def __init__(self, run: Run, operation: specs.Operation, scenario: Scenario, credentials: Credentials) -> None:
        self.run, self.operation, self.scenario = run, operation, scenario
        self.authorization = credentials.header if credentials.username or credentials.token else None
        # Before the call: a crash inside the SDK is masked too.
        run.secrets.add(credentials.password, credentials.token)
        run.secrets.note_body(scenario.body)

    def saw(self, status: int | None, raw: bytes | None) -> None:
        if raw:
            with contextlib.suppress(ValueError):
                self.run.secrets.note_body(json.loads(raw))
        if isinstance(status, int) and status:
            self.run.api.notify(self._exchange(status, raw))

    def _exchange(self, status: int, raw: bytes | None) -> Exchange:
        """The call as the run's observers read an exchange of `Api.call`."""
        run, operation, scenario = self.run, self.operation, self.scenario
        path = {"tenant": run.target.tenant, **scenario.path}
        url = run.target.base_url + operation.path.format_map(
            {k: quote(str(v), safe="") for k, v in path.items()} | _Unfilled()
        )
        headers = {"Authorization": self.authorization} if self.authorization else {}
        body = {"json": scenario.body} if scenario.body is not None else {}
        request = httpx.Request(operation.method, url, params=scenario.query or None, headers=headers, **body)
        return Exchange(operation.operation_id, request, httpx.Response(status, content=raw or b""))


class _Unfilled(dict[str, str]):
    """A path parameter the scenario did not name stays a template in the recorded URL."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _steady_call(
    sdk: Sdk,
    run: Run,
    operation: specs.Operation,
    client: SdkClient,
    method: SdkMethod,
    arguments: dict[str, Any],
    witness: _Witness,
) -> SdkCall:
    """`client.call` with the harness's retries: a gateway page or a timeout is not the SDK's fault, nor the API's.

    A change whose answer was lost is read back (`resolving`) and sent again if it was not made; one
    found made leaves the SDK nothing to parse, so the test cannot conclude.
    """
    where = f"{operation.operation_id} through the SDK"
    safe = operation.operation_id in READ_OPERATIONS

    def attempt() -> SdkCall | Exception:
        try:
            call = client.call(method, arguments)
        except sdk.api_exception as error:
            failed: Exception = error  # type: ignore[assignment]
            if infrastructure_reason(_answer(operation, failed)) is None:  # a gateway's page is not the API's answer
                witness.saw(getattr(error, "status", None), _raw_of(error) or client.last_body)
            return failed
        except Exception:
            witness.saw(client.last_status, client.last_body)
            raise
        witness.saw(call.status, call.body)
        return call

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
        scenario = witness.scenario
        write = write_of(run.api, operation.operation_id, scenario.path, scenario.body, witness.authorization)
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
    sdk: Sdk,
    run: Run,
    operation: specs.Operation,
    method: SdkMethod,
    scenario: Scenario,
    notes: list[str],
    unsent: list[str],
) -> SdkCall | Result:
    """Send the call through the SDK; a Result if it did not come back as a success."""
    credentials = scenario.as_ or run.target.credentials
    witness = _Witness(run, operation, scenario, credentials)
    # The same guard as every other request, body and credentials included.
    run.api.vet(
        operation, scenario.path, body=scenario.body, authorization=witness.authorization, as_suite=scenario.as_ is None
    )
    with sdk.client(run.target.base_url, credentials, run.target.network) as client:
        try:
            built = build_arguments(
                client.bound(method), scenario.path, scenario.query, scenario.body, _body_schema(operation)
            )
        except ArgumentError as error:
            return Result(Outcome.ERROR, f"cannot build the call {method}(...): {error}")
        except pydantic.ValidationError as error:
            return Result(Outcome.ERROR, f"cannot build the call {method}(...): {validation_summary(error)}")
        notes.extend(built.notes)
        unsent.extend(name for name in built.unsent if name in _query_params(operation))
        raw: bytes | None = None
        try:
            call = _steady_call(sdk, run, operation, client, method, built.arguments, witness)
            raw = call.body
            return call
        except sdk.api_exception as error:
            status = getattr(error, "status", None)
            return Result(Outcome.ERROR, f"{method} raised {type(error).__name__} {status}: {_body_of(error)}")
        except pydantic.ValidationError as error:
            if _is_argument_error(error, method):
                return Result(Outcome.ERROR, f"{method} rejected its arguments: {validation_summary(error)}")
            return Result(Outcome.UNPARSED, f"{method} could not parse the response: {validation_summary(error)}")
        except Exception as error:
            if type(error).__name__ == "JSONDecodeError":  # json's, simplejson's or requests' own
                return Result(Outcome.UNPARSED, f"{method} could not read the response as JSON: {error}")
            return Result(Outcome.ERROR, f"{method} raised {type(error).__name__}: {_cut(str(error), 500)}")
        finally:
            scenario.record(raw if raw is not None else client.last_body)


def _cut(text: str, limit: int) -> str:
    """Masked first, then cut (see _short)."""
    return mask_secrets(text)[:limit]


def _body_of(error: BaseException) -> str:
    body = getattr(error, "body", None)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return _cut(text, 300)


def _judge(operation: specs.Operation, api_class: type, method: Any, call: SdkCall) -> Result:
    allowed = specs.success_statuses(operation.operation_id)
    if call.status is not None and call.status not in allowed:
        return Result(Outcome.ERROR, f"the server answered {call.status}, documented {operation.success_status}")
    if call.status is not None and 300 <= call.status < 400 and call.status != operation.success_status:
        # A redirect the contract allows (impersonate's 303): there is no documented body to read.
        followed = f" followed it to a {call.redirected_to} and" if call.redirected_to else ""
        returned = short(dump(call.value))
        note = f"the server answered {call.status}, which the contract allows; the SDK{followed} returned {returned}"
        return Result(Outcome.WORKS, notes=[note])
    schema = _response_schema(operation)
    if schema is None:
        return Result(Outcome.WORKS)
    if not call.body:
        return Result(Outcome.ERROR, "the documented response body is empty")
    try:
        raw = json.loads(call.body)
    except ValueError as error:
        kind = f"a {call.content_type} body" if call.content_type else "a body"
        return Result(Outcome.ERROR, f"the SDK got {kind} that is not JSON: {error}")
    declared = unwrap(_return_type(method))
    problem = _strict_parse(declared, raw)
    if problem:
        return Result(Outcome.UNPARSED, problem)
    differences = disagreements(dump(call.value), raw, schema, specs.openapi())
    if differences:
        shown = "; ".join(differences[:5]) + (f"; and {len(differences) - 5} more" if len(differences) > 5 else "")
        typed = _typed_statuses(getattr(api_class, f"{method.__name__}_with_http_info", method))
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
        except pydantic.ValidationError as error:
            # Never pydantic's own text: it cuts long inputs in the middle, leaving a token's tail keyless.
            return f"{model.__name__} does not accept the response: {validation_summary(error)}"
        except (ValueError, TypeError) as error:
            return _cut(f"{model.__name__} does not accept the response: {error}", 1500)
    return None


def _masked(run: Run, result: Result) -> Result:
    """A result's words without the run's secrets: an SDK's errors echo what it could not read."""
    result.detail = run.secrets.mask(result.detail)
    result.notes = [run.secrets.mask(note) for note in result.notes]
    return result


def check_call(sdk: Sdk, run: Run, operation: specs.Operation) -> tuple[SdkMethod | None, Result]:
    """Call the operation with realistic arguments on objects this run created."""
    method = sdk_method_for(sdk, operation)
    if method is None:
        return None, _missing(sdk, operation)
    scenario = arrange(operation.operation_id, run)
    notes: list[str] = []
    unsent: list[str] = []
    answer = _invoke(sdk, run, operation, method, scenario, notes, unsent)
    if isinstance(answer, Result):
        answer.notes[:0] = notes
        return method, _masked(run, answer)
    api_class = sdk.api_class(method)
    unbound = getattr(api_class, method.name)
    result = _judge(operation, api_class, unbound, answer)
    result.notes[:0] = notes
    if result.outcome is Outcome.WORKS:
        scenario.finish()
        if unsent:
            result.notes.append(f"cannot send documented query parameter(s) {', '.join(unsent)}")
    return method, _masked(run, result)


def check_unknown_id(sdk: Sdk, run: Run, operation: specs.Operation) -> tuple[SdkMethod | None, Result]:
    """The same call on ids that do not exist must raise the SDK's ApiException with 404."""
    method = sdk_method_for(sdk, operation)
    if method is None:
        return None, _missing(sdk, operation)
    scenario = unknown_id(operation.operation_id, _path_params(operation), run)
    allowed = specs.policy().unknown_id_statuses
    credentials = run.target.credentials
    witness = _Witness(run, operation, scenario, credentials)
    # The same guard as every other request (an unknown id never names anything the run did not make).
    run.api.vet(operation, scenario.path, body=scenario.body, authorization=witness.authorization, as_suite=True)
    with sdk.client(run.target.base_url, credentials, run.target.network) as client:
        try:
            built = build_arguments(client.bound(method), scenario.path, {}, scenario.body, _body_schema(operation))
            _steady_call(sdk, run, operation, client, method, built.arguments, witness)
        except sdk.api_exception as error:
            status = getattr(error, "status", None)
            if status in allowed:
                return method, Result(Outcome.WORKS)
            return method, Result(Outcome.ERROR, f"{type(error).__name__} with status {status}, expected 404")
        except Exception as error:
            what = validation_summary(error) if isinstance(error, pydantic.ValidationError) else str(error)
            detail = f"unknown id: {method} raised {type(error).__name__} instead of ApiException: {what}"
            return method, _masked(run, Result(Outcome.ERROR, _cut(detail, 600)))
    return method, Result(Outcome.ERROR, f"unknown id: {method} returned normally, expected ApiException 404")
