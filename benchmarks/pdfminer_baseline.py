"""The ingest baseline: pdfminer.six's own ``extract_text`` on every PDF of a folder, one
after another in one process (``python -m benchmarks.pdfminer_baseline FOLDER``)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from pdfminer.high_level import extract_text

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    chars = 0
    for path in sorted(Path(argv[0]).glob("*.pdf")):
        chars += len(extract_text(path))
    print(chars)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
