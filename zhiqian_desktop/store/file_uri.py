"""SQLite ``file:`` URIs for database files, as Windows and Linux paths need them.

A mapped drive must stay a drive letter: ``Path.resolve()`` turns ``Z:\\zhiqian.db`` into
``\\\\server\\share\\zhiqian.db``, and a UNC path written as ``file://server/share/…`` is refused
by SQLite ("invalid uri authority"). Paths are therefore made absolute without resolving, and a
UNC path keeps an empty authority (``file:////server/share/…``), which SQLite hands to Windows as
``//server/share/…``.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath, PureWindowsPath
from urllib.parse import quote, unquote


def absolute(path: Path) -> Path:
    """``path`` made absolute as written: a mapped drive letter stays, ``..`` is folded."""
    return Path(os.path.abspath(path))


def sqlite_file_uri(path: PurePath, *, read_only: bool = False) -> str:
    """The ``file:`` URI SQLite opens ``path`` (absolute) by; ``?mode=ro`` when ``read_only``."""
    posix = path.as_posix()
    drive = path.drive if isinstance(path, PureWindowsPath) else ""
    if drive and not drive.startswith(("\\\\", "//")):
        # C:/… : the drive letter stays unescaped, after an empty authority (file:///C:/…).
        uri = f"file:///{drive}{quote(posix[len(drive) :])}"
    else:
        # /home/… or a UNC path's //server/share/…: both after an empty authority.
        uri = f"file://{quote(posix)}"
    return uri + ("?mode=ro" if read_only else "")


def path_of_file_uri(uri: str) -> str:
    """The file name inside a ``file:`` URI as built by ``sqlite_file_uri`` (or the older
    ``file:/path`` and ``file://host/path`` forms), without its query."""
    rest = uri.removeprefix("file:").split("?", 1)[0]
    if rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail if authority in ("", "localhost") or not tail else "/" + tail
        if len(rest) > 3 and rest[0] == "/" and rest[2] == ":" and rest[1].isalpha():
            rest = rest[1:]  # /C:/… is C:/…
    return unquote(rest)
