"""How this instance of the reference server behaves, within what the contract allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reference_server._faults import validate_faults

__all__ = ["ServerConfig"]

ErrorBody = Literal["empty", "json", "problem"]


@dataclass(frozen=True)
class ServerConfig:
    """Each choice here is one that contract-semantics.md allows a real server to make."""

    admin_username: str = "admin@kestra.local"
    admin_password: str = "Admin1234"
    tenants: tuple[str, ...] = ("main",)
    #: createUser answers 201 with an empty body, or with the new ApiUser.
    create_user_body: Literal["empty", "user"] = "empty"
    #: Body of 401 and 403 answers.
    auth_error_body: ErrorBody = "json"
    #: Body of other error answers.
    error_body: Literal["json", "problem"] = "json"
    #: Status for malformed JSON and for bodies that break the schema.
    invalid_input_status: Literal[400, 422] = 400
    #: Accept requests that omit required fields (as later Kestra versions do).
    lenient_required: bool = False
    #: Deliberate defects to switch on (see _faults.py).
    faults: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        validate_faults(self.faults)

    def has(self, fault: str) -> bool:
        return fault in self.faults
