"""Whether what the SDK parsed agrees with the JSON the server sent, field by documented field.

The SDK's models are dumped with their own `to_dict()` (wire names, None left out) and
walked beside the raw JSON along the documented response schema. Only fields the
documentation names are compared: an undocumented extra the server sends is not the
SDK's business, a documented field the SDK drops or changes is.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

__all__ = ["SECRET_FIELDS", "disagreements", "dump", "resolve"]

_MISSING: Any = object()


def dump(value: Any) -> Any:
    """Plain JSON-like data from what an SDK returned (models by their wire names)."""
    if hasattr(value, "to_dict") and hasattr(value, "model_dump"):
        return dump(value.to_dict())
    if hasattr(value, "model_dump"):
        return dump(value.model_dump(by_alias=True, exclude_none=True))
    if isinstance(value, Mapping):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def resolve(schema: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with its $ref followed and its allOf parts merged."""
    seen = 0
    while "$ref" in schema and seen < 32:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
        seen += 1
    if "allOf" not in schema:
        return dict(schema)
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in schema["allOf"]:
        resolved = resolve(part, spec)
        merged["properties"].update(resolved.get("properties", {}))
        merged["required"] += resolved.get("required", [])
    return merged


def _same_scalar(parsed: Any, raw: Any) -> bool:
    if isinstance(parsed, dt.datetime | dt.date) and isinstance(raw, str):
        try:
            other = dt.datetime.fromisoformat(raw) if isinstance(parsed, dt.datetime) else dt.date.fromisoformat(raw)
        except ValueError:
            return False
        return bool(parsed == other)
    if isinstance(parsed, bool) or isinstance(raw, bool):
        return parsed is raw
    return bool(parsed == raw)


def disagreements(
    parsed: Any, raw: Any, schema: Mapping[str, Any], spec: Mapping[str, Any], where: str = "$"
) -> list[str]:
    """Each place where the dumped SDK value differs from the raw JSON, as 'where: what'."""
    schema = resolve(schema, spec)
    if raw is None:
        return [] if parsed in (None, _MISSING) else [f"{where}: SDK has {parsed!r}, server sent null"]
    if parsed is None and where == "$":
        if raw == {}:
            return []  # an empty object carries nothing the SDK could have lost
        return [f"the SDK returned None, the server sent {_excerpt(raw)}"]
    if parsed is _MISSING or parsed is None:
        return [f"{where}: the SDK dropped it (server sent {_excerpt(raw)})"]
    if isinstance(raw, list):
        if not isinstance(parsed, list):
            return [f"{where}: SDK has {type(parsed).__name__}, server sent a list"]
        if len(parsed) != len(raw):
            return [f"{where}: SDK has {len(parsed)} items, server sent {len(raw)}"]
        items = schema.get("items", {})
        return [
            p
            for i, (a, b) in enumerate(zip(parsed, raw, strict=True))
            for p in disagreements(a, b, items, spec, f"{where}[{i}]")
        ]
    if isinstance(raw, dict):
        if not isinstance(parsed, dict):
            return [f"{where}: SDK has {type(parsed).__name__}, server sent an object"]
        properties = schema.get("properties")
        if properties is None:
            # A free-form object: every field the server sent is the documented content.
            return _free_form(parsed, raw, where)
        return [
            problem
            for name, sub in properties.items()
            if name in raw
            for problem in disagreements(parsed.get(name, _MISSING), raw[name], sub, spec, f"{where}.{name}")
        ]
    if isinstance(parsed, dict | list):
        return [f"{where}: SDK has {type(parsed).__name__}, server sent {_excerpt(raw)}"]
    return [] if _same_scalar(parsed, raw) else [_differs(where, parsed, raw)]


def _differs(where: str, parsed: Any, raw: Any) -> str:
    if where.rsplit(".", 1)[-1] in SECRET_FIELDS:
        return f"{where}: SDK has a different value (secret, not shown)"
    return f"{where}: SDK has {parsed!r}, server sent {_excerpt(raw)}"


def _free_form(parsed: dict[str, Any], raw: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for name, value in raw.items():
        if value is None:
            continue
        got = parsed.get(name, _MISSING)
        if got is _MISSING:
            problems.append(f"{where}.{name}: the SDK dropped it (server sent {_excerpt(value)})")
        elif isinstance(value, dict | list):
            problems += disagreements(got, value, {}, {}, f"{where}.{name}")
        elif not _same_scalar(got, value):
            problems.append(_differs(f"{where}.{name}", got, value))
    return problems


#: Values a report must never show, by wire name.
SECRET_FIELDS = frozenset({"password", "oldPassword", "newPassword", "fullToken"})


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if k in SECRET_FIELDS else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _excerpt(value: Any) -> str:
    text = repr(_masked(value))
    return text if len(text) <= 80 else text[:77] + "..."
