"""Run one schemathesis case against the target: arrange, guard, send, check, record.

The schema is the refined description from specs/, limited to the Users operations
(setup operations carry the `Setup` tag and are never fuzzed).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import requests
import schemathesis
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.transport import Response

import specs
from contract.fuzz._checks import error_body_shape
from contract.fuzz._registry import CheckContext, FuzzCheck, registered_checks
from contract.fuzz._world import NOT_SET, Draw, FuzzWorld, Prepared
from contract.harness import (
    ANONYMOUS,
    CREATING_OPERATIONS,
    EMAIL_OF_NO_ONE,
    MISSING_PREFIX,
    READ_OPERATIONS,
    Answer,
    ContractViolation,
    Credentials,
    Drift,
    Entry,
    Exchange,
    MissingId,
    OutcomeUnknown,
    Problem,
    Run,
    UnstableTarget,
    Verdict,
    curl,
    delete_entry,
    give_up,
    missing_id,
    rejecting_examples,
    resolving,
    run_seed,
    send_with_retries,
    short_lived,
    unresolved_user,
    write_of,
)

__all__ = ["FuzzEngine", "users_schema"]


def users_schema() -> Any:
    """The schemathesis schema of the 24 documented operations, seeded by the run."""
    config: dict[str, Any] = {
        "generation": {"mode": "all"},
        "phases": {"examples": {"enabled": False}},
        "output": {"sanitization": {"enabled": True}},
        # Path ids are always chosen by the world (real objects or missing ids): fixing them
        # here spares schemathesis from generating strings that would be thrown away.
        "parameters": {f"path.{name}": f"{MISSING_PREFIX}placeholder" for name in ("id", "tokenId", "auth", "tenant")},
        # The name and maxAge patterns make hypothesis filter a lot; that is expected here.
        "suppress-health-check": ["filter_too_much", "too_slow", "data_too_large"],
    }
    seed = run_seed()
    if seed is not None:
        config["seed"] = seed
    schema = schemathesis.openapi.from_dict(specs.openapi(), config=SchemathesisConfig.from_dict(config))
    return schema.include(tag="Users")


def _negated(case: Case[Any]) -> frozenset[str]:
    """Where the case breaks the schema: query or body.

    Path ids are always replaced by the world and the Authorization header by real
    credentials, so a case negated only there is a valid request.
    """
    meta = case.meta
    if meta is None:
        return frozenset()
    return frozenset(
        str(location.value)
        for location, info in meta.components.items()
        if info.mode.is_negative and location in (ParameterLocation.QUERY, ParameterLocation.BODY)
    )


def _operation_of(case: Case[Any]) -> specs.Operation:
    return specs.operations_by_id()[case.operation.definition.raw["operationId"]]


def _nobody() -> str:
    """A username that cannot exist: a password probe for it can lock no one out."""
    return EMAIL_OF_NO_ONE.format(missing_id("login"))


#: Bad credentials, none of which names a real account (a wrong password for one counts towards its lockout).
_BAD_CREDENTIALS: dict[str, Callable[[], str | None]] = {
    "none": lambda: None,
    "malformed": lambda: "Basic not-base64!",
    "wrong-password": lambda: Credentials(username=_nobody(), password="Wrong-0-password").header,
    "unknown-token": lambda: Credentials(token="kt_" + secrets.token_urlsafe(30)).header,
}


def _answer(response: Response) -> Answer:
    """What the retry logic sees of a schemathesis response."""

    def header(name: str) -> str | None:
        values = response.headers.get(name) or []
        return values[0] if values else None

    return Answer(response.status_code, header("content-type") or "", response.content, header("retry-after"))


def _as_exchange(operation_id: str, response: Response) -> Exchange:
    sent = response.request
    request = httpx.Request(
        str(sent.method),
        str(sent.url),
        headers={name: value if isinstance(value, str) else value.decode() for name, value in sent.headers.items()},
        content=sent.body or b"",  # type: ignore[arg-type]
    )
    headers = [(name, value) for name, values in response.headers.items() for value in values]
    return Exchange(
        operation_id, request, httpx.Response(response.status_code, headers=headers, content=response.content)
    )


class FuzzEngine:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.world = FuzzWorld(run)
        # schemathesis sends with requests: the same CA, headers and timeout as every request of the run.
        self.session = run.target.network.session()

    def execute(self, case: Case[Any], draw: Draw) -> None:
        """Send the case as the suite's identity (or the one the world chose) and check the answer.

        An example that meets an unstable target is rejected; the test goes on with others.
        """
        with self._example():
            self._execute(case, draw)

    @contextmanager
    def _example(self) -> Iterator[None]:
        """One example, counted; after it the budget's gate, unless it failed (its shrinking must go on)."""
        progress = self.run.progress
        progress.started()
        try:
            with rejecting_examples():  # an example that meets an unstable target is rejected, not failed
                yield
        except (Exception, BaseExceptionGroup):  # schemathesis's FailureGroup is a BaseExceptionGroup
            progress.failed()
            raise
        progress.finished()

    def _execute(self, case: Case[Any], draw: Draw) -> None:
        operation = _operation_of(case)
        prepared = self.world.prepare(operation.operation_id, draw, negated=_negated(case))
        credentials = prepared.as_ or self.run.target.credentials
        # A token as bearer; a password as basic (1.x) or through POST /login and its session (2.x).
        headers = self.run.api.auth_headers(credentials)
        response, exchange = self._send(operation, case, prepared, headers)
        self.book_created(operation, case.path_parameters or {}, case.body, exchange)
        context = CheckContext(self.run, self.world, operation, prepared, exchange)
        checks = [self._recorded(context, check) for check in registered_checks()]
        case.validate_response(response, checks=checks, headers=headers)

    def _recorded(self, context: CheckContext, check: FuzzCheck) -> Any:
        """The registered check as schemathesis calls it, counted in the run's record as run, and as failed."""
        record, operation_id = self.run.record, context.operation_id

        def recorded(schemathesis_ctx: Any, response: Response, case: Case[Any]) -> Any:
            try:
                result = check(replace(context, schemathesis=schemathesis_ctx), response, case)
            except AssertionError:
                record.check(operation_id, check.__name__, passed=False)
                raise
            record.check(operation_id, check.__name__, passed=True)
            return result

        recorded.__name__ = check.__name__
        return recorded

    def execute_unauthenticated(self, case: Case[Any], draw: Draw, variant: str) -> None:
        """Send the case without valid credentials: 401, whatever else is wrong with it."""
        with self._example():
            self._execute_unauthenticated(case, draw, variant)

    def _execute_unauthenticated(self, case: Case[Any], draw: Draw, variant: str) -> None:
        operation = _operation_of(case)
        prepared = self.world.prepare(operation.operation_id, draw, negated=frozenset())
        prepared.as_ = ANONYMOUS
        header = _BAD_CREDENTIALS[variant]()
        response, exchange = self._send(operation, case, prepared, {"Authorization": header} if header else {})
        self.book_created(operation, case.path_parameters or {}, case.body, exchange)
        expected = specs.policy().unauthenticated_status
        if response.status_code != expected:
            raise ContractViolation(f"status {expected} for a request with {variant} credentials", exchange)
        case.validate_response(response, checks=[not_a_server_error, error_body_shape])

    def _send(
        self, operation: specs.Operation, case: Case[Any], prepared: Prepared, headers: dict[str, str]
    ) -> tuple[Response, Exchange]:
        self._apply(case, prepared)
        if "Authorization" not in headers and case.headers:
            # A header drawn from the description's security schemes would stand beside a session cookie.
            for name in [k for k in case.headers if k.lower() == "authorization"]:
                del case.headers[name]
        api = self.run.api
        # An invalid body too may be accepted by a lenient server: tamed, it passes the guard whole.
        if not prepared.positive:
            case.body = api.guard.tame(operation.operation_id, case.body)
        authorization = headers.get("Authorization")
        as_suite = authorization == self.run.target.credentials.header
        api.vet(operation, case.path_parameters or {}, body=case.body, authorization=authorization, as_suite=as_suite)
        # schemathesis sanitizes the request it records: note the real secrets first.
        self.run.secrets.note_body(case.body)
        self.run.secrets.add(*prepared.secrets)
        response = self._call(operation.operation_id, case, headers)
        exchange = _as_exchange(operation.operation_id, response)
        api.notify(exchange)
        return response, exchange

    def _call_once(self, case: Case[Any], headers: dict[str, str]) -> Response:
        """One request, as the Api sends them: no redirect followed (2.x's impersonate answers 303), and no
        cookie kept for the next request (a session may take precedence over the Authorization header).
        """
        try:
            network = self.run.target.network
            return case.call(
                base_url=self.run.target.base_url,
                session=self.session,
                headers=headers,
                timeout=network.timeout,
                verify=network.verify,
                allow_redirects=False,
            )
        finally:
            self.session.cookies.clear()

    def _call(self, operation_id: str, case: Case[Any], headers: dict[str, str]) -> Response:
        """`case.call`, with the harness's retries and, for a change whose answer was lost, its outcome
        read back (`resolving`): the same treatment as every `Api` request. A change found made has no
        answer to check: what it created is in the ledger, and the example is rejected.
        """
        api = self.run.api
        where = f"{operation_id}\n{case.method} {case.formatted_path}"
        safe = operation_id in READ_OPERATIONS

        def once() -> Response:
            try:
                return send_with_retries(
                    lambda: self._call_once(case, headers),
                    _answer,
                    safe=safe,
                    transport_errors=(requests.RequestException,),
                    never_sent=(requests.exceptions.ConnectTimeout,),
                    policy=api.retry,
                )
            except UnstableTarget as error:
                for observer in api.unstable_observers:
                    observer(operation_id, error.reason)
                if error.maybe_applied:
                    raise OutcomeUnknown(error.reason, unreachable=error.unreachable, where=where) from None
                give_up(UnstableTarget(error.reason, unreachable=error.unreachable, where=where))

        if safe:
            return once()
        write = write_of(api, operation_id, case.path_parameters or {}, case.body, headers.get("Authorization"))
        answer = resolving(api, write, once, on_resolved=api.tell_resolved)
        if isinstance(answer, Verdict):
            self._forget_deleted(operation_id, case.path_parameters or {})
            give_up(UnstableTarget(f"the answer was lost; read back: {answer.how}; nothing to check", where=where))
        return answer

    def _forget_deleted(self, operation_id: str, path: dict[str, Any]) -> None:
        """What a delete took (as answered, or as read back) leaves the ledger."""
        if operation_id == "deleteUser":
            self.run.ledger.forget("user", str(path["id"]))
        elif operation_id.startswith("deleteApiToken"):
            self.run.ledger.forget("token", str(path["tokenId"]))

    def probe_leniency(self, operation: specs.Operation, body: dict[str, Any], *, omitted: str) -> None:
        """Send a valid body without one required field: refused, or accepted as drift."""
        self.world.ensure_pool()
        path = {"id": self.world.pool_users[0].id} if "{id}" in operation.path else {}
        exchange = self.run.api.call(operation.operation_id, path, json=body)
        status = exchange.status
        policy = specs.policy()
        if status in specs.success_statuses(operation.operation_id):
            self.book_created(operation, path, body, exchange)
            self.run.findings.drift(
                Drift(operation.operation_id, f"accepted without required field '{omitted}'", curl(exchange.request))
            )
        elif status not in policy.error_statuses or 200 <= status < 300:
            raise ContractViolation(
                f"{operation.success_status} (drift) or a policy error status {sorted(policy.error_statuses)} "
                f"for a body without required field '{omitted}'",
                exchange,
            )

    @staticmethod
    def _apply(case: Case[Any], prepared: Prepared) -> None:
        if prepared.path:
            case.path_parameters = {**(case.path_parameters or {}), **prepared.path}
        if prepared.body is not NOT_SET:
            case.body = prepared.body
        if prepared.query is not None:
            case.query = {k: v for k, v in prepared.query.items() if v is not None}

    def book_created(self, operation: specs.Operation, path: dict[str, Any], body: Any, exchange: Exchange) -> None:
        """Record what the request created in the ledger; forget what it deleted."""
        if exchange.status >= 300:
            return
        op = operation.operation_id
        if op in CREATING_OPERATIONS:
            if self._book_later(op, body, exchange):
                return
            try:
                entry = self.run.api.book_creation(exchange, path, body).created
            except ContractViolation as error:
                if isinstance(error.__cause__, MissingId) or "the id of what" in error.expected:
                    return  # the response-schema checks report a creation that says nothing of what it made
                raise
            payload = exchange.json() if exchange.response.content else None
            if entry is not None and entry.kind == "token" and isinstance(payload, dict):
                if isinstance(payload.get("fullToken"), str):
                    self.world.known_full_tokens.add(payload["fullToken"])
                if not short_lived(body):
                    # A token that outlives the run is a lasting credential: it goes in this same test.
                    delete_entry(self.run.api, entry)
        else:
            self._forget_deleted(op, path)

    def _book_later(self, operation_id: str, body: Any, exchange: Exchange) -> bool:
        """A user created without an answer body that search does not show yet: written down by email now,
        found by the test's end (within the settle window).

        A fuzz case never needs the id of the user it created, so a lagging search is not
        waited for per case, only once for the test (`Run.pending`).
        """
        email = body.get("email") if isinstance(body, dict) else None
        try:
            payload = exchange.json() if exchange.response.content else None
        except ValueError:
            payload = None
        if operation_id != "createUser" or not isinstance(email, str) or isinstance(payload, dict):
            return False
        api, ledger = self.run.api, self.run.ledger
        if api.users_now([email])[email]:
            return False  # shown already: booked at once
        placeholder = ledger.record(unresolved_user(email))

        def shown() -> Problem:
            ids = api.users_now([email])[email]
            if not ids:
                return f"the new user {email} in listUsers q=<email> after createUser", exchange, ""
            for user_id in ids:
                ledger.record(Entry("user", user_id, label=email))
            ledger.forget("user", placeholder.id)
            if len(ids) > 1:
                return f"exactly one user with username {email} after createUser", exchange, f"{ids}"
            return None

        self.run.pending.expect(shown, key=("new user", email))
        return True

    def close(self) -> None:
        self.session.close()
