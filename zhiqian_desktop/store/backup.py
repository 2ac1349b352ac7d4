"""Backups of the SQLite database: copied whole under the write lock (or through the online backup
API), verified, rotated and restored.

A backup of an encrypted database is encrypted with the same key (and salt), so the same
passphrase opens it; it is verified through that key after writing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.backup_copy import CopyMismatch, settle, snapshot_copy
from zhiqian_desktop.store.outputs import place
from zhiqian_desktop.store.private import DIR_MODE, create_private

BACKUP_NAME = re.compile(r"^zhiqian-(\d{8})-(\d{6})(?:-[\w-]+)?\.db$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime


# What SQLite leaves beside a file it was writing when the process died.
LEFTOVERS = ("-journal", "-wal", "-shm")
LEFTOVER_AGE = timedelta(hours=1)


def _remove_part(tmp: Path) -> None:
    for suffix in ("", *LEFTOVERS):
        Path(str(tmp) + suffix).unlink(missing_ok=True)


def _verify(path: Path, key: str | None = None, *, full: bool = True) -> None:
    """SQLite's check of a database file: ``integrity_check`` (``full``), else ``quick_check``.

    A backup made by the online backup gets ``quick_check`` (every page read, the structure of
    every b-tree and record checked): SQLite wrote that copy page by page. A backup copied whole
    was compared byte for byte with the database instead, so it is sound exactly when the database
    is, which the checks at start, before a write and in ``zhiqian check`` look after
    (docs/data-safety.md). A file about to replace the database (a restore) gets the full check."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        conn = cipher.open_file(path, read_only=True, key=key)
    except cipher.PassphraseRequired as exc:
        raise UserError(
            f"备份文件“{path}”已加密，需先输入其数据库的口令才能检查或恢复；"
            "请打开该加密数据库后再操作"
        ) from exc
    try:
        result = conn.execute(f"PRAGMA {pragma}").fetchone()
    except cipher.database_errors() as exc:
        if key is not None and "not a database" in str(exc):
            raise UserError(
                f"备份文件“{path}”无法用当前数据库的口令解开（可能是用其他口令加密的，"
                "或已损坏），不能使用"
            ) from exc
        # A badly damaged file fails the check itself ("database disk image is malformed").
        raise UserError(f"备份文件“{path}”已损坏（{exc}），不能使用") from exc
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise UserError(f"备份文件“{path}”完整性检查未通过（{result[0] if result else '无结果'}）")


def backup_to(source: Path, dest: Path, *, replace: bool = True, check: bool = False) -> Path:
    """Copy a live database, verify the copy, then move it into place.

    The copy is the file's bytes taken under SQLite's write lock and compared with the database
    as it is written (store/backup_copy.py); when the database cannot be taken as one file at that
    moment, SQLite's online backup makes it and ``quick_check`` checks it. ``check`` adds
    ``quick_check`` in every case: for a backup that is the only check before a migration.

    The copy is written under a temporary name and renamed only once verified, so a crash or a
    full disk never leaves a file that looks like a good backup. A destination the clerk named is
    checked first (store/outputs.py) and replaced only with ``replace``.
    """
    if not source.exists():
        raise UserError(f"数据库文件“{source}”不存在，无法备份")
    dest.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    # A backup killed half-way leaves its part file and SQLite's rollback journal for it.
    _remove_part(tmp)
    create_private(tmp)  # SQLite gives its journal the file's mode
    remove_leftovers(dest.parent)
    key = None if cipher.is_plain(source) else cipher.key_for(source)
    failures: tuple[type[BaseException], ...] = (OSError, *cipher.database_errors())
    try:
        whole = snapshot_copy(source, tmp, key)
        if whole:
            settle(tmp, key)
        else:
            _online_copy(source, tmp, key)
    except CopyMismatch as exc:
        _remove_part(tmp)
        raise UserError(
            f"备份“{dest}”与数据库的内容不一致（自第 {exc.offset} 字节起），未保存；"
            "请重试，若再次出现请检查磁盘"
        ) from exc
    except failures as exc:
        _remove_part(tmp)
        raise UserError(f"备份写入“{dest.parent}”失败：{exc}；请检查磁盘空间和目录权限") from exc
    try:
        if check or not whole:
            _verify(tmp, key, full=False)
        place(tmp, dest, force=replace)
    except UserError:
        _remove_part(tmp)
        raise
    return dest


def _online_copy(source: Path, tmp: Path, key: str | None) -> None:
    """SQLite's online backup: consistent under a read transaction whatever the -wal holds."""
    src = cipher.open_file(source, read_only=True, key=key)
    try:
        out = cipher.open_file(tmp, read_only=False, key=key)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    finally:
        src.close()


def remove_leftovers(folder: Path, *, older_than: timedelta = LEFTOVER_AGE) -> list[Path]:
    """Delete part files (and their journals) left in a backup folder by a backup that was
    killed; a finished backup never has one. Only files untouched for `older_than` go, so a
    backup another window is writing right now is left alone. Returns what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    limit = datetime.now().timestamp() - older_than.total_seconds()
    for path in folder.iterdir():
        base = path.name
        for suffix in LEFTOVERS:
            base = base.removesuffix(suffix)
        if not (base.endswith(".part") and BACKUP_NAME.match(base.removesuffix(".part"))):
            continue
        try:
            if path.stat().st_mtime > limit:
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def backup_name(now: datetime, label: str | None = None) -> str:
    suffix = f"-{label}" if label else ""
    return f"zhiqian-{now:%Y%m%d-%H%M%S}{suffix}.db"


def list_backups(folder: Path) -> list[BackupFile]:
    found: list[BackupFile] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        m = BACKUP_NAME.match(path.name)
        if m:
            taken = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
            found.append(BackupFile(path, taken))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def backups_to_keep(taken: Iterable[datetime], today: date) -> set[datetime]:
    """Thinning policy: every backup of the last 7 days, then the newest of each ISO week for
    about two months (9 weeks); older ones go. The newest backup is always kept."""
    stamps = sorted(taken, reverse=True)
    keep: set[datetime] = set(stamps[:1])
    seen_days: set[date] = set()
    seen_weeks: set[tuple[int, int]] = set()
    for stamp in stamps:
        day = stamp.date()
        age = (today - day).days
        if age < 7:
            if day not in seen_days:
                seen_days.add(day)
                keep.add(stamp)
        elif age < 7 + 9 * 7:
            week = _week(day)
            if week not in seen_weeks:
                seen_weeks.add(week)
                keep.add(stamp)
    return keep


def rotate(folder: Path, today: date) -> list[Path]:
    """Delete backups the policy no longer keeps; returns what was removed."""
    backups = list_backups(folder)
    keep = backups_to_keep((b.taken_at for b in backups), today)
    removed = []
    for b in backups:
        if b.taken_at not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def restore_from(backup: Path, target: Path) -> None:
    """Replace the contents of `target` with `backup`, through the backup API (never a file copy
    over a live database). The caller backs up the current database first."""
    key = check_restorable(backup, target)
    if key is not None:
        # The restored file stays encrypted with the backup's key; remember it for the target.
        cipher.remember(target, key)
    src = cipher.open_file(backup, read_only=True, key=key)
    try:
        dst = cipher.open_file(target, read_only=False, key=key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def check_restorable(backup: Path, target: Path) -> str | None:
    """Refuse a file that cannot replace `target` (missing, not a backup, damaged, encrypted
    otherwise than `target`), before anything is done; the key it opens with (None: plain)."""
    if not backup.is_file():
        if backup.exists():
            raise UserError(f"“{backup}”不是文件；请选择备份文件（.db）")
        raise UserError(f"备份文件“{backup}”不存在")
    plain = cipher.is_plain(backup)
    if not plain and not cipher.looks_encrypted(backup):
        raise UserError(f"“{backup}”不是数据库备份文件")
    target_key = None
    if target.exists() and target.stat().st_size and not cipher.is_plain(target):
        target_key = cipher.key_for(target)
    if not plain and target.exists() and target.stat().st_size and cipher.is_plain(target):
        raise UserError(
            f"备份文件“{backup}”是加密的，而当前数据库没有加密；未恢复。"
            "请打开原来的加密数据库再恢复，或选用未加密的备份"
        )
    if plain and target_key is not None:
        raise UserError(
            f"备份文件“{backup}”没有加密，而当前数据库是加密的；恢复后数据将不再加密，"
            "因此未恢复；请选用加密数据库的备份"
        )
    key = None if plain else (target_key or cipher.key_for(backup))
    if not plain and key is None:
        raise UserError(
            f"备份文件“{backup}”已加密，当前打开的数据库口令解不开它；请先打开该加密数据库再恢复"
        )
    _verify(backup, key)
    _refuse_foreign(backup, key)
    return key


def _refuse_foreign(backup: Path, key: str | None) -> None:
    """A sound SQLite file that is not a backup of this app's database is not restored."""
    conn = cipher.open_file(backup, read_only=True, key=key)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    if not {"supervision_case", "audit_event"} <= names:
        raise UserError(f"“{backup}”不是本系统数据库的备份（其中没有案件台账）；未恢复")


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def last_backup_age(folder: Path, now: datetime) -> timedelta | None:
    backups = list_backups(folder)
    return now - backups[0].taken_at if backups else None
