"""Open a report's source file in the system viewer, at a page (the app's ``o``, ``yanbao open``).

The viewer is ``$YANBAO_OPEN`` when set: a command line with ``{path}`` and ``{page}``
placeholders (``zathura --page={page} {path}``, ``evince -i {page} {path}``), split like a
shell would (shlex) but run without one; without ``{path}`` the path goes last. Otherwise
the platform's opener (``xdg-open``, ``open`` on macOS) with the path: those cannot be
told a page, and the message says so. The viewer runs detached, in its own session, with
no terminal: nothing it prints can reach the app's screen. No Textual here.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yanbao.store.model import Digest, KeyPoint, Metric

__all__ = ["OpenOutcome", "ViewerCommand", "figure_page", "open_source", "source_page", "statement_page", "viewer_command",
           "ENV_VAR"]

ENV_VAR = "YANBAO_OPEN"
SYSTEM_OPENERS = {"darwin": "open"}  # every other system: xdg-open
Launch = Callable[[list[str]], object]


@dataclass(frozen=True)
class ViewerCommand:
    """The command to run, and whether it was told the page."""

    argv: list[str]
    at_page: bool


@dataclass(frozen=True)
class OpenOutcome:
    """What ``open_source`` did, as a line for the user, and how loud to say it."""

    message: str
    ok: bool

    @property
    def severity(self) -> str:
        return "information" if self.ok else "warning"


def source_page(digest: Digest, metric: Metric | KeyPoint | None = None) -> int | None:
    """The page to open at: the highlighted figure's or key point's, else None (the first page)."""
    return metric.page if metric is not None and metric.page is not None else None


def statement_page(digest: Digest, company: str | None, metric: str, period: str | None, said: Any) -> int | None:
    """The page where ``digest`` states a compared figure: its metric of ``company`` about
    ``period`` with the value ``said`` (an ``Observation``); None when no page is recorded."""
    from yanbao.store.compare.figures import _figure_metric  # the key a compared figure is filed under

    wanted = (company or "").casefold()
    for m in digest.metrics:
        if (m.page is not None and (m.company or "").casefold() == wanted and m.period == period
                and metric in (m.metric, _figure_metric(m))
                and (m.value, m.low, m.high) == (said.value, said.low, said.high)):
            return m.page
    return None


def figure_page(digest: Digest, names: Collection[str], figure: tuple[str, str, str], period: str,
                says: tuple) -> int | None:
    """The page where ``digest`` states a company detail's figure: ``figure`` (segment,
    metric, basis) of the company ``names`` (casefolded names and tickers) about ``period``,
    saying ``says`` (value, unit, low, high), as ``company_detail`` files it; None when no
    page is recorded."""
    for m in digest.metrics:
        if (m.page is not None and ((m.company or "").casefold() in names or (m.ticker or "").casefold() in names)
                and (m.segment or "", m.metric, m.basis) == tuple(figure)
                and (m.period or digest.period or "—") == period and (m.value, m.unit, m.low, m.high) == tuple(says)):
            return m.page
    return None


def viewer_command(path: str, page: int | None, env: Mapping[str, str] | None = None,
                   platform: str | None = None) -> ViewerCommand | None:
    """The viewer's command line for ``path`` at ``page`` (1 when None); None when there is
    no viewer (no ``$YANBAO_OPEN`` and no system opener on the PATH). ValueError when
    ``$YANBAO_OPEN`` cannot be split (an unclosed quote)."""
    env = os.environ if env is None else env
    template = env.get(ENV_VAR, "").strip()
    if template:
        parts = shlex.split(template)
        number = str(page or 1)
        argv = [part.replace("{path}", path).replace("{page}", number) for part in parts]
        if not any("{path}" in part for part in parts):
            argv.append(path)
        return ViewerCommand(argv, any("{page}" in part for part in parts))
    name = SYSTEM_OPENERS.get(platform or sys.platform, "xdg-open")
    found = shutil.which(name, path=env.get("PATH"))
    return ViewerCommand([found, path], False) if found else None


def _launch(argv: list[str]) -> object:
    """Start the viewer detached: its own session, no terminal in or out, reaped when it ends."""
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    threading.Thread(target=process.wait, name="yanbao-viewer", daemon=True).start()
    return process


def open_source(digest: Digest, page: int | None = None, *, env: Mapping[str, str] | None = None,
                launch: Launch = _launch, what: str | None = "figure") -> OpenOutcome:
    """Open the source of ``digest`` at ``page`` (a 1-based page, None: the first), the page
    of the highlighted ``what`` ("figure", "key point"; None: nothing highlighted), named
    when the viewer cannot be told the page, or when that page is not recorded."""
    path = digest.source.path
    name = Path(path).name or path
    if not Path(path).is_file():
        return OpenOutcome(f"The source file is gone: {path}", False)
    if digest.source.kind != "pdf":
        page = None  # a text file has no pages
    try:
        command = viewer_command(path, page, env)
    except ValueError as exc:
        return OpenOutcome(f"${ENV_VAR} cannot be read as a command line ({exc})", False)
    if command is None:
        return OpenOutcome(f"No viewer found: set ${ENV_VAR} (e.g. 'zathura --page={{page}} {{path}}') "
                           "or install xdg-open", False)
    try:
        launch(command.argv)
    except OSError as exc:
        return OpenOutcome(f"The viewer could not start ({command.argv[0]}: {exc.strerror or exc})", False)
    if digest.source.kind != "pdf":
        return OpenOutcome(f"Opened {name}", True)
    if command.at_page:
        unknown = f" (the {what}'s page is not recorded)" if what and page is None else ""
        return OpenOutcome(f"Opened page {page or 1} of {name}{unknown}", True)
    where = f"; the {what} is on page {page}" if page and what else ""
    return OpenOutcome(f"Opened {name} (the viewer picks the page{where}: set ${ENV_VAR} to open at it)", True)
