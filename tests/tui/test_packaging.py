"""The stylesheet ships as package data beside the app, where CSS_PATH points."""

from __future__ import annotations

import pytest

import tomllib
import sys
from pathlib import Path

from yanbao.tui.app import YanbaoApp

ROOT = Path(__file__).resolve().parents[2]


def test_stylesheet_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.tcss" in config["tool"]["setuptools"]["package-data"]["yanbao.tui"]
    # Beside the module that names it (importlib.resources.files("tui") once could resolve to the
    # tests/tui folder when pytest puts tests/ on sys.path).
    stylesheet = Path(sys.modules[YanbaoApp.__module__].__file__).with_name(YanbaoApp.CSS_PATH)
    assert stylesheet.is_file() and "#report-pane" in stylesheet.read_text(encoding="utf-8")


def test_screens_and_widgets_are_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"yanbao.tui", "yanbao.tui.screens", "yanbao.tui.widgets"} <= set(config["tool"]["setuptools"]["packages"])


def test_data_helpers_of_the_screens_do_not_load_textual() -> None:
    """library.py and export_file.py hold no Textual: they run in workers and are reusable."""
    import subprocess

    code = "import sys, yanbao.tui.data.library, yanbao.tui.data.export_file; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_wheel_installs_one_import_name_and_runs(tmp_path: Path) -> None:
    """The wheel holds ``yanbao`` only (no generic ``store``/``tui`` top-level names), and its
    ``yanbao`` command runs from a venv that has the wheel but not this checkout."""
    import subprocess
    import sysconfig
    import venv
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("yanbao-*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"yanbao"}
    entry_points = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("entry_points.txt"))
    assert "yanbao = yanbao.tui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies come from this environment's site-packages (a plain path entry, so
    # its editable-install hooks stay off); yanbao itself comes from the wheel alone.
    zipfile.ZipFile(wheel).extractall(site)
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run = dict(cwd=tmp_path, capture_output=True, text=True)
    out = subprocess.run([str(python), "-c", "import yanbao.tui.cli as c, sys; sys.argv = ['yanbao', '--help']; c.main()"], **run)
    assert out.returncode == 0 and "usage: yanbao" in out.stdout, out.stderr
    assert "site-packages" in subprocess.run([str(python), "-c", "import yanbao.store; print(yanbao.store.__file__)"], **run).stdout
    for generic in ("store", "tui", "sample_reports"):
        failed = subprocess.run([str(python), "-c", f"import {generic}"], **run)
        assert "No module named" in failed.stderr, generic
