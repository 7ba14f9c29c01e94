"""Errors a user may see: each carries the file and a one-line reason, never a traceback."""

from __future__ import annotations

__all__ = ["RecordsRefused", "ReportError", "StoreError", "StoreLocked", "is_lock_timeout"]


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


class StoreLocked(StoreError):
    """Another process held the store's lock for longer than this one would wait."""


class RecordsRefused(StoreError):
    """Some digests of a write could not be encoded; the others were stored.
    ``refused`` maps each refused digest id to its reason."""

    def __init__(self, path: str, refused: dict[str, str]) -> None:
        reasons = "; ".join(refused.values())
        super().__init__(path, f"{len(refused)} digest(s) could not be stored ({reasons[:300]}); the others were")
        self.refused = refused


def is_lock_timeout(error: StoreError) -> bool:
    """True when ``error`` says another writer held the lock (waiting may help).

    Storage raises :class:`StoreLocked`; older storage code raised a plain StoreError
    whose reason says so, which is recognised too."""
    return isinstance(error, StoreLocked) or "locked by another" in error.reason
