"""The attachments store: file contents kept once under their SHA-256, beside the database."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.locations import attachments_dir, data_dir


def files_dir_for_url(url: str) -> Path:
    """Where the contents of a database's attachments and documents live: the folder beside a
    database file, or (for a server database) one folder in the user data directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return attachments_dir(Path(parsed.database))
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
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, target


def store_file(root: Path, source: Path, *, max_bytes: int, too_big: str) -> tuple[str, int]:
    """Copy a file into the store without reading it into memory; its SHA-256 and size.

    `too_big` is the clerk's message when the file exceeds `max_bytes`."""
    if not source.is_file():
        raise UserError(f"附件“{source}”不存在或不是文件；请重新选择")
    size = source.stat().st_size
    if size > max_bytes:
        raise UserError(too_big)
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    target = stored_file_path(root, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a temporary name and rename, so a crash never leaves half a file under the hash.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return sha, size


def sync_files(paths: Iterable[Path]) -> None:
    """Flush written files and the folders naming them to disk (before the commit that uses them)."""
    folders: set[Path] = set()
    for path in dict.fromkeys(paths):
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        folders.add(path.parent)
    if os.name == "nt":  # folders cannot be opened for fsync on Windows
        return
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
