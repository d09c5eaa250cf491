"""Small parts of the safety net: token lifetimes, dated run ids, Retry-After, secret masking, liveness."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

import httpx
import pytest

from contract.harness import Credentials, Exchange, short_lived, why_spared
from contract.harness.cleanup._delete import retry_pause
from contract.harness.sending import SecretBook
from strategies import new_run_id, run_started_at


@pytest.mark.parametrize(
    ("max_age", "short"),
    [("PT2H", True), ("PT90M", True), ("PT7200S", True), ("PT3H", False), ("P1D", False), ("", False), (None, False)],
)
def test_only_tokens_that_expire_within_two_hours_are_short_lived(max_age: str | None, short: bool) -> None:
    body = {} if max_age is None else {"maxAge": max_age}
    assert short_lived(body) is short


def test_a_run_id_says_when_the_run_started() -> None:
    started = time.time() - 7200
    run_id = new_run_id(started)
    assert len(run_id) == 9
    assert run_id.isalnum()
    assert run_id.islower()
    found = run_started_at(run_id)
    assert found is not None
    assert abs(found - started) < 60
    assert run_started_at("ab12cd") is None


def _exchange(status: int, **headers: str) -> Exchange:
    request = httpx.Request("DELETE", "http://x/api/v1/users/u")
    return Exchange("deleteUser", request, httpx.Response(status, headers=headers, request=request))


def test_cleanup_waits_as_long_as_the_server_asks_within_a_bound() -> None:
    assert retry_pause(_exchange(429, **{"Retry-After": "5"}), 0) == 5
    assert retry_pause(_exchange(503, **{"Retry-After": "600"}), 0) == 30
    assert retry_pause(_exchange(503), 2) == pytest.approx(0.8)
    assert retry_pause(_exchange(502, **{"Retry-After": "5"}), 0) == pytest.approx(0.2)


def test_every_secret_an_exchange_carried_is_masked() -> None:
    book = SecretBook.of(Credentials(username="admin@x.test", password="Suite-pass-9"))
    request = httpx.Request(
        "PUT",
        "http://x/api/v1/me/password",
        headers={"Authorization": Credentials(username="u@x.test", password="Old-pass-1").header},
        json={"oldPassword": "Old-pass-1", "newPassword": "New-pass-2"},
    )
    book(Exchange("updateCurrentUserPassword", request, httpx.Response(200, json={"fullToken": "kt_abcdefgh"})))
    text = "Suite-pass-9 Old-pass-1 New-pass-2 kt_abcdefgh short"
    assert book.mask(text) == "*** *** *** *** short"


@dataclass(frozen=True)
class Record:
    host: str
    pid: int
    ended: bool


def test_a_run_is_swept_only_once_it_cannot_still_be_going() -> None:
    young, old = new_run_id(time.time() - 600), new_run_id(time.time() - 86400)
    here = socket.gethostname()
    assert why_spared(young, Record("ci-7", 1, ended=True), 6) is None
    assert "younger than --min-age" in (why_spared(young, Record("ci-7", 1, ended=False), 6) or "")
    assert why_spared(old, Record("ci-7", 1, ended=False), 6) is None
    assert "still running here" in (why_spared(young, Record(here, os.getpid(), ended=False), 6) or "")
    assert why_spared(young, Record(here, 2**22 + 7, ended=False), 6) is None
    assert "younger" in (why_spared(young, None, 6) or "")
    assert why_spared(young, None, 0) is None
    assert "no date" in (why_spared("ab12cd", None, 6) or "")
