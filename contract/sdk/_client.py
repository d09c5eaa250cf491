"""The installed kestrapy, driven through its own `KestraClient`, with the raw answer kept.

Every kestrapy since 1.0.0b7 offers a `KestraClient` whose attributes are its APIs
(`client.users`, `client.service_account`, `client.me`, ...), and that is how its users
call it: generated clients (1.0.x) take a `Configuration`, hand-written ones (1.3 and 2.x)
take `host=` and `token=` (or `username=`/`password=`). An operation is found on whichever
of those APIs calls its route, `users` first.

Each check needs two things from one call: what the SDK made of the response, and the
bytes the server sent. Generated clients give both through `<method>_with_http_info`;
hand-written clients have no such variant, so a `requests` response hook on their
session keeps the last response.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from contract.harness import Credentials, Network
from contract.sdk._routes import OperationRoute, route_key, sdk_routes, sdk_style

__all__ = ["Sdk", "SdkCall", "SdkClient", "SdkMethod", "load_sdk"]

#: The API every version puts the Users operations on; an operation found there wins.
USERS = "users"
#: Where the route readers point a throwaway client: nothing is ever sent there.
_NOWHERE = "http://sdk-routes.invalid"


@dataclass(frozen=True)
class SdkMethod:
    """One method of one API of the client: `client.<api>.<name>(...)`."""

    api: str
    name: str

    def __str__(self) -> str:
        return f"{self.api}.{self.name}"


@dataclass(frozen=True)
class SdkCall:
    """What one SDK method returned, and the response it came from."""

    value: Any
    #: The API's own answer: the first of a redirect chain the SDK followed.
    status: int | None
    body: bytes | None
    #: Where a redirect the SDK followed ended (its status), else None.
    redirected_to: int | None = None
    content_type: str | None = None


@dataclass
class SdkClient:
    """One configured KestraClient of the installed SDK."""

    apis: dict[str, Any]
    style: str
    _closer: Any = field(repr=False, default=None)
    #: Seconds a request may take: generated clients take it per call (`_request_timeout`).
    timeout: float | None = None
    _last: Any = field(repr=False, default=None)

    def remember(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        """Response hook for `requests`: keep the last response the session received."""
        self._last = response
        return response

    @property
    def last_body(self) -> bytes | None:
        """The body of the last response seen at the transport (hand-written clients only)."""
        return None if self._last is None else bytes(self._last.content)

    @property
    def last_status(self) -> int | None:
        """The API's own answer to the last request: the first of any redirects the session followed."""
        if self._last is None:
            return None
        history = list(getattr(self._last, "history", None) or [])
        return int((history[0] if history else self._last).status_code)

    @property
    def redirected_to(self) -> int | None:
        if self._last is None or not getattr(self._last, "history", None):
            return None
        return int(self._last.status_code)

    def bound(self, method: SdkMethod) -> Any:
        """The callable `client.<api>.<name>`."""
        return getattr(self.apis[method.api], method.name)

    def call(self, method: SdkMethod, arguments: dict[str, Any]) -> SdkCall:
        api = self.apis[method.api]
        if self.style == "generated":
            timeout = {} if self.timeout is None else {"_request_timeout": self.timeout}
            answer = getattr(api, f"{method.name}_with_http_info")(**arguments, **timeout)
            headers = answer.headers or {}
            content_type = headers.get("content-type") or headers.get("Content-Type")
            return SdkCall(answer.data, int(answer.status_code), bytes(answer.raw_data), content_type=content_type)
        self._last = None
        value = getattr(api, method.name)(**arguments)
        content_type = None if self._last is None else self._last.headers.get("content-type")
        return SdkCall(value, self.last_status, self.last_body, self.redirected_to, content_type)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()

    def __enter__(self) -> SdkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_client(
    module: ModuleType, style: str, base_url: str, credentials: Credentials | None, network: Network | None = None
) -> Any:
    """A KestraClient configured as the SDK's own README shows for its kind (TLS as the run's network says)."""
    kestra_client = module.KestraClient
    if style == "session":
        if credentials is None:
            return kestra_client(host=base_url)
        if credentials.token:
            return kestra_client(host=base_url, token=credentials.token)
        return kestra_client(host=base_url, username=credentials.username, password=credentials.password)
    if credentials is None:
        configuration = module.Configuration(host=base_url)
    elif credentials.token:
        configuration = module.Configuration(host=base_url, access_token=credentials.token)
    else:
        configuration = module.Configuration(
            host=base_url, username=credentials.username, password=credentials.password
        )
    if network is not None:
        network.configure_kestrapy(configuration)
    return kestra_client(configuration)


def _apis_of(client: Any) -> Iterator[tuple[str, Any]]:
    """(attribute, API object) for every API a KestraClient offers: attributes or lazy properties."""
    names = {name for name in vars(client) if not name.startswith("_")}
    names |= {name for name, member in vars(type(client)).items() if isinstance(member, property)}
    for name in sorted(names):
        try:
            value = getattr(client, name)
        except Exception:
            continue
        if type(value).__name__.endswith("Api"):
            yield name, value


def _closer(client: Any, style: str) -> Any:
    if style == "session":
        return client.close
    return client.api_client.rest_client.pool_manager.clear


@dataclass(frozen=True)
class Sdk:
    """The installed kestrapy: its version, kind of client, the APIs its client offers and their routes."""

    module: ModuleType
    version: str
    style: str
    #: Attribute of KestraClient -> API class (`users` -> UsersApi).
    api_classes: dict[str, type]
    api_exception: type[BaseException]
    #: Every method whose route could be read -> (HTTP method, path template).
    routes: dict[SdkMethod, OperationRoute]

    @property
    def users_api(self) -> type:
        return self.api_classes[USERS]

    def method_for(self, route: OperationRoute) -> SdkMethod | None:
        """The method that calls this route: on `users` if it has one, else the first API by name."""
        wanted = route_key(*route)
        found = [method for method, got in self.routes.items() if route_key(*got) == wanted]
        if not found:
            return None
        return min(found, key=lambda m: (m.api != USERS, m.api, m.name))

    def api_class(self, method: SdkMethod) -> type:
        return self.api_classes[method.api]

    def client(self, base_url: str, credentials: Credentials, network: Network | None = None) -> SdkClient:
        """A KestraClient as the SDK's users configure it, reaching the target the way every request of the run does."""
        network = network or Network()
        kestra = _make_client(self.module, self.style, base_url, credentials, network)
        apis = dict(_apis_of(kestra))
        if self.style == "generated":
            for name, value in network.headers:
                kestra.api_client.set_default_header(name, value)
            return SdkClient(apis, self.style, _closer(kestra, self.style), network.timeout)
        client = SdkClient(apis, self.style, _closer(kestra, self.style))
        session = kestra._session
        network.configure_session(session)
        # A requests session has no timeout of its own: every request of it gets the run's.
        session.request = functools.partial(session.request, timeout=network.timeout)
        session.hooks["response"].append(client.remember)
        return client


def _routes(api_classes: Mapping[str, type]) -> dict[SdkMethod, OperationRoute]:
    routes: dict[SdkMethod, OperationRoute] = {}
    for api, api_class in api_classes.items():
        # The users API must be readable whole; another API's unreadable method is just not offered.
        read = sdk_routes(api_class, strict=api == USERS)
        routes.update({SdkMethod(api, name): route for name, route in read.items()})
    return routes


def load_sdk() -> Sdk:
    """Import the installed kestrapy; an ImportError here is a finding about that version."""
    kestrapy = importlib.import_module("kestrapy")
    style = sdk_style(kestrapy.UsersApi)
    throwaway = _make_client(kestrapy, style, _NOWHERE, None)
    api_classes = {name: type(api) for name, api in _apis_of(throwaway)}
    if USERS not in api_classes:
        raise LookupError("kestrapy's KestraClient offers no `users` API")
    return Sdk(
        module=kestrapy,
        version=importlib.metadata.version("kestrapy"),
        style=style,
        api_classes=api_classes,
        api_exception=kestrapy.ApiException,
        routes=_routes(api_classes),
    )
