"""Distance: every answer comes `ms` milliseconds later, as across a network and proxies.

The wait is in the WSGI layer, outside the store's lock, so concurrent requests wait
side by side rather than one after another (the HTTP server runs one thread per
connection).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["Latency"]


class Latency:
    """WSGI middleware that sleeps before passing each request on."""

    def __init__(self, app: WSGIApplication, ms: int) -> None:
        self.app = app
        self.seconds = ms / 1000

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        time.sleep(self.seconds)
        return self.app(environ, start_response)
