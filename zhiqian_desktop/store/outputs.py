"""Where the app may write a file the clerk asked for: one check that every writer uses.

Every output the clerk names — an ``-o`` on the command line, a path picked in a save dialog, the
folder a kit is opened in — goes through ``check_output_file`` (or ``check_output_folder``) before
anything else happens, and is put in place with ``place`` (temporary name, then rename):

- never onto a database: the one this process has open, the default one in the user data
  directory, or any file that is in use as a database (WAL header, ``-wal``/``-shm``/``-journal``
  beside it), nor onto a database's companion files (``-wal``, ``-shm``, ``-journal``, ``.lock``);
- never into the folders that belong to a database or to the app (the files folder beside a
  database with its ``audit.key`` and ``court.key``, its ``backups`` folder, the user data
  directory);
- never onto a directory, a device or any other file that is not a regular file;
- an existing file only when the clerk said so (``--force``; in the desktop app the save dialog's
  "replace?" question): otherwise the name is taken atomically, so a file that appears in the
  meantime is not overwritten either.

`os.replace(tmp, target)` replaces whatever ``target`` names, so these checks come first.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from zhiqian_desktop.domain.errors import AlreadyExists, UserError
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.locations import (
    attachments_dir,
    backups_dir,
    data_dir,
    default_database_path,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal", ".lock")
"""Files SQLite (and the desktop app's single-instance lock) keep beside a database."""


class OutputRefused(UserError):
    """The place the clerk chose for an output is not one the app may write to."""


class OutputExists(OutputRefused, AlreadyExists):
    """The file exists and the clerk did not say to replace it (the command line's --force, the
    save dialog's question)."""


_open_databases: Counter[Path] = Counter()
_lock = threading.Lock()


def watch_database(path: Path) -> None:
    """A database file this process has open: no output may land on it, its companions or in
    its own folders while it is open (a closed one of ours is still recognised by its WAL header
    and the files beside it, ``database_in_use``)."""
    with _lock:
        _open_databases[_absolute(path)] += 1


def unwatch_database(path: Path) -> None:
    key = _absolute(path)
    with _lock:
        _open_databases[key] -= 1
        if _open_databases[key] <= 0:
            del _open_databases[key]


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _databases() -> list[Path]:
    with _lock:
        known = set(_open_databases)
    known.add(_absolute(default_database_path()))
    return sorted(known)


def _forms(path: Path) -> set[Path]:
    """The path as written (made absolute) and with every symbolic link resolved."""
    absolute = _absolute(path)
    forms = {absolute}
    with contextlib.suppress(OSError, RuntimeError):  # a loop of links: the written form counts
        forms.add(absolute.resolve())
    return forms


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _protected_folders() -> Iterator[tuple[Path, str]]:
    folders = [(data_dir(), "本程序的数据目录")]
    for database in _databases():
        folders.append((attachments_dir(database), f"数据库“{database.name}”的附件和密钥文件夹"))
        folders.append((backups_dir(database), f"数据库“{database.name}”的备份文件夹"))
    for folder, label in folders:
        for form in _forms(folder):
            yield form, label


def _protected_files() -> Iterator[Path]:
    for database in _databases():
        for suffix in ("", *COMPANIONS):
            yield from _forms(Path(str(database) + suffix))


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(100)
    except OSError:
        return b""


def database_in_use(path: Path) -> bool:
    """Whether ``path`` is a database the app works on, rather than a copy of one: the app keeps
    its databases in WAL mode (a backup is in rollback mode), and SQLite keeps companion files
    beside a database while it is open or was left by a crash."""
    if any(os.path.lexists(str(path) + suffix) for suffix in COMPANIONS):
        return True
    header = _header(path)
    return header.startswith(SQLITE_MAGIC) and header[18:20] == b"\x02\x02"


def _companion_of_a_database(path: Path) -> bool:
    name = path.name
    for suffix in COMPANIONS:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = path.with_name(name[: -len(suffix)])
            if base.is_file():
                return True
    return False


def _files_folder_of_a_database(path: Path) -> Path | None:
    """The folder beside a database holding its attachments and keys, if ``path`` is in one."""
    for folder in path.parents:
        if not folder.name.endswith("-files"):
            continue
        if (folder / "audit.key").is_file():
            return folder
        stem = folder.name.removesuffix("-files")
        try:
            siblings = [folder.parent / stem, *folder.parent.glob(f"{_glob_escape(stem)}.*")]
        except OSError:
            continue
        if any(_header(s).startswith(SQLITE_MAGIC) for s in siblings if s.is_file()):
            return folder
    return None


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def refuse_protected(target: Path, what: str = "文件", *, allow: Iterable[Path] = ()) -> None:
    """The location rule alone: not a database or its companion, not in a folder of the app's
    (except the folders in ``allow``: a backup may go where the backups are)."""
    forms = _forms(target)
    allowed = {form for folder in allow for form in _forms(folder)}
    for form in forms:
        for protected in _protected_files():
            if form == protected:
                raise OutputRefused(
                    f"“{target}”是数据库或其附属文件，不能作为保存位置；请另选文件名或文件夹"
                )
        if any(_within(form, folder) for folder in allowed):
            continue
        for folder, label in _protected_folders():
            if _within(form, folder):
                raise OutputRefused(
                    f"“{target}”在{label}中，不能把{what}保存在那里；请另选保存位置"
                )
        if _companion_of_a_database(form):
            raise OutputRefused(
                f"“{target}”是数据库的附属文件（SQLite 日志或锁），不能作为保存位置；请另选文件名"
            )
        files_folder = _files_folder_of_a_database(form)
        if files_folder is not None:
            raise OutputRefused(
                f"“{target}”在数据库的附件和密钥文件夹“{files_folder}”中，"
                f"不能把{what}保存在那里；请另选保存位置"
            )


def _same_file_as_protected(st: os.stat_result) -> Path | None:
    for protected in _protected_files():
        try:
            if os.path.samestat(st, os.stat(protected)):
                return protected
        except OSError:
            continue
    return None


def _check_parent(target: Path) -> None:
    parent = _absolute(target).parent
    if not parent.is_dir():
        raise OutputRefused(f"保存位置“{parent}”不存在或不是文件夹；请选择已有的文件夹")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputRefused(f"不能写入文件夹“{parent}”（没有写入权限）；请另选保存位置")


def check_output_file(
    target: Path | str, *, force: bool = False, allow: Iterable[Path] = ()
) -> Path:
    """Check a file the clerk asked for, before anything is written (to it or to the database);
    returns the absolute path to write. OutputRefused says why not and what to do instead.
    ``allow``: folders of the app's where this output belongs all the same (``refuse_protected``)."""
    if not str(target).strip():
        raise OutputRefused("没有指定保存位置；请写出文件名，如 -o 文件名")
    path = _absolute(Path(target))
    refuse_protected(path, allow=allow)
    if os.path.lexists(path):
        try:
            st = os.stat(path)
        except OSError:  # a link to nowhere: replacing the link harms nothing, but ask first
            st = None
        if st is not None:
            if stat.S_ISDIR(st.st_mode):
                raise OutputRefused(f"“{path}”是一个文件夹；请写出要保存的文件名")
            if not stat.S_ISREG(st.st_mode):
                raise OutputRefused(
                    f"“{path}”不是普通文件（是设备、管道或其他特殊文件），不能作为保存位置；"
                    "请另选文件名"
                )
            if _same_file_as_protected(st) is not None or database_in_use(path):
                raise OutputRefused(
                    f"“{path}”是正在使用的数据库（或其链接），不能覆盖；请另选文件名"
                )
        if not force:
            raise OutputExists(f"文件“{path}”已存在，未覆盖；请另选文件名")
    _check_parent(path)
    return path


def check_output_folder(
    target: Path | str, *, new: bool = False, force: bool = False, what: str = "文件"
) -> Path:
    """Check a folder the clerk chose to write into; returns its absolute path.

    ``new``: the folder must not exist yet (it becomes the output, e.g. a transfer package).
    Otherwise an existing folder must be empty unless ``force`` (the clerk accepts sharing it).
    """
    if not str(target).strip():
        raise OutputRefused("没有指定文件夹；请写出文件夹路径")
    path = _absolute(Path(target))
    refuse_protected(path, what)
    if os.path.lexists(path):
        if not path.is_dir():
            raise OutputRefused(f"“{path}”不是文件夹；请另选一个新的文件夹名")
        if new:
            raise OutputRefused(f"文件夹“{path}”已存在；{what}需写入一个新的文件夹，请另选名称")
        if not force and any(True for _ in _entries(path)):
            raise OutputExists(
                f"文件夹“{path}”不是空的；请选择一个空文件夹或新的文件夹名", folder=True
            )
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputRefused(f"不能写入文件夹“{path}”（没有写入权限）；请另选保存位置")
        return path
    _check_parent(path)
    return path


def _entries(folder: Path) -> Iterable[Path]:
    try:
        yield from folder.iterdir()
    except OSError as exc:
        raise OutputRefused(f"无法读取文件夹“{folder}”（{exc.strerror}）；请另选保存位置") from exc


def place(tmp: Path, target: Path, *, force: bool) -> None:
    """Move the finished temporary file ``tmp`` to ``target`` (same folder).

    Without ``force`` the name is taken only if it is still free: a file that appeared since the
    check is never overwritten (a hard link is atomic; on Windows a rename never replaces)."""
    if force:
        renames.replace(tmp, target)
        return
    if os.name == "nt":
        try:
            renames.rename(tmp, target)
        except FileExistsError:
            raise _taken(target) from None
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise _taken(target) from None
    except OSError:
        # A file system without hard links (FAT on a USB stick): the check just made stands.
        if os.path.lexists(target):
            raise _taken(target) from None
        renames.replace(tmp, target)
        return
    os.unlink(tmp)


def _taken(target: Path) -> OutputRefused:
    return OutputExists(f"文件“{target}”在保存过程中被其他程序创建，未覆盖；请另选文件名")


def write_output(target: Path | str, payload: bytes, *, force: bool = False) -> Path:
    """Check ``target``, write ``payload`` under a temporary name beside it, flush it to disk,
    then put it in place; returns the path written. A failure leaves no partial file."""
    path = check_output_file(target, force=force)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        place(Path(tmp), path, force=force)
    except OSError as exc:
        raise OutputRefused(
            f"无法写入“{path}”（{exc.strerror or exc}）；请检查磁盘空间和权限，或另选保存位置"
        ) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
