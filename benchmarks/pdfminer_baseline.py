"""The ingest baseline: pdfminer.six's own ``extract_text`` on the PDFs of a folder, one
after another in one process.

``python -m benchmarks.pdfminer_baseline FOLDER [--part K/N]``: with ``--part`` only every
N-th file from the K-th (0-based), so N processes together cover the folder once; running
them side by side shows how much parallel speed-up the machine has to give right now.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from pdfminer.high_level import extract_text

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    files = sorted(Path(argv[0]).glob("*.pdf"))
    if len(argv) == 3 and argv[1] == "--part":
        k, n = (int(x) for x in argv[2].split("/"))
        files = files[k::n]
    chars = 0
    for path in files:
        chars += len(extract_text(path))
    print(chars)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
