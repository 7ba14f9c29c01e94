"""Keep the hand-written expected digests (``tests/fixtures/expected/*.json``) honest.

``python tools/expected_digests.py`` does two things for every expected digest:

1. *fill*: sets ``id``, ``source.sha256`` and ``source.pages`` from the built sample file,
   the ``page`` of each key point and metric (schema 2: where its text stands in the PDF,
   read page by page with pdfminer's own ``extract_text``, not the parser's layout; null for
   a text file) and rewrites the JSON in the schema's full shape
   (``Digest.from_dict(...).to_dict()``), so a hand-written file may leave out fields that
   are null;
2. *check*: every metric ``text``, key point, recommendation and risk must occur in the
   report's own source text (whitespace ignored), every ``aliases_seen`` entry must occur,
   and each company's ``mentions`` must equal the count of its aliases in the text (longest
   alias first, no overlaps). It prints one line per problem and exits 1 if there is any.

The content itself (which figures, which companies, which roles) is written by hand.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.build_samples import FORCED_BREAK, SOURCES_DIR, read_source
from yanbao.store.model import SCHEMA_VERSION, Digest
from yanbao.store.pages import assign_pages

EXPECTED_DIR = ROOT / "tests" / "fixtures" / "expected"


def page_count(path: Path) -> int:
    """Pages of a PDF (pdfminer), or 1 for a text file."""
    if path.suffix.lower() != ".pdf":
        return 1
    from pdfminer.pdfpage import PDFPage

    with path.open("rb") as fh:
        return sum(1 for _ in PDFPage.get_pages(fh))


def page_texts(path: Path) -> list[str]:
    """Each page's text as pdfminer's ``extract_text`` reads it (none for a text file)."""
    if path.suffix.lower() != ".pdf":
        return []
    from pdfminer.high_level import extract_text

    return [extract_text(path, page_numbers=[n]) for n in range(page_count(path))]


def report_text(name: str) -> str:
    """Title, subtitle and body of a sample as one string (what mentions are counted in)."""
    src = read_source(SOURCES_DIR / f"{name}.yb")
    parts = [src.fields["title"], src.fields.get("subtitle", "")]
    for line in src.body:
        if line.startswith("[Table_"):
            continue
        parts.append(re.sub(r"^[#*] ", "", line).replace(FORCED_BREAK, ""))
    return "\n".join(parts)


def squash(text: str) -> str:
    """Text with all whitespace removed, for spacing-insensitive comparison."""
    return re.sub(r"\s+", "", text)


def count_mentions(text: str, aliases_by_company: dict[str, list[str]]) -> dict[str, int]:
    """Non-overlapping alias occurrences per company, longest alias matched first."""
    pairs = sorted(
        ((alias, name) for name, aliases in aliases_by_company.items() for alias in aliases),
        key=lambda pair: -len(pair[0]),
    )
    taken = [False] * len(text)
    counts = dict.fromkeys(aliases_by_company, 0)
    for alias, name in pairs:
        for m in re.finditer(re.escape(alias), text):
            if any(taken[m.start() : m.end()]):
                continue
            if alias.isascii() and alias[-1].isalnum():
                # an ASCII alias must end at a word boundary; 's and share-class suffixes may follow
                after = text[m.end() : m.end() + 1]
                if after.isascii() and after.isalnum():
                    continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            counts[name] += 1
    return counts


def check(name: str, digest: Digest) -> list[str]:
    """Problems between an expected digest and its source text."""
    text = report_text(name)
    flat = squash(text)
    problems: list[str] = []

    def need(fragment: str, where: str) -> None:
        if squash(fragment) not in flat:
            problems.append(f"{name}: {where} not in source: {fragment!r}")

    need(digest.title, "title")
    for i, kp in enumerate(digest.key_points):
        need(kp.heading, f"key_points[{i}].heading")
        for j, point in enumerate(kp.points):
            need(point, f"key_points[{i}].points[{j}]")
    if digest.recommendation:
        need(digest.recommendation, "recommendation")
    for i, risk in enumerate(digest.risks):
        need(risk, f"risks[{i}]")
    for i, metric in enumerate(digest.metrics):
        need(metric.text, f"metrics[{i}].text")
    for i, rating in enumerate(digest.company_ratings):
        need(rating.text, f"company_ratings[{i}].text")
    aliases = {c.name: c.aliases_seen for c in digest.companies}
    counts = count_mentions(text, aliases)
    for c in digest.companies:
        for alias in c.aliases_seen:
            need(alias, f"{c.name} alias")
        if counts[c.name] != c.mentions:
            problems.append(f"{name}: {c.name} mentions {c.mentions}, text has {counts[c.name]}")
    known = {c.name for c in digest.companies}
    for i, metric in enumerate(digest.metrics):
        if metric.company and metric.company not in known and metric.segment is None:
            problems.append(f"{name}: metrics[{i}] names {metric.company}, not in companies")
    return problems


def fill(path: Path) -> tuple[str, Digest]:
    """Complete one expected digest from its built sample and rewrite it in full shape."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sample = ROOT / data["source"]["path"]
    sha = hashlib.sha256(sample.read_bytes()).hexdigest()
    data["id"] = sha
    data["source"].update(sha256=sha, pages=page_count(sample))
    data["schema"] = SCHEMA_VERSION
    digest = Digest.from_dict(data)
    assign_pages(digest, page_texts(sample))
    path.write_text(
        json.dumps(digest.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return Path(data["source"]["path"]).stem, digest


def main(argv: list[str]) -> int:
    """Fill and check every expected digest (or the names given)."""
    problems: list[str] = []
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        if argv and path.stem not in argv:
            continue
        name, digest = fill(path)
        problems += check(name, digest)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
