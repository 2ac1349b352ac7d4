"""How the command line reports a failure: one line on stderr, whatever went wrong."""

from __future__ import annotations

import re
import sys

from zhiqian_desktop.cli.console import attach_missing_streams
from zhiqian_desktop.domain.errors import AlreadyExists

FORCE_HINT = "；确需覆盖请加 --force"
FOLDER_FORCE_HINT = "；仍要使用该文件夹请加 --force"


def one_line(message: str) -> str:
    """A message as one line: the clerk's terminal (and a script reading it) sees one error,
    even when it quotes a database's multi-line report or a file name with control characters."""
    text = "".join(c if c.isprintable() or c in "\t\n\r" else " " for c in str(message))
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def configure_streams() -> bool:
    """A console that cannot show a character (or a file name in another encoding) must not
    turn a result into a traceback; without a console (the windowed build) the output goes to
    the log. Whether there is a console."""
    if not attach_missing_streams():
        return False
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    return True


def environment_error(exc: BaseException) -> str | None:
    """A one-line message for failures of the machine rather than the program (disk, lock)."""
    if isinstance(exc, OSError):
        where = f"“{exc.filename}”" if getattr(exc, "filename", None) else ""
        return f"文件操作失败{where}：{exc.strerror or exc}；请检查路径、磁盘空间和权限"
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.OperationalError):
        return f"数据库操作失败：{exc.orig}；请检查数据库是否被其他程序占用、磁盘空间和权限后重试"
    return None


def damaged_database(url: str, way_out: str) -> str | None:
    """When a command failed in an unexpected way on a database file that turns out to be
    damaged: the line saying so, ending with ``way_out``. A damaged file fails anywhere and in
    any form (a malformed page, text that is not text); the clerk needs this, not a traceback."""
    from zhiqian_desktop.services.admin.maintenance import damage_of
    from zhiqian_desktop.store.engine import sqlite_file

    path = sqlite_file(url)
    found = damage_of(path) if path is not None else None
    if found is None:
        return None
    return f"数据库文件“{path}”已损坏（{found}）；文件未作任何改动。{way_out}"


def force_hint(exc: AlreadyExists) -> str:
    """What --force would do about an output that exists: replace the file, or share the folder."""
    return FOLDER_FORCE_HINT if exc.folder else FORCE_HINT
