"""Which HTTP method and path each method of an SDK API class calls, read from the SDK itself.

kestrapy has shipped two kinds of client. openapi-generator clients (1.0.x) build every
request in a private `_<method>_serialize`, which ends in `api_client.param_serialize(
method=..., resource_path=...)`; calling each serializer with a recording stand-in for the
client reads the route. Hand-written clients (1.3 and later) take a `requests` session
and build the path from the arguments; calling each method with placeholder arguments
and a recording stand-in for the session reads it. Neither sends anything.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = [
    "OperationRoute",
    "elsewhere",
    "match_operations",
    "param_key",
    "public_methods",
    "route_key",
    "sdk_routes",
    "sdk_style",
]

_SUFFIXES = ("_with_http_info", "_without_preload_content")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_RECORDING_BASE = "http://sdk-routes.invalid"

#: (HTTP method, path template) as the documentation states it.
OperationRoute = tuple[str, str]


class _Captured(Exception):
    def __init__(self, method: str, path: str) -> None:
        super().__init__(method, path)
        self.method = method
        self.path = path


class _RecordingClient:
    """Enough of kestrapy's ApiClient for a serializer to run up to the request."""

    def __init__(self) -> None:
        self.configuration = None
        self.default_headers: dict[str, str] = {}

    def select_header_accept(self, accepts: list[str]) -> str | None:
        return accepts[0] if accepts else None

    def select_header_content_type(self, content_types: list[str]) -> str | None:
        return content_types[0] if content_types else None

    def param_serialize(self, method: str, resource_path: str, *args: Any, **kwargs: Any) -> Any:
        raise _Captured(method.upper(), resource_path)


class _RecordingSession:
    """Enough of a requests.Session for a hand-written kestrapy API to build its request."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.hooks: dict[str, list[Any]] = {"response": []}

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        path = unquote(urlsplit(url).path)
        raise _Captured(method.upper(), path)

    def get(self, url: str, *args: Any, **kwargs: Any) -> Any:
        return self.request("GET", url)


def public_methods(api_class: type) -> list[str]:
    """The operations an SDK API class offers (not the _with_http_info variants)."""
    return sorted(
        name
        for name, member in vars(api_class).items()
        if callable(member) and not name.startswith("_") and not name.endswith(_SUFFIXES)
    )


def sdk_style(api_class: type) -> str:
    """Which kind of client: "generated" (openapi-generator) or "session" (hand-written, requests)."""
    parameters = inspect.signature(api_class).parameters
    if "api_client" in parameters:
        return "generated"
    if "session" in parameters:
        return "session"
    raise LookupError(f"{api_class.__name__} takes neither an api_client nor a session")


def sdk_routes(api_class: type, *, strict: bool = True) -> dict[str, tuple[str, str]]:
    """Map each public method of `api_class` to the (HTTP method, path template) it calls.

    With strict=False, methods whose route cannot be read are left out instead of raising.
    """
    style = sdk_style(api_class)
    routes: dict[str, tuple[str, str]] = {}
    for name in public_methods(api_class):
        try:
            # Reading a route calls the method: its deprecation warnings are not about this run.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                routes[name] = (
                    _generated_route(api_class, name) if style == "generated" else _session_route(api_class, name)
                )
        except Exception:
            if strict:
                raise
    return routes


def _generated_route(api_class: type, name: str) -> tuple[str, str]:
    api = api_class(api_client=_RecordingClient())
    serializer = getattr(api, f"_{name}_serialize", None)
    if serializer is None:
        raise LookupError(f"{api_class.__name__}.{name} has no _{name}_serialize to read its route from")
    parameters = inspect.signature(serializer).parameters
    arguments: dict[str, Any] = dict.fromkeys(parameters)
    if "_host_index" in parameters:
        arguments["_host_index"] = 0
    try:
        serializer(**arguments)
    except _Captured as captured:
        return captured.method, captured.path
    raise LookupError(f"{api_class.__name__}.{name} built no request")


def _session_route(api_class: type, name: str) -> tuple[str, str]:
    api = api_class(session=_RecordingSession(), base_url=_RECORDING_BASE)
    method = getattr(api, name)
    arguments: dict[str, Any] = {}
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        # A str parameter may land in the path: a named placeholder shows where it went.
        text_like = parameter.annotation in (str, "str", inspect.Parameter.empty)
        arguments[parameter.name] = f"{{{parameter.name}}}" if text_like else None
    try:
        result = method(**arguments)
        if inspect.isgenerator(result):
            next(result)
    except _Captured as captured:
        return captured.method, captured.path
    raise LookupError(f"{api_class.__name__}.{name} built no request")


def route_key(method: str, path: str) -> tuple[str, str]:
    """A route with its placeholders unnamed: SDKs rename path parameters (tokenId, token_id)."""
    return method.upper(), _PLACEHOLDER.sub("{}", path)


def param_key(name: str) -> str:
    """One spelling for a parameter name, whether written tokenId or token_id."""
    return name.replace("_", "").lower()


def match_operations(
    routes: Mapping[str, tuple[str, str]], operations: Mapping[str, OperationRoute]
) -> dict[str, str | None]:
    """For each documented operation id, the SDK method that calls its route, or None.

    Where several SDK methods call one route (an alias kept for compatibility), the
    first by name stands for them.
    """
    by_route: dict[tuple[str, str], list[str]] = {}
    for name, (method, path) in routes.items():
        by_route.setdefault(route_key(method, path), []).append(name)
    keys = [route_key(*route) for route in operations.values()]
    if len(set(keys)) != len(keys):
        raise ValueError("two documented operations share a route once placeholders are unnamed")
    return {
        operation_id: min(by_route[key]) if (key := route_key(*route)) in by_route else None
        for operation_id, route in operations.items()
    }


def elsewhere(module: ModuleType, route: OperationRoute, skip: Iterable[type] = ()) -> list[str]:
    """Which other API classes of the SDK offer this route ("ServiceAccountApi.list_tokens")."""
    skipped = set(skip)
    wanted = route_key(*route)
    found: list[str] = []
    for class_name, api_class in sorted(vars(module).items()):
        if not (isinstance(api_class, type) and class_name.endswith("Api")) or api_class in skipped:
            continue
        try:
            routes = sdk_routes(api_class, strict=False)
        except LookupError:
            continue
        found += [f"{class_name}.{name}" for name, got in sorted(routes.items()) if route_key(*got) == wanted]
    return found
