"""Backups of the SQLite database through the online backup API, verified, rotated and restored."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from zhiqian_desktop.domain.errors import UserError

BACKUP_NAME = re.compile(r"^zhiqian-(\d{8})-(\d{6})(?:-[\w-]+)?\.db$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime


def _verify(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        # A badly damaged file fails the check itself ("database disk image is malformed").
        raise UserError(f"备份文件“{path}”已损坏（{exc}），不能使用") from exc
    finally:
        conn.close()
    if not result or result[0] != "ok":
        raise UserError(f"备份文件“{path}”完整性检查未通过（{result[0] if result else '无结果'}）")


def backup_to(source: Path, dest: Path) -> Path:
    """Copy a live database with SQLite's online backup, verify the copy, then move it into place.

    The copy is written under a temporary name and renamed only after integrity_check passes, so
    a crash or a full disk never leaves a file that looks like a good backup.
    """
    if not source.exists():
        raise UserError(f"数据库文件“{source}”不存在，无法备份")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True, timeout=15)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    except sqlite3.OperationalError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"备份写入“{dest.parent}”失败：{exc}；请检查磁盘空间和目录权限") from exc
    finally:
        src.close()
    try:
        _verify(tmp)
    except UserError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, dest)
    return dest


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
    if not backup.exists():
        raise UserError(f"备份文件“{backup}”不存在")
    with backup.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise UserError(f"“{backup}”不是数据库备份文件")
    _verify(backup)
    src = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=15)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def last_backup_age(folder: Path, now: datetime) -> timedelta | None:
    backups = list_backups(folder)
    return now - backups[0].taken_at if backups else None
