"""The sample reports shipped inside the package (``yanbao.samples``), for a first run."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yanbao.store.ingest import REPORT_SUFFIXES, IngestReport, ingest_paths

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["bundled_sample_paths", "seed_if_empty"]


def _package_dir() -> Path:
    # files() is a real folder for an installed wheel or a source checkout; fall back to
    # __file__ for loaders that hand back something else.
    root = resources.files("yanbao.samples")
    if isinstance(root, Path):
        return root
    import yanbao.samples as sample_reports

    return Path(sample_reports.__file__).parent


def bundled_sample_paths() -> list[Path]:
    """The bundled sample report files (.pdf and .txt), sorted by name."""
    folder = _package_dir()
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(REPORT_SUFFIXES)
    )


def seed_if_empty(store: DigestStore, **ingest_options: Any) -> IngestReport | None:
    """Ingest the bundled samples into an empty store, or finish a first seed that was cut
    short (the store holds some samples and nothing else); None when there is nothing to do.
    ``ingest_options`` go to ``ingest_paths``."""
    paths = bundled_sample_paths()
    if not paths:
        return None
    if len(store):
        sample_ids = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
        stored = {s.id for s in store.summaries()}
        if not stored <= sample_ids or stored == sample_ids:
            return None
    return ingest_paths(paths, store, **ingest_options)
