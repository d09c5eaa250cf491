"""The OpenAPI description of the Users API and the policy it does not state.

Both the suite and the reference server load the description from here, with the
policy's refinements merged in, so that the two cannot drift apart.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CLAUSES_PATH",
    "OPENAPI_PATH",
    "POLICY_PATH",
    "PROOFS_PATH",
    "Clause",
    "Operation",
    "Part",
    "Policy",
    "clauses",
    "clauses_by_id",
    "documented_openapi",
    "openapi",
    "operations",
    "operations_by_id",
    "parts_by_id",
    "policy",
    "proofs",
]

HERE = Path(__file__).parent
#: One folder per contract version (Kestra EE 1.x is version 1).
OPENAPI_PATH = HERE / "v1" / "users-api.yaml"
POLICY_PATH = HERE / "v1" / "policy.yaml"
CLAUSES_PATH = HERE / "clauses.yaml"
#: Which self-test faults prove each part (generated from reference_server/_faults.py; a project test keeps it current).
PROOFS_PATH = HERE / "proofs.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Policy:
    """Typed view of policy.yaml."""

    error_statuses: frozenset[int]
    error_content_types: frozenset[str]
    invalid_input_statuses: frozenset[int]
    unknown_id_statuses: frozenset[int]
    unsupported_method_statuses: frozenset[int]
    duplicate_email_statuses: frozenset[int]
    business_rule_statuses: frozenset[int]
    unauthenticated_status: int
    forbidden_status: int
    open_to_any_identity: frozenset[str]
    email_max_length: int
    password_min_length: int
    password_max_length: int
    name_max_length: int
    refinements: dict[str, Any]


@cache
def _check_pattern(pattern: str) -> re.Pattern[str]:
    """`*` is any run of characters; a pattern without `[` also covers every parameter of the test."""
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile(body if "[" in pattern else body + r"(\[.*\])?")


def _matches(patterns: tuple[str, ...], nodeid: str) -> bool:
    return any(_check_pattern(p).fullmatch(nodeid) for p in patterns)


@dataclass(frozen=True)
class Part:
    """One thing a clause says, alone or by what its words imply ("at once": for every credential;
    "in that tenant": and no other; "found only under its owner": through every path).

    A clause stated as one part has a single part whose id is the clause's own.
    """

    id: str
    text: str
    #: Node-id patterns of the suite tests that check this part.
    checks: tuple[str, ...]

    @property
    def clause_id(self) -> str:
        return self.id.split(".", 1)[0]

    def checked_by(self, nodeid: str) -> bool:
        """Whether the suite test `nodeid` is one of this part's checks."""
        return _matches(self.checks, nodeid)


@dataclass(frozen=True)
class Clause:
    """One testable statement of the contract (specs/clauses.yaml)."""

    id: str
    text: str
    #: operationIds it concerns; "*" for every operation.
    operations: tuple[str, ...]
    #: Node-id patterns of the suite tests that check it (with parts: every part's checks).
    checks: tuple[str, ...]
    #: "server" (a self-test fault breaks it) or "suite" (about the suite itself: see proven_by).
    kind: str = "server"
    #: Project tests that show the suite keeps a "suite" clause.
    proven_by: tuple[str, ...] = ()
    #: The open issue that owns a proof not written yet.
    pending: str = ""
    #: What the clause says, part by part (`C-USERS-19.2`); empty when it is one part (the clause itself).
    stated_parts: tuple[Part, ...] = ()

    def checked_by(self, nodeid: str) -> bool:
        """Whether the suite test `nodeid` is one of this clause's checks."""
        return _matches(self.checks, nodeid)

    @property
    def parts(self) -> tuple[Part, ...]:
        """Its parts; a clause stated as one part is its own single part."""
        return self.stated_parts or (Part(self.id, self.text, self.checks),)

    def part(self, part_id: str = "") -> Part:
        """The part `part_id` (the clause's only part when empty); KeyError if it has no such part."""
        if not part_id:
            if len(self.parts) != 1:
                raise KeyError(f"{self.id} has {len(self.parts)} parts: name one")
            return self.parts[0]
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(f"{self.id} has no part {part_id}")


@dataclass(frozen=True)
class Operation:
    """One documented operation, as the description states it."""

    operation_id: str
    method: str
    path: str
    definition: dict[str, Any]

    @property
    def is_setup(self) -> bool:
        """Setup operations arrange state; the suite never fuzzes them."""
        return bool(self.definition.get("x-contract-setup"))

    @property
    def success_status(self) -> int:
        return min(int(code) for code in self.definition["responses"] if code.startswith("2"))

    @property
    def is_tenant_scoped(self) -> bool:
        return "{tenant}" in self.path

    @property
    def is_superadmin_only(self) -> bool:
        return str(self.definition.get("description", "")).startswith("Superadmin-only")


@cache
def policy() -> Policy:
    raw = yaml.safe_load(POLICY_PATH.read_text())
    valid = raw["valid_data"]
    return Policy(
        error_statuses=frozenset(raw["error_statuses"]),
        error_content_types=frozenset(raw["error_content_types"]),
        invalid_input_statuses=frozenset(raw["invalid_input_statuses"]),
        unknown_id_statuses=frozenset(raw["unknown_id_statuses"]),
        unsupported_method_statuses=frozenset(raw["unsupported_method_statuses"]),
        duplicate_email_statuses=frozenset(raw["duplicate_email_statuses"]),
        business_rule_statuses=frozenset(raw["business_rule_statuses"]),
        unauthenticated_status=int(raw["unauthenticated_status"]),
        forbidden_status=int(raw["forbidden_status"]),
        open_to_any_identity=frozenset(raw["open_to_any_identity"]),
        email_max_length=int(valid["email_max_length"]),
        password_min_length=int(valid["password_min_length"]),
        password_max_length=int(valid["password_max_length"]),
        name_max_length=int(valid["name_max_length"]),
        refinements=raw["refinements"],
    )


def _clause(item: dict[str, Any]) -> Clause:
    parts = tuple(
        Part(id=str(part["id"]), text=str(part["text"]), checks=tuple(part["checks"])) for part in item.get("parts", ())
    )
    # A clause stated in parts is checked by every test that checks one of them.
    checks = tuple(item.get("checks", ())) or tuple(dict.fromkeys(c for part in parts for c in part.checks))
    return Clause(
        id=str(item["id"]),
        text=str(item["text"]),
        operations=tuple(item["operations"]),
        checks=checks,
        kind=str(item.get("kind", "server")),
        proven_by=tuple(item.get("proven_by", ())),
        pending=str(item.get("pending", "")),
        stated_parts=parts,
    )


@cache
def clauses() -> tuple[Clause, ...]:
    """Every clause of the contract, in the order of contract-semantics.md."""
    raw = yaml.safe_load(CLAUSES_PATH.read_text())["clauses"]
    return tuple(_clause(item) for item in raw)


def clauses_by_id() -> dict[str, Clause]:
    return {clause.id: clause for clause in clauses()}


def parts_by_id() -> dict[str, Part]:
    """Every part of every clause, by id."""
    return {part.id: part for clause in clauses() for part in clause.parts}


@cache
def proofs() -> dict[str, tuple[str, ...]]:
    """Part id -> the self-test faults that break it (specs/proofs.yaml, generated from the faults)."""
    raw = (yaml.safe_load(PROOFS_PATH.read_text()) if PROOFS_PATH.exists() else None) or {}
    return {str(part): tuple(names) for part, names in raw.items()}


@cache
def _documented() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text())
    return loaded


def documented_openapi() -> dict[str, Any]:
    """The description exactly as documented (a fresh copy)."""
    return copy.deepcopy(_documented())


@cache
def _refined() -> dict[str, Any]:
    spec = documented_openapi()
    refinements = policy().refinements
    by_id = {op.operation_id: op for op in _iter_operations(spec)}
    for operation_id, params in refinements.get("parameters", {}).items():
        definition = by_id[operation_id].definition
        for param in definition.get("parameters", []):
            param["schema"].update(params.get(param["name"], {}))
    schemas = spec["components"]["schemas"]
    for schema_name, fields in refinements.get("schemas", {}).items():
        for field, extra in fields.items():
            schemas[schema_name]["properties"][field].update(extra)
    return spec


def openapi() -> dict[str, Any]:
    """The description with the policy's refinements merged in (a fresh copy)."""
    return copy.deepcopy(_refined())


def _iter_operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in spec["paths"].items():
        for method, definition in item.items():
            if method in HTTP_METHODS:
                yield Operation(definition["operationId"], method.upper(), path, definition)


@cache
def operations_by_id() -> dict[str, Operation]:
    """Every operation of the refined description (setup included), by operationId."""
    return {op.operation_id: op for op in _iter_operations(_refined())}


def operations(*, include_setup: bool = False) -> list[Operation]:
    """The operations of the refined description, the contract's 24 unless asked for more."""
    return [op for op in _iter_operations(_refined()) if include_setup or not op.is_setup]
