"""Shared helpers for the TUI tests: a fixture-store app and a way to wait for quiet."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from snapshot_app import make_app  # noqa: E402
from yanbao.tui.app import YanbaoApp  # noqa: E402


async def settle(pilot, timeout: float = 30.0) -> None:
    """Wait until no worker runs, the panes are not waiting for the cursor to rest, and
    messages are handled (workers' messages start workers).

    Polls instead of ``workers.wait_for_complete()``, which raises when an exclusive worker
    is (rightly) cancelled by a newer one.
    """
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    quiet = 0
    while quiet < 3 and loop.time() < deadline:
        await pilot.pause()
        if any(worker.is_running for worker in app.workers) or getattr(app.screen, "panes_pending", False):
            quiet = 0
            await asyncio.sleep(0.02)
        else:
            quiet += 1


async def wait_for(pilot, condition, timeout: float = 120.0) -> float:
    """Seconds until ``condition()`` held, looked at every 50 ms; fails after ``timeout``
    (generous: a loaded machine is slow, never wrong)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "never happened"
        await pilot.pause(0.05)
    return time.monotonic() - started


def record_notices(app) -> list[tuple[str | None, str]]:
    """Every (title, message) the app notifies, kept past the notices' own timeouts (a
    loaded machine can take longer than those between the notice and the assertion)."""
    said: list[tuple[str | None, str]] = []
    original = app.notify

    def notify(message, **options):
        said.append((options.get("title"), str(message)))
        return original(message, **options)

    app.notify = notify
    return said


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[..., YanbaoApp]:
    """Build a YanbaoApp over a fresh store of fixture digests in ``tmp_path``."""

    def build(**options) -> YanbaoApp:
        return make_app(tmp_path, **options)

    return build


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path, monkeypatch) -> Path:
    """Each test starts from default settings in its own file, never the user's."""
    path = tmp_path / "settings.json"
    monkeypatch.setenv("YANBAO_CONFIG", str(path))
    return path
