"""How a password is tried, per contract version: the one place that knows.

Kestra 1.x takes a password as HTTP basic on any call. Kestra 2.0 dropped that: a password
login is `POST /login` (JSON `username`, `password`), which answers with a JWT cookie (200,
or a 303 that sets it); a request then authenticates with that cookie, and one that
changes state also sends the CSRF token (the `csrfToken` cookie, or the `csrf-token` meta
tag of `/ui/`) in `X-CSRF-TOKEN`. So on 2.x "this password works" means `POST /login`
succeeds and "it stopped working" that it answers 401 (docs/contract-semantics.md,
"Kestra 2.x"). The suite's own identity, given as a password, mints a short-lived API
token through such a session (`POST /api/v1/me/api-tokens`) and uses that as bearer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import partial

import httpx

import specs
from contract.harness.lifecycle import UnstableTarget
from contract.harness.sending._network import Network
from contract.harness.sending._retry import send_with_retries
from contract.harness.sending._target import httpx_answer

__all__ = [
    "CSRF_HEADER",
    "LOGIN_OPERATION",
    "LOGIN_PATH",
    "OWN_SESSION_TOKEN_MAX_AGE",
    "OWN_TOKENS_PATH",
    "OwnToken",
    "PasswordSession",
    "delete_own_token",
    "login_succeeded",
    "mint_own_token",
    "own_token_name",
    "passwords_by_login",
    "search_query",
]

LOGIN_PATH = "/login"
#: The contract name of POST /login in version 2's description.
LOGIN_OPERATION = "login"
OWN_TOKENS_PATH = "/api/v1/me/api-tokens"
CSRF_HEADER = "X-CSRF-TOKEN"
_CSRF_COOKIE = "csrfToken"
_UI_PATH = "/ui/"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def passwords_by_login() -> bool:
    """Whether the active contract tries passwords with POST /login (2.x) rather than HTTP basic (1.x)."""
    return specs.policy().password_login == "login"


def search_query(params: dict[str, object]) -> dict[str, object]:
    """ListUsers' query with the free-text search `q` spelled as the active contract does (2.x: a filter)."""
    parameter = specs.policy().search_parameter
    if "q" not in params or parameter == "q":
        return params
    query = {k: v for k, v in params.items() if k != "q"}
    if params["q"] is not None:
        query[parameter] = params["q"]
    return query


def login_succeeded(response: httpx.Response) -> bool:
    """A login that gave a session: 2xx, or a redirect that sets a cookie (the browser flow)."""
    if response.is_success:
        return True
    return response.is_redirect and "set-cookie" in response.headers


@dataclass
class PasswordSession:
    """A cookie session of one login: the headers that authenticate as it (reads and writes)."""

    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Cookie": cookie} if cookie else {}
        if self.csrf:
            headers[CSRF_HEADER] = self.csrf
        return headers

    @property
    def secrets(self) -> list[str]:
        return [*self.cookies.values(), *([self.csrf] if self.csrf else [])]

    @classmethod
    def after_login(cls, client: httpx.Client, login: httpx.Response) -> PasswordSession:
        """The session a successful login opened, with a CSRF token for writes (read from `/ui/` if need be)."""
        session = cls({name: value for name, value in login.cookies.items()})
        session.csrf = session.cookies.get(_CSRF_COOKIE)
        if session.csrf is None:
            page = _ui_page(client, session.headers)
            match = _CSRF_META.search(page.text)
            token = page.cookies.get(_CSRF_COOKIE) or (match.group(1) if match else None)
            if token:
                session.cookies.setdefault(_CSRF_COOKIE, token)
                session.csrf = token
        return session


def _ui_page(client: httpx.Client, headers: dict[str, str], attempts: int = 4) -> httpx.Response:
    """GET /ui/ (an HTML page, so not judged as an API answer), again after a transport error or a 5xx."""
    response: httpx.Response | None = None
    for attempt in range(attempts):
        try:
            response = client.get(_UI_PATH, headers=headers)
        except httpx.TransportError:
            if attempt == attempts - 1:
                raise
        else:
            if response.status_code < 500 and response.status_code != 429:
                return response
        if attempt < attempts - 1:
            time.sleep(0.25 * 2**attempt)
    assert response is not None
    return response


@dataclass(frozen=True)
class OwnToken:
    """The API token a run minted for its own identity (2.x with a password): deleted as the run ends."""

    id: str
    name: str
    full_token: str = field(repr=False)


def own_token_name(run_id: str) -> str:
    """The name of the token a run mints for itself: its prefix, so a sweep knows whose it is."""
    return f"kct-{run_id}-session"


#: How long the suite's own token lives: a run killed before its cleanup leaves no lasting credential.
OWN_SESSION_TOKEN_MAX_AGE = "PT2H"


def mint_own_token(network: Network, base_url: str, username: str, password: str, name: str) -> OwnToken:
    """Log in once (POST /login) and mint a short-lived token for the same identity; ValueError says why not."""
    with network.client(base_url) as client:
        login = send_with_retries(
            lambda: client.post(LOGIN_PATH, json={"username": username, "password": password}),
            httpx_answer,
            safe=False,
            transport_errors=(httpx.TransportError,),
        )
        if not login_succeeded(login):
            raise ValueError(f"POST {LOGIN_PATH} refused the password login of {username}: {login.status_code}")
        session = PasswordSession.after_login(client, login)
        minted = _mint(client, session, name)
    try:
        payload = minted.json()
    except ValueError:
        payload = None
    if minted.status_code not in (200, 201) or not isinstance(payload, dict) or not payload.get("fullToken"):
        raise ValueError(f"POST {OWN_TOKENS_PATH} did not mint a token: {minted.status_code}")
    return OwnToken(str(payload.get("id", "")), name, str(payload["fullToken"]))


#: Times a mint whose answer was lost is read back and sent again before the run gives up.
_MINT_ROUNDS = 3


def _mint(client: httpx.Client, session: PasswordSession, name: str) -> httpx.Response:
    """POST the run's own token. A lost answer may have made one, whose secret went with the answer:
    what the list shows under that name is deleted, and the mint sent again.
    """
    body = {"name": name, "description": "contract suite run", "maxAge": OWN_SESSION_TOKEN_MAX_AGE}
    for round_ in range(_MINT_ROUNDS):
        try:
            return send_with_retries(
                lambda: client.post(OWN_TOKENS_PATH, json=body, headers=session.headers),
                httpx_answer,
                safe=False,
                transport_errors=(httpx.TransportError,),
            )
        except UnstableTarget as lost:
            if not lost.maybe_applied or round_ == _MINT_ROUNDS - 1:
                raise
            _delete_own_tokens_named(client, session, name)
    raise AssertionError("unreachable: the last round returns or raises")


def _delete_own_tokens_named(client: httpx.Client, session: PasswordSession, name: str) -> None:
    """Delete the identity's tokens called `name`; UnstableTarget when the list cannot be read."""
    listing = send_with_retries(
        lambda: client.get(OWN_TOKENS_PATH, headers=session.headers),
        httpx_answer,
        safe=True,
        transport_errors=(httpx.TransportError,),
    )
    try:
        results = listing.json().get("results") if listing.status_code == 200 else None
    except (ValueError, AttributeError):
        results = None
    if not isinstance(results, list):
        raise UnstableTarget(f"GET {OWN_TOKENS_PATH} answered {listing.status_code} without `results`: a lost mint")
    named = [t["id"] for t in results if isinstance(t, dict) and t.get("name") == name and isinstance(t.get("id"), str)]
    for token_id in named:
        send_with_retries(
            partial(client.delete, f"{OWN_TOKENS_PATH}/{token_id}", headers=session.headers),
            httpx_answer,
            safe=True,  # deleting a token twice changes nothing more
            transport_errors=(httpx.TransportError,),
        )


def delete_own_token(network: Network, base_url: str, token: OwnToken) -> int:
    """Delete the run's own token, authenticating with it; the status (a 401: it is already gone or expired)."""
    with network.client(base_url) as client:
        response = send_with_retries(
            lambda: client.delete(
                f"{OWN_TOKENS_PATH}/{token.id}", headers={"Authorization": f"Bearer {token.full_token}"}
            ),
            httpx_answer,
            safe=True,  # deleting a token twice changes nothing more
            transport_errors=(httpx.TransportError,),
        )
    return response.status_code
