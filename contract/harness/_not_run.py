"""A check that cannot run against this target as given (e.g. it needs a username, the run has a token).

Not a pass and not a violation: the report's verdict names it as not run, rather than
hiding it among the skips under "The contract holds".
"""

from __future__ import annotations

from typing import NoReturn

import pytest

__all__ = ["NOT_RUN_PROPERTY", "CannotRun", "cannot_run"]

#: The user property a test report carries when the test could not run here.
NOT_RUN_PROPERTY = "not_run"


class CannotRun(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    def __init__(self, reason: str) -> None:
        super().__init__(msg=f"not run: {reason}", pytrace=False)
        self.reason = reason


def cannot_run(reason: str) -> NoReturn:
    raise CannotRun(reason)
