"""Serve the app over HTTP/1.1 with keep-alive, one thread per connection."""

from __future__ import annotations

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from reference_server._app import ReferenceApp
from reference_server._config import ServerConfig

__all__ = ["make_http_server"]


class _KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: a fuzzing run sends thousands of requests."""


def make_http_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    app = ReferenceApp(config)
    return make_server(host, port, app, threaded=True, request_handler=_KeepAliveHandler)
