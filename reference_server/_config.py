"""How this instance of the reference server behaves, within what the contract allows."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from reference_server._faults import validate_faults

__all__ = [
    "DEFAULT_CROWD_ACTIVITY",
    "DEFAULT_VERSIONS",
    "LockoutRule",
    "OwnerField",
    "PasswordPolicyName",
    "ServerConfig",
]

ErrorBody = Literal["empty", "json", "problem"]
PasswordPolicyName = Literal["none", "kestra-1.1.5", "kestra-2"]
OwnerField = Literal["superAdmin", "instanceOwner", "both"]

#: The version each major announces in GET /api/v1/configs when only the major is given.
DEFAULT_VERSIONS = {1: "1.0.10", 2: "2.0.1"}
_VERSION = re.compile(r"(\d+)(?:\.\d+)*(?:-[0-9A-Za-z.]+)?")

#: Operations per second of the crowd's own activity, when it has people and no rate is given.
DEFAULT_CROWD_ACTIVITY = 5.0


@dataclass(frozen=True)
class LockoutRule:
    """Kestra EE's failed-login lockout: `threshold` failures within `window` seconds lock for `duration`."""

    threshold: int
    window: float
    duration: float

    def __post_init__(self) -> None:
        if self.threshold < 1 or not (self.window > 0 and self.duration > 0):
            raise ValueError("lockout needs a threshold >= 1 and a positive window and duration")

    @classmethod
    def parse(cls, text: str) -> LockoutRule:
        """`THRESHOLD/WINDOW/DURATION`, as the command line spells it (e.g. `10/300/1800`)."""
        parts = text.split("/")
        try:
            threshold, window, duration = int(parts[0]), float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            raise ValueError(f"lockout must be THRESHOLD/WINDOW/DURATION in seconds, not {text!r}") from None
        if len(parts) != 3 or not all(math.isfinite(v) for v in (window, duration)):
            raise ValueError(f"lockout must be THRESHOLD/WINDOW/DURATION in seconds, not {text!r}")
        return cls(threshold, window, duration)


@dataclass(frozen=True)
class ServerConfig:
    """Each choice here is one that docs/contract-semantics.md allows a real server to make."""

    admin_username: str = "admin@kestra.local"
    admin_password: str = "Admin1234"
    #: Two tenants, so that "in that tenant" can be told from "in every tenant".
    tenants: tuple[str, ...] = ("main", "second")
    #: createUser answers 201 with an empty body, or with the new ApiUser.
    create_user_body: Literal["empty", "user"] = "empty"
    #: Body of 401 and 403 answers (None: json on 1.x, problem on 2.x).
    auth_error_body: ErrorBody | None = None
    #: Body of other error answers (None: json on 1.x, problem on 2.x).
    error_body: Literal["json", "problem"] | None = None
    #: Status for malformed JSON and for bodies that break the schema.
    invalid_input_status: Literal[400, 422] = 400
    #: Accept requests that omit required fields (as later Kestra versions do).
    lenient_required: bool = False
    #: Deliberate defects to switch on (see _faults.py).
    faults: frozenset[str] = field(default_factory=frozenset)
    #: The Kestra EE version it plays ("2", "2.0.1", "1.0.10"); its major picks the contract it serves.
    kestra_version: str = "1"

    # -- choices only Kestra 2.x servers make (contract version 2) --

    #: Which fields say a user is a superadmin: the July 2026 description's, the released SDKs', or both.
    owner_field: OwnerField = "instanceOwner"
    #: impersonate answers 200 with an object (the description) or 303 with a cookie (servers).
    impersonate_status: Literal[200, 303] = 303
    #: POST /api/v1/me/api-tokens answers 200 (the description) or 201.
    me_token_status: Literal[200, 201] = 200
    #: A page size above 1000 is refused (422) or capped at 1000.
    oversized_page: Literal["refuse", "cap"] = "refuse"

    # -- real deployments (docs/contract-semantics.md, "Real deployments"); all off by default --

    #: Lock an account's basic auth after too many wrong passwords (see _lockout.py).
    lockout: LockoutRule | None = None
    #: Searches and token lists see writes up to this many seconds late (see _search_index.py).
    search_lag: float = 0.0
    #: People who were there before the run (see _crowd.py).
    crowd: int = 0
    #: Their creates, renames and deletes per second; None: DEFAULT_CROWD_ACTIVITY if there is a crowd.
    crowd_activity: float | None = None
    crowd_seed: int = 0
    #: Which rules new passwords must also meet (see _password_policy.py).
    password_policy: PasswordPolicyName = "none"
    #: Serve GET /api/v1/configs (with `passwordRegexp` when a policy is on); else it is 404.
    expose_configs: bool = False
    #: Fraction of requests a proxy in front answers itself with 502, 503, 504 or 429 (see _proxy.py).
    flaky_proxy: float = 0.0
    flaky_seed: int = 0
    #: Milliseconds added to every answer, as distance does.
    latency_ms: int = 0

    def __post_init__(self) -> None:
        validate_faults(self.faults)
        match = _VERSION.fullmatch(self.kestra_version)
        if match is None or int(match.group(1)) not in DEFAULT_VERSIONS:
            raise ValueError(f"kestra version must be 1 or 2, or a 1.x or 2.x version, not {self.kestra_version!r}")
        # Kestra 2.x answers errors with problem details; 1.x with a JSON message.
        native = "problem" if self.contract_version == 2 else "json"
        object.__setattr__(self, "auth_error_body", self.auth_error_body or native)
        object.__setattr__(self, "error_body", self.error_body or native)
        if not (math.isfinite(self.search_lag) and self.search_lag >= 0):
            raise ValueError("search lag must be a number of seconds >= 0")
        if self.password_policy not in get_args(PasswordPolicyName):
            raise ValueError(f"unknown password policy {self.password_policy!r}")
        if self.crowd < 0:
            raise ValueError("crowd must be >= 0")
        if self.crowd_activity is not None and not (math.isfinite(self.crowd_activity) and self.crowd_activity >= 0):
            raise ValueError("crowd activity must be a rate >= 0 (operations per second)")
        if not 0.0 <= self.flaky_proxy <= 1.0:
            raise ValueError("flaky proxy rate must be between 0 and 1")
        if self.latency_ms < 0:
            raise ValueError("latency must be >= 0 milliseconds")

    @property
    def contract_version(self) -> int:
        """The contract this server speaks: the major of the Kestra version it plays."""
        return int(self.kestra_version.split(".")[0].split("-")[0])

    @property
    def announced_version(self) -> str:
        """What GET /api/v1/configs says as `version`."""
        if "." in self.kestra_version:
            return self.kestra_version
        return DEFAULT_VERSIONS[self.contract_version]

    def has(self, fault: str) -> bool:
        return fault in self.faults

    @property
    def crowd_rate(self) -> float:
        """The crowd's operations per second in force: the given rate, else a default when there is a crowd."""
        if self.crowd_activity is not None:
            return self.crowd_activity
        return DEFAULT_CROWD_ACTIVITY if self.crowd > 0 else 0.0
