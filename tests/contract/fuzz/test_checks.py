"""How the fuzz checks tell invalid input from an omitted required field."""

from __future__ import annotations

import specs
from contract.fuzz._checks import _body_faults, _query_faults

OPS = specs.operations_by_id()


def test_body_with_only_omissions_is_drift_material() -> None:
    invalid, omitted = _body_faults(OPS["createApiTokensForUser_1"], {"name": "abc"})
    assert invalid == []
    assert len(omitted) == 3


def test_body_with_a_wrong_type_is_invalid() -> None:
    invalid, omitted = _body_faults(OPS["patchUserSuperAdmin"], {"superAdmin": "yes"})
    assert invalid
    assert omitted == []


def test_token_name_outside_its_pattern_is_invalid() -> None:
    body = {"name": "Bad Name", "description": "", "maxAge": "", "extended": False}
    assert _body_faults(OPS["createApiTokensForUser_1"], body)[0]


def test_query_faults_see_what_the_wire_shows() -> None:
    list_users = OPS["listUsers"]
    assert _query_faults(list_users, {"page": 0, "size": 1})[0]
    assert _query_faults(list_users, {"page": "1.5", "size": 1})[0]
    assert _query_faults(list_users, {"page": 1, "size": 2, "sort": "x", "unknown": "y"}) == ([], [])
    assert _query_faults(list_users, {"q": "a"}) == ([], ["query parameter 'page'", "query parameter 'size'"])
