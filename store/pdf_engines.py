"""Which PDF engine reads a report: pdfminer.six (the reference) or PDFium (``yanbao[fast]``).

``auto`` picks PDFium only when it is installed *and* ``PDFIUM_MATCHES_REFERENCE`` is true:
that flag records the fidelity benchmark's verdict on the dev corpus (``benchmarks/README.md``),
and stays false until PDFium gives the same totals as pdfminer.six.
"""

from __future__ import annotations

__all__ = ["ENGINES", "PDFIUM_MATCHES_REFERENCE", "EngineUnavailable", "resolve_engine", "pdfium_installed"]

ENGINES = ("auto", "pdfminer", "pdfium")
# The fidelity benchmark's verdict (see the README's Performance section): PDFium's totals
# differ from pdfminer.six's on the dev corpus, so ``auto`` keeps the reference.
PDFIUM_MATCHES_REFERENCE = False


class EngineUnavailable(Exception):
    """The chosen engine is not installed; the message says how to install it."""


def pdfium_installed() -> bool:
    """True when pypdfium2 can be imported (the ``yanbao[fast]`` extra is installed)."""
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_engine(name: str | None) -> str:
    """The engine that reads PDFs for ``name`` ("auto", "pdfminer", "pdfium"; None = auto)."""
    name = name or "auto"
    if name not in ENGINES:
        raise ValueError(f"unknown PDF engine {name!r} (choose {', '.join(ENGINES)})")
    if name == "pdfium":
        if not pdfium_installed():
            raise EngineUnavailable("the pdfium engine needs pypdfium2: pip install 'yanbao[fast]'")
        return "pdfium"
    if name == "auto" and PDFIUM_MATCHES_REFERENCE and pdfium_installed():
        return "pdfium"
    return "pdfminer"
