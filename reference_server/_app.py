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
from reference_server._dialect import Dialect
from reference_server._errors import ApiError
from reference_server._handlers import HANDLERS, Call, Reply
from reference_server._lockout import LoginTracker
from reference_server._model import Principal, User, new_id
from reference_server._password_policy import POLICIES
from reference_server._sessions import CSRF_COOKIE, CSRF_HEADER, JWT_COOKIE, Sessions
from reference_server._store import Store
from reference_server._validation import RequestValidator

__all__ = ["ReferenceApp"]

STATE_PATH = "/_reference/state"
#: Kestra's server configuration, outside the Users API: on 1.x served only with `expose_configs`,
#: on 2.x always (to an authenticated identity, as the 2.0 description says).
CONFIGS_PATH = "/api/v1/configs"
#: Kestra 2.x's UI page: sets the CSRF cookie and repeats it in a meta tag (how Kestra's own tests get it).
UI_PATH = "/ui/"
#: The contract name of POST /login (Kestra 2.x's password login), answered here, not by a handler.
LOGIN = "login"


def _rule_path(path: str) -> str:
    return path.replace("{", "<").replace("}", ">")


def _credential_stamp(principal: Principal) -> bytes:
    """Changes when the principal's password does."""
    return principal.password_digest if isinstance(principal, User) else b""


class ReferenceApp:
    """A WSGI app that behaves as docs/contract-semantics.md says a Kestra server does."""

    def __init__(self, config: ServerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        """`clock` (monotonic seconds) times lockouts and search refreshes; tests give a fake one."""
        self.config = config
        self.store = Store(config, clock)
        self.logins = LoginTracker(config.lockout, clock)
        #: What differs between Kestra 1.x and 2.x (contract versions 1 and 2).
        self.dialect = Dialect(config)
        self.contract = self.dialect.contract
        self.operations = {op.operation_id: op for op in self.contract.operations(include_setup=True)}
        missing = self.operations.keys() - HANDLERS.keys() - {LOGIN}
        if missing:
            raise RuntimeError(f"no handler for {sorted(missing)}")
        self.validator = RequestValidator(
            self.contract.openapi(),
            config.lenient_required,
            config.invalid_input_status,
            config.faults,
            query_error_status=self.dialect.query_error_status,
        )
        serve_configs = config.expose_configs or self.dialect.v2
        self.routes = Map(
            [
                Rule(_rule_path(op.path), methods=[op.method], endpoint=op.operation_id)
                for op in self.operations.values()
            ]
            + [Rule(STATE_PATH, methods=["GET"], endpoint="_state")]
            + ([Rule(CONFIGS_PATH, methods=["GET"], endpoint="_configs")] if serve_configs else [])
            + ([Rule(UI_PATH, methods=["GET"], endpoint="_ui")] if self.dialect.v2 else []),
            merge_slashes=False,
            strict_slashes=False,
        )
        #: Kestra 2.x's cookie sessions (POST /login).
        self.sessions = Sessions()
        self.admin = self.store.add_user(
            User(
                id=new_id(),
                super_admin=True,
                email=config.admin_username,
                first_name="Admin",
                tenants=list(config.tenants),
            )
        )
        self.store.set_password(self.admin, config.admin_password)
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
            if endpoint == LOGIN:
                return self._login(request)
            if endpoint == "_ui":
                return self._ui()
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
        if not header and self.dialect.v2 and request.cookies.get(JWT_COOKIE):
            return self._session_principal(request)
        with self.store.lock:
            cached = self._cached_login(header)
            if cached is not None:
                return cached
            if scheme.lower() == "basic" and not self.dialect.basic_auth:
                principal = None  # 2.0 dropped basic auth on API calls: refused, and no wrong password
            elif scheme.lower() == "basic":
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

    def _session_principal(self, request: Request) -> Principal:
        """A JWT cookie's user; a cookie-authenticated write must carry the CSRF token (403 without)."""
        user_id = self.sessions.user_id(request.cookies.get(JWT_COOKIE, ""))
        with self.store.lock:
            user = self.store.users.get(user_id) if user_id else None
        if user is None:
            raise ApiError(401, "Unauthorized")
        header_token = request.headers.get(CSRF_HEADER)
        if not self.sessions.csrf_ok(request.method, request.cookies.get(CSRF_COOKIE), header_token):
            raise ApiError(403, "Invalid CSRF token")
        return user

    def _login(self, request: Request) -> Response:
        """POST /login (Kestra 2.x): JSON or a form with username and password; 200 and a JWT cookie, or 401."""
        if request.mimetype == "application/json":
            try:
                body = json.loads(request.get_data())
            except (ValueError, UnicodeDecodeError):
                raise ApiError(self.config.invalid_input_status, "Malformed JSON") from None
        elif request.mimetype == "application/x-www-form-urlencoded":
            body = request.form.to_dict()
        else:
            raise ApiError(415, f"Unsupported media type '{request.mimetype}'")
        username = body.get("username") if isinstance(body, dict) else None
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            raise ApiError(self.config.invalid_input_status, "username and password are required")
        with self.store.lock:
            user = self._password_login(username, password)
        if user is None:
            raise ApiError(401, "Invalid credentials")
        response = self._json(200, {})
        response.set_cookie(JWT_COOKIE, self.sessions.open(user.id), httponly=True, path="/")
        return response

    def _ui(self) -> Response:
        """Kestra 2.x's UI page: a fresh CSRF token, as a cookie and in a meta tag."""
        token = self.sessions.new_csrf_token()
        page = f'<!doctype html><html><head><meta name="csrf-token" content="{token}"></head><body></body></html>'
        response = Response(page, status=200, content_type="text/html; charset=utf-8")
        response.set_cookie(CSRF_COOKIE, token, path="/")
        return response

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
        # A password login: basic on 1.x, the session of POST /login on 2.x (no Authorization header).
        basic = not header.lower().startswith("bearer ")
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
            (
                operation_id in self.contract.policy.open_to_any_identity
                and not self.config.has("me-password-superadmin-only")
            )
            or (
                operation.method == "GET"
                and not header.lower().startswith("bearer ")  # a password login: basic, or 2.x's session
                and self.config.has("non-superadmin-allowed")
            )
            or (bearer_user and self.config.has("plain-token-allowed"))  # "a token is an admin's tool"
        )
        if not open_to_all and not self._is_superadmin(principal, header):
            raise ApiError(403, "Forbidden")
        query = self.validator.query(operation, self.dialect.page_args(request.args))
        body = self._body(request, operation) if "requestBody" in operation.definition else None
        with self.store.lock:
            call = Call(self.store, self.config, principal, path, query, body, self.dialect)
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
                # Every token ever issued (issue and delete times, maxAge), and every secret issued in clear.
                "tokenHistory": sorted(self.store.token_history.values(), key=lambda t: t["issuedAt"]),
                "secretsIssued": {kind: sorted(values) for kind, values in self.store.issued_secrets.items()},
            }
        return self._json(200, state)

    def _configs(self) -> Response:
        """Part of what Kestra's GET /api/v1/configs shows: the version, and the password policy in force.

        1.x announces the policy as `passwordRegexp`; 2.x as structured `passwordConfiguration`.
        """
        configs: dict[str, Any] = {"edition": "EE", "version": self.config.announced_version}
        policy = POLICIES[self.config.password_policy]
        if self.dialect.v2:
            if policy is not None:
                configs["passwordConfiguration"] = policy.configuration
        else:
            configs["isBasicAuthEnabled"] = True
            if policy is not None:
                configs["passwordRegexp"] = policy.regexp
        return self._json(200, configs)

    # -- responses -------------------------------------------------------------

    def _reply(self, reply: Reply) -> Response:
        response = (
            self._empty(reply.status)
            if reply.body is None
            else self._json(reply.status, reply.body, reply.content_type)
        )
        for name, value in reply.headers.items():
            response.headers.add(name, value)
        if reply.session_for is not None:
            response.set_cookie(JWT_COOKIE, self.sessions.open(reply.session_for), httponly=True, path="/")
        return response

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
        if status == 401 and self.dialect.basic_auth:
            response.headers["WWW-Authenticate"] = 'Basic realm="Kestra"'
        return response
