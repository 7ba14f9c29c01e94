"""Run the CLI as a user that folder permissions apply to (root reads any folder), for
tests of unreadable folders and files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from yanbao.tui.cli import main

__all__ = ["NOBODY", "cli_without_root", "give_to_nobody"]

NOBODY = 65534


def _load_what_ingest_needs(scratch: Path) -> None:
    """One real ingest here imports every module an ingest uses (multiprocessing's fork
    machinery, the parser, the company registry)."""
    import ctypes  # noqa: F401 - imported by workers (their parent-death request)

    from tinydb.storages import MemoryStorage

    from yanbao.store.db import DigestStore
    from yanbao.store.ingest import ingest_paths

    sample = scratch / "warm-up.txt"
    sample.write_text("测试证券 晨会纪要\n投资要点\n1）云业务收入同比增长20%。\n", encoding="utf-8")
    ingest_paths([sample], DigestStore(storage=MemoryStorage()), jobs=1)
    sample.unlink()
    # A text in GBK: the encoding detector (charset-normalizer) loads its own modules lazily.
    from yanbao.store.textio import decode_report_bytes

    decode_report_bytes("测试证券 晨会纪要：云业务收入同比增长".encode("gbk"), "warm-up.txt")


def cli_without_root(argv: list[str], outdir: Path) -> tuple[int, str, str]:
    """``yanbao ARGV`` in a forked child that is not root (root reads any folder). The child
    cannot read this interpreter's files once it is ``nobody``, so what it needs is loaded
    here first."""
    _load_what_ingest_needs(outdir)
    out, err = outdir / "out", outdir / "err"
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            code = main(argv)
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001 - report it to the parent through stderr
            import traceback

            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.read_text(), err.read_text()


def give_to_nobody(*paths: Path) -> None:
    """Make ``paths`` belong to the user ``cli_without_root`` runs as (when we are root)."""
    if os.geteuid() == 0:
        for path in paths:
            os.lchown(path, NOBODY, NOBODY)
