"""The OpenAPI description of the Users API and the policy it does not state, per contract version.

Both the suite and the reference server load the description from here, with the
policy's refinements merged in, so that the two cannot drift apart. Version 1 is Kestra
EE 1.x (kestrapy 1.0.0b7's UsersApi.md), version 2 Kestra EE 2.x; `contract(version)`
gives one version whole. The module-level functions (`openapi()`, `policy()`,
`operations()`, ...) follow the process's active version, `use(version)`, 1 until a
process says otherwise: the reference server and the suite each set it once, at start.

Every version names its operations by the same contract names (the version-1
operationIds), which clauses, ledgers and reports share; an operation that a version
documents under another operationId says so in `documented_id`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CLAUSES_PATH",
    "OPENAPI_PATH",
    "POLICY_PATH",
    "PROOFS_PATH",
    "VERSIONS",
    "Clause",
    "Contract",
    "Operation",
    "Part",
    "Policy",
    "active_version",
    "clauses",
    "clauses_by_id",
    "contract",
    "documented_openapi",
    "openapi",
    "operations",
    "operations_by_id",
    "parts_by_id",
    "policy",
    "proofs",
    "success_statuses",
    "use",
]

HERE = Path(__file__).parent
#: The contract versions this project knows: one folder each (Kestra EE 1.x is version 1).
VERSIONS = (1, 2)
#: Version 1's files (kept for callers that name them).
OPENAPI_PATH = HERE / "v1" / "users-api.yaml"
POLICY_PATH = HERE / "v1" / "policy.yaml"
CLAUSES_PATH = HERE / "clauses.yaml"
#: Which self-test faults prove each part (generated from reference_server/_faults.py; a project test keeps it current).
PROOFS_PATH = HERE / "proofs.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
#: The extension that gives an operation's contract name where its operationId differs.
CONTRACT_NAME = "x-contract-operation"


@dataclass(frozen=True)
class Policy:
    """Typed view of a version's policy.yaml."""

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
    #: The largest page the suite asks for; above it a server may refuse (4xx) or cap: both are fine.
    page_size_max: int
    refinements: dict[str, Any]
    #: Success statuses the sources also allow, besides the documented one, by contract name.
    alternative_success: dict[str, frozenset[int]]
    #: How a password is tried: "basic" (HTTP basic on any call) or "login" (POST /login).
    password_login: str
    #: The query parameter listUsers is searched with.
    search_parameter: str
    #: The fields that say a user is a superadmin (any present must agree).
    superadmin_fields: tuple[str, ...]
    #: Where the description does not match what servers and SDKs send: (operation, detail).
    description_drift: tuple[tuple[str, str], ...]


def _policy_from(raw: dict[str, Any]) -> Policy:
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
        page_size_max=int(valid["page_size_max"]),
        refinements=raw["refinements"],
        alternative_success={k: frozenset(v) for k, v in (raw.get("alternative_success") or {}).items()},
        password_login=str(raw.get("password_login", "basic")),
        search_parameter=str(raw.get("search_parameter", "q")),
        superadmin_fields=tuple(raw.get("superadmin_fields", ["superAdmin"])),
        description_drift=tuple(
            (str(d["operation"]), " ".join(str(d["detail"]).split())) for d in raw.get("description_drift", [])
        ),
    )


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
    #: The contract versions it belongs to (absent in clauses.yaml: every version).
    versions: tuple[int, ...] = VERSIONS
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

    def applies_to(self, version: int) -> bool:
        return version in self.versions


@dataclass(frozen=True)
class Operation:
    """One documented operation, as the description states it, under its contract name."""

    operation_id: str
    method: str
    path: str
    definition: dict[str, Any]

    @property
    def documented_id(self) -> str:
        """The operationId the version's description gives it (the contract name unless renamed)."""
        return str(self.definition.get("x-documented-operation-id", self.operation_id))

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


class Contract:
    """One contract version: its description as documented and refined, its policy, its operations."""

    def __init__(self, version: int) -> None:
        if version not in VERSIONS:
            raise ValueError(f"unknown contract version {version!r}; known: {', '.join(map(str, VERSIONS))}")
        self.version = version
        self.openapi_path = HERE / f"v{version}" / "users-api.yaml"
        self.policy_path = HERE / f"v{version}" / "policy.yaml"

    def __repr__(self) -> str:
        return f"Contract({self.version})"

    @cached_property
    def policy(self) -> Policy:
        return _policy_from(_yaml(self.policy_path.read_text()))

    @cached_property
    def _documented(self) -> dict[str, Any]:
        loaded: dict[str, Any] = _yaml(self.openapi_path.read_text())
        return loaded

    def documented_openapi(self) -> dict[str, Any]:
        """The description exactly as documented (a fresh copy)."""
        return copy.deepcopy(self._documented)

    @cached_property
    def _refined(self) -> dict[str, Any]:
        spec = self.documented_openapi()
        for operation in _iter_operations(spec):
            _name_by_contract(operation.definition)
        refinements = self.policy.refinements
        by_id = {op.operation_id: op for op in _iter_operations(spec)}
        for operation_id, replaced in refinements.get("replace_parameters", {}).items():
            definition = by_id[operation_id].definition
            parameters: list[dict[str, Any]] = []
            for param in definition.get("parameters", []):
                parameters.extend(copy.deepcopy(replaced.get(param["name"], [param])))
            definition["parameters"] = parameters
        for operation_id, params in refinements.get("parameters", {}).items():
            definition = by_id[operation_id].definition
            for param in definition.get("parameters", []):
                param["schema"].update(params.get(param["name"], {}))
        schemas = spec["components"]["schemas"]
        for schema_name, fields in refinements.get("schemas", {}).items():
            for field, extra in fields.items():
                schemas[schema_name]["properties"][field].update(extra)
        return spec

    def openapi(self) -> dict[str, Any]:
        """The description with the policy's refinements merged in, by contract names (a fresh copy)."""
        return copy.deepcopy(self._refined)

    @cached_property
    def operations_by_id(self) -> dict[str, Operation]:
        """Every operation of the refined description (setup included), by contract name."""
        return {op.operation_id: op for op in _iter_operations(self._refined)}

    def operations(self, *, include_setup: bool = False) -> list[Operation]:
        """The operations of the refined description, the contract's own unless asked for more."""
        return [op for op in self.operations_by_id.values() if include_setup or not op.is_setup]

    def success_statuses(self, operation_id: str) -> frozenset[int]:
        """The documented success status, and those the policy also allows where the sources disagree."""
        documented = self.operations_by_id[operation_id].success_status
        return frozenset({documented}) | self.policy.alternative_success.get(operation_id, frozenset())


def _name_by_contract(definition: dict[str, Any]) -> None:
    """A renamed operation takes its contract name as operationId; its documented one stays beside it."""
    name = definition.pop(CONTRACT_NAME, None)
    if name and name != definition["operationId"]:
        definition["x-documented-operation-id"] = definition["operationId"]
        definition["operationId"] = name


@cache
def contract(version: int) -> Contract:
    """One contract version, whole."""
    return Contract(version)


_active = {"version": 1}


def use(version: int) -> Contract:
    """Make `version` the contract this process's module-level functions follow; returns it."""
    chosen = contract(version)
    _active["version"] = version
    return chosen


def active_version() -> int:
    return _active["version"]


def _current() -> Contract:
    return contract(_active["version"])


def policy() -> Policy:
    return _current().policy


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
        versions=tuple(int(v) for v in item.get("versions", VERSIONS)),
        stated_parts=parts,
    )


@cache
def clauses() -> tuple[Clause, ...]:
    """Every clause of the contract (all versions), in the order of docs/contract-semantics.md."""
    raw = _yaml(CLAUSES_PATH.read_text())["clauses"]
    return tuple(_clause(item) for item in raw)


def clauses_by_id() -> dict[str, Clause]:
    return {clause.id: clause for clause in clauses()}


def parts_by_id() -> dict[str, Part]:
    """Every part of every clause, by id."""
    return {part.id: part for clause in clauses() for part in clause.parts}


@cache
def proofs() -> dict[str, tuple[str, ...]]:
    """Part id -> the self-test faults that break it (specs/proofs.yaml, generated from the faults)."""
    raw = (_yaml(PROOFS_PATH.read_text()) if PROOFS_PATH.exists() else None) or {}
    return {str(part): tuple(names) for part, names in raw.items()}


def documented_openapi() -> dict[str, Any]:
    """The active version's description exactly as documented (a fresh copy)."""
    return _current().documented_openapi()


def openapi() -> dict[str, Any]:
    """The active version's description with the policy's refinements merged in (a fresh copy)."""
    return _current().openapi()


def _iter_operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in spec["paths"].items():
        for method, definition in item.items():
            if method in HTTP_METHODS:
                yield Operation(definition["operationId"], method.upper(), path, definition)


def operations_by_id() -> dict[str, Operation]:
    """Every operation of the active version (setup included), by contract name."""
    return _current().operations_by_id


def operations(*, include_setup: bool = False) -> list[Operation]:
    """The active version's operations, the contract's own unless asked for more."""
    return _current().operations(include_setup=include_setup)


def success_statuses(operation_id: str) -> frozenset[int]:
    """What the active version allows `operation_id` to answer on success."""
    return _current().success_statuses(operation_id)


#: libyaml's parser when PyYAML was built with it (ten times faster: every suite run loads these files).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # a safe loader: no arbitrary objects
