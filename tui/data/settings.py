"""The user's settings and where the app was left, kept in a small JSON file.

``$YANBAO_CONFIG`` names the file, else ``settings.json`` in the user config folder (never
the store: the library can be shared, where you were in it is yours). A missing or damaged
file gives the defaults, a damaged one with a line saying so; a value out of range (a
pane or sort that no longer exists) falls back to its default alone. Settings never stop
the app from starting. No Textual here.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Settings", "settings_path", "load_settings", "read_settings", "save_settings", "label_lang", "LANGS",
           "PANE_NAMES", "SORT_FIELDS", "COMPARE_MODES"]

LANGS = ("zh", "en")
"""Label languages; ``auto`` (or unset) follows each report's language."""

PANE_NAMES = ("keypoints", "watchlist", "risks", "compare")
SORT_FIELDS = ("date", "broker", "period", "title")
COMPARE_MODES = ("quarters", "reports", "guidance", "ratings")
"""The values a remembered pane, sort column and compare mode may take."""

MAX_TEXT = 500
"""A remembered filter, report id, quarter or company longer than this is not ours."""


@dataclass
class Settings:
    """What the app remembers between runs."""

    split: int | None = None
    """The report list's share of the screen in percent (width beside the panes, height
    above them); None for the layout's default."""

    lang: str = "auto"
    """``zh``, ``en`` or ``auto`` (the report's own language)."""

    report: str | None = None
    """Id of the report selected when the app was left (a report since removed is skipped)."""

    pane: str = "keypoints"
    """The pane on show (one of ``PANE_NAMES``)."""

    sort_key: str = "date"
    """The column the report list is sorted by (one of ``SORT_FIELDS``)."""

    sort_reverse: bool = True
    """True for descending: newest, or Z, first."""

    filter: str = ""
    """The list filter (``f``), as typed."""

    compare_mode: str = "quarters"
    """The Compare pane's mode (one of ``COMPARE_MODES``)."""

    compare_from: str | None = None
    compare_to: str | None = None
    """The Compare pane's two quarters (a quarter no longer in the library is skipped)."""

    compare_company: str = ""
    """What the Compare pane is narrowed to: a company, ``watchlist``, or empty for all."""

    watch_folder: str = ""
    """A folder whose new reports the app ingests while it runs (``yanbao ingest --watch``
    in the app); empty for none."""


def settings_path() -> Path:
    """``$YANBAO_CONFIG`` when set, else the user config folder's ``settings.json``."""
    env = os.environ.get("YANBAO_CONFIG", "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("yanbao", appauthor=False)) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults for anything missing, unreadable or out of range."""
    return read_settings(path)[0]


def _text(value: object, default: str | None) -> str | None:
    # No control characters: a remembered filter is shown in the app as it was typed.
    if isinstance(value, str) and len(value) <= MAX_TEXT and not any(unicodedata.category(c)[0] == "C" for c in value):
        return value
    return default


def read_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """The saved settings and, when the file is damaged (not JSON, not an object, not
    UTF-8), one line saying so; a missing file is not damaged, just the defaults."""
    target = path or settings_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return Settings(), None
    except OSError as error:
        return Settings(), f"{target}: cannot be read ({error.strerror or error}); using the defaults"
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        reason = "not UTF-8" if isinstance(error, UnicodeDecodeError) else "not valid JSON"
        return Settings(), f"{target} is damaged ({reason}); using the defaults"
    if not isinstance(data, dict):
        return Settings(), f"{target} is damaged (not a JSON object); using the defaults"
    split = data.get("split")
    lang = data.get("lang")
    reverse = data.get("sort_reverse")
    return Settings(
        split=split if isinstance(split, int) and 10 <= split <= 90 else None,
        lang=lang if lang in LANGS else "auto",
        report=_text(data.get("report"), None),
        pane=data["pane"] if data.get("pane") in PANE_NAMES else "keypoints",
        sort_key=data["sort_key"] if data.get("sort_key") in SORT_FIELDS else "date",
        sort_reverse=reverse if isinstance(reverse, bool) else True,
        filter=_text(data.get("filter"), "") or "",
        compare_mode=data["compare_mode"] if data.get("compare_mode") in COMPARE_MODES else "quarters",
        compare_from=_text(data.get("compare_from"), None),
        compare_to=_text(data.get("compare_to"), None),
        compare_company=_text(data.get("compare_company"), "") or "",
        watch_folder=_text(data.get("watch_folder"), "") or "",
    ), None


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
