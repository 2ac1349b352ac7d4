"""The program's folders in the system's temporary folder (copies opened in the PDF viewer, demo
databases, the self-test), and removing the ones a killed program left behind.

A copy of a document from an encrypted database is plain text: when the program is killed or
the clerk logs off, ``atexit`` does not run and the copies stay in ``%TEMP%``. Each folder holds
a lock on a file inside it for as long as its program runs, so the next start can tell a
leftover (removed) from the folder of a program still running (left alone)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

PREFIXES = ("zhiqian-view-", "zhiqian-demo-", "zhiqian-selftest-")
IN_USE = ".in-use"
GRACE_SECONDS = 60.0
"""A folder younger than this may not have taken its lock yet."""

_held: dict[Path, IO[bytes]] = {}


def _try_lock(fh: IO[bytes]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def make_temp_folder(prefix: str) -> Path:
    """A new private folder (0700) in the temporary folder, marked in use by this process."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown temporary folder kind {prefix!r}")
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    fh = (folder / IN_USE).open("wb")
    fh.write(b"\0")
    fh.flush()
    _try_lock(fh)
    _held[folder] = fh
    return folder


def release_temp_folder(folder: Path) -> None:
    """Let go of ``folder``'s mark and remove it."""
    fh = _held.pop(folder, None)
    if fh is not None:
        fh.close()
    shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    if folder in _held:
        return True
    try:
        fh = (folder / IN_USE).open("rb+")
    except FileNotFoundError:
        return False
    except OSError:  # another account's folder, or held open on Windows
        return True
    with fh:
        if not _try_lock(fh):
            return True
        _unlock(fh)
        return False


def remove_left_behind(root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the program's temporary folders no running program holds; the ones removed."""
    root = root or Path(tempfile.gettempdir())
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for folder in entries:
        if not folder.name.startswith(PREFIXES) or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            if now - folder.stat().st_mtime < GRACE_SECONDS or _in_use(folder):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed
