"""The fuzz checks: one registry that the built-in checks and a team's own checks join the same way.

Modelled on schemathesis's `@schemathesis.check`: a check is a function
`(ctx, response, case)` that raises `AssertionError` (or a `ContractViolation`) when an
answer breaks the contract, and returns otherwise. `@check` adds it to the registry; the
fuzz engine runs every registered check on every generated case it sends with valid
credentials, counts each in the report under the function's name, and fails the case
with every check that failed. A team's checks live in its own modules, imported by the
plugin from the `contract_extensions` ini key (or `--contract-extensions`), since
`pytest --pyargs contract` loads no conftest of theirs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from schemathesis import Case
from schemathesis.core.transport import Response

import specs
from contract.fuzz._world import FuzzWorld, Prepared
from contract.harness import Exchange, Findings, Run, curl

__all__ = ["CheckContext", "FuzzCheck", "check", "load_extensions", "registered_checks"]


@dataclass(frozen=True)
class CheckContext:
    """What a check knows about the case besides the response: the operation, what the world prepared, the run."""

    run: Run
    world: FuzzWorld
    operation: specs.Operation
    prepared: Prepared
    #: The request as sent and the answer, as the harness records them (curl line included).
    exchange: Exchange
    #: schemathesis's own context, for its built-in checks.
    schemathesis: Any = field(default=None, repr=False)

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def findings(self) -> Findings:
        return self.run.findings

    def curl(self) -> str:
        return curl(self.exchange.request)


FuzzCheck = Callable[[CheckContext, Response, Case[Any]], Any]
_Check = TypeVar("_Check", bound=Callable[..., Any])

_REGISTRY: dict[str, FuzzCheck] = {}


def check(function: _Check) -> _Check:
    """Register `function` as a check of every fuzz case, under its name (a second function of that name is refused)."""
    name = function.__name__
    known = _REGISTRY.get(name)
    if known is not None and known is not function and _origin(known) != _origin(function):
        raise ValueError(f"a fuzz check named {name!r} is registered already (by {known.__module__})")
    _REGISTRY[name] = function
    return function


def _origin(function: Callable[..., Any]) -> tuple[str, str]:
    """Where a function was defined: a module imported twice registers the same check again, not a second one."""
    return function.__module__, getattr(function, "__qualname__", function.__name__)


def registered_checks() -> tuple[FuzzCheck, ...]:
    """Every registered check, the built-in ones first, in the order they were registered."""
    return tuple(_REGISTRY.values())


def load_extensions(modules: Iterable[str]) -> list[str]:
    """Import each module (its `@check`s register themselves); the names of the checks they added."""
    before = set(_REGISTRY)
    for module in modules:
        importlib.import_module(module)
    return [name for name in _REGISTRY if name not in before]
