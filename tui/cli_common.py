"""What every ``yanbao`` subcommand shares, kept apart so light commands import little."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest

__all__ = ["resolve_report"]


def resolve_report(store: DigestStore, ident: str) -> Digest:
    """The digest an id (or unique id prefix) names; LookupError with a one-line reason."""
    ids = store.find_ids(ident)
    if not ids:
        raise LookupError(f"no stored report has an id starting with {ident!r}")
    if len(ids) > 1:
        raise LookupError(f"id prefix {ident!r} matches {len(ids)} reports; give more characters")
    digest = store.get(ids[0])
    if digest is None:
        raise LookupError(f"report {ids[0][:12]} vanished from the store")
    return digest
