"""The one exception handlers raise to answer with an error status."""

from __future__ import annotations

__all__ = ["ApiError"]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
