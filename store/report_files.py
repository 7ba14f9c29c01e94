"""Finding report files under the paths a user gives, and naming them as text.

Walking a folder never raises: symlink loops, links to nothing, named pipes, sockets and
devices that carry a report's suffix each get one ``skipped: not a regular file`` result
(once, however often they are named); a folder that cannot be read is a ``failed`` result
naming it. Other entries (hidden ones, other suffixes) are left alone silently, and linked
folders inside a folder are not followed (as ``find`` does), so a walk always ends.

File names need not be valid UTF-8 on POSIX (``bad\\xff.pdf``); Python hands them over with
lone surrogates, which no JSON encoder accepts. :func:`path_text` names such a file by valid
text that keeps every byte (``\\xff`` escapes); :func:`path_from_text` goes back.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["REPORT_SUFFIXES", "FoundFiles", "collect_files", "file_problem", "path_from_text", "path_text"]

REPORT_SUFFIXES = (".pdf", ".txt")

_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")


def path_text(path: str | os.PathLike[str]) -> str:
    """``path`` as valid text (UTF-8 encodable): bytes that are not UTF-8 become ``\\xNN``."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def path_from_text(text: str) -> str:
    """The file name :func:`path_text` was given: ``\\xNN`` escapes turn back into their
    bytes when a file by that name exists (a name really spelt with ``\\x`` stays as it is)."""
    raw = text.encode("utf-8")
    if not _ESCAPED_BYTE.search(raw):
        return text
    candidate = os.fsdecode(_ESCAPED_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), raw))
    return candidate if os.path.lexists(candidate) else text


@dataclass
class FoundFiles:
    """Report files to ingest, and ``(path text, status, reason)`` for what cannot be."""

    files: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind})"


def _link_problem(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "not a regular file (a symlink loop)"
    if error.errno == errno.ENOENT:
        return "not a regular file (a link to nothing)"
    return f"not a regular file (cannot be followed: {error.strerror})"


def file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as one report file (missing, a folder, a named pipe
    that would block a reader for ever, a symlink loop...), or None when it can be tried."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if not os.path.lexists(path):
            return "no such file"
        return _link_problem(exc) if os.path.islink(path) else f"cannot be opened ({exc.strerror})"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file"
    return None if stat.S_ISREG(st.st_mode) else _not_regular(st.st_mode)


def _wants(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(REPORT_SUFFIXES)


class _Walk:
    """One collection: files found once each, problems reported once each."""

    def __init__(self) -> None:
        self.found = FoundFiles()
        self._files: set[tuple[int, int]] = set()  # (device, inode): a file named twice
        self._problems: set[object] = set()  # (device, inode) of the entry, else its name

    def problem(self, path: str | os.PathLike[str], status: str, reason: str,
                st: os.stat_result | None = None) -> None:
        key = (st.st_dev, st.st_ino) if st is not None else os.fspath(path)
        if key not in self._problems:
            self._problems.add(key)
            self.found.problems.append((path_text(path), status, reason))

    def entry(self, path: Path, *, given: bool) -> None:
        """A file-system entry: a report file, a folder given by name, or a problem."""
        try:
            link = os.lstat(path)
        except OSError as exc:
            if given:
                reason = "no such file or folder" if exc.errno == errno.ENOENT else f"cannot be read ({exc.strerror})"
                self.problem(path, "failed", reason)
            return
        try:
            st = os.stat(path)
        except OSError as exc:  # a link that leads nowhere, or around in a circle
            self.problem(path, "skipped", _link_problem(exc), link)
            return
        if stat.S_ISDIR(st.st_mode):
            if given:
                self.folder(path)
            return
        if not stat.S_ISREG(st.st_mode):
            self.problem(path, "skipped", _not_regular(st.st_mode), link)
        elif not path.name.lower().endswith(REPORT_SUFFIXES):
            if given:
                self.problem(path, "skipped", "not a .pdf or .txt file", st)
        elif (st.st_dev, st.st_ino) not in self._files:
            self._files.add((st.st_dev, st.st_ino))
            self.found.files.append(path)

    def folder(self, top: Path) -> None:
        """Walk ``top`` depth first: a folder's files, then its subfolders, by name."""
        pending = [top]
        while pending:
            folder = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                self.problem(folder, "failed", f"folder cannot be read ({exc.strerror or exc})")
                continue
            subfolders = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    is_folder = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_folder = False
                if is_folder:
                    subfolders.append(Path(entry.path))
                elif _wants(entry.name):
                    self.entry(Path(entry.path), given=False)
            pending.extend(reversed(subfolders))


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> FoundFiles:
    """Report files under ``paths`` (folders walked recursively), each once, and one
    problem per path that cannot be ingested. Never raises for anything on disk."""
    walk = _Walk()
    for given in paths:
        walk.entry(Path(given), given=True)
    return walk.found
