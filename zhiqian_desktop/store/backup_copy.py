"""The copy of a live database file that a backup starts from: the file's bytes, copied by the
kernel while SQLite's write lock keeps every writer out, and compared with the database.

Why the copy is a consistent snapshot:

- ``PRAGMA wal_checkpoint(TRUNCATE)`` first moves every committed page from the ``-wal`` file
  into the database file and empties the ``-wal`` file;
- ``BEGIN IMMEDIATE`` then takes the write lock: no other connection can commit (they wait on
  their busy timeout), and with an empty ``-wal`` a checkpoint has nothing to move, so the
  database file cannot change until the lock is released;
- the ``-wal`` file's size is looked at *under the lock*: only when it is zero (a writer may have
  committed between the checkpoint and the lock, or a reader kept the checkpoint from finishing)
  is the file alone the whole database; otherwise :func:`snapshot_copy` copies nothing and the
  caller uses SQLite's online backup instead.

While the lock is held each chunk of the copy is read back and compared byte for byte with the
database, so the file that becomes the backup holds exactly the database's bytes at that moment.
"""

from __future__ import annotations

import os
from io import FileIO
from pathlib import Path

from zhiqian_desktop.store import cipher

CHUNK = 1 << 22
"""Bytes copied and compared at a time (4 MiB)."""
LOCK_WAIT_MS = 2_000
"""How long the backup waits for readers (the checkpoint) and writers (the lock) before it
leaves the copy to SQLite's online backup, which needs neither."""


class CopyMismatch(Exception):
    """The copy does not hold the database's bytes (the offset of the first chunk that differs)."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"offset {offset}")
        self.offset = offset


def snapshot_copy(source: Path, dest: Path, key: str | None) -> bool:
    """Copy `source` into the existing file `dest` (fsynced) while holding its write lock.

    Returns False, having written nothing, when the database cannot be taken as a single file
    right now (a non-empty ``-wal`` under the lock, or the lock not granted in time)."""
    conn = cipher.open_file(source, read_only=False, key=key)
    try:
        conn.isolation_level = None  # the transaction below is ours, not the driver's
        conn.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy and busy[0]:
                return False  # a writer or a reader kept the -wal from being emptied
            conn.execute("BEGIN IMMEDIATE")
        except cipher.operational_errors():
            return False  # busy: another connection holds the lock for longer
        try:
            wal = Path(str(source) + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                return False
            _copy_compared(source, dest)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()
    return True


def _copy_compared(source: Path, dest: Path) -> None:
    with open(source, "rb", buffering=0) as src, open(dest, "r+b", buffering=0) as dst:
        dst.truncate(0)
        size = os.fstat(src.fileno()).st_size
        a, b = bytearray(CHUNK), bytearray(CHUNK)
        offset = 0
        while offset < size:
            n = min(CHUNK, size - offset)
            _copy_range(src, dst, offset, n, a)
            if not _same(src, dst, offset, n, a, b):
                raise CopyMismatch(offset)
            offset += n
        os.fsync(dst.fileno())


def _copy_range(src: FileIO, dst: FileIO, offset: int, n: int, buf: bytearray) -> None:
    """Bytes [offset, offset + n) of `src` into `dst` at the same offset: by the kernel where it
    can (Linux), else through `buf`."""
    if hasattr(os, "copy_file_range"):
        done = 0
        while done < n:
            step = os.copy_file_range(
                src.fileno(), dst.fileno(), n - done, offset + done, offset + done
            )
            if step == 0:
                raise OSError(f"the database file ended at {offset + done} while being copied")
            done += step
        return
    view = memoryview(buf)[:n]
    src.seek(offset)
    _read_exactly(src, view)
    dst.seek(offset)
    dst.write(view)


def _same(src: FileIO, dst: FileIO, offset: int, n: int, a: bytearray, b: bytearray) -> bool:
    src.seek(offset)
    dst.seek(offset)
    if n == len(a):
        _read_exactly(src, memoryview(a))
        _read_exactly(dst, memoryview(b))
        return a == b
    return _read(src, n) == _read(dst, n)


def _read_exactly(f: FileIO, view: memoryview) -> None:
    got = 0
    while got < len(view):
        step = f.readinto(view[got:])
        if not step:
            raise OSError("short read while comparing the backup with the database")
        got += step


def _read(f: FileIO, n: int) -> bytes:
    buf = bytearray(n)
    _read_exactly(f, memoryview(buf))
    return bytes(buf)


def settle(path: Path, key: str | None) -> None:
    """Open the copy through SQLite (with the database's key) and make it a file that stands
    alone: rollback-journal mode, so it needs no ``-wal``/``-shm`` beside it and opens read-only
    anywhere. Reading the schema proves the key opens it, and the header's page count must
    account for every byte of the file (a copy cut short would not)."""
    size = path.stat().st_size
    conn = cipher.open_file(path, read_only=False, key=key)
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchall()
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    if pages * page_size != size:
        raise CopyMismatch(min(pages * page_size, size))
