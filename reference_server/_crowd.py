"""Other people on a shared server: users the suite did not create, and what they do meanwhile.

Staging holds many users, and people and jobs create, rename and delete users while the
suite runs, so totals and pages of the whole list change under it. The crowd is that:
`size` users made at start-up (`person-0001@crowd.example`, ...), and a background
thread that at `rate` operations per second creates, renames or deletes users of its own,
never anyone else's. Its choices come from `seed`, so a run's crowd is reproducible
(though its timing against the suite's requests is not).
"""

from __future__ import annotations

import random
import threading

from reference_server._model import User, new_id
from reference_server._store import Store, TokenRequest

__all__ = ["CROWD_DOMAIN", "Crowd"]

CROWD_DOMAIN = "crowd.example"

_FIRST = ["Ana", "Bjørn", "Chloé", "Dmitri", "Émile", "Fatima", "Grace", "Hiroshi", "Ines", "José",
          "Kwame", "Léa", "Mei", "Nikolai", "Olga", "Priya", "Quentin", "Renée", "Søren", "Tomás",
          "Ümit", "Valentina", "Wei", "Xavier", "Yusuf", "Zoë", "Αλέξανδρος", "Мария", "李", ""]  # fmt: skip
_LAST = ["Abara", "Bergström", "Castro", "Dubois", "Eriksen", "Fernández", "García", "Hoffmann",
         "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Papadopoulos",
         "Quispe", "Rossi", "Schmidt", "Tanaka", "Ulloa", "Van der Berg", "Wójcik", "Xu", "Yılmaz",
         "Zhang", "Παπαδάκης", "Смирнов", "王", ""]  # fmt: skip
_TOKEN_NAMES = ["ci", "laptop", "backup-job", "terraform", "grafana", "nightly-export"]


class Crowd:
    """The crowd's users and its activity; every change runs under the store's lock."""

    def __init__(self, store: Store, size: int, rate: float, seed: int) -> None:
        self._store = store
        self._rate = rate
        self._target = size
        self._rng = random.Random(seed)
        #: Ids of the users the crowd made and has not deleted, oldest first.
        self._own: list[str] = []
        self._next_number = 1
        #: Operations done since start-up, by kind; for the project's tests.
        self.done = {"create": 0, "rename": 0, "delete": 0}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with store.lock:
            taken = {u.email.casefold() for u in store.users.values()}  # one pass, not one per new user
            for _ in range(size):
                self._create(taken)

    def start(self) -> None:
        """Start the activity, if it has a rate."""
        if self._rate > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="reference-crowd", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        interval = 1.0 / self._rate
        while not self._stop.wait(interval):
            self.step()

    def step(self) -> str:
        """One operation of the crowd's: a create, a rename or a delete of its own users."""
        with self._store.lock:
            self._own = [uid for uid in self._own if uid in self._store.users]  # someone may have deleted one
            kind = self._choose()
            if kind == "create":
                self._create()
            elif kind == "rename":
                self._rename(self._store.users[self._rng.choice(self._own)])
            else:
                self._store.delete_user(self._own.pop(self._rng.randrange(len(self._own))))
            self.done[kind] += 1
            return kind

    def _choose(self) -> str:
        """Renames most; creates and deletes alike, so the crowd stays near its first size."""
        if not self._own:
            return "create"
        kinds = ["rename", "rename", "create", "delete"]
        if len(self._own) > 2 * self._target + 10:
            kinds.remove("create")
        return self._rng.choice(kinds)

    def _create(self, taken: set[str] | None = None) -> None:
        """A new user of the crowd's; `taken` holds the emails in use, else the store is asked."""
        rng = self._rng
        email = f"person-{self._next_number:04d}@{CROWD_DOMAIN}"
        self._next_number += 1
        in_use = email in taken if taken is not None else self._store.user_by_email(email) is not None
        if in_use:
            return  # someone else took it
        if taken is not None:
            taken.add(email)
        user = User(
            id=new_id(),
            super_admin=rng.random() < 0.03,
            email=email,
            restricted=rng.random() < 0.1,
            tenants=list(self._store.tenants),
        )
        self._rename(user)
        if rng.random() < 0.8:  # the others sign in through SSO
            self._store.set_password(user, f"Crowd-{rng.getrandbits(32):08x}a1!")
        self._store.add_user(user)
        self._own.append(user.id)
        if rng.random() < 0.25:
            for name in rng.sample(_TOKEN_NAMES, rng.randint(1, 2)):
                self._store.create_token(user, TokenRequest(name, "", None, extended=False))

    def _rename(self, user: User) -> None:
        user.first_name = self._rng.choice(_FIRST)
        user.last_name = self._rng.choice(_LAST)
