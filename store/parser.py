"""From a report file to a Digest: read the text, find the structure, read metadata,
companies and figures.

``parse_file`` raises ``ReportError`` (one line naming the file and the reason) for files
it cannot read; any text it can read yields a digest, never an exception.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from yanbao.store import meta
from yanbao.store.companies_in_text import CompanyFinder
from yanbao.store.digest_limits import cap_digest, cap_lines
from yanbao.store.flat_text import is_flattened, read_glued_sector_rating, unflatten
from yanbao.store.errors import ReportError
from yanbao.store.metrics import read_metrics, split_sentences
from yanbao.store.model import Digest, KeyPoint, Rating, Source
from yanbao.store.pages import assign_pages
from yanbao.store.pdf import PdfText, extract_pdf
from yanbao.store.periods import find_periods, quarter_of_date, shift_quarter
from yanbao.store.report_files import path_text
from yanbao.store.sections import is_summary_text, opening_text, read_structure
from yanbao.store.sectors import main_sector
from yanbao.store.textio import clean_control_chars, decode_report_bytes

__all__ = ["parse_file", "parse_bytes", "parse_text", "report_period"]

FLAT_HEAD = 2500  # a flattened report's cover sits in its first few thousand characters


def parse_file(path: str | Path, *, password: str | None = None, engine: str = "pdfminer") -> Digest:
    """Parse a PDF or text report into a digest (``engine``: the PDF engine, see
    ``store.pdf_engines``)."""
    where = path_text(path)  # the digest and its errors name the file in valid text
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ReportError(where, "no such file") from None
    except IsADirectoryError:
        raise ReportError(where, "is a folder, not a file") from None
    except OSError as exc:
        raise ReportError(where, f"cannot be opened ({exc.strerror or exc})") from None
    return parse_bytes(data, where, password=password, file=Path(path), engine=engine)


def parse_bytes(
    data: bytes, where: str, *, password: str | None = None, file: Path | None = None, engine: str = "pdfminer"
) -> Digest:
    """Parse a report given as bytes; ``where`` names it in the digest and in errors
    (``file``: the file the bytes came from, which a PDF is read from)."""
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReportError(where, "the file is empty")
    if data[:1024].lstrip().startswith(b"%PDF-") or where.lower().endswith(".pdf"):
        file = file if file is not None else Path(where)
        pdf = _pdf_from_file(file, where, password, engine) if file.is_file() else _pdf_from_bytes(data, where, password, engine)
        source = Source(path=where, kind="pdf", pages=pdf.pages, sha256=sha)
        digest = _digest(
            pdf.main, source, sidebar=pdf.sidebar, headers=pdf.headers,
            layout_title=pdf.title, created=pdf.created, first_page=pdf.first_page,
            summary_limit=pdf.summary_limit,
        )
        return assign_pages(digest, pdf.page_texts)
    text = decode_report_bytes(data, where)
    source = Source(path=where, kind="text", pages=max(1, text.count("\x0c") + (0 if text.endswith("\x0c") else 1)), sha256=sha)
    return parse_text(text, source)


def _pdf_from_file(file: Path, where: str, password: str | None, engine: str) -> PdfText:
    try:
        return extract_pdf(file, password=password, engine=engine)
    except ReportError as exc:
        raise ReportError(where, exc.reason) from None


def _pdf_from_bytes(data: bytes, where: str, password: str | None, engine: str) -> PdfText:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            return extract_pdf(tmp.name, password=password, engine=engine)
        except ReportError as exc:
            raise ReportError(where, exc.reason) from None


def parse_text(text: str, source: Source) -> Digest:
    """Parse a report's extracted text (as pdfminer gives it) into a digest."""
    text = clean_control_chars(text)
    # A report flattened to one line gets its line breaks back before its structure is read.
    if is_flattened(text):
        return _digest(unflatten(text), source, logical=True, raw_head=text[:FLAT_HEAD])
    return _digest(text.split("\n"), source)


def _digest(
    lines: list[str], source: Source, *, sidebar: list[str] = (), headers: list[str] = (), logical: bool = False,
    layout_title: str | None = None, created: str | None = None, first_page: list[str] | None = None,
    raw_head: str | None = None, summary_limit: int | None = None,
) -> Digest:
    sidebar, headers = list(sidebar), list(headers)
    lines, text_cut = cap_lines(lines)  # a pathological file costs bounded time and space
    structure = read_structure(lines, wrapped_head=source.kind == "pdf", logical=logical, summary_limit=summary_limit)
    head = structure.head
    all_text = "\n".join(structure.body)
    language = meta.detect_language("\n".join(head) + all_text)
    title = layout_title or meta.read_title(head) or Path(source.path).stem
    # Metadata may sit in the head (text reports), the sidebar and headers (PDFs) or the tail.
    meta_lines = head + sidebar + headers
    # A flattened report gets its lines back from unflatten: its cover date may sit a few dozen lines in.
    date = meta.read_date(meta_lines, structure.tail) or created or meta.read_date([x[:3000] for x in lines[:5 if not logical else 80]])
    if raw_head and date is None:
        # Unflattening drops running headers as furniture, and a cover date glued to one goes with them.
        date = meta.read_date([raw_head])
    broker = meta.read_broker(header=headers, sidebar=sidebar, head=head, tail=structure.tail, body=lines)
    analysts = meta.read_analysts(meta_lines + structure.tail)
    sector = meta.read_sector_rating(meta_lines)
    if sector is None and logical:
        # A flattened cover page may put its sidebar (rating, analysts) after the summary.
        sector = read_glued_sector_rating(head) or read_glued_sector_rating(structure.rest[:30])
    scale = meta.read_rating_scale(structure.tail)

    key_points = [KeyPoint(s.heading, s.points) for s in structure.sections if s.heading or s.points]
    unsummarised: list[str] = []
    if structure.unstructured or (not key_points and not structure.recommendation and all_text.strip()):
        # No structure: the summary is the text up to where it ends (a contents page, the
        # analyst block), without table furniture.
        summary = [line for line in structure.body[: structure.summary_end] if is_summary_text(line)]
        kept = opening_text(summary)
        key_points = [KeyPoint(title, kept)]
        # What the opening leaves out is still read for figures, not shown as key points.
        unsummarised = summary[len(kept):]
        if kept and summary and kept[-1] != summary[len(kept) - 1]:  # a long first paragraph, cut
            unsummarised.insert(0, summary[len(kept) - 1][len(kept[-1]):])

    finder = CompanyFinder()
    texts = [title] + [kp.heading + "\n" + "\n".join(kp.points) for kp in key_points] + [structure.recommendation] + structure.risks
    companies = finder.companies(texts, recommendation=structure.recommendation, body=all_text)
    period = report_period(key_points, finder, date, title)
    # Headings and points are read apart: a heading has no full stop to end its sentence.
    # The chapters after the summary state figures too (real industry reports most of them).
    metric_texts = [text for kp in key_points for text in [kp.heading, *kp.points]] + [structure.recommendation] + unsummarised + structure.rest
    title_entities = finder.entities(title)
    subject = next((c for c in companies if title_entities and c.name == title_entities[0].company), None)
    if subject is not None and not _is_company_report(head + sidebar, subject.name, title, finder):
        subject = None
    # In a company report, a figure with no company named is about the report's company.
    if subject is not None:
        finder.set_default_company(title_entities[0])
    # An industry report's figures with no company named are its sector's (company null).
    sector_name = main_sector([title, *head]) if subject is None else None
    metrics = read_metrics(metric_texts, period, finder.entities, default_entity=finder.default_company, sector=sector_name)

    ratings = meta.read_company_ratings(
        meta_lines, subject.name if subject else None, subject.ticker if subject else None, language,
        first_page=first_page if first_page is not None else lines[:80], title=title,
    )
    # A company report that rates its company Buy / Overweight puts it forward.
    if subject is not None and ratings and ratings[0].rating in meta.POSITIVE_RATINGS:
        subject.role = "recommended"
    return cap_digest(Digest(
        id=source.sha256,
        source=source,
        title=title,
        broker=broker,
        date=date,
        period=period,
        language=language,
        rating=Rating(sector=sector, scale=scale),
        analysts=analysts,
        key_points=key_points,
        recommendation=structure.recommendation,
        companies=companies,
        metrics=metrics,
        risks=structure.risks,
        company_ratings=ratings,
    ), text_cut=text_cut)


def _is_company_report(lines: list[str], company: str, title: str, finder: CompanyFinder) -> bool:
    """A company report names its company in the title and rates it (投资评级 / Rating)."""
    rated = any(re.search(r"投资评级|公司评级|^评级|Rating\s*[:：]|Recommendation\s*[:：]", x) for x in lines)
    in_title = any(e.company == company for e in finder.entities(title))
    return rated and in_title


_FORWARD = re.compile(r"指引|预计|预期|guid|expect|outlook|forecast|will", re.I)


def report_period(key_points: list[KeyPoint], finder: CompanyFinder, date: str | None, title: str = "") -> str | None:
    """The quarter whose results the report chiefly discusses: the quarter named most often
    (the title counts twice, guidance for a later quarter not at all); a tie goes to the
    quarter just before the report date, else to the one named first."""
    votes: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    subject = finder.entities(title)
    quarter_only: Counter[int] = Counter()
    texts = [title, title] + [text for kp in key_points for text in [kp.heading, *kp.points]]
    for text in texts:
        for sentence in split_sentences(text):
            entities = finder.entities(sentence)
            for ref in find_periods(sentence):
                if _FORWARD.search(sentence[max(0, ref.start - 20) : ref.start]):
                    continue
                if ref.kind in ("calendar", "fiscal") and ref.quarter:
                    # A fiscal label belongs to the company named nearest before it (or after).
                    owner = [e for e in entities if e.end <= ref.start] or entities[:1] or subject[:1]
                    year_end = owner[-1].fiscal_year_end if owner and ref.kind == "fiscal" else 12
                    period = ref.resolve(None, year_end)
                    votes[period] += 1
                    first_seen.setdefault(period, len(first_seen))
                elif ref.kind == "quarter_only":
                    quarter_only[ref.quarter] += 1
    before_date = shift_quarter(quarter_of_date(date), -1) if date else None
    if votes:
        best = max(votes.values())
        tied = [p for p, n in votes.items() if n == best]
        if before_date in tied:
            return before_date
        return min(tied, key=lambda p: first_seen[p])
    if date:
        if quarter_only:
            q = quarter_only.most_common(1)[0][0]
            year = int(date[:4]) if q <= int(quarter_of_date(date)[5]) else int(date[:4]) - 1
            return f"{year}Q{q}"
        return before_date
    return None
