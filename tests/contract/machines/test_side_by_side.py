"""What running a machine's shards side by side in threads asks of the machines.

Hypothesis describes a precondition or a filter by name, but a lambda by parsing its
module's source; that parse fails now and then (SystemError from `ast`) while another
thread's hypothesis run moves the recursion limit. So the machines name theirs.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import stateful

from contract.machines import ContractMachine
from contract.test_machine_passwords_and_access import AccessMachine
from contract.test_machine_tokens import TokensMachine
from contract.test_machine_users import UsersMachine

MACHINES = [AccessMachine, TokensMachine, UsersMachine]
_MARKERS = (stateful.RULE_MARKER, stateful.INITIALIZE_RULE_MARKER, stateful.INVARIANT_MARKER)


def _steps(machine: type[ContractMachine]) -> list[tuple[str, Any]]:
    found = []
    for name in dir(machine):  # hypothesis keeps each step on its function, under a marker
        function = getattr(machine, name)
        for marker in _MARKERS:
            step = getattr(function, marker, None)
            if step is not None:
                found.append((name, step))
    return found


def _lambdas(machine: type[ContractMachine]) -> list[str]:
    lambdas = []
    for name, step in _steps(machine):
        lambdas += [f"{name}: precondition" for p in getattr(step, "preconditions", ()) if p.__name__ == "<lambda>"]
        lambdas += [f"{name}: {arg}" for arg, s in getattr(step, "arguments", {}).items() if "lambda" in repr(s)]
    return lambdas


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.__name__)
def test_machines_name_their_preconditions_and_filters(machine: type[ContractMachine]) -> None:
    assert len(_steps(machine)) > 3, "no rules found: did hypothesis rename its markers?"
    assert _lambdas(machine) == []


def test_the_check_sees_a_lambda() -> None:
    class Careless(ContractMachine):
        users = stateful.Bundle("users")

        @stateful.precondition(lambda self: True)
        @stateful.rule(user=users.filter(lambda u: True))
        def step(self, user: object) -> None: ...

    assert _lambdas(Careless) == ["step: precondition", "step: user"]
