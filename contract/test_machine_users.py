"""Users behave as documented, step after step: create, read, list, update, patch, delete.

The machine keeps the users it created in a model and, after every step, checks that
`listUsers?q=<its prefix>` and `getUser` show exactly that model. A search may show a write
late (the settle window): listing checks that do not agree at once are read again together
at the end of the example; "no second user appeared" is checked again at the end of the test.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

import specs
from contract.harness import Exchange, Problem, expect_status, missing_id, superadmin_flag
from contract.machines import (
    ContractMachine,
    ModelUser,
    Session,
    check,
    expect_access,
    fail,
    json_array,
    json_object,
    listed_user_ids,
    of_machine,
    room_for_a_user,
    several_users,
    user_pages_problem,
)
from strategies import create_user_requests, passwords, person_names, user_emails

pytestmark = [pytest.mark.stateful, pytest.mark.mutating]

POLICY = specs.policy()
#: Pages of 100 a search by display name reads at most (names are shared: other people may have it too).
_NAME_SEARCH_PAGES = 10


def _user_requests(machine: UsersMachine) -> st.SearchStrategy[dict[str, Any]]:
    return create_user_requests(machine.names, [machine.tenant], machine.groups, edge_emails=True)


def _group_choices(machine: UsersMachine) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(machine.groups), unique=True, max_size=len(machine.groups))


def _second_group_choices(machine: UsersMachine) -> st.SearchStrategy[list[str]]:
    groups = machine.second_groups
    return st.lists(st.sampled_from(groups), unique=True, max_size=len(groups)) if groups else st.just([])


def _new_emails(machine: UsersMachine) -> st.SearchStrategy[str | None]:
    """None keeps the current email; else a fresh one."""
    return st.none() | user_emails(machine.names)


# Preconditions and filters are named functions: hypothesis describes a lambda by parsing
# its source, which is not safe while a machine's shards run side by side in threads.
def _any_user(machine: UsersMachine) -> bool:
    return bool(machine.model)


def _a_user_with_password(machine: UsersMachine) -> bool:
    return any(_has_password(user) for user in machine.model.values())


def _has_password(user: ModelUser) -> bool:
    return user.password is not None


def _a_second_tenant(machine: UsersMachine) -> bool:
    return bool(machine.second_groups) and bool(machine.model)


def _room_in_two_tenants(machine: UsersMachine) -> bool:
    return bool(machine.second_groups) and room_for_a_user(machine)


class UsersMachine(ContractMachine):
    users = Bundle("users")
    deleted_users = Bundle("deleted_users")

    @classmethod
    def shared(cls, session: Session) -> tuple[Any, ...]:
        """Two groups the examples put users in, made once per shard; two more in the second tenant, if any."""
        second = session.run.target.second_tenant
        second_groups = [session.group(second), session.group(second)] if second else []
        return ([session.group(), session.group()], second_groups)

    def __init__(self, session: Session, groups: list[str], second_groups: list[str] | None = None) -> None:
        super().__init__(session)
        self.groups = groups
        #: Groups in the run's second tenant (none without `--second-tenant`).
        self.second_tenant = self.run.target.second_tenant
        self.second_groups = second_groups or []
        self.model: dict[str, ModelUser] = {}

    # -- checks ------------------------------------------------------------------------

    def check_view(self, user: ModelUser, view: dict[str, Any], exchange: Exchange, what: str) -> None:
        """An ApiUser (getUser, updateUser, patchUser answers) shows what the model holds."""
        wrong: list[str] = []

        def same(name: str, actual: Any, expected: Any) -> None:
            if actual != expected:
                wrong.append(f"{name}={actual!r}, expected {expected!r}")

        same("email", str(view.get("email", "")).casefold(), user.email.casefold())
        same("username", str(view.get("username", "")).casefold(), user.username.casefold())
        same("firstName", view.get("firstName"), user.first_name)
        same("lastName", view.get("lastName"), user.last_name)
        same("superAdmin", superadmin_flag(view), user.super_admin)
        same("restricted", view.get("restricted"), user.restricted)
        tenants = {t.get("id") for t in view.get("tenants") or [] if isinstance(t, dict)}
        if self.tenant not in tenants:
            wrong.append(f"tenants={sorted(map(str, tenants))}, expected to hold {self.tenant!r}")
        if user.in_second_tenant and self.second_tenant not in tenants:
            wrong.append(f"tenants={sorted(map(str, tenants))}, expected to hold {self.second_tenant!r} too")
        groups = {
            g.get("id")
            for g in view.get("groups") or []
            if isinstance(g, dict) and g.get("tenantId", self.tenant) == self.tenant
        }
        same("groups in the tenant", sorted(map(str, groups)), sorted(user.groups))
        if self.second_tenant:
            second = {
                g.get("id")
                for g in view.get("groups") or []
                if isinstance(g, dict) and g.get("tenantId") == self.second_tenant
            }
            same("groups in the second tenant", sorted(map(str, second)), sorted(user.second_groups))
        auths = view.get("auths") or []
        if user.password is not None and not auths:
            wrong.append("auths=[], expected the password login")
        if user.password is None and auths:
            wrong.append(f"auths={auths!r}, expected none (no password login)")
        check(not wrong, f"{what} shows user {user.id} as the model holds it", exchange, "; ".join(wrong))

    def follow_username(self, user: ModelUser, old_email: str, view: dict[str, Any], exchange: Exchange) -> None:
        """After an email change the username is the old or the new email (the contract allows both)."""
        username = str(view.get("username", ""))
        if username.casefold() not in (old_email.casefold(), user.email.casefold()):
            fail(f"username of {user.id} is its old or its new email, got {username!r}", exchange)
        user.username = username

    def get(self, user: ModelUser) -> tuple[dict[str, Any], Exchange]:
        exchange = expect_status(self.call("getUser", {"id": user.id}), 200, "getUser of a live user")
        return json_object(exchange, "getUser answers an ApiUser"), exchange

    def expect_found(self, user: ModelUser) -> None:
        """`q=<email>` finds exactly this user; autocomplete in the tenant finds it too (within the window)."""

        def listed() -> Problem:
            if not user.alive:
                return None
            ids, page = listed_user_ids(self.api, user.email, size=10)
            if ids == {user.id} and len(page.results) == 1 and page.total == 1:
                return None
            return f"listUsers q=<email> finds exactly user {user.id}", page.exchange, f"listed {sorted(ids)}"

        def completed() -> Problem:
            if not user.alive:
                return None
            found, exchange = self.autocomplete(user.email)
            if found.count(user.id) == 1:
                return None
            return f"autocompleteUsers q=<email> finds user {user.id} once", exchange, ""

        self.pending.expect(listed, key=("listed", user.id))
        self.pending.expect(completed, key=("autocompleted", user.id))

    def expect_found_by_name(self, user: ModelUser, view: dict[str, Any]) -> None:
        """After a change of name, `q=<the new display name>` finds the user (within the window).

        Names are not unique (other people may share one), so the check pages until it finds the user.
        """
        user.display_name = str(view.get("displayName") or "")

        def named() -> Problem:
            name = user.display_name
            if not user.alive or not name:
                return None
            exchange = None
            for number in range(1, _NAME_SEARCH_PAGES + 1):
                params = {"q": name, "page": number, "size": 100}
                exchange = expect_status(self.call("listUsers", params=params), 200, "listUsers q=<display name>")
                results = json_object(exchange, "listUsers answers a page").get("results")
                results = results if isinstance(results, list) else []
                if any(isinstance(r, dict) and r.get("id") == user.id for r in results):
                    return None
                if len(results) < 100:
                    break
            return f"listUsers q=<new display name {name!r}> finds user {user.id}", exchange, ""

        self.pending.expect(named, key=("named", user.id))

    def expect_not_listed(self, user: ModelUser) -> None:
        """A deleted user leaves listUsers and autocompleteUsers (within the window)."""

        def listed() -> Problem:
            ids, page = listed_user_ids(self.api, user.email, size=10)
            return None if user.id not in ids else (f"deleted user {user.id} gone from listUsers", page.exchange, "")

        def completed() -> Problem:
            found, exchange = self.autocomplete(user.email)
            if user.id not in found:
                return None
            return f"deleted user {user.id} gone from autocompleteUsers", exchange, ""

        self.pending.expect(listed, key=("listed", user.id))
        self.pending.expect(completed, key=("autocompleted", user.id))

    def autocomplete(self, q: str) -> tuple[list[str], Exchange]:
        exchange = expect_status(self.call("autocompleteUsers", json={"q": q}), 200, "autocompleteUsers")
        entries = json_array(exchange, "autocompleteUsers answers an array")
        return [str(e.get("id")) for e in entries if isinstance(e, dict)], exchange

    def put_body(self, user: ModelUser, **changes: Any) -> dict[str, Any]:
        body = {
            "tenants": [self.tenant, *([self.second_tenant] if user.second_groups or user.in_second_tenant else [])],
            "groups": sorted(user.groups | user.second_groups),
            "firstName": user.first_name,
            "lastName": user.last_name,
            "email": user.email,
            "password": user.password or "",
            "superAdmin": user.super_admin,
            "restricted": user.restricted,
        }
        body.update(changes)
        return body

    # -- rules -------------------------------------------------------------------------

    @initialize(target=users, first=of_machine(_user_requests), second=of_machine(_user_requests))
    def create_first_users(self, first: dict[str, Any], second: dict[str, Any]) -> MultipleResults[ModelUser]:
        """Two users from the start, so that every rule (deleting one too) is possible at once."""
        return multiple(*self.new_users([first, second]))

    @precondition(room_for_a_user)
    @rule(target=users, request=of_machine(_user_requests))
    def create_user(self, request: dict[str, Any]) -> ModelUser:
        return self.new_users([request])[0]

    @precondition(_room_in_two_tenants)
    @rule(target=users, request=of_machine(_user_requests), second=of_machine(_second_group_choices))
    def create_user_in_two_tenants(self, request: dict[str, Any], second: list[str]) -> ModelUser:
        """A user of both tenants, with groups in each: getUser shows every tenant it was given (C-USERS-04)."""
        both = {**request, "tenants": [self.tenant, self.second_tenant], "groups": [*request["groups"], *second]}
        return self.new_users([both])[0]

    def new_users(self, requests: list[dict[str, Any]]) -> list[ModelUser]:
        """Create users (their ids found together), then check each as getUser and the searches show it."""
        made = self.make_users(requests)
        users = []
        for (created, exchange), request in zip(made, requests, strict=True):
            elsewhere = set(request["groups"]) & set(self.second_groups)
            user = ModelUser(
                id=created.id,
                email=request["email"],
                first_name=request["firstName"],
                last_name=request["lastName"],
                username=request["email"],
                password=request["password"] or None,
                super_admin=request["superAdmin"],
                restricted=request["restricted"],
                groups=set(request["groups"]) - elsewhere,
                second_groups=elsewhere,
                in_second_tenant=self.second_tenant in request["tenants"] if self.second_tenant else False,
            )
            self.model[user.id] = user
            if exchange.response.content:
                answer = json_object(exchange, "createUser answers nothing or the ApiUser")
                self.check_view(user, answer, exchange, "the createUser answer")
            view, got = self.get(user)
            self.check_view(user, view, got, "getUser after createUser")
            self.expect_found(user)
            users.append(user)
        return users

    @rule(user=users, request=of_machine(_user_requests))
    def create_with_taken_email(self, user: ModelUser, request: dict[str, Any]) -> None:
        self.watch.password(request["password"])
        exchange = self.call("createUser", json={**request, "email": user.email})
        if exchange.status < 300:
            self.adopt_users(user.email, keep={user.id})
        expect_status(exchange, POLICY.duplicate_email_statuses, "createUser with an email already in use")
        email, kept = user.email, user.id

        def no_second_user() -> Problem:
            _, page = listed_user_ids(self.api, email, size=10)
            wanted = email.casefold()
            same = {
                r["id"] for r in page.results if wanted in {str(r.get(k, "")).casefold() for k in ("username", "email")}
            }
            others = sorted(same - {kept})
            return None if not others else (f"no second user with the email of {kept}", page.exchange, f"{others}")

        self.absences.add(no_second_user)

    @rule(user=users, other=users, how=st.sampled_from(["updateUser", "patchUser"]))
    def take_email_of_other_user(self, user: ModelUser, other: ModelUser, how: str) -> None:
        if user is other:
            return
        if how == "updateUser":
            body = self.put_body(user, email=other.email)
        else:
            body = {"firstName": user.first_name, "lastName": user.last_name, "email": other.email}
        exchange = self.call(how, {"id": user.id}, json=body)
        expect_status(exchange, POLICY.duplicate_email_statuses, f"{how} to an email that another user has")

    @rule(
        user=users,
        first_name=person_names,
        last_name=person_names,
        email=of_machine(_new_emails),
        groups=of_machine(_group_choices),
        restricted=st.booleans(),
        super_admin=st.booleans(),
    )
    def update_user(
        self,
        user: ModelUser,
        first_name: str,
        last_name: str,
        email: str | None,
        groups: list[str],
        restricted: bool,
        super_admin: bool,
    ) -> None:
        old_email = user.email
        body = self.put_body(
            user,
            firstName=first_name,
            lastName=last_name,
            email=email or user.email,
            groups=[*groups, *sorted(user.second_groups)],  # a PUT lists every group: those elsewhere stay
            restricted=restricted,
            superAdmin=super_admin,
        )
        exchange = expect_status(self.call("updateUser", {"id": user.id}, json=body), 200, "updateUser")
        view = json_object(exchange, "updateUser answers the ApiUser")
        user.first_name, user.last_name, user.email = first_name, last_name, body["email"]
        user.groups, user.restricted, user.super_admin = set(groups), restricted, super_admin
        user.in_second_tenant = self.second_tenant in body["tenants"]
        if email:
            self.follow_username(user, old_email, view, exchange)
        self.check_view(user, view, exchange, "the updateUser answer")
        self.expect_searches_follow(user, view, renamed=bool(email))

    @rule(user=users, first_name=person_names, last_name=person_names, email=of_machine(_new_emails))
    def patch_user(self, user: ModelUser, first_name: str, last_name: str, email: str | None) -> None:
        old_email = user.email
        body = {"firstName": first_name, "lastName": last_name, "email": email or user.email}
        exchange = expect_status(self.call("patchUser", {"id": user.id}, json=body), 200, "patchUser")
        view = json_object(exchange, "patchUser answers the ApiUser")
        user.first_name, user.last_name, user.email = first_name, last_name, body["email"]
        if email:
            self.follow_username(user, old_email, view, exchange)
        self.check_view(user, view, exchange, "the patchUser answer")
        self.expect_searches_follow(user, view, renamed=bool(email))

    def expect_searches_follow(self, user: ModelUser, view: dict[str, Any], *, renamed: bool) -> None:
        """Searches read the user as it is now: its new email (listUsers and autocompleteUsers) and its
        new display name (listUsers), within the window (C-USERS-14, C-LIST-10).
        """
        if renamed:
            self.expect_found(user)
        self.expect_found_by_name(user, view)

    @rule(user=users, restricted=st.booleans())
    def set_restricted(self, user: ModelUser, restricted: bool) -> None:
        expect_status(
            self.call("patchUserDemo", {"id": user.id}, json={"restricted": restricted}), 200, "patchUserDemo"
        )
        user.restricted = restricted

    @rule(user=users, super_admin=st.booleans())
    def set_superadmin(self, user: ModelUser, super_admin: bool) -> None:
        exchange = self.call("patchUserSuperAdmin", {"id": user.id}, json={"superAdmin": super_admin})
        expect_status(exchange, 200, "patchUserSuperAdmin")
        user.super_admin = super_admin

    @rule(user=users, groups=of_machine(_group_choices))
    def set_groups(self, user: ModelUser, groups: list[str]) -> None:
        """With an unknown group id among them nothing changes; without, the user's groups are exactly these."""
        exchange = self.call("updateUserGroups", {"id": user.id}, json={"groupIds": [*groups, missing_id("group")]})
        # An unknown group id in a body breaks a business rule: any 4xx the policy allows for that.
        expect_status(exchange, POLICY.business_rule_statuses, "updateUserGroups with an unknown group id")
        view, got = self.get(user)
        self.check_view(user, view, got, "getUser after updateUserGroups was refused")
        exchange = self.call("updateUserGroups", {"id": user.id}, json={"groupIds": groups})
        expect_status(exchange, 204, "updateUserGroups")
        user.groups = set(groups)

    @precondition(_a_second_tenant)
    @rule(user=users, groups=of_machine(_second_group_choices))
    def set_groups_in_second_tenant(self, user: ModelUser, groups: list[str]) -> None:
        """The user's groups in the second tenant are exactly these; its groups in the first stay (C-USERS-13)."""
        path = {"id": user.id, "tenant": self.second_tenant}
        expect_status(self.call("updateUserGroups", path, json={"groupIds": groups}), 204, "updateUserGroups")
        user.second_groups = set(groups)

    @precondition(_a_user_with_password)
    @rule(user=users.filter(_has_password))
    def delete_password_login(self, user: ModelUser) -> None:
        view, got = self.get(user)
        auths = [a for a in view.get("auths") or [] if isinstance(a, dict) and isinstance(a.get("id"), str)]
        password_auths = [a for a in auths if "pass" in f"{a.get('type')} {a.get('name')}".lower()]
        chosen = password_auths or auths
        check(len(chosen) == 1, "one password entry in `auths` of a user created with a password", got)
        auth_id = chosen[0]["id"]
        exchange = self.call("deleteUserAuthMethod", {"id": user.id, "auth": auth_id})
        expect_status(exchange, 200, "deleteUserAuthMethod of the password entry")
        if not exchange.resolved:  # a lost answer read back has no ApiUser to check
            answer = json_object(exchange, "deleteUserAuthMethod answers the ApiUser")
            remaining = {a.get("id") for a in answer.get("auths") or [] if isinstance(a, dict)}
            check(auth_id not in remaining, f"auth {auth_id} gone from `auths`", exchange)
        old = user.password
        assert old is not None
        user.password = None
        user.old_passwords.append(old)
        if self.may_probe_wrong_password(user.username):
            expect_access(self.api, user.login_with(old), "refused", "password login after its auth entry was deleted")

    @precondition(_a_user_with_password)
    @rule(user=users.filter(_has_password), other=users)
    def delete_auth_through_another_user(self, user: ModelUser, other: ModelUser) -> None:
        """An auth-method id is found only under its owner: through another user's path it is not found,
        and its owner keeps it (C-USERS-19.2).
        """
        if user is other:
            return
        view, got = self.get(user)
        auth_ids = [a["id"] for a in view.get("auths") or [] if isinstance(a, dict) and isinstance(a.get("id"), str)]
        check(bool(auth_ids), f"an `auths` entry for user {user.id}, created with a password", got)
        exchange = self.call("deleteUserAuthMethod", {"id": other.id, "auth": auth_ids[0]})
        expect_status(exchange, 404, "deleteUserAuthMethod of another user's auth method")
        view, got = self.get(user)
        kept = {a.get("id") for a in view.get("auths") or [] if isinstance(a, dict)}
        check(auth_ids[0] in kept, f"auth {auth_ids[0]} still in the `auths` of its owner {user.id}", got)

    @rule(user=users)
    def unknown_ids_under_a_user(self, user: ModelUser) -> None:
        for operation, path in (
            ("getUser", {"id": missing_id("user")}),
            ("deleteUserAuthMethod", {"id": user.id, "auth": missing_id("auth")}),
            ("deleteApiToken_1", {"id": user.id, "tokenId": missing_id("token")}),
            ("deleteRefreshToken", {"id": missing_id("user")}),
            ("impersonate", {"id": missing_id("user")}),
        ):
            expect_status(self.call(operation, path), POLICY.unknown_id_statuses, f"{operation} of an unknown id")

    @rule(user=users)
    def refresh_token_and_impersonation(self, user: ModelUser) -> None:
        expect_status(self.call("deleteRefreshToken", {"id": user.id}), 204, "deleteRefreshToken of a live user")
        expect_status(self.call("impersonate", {"id": user.id}), 200, "impersonate a live user")

    @precondition(_any_user)
    @rule(size=st.integers(1, 4))
    def list_in_pages(self, size: int) -> None:
        for page, page_size in ((0, size), (1, 0)):
            exchange = self.call("listUsers", params={"q": self.names.prefix, "page": page, "size": page_size})
            expect_status(exchange, POLICY.invalid_input_statuses, f"listUsers with page={page}, size={page_size}")
        prefix = self.names.prefix
        self.pending.expect(lambda: user_pages_problem(self.api, prefix, size, set(self.model)), key="pages")

    @precondition(several_users)
    @rule(target=deleted_users, user=consumes(users), new_password=passwords(), request=of_machine(_user_requests))
    def delete_user(self, user: ModelUser, new_password: str, request: dict[str, Any]) -> ModelUser:
        self.settle_pending()  # what the searches must show of the user is moot once it is gone
        expect_status(self.call("deleteUser", {"id": user.id}), 204, "deleteUser")
        self.deleted("user", user.id)
        del self.model[user.id]
        user.alive = False
        self.expect_gone(user, new_password, request)
        return user

    @rule(user=deleted_users)
    def deleted_user_stays_gone(self, user: ModelUser) -> None:
        expect_status(self.call("getUser", {"id": user.id}), 404, "getUser of a deleted user")
        self.expect_not_listed(user)

    def expect_gone(self, user: ModelUser, new_password: str, request: dict[str, Any]) -> None:
        """Every operation on a deleted id answers 404; it is in no listing; its password is refused."""
        self.watch.password(new_password)
        self.watch.password(request["password"])
        fresh = {**request, "email": self.names.email()}
        calls: list[tuple[str, dict[str, str], Any]] = [
            ("getUser", {}, None),
            ("updateUser", {}, fresh),
            ("patchUser", {}, {"firstName": "Gone", "lastName": "User", "email": self.names.email()}),
            ("listApiTokens_1", {}, None),
            ("createApiTokensForUser_1", {}, self.arrange.token_body(name=self.names.unique())),
            ("deleteApiToken_1", {"tokenId": missing_id("token")}, None),
            ("deleteUserAuthMethod", {"auth": missing_id("auth")}, None),
            ("impersonate", {}, None),
            ("patchUserPassword", {}, {"password": new_password}),
            ("deleteRefreshToken", {}, None),
            ("patchUserDemo", {}, {"restricted": True}),
            ("patchUserSuperAdmin", {}, {"superAdmin": True}),
            ("updateUserGroups", {}, {"groupIds": []}),
            ("deleteUser", {}, None),
        ]
        for operation, extra, body in calls:
            kwargs: dict[str, Any] = {} if body is None else {"json": body}
            exchange = self.call(operation, {"id": user.id, **extra}, **kwargs)
            if operation == "createApiTokensForUser_1":
                self.adopt_token(exchange, user.id, "user")
            expect_status(exchange, 404, f"{operation} of a deleted user")
        self.expect_not_listed(user)
        for password in (user.password, *user.old_passwords[-1:]):
            if password is not None and (password == user.password or self.may_probe_wrong_password(user.username)):
                expect_access(self.api, user.login_with(password), "refused", "password of a deleted user")

    # -- after every step --------------------------------------------------------------

    @invariant()
    def server_holds_the_model(self) -> None:
        """GetUser shows each user as modelled, at once; listUsers q=<prefix> shows the model within the window."""
        self.pending.expect(self.listing_problem, key="model listing")
        for user in self.model.values():
            view, exchange = self.get(user)
            self.check_view(user, view, exchange, "getUser")

    def listing_problem(self) -> Problem:
        ids, page = listed_user_ids(self.api, self.names.prefix, size=100)
        if ids != set(self.model) or page.total != len(self.model):
            expected = f"listUsers q=<machine prefix> holds exactly the {len(self.model)} users of the model"
            return expected, page.exchange, f"listed {sorted(ids)} (total {page.total}), model {sorted(self.model)}"
        for summary in page.results:
            user = self.model[summary["id"]]
            if str(summary.get("username", "")).casefold() != user.username.casefold():
                return f"listUsers shows username {user.username!r} for {user.id}", page.exchange, ""
            if superadmin_flag(summary) != user.super_admin:
                return f"listUsers shows superAdmin={user.super_admin} for {user.id}", page.exchange, ""
        return None


test_users_behave_as_documented = UsersMachine.sharded_test()
