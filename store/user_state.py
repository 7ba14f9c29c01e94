"""The reader's own state per report: read marks, a star, tags and a note.

It lives in the store file's small tables beside the watchlist (``store.db``), never in
the report rows or documents, so a change rewrites a few hundred bytes whatever the size
of the library, survives ``doctor --rebuild`` (which rebuilds only derived data) and is
kept by ``doctor --restore`` (the backup holds the same bytes; a restore that would lose
newer user state is refused).

Keys: the digest id, the sha256 of the file's bytes. Re-ingesting the same file finds the
same id, so the state comes back with it; an edited file is another report (both stay in
the library), so it starts without marks.

Read state: the catalog records when each report came in (``Catalog.added_since``). A
library records, the first time it is written by a version with read marks, the moment
from which reports count as new (``unread_since`` in the store's meta): everything stored
before stays read, so an upgraded library does not turn all-unread. A report that came in
later is unread until it is opened or marked; explicit marks (``read`` table) win.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from yanbao.store.storage import META_DOC, META_TABLE
from yanbao.store.text_safety import strip_controls

if TYPE_CHECKING:
    from tinydb import TinyDB

__all__ = [
    "MARKS_TABLE",
    "READ_TABLE",
    "UNREAD_SINCE",
    "ReportMarks",
    "StateFilter",
    "UserState",
    "UserStateMixin",
    "normalise_note",
    "normalise_tag",
    "split_state_terms",
]

MARKS_TABLE = "marks"  # digest id -> {"star": bool, "tags": [as typed], "note": str}
READ_TABLE = "read"  # digest id -> True (opened) / False (marked unread again)
UNREAD_SINCE = "unread_since"  # key of the store's meta: reports that came in later are new
MAX_TAG = 64
COMPACT_READ_MARKS = 256  # read marks kept before they are folded into the new-since moment
MAX_NOTE = 100_000  # characters: a note is a thought, not a second report


def normalise_tag(text: str) -> str:
    """A tag as shown: width-folded (ＡＩ → AI), trimmed, inner spaces as "-", no leading "#";
    "" when nothing is left. Matching uses its casefold."""
    tag = unicodedata.normalize("NFKC", strip_controls(str(text))).strip().lstrip("#").strip()
    return "-".join(tag.split())[:MAX_TAG]


def normalise_note(text: str) -> str:
    """A note as stored: lines kept (CJK and all), controls other than newline and tab
    dropped, trailing blank space trimmed."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    kept = strip_controls(text)  # keeps newline and tab
    return "\n".join(line.rstrip() for line in kept.split("\n")).strip()[:MAX_NOTE]


@dataclass(frozen=True)
class ReportMarks:
    """One report's star, tags (as typed, in order) and note."""

    star: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.star or self.tags or self.note)

    @classmethod
    def from_record(cls, record: Any) -> ReportMarks:
        if not isinstance(record, dict):
            return cls()
        tags = record.get("tags")
        note = record.get("note")
        return cls(record.get("star") is True,
                   tuple(t for t in tags if isinstance(t, str) and t) if isinstance(tags, list) else (),
                   note if isinstance(note, str) else "")

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.star:
            out["star"] = True
        if self.tags:
            out["tags"] = list(self.tags)
        if self.note:
            out["note"] = self.note
        return out

    def has_tag(self, key: str) -> bool:
        return any(t.casefold() == key for t in self.tags)


@dataclass
class UserState:
    """Every report's marks and the unread ids, read at once (what a list filter needs)."""

    marks: dict[str, ReportMarks] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)

    def of(self, digest_id: str) -> ReportMarks:
        return self.marks.get(digest_id) or ReportMarks()

    @property
    def starred(self) -> set[str]:
        return {i for i, m in self.marks.items() if m.star}

    def tagged(self, tag: str) -> set[str]:
        key = normalise_tag(tag).casefold()
        return {i for i, m in self.marks.items() if m.has_tag(key)}

    def tags(self) -> list[str]:
        """Every tag in use, as first typed, A→Z (completion)."""
        seen: dict[str, str] = {}
        for m in self.marks.values():
            for t in m.tags:
                seen.setdefault(t.casefold(), t)
        return sorted(seen.values(), key=str.casefold)

    def noted(self, word: str) -> set[str]:
        """Reports whose note or tags hold ``word`` (casefolded substring)."""
        word = word.casefold()
        return {i for i, m in self.marks.items()
                if word in m.note.casefold() or any(word in t.casefold() for t in m.tags)}


@dataclass(frozen=True)
class StateFilter:
    """The user-state terms of a filter or search: ``starred``, ``unread``, ``tag:NAME``."""

    starred: bool = False
    unread: bool = False
    tags: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.starred or self.unread or bool(self.tags)

    def matches(self, digest_id: str, state: UserState) -> bool:
        if self.starred and not state.of(digest_id).star:
            return False
        if self.unread and digest_id not in state.unread:
            return False
        marks = state.of(digest_id)
        return all(marks.has_tag(normalise_tag(t).casefold()) for t in self.tags)


def split_state_terms(query: str) -> tuple[str, StateFilter]:
    """(the rest of ``query``, its user-state terms). ``starred``/``is:starred``,
    ``unread``/``is:unread``/``new`` and ``tag:NAME`` (or ``#NAME``) are state terms."""
    rest: list[str] = []
    starred = unread = False
    tags: list[str] = []
    for word in query.split():
        low = word.casefold()
        if low in ("starred", "is:starred", "★"):
            starred = True
        elif low in ("unread", "is:unread", "is:new"):
            unread = True
        elif low.startswith("tag:") and normalise_tag(word[4:]):
            tags.append(normalise_tag(word[4:]))
        elif low.startswith("#") and normalise_tag(word):
            tags.append(normalise_tag(word))
        else:
            rest.append(word)
    return " ".join(rest), StateFilter(starred, unread, tuple(tags))


class UserStateMixin:
    """The user-state half of ``DigestStore`` (it supplies the store file, lock and catalog)."""

    _catalog: Any
    _mutex: Any

    # DigestStore supplies _main(), _open(), _writing() and search_stream().

    # -- reading ------------------------------------------------------------------------------

    def _unread_since(self, main: Mapping[str, Any] | None) -> float | None:
        meta = (main or {}).get(META_TABLE, {}).get(META_DOC)
        since = meta.get(UNREAD_SINCE) if isinstance(meta, dict) else None
        return float(since) if isinstance(since, (int, float)) else None

    def user_state(self, *, unread: bool = True) -> UserState:
        """Every report's marks and the set of unread report ids (``unread=False``: marks
        only, which costs nothing per report; the unread set grows with the new reports)."""
        with self._mutex:
            if not self._open():
                return UserState()
            main = self._main() or {}
            marks = {k: ReportMarks.from_record(v) for k, v in main.get(MARKS_TABLE, {}).items()}
            marks = {k: m for k, m in marks.items() if not m.empty}
            since = self._unread_since(main) if unread else None
            unread_ids = {i for i, _ in self._catalog.added_since(since)} if since is not None else set()
            for digest_id, read in (main.get(READ_TABLE, {}) if unread else {}).items():
                if read is True:
                    unread_ids.discard(digest_id)
                elif read is False and self._catalog.has(digest_id):
                    unread_ids.add(digest_id)
        return UserState(marks, unread_ids)

    def marks(self, digest_id: str) -> ReportMarks:
        """One report's star, tags and note."""
        with self._mutex:
            return ReportMarks.from_record(((self._main() or {}).get(MARKS_TABLE) or {}).get(digest_id))

    def is_unread(self, digest_id: str) -> bool:
        return digest_id in self.user_state().unread

    # -- writing (the store file only) --------------------------------------------------------

    def _update_marks(self, digest_id: str, change: Any) -> ReportMarks:
        with self._writing() as db:
            table = db.table(MARKS_TABLE)
            record = table.get(doc_id=digest_id)
            new = change(ReportMarks.from_record(dict(record) if record is not None else None))
            if new.empty:
                if record is not None:
                    table.remove(doc_ids=[digest_id])
            else:
                table.put_many({digest_id: new.record()})
        return new

    def set_star(self, digest_id: str, on: bool = True) -> ReportMarks:
        """Star (or unstar) a report."""
        return self._update_marks(digest_id, lambda m: ReportMarks(on, m.tags, m.note))

    def add_tags(self, digest_id: str, tags: Iterable[str]) -> ReportMarks:
        """Add tags (normalised; one already there in any case is kept as first typed)."""
        def change(m: ReportMarks) -> ReportMarks:
            kept = list(m.tags)
            for tag in map(normalise_tag, tags):
                if tag and not any(t.casefold() == tag.casefold() for t in kept):
                    kept.append(tag)
            return ReportMarks(m.star, tuple(kept), m.note)
        return self._update_marks(digest_id, change)

    def remove_tags(self, digest_id: str, tags: Iterable[str]) -> ReportMarks:
        """Remove tags, matched case-insensitively."""
        keys = {normalise_tag(t).casefold() for t in tags}
        return self._update_marks(digest_id, lambda m: ReportMarks(
            m.star, tuple(t for t in m.tags if t.casefold() not in keys), m.note))

    def set_tags(self, digest_id: str, tags: Iterable[str]) -> ReportMarks:
        """Replace a report's tags (the app's tag editor)."""
        wanted: list[str] = []
        for tag in map(normalise_tag, tags):
            if tag and not any(t.casefold() == tag.casefold() for t in wanted):
                wanted.append(tag)
        return self._update_marks(digest_id, lambda m: ReportMarks(m.star, tuple(wanted), m.note))

    def set_note(self, digest_id: str, text: str) -> ReportMarks:
        """Replace a report's note ("" removes it)."""
        note = normalise_note(text)
        return self._update_marks(digest_id, lambda m: ReportMarks(m.star, m.tags, note))

    def mark_read(self, digest_id: str, read: bool = True) -> bool:
        """Mark a report read (opened) or unread again; True when its state changed."""
        if self.is_unread(digest_id) != read:
            return False
        with self._writing() as db:
            db.table(READ_TABLE).put_many({digest_id: read})
            self._compact_read_marks(db)
        return True

    def _compact_read_marks(self, db: TinyDB) -> None:
        """Keep the read marks few: once every report that came in before the oldest unread
        one is read, move the new-since moment up to it and drop the marks it makes
        redundant. So the table holds only the marks after the oldest unread report, not
        one per report ever opened. The caller holds the lock."""
        main = self._main() or {}
        marks = main.get(READ_TABLE, {})
        since = self._unread_since(main)
        if since is None or len(marks) < COMPACT_READ_MARKS:
            return
        arrivals = dict(self._catalog.added_since(since))
        if any(read is False and i not in arrivals for i, read in marks.items()):
            return  # an older report marked unread again: it holds the moment where it is
        unread = [t for i, t in arrivals.items() if marks.get(i) is not True]
        moment = min(unread) - 1e-6 if unread else max(arrivals.values(), default=since)
        if moment <= since:
            return
        kept = {i: read for i, read in marks.items() if arrivals.get(i, since) > moment}
        meta = db.table(META_TABLE)
        meta.put_many({META_DOC: {**dict(meta.get(doc_id=META_DOC) or {}), UNREAD_SINCE: moment}})
        db.drop_table(READ_TABLE)
        if kept:
            db.table(READ_TABLE).put_many(kept)

    def mark_all_read(self) -> int:
        """Every report read: the new-since moment moves to now, explicit marks are dropped."""
        unread = len(self.user_state().unread)
        with self._writing() as db:
            meta = db.table(META_TABLE)
            doc = dict(meta.get(doc_id=META_DOC) or {})
            meta.put_many({META_DOC: {**doc, UNREAD_SINCE: time.time()}})
            db.drop_table(READ_TABLE)
        return unread

    def _start_read_marks(self, db: TinyDB, main: Mapping[str, Any] | None) -> None:
        """First write by a version with read marks: from now on, new reports are unread
        (everything already stored counts as read). The caller holds the lock."""
        if main is not None and self._unread_since(main) is None:
            meta = db.table(META_TABLE)
            doc = dict(meta.get(doc_id=META_DOC) or {})
            if doc:
                meta.put_many({META_DOC: {**doc, UNREAD_SINCE: time.time()}})

    # -- search --------------------------------------------------------------------------------

    def search_marked_first(self, query: str, limit: int = 100) -> tuple[int, list[str]] | None:
        """What a user sees first of ``search_marked``: how many reports match and the ids of
        the newest ``limit``, read without listing every match. None when the query narrows
        by the reader's marks or names a word of a note or tag: ``search_marked`` answers
        those whole."""
        rest, wanted = split_state_terms(query)
        words = rest.split()
        if wanted or not words:
            return None
        state = self.user_state(unread=False)  # notes and tags only: the unread set costs per report
        if any(state.noted(w) for w in words):
            return None
        return self.search_first(rest, limit)

    def search_marked(self, query: str) -> list[str]:
        """``search`` with the user's state: ``starred``, ``unread``, ``tag:NAME`` narrow it,
        and a word also matches a report whose note or tags hold it. Newest first."""
        rest, wanted = split_state_terms(query)
        state = self.user_state(unread=wanted.unread)  # the unread set costs per report: only when asked
        words = rest.split()
        in_notes = any(state.noted(w) for w in words)
        if not in_notes:  # the text search as it is (concepts and all), narrowed by the marks
            return [i for i in self.search_stream(rest) if not wanted or wanted.matches(i, state)]
        found: set[str] | None = None
        for word in words:
            hits = set(self.search_stream(word)) | state.noted(word)
            found = hits if found is None else found & hits
        order = list(self.search_stream(""))
        return [i for i in order if (found is None or i in found) and wanted.matches(i, state)]
