"""Serve the app over HTTP, one thread per connection, behind what a deployment puts in front."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from reference_server._app import ReferenceApp
from reference_server._config import ServerConfig
from reference_server._latency import Latency
from reference_server._proxy import FlakyProxy

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["make_http_server", "wsgi_stack"]


class _KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: a fuzzing run sends thousands of requests."""


def wsgi_stack(app: ReferenceApp) -> WSGIApplication:
    """The app as clients reach it: behind a flaky proxy and at a distance, if the config says so."""
    served: WSGIApplication = app
    if app.config.flaky_proxy > 0:
        served = FlakyProxy(served, app.config.flaky_proxy, app.config.flaky_seed)
    if app.config.latency_ms > 0:
        served = Latency(served, app.config.latency_ms)
    return served


def make_http_server(
    config: ServerConfig,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    app: ReferenceApp | None = None,
    tls: tuple[str, str] | None = None,
) -> BaseWSGIServer:
    """A threaded server for `app` (a new one for `config` if not given), so slow answers overlap;
    HTTPS with `tls` (certificate file, key file), as a deployment behind a private CA serves.
    """
    app = app if app is not None else ReferenceApp(config)
    return make_server(host, port, wsgi_stack(app), threaded=True, request_handler=_KeepAliveHandler, ssl_context=tls)
