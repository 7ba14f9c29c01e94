"""The stylesheet ships as package data beside the app, where CSS_PATH points."""

from __future__ import annotations

import tomllib
import sys
from pathlib import Path

from tui.app import YanbaoApp

ROOT = Path(__file__).resolve().parents[2]


def test_stylesheet_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.tcss" in config["tool"]["setuptools"]["package-data"]["tui"]
    # Beside the module that names it (importlib.resources.files("tui") can resolve to the
    # tests/tui folder when pytest puts tests/ on sys.path).
    stylesheet = Path(sys.modules[YanbaoApp.__module__].__file__).with_name(YanbaoApp.CSS_PATH)
    assert stylesheet.is_file() and "#report-pane" in stylesheet.read_text(encoding="utf-8")


def test_screens_and_widgets_are_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"tui", "tui.screens", "tui.widgets"} <= set(config["tool"]["setuptools"]["packages"])


def test_data_helpers_of_the_screens_do_not_load_textual() -> None:
    """library.py and export_file.py hold no Textual: they run in workers and are reusable."""
    import subprocess

    code = "import sys, tui.screens.library, tui.screens.export_file; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
