"""The suite's one way to talk to the target: named operations, recorded exchanges, a safety guard.

Every request passes the SafetyGuard before it is sent, and every creation the server
confirms goes into the ledger before the caller sees the answer. Reads are sent again when
the infrastructure rather than the API answered (`_retry`); what stays unstable raises
`UnstableTarget` and is never shown to observers as an answer of the API. A new user's id,
when createUser does not say it, is looked for within the settle window (`_settle`).
A change whose answer was lost is not given up on: its outcome is read back (`_resolve`).
"""

from __future__ import annotations

import json as jsonlib
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

import specs
from contract.harness.lifecycle import Halted, Settle, UnstableTarget, give_up, in_background
from contract.harness.records import (
    CREATING_OPERATIONS,
    ContractViolation,
    Entry,
    Exchange,
    Ledger,
    MissingId,
    created_entries,
    curl,
    is_unresolved,
    unresolved_user,
)
from contract.harness.sending._guard import MISSING_PREFIX, SafetyGuard, UnsafeRequest
from contract.harness.sending._logins import LoginBook
from contract.harness.sending._lookup import users_where, users_with_email
from contract.harness.sending._passwords import (
    LOGIN_OPERATION,
    PasswordSession,
    login_succeeded,
    passwords_by_login,
    search_query,
)
from contract.harness.sending._resolve import OutcomeUnknown, Verdict, resolving, write_of
from contract.harness.sending._retry import DEFAULT_RETRY, RetryPolicy, send_with_retries
from contract.harness.sending._target import Credentials, Target, httpx_answer

__all__ = ["ANONYMOUS", "MISSING_PREFIX", "READ_OPERATIONS", "Api", "SafetyGuard", "UnsafeRequest", "missing_id"]

#: How requests with a method the path does not document are labelled in records.
UNDOCUMENTED_METHOD = "(undocumented method)"

ANONYMOUS = Credentials()
_NOT_SET: Any = object()

#: Transport errors after which the request surely never reached the server.
_NEVER_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


def missing_id(tag: str = "x") -> str:
    """An id no server holds; `tag` (letters, digits, - and _) says what it stands for."""
    return f"{MISSING_PREFIX}{tag}-{secrets.token_hex(4)}"


def _sent_body(json: Any, content: bytes | None) -> Any:
    """What the request body says, as the guard and the ledger read it."""
    if json is not _NOT_SET:
        return json
    if content:
        try:
            return jsonlib.loads(content)
        except ValueError:
            return None
    return None


@dataclass
class Api:
    target: Target
    ledger: Ledger
    guard: SafetyGuard
    observers: list[Callable[[Exchange], None]] = field(default_factory=list)
    #: Told (operation, reason) for each request that met an unstable target instead of the API.
    unstable_observers: list[Callable[[str, str], None]] = field(default_factory=list)
    #: Told (operation, "made" or "not made") each time a lost answer's outcome was read back.
    resolved_observers: list[Callable[[str, str], None]] = field(default_factory=list)
    retry: RetryPolicy = DEFAULT_RETRY
    settle: Settle = field(default_factory=Settle)
    #: Whether a search showed a new user late (then batching creations pays off).
    search_lagged: bool = False
    #: Which password logins may be sent (built from the target and guard when not given).
    logins: LoginBook | None = None
    #: Set as the run ends: a request from a background thread then raises `Halted`.
    halted: threading.Event = field(default_factory=threading.Event)
    #: Told each secret a password session carries (its cookies, its CSRF token), to mask it.
    secret_observers: list[Callable[[str], None]] = field(default_factory=list)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    #: The fullToken of each token the run made, by id: reading back whether a token still works.
    _full_tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.logins is None:
            self.logins = LoginBook(self.target.credentials, self.guard.prefix)

    @property
    def login_book(self) -> LoginBook:
        assert self.logins is not None
        return self.logins

    def vet(
        self,
        operation: specs.Operation,
        path: Mapping[str, Any],
        *,
        body: Any,
        authorization: str | None,
        as_suite: bool,
    ) -> None:
        """Raise UnsafeRequest unless this request may be sent: the guard's rules and the login budget."""
        self.guard.check(operation, path, body=body, as_suite=as_suite)
        self.login_book.check(authorization)
        if operation.operation_id == LOGIN_OPERATION:
            self.login_book.check_login(body)

    def notify(self, exchange: Exchange) -> None:
        """Every exchange, however it was sent: the login book first, then the observers."""
        self.login_book.observe(exchange.request.headers.get("Authorization"), exchange.status)
        if exchange.operation == LOGIN_OPERATION:
            self.login_book.observe_login(_sent_body(_NOT_SET, exchange.request.content), exchange.response)
        for observer in list(self.observers):
            observer(exchange)

    @property
    def client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            # Credentials go per request (as_, raw headers); the network settings come with the client.
            client = self.target.network.client(self.target.base_url)
            self._local.client = client
        return client

    @property
    def timeout(self) -> float:
        return self.target.network.timeout

    def operation(self, operation_id: str) -> specs.Operation:
        return specs.operations_by_id()[operation_id]

    def auth_headers(self, credentials: Credentials) -> dict[str, str]:
        """The headers that authenticate as `credentials` in the active contract.

        A token, or a password on 1.x, is an Authorization header. A password on 2.x is a
        fresh POST /login (each one a real attempt, counted by the login book) and its cookie
        session; a login that fails gives no credentials at all, so the request gets the 401
        a wrong basic password gets on 1.x.
        """
        if credentials is ANONYMOUS:
            return {}
        if credentials.token or not passwords_by_login():
            return {"Authorization": credentials.header}
        session = self.password_session(credentials.username or "", credentials.password or "")
        return session.headers if session is not None else {}

    def password_session(self, username: str, password: str) -> PasswordSession | None:
        """2.x: log in with a password (POST /login); the session it opened, or None when refused."""
        exchange = self.call(LOGIN_OPERATION, json={"username": username, "password": password}, as_=ANONYMOUS)
        if not login_succeeded(exchange.response):
            return None
        session = PasswordSession.after_login(self.client, exchange.response)
        self.client.cookies.clear()
        for secret in session.secrets:
            for observer in self.secret_observers:
                observer(secret)
        return session

    def call(
        self,
        operation_id: str,
        path: Mapping[str, str] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _NOT_SET,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        as_: Credentials | None = None,
    ) -> Exchange:
        """Send one documented operation, as the suite's identity unless `as_` or an Authorization header differ."""
        exchange, path, body = self._exchange(operation_id, path, params, json, content, headers, as_)
        if exchange.resolved:
            return exchange  # no answer of the API: nothing to book or to observe
        if operation_id in CREATING_OPERATIONS and exchange.response.is_success:
            exchange = self.book_creation(exchange, path, body)
        self.notify(exchange)
        return exchange

    def create_users(self, bodies: Sequence[dict[str, Any]]) -> list[Exchange]:
        """CreateUser for each body, as `call` would; the ids of those created without an answer body are
        found together, so a lagging search is waited for once for all of them, not once per user.
        """
        sent = [self._exchange("createUser", None, None, body, None, None, None) for body in bodies]
        unnamed = [str(body["email"]) for exchange, _, body in sent if _unnamed_creation(exchange)]
        held = self._hold(unnamed)
        found = self.find_users(unnamed) if unnamed else {}
        exchanges: list[Exchange] = []
        problem: ContractViolation | None = None
        for exchange, path, body in sent:
            if exchange.response.is_success and not exchange.resolved:
                try:
                    exchange = self.book_creation(exchange, path, body, lambda email: found.get(email, []))
                except ContractViolation as error:
                    problem = problem or error
            exchanges.append(exchange)
        self._release([entry for entry in held if found.get(str(entry.label))])
        for exchange in exchanges:
            if not exchange.resolved:
                self.notify(exchange)
        if problem is not None:
            raise problem
        return exchanges

    def _hold(self, emails: Sequence[str]) -> list[Entry]:
        """New users the server confirmed but whose ids a search has yet to give: written down by email
        at once, so that a run stopped during the lookup (a lost identity, Ctrl-C) still cleans them up.
        """
        return [self.ledger.record(unresolved_user(email)) for email in emails]

    def _release(self, held: Sequence[Entry]) -> None:
        for entry in held:
            self.ledger.forget("user", entry.id)

    def _exchange(
        self,
        operation_id: str,
        path: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        json: Any,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        as_: Credentials | None,
    ) -> tuple[Exchange, dict[str, str], Any]:
        """Vet and send one operation: the exchange, the path it was sent to and the body as read."""
        operation = self.operation(operation_id)
        path = dict(path or {})
        if "tenant" in operation.path and "tenant" not in path:
            path["tenant"] = self.target.tenant
        if operation_id == "listUsers" and params is not None:
            params = search_query(dict(params))
        sent_headers = httpx.Headers(headers or {})
        credentials = self.target.credentials if as_ is None else as_
        if credentials is not ANONYMOUS and "Authorization" not in sent_headers and "Cookie" not in sent_headers:
            sent_headers.update(self.auth_headers(credentials))
        body = _sent_body(json, content)
        authorization = sent_headers.get("Authorization")
        self.vet(
            operation,
            path,
            body=body,
            authorization=authorization,
            as_suite=authorization == self.target.credentials.header,
        )
        url = operation.path.format(**{k: quote(str(v), safe="") for k, v in path.items()})
        kwargs: dict[str, Any] = {"params": params, "headers": sent_headers}
        if json is not _NOT_SET:
            kwargs["json"] = json
        elif content is not None:
            kwargs["content"] = content
        request = self.client.build_request(operation.method, url, **kwargs)
        safe = operation.method == "GET" or operation_id in READ_OPERATIONS or _aims_at_missing(path)
        if safe:
            return Exchange(operation_id, request, self.send(operation_id, request, safe=True)), path, body
        write = write_of(self, operation_id, path, body, authorization)
        answer = resolving(
            self, write, lambda: self.send(operation_id, request, safe=False), on_resolved=self.tell_resolved
        )
        if isinstance(answer, Verdict):
            return self._resolved_exchange(operation, request, answer), path, body
        return Exchange(operation_id, request, answer), path, body

    def tell_resolved(self, operation: str, outcome: str) -> None:
        for observer in self.resolved_observers:
            observer(operation, outcome)

    @staticmethod
    def _resolved_exchange(operation: specs.Operation, request: httpx.Request, verdict: Verdict) -> Exchange:
        """A change whose answer was lost but which the server was seen to have made: the documented
        success, without a body (callers check `resolved` before reading one).
        """
        response = httpx.Response(operation.success_status, request=request)
        return Exchange(operation.operation_id, request, response, created=verdict.created, resolved=verdict.how)

    def send(self, operation: str, request: httpx.Request, *, safe: bool) -> httpx.Response:
        """Send `request`, again if safe; an unstable target is reported and ends the example or test.

        A change that the server may have made before its answer was lost raises `OutcomeUnknown`
        instead, for `_resolve` to read back.
        """
        if self.halted.is_set() and in_background():
            raise Halted(f"run ending: {operation} not sent")

        def once() -> httpx.Response:
            response = self.client.send(request)
            response.read()
            # Never carry a cookie to the next request: a session (a login's, an impersonation's)
            # may take precedence over the Authorization header on a real server.
            self.client.cookies.clear()
            return response

        try:
            return send_with_retries(
                once,
                httpx_answer,
                safe=safe,
                transport_errors=(httpx.TransportError,),
                never_sent=_NEVER_SENT,
                policy=self.retry,
            )
        except UnstableTarget as error:
            for observer in self.unstable_observers:
                observer(operation, error.reason)
            where = f"{operation}\n{curl(request)}"
            if error.maybe_applied:
                raise OutcomeUnknown(error.reason, unreachable=error.unreachable, where=where) from None
            give_up(UnstableTarget(error.reason, unreachable=error.unreachable, where=where))

    def book_creation(
        self,
        exchange: Exchange,
        path: Mapping[str, str],
        body: Any,
        find_user_ids: Callable[[str], list[str]] | None = None,
    ) -> Exchange:
        """Write what a confirmed creation made to the ledger before anything can fail.

        A user the server made but no listing shows (within the settle window), or a duplicate
        it should have refused, is still written down (by email, or each copy), then reported
        as a violation.
        """
        payload = exchange.payload()
        email = body.get("email") if isinstance(body, dict) else None
        unnamed = exchange.operation == "createUser" and isinstance(email, str) and _unnamed_creation(exchange)
        held = self._hold([str(email)] if unnamed else [])
        try:
            entries = created_entries(exchange.operation, path, body, payload, find_user_ids or self.find_user_ids)
        except MissingId as error:
            raise ContractViolation("the id of what the request created", exchange, str(error)) from None
        recorded = [self.ledger.record(entry) for entry in entries]
        full_token = payload.get("fullToken") if isinstance(payload, dict) else None
        if recorded and recorded[0].kind == "token" and isinstance(full_token, str):
            self._full_tokens[recorded[0].id] = full_token
        self._release([entry for entry in held if not any(is_unresolved(r) for r in recorded)])
        email = recorded[0].label
        if is_unresolved(recorded[0]):
            raise ContractViolation(
                f"the new user {email} on some page of listUsers after {exchange.operation}",
                exchange,
                f"not shown within the {self.settle.window:g} s settle window",
            )
        if len(recorded) > 1:
            raise ContractViolation(
                f"exactly one user with username {email} after {exchange.operation}",
                exchange,
                f"{len(recorded)} users carry it: {', '.join(e.id for e in recorded)}",
            )
        return replace(exchange, created=recorded[0])

    def full_token(self, token_id: str) -> str | None:
        """The fullToken the server gave when it made this token for the run, if it did."""
        return self._full_tokens.get(token_id)

    def token_owner(self, full_token: str) -> str | None:
        """The owner id of a token the run made, by its fullToken."""
        for token_id, known in list(self._full_tokens.items()):
            if known == full_token:
                entry = self.ledger.find("token", token_id)
                return entry.parent if entry is not None else None
        return None

    def credential_works(self, credentials: Credentials) -> bool:
        """Whether the server accepts `credentials` (any answer but 401 to a read of an id that cannot
        exist). A password login goes through the login book: a failure counts against its budget.
        """
        return self.call("getUser", {"id": missing_id("probe")}, as_=credentials).status != 401

    def find_user_ids(self, email: str) -> list[str]:
        """The ids of the users whose username is `email` (without case), once search shows them."""
        return self.find_users([email])[email]

    def find_users(self, emails: Sequence[str]) -> dict[str, list[str]]:
        """Email -> ids of the users with that username (without case), never trusting `q` alone.

        `q=<email>` is read again for all of them together until each shows (a search may
        lag: one wait for all, within the settle window); an email it never shows is then
        looked for on every page of the whole list. Only a username that carries the run
        prefix is ever the run's: an email without it finds no one (`users_now`).
        """
        runs = [email for email in emails if self._runs(email)]
        settled = self.settle.until(lambda: self.users_now(runs), lambda ids: all(ids.values()))
        if settled.waited:
            self.search_lagged = True
        found: dict[str, list[str]] = {email: [] for email in emails}
        found.update(settled.value)
        for email in [e for e in runs if not found[e]]:
            found[email] = users_with_email(self, email, self.guard.prefix)
        return found

    def users_now(self, emails: Sequence[str]) -> dict[str, list[str]]:
        """Email -> ids of the users `q=<email>` shows with exactly that username, now (no waiting).

        The username must also start with the run prefix as written, so that matching without
        case never takes someone else's account on a server that tells letter cases apart.
        """
        prefix = self.guard.prefix

        def exact(email: str) -> Callable[[str], bool]:
            return lambda name: name.casefold() == email.casefold() and name.startswith(prefix)

        return {
            email: sorted(users_where(self, exact(email), q=email)) if self._runs(email) else [] for email in emails
        }

    def _runs(self, name: str) -> bool:
        """Whether `name` carries the run prefix: only then can it be the run's."""
        return name.startswith(self.guard.prefix)

    def adopt_users(self, email: str) -> list[Entry]:
        """Users with this run-prefixed email that a refused create made anyway: into the ledger, for cleanup."""
        if not self._runs(email):
            return []
        return [self.ledger.record(Entry("user", user_id, label=email)) for user_id in self.find_user_ids(email)]

    def send_raw(self, method: str, url: str) -> Exchange:
        """A request outside the documented operations, aimed only at ids that cannot exist."""
        named = [
            segment
            for segment in url.split("/")
            if segment and segment not in _STATIC_SEGMENTS and segment != self.target.tenant
        ]
        if method not in _SAFE_METHODS and self.guard.read_only:
            raise UnsafeRequest(f"read-only run: refusing {method} {url}")
        if method in _ID_ONLY_METHODS and not named:
            raise UnsafeRequest(f"refusing {method} {url}: a path without ids may name a whole collection")
        if method not in _SAFE_METHODS and not all(segment.startswith(MISSING_PREFIX) for segment in named):
            raise UnsafeRequest(f"refusing {method} {url}: it names ids this run did not make up")
        headers = {"Authorization": self.target.credentials.header}
        request = self.client.build_request(method, url, headers=headers)
        # Safe to repeat: a change is only ever aimed at ids that cannot exist (checked above).
        response = self.send(UNDOCUMENTED_METHOD, request, safe=True)
        exchange = Exchange(UNDOCUMENTED_METHOD, request, response)
        self.notify(exchange)
        return exchange

    def close(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()


def _aims_at_missing(path: Mapping[str, str]) -> bool:
    """The path names an id (or tenant) that cannot exist: the request finds nothing to change, so it
    may be repeated after an unstable answer.
    """
    return any(str(value).startswith(MISSING_PREFIX) for value in path.values())


def _unnamed_creation(exchange: Exchange) -> bool:
    """A createUser the server confirmed without saying the new id: it must be found by email."""
    payload = exchange.payload()
    return (
        exchange.response.is_success
        and not exchange.resolved
        and not (isinstance(payload, dict) and isinstance(payload.get("id"), str))
    )


#: Every operation of every contract version, by contract name (which the versions share).
_EVERY_OPERATION = [op for v in specs.VERSIONS for op in specs.contract(v).operations_by_id.values()]
#: Operations that change nothing, whatever their method (autocompleteUsers is a search sent as POST).
READ_OPERATIONS = frozenset({op.operation_id for op in _EVERY_OPERATION if op.method == "GET"} | {"autocompleteUsers"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Methods that act on what the path names: never sent to a path that names no id at all.
_ID_ONLY_METHODS = frozenset({"DELETE", "PUT", "PATCH"})
_STATIC_SEGMENTS = frozenset(
    segment for op in _EVERY_OPERATION for segment in op.path.split("/") if segment and "{" not in segment
)
