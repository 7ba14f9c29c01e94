"""The headless core never loads Textual or Rich, and the non-TUI CLI never loads Textual."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_every_store_module_loads_without_textual_or_rich() -> None:
    listing = subprocess.run(
        [sys.executable, "-c", "import pkgutil, yanbao.store as s; print(' '.join(m.name for m in pkgutil.iter_modules(s.__path__, 'yanbao.store.')))"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    modules = listing.stdout.split()
    assert {"yanbao.store.db", "yanbao.store.storage", "yanbao.store.ingest", "yanbao.store.bundled", "yanbao.store.model"} <= set(modules)
    loaded = _loaded_after("import yanbao.store\n" + "\n".join(f"import {m}" for m in modules))
    assert "textual" not in loaded
    assert "rich" not in loaded


def test_non_tui_cli_commands_do_not_load_textual(tmp_path: Path) -> None:
    store_file = tmp_path / "store.json"
    for argv in (["list"], ["watch", "add", "Foo"], ["watch", "list", "--json"], ["doctor"], ["list", "--json"],
                 ["export", "--watchlist"], ["compare", "2025Q1", "2025Q2"], ["--help"], ["tag", "ab", "x"],
                 ["note", "ab", "text"], ["star", "ab"], ["list", "--starred"]):
        code = (
            "from yanbao.tui.cli import main\n"
            "try:\n"
            f"    main(['--store', {str(store_file)!r}, *{argv!r}])\n"
            "except SystemExit:\n"
            "    pass"
        )
        assert "textual" not in _loaded_after(code), argv
