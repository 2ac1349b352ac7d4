"""Putting a finished file or folder in place by rename, through the moment an antivirus scanner
(or the search indexer) holds it: every writer's last step.

On Windows a scanner opens a freshly written file for a moment, and a rename of it or onto it fails
with ERROR_ACCESS_DENIED (5) or ERROR_SHARING_VIOLATION (32) until it lets go. Those two errors are
retried a few times with a short, growing pause; anything else, or the same error once the pauses
are spent, is raised to the caller as before (a PDF reader that keeps a file open does not let go:
the caller says so, see ``held_by_another_program``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

StrPath = str | os.PathLike[str]

TRANSIENT_WINERRORS = frozenset({5, 32})
"""ERROR_ACCESS_DENIED and ERROR_SHARING_VIOLATION: what a scanner holding the file causes."""
PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8)
"""Seconds between attempts: at most about 1.5 s in all before the error is the caller's."""


def held_by_another_program(exc: BaseException) -> bool:
    """Whether ``exc`` says another program holds the file (Windows errors 5 and 32)."""
    return isinstance(exc, OSError) and getattr(exc, "winerror", None) in TRANSIENT_WINERRORS


def _retrying(move: Callable[[StrPath, StrPath], None], src: StrPath, dst: StrPath) -> None:
    for pause in (*PAUSES, None):
        try:
            move(src, dst)
            return
        except OSError as exc:
            if pause is None or not held_by_another_program(exc):
                raise
            time.sleep(pause)


def replace(src: StrPath, dst: StrPath) -> None:
    """``os.replace``: ``dst`` (a file, or an empty folder on POSIX) is replaced if it exists."""
    _retrying(os.replace, src, dst)


def rename(src: StrPath, dst: StrPath) -> None:
    """``os.rename``: refused if ``dst`` exists on Windows, or is a non-empty folder anywhere."""
    _retrying(os.rename, src, dst)


def replace_path(src: Path, dst: Path) -> None:
    """``Path.replace`` through the same retries."""
    replace(src, dst)
