"""The SDK harness's pure logic: reading routes, matching operations, building arguments, comparing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Optional
from urllib.parse import quote

import kestrapy
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import specs
from contract.harness import Api, Credentials, Ledger, Target
from contract.harness.records import Record
from contract.harness.sending import SafetyGuard, SecretBook
from contract.sdk import Outcome
from contract.sdk._args import ArgumentError, build_arguments
from contract.sdk._check import _strict_parse, _Witness
from contract.sdk._client import Sdk, SdkMethod, _apis_of, _routes, load_sdk
from contract.sdk._compare import disagreements, dump
from contract.sdk._outcome import mask_secrets, short, validation_summary, worst
from contract.sdk._routes import elsewhere, match_operations, param_key, route_key, sdk_routes, sdk_style
from contract.sdk._scenarios import Scenario

DOCUMENTED = {op.operation_id: (op.method, op.path) for op in specs.operations()}


# ---- fake SDKs of both kinds -----------------------------------------------------------


class GeneratedUsersApi:
    """Shaped like an openapi-generator class: routes live in _<name>_serialize."""

    def __init__(self, api_client: Any = None) -> None:
        self.api_client = api_client

    def fetch_user(self, id: str) -> None: ...

    def fetch_user_with_http_info(self, id: str) -> None: ...

    def _fetch_user_serialize(self, id: Any, _request_auth: Any, _host_index: Any) -> Any:
        return self.api_client.param_serialize(method="get", resource_path="/api/v1/users/{id}")

    def drop_token(self, id: str, token_id: str) -> None: ...

    def _drop_token_serialize(self, id: Any, token_id: Any) -> Any:  # no _host_index (kestrapy 1.0.10)
        return self.api_client.param_serialize(method="DELETE", resource_path="/api/v1/users/{id}/api-tokens/{tokenId}")


class SessionUsersApi:
    """Shaped like kestrapy 1.3+: a requests session and paths built from the arguments."""

    def __init__(self, session: Any, base_url: str, timeout: Any = None) -> None:
        self._session = session
        self._base = base_url

    def user(self, id: str) -> Any:
        return self._session.request("GET", f"{self._base}/api/v1/users/{quote(id, safe='')}")

    def delete_api_token_for_user(self, id: str, token_id: str) -> Any:
        path = f"/api/v1/users/{quote(id, safe='')}/api-tokens/{quote(token_id, safe='')}"
        return self._session.request("DELETE", self._base + path)

    def list_users(self, page: Optional[int] = None, filters: Optional[list[str]] = None) -> Any:  # noqa: UP045
        return self._session.request("GET", f"{self._base}/api/v1/users", params={"page": page})


class ServiceAccountApi(SessionUsersApi):
    def list_tokens(self, id: str) -> Any:
        return self._session.request("GET", f"{self._base}/api/v1/service-accounts/{quote(id, safe='')}/api-tokens")


def test_routes_of_a_generated_client_come_from_its_serializers() -> None:
    assert sdk_style(GeneratedUsersApi) == "generated"
    assert sdk_routes(GeneratedUsersApi) == {
        "fetch_user": ("GET", "/api/v1/users/{id}"),
        "drop_token": ("DELETE", "/api/v1/users/{id}/api-tokens/{tokenId}"),
    }


def test_routes_of_a_session_client_come_from_the_request_it_builds() -> None:
    assert sdk_style(SessionUsersApi) == "session"
    assert sdk_routes(SessionUsersApi) == {
        "user": ("GET", "/api/v1/users/{id}"),
        "delete_api_token_for_user": ("DELETE", "/api/v1/users/{id}/api-tokens/{token_id}"),
        "list_users": ("GET", "/api/v1/users"),
    }


def test_a_client_of_neither_kind_is_refused() -> None:
    class Odd:
        def __init__(self, transport: Any) -> None: ...

    with pytest.raises(LookupError):
        sdk_style(Odd)


def test_operations_match_by_route_whatever_the_names() -> None:
    matched = match_operations(sdk_routes(SessionUsersApi), DOCUMENTED)
    assert matched["getUser"] == "user"
    assert matched["deleteApiToken_1"] == "delete_api_token_for_user"
    assert matched["listUsers"] == "list_users"
    assert matched["patchUser"] is None
    assert matched["listApiTokens"] is None


def test_the_pinned_sdk_offers_every_documented_operation() -> None:
    matched = match_operations(sdk_routes(kestrapy.UsersApi), DOCUMENTED)
    assert len(matched) == 24
    assert [op for op, method in matched.items() if method is None] == []
    assert matched["listApiTokens_1"] == "list_api_tokens1"
    assert matched["deleteApiTokenWithTenant"] == "delete_api_token_with_tenant"


# ---- the client's own APIs ---------------------------------------------------------------


class SessionKestraClient:
    """Shaped like kestrapy 1.3+/2.x: APIs are lazy properties over one session."""

    def __init__(self, *, host: str = "", token: str | None = None) -> None:
        self._session = type("S", (), {"headers": {}, "hooks": {"response": []}})()
        self._host = host

    @property
    def users(self) -> SessionUsersApi:
        return SessionUsersApi(self._session, self._host)

    @property
    def service_account(self) -> ServiceAccountApi:
        return ServiceAccountApi(self._session, self._host)

    @property
    def broken(self) -> Any:
        raise RuntimeError("an API that cannot be built is not offered")


class GeneratedKestraClient:
    """Shaped like kestrapy 1.0.x: APIs are attributes set in __init__."""

    def __init__(self, configuration: Any = None) -> None:
        self.api_client = object()
        self.users = GeneratedUsersApi(self.api_client)
        self.not_an_api = 3


def _fake_sdk(api_classes: dict[str, type]) -> Sdk:
    return Sdk(
        module=kestrapy,
        version="0",
        style="session",
        api_classes=api_classes,
        api_exception=Exception,
        routes=_routes(api_classes),
    )


def test_the_apis_are_what_the_client_offers_as_attributes_or_properties() -> None:
    assert [(name, type(api)) for name, api in _apis_of(SessionKestraClient())] == [
        ("service_account", ServiceAccountApi),
        ("users", SessionUsersApi),
    ]
    assert [(name, type(api)) for name, api in _apis_of(GeneratedKestraClient())] == [("users", GeneratedUsersApi)]


def test_an_operation_is_found_on_users_first_then_on_any_api_of_the_client() -> None:
    sdk = _fake_sdk({"users": SessionUsersApi, "service_account": ServiceAccountApi})
    assert sdk.method_for(DOCUMENTED["getUser"]) == SdkMethod("users", "user")
    # ServiceAccountApi inherits the user methods too: users still wins the shared route.
    assert str(sdk.method_for(DOCUMENTED["getUser"])) == "users.user"
    assert sdk.method_for(DOCUMENTED["listApiTokens"]) == SdkMethod("service_account", "list_tokens")
    assert sdk.method_for(DOCUMENTED["patchUser"]) is None
    assert sdk.api_class(SdkMethod("service_account", "list_tokens")) is ServiceAccountApi


def test_the_pinned_sdk_offers_every_documented_operation_through_its_client() -> None:
    sdk = load_sdk()
    assert sdk.style == "generated"
    assert {"users", "auths", "groups"} <= set(sdk.api_classes)
    found = {op_id: sdk.method_for(route) for op_id, route in DOCUMENTED.items()}
    assert [op for op, method in found.items() if method is None] == []
    assert {method.api for method in found.values() if method} == {"users"}
    assert found["listApiTokens_1"] == SdkMethod("users", "list_api_tokens1")
    # Beyond the 24: the current user's tokens, which contract 2 documents, are on `auths` in 1.0.0b7.
    assert sdk.method_for(("POST", "/api/v1/me/api-tokens")) == SdkMethod("auths", "create_api_token_for_current_user")


def test_elsewhere_names_the_class_that_offers_a_route() -> None:
    module = type("FakeKestrapy", (), {"UsersApi": SessionUsersApi, "ServiceAccountApi": ServiceAccountApi})
    route = ("GET", "/api/v1/service-accounts/{id}/api-tokens")
    assert elsewhere(module, route, skip=[SessionUsersApi]) == ["ServiceAccountApi.list_tokens"]  # type: ignore[arg-type]
    assert elsewhere(module, ("GET", "/api/v1/nowhere"), skip=[SessionUsersApi]) == []  # type: ignore[arg-type]


def test_two_documented_operations_on_one_route_are_refused() -> None:
    with pytest.raises(ValueError, match="share a route"):
        match_operations({}, {"a": ("GET", "/x/{id}"), "b": ("GET", "/x/{other}")})


def test_route_and_param_keys_ignore_spelling() -> None:
    assert route_key("get", "/a/{tokenId}") == route_key("GET", "/a/{token_id}")
    assert route_key("GET", "/a/{id}") != route_key("DELETE", "/a/{id}")
    assert param_key("tokenId") == param_key("token_id") == "tokenid"


# ---- arguments -----------------------------------------------------------------------


class Autocomplete(BaseModel):
    """Like a generated model: from_dict marks every field as set, to_dict sends set nulls."""

    model_config = ConfigDict(populate_by_name=True)
    q: str | None = None
    ids: list[str] | None = None
    existing_only: bool | None = Field(default=None, alias="existingOnly")

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> Autocomplete:
        return cls.model_validate({"q": obj.get("q"), "ids": obj.get("ids"), "existingOnly": obj.get("existingOnly")})

    def to_dict(self) -> dict[str, Any]:
        dumped = self.model_dump(by_alias=True, exclude_none=True)
        for name in ("q", "ids"):
            if getattr(self, name) is None and name in self.model_fields_set:
                dumped[name] = None
        return dumped


AUTOCOMPLETE_SCHEMA = {"properties": {"q": {"type": "string", "nullable": True}, "ids": {"type": "array"}}}


def test_arguments_go_to_parameters_by_name_and_model() -> None:
    def method(
        id: Annotated[str, "doc"],
        token_id: str,
        request: Optional[Autocomplete],  # noqa: UP045
        filters: list[str],
        page: int | None = None,
        _request_timeout: float | None = None,
    ) -> None: ...

    built = build_arguments(method, {"id": "u1", "tokenId": "t1"}, {"page": 2}, {"q": "a@b.c", "ids": ["x"]})
    request = built.arguments.pop("request")
    assert built.arguments == {"id": "u1", "token_id": "t1", "filters": [], "page": 2}
    assert isinstance(request, Autocomplete)
    assert request.q == "a@b.c"
    assert request.ids == ["x"]
    assert built.notes == []


def test_a_from_dict_that_sends_forbidden_nulls_is_noted_and_avoided() -> None:
    def method(tenant: str, body: Autocomplete) -> None: ...

    built = build_arguments(method, {"tenant": "main"}, {}, {"q": "a@b.c"}, AUTOCOMPLETE_SCHEMA)
    assert built.arguments["body"].to_dict() == {"q": "a@b.c"}
    assert len(built.notes) == 1
    assert "unset field(s) ids," in built.notes[0]


def test_nullable_fields_the_documentation_allows_are_left_alone() -> None:
    def method(body: Autocomplete) -> None: ...

    built = build_arguments(method, {}, {}, {"ids": ["a"]}, AUTOCOMPLETE_SCHEMA)
    assert built.notes == []
    assert built.arguments["body"].to_dict() == {"q": None, "ids": ["a"]}


class TextFilter(BaseModel):
    """Like kestrapy 2.x's QueryFilter: a field, an operation and any value."""

    model_config = ConfigDict(populate_by_name=True)
    var_field: str | None = Field(default=None, alias="field")
    operation: str | None = None
    value: Any = None

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> TextFilter:
        return cls.model_validate(obj)


class DictFilter(TextFilter):
    """Like kestrapy 1.0.10's: the value must be an object."""

    value: dict[str, Any] | None = None


def test_a_php_style_search_goes_to_the_sdks_filters_as_its_own_items() -> None:
    query = {"page": 1, "size": 10, "filters[q][EQUALS]": "a@b.c"}

    def two(page: int | None = None, size: int | None = None, filters: list[TextFilter] | None = None) -> None: ...

    built = build_arguments(two, {}, query)
    assert built.arguments["page"] == 1
    assert [f.model_dump(by_alias=True) for f in built.arguments["filters"]] == [
        {"field": "q", "operation": "EQUALS", "value": "a@b.c"}
    ]
    assert (built.unsent, built.notes) == ([], [])

    def strict(page: int, size: int, filters: list[DictFilter]) -> None: ...

    built = build_arguments(strict, {}, query)
    assert built.arguments["filters"] == []
    assert built.unsent == ["filters[q][EQUALS]"]
    assert built.notes[0].startswith("the SDK's DictFilter does not take the filter filters[q][EQUALS]")

    def old(page: int, size: int, q: str | None = None) -> None: ...

    assert build_arguments(old, {}, query).unsent == ["filters[q][EQUALS]"]
    assert build_arguments(old, {}, {"page": 1, "size": 10, "q": "x"}).unsent == []
    assert build_arguments(two, {}, {"page": 1, "size": 10, "q": "x"}).unsent == ["q"]


def test_what_the_operation_cannot_supply_is_an_argument_error() -> None:
    def needs_more(id: str, mystery: int) -> None: ...

    def no_body(id: str) -> None: ...

    def no_path_param(body: Autocomplete) -> None: ...

    with pytest.raises(ArgumentError, match="mystery"):
        build_arguments(needs_more, {"id": "u"}, {})
    with pytest.raises(ArgumentError, match="no request body"):
        build_arguments(no_body, {"id": "u"}, {}, {"q": "x"})
    with pytest.raises(ArgumentError, match="tenant"):
        build_arguments(no_path_param, {"tenant": "main"}, {}, {"q": "x"})


# ---- comparing parsed and raw ----------------------------------------------------------

SPEC = specs.openapi()
USER_SCHEMA = {"$ref": "#/components/schemas/IAMUserController.ApiUser"}


def _raw_user(**changes: Any) -> dict[str, Any]:
    user = {
        "id": "u1",
        "username": "a@b.c",
        "displayName": "A B",
        "firstName": "A",
        "lastName": "B",
        "email": "a@b.c",
        "tenants": [{"id": "main", "name": "Main"}],
        "auths": [{"id": "x", "name": "password", "type": "PASSWORD"}],
        "groups": [],
        "superAdmin": False,
        "restricted": False,
        "undocumentedExtra": 1,
    }
    user.update(changes)
    return user


def test_a_faithful_parse_has_no_disagreement() -> None:
    raw = _raw_user()
    parsed = {k: v for k, v in raw.items() if k != "undocumentedExtra"}
    assert disagreements(parsed, raw, USER_SCHEMA, SPEC) == []


def test_changed_dropped_and_shortened_fields_are_reported_where_they_are() -> None:
    raw = _raw_user()
    parsed = dict(raw, superAdmin=1, tenants=[], auths=[{"id": "x", "name": "password"}])
    del parsed["lastName"]
    problems = disagreements(parsed, raw, USER_SCHEMA, SPEC)
    assert any(p.startswith("$.superAdmin: SDK has 1") for p in problems)
    assert any(p.startswith("$.lastName: the SDK dropped it") for p in problems)
    assert "$.tenants: SDK has 0 items, server sent 1" in problems
    assert any(p.startswith("$.auths[0].type: the SDK dropped it") for p in problems)
    assert len(problems) == 4


def test_a_none_result_for_a_body_is_reported_without_secrets() -> None:
    raw = {"id": "t", "name": "n", "fullToken": "kt_secret_value"}
    problems = disagreements(None, raw, {"$ref": "#/components/schemas/CreateApiTokenResponse"}, SPEC)
    assert len(problems) == 1
    assert problems[0].startswith("the SDK returned None")
    assert "kt_secret_value" not in problems[0]


def test_free_form_objects_compare_every_field_and_dates_by_value() -> None:
    raw = {"results": [{"id": "t", "iat": "2025-01-02T03:04:05Z", "fullToken": "kt_a"}]}
    parsed = {"results": [{"id": "t", "iat": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "fullToken": "kt_b"}]}
    problems = disagreements(parsed, raw, {"type": "object"}, SPEC)
    assert problems == ["$.results[0].fullToken: SDK has a different value (secret, not shown)"]


def test_dump_uses_the_models_wire_names() -> None:
    model = Autocomplete.model_validate({"q": "x", "existingOnly": True})
    assert dump([model]) == [{"q": "x", "existingOnly": True}]


def test_strict_parse_names_the_model_that_rejects_the_response() -> None:
    class Strict(BaseModel):
        total: int

        @classmethod
        def from_dict(cls, obj: Any) -> Strict:
            return cls.model_validate(obj)

    assert _strict_parse(Strict, {"total": 3}) is None
    assert _strict_parse(list[Strict], [{"total": 1}, {"total": 2}]) is None
    message = _strict_parse(list[Strict], [{"total": 1}, {"total": "many"}])
    assert message is not None
    assert message.startswith("Strict does not accept the response")
    assert _strict_parse(dict, {"anything": 1}) is None
    with pytest.raises(ValidationError):
        Strict.from_dict({"total": "many"})


# ---- outcomes ------------------------------------------------------------------------------


def test_the_most_telling_outcome_wins() -> None:
    assert worst([Outcome.WORKS, Outcome.UNPARSED]) is Outcome.UNPARSED
    assert worst([Outcome.UNPARSED, Outcome.ERROR]) is Outcome.ERROR
    assert worst([Outcome.ERROR, Outcome.MISSING, Outcome.WORKS]) is Outcome.MISSING
    assert worst([]) is Outcome.NOT_RUN


SECRET = "kt_" + "S3cr3tT0k3n" * 4


def test_a_secret_cut_short_is_still_masked() -> None:
    # A repr cut before its closing quote: what pydantic errors and excerpts of long bodies look like.
    assert (
        mask_secrets("input_value={'id': 'x', 'fullToken': 'kt_S3cr3t") == "input_value={'id': 'x', 'fullToken': '***'"
    )
    assert SECRET[:12] not in short({"id": "x", "name": "n", "fullToken": SECRET})


def test_a_validation_error_of_a_token_response_shows_no_part_of_the_token() -> None:
    class TokenList(BaseModel):
        results: list[Any]

        @classmethod
        def from_dict(cls, obj: Any) -> TokenList:
            return cls.model_validate(obj)

    with pytest.raises(ValidationError) as caught:
        # An object where a list is declared: pydantic echoes the whole object, token and all.
        TokenList.model_validate({"results": {"id": "t1", "name": "kct-x-1", "fullToken": SECRET}})
    # pydantic's own message cuts the echo in the middle: the token's tail is there without its key.
    assert SECRET[-12:] in str(caught.value)
    summary = validation_summary(caught.value)
    assert "fullToken" in summary
    assert SECRET[:6] not in summary
    assert SECRET[-6:] not in summary
    verdict = _strict_parse(TokenList, {"results": {"id": "t1", "name": "kct-x-1", "fullToken": SECRET}})
    assert verdict is not None
    assert verdict.startswith("TokenList does not accept the response: ")
    assert SECRET[:6] not in verdict
    assert SECRET[-6:] not in verdict


def test_what_the_sdk_saw_is_told_to_the_runs_observers(tmp_path: Path) -> None:
    """The SDK's calls bypass Api.call: the witness tells the secret book, the login book and the record."""
    admin = Credentials("admin@example.com", "Admin-pass1!")
    ledger = Ledger("x", tmp_path / "ledger.jsonl")
    secrets, record = SecretBook(), Record()
    api = Api(Target("http://127.0.0.1:9", admin, "main", embedded=False), ledger, SafetyGuard(ledger))
    api.observers += [secrets, record.observe]
    run: Any = SimpleNamespace(secrets=secrets, api=api, target=api.target)
    credentials = Credentials(f"{api.guard.prefix}a@kestra-contract.test", "Old-pass1!")
    body = {"oldPassword": "Old-pass1!", "newPassword": "New-pass2@"}
    operation = specs.operations_by_id()["updateCurrentUserPassword"]
    witness = _Witness(run, operation, Scenario(path={}, body=body), credentials)
    assert {"Old-pass1!", "New-pass2@"} <= secrets.secrets
    witness.saw(201, b'{"id": "t1", "name": "n", "fullToken": "' + SECRET.encode() + b'"}')
    assert SECRET in secrets.secrets
    assert secrets.mask(f"got {SECRET}") == "got ***"
    witness.saw(None, b"not json")
    witness.saw(401, None)
    assert api.login_book.most_failures() == {credentials.username: 1}
    assert record.snapshot()["updateCurrentUserPassword"]["requests"] == 2


def test_secrets_are_masked_in_every_style() -> None:
    text = mask_secrets(
        """{"password": "Pw1234567"} input_value={'fullToken': 'kt_x'} full_token='kt_y' other='keep'"""
    )
    assert "Pw1234567" not in text
    assert "kt_x" not in text
    assert "kt_y" not in text
    assert "other='keep'" in text
