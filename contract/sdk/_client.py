"""The installed kestrapy, configured the way its users configure it, with the raw answer kept.

Each check needs two things from one call: what the SDK made of the response, and the
bytes the server sent. Generated clients (1.0.x) give both through `<method>_with_http_info`;
hand-written clients (1.3+) have no such variant, so a `requests` response hook on their
session keeps the last response.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from contract.harness import Credentials, Network
from contract.sdk._routes import sdk_routes, sdk_style

__all__ = ["Sdk", "SdkCall", "SdkClient", "load_sdk"]


@dataclass(frozen=True)
class SdkCall:
    """What one SDK method returned, and the response it came from."""

    value: Any
    status: int | None
    body: bytes | None


@dataclass
class SdkClient:
    """One configured UsersApi of the installed SDK."""

    users: Any
    style: str
    #: Seconds per request: generated clients take it per call, hand-written ones on their session.
    timeout: float | None = None
    _closer: Any = field(repr=False, default=None)
    _last: Any = field(repr=False, default=None)

    def remember(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        """Response hook for `requests`: keep the last response the session received."""
        self._last = response
        return response

    @property
    def last_body(self) -> bytes | None:
        """The body of the last response seen at the transport (hand-written clients only)."""
        return None if self._last is None else bytes(self._last.content)

    def call(self, method: str, arguments: dict[str, Any]) -> SdkCall:
        if self.style == "generated":
            timeout = {} if self.timeout is None else {"_request_timeout": self.timeout}
            answer = getattr(self.users, f"{method}_with_http_info")(**arguments, **timeout)
            return SdkCall(answer.data, int(answer.status_code), bytes(answer.raw_data))
        self._last = None
        value = getattr(self.users, method)(**arguments)
        status = None if self._last is None else int(self._last.status_code)
        return SdkCall(value, status, self.last_body)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()

    def __enter__(self) -> SdkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Sdk:
    """The installed kestrapy: its version, kind of client, routes and exception class."""

    module: ModuleType
    version: str
    style: str
    users_api: type
    api_exception: type[BaseException]
    routes: dict[str, tuple[str, str]]

    def client(self, base_url: str, credentials: Credentials, network: Network | None = None) -> SdkClient:
        """A UsersApi as the SDK's users configure it, reaching the target the way every request of the run does."""
        network = network or Network()
        if self.style == "generated":
            return self._generated_client(base_url, credentials, network)
        return self._session_client(base_url, credentials, network)

    def _generated_client(self, base_url: str, credentials: Credentials, network: Network) -> SdkClient:
        kestrapy = self.module
        if credentials.token:
            configuration = kestrapy.Configuration(host=base_url, access_token=credentials.token)
        else:
            configuration = kestrapy.Configuration(
                host=base_url, username=credentials.username, password=credentials.password
            )
        network.configure_kestrapy(configuration)
        api_client = kestrapy.ApiClient(configuration)
        for name, value in network.headers:
            api_client.set_default_header(name, value)
        closer = api_client.rest_client.pool_manager.clear
        return SdkClient(self.users_api(api_client), self.style, network.timeout, closer)

    def _session_client(self, base_url: str, credentials: Credentials, network: Network) -> SdkClient:
        # Hand-written clients read only username/password from a Configuration; a bearer
        # token goes through KestraClient's own `token=`, as their README shows.
        kestrapy = self.module
        if credentials.token:
            kestra = kestrapy.KestraClient(host=base_url, token=credentials.token)
        else:
            configuration = kestrapy.Configuration(
                host=base_url, username=credentials.username, password=credentials.password
            )
            kestra = kestrapy.KestraClient(configuration)
        users = kestra.users
        client = SdkClient(users, self.style, None, kestra.close)
        session = users._session
        network.configure_session(session)
        # A requests session has no timeout of its own: every request of it gets the run's.
        session.request = functools.partial(session.request, timeout=network.timeout)
        session.hooks["response"].append(client.remember)
        return client


def load_sdk() -> Sdk:
    """Import the installed kestrapy; an ImportError here is a finding about that version."""
    kestrapy = importlib.import_module("kestrapy")
    users_api = kestrapy.UsersApi
    return Sdk(
        module=kestrapy,
        version=importlib.metadata.version("kestrapy"),
        style=sdk_style(users_api),
        users_api=users_api,
        api_exception=kestrapy.ApiException,
        routes=sdk_routes(users_api),
    )
