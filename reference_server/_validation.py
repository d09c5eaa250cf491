"""Requests are validated against specs/, so the server and the description cannot drift."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import MultiDict

from reference_server._errors import ApiError
from specs import Operation

__all__ = ["RequestValidator"]

#: What a lenient server (later Kestra versions) still requires of each schema.
LENIENT_REQUIRED: dict[str, list[str]] = {
    "IAMUserController.ApiCreateOrUpdateUserRequest": ["email"],
    "CreateApiTokenRequest": ["name"],
}


@dataclass
class RequestValidator:
    spec: dict[str, Any]
    lenient_required: bool
    invalid_input_status: int
    #: Switched-on faults (see _faults.py) that loosen validation.
    faults: frozenset[str] = frozenset()
    #: Status for a query parameter out of its range (400 on Kestra 1.x, 422 on 2.x).
    query_error_status: int = 400

    @cached_property
    def _components(self) -> dict[str, Any]:
        components: dict[str, Any] = copy.deepcopy(self.spec["components"])
        if self.lenient_required:
            for name, required in LENIENT_REQUIRED.items():
                components["schemas"][name]["required"] = required
        return components

    def _validator(self, schema: dict[str, Any]) -> OAS30Validator:
        return OAS30Validator({**schema, "components": self._components})

    def _forgiven(self, error: ValidationError) -> bool:
        """Errors that a faulty server lets through."""
        where = list(error.absolute_path)
        if error.validator == "type" and error.validator_value == "boolean" and isinstance(error.instance, str):
            return "wrong-type-accepted" in self.faults
        if error.validator == "pattern" and where == ["name"]:
            return "bad-token-name-accepted" in self.faults
        if error.validator == "pattern" and where == ["maxAge"]:
            return bool({"bad-duration-accepted", "refused-token-still-created"} & self.faults)
        return False

    def body(self, operation: Operation, body: Any) -> None:
        content = operation.definition.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            return
        errors = self._validator(schema).iter_errors(body)
        error = next((e for e in errors if not self._forgiven(e)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "body"
            raise ApiError(self.invalid_input_status, f"Invalid {where}: {error.message}")

    def query(self, operation: Operation, args: MultiDict[str, str]) -> dict[str, Any]:
        """Coerced query parameters, or 400 for values the description does not allow."""
        values: dict[str, Any] = {}
        for param in operation.definition.get("parameters", []):
            if param["in"] != "query":
                continue
            name, schema = param["name"], param["schema"]
            if name not in args:
                if "default" in schema:
                    values[name] = schema["default"]
                continue
            if schema.get("type") == "array":
                raw_items = args.getlist(name)
                if param.get("explode", param.get("style", "form") == "form") is False:
                    raw_items = [item for raw in raw_items for item in raw.split(",")]  # sort=a:asc,b:desc
                values[name] = raw_items
                continue
            raw = args[name]
            value: Any = raw
            if schema.get("type") == "integer":
                try:
                    value = int(raw)
                except ValueError:
                    raise ApiError(400, f"Query parameter '{name}' must be an integer") from None
            error = next(iter(self._validator(schema).iter_errors(value)), None)
            undeclared = {"page": "page-zero-500", "size": "size-zero-unpaged"}.get(name)
            if error is not None and error.validator == "minimum" and undeclared in self.faults:
                error = None  # the lower bound was never declared on that parameter (size 0 reads as "unpaged")
            if error is not None:
                raise ApiError(self.query_error_status, f"Invalid query parameter '{name}': {error.message}")
            values[name] = value
        return values
