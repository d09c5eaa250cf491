"""The WSGI application: routing from specs/, authentication, validation, dispatch."""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

import specs
from reference_server import _views as views
from reference_server._config import ServerConfig
from reference_server._crowd import Crowd
from reference_server._errors import ApiError
from reference_server._handlers import HANDLERS, Call, Reply
from reference_server._lockout import LoginTracker
from reference_server._model import Principal, User, new_id
from reference_server._password_policy import POLICIES
from reference_server._store import Store
from reference_server._validation import RequestValidator

__all__ = ["ReferenceApp"]

STATE_PATH = "/_reference/state"
#: Kestra's server configuration, outside the Users API; served only with `expose_configs`.
CONFIGS_PATH = "/api/v1/configs"


def _rule_path(path: str) -> str:
    return path.replace("{", "<").replace("}", ">")


def _credential_stamp(principal: Principal) -> bytes:
    """Changes when the principal's password does."""
    return principal.password_digest if isinstance(principal, User) else b""


class ReferenceApp:
    """A WSGI app that behaves as contract-semantics.md says a Kestra server does."""

    def __init__(self, config: ServerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        """`clock` (monotonic seconds) times lockouts and search refreshes; tests give a fake one."""
        self.config = config
        self.store = Store(config, clock)
        self.logins = LoginTracker(config.lockout, clock)
        self.operations = {op.operation_id: op for op in specs.operations(include_setup=True)}
        missing = self.operations.keys() - HANDLERS.keys()
        if missing:
            raise RuntimeError(f"no handler for {sorted(missing)}")
        self.validator = RequestValidator(
            specs.openapi(), config.lenient_required, config.invalid_input_status, config.faults
        )
        self.routes = Map(
            [
                Rule(_rule_path(op.path), methods=[op.method], endpoint=op.operation_id)
                for op in self.operations.values()
            ]
            + [Rule(STATE_PATH, methods=["GET"], endpoint="_state")]
            + ([Rule(CONFIGS_PATH, methods=["GET"], endpoint="_configs")] if config.expose_configs else []),
            merge_slashes=False,
            strict_slashes=False,
        )
        self.admin = self.store.add_user(
            User(
                id=new_id(),
                super_admin=True,
                email=config.admin_username,
                first_name="Admin",
                tenants=list(config.tenants),
            )
        )
        self.admin.set_password(config.admin_password)
        #: Other people's users and, once started, their activity.
        self.crowd = (
            Crowd(self.store, config.crowd, config.crowd_rate, config.crowd_seed)
            if config.crowd or config.crowd_rate
            else None
        )
        #: Authorization header -> (principal, credential stamp); only filled by the login-cache faults.
        self._login_cache: dict[str, tuple[Principal, bytes]] = {}
        #: Ids (password logins) or tokens seen acting as superadmin; only the `demoted-…` faults fill it.
        self._known_superadmins: set[str] = set()
        #: Ids (password logins) or tokens seen acting without rights; only the `promoted-…` faults fill it.
        self._known_plain: set[str] = set()
        #: Every request, for benchmarks that compare engines by what the server saw.
        self.requests_served = 0
        self._count_lock = threading.Lock()

    def start(self) -> None:
        """Start what runs beside the requests (the crowd's activity); `close()` stops it."""
        if self.crowd is not None:
            self.crowd.start()

    def close(self) -> None:
        if self.crowd is not None:
            self.crowd.stop()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._count_lock:
            self.requests_served += 1
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        try:
            adapter = self.routes.bind_to_environ(request.environ)
            endpoint, path = adapter.match()
            if endpoint == "getUser" and self.config.has("skip-auth-get-user"):
                principal: Principal = self.admin  # the route was left out of the secured paths
            else:
                principal = self._authenticate(request)
            if endpoint == "_state":
                return self._state(principal)
            if endpoint == "_configs":
                return self._configs()
            return self._call(request, str(endpoint), dict(path), principal)
        except ApiError as error:
            return self._error(error.status, error.message)
        except MethodNotAllowed as error:
            if self.config.has("method-not-allowed-500"):
                return self._error(500, "Internal server error")  # no handler for 405: the last resort answers
            response = self._error(405, "Method not allowed")
            response.headers["Allow"] = ", ".join(error.valid_methods or [])
            return response
        except NotFound:
            return self._error(404, "Not found")
        except HTTPException as error:
            return self._error(error.code or 400, error.description or "Bad request")
        except Exception:
            # What a real server's last-resort handler does; a conforming server never gets here.
            return self._error(500, "Internal server error")

    # -- steps -----------------------------------------------------------------

    def _authenticate(self, request: Request) -> Principal:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        principal: Principal | None = None
        with self.store.lock:
            cached = self._cached_login(header)
            if cached is not None:
                return cached
            if scheme.lower() == "basic":
                try:
                    decoded = base64.b64decode(credentials.strip(), validate=True).decode()
                except (binascii.Error, UnicodeDecodeError):
                    decoded = ""
                username, sep, password = decoded.partition(":")
                if sep:
                    principal = self._password_login(username, password)
            elif scheme.lower() == "bearer" and credentials.strip():
                principal = self.store.principal_by_token(credentials.strip())
        if principal is None:
            raise ApiError(401, "Unauthorized")
        self._remember_login(scheme.lower(), header, principal)
        return principal

    def _password_login(self, username: str, password: str) -> User | None:
        """Basic auth: a wrong password for an existing account counts towards its lockout."""
        user = self.store.principal_by_password(username, password)
        if user is None:
            if self.store.user_by_username(username) is not None:
                self.logins.failed(username)
            return None
        if self.logins.locked(username):
            return None  # even the right password, while the lock lasts
        return user

    def _remember_login(self, scheme: str, header: str, principal: Principal) -> None:
        """A login cache, as servers add for speed; the faults forget to evict it on deletion."""
        token_fault = "sa-deleted-token-still-valid" if principal.is_service_account else "deleted-token-still-valid"
        if (scheme == "basic" and self.config.has("deleted-user-still-logs-in")) or (
            scheme == "bearer" and self.config.has(token_fault)
        ):
            self._login_cache[header] = (principal, _credential_stamp(principal))

    def _cached_login(self, header: str) -> Principal | None:
        """A cached principal, still valid while its password is unchanged.

        A cached basic login survives its user's deletion; a cached bearer login survives its
        token's deletion, but not its owner's (the owner is looked up again).
        """
        entry = self._login_cache.get(header)
        if entry is None or entry[1] != _credential_stamp(entry[0]):
            return None
        principal = entry[0]
        if header.lower().startswith("bearer ") and principal.id not in {
            **self.store.users,
            **self.store.service_accounts,
        }:
            return None
        return principal

    def _is_superadmin(self, principal: Principal, header: str) -> bool:
        """Whether `principal` acts as a superadmin. The role-cache faults cache it per password login
        (keyed by the principal) or per token (keyed by the credential), never evicted.
        """
        basic = header.lower().startswith("basic ")
        key = principal.id if basic else header
        plain_fault = "promoted-stays-plain" if basic else "promoted-token-stays-plain"
        power_fault = "demoted-keeps-power" if basic else "demoted-token-keeps-power"
        if key in self._known_plain:
            return False
        if not principal.super_admin and self.config.has(plain_fault):
            self._known_plain.add(key)  # a role cache that promotion does not evict
        if principal.super_admin:
            if self.config.has(power_fault):
                self._known_superadmins.add(key)  # a role cache that demotion does not evict
            return True
        return key in self._known_superadmins

    def _call(self, request: Request, operation_id: str, path: dict[str, str], principal: Principal) -> Response:
        operation = self.operations[operation_id]
        header = request.headers.get("Authorization", "")
        bearer_user = header.lower().startswith("bearer ") and not principal.is_service_account
        open_to_all = (
            (operation_id in specs.policy().open_to_any_identity and not self.config.has("me-password-superadmin-only"))
            or (
                operation.method == "GET"
                and header.lower().startswith("basic ")
                and self.config.has("non-superadmin-allowed")
            )
            or (bearer_user and self.config.has("plain-token-allowed"))  # "a token is an admin's tool"
        )
        if not open_to_all and not self._is_superadmin(principal, header):
            raise ApiError(403, "Forbidden")
        query = self.validator.query(operation, request.args)
        body = self._body(request, operation) if "requestBody" in operation.definition else None
        with self.store.lock:
            call = Call(self.store, self.config, principal, path, query, body)
            reply = HANDLERS[operation_id](call)
        return self._reply(reply)

    def _body(self, request: Request, operation: specs.Operation) -> Any:
        if request.mimetype != "application/json":
            raise ApiError(415, f"Unsupported media type '{request.mimetype}'")
        try:
            body = json.loads(request.get_data())
        except (ValueError, UnicodeDecodeError):
            if not self.config.has("malformed-json-accepted"):
                raise ApiError(self.config.invalid_input_status, "Malformed JSON") from None
            body = {}  # "treat an unreadable body as empty"
        self.validator.body(operation, body)
        return body

    def _state(self, principal: Principal) -> Response:
        """A snapshot of everything held, for the project's own tests (not part of the API)."""
        if not principal.super_admin:
            raise ApiError(403, "Forbidden")
        with self.store.lock:
            now = time.time()
            state = {
                "users": {
                    u.id: {**views.user(self.store, u), "tokens": [t.summary(now) for t in u.tokens.values()]}
                    for u in self.store.users.values()
                },
                "serviceAccounts": {
                    a.id: {
                        **views.service_account_detail(self.store, a),
                        "tokens": [t.summary(now) for t in a.tokens.values()],
                    }
                    for a in self.store.service_accounts.values()
                },
                "groups": {g.id: {**views.group_detail(g), "tenant": g.tenant} for g in self.store.groups.values()},
                "requestsServed": self.requests_served,
                "logins": self.logins.snapshot(),
                "loginWindowSeconds": self.logins.window,
            }
        return self._json(200, state)

    def _configs(self) -> Response:
        """Part of what Kestra's GET /api/v1/configs shows: the password policy in force, if any."""
        configs: dict[str, Any] = {"edition": "EE", "isBasicAuthEnabled": True}
        policy = POLICIES[self.config.password_policy]
        if policy is not None:
            configs["passwordRegexp"] = policy.regexp
        return self._json(200, configs)

    # -- responses -------------------------------------------------------------

    def _reply(self, reply: Reply) -> Response:
        if reply.body is None:
            return self._empty(reply.status)
        return self._json(reply.status, reply.body, reply.content_type)

    @staticmethod
    def _empty(status: int) -> Response:
        response = Response(b"", status=status)
        del response.headers["Content-Type"]
        return response

    @staticmethod
    def _json(status: int, body: Any, content_type: str = "application/json") -> Response:
        return Response(json.dumps(body), status=status, content_type=content_type)

    def _error(self, status: int, message: str) -> Response:
        style = self.config.auth_error_body if status in (401, 403) else self.config.error_body
        if status == 404 and self.config.has("error-without-message"):
            spring = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "status": status, "error": "Not Found"}
            response = self._json(status, spring)
        elif status == 404 and self.config.has("error-body-html"):
            page = f"<html><body><h1>{status} Not Found</h1><p>{escape(message)}</p></body></html>"
            response = Response(page, status=status, content_type="text/html; charset=utf-8")
        elif style == "empty":
            response = self._empty(status)
        elif style == "problem":
            problem = {"type": "about:blank", "title": message, "status": status, "detail": message}
            response = self._json(status, problem, "application/problem+json")
        else:
            response = self._json(status, {"message": message})
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="Kestra"'
        return response
