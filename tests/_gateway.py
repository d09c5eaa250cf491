"""An auth gateway in front of the reference server: it lets through only requests that carry its header.

Like the gateways staging servers sit behind (a shared key, an access-proxy token), it
answers a request without the header itself, with a 403 page that never reaches the API.
It counts what it let through and what it refused, so a test can tell that every
request of a run carried the header.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class Gateway:
    def __init__(self, upstream: str, header: str, value: str) -> None:
        self.header, self.value = header, value
        self.passed = 0
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(base_url=upstream, timeout=30)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, content = gateway.answer(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        given = {name.lower(): value for name, value in headers.items()}
        if given.get(self.header.lower()) != self.value:
            with self._lock:
                self.refused.append(f"{method} {path}")
            return 403, {"Content-Type": "text/html"}, b"<html><body>403 Forbidden: gateway key missing</body></html>"
        with self._lock:
            self.passed += 1
        sent = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP | {"host", self.header.lower()}}
        response = self._client.request(method, path, headers=sent, content=body)
        kept = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
        return response.status_code, kept, response.content

    @contextmanager
    def running(self) -> Iterator[Gateway]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._client.close()
