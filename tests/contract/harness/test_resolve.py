"""A change whose answer a gateway lost is read back, not given up on.

A proxy in front of a real reference server loses one chosen answer, after the server acted
on the request or before it arrived. The suite's Api must then find out what happened and go
on: the facts asserted here come from the server's own view (`GET /_reference/state`), and
the run's ledger must hold whatever the server made (cleanup never loses it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import specs
from contract.harness import Credentials, Ledger, Target
from contract.harness._arrange import Arranger
from contract.harness.lifecycle import Settle
from contract.harness.sending import IDEMPOTENT, READ_OPERATIONS, RESOLVERS, Api, SafetyGuard, write_of
from reference_server import RunningServer, spawn
from strategies import RunNames, new_run_id
from tests._faulty_proxy import FaultyProxy, faulty_proxy

USERS = "/api/v1/users"
USER = "/api/v1/users/[^/]+"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with spawn() as running:
        yield running


@dataclass
class Setup:
    api: Api
    proxy: FaultyProxy
    server: RunningServer
    names: RunNames
    arrange: Arranger

    def state(self) -> dict[str, Any]:
        with httpx.Client(base_url=self.server.url, auth=(self.server.username, self.server.password)) as client:
            body: dict[str, Any] = client.get("/_reference/state").json()
        return body

    def users_with_email(self, email: str) -> list[str]:
        return [i for i, u in self.state()["users"].items() if u["email"] == email]

    def tokens_of(self, user_id: str) -> list[dict[str, Any]]:
        tokens: list[dict[str, Any]] = self.state()["users"][user_id]["tokens"]
        return tokens

    def made(self, method: str, path: str) -> int:
        """How many `method` requests to `path` came through the proxy."""
        return sum(1 for m, p in self.proxy.requests if m == method and p == path)


@pytest.fixture
def setup(server: RunningServer) -> Iterator[Setup]:
    with faulty_proxy(server.url) as proxy:
        ledger = Ledger(new_run_id())
        target = Target(proxy.url, Credentials(server.username, server.password), "main", embedded=False)
        api = Api(target, ledger, SafetyGuard(ledger), settle=Settle(1.0))
        names = RunNames(ledger.run_id)
        try:
            yield Setup(api, proxy, server, names, Arranger(api, names))
        finally:
            api.close()


@pytest.mark.parametrize("version", specs.VERSIONS)
def test_every_change_has_a_way_to_be_read_back_or_is_idempotent(version: int) -> None:
    changes = {op.operation_id for op in specs.contract(version).operations_by_id.values()} - READ_OPERATIONS
    assert changes <= set(RESOLVERS) | IDEMPOTENT, sorted(changes - set(RESOLVERS) - IDEMPOTENT)
    assert not set(RESOLVERS) & IDEMPOTENT


def test_every_way_of_reading_back_is_for_a_change_of_some_contract_version() -> None:
    changes = {op for version in specs.VERSIONS for op in specs.contract(version).operations_by_id} - READ_OPERATIONS
    assert set(RESOLVERS) | IDEMPOTENT == changes


def test_a_user_made_behind_a_lost_answer_is_found_and_written_down(setup: Setup) -> None:
    body = setup.arrange.user_body()
    setup.proxy.lose_answer("POST", USERS, reaches_server=True)
    exchange = setup.api.call("createUser", json=body)
    assert exchange.resolved
    assert exchange.status == 201
    held = setup.users_with_email(body["email"])
    assert len(held) == 1, "sent once: no second user"
    assert exchange.created is not None
    assert exchange.created.id == held[0]
    assert setup.api.ledger.find("user", held[0]) is not None, "cleanup must know it"


def test_a_user_never_made_is_created_by_sending_again(setup: Setup) -> None:
    body = setup.arrange.user_body()
    setup.proxy.lose_answer("POST", USERS, reaches_server=False)
    exchange = setup.api.call("createUser", json=body)
    assert not exchange.resolved, "a real answer, to the request sent again"
    assert exchange.status == 201
    assert len(setup.users_with_email(body["email"])) == 1
    assert setup.made("POST", USERS) == 2


def test_a_delete_made_behind_a_lost_answer_is_seen_made(setup: Setup) -> None:
    created, _ = setup.arrange.create_user(setup.arrange.user_body())
    setup.proxy.lose_answer("DELETE", USER, reaches_server=True)
    exchange = setup.api.call("deleteUser", {"id": created.id})
    assert exchange.resolved
    assert exchange.status == 204
    assert created.id not in setup.state()["users"]
    assert setup.made("DELETE", f"{USERS}/{created.id}") == 1, "not sent again"


def test_a_delete_never_made_is_sent_again(setup: Setup) -> None:
    created, _ = setup.arrange.create_user(setup.arrange.user_body())
    setup.proxy.lose_answer("DELETE", USER, reaches_server=False)
    exchange = setup.api.call("deleteUser", {"id": created.id})
    assert not exchange.resolved
    assert exchange.status == 204
    assert created.id not in setup.state()["users"]


def test_a_token_whose_secret_was_lost_is_deleted_and_made_again(setup: Setup) -> None:
    created, _ = setup.arrange.create_user(setup.arrange.user_body())
    body = setup.arrange.token_body()
    setup.proxy.lose_answer("POST", f"{USER}/api-tokens", reaches_server=True)
    exchange = setup.api.call("createApiTokensForUser_1", {"id": created.id}, json=body)
    assert not exchange.resolved, "the caller gets a token it can use"
    assert exchange.status == 200
    tokens = setup.tokens_of(created.id)
    assert [t["name"] for t in tokens] == [body["name"]], "the one whose fullToken was lost is gone"
    assert exchange.created is not None
    assert tokens[0]["id"] == exchange.created.id
    assert [e.id for e in setup.api.ledger.live() if e.kind == "token"] == [exchange.created.id]


def test_a_token_delete_made_behind_a_lost_answer_is_seen_in_the_refused_token(setup: Setup) -> None:
    created, _ = setup.arrange.create_user(setup.arrange.user_body())
    token, _ = setup.arrange.create_token(created.id)
    setup.proxy.lose_answer("DELETE", f"{USER}/api-tokens/[^/]+", reaches_server=True)
    exchange = setup.api.call("deleteApiToken_1", {"id": created.id, "tokenId": token.id})
    assert exchange.resolved
    assert exchange.status == 204
    assert setup.tokens_of(created.id) == []


def test_an_own_password_change_behind_a_lost_answer_is_read_back_by_logging_in(setup: Setup) -> None:
    body = setup.arrange.user_body()
    created, _ = setup.arrange.create_user(body)
    old, new = body["password"], body["password"] + "Z9"
    me = Credentials(username=created.email, password=old)
    assert setup.api.credential_works(me)
    setup.proxy.lose_answer("PUT", "/api/v1/me/password", reaches_server=True)
    exchange = setup.api.call("updateCurrentUserPassword", json={"oldPassword": old, "newPassword": new}, as_=me)
    assert exchange.resolved
    assert exchange.status == 200
    assert setup.api.credential_works(Credentials(username=created.email, password=new))
    failures = setup.state()["logins"]
    assert any(created.email.casefold() in str(k).casefold() for k in failures), "the old password's 401 counted"
    assert setup.api.login_book.most_failures() == {created.email.casefold(): 1}


def test_an_own_password_change_never_made_is_sent_again(setup: Setup) -> None:
    body = setup.arrange.user_body()
    created, _ = setup.arrange.create_user(body)
    old, new = body["password"], body["password"] + "Z9"
    me = Credentials(username=created.email, password=old)
    setup.proxy.lose_answer("PUT", "/api/v1/me/password", reaches_server=False)
    exchange = setup.api.call("updateCurrentUserPassword", json={"oldPassword": old, "newPassword": new}, as_=me)
    assert not exchange.resolved
    assert exchange.status == 200
    assert setup.api.login_book.most_failures() == {}, "the old password still worked: no failure spent"


def test_a_refused_password_change_is_read_back_without_trying_the_wrong_old_password(setup: Setup) -> None:
    body = setup.arrange.user_body()
    created, _ = setup.arrange.create_user(body)
    me = Credentials(username=created.email, password=body["password"])
    wrong = {"oldPassword": body["password"] + "wrong", "newPassword": body["password"] + "Z9"}
    setup.proxy.lose_answer("PUT", "/api/v1/me/password", reaches_server=False)
    exchange = setup.api.call("updateCurrentUserPassword", json=wrong, as_=me)
    assert not exchange.resolved
    assert 400 <= exchange.status < 500, "the real refusal, to the request sent again"
    assert setup.api.login_book.most_failures() == {}, "no login was tried with the wrong old password"


def test_an_idempotent_change_is_sent_again_and_answers_truly(setup: Setup) -> None:
    created, _ = setup.arrange.create_user(setup.arrange.user_body())
    setup.proxy.lose_answer("PATCH", f"{USER}/superadmin", reaches_server=True)
    exchange = setup.api.call("patchUserSuperAdmin", {"id": created.id}, json={"superAdmin": True})
    assert not exchange.resolved
    assert exchange.status == 200
    assert setup.state()["users"][created.id]["superAdmin"] is True


def test_a_group_whose_answer_was_lost_is_found_by_its_name_and_written_down(setup: Setup) -> None:
    setup.proxy.lose_answer("POST", "/api/v1/main/groups", reaches_server=True)
    group_id = setup.arrange.create_group()
    prefixed = [g for g in setup.state()["groups"].values() if g["name"].startswith(setup.names.prefix)]
    assert [g["id"] for g in prefixed] == [group_id], "sent once: the one made, found by its name"
    assert setup.api.ledger.owns("group", group_id), "written down: cleanup deletes it"


def test_a_group_never_made_is_made_by_sending_again(setup: Setup) -> None:
    setup.proxy.lose_answer("POST", "/api/v1/main/groups", reaches_server=False)
    group_id = setup.arrange.create_group()
    prefixed = [g for g in setup.state()["groups"].values() if g["name"].startswith(setup.names.prefix)]
    assert [g["id"] for g in prefixed] == [group_id]


def test_a_service_account_whose_answer_was_lost_is_found_by_its_name(setup: Setup) -> None:
    body = {"name": setup.names.unique(), "description": "", "superAdmin": False, "tenants": ["main"]}
    setup.proxy.lose_answer("POST", "/api/v1/service-accounts", reaches_server=True)
    exchange = setup.api.call("createServiceAccount", json=body)
    assert exchange.resolved
    assert exchange.created is not None
    named = [i for i, a in setup.state()["serviceAccounts"].items() if a["name"] == body["name"]]
    assert named == [exchange.created.id], "sent once, and the one made is the one written down"
    assert setup.api.ledger.owns("service_account", exchange.created.id)


def test_a_service_account_never_made_is_made_by_sending_again(setup: Setup) -> None:
    body = {"name": setup.names.unique(), "description": "", "superAdmin": False, "tenants": ["main"]}
    setup.proxy.lose_answer("POST", "/api/v1/service-accounts", reaches_server=False)
    exchange = setup.api.call("createServiceAccount", json=body)
    assert not exchange.resolved
    assert exchange.created is not None
    named = [i for i, a in setup.state()["serviceAccounts"].items() if a["name"] == body["name"]]
    assert named == [exchange.created.id]


def test_a_lost_delete_of_another_users_auth_entry_is_not_taken_as_made(setup: Setup) -> None:
    owner, _ = setup.arrange.create_user(setup.arrange.user_body())
    other, _ = setup.arrange.create_user(setup.arrange.user_body())
    auths = setup.api.call("getUser", {"id": owner.id}).json()["auths"]
    assert auths, "the owner has a password entry to aim at"
    setup.proxy.lose_answer("DELETE", f"{USER}/auths/[^/]+", reaches_server=True)
    exchange = setup.api.call("deleteUserAuthMethod", {"id": other.id, "auth": auths[0]["id"]})
    assert not exchange.resolved, "the other user never listed it: its absence there proves nothing"
    assert exchange.status == 404, "sent again, the server says what it did"
    assert setup.api.call("getUser", {"id": owner.id}).json()["auths"] == auths


def test_a_token_addressed_under_another_owner_is_not_a_target_a_lost_delete_could_have_deleted(setup: Setup) -> None:
    owner, _ = setup.arrange.create_user(setup.arrange.user_body())
    other, _ = setup.arrange.create_user(setup.arrange.user_body())
    token, _ = setup.arrange.create_token(owner.id)
    aimed = {"tokenId": token.id}
    assert write_of(setup.api, "deleteApiToken_1", {"id": owner.id, **aimed}, None, None).target_live
    assert not write_of(setup.api, "deleteApiToken_1", {"id": other.id, **aimed}, None, None).target_live
