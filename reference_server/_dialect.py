"""What the server does differently as Kestra EE 2.x (contract version 2): the one place that says so.

Everything else (the store, the rules, the faults, the real-deployment behaviours) is the
same in both versions. Version 2 (docs/contract-semantics.md, "Kestra 2.x"): no HTTP basic
authentication on API calls (a password login is POST /login), createUser and the user
token create answer 201 with a body, token lists are `ApiTokenList`s, patchUserPassword
answers the user, listUsers is searched with `filters[q][EQUALS]` and refuses page 0 and
pages above 1000 with 422, impersonate may answer 303 with a cookie, and a superadmin may
be called an instance owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

import specs
from reference_server._config import ServerConfig

__all__ = ["MAX_PAGE_SIZE", "Dialect"]

#: Kestra 2.x's page size limit (PageableUtils): above it a search is refused, or capped by some servers.
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Dialect:
    config: ServerConfig

    @property
    def version(self) -> int:
        return self.config.contract_version

    @property
    def v2(self) -> bool:
        return self.version == 2

    @property
    def contract(self) -> specs.Contract:
        return specs.contract(self.version)

    def impersonation_cookie(self) -> bool:
        """Whether a 303 from impersonate carries the impersonated user's session cookie."""
        return not self.config.has("impersonate-303-no-cookie")

    @property
    def basic_auth(self) -> bool:
        """Whether HTTP basic authenticates API calls (2.0 dropped it: a basic header gets 401)."""
        return not self.v2

    @property
    def query_error_status(self) -> int:
        """A query parameter out of range (page 0): 400 on 1.x, 422 on 2.x."""
        return 422 if self.v2 else 400

    def create_user_body(self) -> bool:
        """Whether createUser answers the new user (2.x always; 1.x as configured)."""
        if self.v2:
            return not self.config.has("create-user-no-body")
        return self.config.create_user_body == "user"

    def user_token_status(self) -> int:
        """The user token create (createApiTokensForUser): 201 on 2.x; 200 on 1.x, 201 only with the 1.x fault."""
        if self.v2:
            return 200 if self.config.has("user-token-create-200") else 201
        return 201 if self.config.has("token-create-201") else 200

    def sa_token_status(self) -> int:
        """The service-account token creates: 200 in both versions."""
        return 201 if self.config.has("token-create-201") else 200

    def token_list(self, summaries: list[dict[str, Any]]) -> dict[str, Any]:
        """1.x: `{"results"}`; 2.x: an ApiTokenList, `{"total", "results"}`."""
        if self.v2:
            total = len(summaries) + (1 if self.config.has("token-list-total-wrong") else 0)
            return {"total": total, "results": summaries}
        return {"results": summaries}

    def password_patched(self, user_view: dict[str, Any]) -> Any:
        """What patchUserPassword answers: `{}` on 1.x, the updated ApiUser on 2.x."""
        return user_view if self.v2 and not self.config.has("password-patch-no-user") else {}

    def search_text(self, query: dict[str, Any]) -> str:
        """The free-text search of listUsers: `q` on 1.x, `filters[q][EQUALS]` on 2.x (an unknown one is ignored)."""
        return str(query.get(specs.contract(self.version).policy.search_parameter) or "")

    def page_args(self, args: MultiDict[str, str]) -> MultiDict[str, str]:
        """On 2.x, a capping server reads a page size above the limit as the limit."""
        if self.v2 and self.config.oversized_page == "cap":
            size = args.get("size", "")
            if size.isdigit() and int(size) > MAX_PAGE_SIZE:
                capped = MultiDict(args)
                capped["size"] = str(MAX_PAGE_SIZE)
                return capped
        return args

    def owner_fields(self, super_admin: bool) -> dict[str, Any]:
        """How a user or service account says it is a superadmin."""
        if not self.v2 or self.config.owner_field == "superAdmin":
            return {"superAdmin": super_admin}
        if self.config.owner_field == "instanceOwner":
            return {"instanceOwner": super_admin}
        return {"superAdmin": super_admin, "instanceOwner": super_admin}

    def owner_flag(self, body: Any, default: bool) -> bool:
        """The superadmin flag a request sets: `superAdmin`, or on 2.x also `instanceOwner`."""
        if not isinstance(body, dict):
            return default
        if "superAdmin" in body and body["superAdmin"] is not None:
            return bool(body["superAdmin"])
        if self.v2 and body.get("instanceOwner") is not None:
            return bool(body["instanceOwner"])
        return default
