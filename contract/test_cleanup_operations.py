"""The deletions a run's cleanup relies on work on this server, in dependency order.

A run is only safe on a shared server if what it creates can be deleted again: every
kind it creates (tokens, users, service accounts, groups) is deleted by cleanup's own
code, and is gone afterwards; deleting an owner takes its tokens with it.
"""

from __future__ import annotations

import pytest

import specs
from contract.harness import Credentials, Run, delete_all, expect_status

pytestmark = pytest.mark.mutating


def _rejected(run: Run, credentials: Credentials) -> int:
    return run.api.call("listUsers", params={"page": 1, "size": 1}, as_=credentials).status


def test_cleanup_deletes_every_kind_the_suite_creates(run: Run) -> None:
    user, _ = run.arrange.create_user()
    user_token, _ = run.arrange.create_token(user.id)
    account = run.arrange.create_service_account(super_admin=True)
    account_token, _ = run.arrange.create_token(account, "service_account")
    group = run.arrange.create_group(members=[user.id])
    ids = {user.id, user_token.id, account, account_token.id, group}
    created = [entry for entry in run.ledger.in_cleanup_order() if entry.id in ids]
    assert len(created) == 5, f"the ledger holds {len(created)} of the 5 objects just created"
    assert all(entry.label.startswith(run.names.prefix) for entry in created), created
    # The superadmin service account's token works until cleanup deletes it.
    assert _rejected(run, account_token.credentials) == 200

    report = delete_all(run.api, created)

    assert report.ok, report.summary()
    assert {(e.kind, e.id) for e in report.deleted} == {(e.kind, e.id) for e in created}, report.summary()
    unknown = specs.policy().unknown_id_statuses
    expect_status(run.api.call("getUser", {"id": user.id}), unknown, "getUser after cleanup")
    expect_status(run.api.call("getServiceAccount", {"id": account}), unknown, "getServiceAccount after cleanup")
    expect_status(run.api.call("getGroup", {"id": group}), unknown, "getGroup after cleanup")
    for token in (user_token, account_token):
        assert _rejected(run, token.credentials) == specs.policy().unauthenticated_status, token.name
    assert not ids & {entry.id for entry in run.ledger.live()}


def test_deleting_an_owner_deletes_its_tokens(run: Run) -> None:
    account = run.arrange.create_service_account(super_admin=True)
    token, _ = run.arrange.create_token(account, "service_account")
    assert _rejected(run, token.credentials) == 200

    expect_status(run.api.call("deleteServiceAccount", {"id": account}), 204, "deleteServiceAccount")
    run.ledger.forget("service_account", account)

    assert _rejected(run, token.credentials) == specs.policy().unauthenticated_status
    listing = run.api.call("listApiTokens", {"id": account})
    expect_status(listing, specs.policy().unknown_id_statuses, "listApiTokens of a deleted service account")
