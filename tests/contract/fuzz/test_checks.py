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
    assert _query_faults(list_users, {"page": ["0"], "size": ["1"]})[0]
    assert _query_faults(list_users, {"page": ["1.5"], "size": ["1"]})[0]
    assert _query_faults(list_users, {"page": ["1"], "size": ["True"]})[0]
    assert _query_faults(list_users, {"page": ["1"], "size": [""]})[0]
    assert _query_faults(list_users, {"page": ["1"], "size": ["2"], "sort": ["x,y"], "unknown": ["y"]}) == ([], [])
    assert _query_faults(list_users, {"q": ["a"]}) == ([], ["query parameter 'page'", "query parameter 'size'"])
    # Sent twice, one of them valid: which one a server reads is its choice, so nothing is invalid.
    assert _query_faults(list_users, {"page": ["1"], "size": ["1", "x"]}) == ([], [])
    assert _query_faults(list_users, {"page": ["1"], "size": ["y", "x"]})[0]


def test_a_page_above_the_largest_may_be_refused_or_capped() -> None:
    list_users = OPS["listUsers"]
    assert _query_faults(list_users, {"page": ["1"], "size": ["1001"]}) == ([], [])
    assert _query_faults(list_users, {"page": ["1"], "size": [str(2**31 - 1)]}) == ([], [])
    assert _query_faults(list_users, {"page": ["1"], "size": ["1000"]}) == ([], [])


def test_a_null_field_reads_as_omitted() -> None:
    # Nightly: a token created with nulls is drift at most, never invalid input accepted.
    body = {"name": "abc", "description": None, "maxAge": None, "extended": False}
    invalid, omitted = _body_faults(OPS["createApiTokensForUser_1"], body)
    assert invalid == []
    assert len(omitted) == 2
    # An optional field given as null is no fault at all.
    assert _body_faults(OPS["autocompleteUsers"], {"q": "a", "ids": None}) == ([], [])
    # A null inside an array is still a value of the wrong type.
    assert _body_faults(OPS["updateUserGroups"], {"groupIds": [None]})[0]


def test_max_age_is_invalid_only_where_java_refuses_it() -> None:
    def faults(max_age: str) -> list[str]:
        body = {"name": "abc", "description": "", "maxAge": max_age, "extended": False}
        return _body_faults(OPS["createApiTokensForUser_1"], body)[0]

    for valid in ("", "PT86400S", "P10000D", "PT1.5S", "pt1h", "-PT1H", "P1DT12H", "PT90M", "PT1,5S"):
        assert faults(valid) == [], valid
    for invalid in ("abc", "1h", "10", "P", "PT", "T1H", "P1H", "PT1D", "P1DT", "P1W", "P1Y"):
        assert faults(invalid), invalid
