"""schemathesis fuzzing of every documented operation, valid and invalid requests alike."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import Case

from contract.fuzz import FuzzEngine, users_schema

schema = users_schema()

pytestmark = pytest.mark.fuzz


@schema.parametrize()
@schema.given(data=st.data())
def test_operation(case: Case[Any], data: st.DataObject, fuzz_engine: FuzzEngine) -> None:
    """Generated requests get documented answers, valid ones succeed, invalid ones are refused."""
    fuzz_engine.execute(case, data.draw)


@schema.parametrize()
@schema.given(data=st.data(), variant=st.sampled_from(["none", "malformed", "wrong-password", "unknown-token"]))
@settings(max_examples=max(4, settings().max_examples // 5))
def test_requires_credentials(case: Case[Any], data: st.DataObject, variant: str, fuzz_engine: FuzzEngine) -> None:
    """Without valid credentials every operation answers 401, whatever the request."""
    fuzz_engine.execute_unauthenticated(case, data.draw, variant)
