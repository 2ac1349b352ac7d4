"""Opening the app's database, and the administrator's backup, restore and check."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import ChainReport, verify_chain
from zhiqian_desktop.services.supervision.due_items import keep_in_step
from zhiqian_desktop.store import backup as backups
from zhiqian_desktop.store import cipher, renames
from zhiqian_desktop.store.database import Database, open_database
from zhiqian_desktop.store.engine import quick_check, sqlite_file
from zhiqian_desktop.store.instance_lock import replace_error
from zhiqian_desktop.store.locations import audit_heads_path, backups_dir
from zhiqian_desktop.store.outputs import check_output_file, refuse_protected
from zhiqian_desktop.store.private import DIR_MODE
from zhiqian_desktop.store.seals import (
    PROBLEM_WORDS,
    TABLE_WORDS,
    SealReport,
    anchor_restoring,
    check_seals,
    reanchor,
)


def open_app_database(url: str, *, check: bool = True) -> Database:
    """Open and migrate; the pre-migration backup goes to the folder beside the database. Its
    sessions keep the stored due items in step with every write (services/supervision/due_items.py).

    With `check=False` the caller runs `integrity_check_quick` itself later (the desktop start).
    """
    database = sqlite_file(url)
    folder = backups_dir(database) if database is not None else None
    db = open_database(url, backup_dir=folder, check=check)
    keep_in_step(db)
    return db


def integrity_check_quick(db: Database) -> None:
    """PRAGMA quick_check; raises DamagedDatabase with the way out when the file is damaged."""
    quick_check(db.engine)


def _require_file(db: Database) -> Path:
    path = db.path
    if path is None:
        raise UserError("此操作只适用于本机数据库文件；服务器数据库请由信息技术人员用 pg_dump 备份")
    return path


def take_backup(
    db: Database,
    dest: Path | None = None,
    *,
    label: str | None = None,
    force: bool = False,
    into_folder: bool = False,
) -> Path:
    """Back up now (online backup API), verified; into the rotation folder, or to `dest` the
    clerk chose: a file, or a folder to put it in (an existing one, or any with `into_folder`,
    made if missing). It must be a place outputs may go (store/outputs.py), the database's own
    backups folder included; an existing file is replaced only with `force`."""
    path = _require_file(db)
    if dest is None:
        return _backup(db, backups_dir(path) / backups.backup_name(datetime.now(), label))
    own = [backups_dir(path)]  # a backup may go where the backups are
    if into_folder or dest.is_dir():
        refuse_protected(dest, "备份", allow=own)
        dest.mkdir(parents=True, exist_ok=True)
        dest = dest / backups.backup_name(datetime.now(), label)
    elif not dest.parent.exists():
        refuse_protected(dest, "备份", allow=own)
        dest.parent.mkdir(parents=True)  # a backup may go to a new folder
    dest = check_output_file(dest, force=force, allow=own)
    return _backup(db, dest, replace=force)


def _backup(db: Database, dest: Path, *, replace: bool = True) -> Path:
    written = backups.backup_to(_require_file(db), dest, replace=replace)
    record_head(db, "backup", written)
    return written


def restore(db: Database, source: Path, *, actor: Actor | None = None) -> Path:
    """Replace the database's contents with a backup; the current state is backed up first.

    Returns the safety backup's path so the clerk can go back if the wrong file was chosen.
    Only an administrator restores (`actor`; the command line passes the logged-in user).
    """
    if actor is not None:
        actor.require_admin()
    path = _require_file(db)
    if source.resolve() == path.resolve():
        raise UserError("不能用数据库自身作为备份来恢复")
    backups.check_restorable(source, path)  # before anything is written, the safety backup too
    safety = take_backup(db, label="before-restore")
    # Said before the contents change: a restore killed part-way leaves the old database or the
    # restored one, and `check` must know which to compare the recorded heads with.
    restored = _head_of_file(source)
    _record_line(path, "restoring", source, restored, extra={"from": _head(db)})
    db.engine.dispose()
    anchor_restoring(path, _known(restored))
    backups.restore_from(source, path)
    reanchor(path)
    record_head(db, "restore", source)
    return safety


NOT_VERIFIED = "数据库文件已损坏，未核对审计记录"


@dataclass(frozen=True)
class CheckReport:
    integrity: str
    chain: ChainReport
    records: SealReport

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.chain.ok and self.records.ok


def check(db: Database, progress: Callable[[int], None] | None = None) -> CheckReport:
    """Full integrity check of the file (SQLite), verification of the audit chain, of every
    audited row against its seal and of the chain's head against its anchor (store/seals.py).
    ``progress(rows)`` is told how many rows have been checked so far."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        # SQLite runs integrity_check without the interpreter lock: on a second core it reads
        # the file while this thread walks the chain and the seals.
        integrity_check = pool.submit(_integrity, db)
        try:
            with db.reader() as session:
                chain = verify_chain(session)
                records = check_seals(session.connection(), progress)
        except DatabaseError:
            chain, records = ChainReport(0, None, NOT_VERIFIED), SealReport(0, (), None)
        integrity = integrity_check.result()
    if integrity != "ok":
        # The audit records of a damaged file cannot be trusted to be read, let alone verified.
        return CheckReport(
            integrity, ChainReport(0, None, NOT_VERIFIED), SealReport(0, (), NOT_VERIFIED)
        )
    if chain.ok:
        chain = _check_heads(db, chain)
    return CheckReport(integrity, chain, records)


def _integrity(db: Database) -> str:
    if not db.is_sqlite:
        return "ok"
    try:
        with db.reader() as session:  # a read transaction: writers are not held up meanwhile
            rows = [str(r[0]) for r in session.execute(text("PRAGMA integrity_check"))]
    except DatabaseError as exc:  # damaged beyond what the check itself can walk
        rows = [str(exc.orig)]
    return "ok" if rows == ["ok"] else " ".join(" ".join(rows[:5]).split())


def records_lines(records: SealReport) -> list[str]:
    """What a check says about the seals of the records and the anchored head."""
    if records.key_missing:
        return [
            "记录封印：密钥文件 records.key 缺失，无法核对；如数据库是从其他电脑复制来的，"
            "请把原电脑上数据库旁的附件文件夹一并复制过来"
        ]
    out = []
    if not records.problems:
        out.append(f"记录封印：{records.rows} 条记录均与封印一致（没有绕过本系统的改动）")
    else:
        out.append(f"记录封印：发现{len(records.problems)}处绕过本系统的改动：")
        out.extend(
            f"  {TABLE_WORDS.get(p.table, p.table)} {p.label or p.row_id}：{PROBLEM_WORDS[p.problem]}"
            for p in records.problems
        )
    if records.anchor is not None:
        out.append(f"审计链锚点：{records.anchor}")
    return out


def summary_lines(report: CheckReport) -> list[str]:
    """The whole result of a check, one line per part (the desktop shows them)."""
    integrity = "正常" if report.integrity == "ok" else f"未通过（{report.integrity}）"
    chain = report.chain
    if chain.ok:
        audit_line = f"审计记录：{chain.events} 条，哈希链完整"
    else:
        audit_line = f"审计记录：第 {chain.first_broken_seq} 号处断开（{chain.reason}）"
    return [f"完整性检查：{integrity}", audit_line, *records_lines(report.records)]


def damage_of(path: Path) -> str | None:
    """What is wrong with a database file that is damaged (PRAGMA quick_check, first finding),
    or None when it is sound or cannot be looked at now (missing, busy, encrypted with a
    passphrase not given in this run). For a command that failed in an unexpected way: a damaged
    file fails anywhere, and the clerk needs to hear that rather than a traceback."""
    if not path.is_file():
        return None
    try:
        conn = cipher.open_file(path, read_only=True)
    except UserError:
        return None
    except cipher.database_errors():
        return None
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except cipher.database_errors() as exc:
        text = str(exc)
        if "locked" in text or "unable to open" in text:
            return None
        return text
    finally:
        conn.close()
    if rows == ["ok"]:
        return None
    return rows[0].splitlines()[-1] if rows and rows[0].strip() else "完整性检查未通过"


# --- the chain's head recorded outside the database ----------------------------------------------

DATA_ACTIONS_EXCLUDED = ("login", "login_failed", "login_locked")
"""Logins change counters, not the court's data: they do not make a backup necessary."""


Head = tuple[int, str | None]
"""The audit chain's last event: (seq, hash); (0, None) for a chain with no events."""


def _head(db: Database) -> Head:
    with db.reader() as session:
        row = session.execute(
            text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
        ).first()
    return (int(row.seq), str(row.hash)) if row else (0, None)


def _head_of_file(path: Path) -> Head | None:
    """The chain's head in a database file (a backup), read-only; None when it cannot be read."""
    try:
        conn = cipher.open_file(path, read_only=True)
    except (UserError, OSError):
        return None
    except cipher.database_errors():
        return None
    try:
        row = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    except cipher.database_errors():
        return None
    finally:
        conn.close()
    return (int(row[0]), str(row[1])) if row else (0, None)


def _known(head: Head | None) -> tuple[int, str] | None:
    return (head[0], head[1]) if head is not None and head[1] is not None else None


def _record_line(
    database: Path,
    what: str,
    target: Path | str | None,
    head: Head | None,
    *,
    extra: dict[str, object] | None = None,
) -> None:
    line: dict[str, object] = {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "what": what,
        "file": str(target) if target is not None else None,
        "seq": head[0] if head else None,
        "hash": head[1] if head else None,
    }
    for key, value in (extra or {}).items():
        line[key] = list(value) if isinstance(value, tuple) else value
    try:
        audit_heads_path(database).parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        with audit_heads_path(database).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass  # the anchor is a second line of defence; a full disk must not fail the backup


def record_head(db: Database, what: str, target: Path | str | None = None) -> None:
    """Append the audit chain's head to the heads file beside the database (backup, export,
    merge, restore). `zhiqian check` then notices a chain rewritten or cut short since.

    A restore starts a new history: heads recorded before it no longer apply.
    """
    path = db.path
    if path is None:
        return
    _record_line(path, what, target, _head(db))


def recorded_heads(db: Database) -> list[dict[str, object]]:
    """The heads recorded since the last restore (older ones describe another history).

    A restore that was interrupted left its "restoring" line without the "restore" line after
    it: the database itself tells whether its contents were replaced (``_restored``)."""
    path = db.path
    if path is None or not audit_heads_path(path).exists():
        return []
    heads: list[dict[str, object]] = []
    for raw in audit_heads_path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(raw)
        except ValueError:
            continue  # a line cut short by a crash
        if not isinstance(item, dict):
            continue
        if item.get("what") == "restoring":
            if _restored(db, item):
                heads = []
            continue
        if item.get("what") == "restore":
            heads = []
        heads.append(item)
    return heads


def _has_event(db: Database, seq: object, digest: object) -> bool:
    if not isinstance(seq, int):
        return False
    with db.reader() as session:
        if seq == 0:
            return session.execute(text("SELECT count(*) FROM audit_event")).scalar() == 0
        stored = session.execute(
            text("SELECT hash FROM audit_event WHERE seq = :seq"), {"seq": seq}
        ).scalar()
    return stored is not None and stored == digest


def _restored(db: Database, line: dict[str, object]) -> bool:
    """Whether the restore announced by ``line`` replaced the database: not while the chain it
    started from is still there; yes when the restored chain's head is there instead."""
    before = line.get("from")
    if isinstance(before, list) and len(before) == 2 and _has_event(db, before[0], before[1]):
        return False
    if line.get("seq") is None:  # the backup's head could not be read: the old chain is gone
        return True
    return _has_event(db, line.get("seq"), line.get("hash"))


def _check_heads(db: Database, chain: ChainReport) -> ChainReport:
    heads = [h for h in recorded_heads(db) if isinstance(h.get("seq"), int) and h.get("hash")]
    if not heads:
        return chain
    with db.reader() as session:
        for h in heads:
            seq = int(str(h["seq"]))
            stored = session.execute(
                text("SELECT hash FROM audit_event WHERE seq = :seq"), {"seq": seq}
            ).scalar()
            if stored != h["hash"]:
                what = {"backup": "备份", "export": "导出", "merge": "合并", "restore": "恢复"}
                reason = (
                    f"与{h.get('at')}{what.get(str(h.get('what')), '')}时记录的审计链不符"
                    "（审计记录被改写、删除或截短）"
                )
                return replace(chain, first_broken_seq=seq, reason=reason)
    return chain


# --- automatic backups -----------------------------------------------------------------------------

AUTO_LABEL = "auto"


def _data_seq_of_file(path: Path) -> int | None:
    """The newest data-changing audit event in a database file (a backup), read-only."""
    try:
        conn = cipher.open_file(path, read_only=True)
    except UserError:  # encrypted with a passphrase not given in this run
        return None
    except cipher.database_errors():
        return None
    try:
        marks = ",".join("?" for _ in DATA_ACTIONS_EXCLUDED)
        row = conn.execute(
            f"SELECT seq FROM audit_event WHERE action NOT IN ({marks}) ORDER BY seq DESC LIMIT 1",
            DATA_ACTIONS_EXCLUDED,
        ).fetchone()
    except cipher.database_errors():
        return None
    finally:
        conn.close()
    return int(row[0]) if row else 0


def changed_since_last_backup(db: Database) -> bool:
    """Whether the court's data changed after the newest backup was taken."""
    path = _require_file(db)
    found = backups.list_backups(backups_dir(path))
    if not found:
        return True
    with db.reader() as session:
        marks = ",".join(f"'{a}'" for a in DATA_ACTIONS_EXCLUDED)
        current = session.execute(
            text(
                f"SELECT seq FROM audit_event WHERE action NOT IN ({marks})"
                " ORDER BY seq DESC LIMIT 1"
            )
        ).scalar()
    return (current or 0) != _data_seq_of_file(found[0].path)


@dataclass(frozen=True)
class AutoBackupResult:
    path: Path | None
    reason: str
    removed: tuple[Path, ...] = ()


def auto_backup(
    db: Database, now: datetime, interval_hours: int, *, at_start: bool = False
) -> AutoBackupResult:
    """The automatic backup: at start and every `interval_hours`, only when the data changed
    since the newest backup; verified, then the automatic backups are thinned (a week of daily,
    two months of weekly). Manual and safety backups (before a restore or migration) are kept.
    `now` is local wall-clock time, as the backup names are."""
    path = db.path
    if path is None:
        return AutoBackupResult(None, "服务器数据库不在本机备份")
    folder = backups_dir(path)
    newest = backups.list_backups(folder)
    if not at_start and newest and now - newest[0].taken_at < timedelta(hours=interval_hours):
        return AutoBackupResult(None, "未到备份时间")
    if not changed_since_last_backup(db):
        return AutoBackupResult(None, "上次备份后数据没有变动")
    written = _backup(db, folder / backups.backup_name(now, AUTO_LABEL))
    removed = rotate_auto_backups(folder, now.date())
    return AutoBackupResult(written, "已备份", tuple(removed))


def rotate_auto_backups(folder: Path, today: date) -> list[Path]:
    """Thin the automatic backups by the policy in store.backup; other backups are left alone."""
    auto = [b for b in backups.list_backups(folder) if b.path.stem.endswith(f"-{AUTO_LABEL}")]
    keep = backups.backups_to_keep((b.taken_at for b in auto), today)
    removed = []
    for b in auto:
        if b.taken_at not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


# --- restoring a database that cannot be opened -----------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    size: int
    label: str


LABELS = {
    AUTO_LABEL: "自动备份",
    "manual": "手动备份",
    "before-migration": "升级前备份",
    "before-restore": "恢复前备份",
    "before-import": "导入前备份",
    "damaged": "损坏前备份",
    "before-encryption": "加密或解密前备份",
}


def backup_infos(database: Path) -> list[BackupInfo]:
    """The backups beside a database, newest first, with size and kind (for the settings page)."""
    out = []
    for b in backups.list_backups(backups_dir(database)):
        stem = b.path.stem
        label = stem[len("zhiqian-00000000-000000-") :] if stem.count("-") >= 3 else ""
        try:
            size = b.path.stat().st_size
        except OSError:
            continue
        out.append(BackupInfo(b.path, b.taken_at, size, LABELS.get(label, label or "备份")))
    return out


def newest_good_backup(database: Path) -> BackupInfo | None:
    """The newest backup that passes integrity_check (a damaged one is skipped, not deleted)."""
    for info in backup_infos(database):
        try:
            backups._verify(info.path)
        except UserError:
            continue
        return info
    return None


def restore_damaged(database: Path, source: Path, now: datetime | None = None) -> Path:
    """Put a backup in place of a database that cannot be opened (damaged or not a database).

    The damaged file and its -wal/-shm companions are renamed aside, never overwritten or
    deleted, so nothing in them is lost for a later repair. Returns the damaged file's new name.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    aside = database.with_name(f"{database.name}.damaged-{stamp}")
    if not source.exists():
        raise UserError(f"备份文件“{source}”不存在")
    backups._verify(source)
    set_aside: list[str] = []
    try:
        for suffix in ("", "-wal", "-shm", "-journal"):
            current = Path(str(database) + suffix)
            if current.exists():
                renames.replace(current, Path(str(aside) + suffix))
                set_aside.append(suffix)
    except OSError as exc:
        # Windows: a program still has the file open. Put back what moved; say who holds it.
        for suffix in set_aside:
            renames.replace(Path(str(aside) + suffix), Path(str(database) + suffix))
        raise replace_error(database, exc) from exc
    try:
        backups.restore_from(source, database)
    except BaseException:
        # Leave the folder as it was rather than with a half-written file in the database's place.
        Path(database).unlink(missing_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            moved = Path(str(aside) + suffix)
            if moved.exists():
                renames.replace(moved, Path(str(database) + suffix))
        raise
    reanchor(database)
    heads = audit_heads_path(database)
    if heads.parent.exists():
        try:
            with heads.open("a", encoding="utf-8") as fh:
                fh.write(
                    json.dumps(
                        {
                            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                            "what": "restore",
                            "file": str(source),
                            "seq": None,
                            "hash": None,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        except OSError:
            pass
    return aside
