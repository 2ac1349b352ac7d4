"""The single-instance lock of a database file (``<database>.lock``), as the desktop app holds it
with Qt's QLockFile, for the commands that replace the database file (restore, encrypt, decrypt).

The lock file says who holds it (process id, program, computer), in QLockFile's format, and is
held by an operating-system lock for as long as its holder runs: ``flock`` on Linux (QLockFile
takes the same one and leaves a file so held alone), and on Windows the open file itself, which
cannot be deleted while open. A lock file nobody holds was left by a killed program and is taken
over; no process ids are checked for liveness."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import renames

PROGRAM = "zhiqian"


class DatabaseInUse(UserError):
    """Another program holds the database's single-instance lock."""


def lock_path(database: Path) -> Path:
    return Path(str(database) + ".lock")


def holder_of(database: Path) -> str | None:
    """Who holds (or last held) the lock, in the clerk's words; None without a lock file."""
    try:
        lines = lock_path(database).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pid = lines[0].strip() if lines else "?"
    program = lines[1].strip() if len(lines) > 1 and lines[1].strip() else "执前督促"
    host = lines[2].strip() if len(lines) > 2 and lines[2].strip() else "?"
    return f"{program}（进程 {pid}，电脑 {host}）"


def _native_lock(fd: int) -> bool:
    if sys.platform == "win32":
        return True  # an open file cannot be deleted on Windows: holding it open is the lock
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove_if_stale(lock: Path) -> bool:
    """Remove a lock file no running program holds; whether it was removed."""
    if sys.platform == "win32":
        try:
            lock.unlink()
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True
    try:
        fd = os.open(lock, os.O_WRONLY)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not _native_lock(fd):
            return False
        lock.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def _process_name() -> str:
    # QLockFile on Linux compares this line with the holder's executable name.
    with contextlib.suppress(OSError):
        return Path(os.readlink("/proc/self/exe")).name
    return Path(sys.executable).name or PROGRAM


def in_use_message(database: Path) -> str:
    return (
        f"数据库“{database}”正被{holder_of(database) or '另一个程序'}使用，不能替换；"
        "请先关闭使用该数据库的桌面程序窗口，然后重试"
    )


@contextlib.contextmanager
def holding_database(database: Path) -> Iterator[None]:
    """Hold ``database``'s single-instance lock for the block (DatabaseInUse if taken)."""
    lock = lock_path(database)
    fd = -1
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if _remove_if_stale(lock):
                continue
            raise DatabaseInUse(in_use_message(database)) from None
        except OSError as exc:
            raise UserError(
                f"无法在“{database.parent}”中创建锁文件（{exc.strerror}）；请检查该目录是否可写"
            ) from exc
        break
    if fd < 0:
        raise DatabaseInUse(in_use_message(database))
    try:
        if not _native_lock(fd):
            raise DatabaseInUse(in_use_message(database))
        os.write(fd, f"{os.getpid()}\n{_process_name()}\n{socket.gethostname()}\n".encode())
        yield
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)


def replace_error(database: Path, exc: OSError) -> UserError:
    """The clerk's message when the database file could not be replaced (Windows refuses while
    any program has it open): who holds it, and what to do."""
    if renames.held_by_another_program(exc) or isinstance(exc, PermissionError):
        holder = holder_of(database)
        who = holder or "其他程序（如另一个执前督促窗口、备份软件或杀毒软件）"
        return UserError(
            f"数据库文件“{database}”正被{who}打开，无法替换；原数据库未改动。请关闭该程序后重试"
        )
    return UserError(
        f"无法替换数据库文件“{database}”（{exc.strerror or exc}）；原数据库未改动，"
        "请检查磁盘空间和文件夹权限后重试"
    )
