"""Targeted checks for rules that generation reaches only by luck.

Found by the mutation score (bench/mutation_score.py): with the default profile,
schemathesis sends a string where a boolean is documented in about one negative case
out of a hundred, and `page=0` in a run out of two. Both are rules
contract-semantics.md states outright, so they are checked here every run.
"""

from __future__ import annotations

from typing import Any

import pytest

import specs
from contract._exchange import ContractViolation, expect_status
from contract._fuzz_engine import FuzzEngine
from contract._run import Run

pytestmark = pytest.mark.fuzz

POLICY = specs.policy()


@pytest.mark.parametrize(("page", "size"), [(0, 10), (-1, 10), (1, 0), (1, -5), (0, 0)])
def test_pages_below_one_are_refused(page: int, size: int, run: Run) -> None:
    """`page` and `size` start at 1: smaller values get 400 or 422, never a 5xx or a page."""
    exchange = run.api.call("listUsers", params={"page": page, "size": size})
    expect_status(exchange, POLICY.invalid_input_statuses, f"listUsers with page={page}, size={size}")


#: (operation, field, a value of the wrong JSON type). Strings that no lenient parser reads
#: as a boolean: a server that stores one as is has a truthy "no".
WRONG_TYPES: list[tuple[str, str, Any]] = [
    ("patchUserDemo", "restricted", "no"),
    ("patchUserSuperAdmin", "superAdmin", "no"),
    ("createUser", "superAdmin", "no"),
    ("updateUser", "restricted", "no"),
    ("createApiTokensForUser_1", "extended", "no"),
    ("createUser", "tenants", "main"),
    ("patchUser", "firstName", 42),
    ("updateUserGroups", "groupIds", "none"),
]


def _valid_body(operation_id: str, run: Run) -> dict[str, Any]:
    arrange = run.arrange
    bodies: dict[str, dict[str, Any]] = {
        "patchUserDemo": {"restricted": False},
        "patchUserSuperAdmin": {"superAdmin": False},
        "createUser": arrange.user_body(),
        "updateUser": arrange.user_body(),
        "createApiTokensForUser_1": arrange.token_body(),
        "patchUser": {"firstName": "Contract", "lastName": "User", "email": run.names.email()},
        "updateUserGroups": {"groupIds": []},
    }
    return bodies[operation_id]


@pytest.mark.mutating
@pytest.mark.parametrize(("operation_id", "field", "value"), WRONG_TYPES)
def test_a_field_of_the_wrong_type_is_refused(
    operation_id: str, field: str, value: Any, run: Run, fuzz_engine: FuzzEngine
) -> None:
    """A valid body but for one field of the wrong type: 400 or 422, and nothing changes."""
    world = fuzz_engine.world
    world.ensure_pool()
    operation = run.api.operation(operation_id)
    path = {"id": world.pool_users[0].id} if "{id}" in operation.path else {}
    body = {**_valid_body(operation_id, run), field: value}
    before = world.observable_state()
    exchange = run.api.call(operation_id, path, json=body)
    fuzz_engine.book_created(operation, path, body, exchange)
    expect_status(exchange, POLICY.invalid_input_statuses, f"{field} of the wrong type ({value!r})")
    after = world.observable_state()
    if before != after:
        changed = sorted(key for key in before if before[key] != after.get(key))
        raise ContractViolation("nothing changes after a refused request", exchange, "changed: " + ", ".join(changed))
