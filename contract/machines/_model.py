"""What the state machines believe the server holds: the model they check every answer against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from contract.harness import Credentials

__all__ = [
    "MAX_LIVE_USERS",
    "ModelServiceAccount",
    "ModelToken",
    "ModelUser",
    "Owner",
    "OwnerKind",
    "Population",
    "room_for_a_user",
    "several_users",
]

OwnerKind = Literal["user", "service_account"]

#: Users a machine keeps alive at most: a handful exercises every rule, and each further
#: create would only repeat one, at the price of a wait where search shows a new user late.
MAX_LIVE_USERS = 5


class Population(Protocol):
    """A machine that models live users by id."""

    model: dict[str, ModelUser]


# Preconditions are named functions: hypothesis describes a lambda by parsing its source,
# which is not safe while a machine's shards run side by side in threads.
def room_for_a_user(machine: Population) -> bool:
    return len(machine.model) < MAX_LIVE_USERS


def several_users(machine: Population) -> bool:
    """Deleting one still leaves a user for every rule."""
    return len(machine.model) > 1


@dataclass(eq=False)
class ModelToken:
    id: str
    name: str
    description: str
    owner: Owner
    full_token: str
    extended: bool = False
    alive: bool = True

    @property
    def credentials(self) -> Credentials:
        return Credentials(token=self.full_token)

    @property
    def works(self) -> bool:
        """A token is a credential until it or its owner is deleted."""
        return self.alive and self.owner.alive


@dataclass(eq=False)
class ModelUser:
    id: str
    email: str
    first_name: str
    last_name: str
    #: The login name: the email it was created with, or after an email change what the server shows.
    username: str
    password: str | None
    super_admin: bool = False
    restricted: bool = False
    groups: set[str] = field(default_factory=set)
    #: Passwords this user had before, newest last: each must now fail.
    old_passwords: list[str] = field(default_factory=list)
    tokens: dict[str, ModelToken] = field(default_factory=dict)
    alive: bool = True
    #: The display name the server showed after the last change of name ("" until one): what `q` must find.
    display_name: str = ""
    #: Its groups in the run's second tenant (`--second-tenant`): a change in the first leaves them alone.
    second_groups: set[str] = field(default_factory=set)
    #: Whether it was given access to the second tenant too (created or updated with both tenants).
    in_second_tenant: bool = False

    kind: OwnerKind = "user"

    def login_with(self, password: str) -> Credentials:
        return Credentials(username=self.username, password=password)

    def change_password(self, new_password: str) -> None:
        if self.password is not None and self.password != new_password:
            self.old_passwords.append(self.password)
        self.password = new_password
        if new_password in self.old_passwords:
            self.old_passwords.remove(new_password)

    @property
    def live_tokens(self) -> list[ModelToken]:
        return [t for t in self.tokens.values() if t.alive]


@dataclass(eq=False)
class ModelServiceAccount:
    id: str
    #: Whether the account belongs to the suite's tenant (tenant-scoped token paths find it).
    in_tenant: bool
    tokens: dict[str, ModelToken] = field(default_factory=dict)
    alive: bool = True

    kind: OwnerKind = "service_account"

    @property
    def live_tokens(self) -> list[ModelToken]:
        return [t for t in self.tokens.values() if t.alive]


Owner = ModelUser | ModelServiceAccount
