"""Which server the suite talks to, as whom, and whether it can run there at all."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from contract.harness.lifecycle import UnstableTarget
from contract.harness.sending._network import Network
from contract.harness.sending._retry import Answer, send_with_retries

__all__ = ["Credentials", "Target", "TargetError", "check_base_url", "preflight"]


class TargetError(Exception):
    """The suite cannot run against this target; the message is one line for people."""


@dataclass(frozen=True)
class Credentials:
    """Exactly one identity: basic (username, password) or a bearer token."""

    username: str | None = None
    #: Secrets stay out of reprs: pytest prints fixtures' reprs in tracebacks.
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_options(cls, username: str | None, password: str | None, token: str | None) -> Credentials | None:
        username = username or os.environ.get("KESTRA_USERNAME") or None
        password = password or os.environ.get("KESTRA_PASSWORD") or None
        token = token or os.environ.get("KESTRA_API_TOKEN") or None
        if token:
            return cls(token=token)
        if username and password:
            return cls(username=username, password=password)
        if username or password:
            raise TargetError("give both --username and --password (or KESTRA_USERNAME and KESTRA_PASSWORD)")
        return None

    @property
    def header(self) -> str:
        if self.token:
            return f"Bearer {self.token}"
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    @property
    def describe(self) -> str:
        if self.token and self.username:
            return f"user {self.username} (through an API token the run minted: {self.token[:6]}…)"
        return f"token {self.token[:6]}…" if self.token else f"user {self.username}"


@dataclass(frozen=True)
class Target:
    base_url: str
    credentials: Credentials
    tenant: str
    embedded: bool
    #: How requests reach it (CA bundle, extra headers, timeout): every client is built from it.
    network: Network = field(default_factory=Network)
    #: Another tenant the run may put its users' groups in ("" when there is none): so that a change
    #: in `tenant` can be seen to leave the other alone.
    second_tenant: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.credentials.header}

    def client(self, *, timeout: float | None = None) -> httpx.Client:
        """An httpx client for this target, as the suite's identity, with the run's network settings."""
        return self.network.client(self.base_url, headers=self.headers, timeout=timeout)


def check_base_url(url: str) -> str:
    """The URL without a trailing slash, or a TargetError saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"malformed --base-url {url!r}: expected http(s)://host[:port][/prefix]")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise TargetError(f"malformed --base-url {url!r}: bad port") from None
    return url.rstrip("/")


def httpx_answer(response: httpx.Response) -> Answer:
    """What the retry logic sees of an httpx response."""
    return Answer(
        response.status_code,
        response.headers.get("content-type", ""),
        response.content,
        response.headers.get("retry-after"),
    )


def preflight(target: Target, timeout: float | None = None) -> None:
    """Check once that the target answers and that the identity is a superadmin."""
    unknown_id = "kct-preflight-" + secrets.token_hex(6)
    try:
        target.network.check()
    except ValueError as error:
        raise TargetError(str(error)) from None
    try:
        with target.client(timeout=timeout) as client:

            def get(url: str, **params: int) -> httpx.Response:
                return send_with_retries(
                    lambda: client.get(url, params=params),
                    httpx_answer,
                    safe=True,
                    transport_errors=(httpx.TransportError,),
                )

            listing = get("/api/v1/users", page=1, size=1)
            if listing.status_code == 401:
                raise TargetError(f"{target.base_url} rejected the credentials ({target.credentials.describe}): 401")
            probe = get(f"/api/v1/users/{unknown_id}")
    except httpx.HTTPError as error:
        raise TargetError(f"{target.base_url} is unreachable: {error}") from None
    except UnstableTarget as error:
        problem = "is unreachable" if error.unreachable else "does not answer as an API"
        raise TargetError(f"{target.base_url} {problem}: {error.reason}") from None
    if listing.status_code == 403 or probe.status_code == 403:
        raise TargetError(f"{target.credentials.describe} is not a superadmin on {target.base_url} (403)")
    if listing.status_code != 200 or probe.status_code not in (404, 400):
        raise TargetError(
            f"{target.base_url} does not look like the Kestra Users API: "
            f"GET /api/v1/users -> {listing.status_code}, GET /api/v1/users/<unknown> -> {probe.status_code}"
        )
