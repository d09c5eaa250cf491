"""Which contract a run speaks: read from the server's version before any test.

`GET /api/v1/configs` answers `version` on Kestra 1.x and 2.x; on 2.x it needs an
authenticated identity, so it is read with the suite's own (a token as is; a password
through a 2.x login when basic is refused). Major 1 runs contract 1, major 2 contract 2;
a version that cannot be read runs contract 1, and the run says so in every report.
`--contract 1|2` forces a version whatever the server says.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import httpx

import specs
from contract.harness.lifecycle import UnstableTarget
from contract.harness.sending._passwords import (
    LOGIN_PATH,
    OwnToken,
    PasswordSession,
    delete_own_token,
    login_succeeded,
    mint_own_token,
    passwords_by_login,
)
from contract.harness.sending._retry import send_with_retries
from contract.harness.sending._target import Credentials, Target, TargetError, httpx_answer

__all__ = [
    "CONTRACT_CHOICES",
    "Connection",
    "ContractChoice",
    "ServerVersion",
    "choose_contract",
    "connect",
    "parse_contract_option",
]

CONFIGS_PATH = "/api/v1/configs"
CONTRACT_CHOICES = ("auto", *(str(v) for v in specs.VERSIONS))
_MAJOR = re.compile(r"v?(\d+)(?:[.\-].*)?")


@dataclass(frozen=True)
class ServerVersion:
    """What the server says it is: its `version` text, or why it could not be read."""

    text: str | None
    problem: str = ""

    @property
    def major(self) -> int | None:
        match = _MAJOR.fullmatch(self.text.strip()) if self.text else None
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class ContractChoice:
    """The contract version of a run, the server version it was picked from, and how."""

    version: int
    server_version: str | None
    #: "server" (read from the server), "forced" (--contract), or "unreadable" (version 1 by default).
    how: str
    note: str = ""

    @property
    def describe(self) -> str:
        server = f"Kestra {self.server_version}" if self.server_version else "server version unknown"
        if self.how == "forced":
            return f"contract {self.version} (forced by --contract; {server})"
        if self.how == "unreadable":
            return f"contract {self.version} (the server's version could not be read: {self.note}; assumed 1.x)"
        return f"contract {self.version} ({server})"

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


def parse_contract_option(text: str) -> str:
    """`auto`, `1` or `2`; anything else is a ValueError (a one-line usage error)."""
    value = str(text).strip().lower()
    if value not in CONTRACT_CHOICES:
        raise ValueError(f"must be one of {', '.join(CONTRACT_CHOICES)}")
    return value


def choose_contract(forced: str, server: ServerVersion) -> ContractChoice:
    if forced != "auto":
        return ContractChoice(int(forced), server.text, "forced")
    major = server.major
    if major in specs.VERSIONS:
        return ContractChoice(int(major), server.text, "server")
    note = server.problem or f"version {server.text!r} is not Kestra 1.x or 2.x"
    return ContractChoice(1, server.text, "unreadable", note)


def read_server_version(base_url: str, credentials: Credentials, timeout: float = 10.0) -> ServerVersion:
    """The server's `version` from GET /api/v1/configs, read as the suite's own identity."""
    try:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            response = _configs(client, {"Authorization": credentials.header})
            if response.status_code == 401 and credentials.username and credentials.password and not credentials.token:
                response = _configs_after_login(client, credentials) or response
    except httpx.HTTPError as error:
        raise TargetError(f"{base_url} is unreachable: {error}") from None
    except UnstableTarget as error:
        return ServerVersion(None, f"GET {CONFIGS_PATH}: {error.reason}")
    if response.status_code != 200:
        return ServerVersion(None, f"GET {CONFIGS_PATH} answered {response.status_code}")
    try:
        payload = response.json()
    except ValueError:
        return ServerVersion(None, f"GET {CONFIGS_PATH} answered no JSON")
    version = payload.get("version") if isinstance(payload, dict) else None
    if not isinstance(version, str) or not version.strip():
        return ServerVersion(None, f"GET {CONFIGS_PATH} has no version")
    return ServerVersion(version.strip())


def _configs(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    return send_with_retries(
        lambda: client.get(CONFIGS_PATH, headers=headers),
        httpx_answer,
        safe=True,
        transport_errors=(httpx.TransportError,),
    )


def _configs_after_login(client: httpx.Client, credentials: Credentials) -> httpx.Response | None:
    """Basic was refused: a 2.x server takes the password through POST /login (one attempt, never repeated)."""
    login = send_with_retries(
        lambda: client.post(LOGIN_PATH, json={"username": credentials.username, "password": credentials.password}),
        httpx_answer,
        safe=False,
        transport_errors=(httpx.TransportError,),
    )
    if not login_succeeded(login):
        return None
    return _configs(client, PasswordSession.after_login(client, login).headers)


@dataclass
class Connection:
    """A target as the run talks to it: the contract it speaks, and the token it minted for itself (if any)."""

    target: Target
    contract: ContractChoice
    own_token: OwnToken | None = None

    def forget_own_token(self) -> str | None:
        """Delete the token minted for the suite's own identity; a problem to report, or None."""
        token, self.own_token = self.own_token, None
        if token is None:
            return None
        try:
            status = delete_own_token(self.target.base_url, token)
        except (httpx.HTTPError, UnstableTarget) as error:
            return f"could not delete the run's own API token {token.name}: {error}"
        if status >= 300 and status not in (401, 404):
            return f"could not delete the run's own API token {token.name}: {status}"
        return None


def connect(target: Target, forced: str, token_name: str) -> Connection:
    """Pick the contract from the server's version (or `forced`), make it this process's active one, and on
    2.x turn a password into an API token named `token_name` (POST /login, then POST /api/v1/me/api-tokens).
    """
    contract = choose_contract(forced, read_server_version(target.base_url, target.credentials))
    specs.use(contract.version)
    credentials = target.credentials
    if not passwords_by_login() or credentials.token or not credentials.username:
        return Connection(target, contract)
    try:
        own = mint_own_token(target.base_url, credentials.username, credentials.password or "", token_name)
    except ValueError as error:
        raise TargetError(f"{target.base_url} (contract 2): {error}") from None
    except UnstableTarget as error:
        raise TargetError(f"{target.base_url} does not answer as an API: {error.reason}") from None
    minted = replace(target, credentials=replace(credentials, token=own.full_token))
    return Connection(minted, contract, own)
