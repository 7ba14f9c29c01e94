"""What every ``yanbao`` subcommand shares, kept apart so light commands import little."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest

__all__ = ["resolve_report", "labels_lang", "is_text", "LANG_CHOICES"]

LANG_CHOICES = ("zh", "en", "auto")
"""``--lang``: label language for app and CLI alike; ``auto`` follows each report's."""


def labels_lang(args: object, report_lang: str | None = None, fallback: str = "zh") -> str:
    """The label language of a command: ``--lang`` (top level or the command's), else the
    settings file's, else the report's own, else zh. The app resolves it the same way."""
    from yanbao.tui.data.settings import label_lang, load_settings

    setting = getattr(args, "lang", None) or load_settings().lang
    return label_lang(setting, report_lang, fallback)


def is_text(value: str) -> bool:
    """False for command-line text holding bytes that are not UTF-8 (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
