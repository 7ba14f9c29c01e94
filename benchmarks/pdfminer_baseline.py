"""The ingest baseline: pdfminer.six's own ``extract_text`` on the PDFs of a folder, one
after another in one process.

``python -m benchmarks.pdfminer_baseline FOLDER [--defaults] [--part K/N]``: by default at
the layout settings yanbao uses (``store.pdf.layout_params``: no text-box ordering), with
``--defaults`` at pdfminer's own defaults (``LAParams()``, what ``extract_text`` does when
called bare). With ``--part`` only every N-th file from the K-th (0-based), so N processes
together cover the folder once; running them side by side shows how much parallel speed-up
the machine has to give right now.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    from yanbao.store.pdf import layout_params

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    args = list(argv)
    laparams = layout_params()
    if "--defaults" in args:
        args.remove("--defaults")
        laparams = LAParams()
    files = sorted(Path(args[0]).glob("*.pdf"))
    if len(args) == 3 and args[1] == "--part":
        k, n = (int(x) for x in args[2].split("/"))
        files = files[k::n]
    chars = 0
    for path in files:
        try:
            chars += len(extract_text(path, laparams=laparams))
        except Exception:  # noqa: BLE001 - a damaged real PDF costs what it cost, as in ingest
            continue
    print(chars)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
