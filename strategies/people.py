"""Realistic users: unicode names, edge-case emails, strong passwords."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

import specs
from strategies.naming import EMAIL_DOMAIN, RunNames

__all__ = [
    "PASSWORD_SPECIALS",
    "create_user_requests",
    "email_locals",
    "emails",
    "long_emails",
    "passwords",
    "person_names",
    "user_emails",
    "weak_passwords",
]

_LIMITS = specs.policy()

#: Letters of the Basic Multilingual Plane: a Java server counts a name's length in UTF-16 units, and
#: some databases refuse characters outside that plane, so a name using them is not valid data.
_LETTERS = st.characters(categories=["Lu", "Ll", "Lo"], max_codepoint=0xFFFF, exclude_characters="\x00")

#: Realistic names: "Zoë", "O'Brien-Łukasiewicz", "山田", at the 100-character edge (all in the BMP).
person_names = st.one_of(
    st.sampled_from(["Zoë", "José", "Anne-Marie", "O'Brien", "Łukasz", "山田", "Ægir", "Ñandú", "Ольга", "Δήμητρα"]),
    st.text(_LETTERS, min_size=1, max_size=20),
    st.text(_LETTERS, min_size=_LIMITS.name_max_length, max_size=_LIMITS.name_max_length),
)

#: Decorations for the local part of an email: plus addressing, dots, digits.
email_locals = st.one_of(
    st.just(""),
    st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?(\+[a-z0-9]{1,8})?", fullmatch=True),
)

_DOMAINS = st.sampled_from(["kestra-contract.test", "mail.kestra-contract.test", "x.kestra-contract.test"])


@st.composite
def emails(draw: st.DrawFn, names: RunNames) -> str:
    """Unique, well-formed, at most 254 characters, on a reserved test domain."""
    email = names.email(draw(email_locals), draw(_DOMAINS))
    return email[: _LIMITS.email_max_length]


_LOCAL_MAX = 64
_LABEL_MAX = 63
_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _labels(size: int, fill: str) -> str:
    """`size` characters of dot-separated DNS labels, none longer than 63 or empty."""
    labels: list[str] = []
    remaining = size
    while remaining > 0:
        length = min(_LABEL_MAX, remaining)
        if remaining - length == 1:
            length -= 1
        labels.append(fill * length)
        remaining -= length + 1
    return ".".join(labels)


@st.composite
def long_emails(draw: st.DrawFn, names: RunNames) -> str:
    """Unique emails at or just under the 254-character limit: a 64-character local part, 63-character labels."""
    total = draw(st.integers(_LIMITS.email_max_length - 8, _LIMITS.email_max_length))
    fill = draw(st.sampled_from(_LABEL_CHARS))
    local = f"{names.unique()}.{fill * _LOCAL_MAX}"[:_LOCAL_MAX]
    room = total - len(local) - 1 - len(EMAIL_DOMAIN) - 1
    return f"{local}@{_labels(room, fill)}.{EMAIL_DOMAIN}"


def user_emails(names: RunNames) -> st.SearchStrategy[str]:
    """Valid emails, ordinary or at the length limit, each unique on the server."""
    return st.one_of(emails(names), emails(names), long_emails(names))


#: The special characters Kestra 2.x requires one of.
PASSWORD_SPECIALS = "!@#$%^&*"
_PASSWORD_CHARS = string.ascii_letters + string.digits + PASSWORD_SPECIALS + "+-=?_~"


@st.composite
def passwords(draw: st.DrawFn) -> str:
    """8 to 64 characters that every password policy Kestra ships accepts.

    Kestra 1.1.5's default regexp wants a lower-case and an upper-case letter and a digit;
    Kestra 2.x also one of `!@#$%^&*` (docs/contract-semantics.md, "Password policy"). The
    required characters go at drawn places, so no policy can rely on where they stand.
    """
    size = draw(st.integers(_LIMITS.password_min_length, _LIMITS.password_max_length))
    required = [
        draw(st.sampled_from(string.ascii_lowercase)),
        draw(st.sampled_from(string.ascii_uppercase)),
        draw(st.sampled_from(string.digits)),
        draw(st.sampled_from(PASSWORD_SPECIALS)),
    ]
    chars = list(draw(st.text(st.sampled_from(_PASSWORD_CHARS), min_size=size - 4, max_size=size - 4)))
    for char in required:
        chars.insert(draw(st.integers(0, len(chars))), char)
    return "".join(chars)


#: Passwords every plausible policy refuses: shorter than the 8 characters all of them require.
#: (A password without a digit or a special character is refused by some policies, not all:
#: the suite never asserts that one is refused unless the server says its policy is in force.)
weak_passwords = st.text(
    st.sampled_from(string.ascii_letters + string.digits + PASSWORD_SPECIALS),
    min_size=1,
    max_size=_LIMITS.password_min_length - 1,
)


@st.composite
def create_user_requests(
    draw: st.DrawFn,
    names: RunNames,
    tenants: list[str],
    groups: list[str] | None = None,
    *,
    with_password: bool | None = None,
    edge_emails: bool = False,
) -> dict[str, Any]:
    """A valid `ApiCreateOrUpdateUserRequest` that passes every business rule.

    `edge_emails` also draws emails at the 254-character limit.
    """
    has_password = draw(st.booleans()) if with_password is None else with_password
    chosen_groups = draw(st.lists(st.sampled_from(groups), unique=True, max_size=2)) if groups else []
    return {
        "tenants": list(tenants),
        "groups": chosen_groups,
        "firstName": draw(person_names),
        "lastName": draw(person_names),
        "email": draw(user_emails(names) if edge_emails else emails(names)),
        "password": draw(passwords()) if has_password else "",
        "superAdmin": False,
        "restricted": draw(st.booleans()),
    }
