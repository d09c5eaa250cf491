"""The rules that keep a run to what it created, checked before any request is sent.

A run may change only objects in its ledger, may name only those (or ids known not to
exist) inside a request body, gives whatever it creates the run prefix, and never
changes the password of the identity it runs as. In a read-only run it changes nothing.
Whatever a generator draws, a request that breaks a rule is never sent.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import specs
from contract.harness.records import Kind, Ledger
from contract.harness.sending._target import Credentials
from strategies import EMAIL_DOMAIN, RUN_PREFIX_ROOT

__all__ = [
    "EMAIL_OF_NO_ONE",
    "MISSING_PREFIX",
    "SafetyGuard",
    "UnsafeRequest",
    "is_missing_id",
    "mutates",
]

#: Ids that no server holds: the suite may aim anything at them.
MISSING_PREFIX = "kct-missing-"
#: A username no server holds (format it with a missing id): bad-credential probes name it.
EMAIL_OF_NO_ONE = "{}@" + EMAIL_DOMAIN
#: Nothing but the prefix and id characters, so a "missing" id cannot smuggle a path.
_MISSING_ID = re.compile(re.escape(MISSING_PREFIX) + r"[A-Za-z0-9_-]+")

#: POST operations that change nothing the Users API holds (a password login is kept in check by the login book).
_READ_ONLY_POSTS = frozenset({"autocompleteUsers", "login"})

#: Body fields that name other objects: operation -> (field, kind of the objects named).
_BODY_REFERENCES: dict[str, tuple[str, Kind]] = {
    "createUser": ("groups", "group"),
    "updateUser": ("groups", "group"),
    "updateUserGroups": ("groupIds", "group"),
    "createGroup": ("membersId", "user"),
    "createServiceAccountForTenant": ("groups", "group"),
}

#: The field that makes an object recognisable: it must carry the run prefix.
_NAMING_FIELDS: dict[str, str] = {
    "createUser": "email",
    "updateUser": "email",
    "patchUser": "email",
    "createGroup": "name",
    "createServiceAccount": "name",
    "createServiceAccountForTenant": "name",
}


class UnsafeRequest(RuntimeError):
    """The suite was about to change something it did not create. A bug in the suite."""


def mutates(operation: specs.Operation) -> bool:
    """Whether sending the operation may change state on the server."""
    return operation.method != "GET" and operation.operation_id not in _READ_ONLY_POSTS


def is_missing_id(value: object) -> bool:
    return isinstance(value, str) and _MISSING_ID.fullmatch(value) is not None


def _path_kind(operation: specs.Operation, param: str) -> Kind | None:
    if param == "tokenId":
        return "token"
    if param != "id":
        return None
    if "/service-accounts/" in operation.path:
        return "service_account"
    return "group" if "/groups/" in operation.path else "user"


def _referenced_ids(value: Any) -> list[Any]:
    """The ids a reference field holds: strings, or objects with an `id`."""
    if not isinstance(value, list):
        return []
    return [item.get("id") if isinstance(item, dict) else item for item in value]


@dataclass
class SafetyGuard:
    """Refuses any request that could change an object this run did not create."""

    ledger: Ledger
    read_only: bool = False

    @property
    def prefix(self) -> str:
        """What every name and email the run gives out starts with (any worker)."""
        return f"{RUN_PREFIX_ROOT}{self.ledger.run_id}-"

    def check(
        self,
        operation: specs.Operation,
        path: Mapping[str, str],
        as_: Credentials | None = None,
        *,
        body: Any = None,
        as_suite: bool | None = None,
    ) -> None:
        """Raise UnsafeRequest unless sending this request is safe.

        The request is sent as the run's own identity if `as_suite` says so, else when no
        other identity `as_` is given. Without `body`, only the path is checked.
        """
        as_suite = as_ is None if as_suite is None else as_suite
        if not mutates(operation):
            return
        name = operation.operation_id
        if self.read_only:
            raise UnsafeRequest(f"read-only run: refusing {name}")
        if name == "updateCurrentUserPassword" and as_suite:
            raise UnsafeRequest("refusing to change the password of the identity the suite runs as")
        for param, value in path.items():
            kind = _path_kind(operation, param)
            if kind is not None and not self._may_name(kind, value):
                raise UnsafeRequest(f"refusing {name} on {param}={value}: not created by this run")
        if isinstance(body, dict):
            self._check_body(name, body)

    def tame(self, operation_id: str, body: Any) -> Any:
        """An invalid body made safe to send, still invalid where it was meant to be.

        A lenient server may accept it: so the field that names what it creates gets the
        run prefix (a bad pattern stays bad, a long value longer), and ids of other
        people's objects in reference fields become ids that cannot exist.
        """
        if not isinstance(body, dict):
            return body
        tamed = dict(body)
        naming = _NAMING_FIELDS.get(operation_id)
        value = tamed.get(naming) if naming else None
        probe = naming == "email" and isinstance(value, str) and "@" not in value  # refused by any server
        if naming and isinstance(value, str) and not value.startswith(self.prefix) and not probe:
            tamed[naming] = self.prefix + value
        if operation_id in _BODY_REFERENCES:
            field, kind = _BODY_REFERENCES[operation_id]
            if isinstance(tamed.get(field), list):
                tamed[field] = [self._tame_reference(kind, item) for item in tamed[field]]
        return tamed

    def _tame_reference(self, kind: Kind, item: Any) -> Any:
        if isinstance(item, str) and not self._may_name(kind, item):
            return f"{MISSING_PREFIX}ref-{secrets.token_hex(4)}"
        if isinstance(item, dict) and isinstance(item.get("id"), str) and not self._may_name(kind, item["id"]):
            return {**item, "id": f"{MISSING_PREFIX}ref-{secrets.token_hex(4)}"}
        return item

    def _check_body(self, name: str, body: dict[str, Any]) -> None:
        if name in _BODY_REFERENCES:
            field, kind = _BODY_REFERENCES[name]
            for value in _referenced_ids(body.get(field)):
                if isinstance(value, str) and not self._may_name(kind, value):
                    raise UnsafeRequest(f"refusing {name} naming {kind} {value} in {field}: not created by this run")
        naming = _NAMING_FIELDS.get(name)
        value = body.get(naming) if naming else None
        # An email without "@" is a probe any server refuses; anything else could become an object.
        if isinstance(value, str) and (naming != "email" or "@" in value) and not value.startswith(self.prefix):
            raise UnsafeRequest(f"refusing {name} with {naming}={value!r}: it lacks the run prefix {self.prefix}")

    def _may_name(self, kind: Kind, value: str) -> bool:
        return is_missing_id(value) or self.ledger.owns(kind, str(value))
