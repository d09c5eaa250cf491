"""--password-policy and --expose-configs: the policies Kestra ships, and where a client learns which is on."""

from __future__ import annotations

from typing import Any

import pytest

from reference_server import ReferenceApp, ServerConfig
from reference_server._password_policy import POLICIES
from tests.reference_server.conftest import Api, basic

REGEX_MESSAGE = "Your password must meet the criteria defined by the RegEx expression"
STRONG = "Abcdef1!"
NO_UPPER = "abcdefgh1"
NO_SPECIAL = "Abcdefg1"
POLICY_NAMES = ["kestra-1.1.5", "kestra-2"]


def make(**config: Any) -> Api:
    return Api(ReferenceApp(ServerConfig(**config)))


def create(api: Api, email: str, password: str) -> int:
    body = {
        "tenants": ["main"],
        "groups": [],
        "firstName": "A",
        "lastName": "B",
        "email": email,
        "password": password,
        "superAdmin": False,
        "restricted": False,
    }
    return api("POST", "/api/v1/users", json=body).status_code


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_each_policy_accepts_a_password_that_meets_every_policy(policy: str) -> None:
    assert create(make(password_policy=policy), "a@example.com", STRONG) == 201


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_each_policy_refuses_a_password_without_upper_case_and_creates_nothing(policy: str) -> None:
    api = make(password_policy=policy)
    refused = api("POST", "/api/v1/users", json={
        "tenants": ["main"], "groups": [], "firstName": "A", "lastName": "B", "email": "a@example.com",
        "password": NO_UPPER, "superAdmin": False, "restricted": False,
    })  # fmt: skip
    assert refused.status_code == 400
    assert refused.json is not None
    if policy == "kestra-1.1.5":
        assert refused.json["message"] == REGEX_MESSAGE
    listing: Any = api("GET", "/api/v1/users?page=1&size=10&q=a@example.com").json
    assert listing["total"] == 0


def test_the_policies_differ_on_special_characters() -> None:
    assert create(make(password_policy="kestra-1.1.5"), "a@example.com", NO_SPECIAL) == 201
    assert create(make(password_policy="kestra-2"), "a@example.com", NO_SPECIAL) == 400


def test_without_a_policy_only_the_servers_own_minimum_applies() -> None:
    api = make()
    assert create(api, "a@example.com", NO_UPPER) == 201
    assert create(api, "b@example.com", "Ab1!") == 422  # too short, as before


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_the_servers_own_minimum_still_applies_under_a_policy(policy: str) -> None:
    assert create(make(password_policy=policy), "a@example.com", "Ab1!") == 422


def test_the_refusal_uses_the_configured_invalid_input_status() -> None:
    assert create(make(password_policy="kestra-2", invalid_input_status=422), "a@example.com", NO_UPPER) == 422


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_every_password_change_is_checked(policy: str) -> None:
    api = make(password_policy=policy)
    user_id = api.create_user("me@example.com", STRONG)
    assert api("PATCH", f"/api/v1/users/{user_id}/password", json={"password": NO_UPPER}).status_code == 400
    user: Any = api("GET", f"/api/v1/users/{user_id}").json
    update = {k: user[k] for k in ("email", "firstName", "lastName", "superAdmin", "restricted")}
    update |= {"tenants": ["main"], "groups": []}
    assert api("PUT", f"/api/v1/users/{user_id}", json={**update, "password": NO_UPPER}).status_code == 400
    me = basic("me@example.com", STRONG)
    change = {"oldPassword": STRONG, "newPassword": NO_UPPER}
    assert api("PUT", "/api/v1/me/password", json=change, auth=me).status_code == 400
    assert api("GET", "/api/v1/users?page=1&size=1", auth=me).status_code == 403  # the old password still works
    change = {"oldPassword": STRONG, "newPassword": "Ghijkl2@"}
    assert api("PUT", "/api/v1/me/password", json=change, auth=me).status_code == 200


@pytest.mark.parametrize(
    ("password", "allowed"),
    [("Abcdef1!", True), ("Zz9@zzzz", True), ("abcdef1!", False), ("ABCDEF1!", False), ("Abcdefg!", False),
     ("Abcdefg1", False), ("Abcd1!", False), ("Abcdef1!\n", False)],
)  # fmt: skip
def test_the_kestra_2_regexp_states_its_rules(password: str, allowed: bool) -> None:
    policy = POLICIES["kestra-2"]
    assert policy is not None
    assert policy.allows(password) is allowed


def test_configs_are_404_unless_exposed() -> None:
    api = make(password_policy="kestra-1.1.5")
    assert api("GET", "/api/v1/configs").status_code == 404


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_exposed_configs_show_the_policys_regexp(policy: str) -> None:
    api = make(password_policy=policy, expose_configs=True)
    configs = api("GET", "/api/v1/configs")
    assert configs.status_code == 200
    assert configs.json is not None
    expected = POLICIES[policy]  # type: ignore[index]
    assert expected is not None
    assert configs.json["passwordRegexp"] == expected.regexp


def test_exposed_configs_without_a_policy_have_no_regexp_and_any_identity_may_read_them() -> None:
    api = make(expose_configs=True)
    api.create_user("plain@example.com")
    configs = api("GET", "/api/v1/configs", auth=basic("plain@example.com", "Passw0rd1"))
    assert configs.status_code == 200
    assert configs.json is not None
    assert "passwordRegexp" not in configs.json
    assert api("GET", "/api/v1/configs", auth={}).status_code == 401


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="password policy"):
        ServerConfig(password_policy="strict")  # type: ignore[arg-type]
