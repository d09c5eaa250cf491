"""--crowd: other people's users exist, and their activity changes the list during a run."""

from __future__ import annotations

import time
from typing import Any

from reference_server import ReferenceApp, ServerConfig
from reference_server._crowd import CROWD_DOMAIN, Crowd
from tests.reference_server.conftest import Api


def make(**config: Any) -> Api:
    return Api(ReferenceApp(ServerConfig(**config)))


def state(api: Api) -> dict[str, Any]:
    answer = api("GET", "/_reference/state").json
    assert answer is not None
    return dict(answer)


def everyone(api: Api) -> dict[str, str]:
    """id -> display name, over every page of listUsers."""
    found: dict[str, str] = {}
    page = 1
    while True:
        listing: Any = api("GET", "/api/v1/users", query_string={"page": page, "size": 100}).json
        found.update({u["id"]: u["displayName"] for u in listing["results"]})
        if page * 100 >= listing["total"]:
            return found
        page += 1


def crowd_of(api: Api) -> Crowd:
    assert api.app.crowd is not None
    return api.app.crowd


def test_the_crowd_is_there_before_the_run_with_varied_names_and_some_tokens() -> None:
    api = make(crowd=40, crowd_activity=0)
    users = state(api)["users"].values()
    crowd = [u for u in users if u["email"].endswith("@" + CROWD_DOMAIN)]
    assert sorted(u["email"] for u in crowd) == [f"person-{n:04d}@crowd.example" for n in range(1, 41)]
    assert len(everyone(api)) == 41  # and the admin
    assert len({u["displayName"] for u in crowd}) > 20
    assert any(u["tokens"] for u in crowd)
    assert any(not u["tokens"] for u in crowd)


def test_the_crowd_is_the_same_for_the_same_seed() -> None:
    def names(seed: int) -> list[str]:
        users = state(make(crowd=30, crowd_activity=0, crowd_seed=seed))["users"].values()
        return sorted(f"{u['email']} {u['displayName']}" for u in users)

    assert names(1) == names(1)
    assert names(1) != names(2)


def test_the_crowd_creates_renames_and_deletes_only_its_own_users() -> None:
    api = make(crowd=10, crowd_activity=0)
    mine = api.create_user("mine@example.com")
    before = state(api)["users"]
    crowd = crowd_of(api)
    for _ in range(300):
        crowd.step()
    assert all(crowd.done[kind] > 0 for kind in ("create", "rename", "delete"))
    after = state(api)["users"]
    for user_id in (mine, api.app.admin.id):
        assert after[user_id] == before[user_id]
    touched = {uid for uid in before if uid not in after or after[uid] != before[uid]}
    assert touched
    assert all(before[uid]["email"].endswith("@" + CROWD_DOMAIN) for uid in touched)
    assert all(u["email"].endswith("@" + CROWD_DOMAIN) for uid, u in after.items() if uid not in before)


def test_a_crowd_user_deleted_by_someone_else_is_left_alone() -> None:
    api = make(crowd=3, crowd_activity=0)
    crowd_ids = [uid for uid, u in state(api)["users"].items() if u["email"].endswith("@" + CROWD_DOMAIN)]
    for user_id in crowd_ids:
        assert api("DELETE", f"/api/v1/users/{user_id}").status_code == 204
    crowd = crowd_of(api)
    for _ in range(50):
        crowd.step()
    assert api.app.admin.id in state(api)["users"]


def test_the_activity_changes_the_list_while_the_app_runs_and_stops_with_it() -> None:
    api = make(crowd=5, crowd_activity=40)
    crowd = crowd_of(api)
    first = everyone(api)
    api.app.start()
    try:
        deadline = time.monotonic() + 30
        while everyone(api) == first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert everyone(api) != first
    finally:
        api.app.close()
    done = sum(crowd.done.values())
    time.sleep(0.2)
    assert sum(crowd.done.values()) == done  # no activity after close
    assert api("GET", "/api/v1/users?page=1&size=1").status_code == 200


def test_a_crowd_has_activity_by_default_and_none_without_a_crowd() -> None:
    assert ServerConfig(crowd=5).crowd_rate == 5.0
    assert ServerConfig(crowd=5, crowd_activity=0).crowd_rate == 0.0
    assert ServerConfig().crowd_rate == 0.0
    assert make().app.crowd is None
