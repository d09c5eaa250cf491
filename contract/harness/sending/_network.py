"""How every request of the suite reaches the target: which certificates to trust, extra headers, the timeout.

A staging server sits behind a private CA, an auth gateway that wants a header of its
own, or a slow link. One `Network` says so for the whole run, and every client the
suite makes is built here from it: the harness's httpx clients (`Api`, preflight, the
identity re-check, cleanup, the sweep), the fuzz engine's `requests` session (what
schemathesis sends with) and the SDK's clients. Nothing else builds an HTTP client, so
nothing can forget a setting.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx
import requests
import urllib3

__all__ = ["DEFAULT_TIMEOUT", "Network", "parse_header"]

#: Seconds a request may take before it counts as timed out (`--request-timeout`).
DEFAULT_TIMEOUT = 30.0
#: Headers the suite sets itself per request: an extra header must not stand in for them.
_OWN_HEADERS = frozenset({"authorization", "content-type", "content-length", "host"})


def parse_header(text: str) -> tuple[str, str]:
    """`Name: value` as given to `--header`; a ValueError saying what is wrong otherwise."""
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not name or any(c.isspace() for c in name):
        raise ValueError(f"expected 'Name: value', got {text.split(':', 1)[0][:40]!r}…")
    if name.lower() in _OWN_HEADERS:
        raise ValueError(f"{name} is set by the suite itself (credentials: --username/--password or --token)")
    return name, value


@dataclass(frozen=True)
class Network:
    """The run's network settings; frozen, so every process and thread builds the same clients."""

    #: A PEM file of the CAs to trust instead of the system's (`--ca-bundle`).
    ca_bundle: str | None = None
    #: Do not verify TLS certificates at all (`--insecure`): the run says so loudly.
    insecure: bool = False
    #: Sent with every request (`--header`); their values are secrets to mask.
    headers: tuple[tuple[str, str], ...] = ()
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"a request timeout must be positive, not {self.timeout:g}")

    @property
    def header_values(self) -> list[str]:
        return [value for _, value in self.headers]

    @cached_property
    def _tls(self) -> ssl.SSLContext | bool:
        if self.insecure:
            return False
        if self.ca_bundle:
            try:
                return ssl.create_default_context(cafile=self.ca_bundle)
            except (OSError, ssl.SSLError) as error:
                problem = f"--ca-bundle {self.ca_bundle}: not a readable PEM file of certificates ({error})"
                raise ValueError(problem) from None
        return True

    def check(self) -> None:
        """Raise ValueError now for a CA bundle that cannot be read, rather than on the first request."""
        self._tls  # noqa: B018

    def client(
        self, base_url: str, *, headers: dict[str, str] | None = None, timeout: float | None = None
    ) -> httpx.Client:
        """An httpx client for the target: the extra headers under the given ones, TLS and timeout as set."""
        return httpx.Client(
            base_url=base_url,
            headers={**dict(self.headers), **(headers or {})},
            verify=self._tls,
            timeout=self.timeout if timeout is None else timeout,
        )

    def session(self) -> requests.Session:
        """A `requests` session (what schemathesis and hand-written SDK clients send with), set up the same way."""
        session = requests.Session()
        self.configure_session(session)
        return session

    @property
    def verify(self) -> bool | str:
        """`verify=` for `requests` (schemathesis passes its own per request, so it must be given there too)."""
        return False if self.insecure else (self.ca_bundle or True)

    def configure_session(self, session: requests.Session) -> None:
        session.headers.update(dict(self.headers))
        session.verify = self.verify
        if self.insecure:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def configure_kestrapy(self, configuration: Any) -> None:
        """A generated kestrapy `Configuration` (urllib3 underneath): its CA and verification."""
        if self.insecure:
            configuration.verify_ssl = False
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif self.ca_bundle:
            configuration.ssl_ca_cert = self.ca_bundle
