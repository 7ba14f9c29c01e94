"""The user's settings (list/pane split, label language), kept in a small JSON file.

``$YANBAO_CONFIG`` names the file, else ``settings.json`` in the user config folder. A
missing or damaged file gives the defaults: settings never stop the app from starting.
No Textual here.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Settings", "settings_path", "load_settings", "save_settings", "label_lang", "LANGS"]

LANGS = ("zh", "en")
"""Label languages; ``auto`` (or unset) follows each report's language."""


@dataclass
class Settings:
    """What the app remembers between runs."""

    split: int | None = None
    """The report list's share of the screen in percent (width beside the panes, height
    above them); None for the layout's default."""

    lang: str = "auto"
    """``zh``, ``en`` or ``auto`` (the report's own language)."""


def settings_path() -> Path:
    """``$YANBAO_CONFIG`` when set, else the user config folder's ``settings.json``."""
    env = os.environ.get("YANBAO_CONFIG", "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("yanbao", appauthor=False)) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults for anything missing, unreadable or out of range."""
    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    split = data.get("split")
    lang = data.get("lang")
    return Settings(
        split=split if isinstance(split, int) and 10 <= split <= 90 else None,
        lang=lang if lang in LANGS else "auto",
    )


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings (atomically: a crash leaves the old file); errors are ignored,
    a read-only config folder only costs remembering."""
    target = path or settings_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_suffix(".tmp")
        temp.write_text(json.dumps(asdict(settings), ensure_ascii=False), encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        pass


def label_lang(setting: str | None, report_lang: str | None = None, fallback: str = "zh") -> str:
    """The language labels are written in: the setting when it names one, else the
    report's own language, else ``fallback`` (a view of many reports)."""
    if setting in LANGS:
        return setting
    return report_lang if report_lang in LANGS else fallback
