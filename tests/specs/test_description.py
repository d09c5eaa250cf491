"""The description is valid OpenAPI 3.0 and matches the real SDK, read from the SDK itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kestrapy
import pytest
from openapi_spec_validator import validate

import specs
from contract.sdk._routes import sdk_routes
from tests.specs.sdk_coverage import missing_routes


@pytest.mark.parametrize("loader", [specs.documented_openapi, specs.openapi], ids=["documented", "refined"])
def test_description_is_valid_openapi_3_0(loader: Callable[[], dict[str, Any]]) -> None:
    document = loader()
    assert document["openapi"].startswith("3.0.")
    validate(document)


def test_every_sdk_method_exists_in_the_description() -> None:
    routes = sdk_routes(kestrapy.UsersApi)
    assert len(routes) == 24, sorted(routes)
    assert missing_routes(routes, specs.operations()) == []


def test_a_removed_operation_is_reported() -> None:
    routes = sdk_routes(kestrapy.UsersApi)
    operations = [op for op in specs.operations() if op.operation_id != "listApiTokens_1"]
    assert missing_routes(routes, operations) == ["list_api_tokens1: GET /api/v1/users/{id}/api-tokens"]


def test_documented_operation_ids_and_security() -> None:
    by_id = specs.operations_by_id()
    assert {"listApiTokens_1", "createApiTokensForUser_1", "deleteApiToken_1", "patchUserDemo"} <= by_id.keys()
    schemes = specs.openapi()["components"]["securitySchemes"]
    assert schemes == {
        "basicAuth": {"type": "http", "scheme": "basic"},
        "bearerAuth": {"type": "http", "scheme": "bearer"},
    }


def test_setup_operations_are_marked_and_excluded_from_the_contract() -> None:
    setup = {op.operation_id for op in specs.operations(include_setup=True) if op.is_setup}
    assert setup == {
        "createGroup",
        "getGroup",
        "deleteGroup",
        "createServiceAccount",
        "getServiceAccount",
        "deleteServiceAccount",
        "createServiceAccountForTenant",
        "deleteServiceAccountForTenant",
    }
    assert not setup & {op.operation_id for op in specs.operations()}


def test_policy_refinements_are_merged_into_the_description_only() -> None:
    refined = {p["name"]: p["schema"] for p in specs.operations_by_id()["listUsers"].definition["parameters"]}
    assert refined["page"]["minimum"] == 1
    assert refined["size"]["minimum"] == 1
    documented = specs.documented_openapi()["paths"]["/api/v1/users"]["get"]["parameters"]
    assert all("minimum" not in p["schema"] for p in documented)
    max_age = specs.openapi()["components"]["schemas"]["CreateApiTokenRequest"]["properties"]["maxAge"]
    assert "pattern" in max_age


def test_success_status_comes_from_the_documented_responses() -> None:
    by_id = specs.operations_by_id()
    assert by_id["createUser"].success_status == 201
    assert by_id["deleteUser"].success_status == 204
    assert by_id["getUser"].success_status == 200


@pytest.mark.parametrize("version", specs.VERSIONS)
def test_each_version_is_valid_openapi_3_0_as_documented_and_refined(version: int) -> None:
    contract = specs.contract(version)
    for document in (contract.documented_openapi(), contract.openapi()):
        assert document["openapi"].startswith("3.0.")
        validate(document)


def test_version_2_names_the_24_operations_as_version_1_does_plus_the_current_users_tokens() -> None:
    one, two = specs.contract(1), specs.contract(2)
    assert {op.operation_id for op in one.operations()} < {op.operation_id for op in two.operations()}
    extra = {op.operation_id for op in two.operations()} - {op.operation_id for op in one.operations()}
    assert extra == {"listApiTokensForCurrentUser", "createApiTokenForCurrentUser", "deleteApiTokenForCurrentUser"}
    for op in one.operations():
        renamed = two.operations_by_id[op.operation_id]
        assert (renamed.method, renamed.path) == (op.method, op.path), op.operation_id
    assert two.operations_by_id["listApiTokens_1"].documented_id == "listApiTokensForUser"
    assert two.operations_by_id["createApiTokensForUser"].documented_id == "createApiTokensForServiceAccount"
    documented = {op["operationId"] for item in two.documented_openapi()["paths"].values() for op in item.values()}
    assert "listApiTokens_1" not in documented  # the description itself keeps Kestra 2.0's names


def test_version_2_states_what_changed() -> None:
    two = specs.contract(2)
    assert two.success_statuses("createUser") == {201}
    assert two.success_statuses("createApiTokensForUser_1") == {201}
    assert two.success_statuses("createApiTokensForUser") == {200}  # the service-account one stays 200
    assert two.success_statuses("impersonate") == {200, 303}
    assert specs.contract(1).success_statuses("impersonate") == {200}
    listed = {p["name"] for p in two.operations_by_id["listUsers"].definition["parameters"]}
    assert listed == {"page", "size", "sort", "filters[q][EQUALS]"}  # the wire form, for the declared `filters`
    declared = two.documented_openapi()["paths"]["/api/v1/users"]["get"]["parameters"]
    assert {p["name"]: (p["required"], p["explode"]) for p in declared}["filters"] == (True, False)
    assert next(op for op, _ in two.policy.description_drift) == "listUsers"
    assert (two.policy.password_login, specs.contract(1).policy.password_login) == ("login", "basic")


def test_the_active_version_is_the_processs_choice() -> None:
    assert specs.active_version() == 1
    try:
        specs.use(2)
        assert specs.operations_by_id()["createUser"].success_status == 201
        assert "filters[q][EQUALS]" in {
            p["name"] for p in specs.operations_by_id()["listUsers"].definition["parameters"]
        }
    finally:
        specs.use(1)
    assert "q" in {p["name"] for p in specs.operations_by_id()["listUsers"].definition["parameters"]}
