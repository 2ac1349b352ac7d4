"""Files that hold court data are private to the account that runs the app: 0600, their folders
0700 on POSIX. On Windows a file inherits the ACLs of the user's profile folder, which already
keeps other accounts out, so nothing is changed there.

Three layers: the process runs with umask 077 (every file it creates, whatever library writes
it, starts private); the store creates the database, its backups, packages and keys with an
explicit 0600 mode (so a caller that never set the umask gets the same); and opening a database
makes its existing files and folders private, so a database written by an earlier version is
fixed the first time it is opened.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from zhiqian_desktop.store import renames

POSIX = os.name == "posix"
FILE_MODE = 0o600
DIR_MODE = 0o700
PRIVATE_UMASK = 0o077
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def restrict_process() -> None:
    """Every file and folder this process creates from now on is private (umask 077)."""
    if POSIX:
        os.umask(PRIVATE_UMASK)


def open_private(path: Path, *, exclusive: bool = True) -> int:
    """A new file opened for writing with mode 0600 (a file descriptor)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    flags |= getattr(os, "O_BINARY", 0)
    return os.open(path, flags, FILE_MODE)


def write_once(path: Path, data: bytes) -> None:
    """Create ``path`` (0600, its folder 0700) holding ``data`` unless it exists already: a key
    written once and never replaced. Written under a temporary name and linked into place, so
    no reader sees half a file and one another process made first stands; on a file system
    without hard links (FAT on a USB stick) a rename does it."""
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.urandom(4).hex()}.part")
    try:
        with os.fdopen(open_private(tmp), "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:
            if not path.exists():
                renames.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (a new SQLite file before SQLite
    writes it: SQLite gives the -wal and -shm files the database file's own mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(open_private(path))


def make_private(path: Path) -> None:
    """0600 for a regular file, 0700 for a folder; symbolic links and others are left alone."""
    if not POSIX:
        return
    try:
        st = path.lstat()
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode):
        wanted = DIR_MODE
    elif stat.S_ISREG(st.st_mode):
        wanted = FILE_MODE
    else:
        return
    if stat.S_IMODE(st.st_mode) & 0o777 != wanted:
        with contextlib.suppress(OSError):  # a file of another owner: reported by nobody here
            os.chmod(path, wanted)


def make_tree_private(folder: Path) -> None:
    """``folder`` and everything below it (not following links)."""
    if not POSIX or not folder.is_dir() or folder.is_symlink():
        return
    make_private(folder)
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in (*dirs, *files):
            make_private(base / name)


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` (and missing parents) with mode 0700; an existing one is made private."""
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    make_private(folder)


def make_database_private(database: Path, folders: tuple[Path, ...]) -> None:
    """A database file, its SQLite companions and the app's folders beside it (files, backups)."""
    if not POSIX:
        return
    for suffix in DATABASE_COMPANIONS:
        make_private(Path(f"{database}{suffix}"))
    for folder in folders:
        make_tree_private(folder)
