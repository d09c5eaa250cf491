"""What the project's test proxies share: a loopback HTTP server whose every request one function answers.

A test proxy (`_faulty_proxy`, `_gateway`) decides per request what to answer: its own
page, or what the upstream server says (`relay`). The plumbing around that decision is the
same for all of them, so it lives here once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["Answer", "Answers", "loopback_server", "relay", "serving", "url_of"]

#: (status, headers, body) of one answer.
Answer = tuple[int, dict[str, str], bytes]
#: (method, path with query, request headers, request body) -> the answer.
Answers = Callable[[str, str, dict[str, str], bytes], Answer]

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"})


def loopback_server(answers: Answers) -> ThreadingHTTPServer:
    """A server on a free loopback port whose every request `answers` answers (not started yet: see `serving`)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, content = answers(self.command, self.path, dict(self.headers), body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def serving(server: ThreadingHTTPServer, *closing: httpx.Client) -> Iterator[None]:
    """Serve in a thread while inside; then stop, and close the server and the given clients."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        for client in closing:
            client.close()
        thread.join(timeout=5)


def relay(
    client: httpx.Client,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    drop: frozenset[str] = frozenset(),
) -> tuple[httpx.Response, Answer]:
    """Send the request upstream (without hop-by-hop headers, `Host` and `drop`): the response, and it as an answer."""
    left_out = _HOP_BY_HOP | {"host"} | {name.lower() for name in drop}
    sent = {k: v for k, v in headers.items() if k.lower() not in left_out}
    response = client.request(method, path, headers=sent, content=body)
    kept = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
    return response, (response.status_code, kept, response.content)
