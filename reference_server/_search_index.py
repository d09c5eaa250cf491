"""What searches see when the server indexes asynchronously: the store as it was a moment ago.

Kestra EE on Kafka + Elasticsearch indexes in batches, so `listUsers`, `autocompleteUsers`
and the token lists show creates, changes and deletes late, while a read by id and every
write are immediate. This index is a copy of the users and token summaries, taken again
when a search arrives and the copy is `lag` seconds old or older: each write shows in
searches between 0 and `lag` seconds after it. It is only used under the store's lock.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable

from reference_server._model import Principal, Token, User

__all__ = ["SearchIndex"]


def _copy_user(user: User) -> User:
    """A copy that later writes to `user` cannot reach (its tokens are indexed apart)."""
    return dataclasses.replace(
        user, tokens={}, tenants=list(user.tenants), groups=dict(user.groups), retired_passwords=[]
    )


class SearchIndex:
    def __init__(self, lag: float, clock: Callable[[], float]) -> None:
        self.lag = lag
        self._clock = clock
        self._taken_at: float | None = None
        self._listed: list[User] = []
        self._current: frozenset[str] = frozenset()
        self._tokens: dict[str, list[Token]] = {}

    @property
    def enabled(self) -> bool:
        return self.lag > 0

    def stale(self) -> bool:
        """Whether the next search should see a fresh copy."""
        return self._taken_at is None or self._clock() - self._taken_at >= self.lag

    def refresh(self, listed: Iterable[User], current_ids: Iterable[str], owners: Iterable[Principal]) -> None:
        """Copy what the searches show: the listed users, which of them exist, and every owner's tokens."""
        self._listed = [_copy_user(u) for u in listed]
        self._current = frozenset(current_ids)
        self._tokens = {o.id: [copy.copy(t) for t in o.tokens.values()] for o in owners}
        self._taken_at = self._clock()

    def users(self, *, listed: bool) -> list[User]:
        """The indexed users; `listed` as listUsers shows them, else only those that existed then."""
        if listed:
            return list(self._listed)
        return [u for u in self._listed if u.id in self._current]

    def tokens(self, owner_id: str) -> list[Token]:
        """The owner's tokens as indexed; none for an owner the index has not seen yet."""
        return list(self._tokens.get(owner_id, []))
