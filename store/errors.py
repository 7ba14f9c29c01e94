"""Errors a user may see: each carries the file and a one-line reason, never a traceback."""

from __future__ import annotations

__all__ = ["ReportError", "StoreError"]


class ReportError(Exception):
    """A report that could not be read; ``str()`` is the one line shown to the user."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(Exception):
    """A store file that cannot be used as it is (damaged, newer schema, locked)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
