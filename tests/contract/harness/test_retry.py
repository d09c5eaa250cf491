"""What the harness retries, what it reports as an unstable target, and what stays the API's answer."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from contract.harness import Answer, UnstableTarget
from contract.harness.sending import RetryPolicy, infrastructure_reason, retry_after_seconds
from contract.harness.sending._retry import send_with_retries

HTML = "text/html; charset=utf-8"
PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _run(
    answers: list[Answer | Exception], *, safe: bool, never_sent: tuple[type[Exception], ...] = ()
) -> tuple[Answer | UnstableTarget, int, list[float]]:
    """Send through `send_with_retries` with scripted answers; return (result or error, tries, pauses)."""
    script = list(answers)
    pauses: list[float] = []
    tries = 0

    def send() -> Answer:
        nonlocal tries
        tries += 1
        item = script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    try:
        result: Answer | UnstableTarget = send_with_retries(
            send,
            lambda a: a,
            safe=safe,
            transport_errors=(httpx.TransportError,),
            never_sent=never_sent,
            policy=RetryPolicy(attempts=3, first_pause=0.1, max_pause=1.0, max_retry_after=5.0),
            sleep=pauses.append,
        )
    except UnstableTarget as error:
        result = error
    return result, tries, pauses


def test_a_gateway_page_on_a_read_is_retried_with_backoff() -> None:
    ok = Answer(200, "application/json", b"{}")
    result, tries, pauses = _run([Answer(502, HTML, PAGE), Answer(504, HTML, PAGE), ok], safe=True)
    assert result == ok
    assert tries == 3
    assert pauses == [0.1, 0.2]


def test_a_gateway_page_on_a_write_is_not_repeated_and_is_unstable() -> None:
    result, tries, _ = _run([Answer(502, HTML, PAGE)], safe=False)
    assert isinstance(result, UnstableTarget)
    assert tries == 1
    assert "502 from a gateway" in result.reason
    assert "not repeated" in result.reason


def test_a_write_the_server_did_not_process_is_retried_after_retry_after() -> None:
    ok = Answer(201, "", b"")
    result, tries, pauses = _run([Answer(429, "text/plain", b"slow down", "2"), ok], safe=False)
    assert result == ok
    assert tries == 2
    assert pauses == [2.0]
    result, tries, pauses = _run([Answer(503, HTML, PAGE, "1"), ok], safe=False)
    assert result == ok
    assert pauses == [1.0]


def test_a_503_without_retry_after_on_a_write_is_not_repeated() -> None:
    result, tries, _ = _run([Answer(503, HTML, PAGE)], safe=False)
    assert isinstance(result, UnstableTarget)
    assert tries == 1


def test_a_retry_after_beyond_the_limit_is_not_waited_for() -> None:
    result, tries, pauses = _run([Answer(429, "", b"", "3600")], safe=True)
    assert isinstance(result, UnstableTarget)
    assert tries == 1
    assert pauses == []


def test_what_stays_unstable_after_every_try_is_reported_with_its_reason() -> None:
    result, tries, _ = _run([httpx.ReadTimeout("timed out")] * 3, safe=True)
    assert isinstance(result, UnstableTarget)
    assert tries == 3
    assert result.reason.startswith("ReadTimeout")
    assert "after 3 tries" in result.reason


def test_a_connection_never_made_is_retried_even_for_a_write() -> None:
    ok = Answer(201, "", b"")
    result, tries, _ = _run([httpx.ConnectError("refused"), ok], safe=False, never_sent=(httpx.ConnectError,))
    assert result == ok
    assert tries == 2
    result, tries, _ = _run([httpx.ReadTimeout("timed out")], safe=False, never_sent=(httpx.ConnectError,))
    assert isinstance(result, UnstableTarget)
    assert tries == 1


@pytest.mark.parametrize(
    "answer",
    [
        Answer(500, HTML, b"<html>oops</html>"),  # a 500 is the API's, whatever it looks like
        Answer(404, HTML, b"<html>not found</html>"),  # an API 4xx, even as HTML, is judged as an answer
        Answer(200, "application/json", b"[]"),
    ],
)
def test_answers_of_the_api_are_never_retried_or_unstable(answer: Answer) -> None:
    assert infrastructure_reason(answer) is None
    result, tries, _ = _run([answer], safe=True)
    assert result == answer
    assert tries == 1


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"message": "upstream"}'),  # Kong, Spring Cloud Gateway
        ("application/json", b'{"message": "Internal server error"}'),  # AWS API Gateway
        ("application/problem+json", b'{"status": 503, "title": "Service Unavailable"}'),
        ("", b""),
    ],
)
def test_a_gateway_status_is_the_infrastructures_whatever_its_body(status: int, content_type: str, body: bytes) -> None:
    """Kestra answers 500 for its own errors: a 502, 503 or 504 comes from what stands in front of it."""
    answer = Answer(status, content_type, body)
    kind = content_type or "no content type"
    assert infrastructure_reason(answer) == f"{status} from a gateway ({kind}, {len(body)} bytes)"
    result, tries, _ = _run([answer, answer, answer], safe=True)
    assert isinstance(result, UnstableTarget)
    assert tries == 3


def test_a_success_that_is_an_html_page_is_not_the_api() -> None:
    assert infrastructure_reason(Answer(200, HTML, b"<html>Sign in</html>")) is not None


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert retry_after_seconds(date, now=1_000_000) == pytest.approx(30.0)
    assert retry_after_seconds(email.utils.formatdate(999_000, usegmt=True), now=1_000_000) == 0.0
