"""A flaky proxy in front of the app, as staging has during deploys and under rate limits.

For a fraction `rate` of requests it answers itself and never passes the request on:
502 or 504 with an HTML page, 503 with an HTML page and `Retry-After`, or 429 with
`Retry-After`; some of its 502, 503 and 504 come as JSON, as API gateways (AWS, Kong,
Spring Cloud Gateway) answer. Which requests is decided by `seed` and the request itself
(method, path, query, credentials, body) and how many times that same request came before:
a request meets the same answer on every run whatever else is sent meanwhile and in
whatever order threads send it (a global count would let timing decide), and a request sent
again gets a draw of its own (nothing is doomed to fail every time). The project's own view of the
state (GET /_reference/state) always goes through.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import threading
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["FlakyProxy"]

_STATE_PATH = "/_reference/state"

#: status -> (reason, body, content type, extra headers)
_ANSWERS: dict[int, tuple[str, str, str, dict[str, str]]] = {
    502: ("Bad Gateway", "", "text/html; charset=utf-8", {}),
    503: ("Service Unavailable", "", "text/html; charset=utf-8", {"Retry-After": "1"}),
    504: ("Gateway Time-out", "", "text/html; charset=utf-8", {}),
    429: ("Too Many Requests", "Too many requests, retry later.\n", "text/plain; charset=utf-8", {"Retry-After": "1"}),
}


#: What a JSON gateway says instead of a page (statuses in `_JSON_STATUSES`, every other draw).
_JSON_STATUSES = frozenset({502, 503, 504})


def _page(status: int, reason: str) -> str:
    return f"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>\n"


def _json_body(status: int, reason: str) -> str:
    return json.dumps({"message": reason, "status": status}) + "\n"


class FlakyProxy:
    """WSGI middleware: some requests are answered here and never reach `app`."""

    def __init__(self, app: WSGIApplication, rate: float, seed: int) -> None:
        self.app = app
        self.rate = rate
        self.seed = seed
        #: How many times each request (by its digest) came so far.
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        #: Requests answered here, by status; for the project's tests.
        self.answered: dict[int, int] = dict.fromkeys(_ANSWERS, 0)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        drawn = None if self._exempt(environ) else self._draw(_digest(environ))
        if drawn is None:
            return self.app(environ, start_response)
        status, as_json = drawn
        reason, body, content_type, headers = _ANSWERS[status]
        if as_json:
            body, content_type = _json_body(status, reason), "application/json"
        response = Response(body or _page(status, reason), status=f"{status} {reason}", content_type=content_type)
        response.headers.update(headers)
        return response(environ, start_response)

    @staticmethod
    def _exempt(environ: WSGIEnvironment) -> bool:
        return environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == _STATE_PATH

    def _draw(self, request: str) -> tuple[int, bool] | None:
        """The proxy's own answer to this request (its digest): (status, whether as JSON), or None to pass it on."""
        with self._lock:
            self._seen[request] += 1
            draw = random.Random(f"{self.seed}:{request}:{self._seen[request]}")
            if draw.random() >= self.rate:
                return None
            status = draw.choice(sorted(_ANSWERS))
            self.answered[status] += 1
            return status, status in _JSON_STATUSES and draw.random() < 0.5


def _digest(environ: WSGIEnvironment) -> str:
    """What identifies a request: method, path, query, credentials and body (read, then put back)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    parts = [
        environ.get("REQUEST_METHOD", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_AUTHORIZATION", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode())
    digest.update(body)
    return digest.hexdigest()
