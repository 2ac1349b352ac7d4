"""A cold start: the first command of the morning, with nothing of the database (or of the
program's files) in the operating system's page cache.

Where allowed (Linux, as root) the whole page cache is dropped (`/proc/sys/vm/drop_caches`).
Elsewhere the files are evicted one by one with `posix_fadvise(POSIX_FADV_DONTNEED)`: the database
and its -wal/-shm, and (method "files") every file of the interpreter, its packages and the app,
which is what the morning's first start reads too. Pages another running process has mapped stay
cached, so this is a little warmer than a rebooted PC.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

from bench.core import ROOT, Context, NotAvailable

DROP_CACHES = Path("/proc/sys/vm/drop_caches")
METHODS = ("auto", "drop", "files", "database")


def _program_files() -> Iterator[Path]:
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= {str(ROOT / "zhiqian_desktop"), str(ROOT / "resources"), str(ROOT / "ui")}
    yield Path(sys.executable).resolve()
    for root in sorted(roots):
        for folder, _dirs, files in os.walk(root):
            for name in files:
                yield Path(folder, name)


def _evict(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return True


def make_cold(ctx: Context, database: Path) -> str:
    """Evict what a cold start reads; returns how (for the figure's note)."""
    method = ctx.cold_method
    if method in ("auto", "drop"):
        try:
            os.sync()
            DROP_CACHES.write_text("3\n")
            return "page cache dropped (drop_caches)"
        except OSError as exc:
            if method == "drop":
                raise NotAvailable(f"cannot drop the page cache here: {exc}") from None
    if not hasattr(os, "posix_fadvise"):
        raise NotAvailable("neither drop_caches nor posix_fadvise on this system")
    os.sync()
    for suffix in ("", "-wal", "-shm"):
        _evict(Path(str(database) + suffix))
    if method == "database":
        return "database file evicted from the page cache (fadvise)"
    count = sum(_evict(p) for p in _program_files())
    return f"database and {count:,} program files evicted from the page cache (fadvise)"
