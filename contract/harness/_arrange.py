"""Create the objects tests act on (Api.call records each in the ledger once the server confirms it).

How long the tokens the run makes may live: a run killed before cleanup leaves no lasting credential.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import specs
from contract.harness.lifecycle import UnstableTarget, give_up, raising_unstable
from contract.harness.records import ContractViolation, Exchange, expect_status
from contract.harness.sending import Api, Credentials
from strategies import RunNames

__all__ = ["OWN_TOKEN_MAX_AGE", "Arranger", "CreatedToken", "CreatedUser", "short_lived"]


#: "self": the identity the suite runs as (contract 2's /api/v1/me/api-tokens).
OwnerKind = Literal["user", "service_account", "self"]


@dataclass(frozen=True)
class CreatedUser:
    id: str
    email: str
    password: str | None

    @property
    def credentials(self) -> Credentials:
        return Credentials(username=self.email, password=self.password or "")


@dataclass(frozen=True)
class CreatedToken:
    id: str
    name: str
    owner_id: str
    owner_kind: OwnerKind
    full_token: str

    @property
    def credentials(self) -> Credentials:
        return Credentials(token=self.full_token)


def strong_password() -> str:
    """16 characters that every password policy Kestra ships accepts (lower, upper, digit, one of !@#$%^&*)."""
    alphabet = string.ascii_letters + string.digits
    return "Kc9!" + "".join(secrets.choice(alphabet) for _ in range(12))


class Arranger:
    """Builds state through the API under test, and nothing else."""

    #: Users made ahead for callers that take any valid user, once search was seen to lag: where
    #: createUser answers without the new id, finding the ids then waits once per batch, not per user.
    RESERVE_BATCH = 6
    #: Names tried for a group or service account whose creation the target left unknown.
    NAMED_TRIES = 3

    def __init__(self, api: Api, names: RunNames) -> None:
        self.api = api
        self.names = names
        self._reserve: list[tuple[CreatedUser, Exchange]] = []
        self._lock = threading.Lock()

    @property
    def tenant(self) -> str:
        return self.api.target.tenant

    def user_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "tenants": [self.tenant],
            "groups": [],
            "firstName": "Contract",
            "lastName": "User",
            "email": self.names.email(),
            "password": strong_password(),
            "superAdmin": False,
            "restricted": False,
        }
        body.update(overrides)
        return body

    def create_user(self, body: dict[str, Any] | None = None) -> tuple[CreatedUser, Exchange]:
        """A user with `body`, or without one any valid user nobody has used yet (made ahead, in batches)."""
        if body is None:
            with self._lock:
                if not self._reserve:
                    size = self.RESERVE_BATCH if self.api.search_lagged else 1
                    self._reserve = self.create_users([self.user_body() for _ in range(size)])
                return self._reserve.pop(0)
        exchange = expect_status(self.api.call("createUser", json=body), 201, "createUser with valid data")
        return _created_user(exchange, body), exchange

    def create_users(self, bodies: list[dict[str, Any]]) -> list[tuple[CreatedUser, Exchange]]:
        """One user per body, their ids found together (see `Api.create_users`)."""
        exchanges = self.api.create_users(bodies)
        for exchange in exchanges:
            expect_status(exchange, 201, "createUser with valid data")
        return [(_created_user(exchange, body), exchange) for exchange, body in zip(exchanges, bodies, strict=True)]

    def token_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.names.unique(),
            "description": "contract suite",
            "maxAge": OWN_TOKEN_MAX_AGE,
            "extended": False,
        }
        body.update(overrides)
        return body

    def create_token(
        self,
        owner_id: str,
        owner_kind: OwnerKind = "user",
        body: dict[str, Any] | None = None,
        *,
        operation: str | None = None,
    ) -> tuple[CreatedToken, Exchange]:
        body = body if body is not None else self.token_body()
        operation = operation or _TOKEN_CREATES[owner_kind]
        path = {"id": owner_id} if owner_kind != "self" else {}
        exchange = expect_status(
            self.api.call(operation, path, json=body),
            specs.success_statuses(operation),
            f"{operation} with valid data",
        )
        payload = exchange.json()
        if not isinstance(payload, dict) or not payload.get("fullToken"):
            raise ContractViolation("a body with the token's id and fullToken", exchange)
        token_id = _created_id(exchange)
        return CreatedToken(token_id, body["name"], owner_id, owner_kind, str(payload["fullToken"])), exchange

    def create_group(self, members: list[str] | None = None, *, tenant: str | None = None) -> str:
        """A group in the suite's tenant, or in `tenant`."""

        def body(name: str) -> dict[str, Any]:
            return {"name": name, "description": "contract suite", "membersId": members or []}

        return self._create_named("createGroup", body, {"tenant": tenant} if tenant else None)

    def create_service_account(self, *, super_admin: bool = False, tenants: list[str] | None = None) -> str:
        """A service account in the suite's tenant, unless `tenants` says otherwise (`[]`: in none)."""

        def body(name: str) -> dict[str, Any]:
            return {
                "name": name,
                "description": "contract suite",
                "superAdmin": super_admin,
                "tenants": [self.tenant] if tenants is None else tenants,
            }

        return self._create_named("createServiceAccount", body)

    def _create_named(
        self, operation: str, body: Callable[[str], dict[str, Any]], path: dict[str, str] | None = None
    ) -> str:
        """A group or service account under a fresh name: when the target leaves the outcome unknown and it
        cannot be read back (its listing unreadable too), made again under another name rather than ending
        the example (the first, if made, carries the run prefix: the run's last pass finds it).
        """
        for attempt in range(self.NAMED_TRIES):
            try:
                with raising_unstable():
                    exchange = self.api.call(operation, path, json=body(self.names.unique()))
            except UnstableTarget as error:
                if attempt + 1 == self.NAMED_TRIES:
                    give_up(error)
                continue
            return _created_id(expect_status(exchange, 200, operation))
        raise AssertionError("unreachable: the last try returns or gives up")


def _created_user(exchange: Exchange, body: dict[str, Any]) -> CreatedUser:
    return CreatedUser(_created_id(exchange), body["email"], body.get("password") or None)


def _created_id(exchange: Exchange) -> str:
    """The id Api.call read from the confirmation (and wrote to the ledger)."""
    if exchange.created is None:
        raise ContractViolation("a confirmation that names what was created", exchange)
    return exchange.created.id


_TOKEN_CREATES: dict[str, str] = {
    "user": "createApiTokensForUser_1",
    "service_account": "createApiTokensForUser",
    "self": "createApiTokenForCurrentUser",
}

#: The maxAge of every token the suite makes for its own use.
OWN_TOKEN_MAX_AGE = "PT2H"
_LONGEST_SECONDS = 2 * 3600
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


def _seconds(duration: str) -> int | None:
    match = _DURATION.fullmatch(duration)
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def short_lived(body: Any) -> bool:
    """Whether a token request asks for a token that expires within two hours."""
    max_age = body.get("maxAge") if isinstance(body, dict) else None
    seconds = _seconds(max_age) if isinstance(max_age, str) else None
    return seconds is not None and seconds <= _LONGEST_SECONDS
