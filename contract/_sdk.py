"""Which HTTP method and path each method of an SDK API class calls, read from the SDK itself.

openapi-generator clients build every request in a private `_<method>_serialize`, which
ends in `api_client.param_serialize(method=..., resource_path=...)`. Calling each
serializer with a recording stand-in for the client reads the route without sending
anything, for whatever SDK version is installed.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["public_methods", "sdk_routes"]

_SUFFIXES = ("_with_http_info", "_without_preload_content")


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


def public_methods(api_class: type) -> list[str]:
    """The operations an SDK API class offers (not the _with_http_info variants)."""
    return sorted(
        name
        for name, member in vars(api_class).items()
        if callable(member) and not name.startswith("_") and not name.endswith(_SUFFIXES)
    )


def sdk_routes(api_class: type) -> dict[str, tuple[str, str]]:
    """Map each public method of `api_class` to the (HTTP method, path template) it calls."""
    api = api_class(api_client=_RecordingClient())
    routes: dict[str, tuple[str, str]] = {}
    for name in public_methods(api_class):
        serializer = getattr(api, f"_{name}_serialize", None)
        if serializer is None:
            raise LookupError(f"{api_class.__name__}.{name} has no _{name}_serialize to read its route from")
        arguments: dict[str, Any] = dict.fromkeys(inspect.signature(serializer).parameters)
        arguments["_host_index"] = 0
        try:
            serializer(**arguments)
        except _Captured as captured:
            routes[name] = (captured.method, captured.path)
        else:
            raise LookupError(f"{api_class.__name__}.{name} built no request")
    return routes
