"""Run one schemathesis case against the target: arrange, guard, send, check, record.

The schema is the refined description from specs/, limited to the Users operations
(setup operations carry the `Setup` tag and are never fuzzed).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import requests
import schemathesis
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

import specs
from contract.fuzz._checks import Check, error_body_shape, policy_checks
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

#: schemathesis's own checks that hold for every conforming server. Its status-code,
#: positive/negative acceptance and auth checks are replaced by policy-aware ones.
SCHEMA_CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


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


#: Token delete operation -> the list that must no longer show the token.
_TOKEN_LISTS = {
    "deleteApiToken_1": "listApiTokens_1",
    "deleteApiToken": "listApiTokens",
    "deleteApiTokenWithTenant": "listApiTokensWithTenant",
}


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
        self.session = requests.Session()

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
        response, exchange = self._send(operation, case, prepared, credentials.header)
        self.book_created(operation, case.path_parameters or {}, case.body, exchange)
        checks = [
            *SCHEMA_CHECKS,
            *policy_checks(operation, prepared, self.run.findings, lambda: curl(exchange.request)),
        ]
        recorded = [self._recorded(operation.operation_id, check) for check in checks]
        case.validate_response(response, checks=recorded, headers={"Authorization": credentials.header})
        if operation.operation_id in _TOKEN_LISTS and response.status_code < 300:
            self._expect_token_gone(operation, case.path_parameters or {}, exchange)

    def _expect_token_gone(self, operation: specs.Operation, path: dict[str, Any], deleted: Exchange) -> None:
        """A delete that answered success took effect: the token is off its owner's list and refused."""
        token = self.world.fresh_tokens.get(str(path.get("tokenId")))
        if token is None or token.owner_id != path.get("id"):
            return
        lister, owner_path = _TOKEN_LISTS[operation.operation_id], {k: v for k, v in path.items() if k != "tokenId"}

        def off_the_list() -> Problem:
            listing = self.run.api.call(lister, owner_path)
            payload = listing.json() if listing.status == 200 else {}
            listed = [t.get("id") for t in payload.get("results", [])] if isinstance(payload, dict) else []
            if token.id not in listed:
                return None
            expected = f"token {token.id} gone from the list after {operation.operation_id} answered {deleted.status}"
            return expected, listing, f"the delete was: {curl(deleted.request)}"

        # The list is a search: it may show the delete late; the test's end reads it again.
        self.run.pending.expect(off_the_list, key=("token gone", token.id))
        probe = self.run.api.call("listUsers", params={"page": 1, "size": 1}, as_=token.credentials)
        if probe.status != specs.policy().unauthenticated_status:
            raise ContractViolation(
                f"401 for the fullToken of a token deleted with {operation.operation_id}",
                probe,
                f"the delete was: {curl(deleted.request)}",
            )

    def _recorded(self, operation_id: str, check: Check) -> Check:
        """The same check, counted in the run's record as run, and as failed when it raises."""
        record = self.run.record

        def recorded(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
            try:
                result = check(ctx, response, case)
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
        response, exchange = self._send(operation, case, prepared, header)
        self.book_created(operation, case.path_parameters or {}, case.body, exchange)
        expected = specs.policy().unauthenticated_status
        if response.status_code != expected:
            raise ContractViolation(f"status {expected} for a request with {variant} credentials", exchange)
        case.validate_response(response, checks=[not_a_server_error, error_body_shape])

    def _send(
        self, operation: specs.Operation, case: Case[Any], prepared: Prepared, authorization: str | None
    ) -> tuple[Response, Exchange]:
        self._apply(case, prepared)
        api = self.run.api
        # An invalid body too may be accepted by a lenient server: tamed, it passes the guard whole.
        if not prepared.positive:
            case.body = api.guard.tame(operation.operation_id, case.body)
        as_suite = authorization == self.run.target.credentials.header
        api.vet(operation, case.path_parameters or {}, body=case.body, authorization=authorization, as_suite=as_suite)
        # schemathesis sanitizes the request it records: note the real secrets first.
        self.run.secrets.note_body(case.body)
        self.run.secrets.add(*prepared.secrets)
        headers = {"Authorization": authorization} if authorization else {}
        response = self._call(operation.operation_id, case, headers)
        exchange = _as_exchange(operation.operation_id, response)
        api.notify(exchange)
        return response, exchange

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
                    lambda: case.call(
                        base_url=self.run.target.base_url, session=self.session, headers=headers, timeout=api.timeout
                    ),
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
            self._forget_resolved_delete(operation_id, case.path_parameters or {})
            give_up(UnstableTarget(f"the answer was lost; read back: {answer.how}; nothing to check", where=where))
        return answer

    def _forget_resolved_delete(self, operation_id: str, path: dict[str, Any]) -> None:
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
        if status == operation.success_status:
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
        ledger = self.run.ledger
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
        elif op == "deleteUser":
            ledger.forget("user", path["id"])
        elif op.startswith("deleteApiToken"):
            ledger.forget("token", path["tokenId"])

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
