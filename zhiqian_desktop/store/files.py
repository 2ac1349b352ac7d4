"""The file store: contents of attachments and issued PDFs, kept once under their SHA-256.

Where they are kept follows the database (``file_store_for``):

- a plain SQLite file: a folder beside it (``<name>-files/ab/abcdef…``), as the file and its
  folder are copied, backed up and carried together;
- a court server (PostgreSQL): the ``stored_file`` table, so every desk sees the photo another
  desk attached, and the server's backup holds the files with the rows that name them;
- an encrypted SQLite file (SQLCipher): the ``stored_file`` table too, so the files are encrypted
  with the database instead of lying readable in a folder beside it.

The database store writes in the caller's transaction: a change that is rolled back leaves no
file behind, and a content already stored is not stored again. The folder store writes at once
(atomically, by rename); a file left by a rolled-back change is harmless (content-addressed,
reused by the next identical file).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.engine import sqlite_file
from zhiqian_desktop.store.locations import attachments_dir, data_dir
from zhiqian_desktop.store.models import StoredFile
from zhiqian_desktop.store.private import DIR_MODE
from zhiqian_desktop.store.temp_folders import make_temp_folder, release_temp_folder

Executor = Session | Connection
"""What the stores read and write through: the caller's session (or, copying a whole database,
its connection), so their writes belong to the caller's transaction."""

CHUNK = 4 * 1024 * 1024


# --- the folder store's primitives ----------------------------------------------------------------


def files_dir_for_url(url: str) -> Path:
    """The folder beside a database file (its attachments and audit key); for a database with no
    file, one folder in the user data directory (for desk-local things only, never contents)."""
    path = sqlite_file(url)
    if path is not None:
        return attachments_dir(path)
    return data_dir() / "zhiqian-files"


def stored_file_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def store_bytes(root: Path, payload: bytes, *, sync: bool = True) -> tuple[str, Path]:
    """Write ``payload`` once under its SHA-256 (atomically); an identical file is left as is.

    ``sync=False`` leaves the fsync to the caller (a batch syncs all its files once, before its
    commit, with ``sync_files``)."""
    sha = hashlib.sha256(payload).hexdigest()
    target = stored_file_path(root, sha)
    if target.is_file() and target.stat().st_size == len(payload):
        return sha, target
    write_atomically(target, payload, sync=sync)
    return sha, target


def write_atomically(target: Path, payload: bytes, *, sync: bool = True) -> None:
    """Write ``payload`` to ``target`` through a temporary name, so a reader never sees half a
    file (``sync=False``: the caller flushes to disk later, or the file is a throw-away copy)."""
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        renames.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _checked_source(source: Path, *, max_bytes: int, too_big: str) -> int:
    if not source.is_file():
        raise UserError(f"附件“{source}”不存在或不是文件；请重新选择")
    size = source.stat().st_size
    if size > max_bytes:
        raise UserError(too_big)
    return size


def _unreadable(source: Path, exc: OSError) -> UserError:
    return UserError(f"无法读取附件“{source}”（{exc.strerror or exc}）；请检查文件后重新选择")


def store_file(root: Path, source: Path, *, max_bytes: int, too_big: str) -> tuple[str, int]:
    """Copy a file into the folder without reading it into memory; its SHA-256 and size.

    `too_big` is the clerk's message when the file exceeds `max_bytes`."""
    size = _checked_source(source, max_bytes=max_bytes, too_big=too_big)
    digest = hashlib.sha256()
    try:
        with source.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise _unreadable(source, exc) from None
    sha = digest.hexdigest()
    target = stored_file_path(root, sha)
    if not target.exists():
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        # Copy to a temporary name and rename, so a crash never leaves half a file under the hash.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            renames.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return sha, size


SYNC_THREADS = 8
"""fsyncs in flight at once: the file system commits its journal once for all of them (a batch's
434 files: 2.2 s one after the other on a busy disk)."""


def _fsync_path(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _each(fn: Callable[[Path], None], paths: list[Path]) -> None:
    if len(paths) < 2:
        for path in paths:
            fn(path)
        return
    with ThreadPoolExecutor(min(SYNC_THREADS, len(paths))) as pool:
        list(pool.map(fn, paths))  # list(): an error is raised here


def sync_files(paths: Iterable[Path]) -> None:
    """Flush written files and the folders naming them to disk (before the commit that uses them)."""
    files = list(dict.fromkeys(paths))
    _each(_fsync_path, files)
    if os.name != "nt":  # folders cannot be opened for fsync on Windows
        _each(_fsync_folder, list(dict.fromkeys(path.parent for path in files)))


# --- copies for the system viewer -----------------------------------------------------------------

_viewing_dir: Path | None = None


def viewing_dir() -> Path:
    """A private folder (0700) for copies opened in the system viewer, removed when the program
    exits: contents kept inside a database must not pile up readable on a shared desk PC."""
    global _viewing_dir
    if _viewing_dir is None or not _viewing_dir.is_dir():
        _viewing_dir = make_temp_folder("zhiqian-view-")  # mode 0700
        atexit.register(release_temp_folder, _viewing_dir)
    return _viewing_dir


def write_for_viewer(target: Path, payload: bytes) -> Path:
    """Write a copy to open in the system viewer at ``target``; returns the path written.

    The clerk may still have the previous copy open: on Windows a PDF reader holds its file, so
    it cannot be replaced. A file with the same content is reused as it is; otherwise a held
    file gets a new name beside it (``name-2.pdf``). A failure the clerk can act on is a
    UserError, never a crash."""
    for n in range(1, 100):
        path = target if n == 1 else target.with_name(f"{target.stem}-{n}{target.suffix}")
        try:
            if (
                path.is_file()
                and path.stat().st_size == len(payload)
                and path.read_bytes() == payload
            ):
                return path
            write_atomically(path, payload, sync=False)
            return path
        except OSError as exc:
            if renames.held_by_another_program(exc):
                continue
            raise UserError(
                f"无法写入文件“{path}”（{exc.strerror or exc}）；请检查磁盘空间和文件夹权限后重试"
            ) from exc
    raise UserError(f"文件“{target}”及其副本都被其他程序打开着；请在PDF阅读器中关闭这些文件后重试")


def _viewer_name(filename: str, sha256: str) -> str:
    stem = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in filename).strip(". ")
    return f"{sha256[:8]}-{stem or 'file'}"


# --- the two stores -------------------------------------------------------------------------------


class FileStore(ABC):
    """Where a database keeps file contents; see the module's docstring for the two kinds."""

    in_database = False

    @abstractmethod
    def put_bytes(self, session: Executor, payload: bytes, *, sync: bool = True) -> str:
        """Store ``payload`` (once per content); its SHA-256. ``sync=False``: a folder store
        leaves the fsync to the caller (``sync_files``); the database store ignores it."""

    @abstractmethod
    def put_file(
        self, session: Executor, source: Path, *, max_bytes: int, too_big: str
    ) -> tuple[str, int]:
        """Store the file at ``source`` (refused beyond ``max_bytes`` with ``too_big``); its
        SHA-256 and size."""

    @abstractmethod
    def size_of(self, session: Executor, sha256: str) -> int | None:
        """The stored size, or None when the content is not in the store."""

    @abstractmethod
    def read(self, session: Executor, sha256: str) -> bytes | None:
        """The content, or None when it is not in the store (not checked against its hash)."""

    @abstractmethod
    def source(self, session: Executor, sha256: str) -> Path | bytes | None:
        """The content as a file to stream from when it lies in one, else as bytes (None when
        missing): what a package or kit writer takes."""

    @abstractmethod
    def copy_to(self, session: Executor, sha256: str, target: Path) -> bool:
        """Write the content to ``target`` (through a temporary name); False when missing."""

    @abstractmethod
    def where(self, sha256: str) -> str:
        """Where the content is (or should be), for a message to the clerk."""

    def viewable_copy(self, session: Executor, sha256: str, filename: str) -> Path | None:
        """A copy to open in the system viewer, in a private folder removed at exit; None when
        the content is missing."""
        target = viewing_dir() / _viewer_name(filename, sha256)
        if target.is_file() and target.stat().st_size == self.size_of(session, sha256):
            return target  # opened before, perhaps still open in the viewer: not rewritten
        return target if self.copy_to(session, sha256, target) else None


class FolderStore(FileStore):
    """Contents as files in a folder beside an SQLite database file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"FolderStore({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        return stored_file_path(self.root, sha256)

    def put_bytes(self, session: Executor, payload: bytes, *, sync: bool = True) -> str:
        return store_bytes(self.root, payload, sync=sync)[0]

    def put_file(
        self, session: Executor, source: Path, *, max_bytes: int, too_big: str
    ) -> tuple[str, int]:
        return store_file(self.root, source, max_bytes=max_bytes, too_big=too_big)

    def size_of(self, session: Executor, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except OSError:
            return None

    def read(self, session: Executor, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def source(self, session: Executor, sha256: str) -> Path | bytes | None:
        path = self.path(sha256)
        return path if path.is_file() else None

    def copy_to(self, session: Executor, sha256: str, target: Path) -> bool:
        path = self.path(sha256)
        if not path.is_file():
            return False
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            renames.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return True

    def where(self, sha256: str) -> str:
        return str(self.path(sha256))


class DatabaseStore(FileStore):
    """Contents as rows of ``stored_file`` in the database itself."""

    in_database = True

    def __repr__(self) -> str:
        return "DatabaseStore()"

    def put_bytes(self, session: Executor, payload: bytes, *, sync: bool = True) -> str:
        sha = hashlib.sha256(payload).hexdigest()
        # Writers are serialised (BEGIN IMMEDIATE on SQLite, the write advisory lock on the
        # server), so nobody can store the same content between this look and the insert.
        if self.size_of(session, sha) is None:
            session.execute(
                insert(StoredFile).values(sha256=sha, size=len(payload), content=payload)
            )
        return sha

    def put_file(
        self, session: Executor, source: Path, *, max_bytes: int, too_big: str
    ) -> tuple[str, int]:
        # One parameter holds the whole content: appending chunks to a bytea rewrites the value
        # each time. The size limit keeps this within a desk PC's memory.
        _checked_source(source, max_bytes=max_bytes, too_big=too_big)
        try:
            payload = source.read_bytes()
        except OSError as exc:
            raise _unreadable(source, exc) from None
        return self.put_bytes(session, payload), len(payload)

    def size_of(self, session: Executor, sha256: str) -> int | None:
        size = session.execute(
            select(StoredFile.size).where(StoredFile.sha256 == sha256)
        ).scalar_one_or_none()
        return None if size is None else int(size)

    def read(self, session: Executor, sha256: str) -> bytes | None:
        content = session.execute(
            select(StoredFile.content).where(StoredFile.sha256 == sha256)
        ).scalar_one_or_none()
        return None if content is None else bytes(content)

    def source(self, session: Executor, sha256: str) -> Path | bytes | None:
        return self.read(session, sha256)

    def chunks(self, session: Executor, sha256: str) -> Iterable[bytes] | None:
        """The content in pieces of CHUNK bytes (a 200 MB recording is never held whole)."""
        size = self.size_of(session, sha256)
        if size is None:
            return None

        def pieces() -> Iterable[bytes]:
            for start in range(0, size, CHUNK):
                piece = session.execute(
                    select(func.substr(StoredFile.content, start + 1, CHUNK)).where(
                        StoredFile.sha256 == sha256
                    )
                ).scalar_one()
                yield bytes(piece)

        return pieces()

    def copy_to(self, session: Executor, sha256: str, target: Path) -> bool:
        pieces = self.chunks(session, sha256)
        if pieces is None:
            return False
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for piece in pieces:
                    fh.write(piece)
            renames.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def where(self, sha256: str) -> str:
        return f"数据库的文件表（SHA-256 {sha256[:12]}…）"


# --- which store a database uses ------------------------------------------------------------------

ENCRYPTED_SQLITE_DRIVER = "pysqlcipher"


def keeps_files_inside(url: str) -> bool:
    """The rule: only a plain SQLite file keeps its files in a folder beside it; a server and an
    encrypted file keep them inside the database (and so does an in-memory database, which has
    no folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    if parsed.get_driver_name() == ENCRYPTED_SQLITE_DRIVER:
        return True
    return sqlite_file(url) is None


def file_store_for(url: str) -> FileStore:
    """The file store of the database at ``url`` (the rule is ``keeps_files_inside``)."""
    if keeps_files_inside(url):
        return DatabaseStore()
    return FolderStore(files_dir_for_url(url))


def file_store_of(session: Session) -> FileStore:
    """The file store of the database a session works on."""
    bind = session.get_bind()
    engine = bind if not isinstance(bind, Connection) else bind.engine
    return file_store_for(engine.url.render_as_string(hide_password=False))
