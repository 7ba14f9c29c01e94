"""A tiny factory for test apps: a temp store filled from fixed digests.

``corpus=True`` uses the hand-written expected digests of the bundled samples
(tests/fixtures/expected/*.json) when they exist — the pane snapshots do, so they show
the real sample library; when those files change, regenerate the snapshots with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at them. Otherwise the
small set in tests/tui/fixtures/ is used (the Pilot tests assert on its exact content).
``injection=True`` adds a digest whose every text field is full of markup and escapes.
"""

from __future__ import annotations

import json
from pathlib import Path

from yanbao.store.db import DigestStore
from yanbao.store.model import Digest
from yanbao.tui.app import YanbaoApp

HERE = Path(__file__).parent
EXPECTED = HERE.parent / "fixtures" / "expected"
OWN = HERE / "fixtures"
INJECTION = OWN / "injection"


def _load(folder: Path) -> list[Digest]:
    return [Digest.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]


def fixture_digests(*, injection: bool = False, corpus: bool = False) -> list[Digest]:
    """The fixed digests the TUI tests run on."""
    digests = _load(EXPECTED) if corpus and any(EXPECTED.glob("*.json")) else _load(OWN)
    if injection:
        digests += _load(INJECTION)
    return digests


def make_store(
    path: Path, *, injection: bool = False, corpus: bool = False, watch: tuple[str, ...] = ("Microsoft",),
    unread: bool = False,
) -> Path:
    """Write the fixture digests (and a watchlist) to a store file at ``path``: a library
    the reader has been through (every report read) unless ``unread``."""
    store = DigestStore(path)
    store.add_many(fixture_digests(injection=injection, corpus=corpus))
    for name in watch:
        store.watchlist_add(name)
    if not unread:
        store.mark_all_read()
    store.close()
    return path


def make_app(
    tmp_path: Path, *, injection: bool = False, corpus: bool = False, watch: tuple[str, ...] = ("Microsoft",)
) -> YanbaoApp:
    """A YanbaoApp over a fresh temp store holding the fixture digests."""
    store = make_store(tmp_path / "store.json", injection=injection, corpus=corpus, watch=watch)
    return YanbaoApp(store_path=store)
