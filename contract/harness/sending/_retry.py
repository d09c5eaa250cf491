"""Retry what is safe to retry, and tell the API's answers from the infrastructure's.

Between the suite and a real server stand proxies and load balancers: during a deploy
they answer 502, 503 or 504 (with an HTML page, or a gateway's JSON: Kestra itself
answers 500 for its own errors), some answer 429 with `Retry-After`, and connections
time out (docs/contract-semantics.md, "Distance and infrastructure"). None of that is an
answer of the Users API. A read may be sent again; a write only when the server said it
did not process it (429, or 503 with `Retry-After`) or the connection was never made.
Whatever is still unstable after that raises `UnstableTarget`.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from contract.harness.lifecycle import UnstableTarget

__all__ = [
    "DEFAULT_RETRY",
    "Answer",
    "RetryPolicy",
    "infrastructure_reason",
    "not_processed",
    "retry_after_seconds",
    "send_with_retries",
]

R = TypeVar("R")

#: Gateway statuses: a proxy or load balancer answers them itself, with a page or a JSON body alike.
GATEWAY_STATUSES = frozenset({502, 503, 504})
TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class Answer:
    """What the retry logic needs to see of a response, whatever client sent it."""

    status: int
    content_type: str
    body: bytes
    retry_after: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded backoff: `attempts` tries in all, pauses doubling from `first_pause` up to `max_pause`."""

    attempts: int = 4
    first_pause: float = 0.25
    max_pause: float = 4.0
    #: A longer Retry-After is not waited for: the target stays unstable.
    max_retry_after: float = 15.0

    def pause(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before try `attempt + 1` (0-based `attempt` just failed), or None to give up."""
        if attempt + 1 >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return min(self.first_pause * 2.0**attempt, self.max_pause)


DEFAULT_RETRY = RetryPolicy()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _looks_like_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def infrastructure_reason(answer: Answer) -> str | None:
    """Why `answer` came from what stands in front of the API rather than from the API, or None.

    A 429 is a rate limit; a 502, 503 or 504 is a gateway's, whatever its body (AWS API
    Gateway, Kong and Spring Cloud Gateway answer JSON); a success or redirect that is an
    HTML page is not the API at all. A 500, and any 4xx the API answers (even as HTML),
    stay the API's answer: a defect if wrong.
    """
    kind = answer.content_type.split(";")[0].strip().lower() or "no content type"
    if answer.status == TOO_MANY_REQUESTS:
        return f"429 (rate limited, Retry-After {answer.retry_after or 'not given'})"
    if answer.status in GATEWAY_STATUSES:
        return f"{answer.status} from a gateway ({kind}, {len(answer.body)} bytes)"
    if answer.status < 400 and kind == "text/html" and not _looks_like_json(answer.body):
        return f"{answer.status} with an HTML page, not the API"
    return None


def not_processed(answer: Answer) -> bool:
    """The server said it did not process the request: 429, or 503 with Retry-After."""
    return answer.status == TOO_MANY_REQUESTS or (answer.status == 503 and answer.retry_after is not None)


def send_with_retries(
    send: Callable[[], R],
    look: Callable[[R], Answer],
    *,
    safe: bool,
    transport_errors: tuple[type[Exception], ...],
    never_sent: tuple[type[Exception], ...] = (),
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> R:
    """`send()` until the API itself answers; raise UnstableTarget when it does not within the policy.

    `safe` requests (reads) are repeated after any transport error or infrastructure
    answer; others only after an answer that says it was not processed, or an error in
    `never_sent` (the connection was never made).
    """
    reason = ""
    for attempt in range(policy.attempts):
        retry_after: float | None = None
        unreachable = False
        try:
            response = send()
        except transport_errors as error:
            reason = f"{type(error).__name__}: {error}".rstrip(": ")
            repeatable = safe or isinstance(error, never_sent)
            unreachable = True
        else:
            answer = look(response)
            found = infrastructure_reason(answer)
            if found is None:
                return response
            reason = found
            repeatable = safe or not_processed(answer)
            retry_after = retry_after_seconds(answer.retry_after)
        pause = policy.pause(attempt, retry_after) if repeatable else None
        if pause is None:
            tries = f"after {attempt + 1} tries" if repeatable else "not repeated: the server may have processed it"
            raise UnstableTarget(f"{reason} ({tries})", unreachable=unreachable, maybe_applied=not repeatable)
        sleep(pause)
    raise AssertionError("unreachable: the last attempt always returns or raises")
