"""API tokens of users and service accounts behave as documented, step after step.

Owners are plain users and service accounts (in the suite's tenant, or in none). After
every step each live owner's token list must hold exactly the model's tokens (within the
settle window: a search may show a write late), and never a `fullToken`; tokens are used
as bearer credentials as they are created and deleted, which takes effect at once.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, MultipleResults, consumes, initialize, invariant, multiple, precondition, rule

import specs
from contract.harness import Exchange, Problem, expect_status, missing_id
from contract.machines import (
    ContractMachine,
    ModelServiceAccount,
    ModelToken,
    ModelUser,
    Owner,
    Session,
    check,
    expect_access,
    fail,
    json_object,
    of_machine,
)
from strategies import lasting_token_requests, usable_token_requests

pytestmark = [pytest.mark.stateful, pytest.mark.mutating]

POLICY = specs.policy()

#: Which path family reaches a service account's tokens.
Route = Literal["global", "tenant"]
routes = st.sampled_from(["global", "tenant"])

_OPERATIONS: dict[tuple[str, str], str] = {
    ("user", "list"): "listApiTokens_1",
    ("user", "create"): "createApiTokensForUser_1",
    ("user", "delete"): "deleteApiToken_1",
    ("global", "list"): "listApiTokens",
    ("global", "create"): "createApiTokensForUser",
    ("global", "delete"): "deleteApiToken",
    ("tenant", "list"): "listApiTokensWithTenant",
    ("tenant", "create"): "createApiTokensForUserWithTenant",
    ("tenant", "delete"): "deleteApiTokenWithTenant",
}


def _token_requests(machine: TokensMachine) -> st.SearchStrategy[dict[str, Any]]:
    """Tokens the model keeps from step to step: they expire within two hours."""
    return usable_token_requests(machine.names)


def _lasting_token_requests(machine: TokensMachine) -> st.SearchStrategy[dict[str, Any]]:
    """No maxAge, or one that outlives any run: such a token is deleted in the step that made it."""
    return lasting_token_requests(machine.names)


# Preconditions and filters are named functions: hypothesis describes a lambda by parsing
# its source, which is not safe while a machine's shards run side by side in threads.
def _several_owners(machine: TokensMachine) -> bool:
    return len(machine.live_owners) > 1


def _is_service_account(owner: Owner) -> bool:
    return owner.kind == "service_account"


class TokensMachine(ContractMachine):
    owners = Bundle("owners")
    tokens = Bundle("tokens")

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.live_owners: dict[str, Owner] = {}

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def family(owner: Owner, route: Route) -> str:
        return "user" if owner.kind == "user" else route

    def operation(self, owner: Owner, route: Route, action: str) -> str:
        return _OPERATIONS[(self.family(owner, route), action)]

    def reachable(self, owner: Owner, route: Route) -> bool:
        """Whether the path finds the owner: a live owner, and in the tenant for tenant paths."""
        if not owner.alive:
            return False
        return not (isinstance(owner, ModelServiceAccount) and route == "tenant" and not owner.in_tenant)

    @staticmethod
    def delete_status(owner: Owner, route: Route) -> int:
        return 204 if owner.kind == "user" else 200

    def list_tokens(self, owner: Owner, route: Route = "global") -> tuple[list[dict[str, Any]], Exchange]:
        operation = self.operation(owner, route, "list")
        exchange = expect_status(self.call(operation, {"id": owner.id}), 200, f"{operation} of a live owner")
        body = json_object(exchange, f"{operation} answers an object")
        results = body.get("results")
        if not isinstance(results, list):
            fail("`results` is an array of token summaries", exchange)
        return [r for r in results if isinstance(r, dict)], exchange

    def check_listing(self, owner: Owner, route: Route = "global") -> None:
        """The owner's token list shows its live tokens as modelled, within the settle window."""
        self.pending.expect(lambda: self.listing_problem(owner, route), key=("tokens", owner.id, route))

    def listing_problem(self, owner: Owner, route: Route) -> Problem:
        if not self.reachable(owner, route):
            return None  # deleted since: delete_owner checks its 404s
        results, exchange = self.list_tokens(owner, route)
        expected = {t.id: t for t in owner.tokens.values() if t.alive}
        listed = [str(r.get("id")) for r in results]
        if sorted(listed) != sorted(expected):
            what = f"the token list of {owner.kind} {owner.id} holds exactly its {len(expected)} live tokens"
            return what, exchange, f"listed {sorted(listed)}, model {sorted(expected)}"
        for summary in results:
            token = expected[str(summary["id"])]
            wrong = []
            if summary.get("name") != token.name:
                wrong.append(f"name={summary.get('name')!r}, expected {token.name!r}")
            if (summary.get("description") or "") != token.description:
                wrong.append(f"description={summary.get('description')!r}, expected {token.description!r}")
            if "extended" in summary and summary["extended"] != token.extended:
                wrong.append(f"extended={summary['extended']!r}, expected {token.extended!r}")
            if summary.get("expired") is True:
                wrong.append("expired=true for a token that expires in an hour or more")
            for required in ("prefix", "iat"):
                if required not in summary:
                    wrong.append(f"no `{required}`")
            if wrong:
                return f"the summary of token {token.id} shows what was created", exchange, "; ".join(wrong)
        return None

    def expect_token_works(self, token: ModelToken, what: str) -> None:
        expect_access(self.api, token.credentials, "forbidden" if token.works else "refused", what)

    # -- owners ------------------------------------------------------------------------

    @initialize(target=owners)
    def first_owners(self) -> MultipleResults[Owner]:
        """A user and a service account of the tenant from the start: every rule is possible at once."""
        return multiple(self.new_owner("user"), self.new_owner("service account"))

    @rule(target=owners, kind=st.sampled_from(["user", "service account", "service account in no tenant"]))
    def add_owner(self, kind: str) -> Owner:
        return self.new_owner(kind)

    def new_owner(self, kind: str) -> Owner:
        owner: Owner
        if kind == "user":
            created, _ = self.arrange.create_user()  # any valid user: made ahead, in batches
            self.watch.password(created.password)
            self.created("user", created.id)
            owner = ModelUser(created.id, created.email, "Contract", "User", created.email, created.password)
        else:
            in_tenant = kind == "service account"
            account_id = self.arrange.create_service_account(tenants=None if in_tenant else [])
            self.created("service_account", account_id)
            owner = ModelServiceAccount(account_id, in_tenant)
        self.live_owners[owner.id] = owner
        return owner

    @precondition(_several_owners)
    @rule(owner=consumes(owners), route=routes, request=of_machine(_token_requests))
    def delete_owner(self, owner: Owner, route: Route, request: dict[str, Any]) -> None:
        self.settle_pending()  # what the owner's list must show is moot once it is gone
        if isinstance(owner, ModelUser):
            expect_status(self.call("deleteUser", {"id": owner.id}), 204, "deleteUser")
            self.deleted("user", owner.id)
        else:
            expect_status(self.call("deleteServiceAccount", {"id": owner.id}), 204, "deleteServiceAccount")
            self.deleted("service_account", owner.id)
        owner.alive = False
        del self.live_owners[owner.id]
        for token in owner.tokens.values():
            self.expect_token_works(token, "a token whose owner was deleted")
        for action in ("list", "create", "delete"):
            operation = self.operation(owner, route, action)
            path = {"id": owner.id}
            if action == "delete":
                path["tokenId"] = next(iter(owner.tokens), missing_id("token"))
            exchange = self.call(operation, path, **({"json": request} if action == "create" else {}))
            if action == "create":
                self.adopt_token(exchange, owner.id, owner.kind)
            expect_status(exchange, 404, f"{operation} for a deleted {owner.kind}")

    # -- tokens ------------------------------------------------------------------------

    @rule(target=tokens, owner=owners, route=routes, request=of_machine(_token_requests))
    def create_token(self, owner: Owner, route: Route, request: dict[str, Any]) -> ModelToken | MultipleResults[Any]:
        operation = self.operation(owner, route, "create")
        if not self.reachable(owner, route):
            exchange = self.call(operation, {"id": owner.id}, json=request)
            self.adopt_token(exchange, owner.id, owner.kind)
            expect_status(exchange, 404, f"{operation} for a service account outside the tenant")
            return multiple()
        created, exchange = self.arrange.create_token(owner.id, owner.kind, request, operation=operation)
        self.created("token", created.id)
        answer = json_object(exchange, f"{operation} answers the new token")
        check(answer.get("name") == request["name"], "the new token's name is the requested one", exchange)
        self.watch.full_token(created.full_token)
        token = ModelToken(
            created.id, request["name"], request["description"], owner, created.full_token, request["extended"]
        )
        owner.tokens[token.id] = token
        self.expect_token_works(token, "a token just created")
        return token

    @rule(owner=owners, route=routes, request=of_machine(_lasting_token_requests))
    def lasting_token_for_one_step(self, owner: Owner, route: Route, request: dict[str, Any]) -> None:
        """A token without maxAge, or one that outlives the run, is created and works; it is deleted at once,
        in this same step, so that a run killed afterwards leaves no lasting credential behind.
        """
        if not self.reachable(owner, route):
            return
        created, _ = self.arrange.create_token(
            owner.id, owner.kind, request, operation=self.operation(owner, route, "create")
        )
        self.watch.full_token(created.full_token)
        try:
            expect_access(self.api, created.credentials, "forbidden", "a token without a short maxAge")
        finally:
            deleted = self.call(self.operation(owner, route, "delete"), {"id": owner.id, "tokenId": created.id})
            if deleted.status < 300:
                self.deleted("token", created.id)
            else:
                self.created("token", created.id)  # teardown tries again
        expect_status(deleted, self.delete_status(owner, route), "deleting a lasting token at once")
        expect_access(self.api, created.credentials, "refused", "a lasting token deleted a moment ago")

    @rule(token=tokens, route=routes)
    def delete_token(self, token: ModelToken, route: Route) -> None:
        owner = token.owner
        operation = self.operation(owner, route, "delete")
        exchange = self.call(operation, {"id": owner.id, "tokenId": token.id})
        if not token.works or not self.reachable(owner, route):
            expect_status(exchange, 404, f"{operation} of a token that path cannot reach")
            self.expect_token_works(token, "a token after a refused delete")
            return
        expect_status(exchange, self.delete_status(owner, route), operation)
        token.alive = False
        self.deleted("token", token.id)
        self.expect_token_works(token, "a token deleted a moment ago")
        self.check_listing(owner)

    @rule(token=tokens, other=owners, route=routes)
    def delete_through_another_owner(self, token: ModelToken, other: Owner, route: Route) -> None:
        """A token id is found only under its owner; under its owner, an unknown token id is not found."""
        operation = self.operation(other, route, "delete")
        token_id = missing_id("token") if other is token.owner else token.id
        exchange = self.call(operation, {"id": other.id, "tokenId": token_id})
        what = "an unknown token id" if other is token.owner else "another owner's token"
        expect_status(exchange, POLICY.unknown_id_statuses if token_id != token.id else 404, f"{operation} of {what}")
        self.expect_token_works(token, f"a token after {operation} of {what}")

    def has_service_account(self) -> bool:
        return any(o.kind == "service_account" for o in self.live_owners.values())

    @precondition(has_service_account)
    @rule(owner=owners.filter(_is_service_account), request=of_machine(_token_requests))
    def tenant_paths(self, owner: Owner, request: dict[str, Any]) -> None:
        """The tenant path lists an account of the tenant, finds no other; unknown accounts and tenants are 404."""
        if self.reachable(owner, "tenant"):
            self.check_listing(owner, "tenant")
        else:
            operation = self.operation(owner, "tenant", "list")
            expect_status(self.call(operation, {"id": owner.id}), 404, f"{operation} outside the tenant")
        unknown = missing_id("service-account")
        for operation in ("listApiTokens", "listApiTokensWithTenant"):
            exchange = self.call(operation, {"id": unknown})
            expect_status(exchange, POLICY.unknown_id_statuses, f"{operation} of an unknown service account")
        tenant = missing_id("tenant")
        for action in ("list", "create", "delete"):
            operation = self.operation(owner, "tenant", action)
            path = {"id": owner.id, "tenant": tenant}
            if action == "delete":
                path["tokenId"] = next(iter(owner.tokens), missing_id("token"))
            exchange = self.call(operation, path, **({"json": request} if action == "create" else {}))
            if action == "create":
                self.adopt_token(exchange, owner.id, owner.kind)
            expect_status(exchange, 404, f"{operation} in a tenant that does not exist")

    # -- after every step --------------------------------------------------------------

    @invariant()
    def server_holds_the_model(self) -> None:
        """Each live owner lists exactly its live tokens, and each of them is a working credential."""
        for owner in self.live_owners.values():
            self.check_listing(owner)
            for token in owner.live_tokens:
                self.expect_token_works(token, "a live token")


test_tokens_behave_as_documented = TokensMachine.sharded_test()
