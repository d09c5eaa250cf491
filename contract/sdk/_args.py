"""Arguments for an SDK method, built from its signature, whatever the SDK version calls them.

Versions renamed parameters (`token_id`, `request`, `iam_user_controller_..._request`) and
moved the tenant into the path, so nothing here knows a method by name: path and query
values go to the parameter of the same name (any spelling), the JSON body goes to the one
parameter annotated with a pydantic model, built from a realistic dict with the model's
own `from_dict`, and a search in the PHP-style filter form (`filters[q][EQUALS]`) goes to
the SDK's `filters` list as its own QueryFilter items.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic

from contract.sdk._outcome import validation_summary
from contract.sdk._routes import param_key

__all__ = ["ArgumentError", "Built", "build_arguments", "build_body", "model_class", "unwrap"]


class ArgumentError(Exception):
    """The SDK method wants something the documented operation does not provide."""


def unwrap(annotation: Any) -> Any:
    """The type under Annotated[...] and Optional[...]."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def model_class(annotation: Any) -> type | None:
    """The pydantic model class an annotation names, if it names one."""
    candidate = unwrap(annotation)
    if isinstance(candidate, type) and hasattr(candidate, "model_validate") and hasattr(candidate, "from_dict"):
        return candidate
    return None


@dataclass
class Built:
    """Keyword arguments for one SDK call, and what building them revealed about the SDK."""

    arguments: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: Documented query parameters the SDK method cannot send.
    unsent: list[str] = field(default_factory=list)


#: A query parameter in the PHP-style filter form servers and SDKs use (`filters[q][EQUALS]`).
_FILTER = re.compile(r"^filters\[(?P<field>[^\]]+)\]\[(?P<operation>[^\]]+)\]$")


def _filters(annotation: Any, query: Mapping[str, Any]) -> tuple[list[Any], list[str], list[str]]:
    """The SDK's own filter items for the PHP-style query parameters: (items, sent names, notes).

    A filter is the documented wire form `filters[<field>][<OP>]=<value>`; the SDK takes a
    list of its QueryFilter model. An item the model does not accept is not sent, and noted.
    """
    item_type = typing.get_args(unwrap(annotation))[0] if typing.get_origin(unwrap(annotation)) is list else None
    model = model_class(item_type)
    items: list[Any] = []
    sent: list[str] = []
    notes: list[str] = []
    for name, value in query.items():
        matched = _FILTER.match(name)
        if matched is None:
            continue
        item = {"field": matched["field"], "operation": matched["operation"], "value": value}
        if model is None:
            items.append(item)
            sent.append(name)
            continue
        try:
            items.append(model.from_dict(item))  # type: ignore[attr-defined]
            sent.append(name)
        except (pydantic.ValidationError, ValueError, TypeError) as error:
            reason = validation_summary(error) if isinstance(error, pydantic.ValidationError) else str(error)
            notes.append(f"the SDK's {model.__name__} does not take the filter {name}: {reason}")
    return items, sent, notes


def build_body(model: type, body: Mapping[str, Any], schema: Mapping[str, Any] | None) -> tuple[Any, list[str]]:
    """The request model, built with the SDK's own `from_dict`.

    Generated models' `from_dict` marks every field as set, so `to_dict` then sends null
    for the ones the dict did not have. Where the documentation does not allow null for
    such a field, that is noted and the model is built from the given fields only, as
    the SDK's documented examples do (`Model(q=...)`), so the call still tests the route.
    """
    built = model.from_dict(dict(body))  # type: ignore[attr-defined]
    properties = (schema or {}).get("properties", {})
    sent = built.to_dict() if hasattr(built, "to_dict") else {}
    forbidden = sorted(
        name
        for name, value in sent.items()
        if value is None and name not in body and name in properties and not properties[name].get("nullable")
    )
    if not forbidden:
        return built, []
    note = (
        f"{model.__name__}.from_dict sends null for unset field(s) {', '.join(forbidden)}, "
        "which the documentation does not allow; called with the model built from the given fields only"
    )
    return model.model_validate(dict(body)), [note]  # type: ignore[attr-defined]


def _annotations(method: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(method, include_extras=True)
    except Exception:
        return {name: p.annotation for name, p in inspect.signature(method).parameters.items()}


def build_arguments(
    method: Callable[..., Any],
    path: Mapping[str, Any],
    query: Mapping[str, Any],
    body: Any = None,
    body_schema: Mapping[str, Any] | None = None,
) -> Built:
    """Keyword arguments for `method`: path and query values by name, the body as its model."""
    values = {param_key(name): value for name, value in {**query, **path}.items()}
    hints = _annotations(method)
    arguments: dict[str, Any] = {}
    notes: list[str] = []
    sent: set[str] = set()
    body_used = body is None
    for name, parameter in inspect.signature(method).parameters.items():
        if name.startswith("_") or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(name, parameter.annotation)
        model = model_class(annotation)
        if param_key(name) in values:
            arguments[name] = values[param_key(name)]
            sent |= {q for q in query if param_key(q) == param_key(name)}
        elif param_key(name) == "filters" and any(_FILTER.match(q) for q in query):
            items, filters_sent, filter_notes = _filters(annotation, query)
            notes += filter_notes
            sent |= set(filters_sent)
            if items or parameter.default is inspect.Parameter.empty:
                arguments[name] = items
        elif model is not None and not body_used:
            arguments[name], notes = build_body(model, body, body_schema)
            body_used = True
        elif parameter.default is not inspect.Parameter.empty:
            continue
        elif typing.get_origin(unwrap(annotation)) is list:
            arguments[name] = []
        else:
            raise ArgumentError(f"no documented value for the SDK's required parameter {name!r}")
    if not body_used:
        raise ArgumentError("the SDK method takes no request body model, but the operation documents one")
    missing = [name for name in path if param_key(name) not in {param_key(a) for a in arguments}]
    if missing:
        raise ArgumentError(f"the SDK method has no parameter for the path parameter(s) {', '.join(missing)}")
    return Built(arguments, notes, [name for name in query if name not in sent])
