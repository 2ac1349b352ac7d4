"""No data lost: a full disk, a read-only file, a damaged file, automatic backups, a keyed chain."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.admin.maintenance import auto_backup, open_app_database
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.backup import backup_name, list_backups
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import DamagedDatabase, StorageError, sqlite_url
from zhiqian_desktop.store.locations import audit_key_path, backups_dir
from zhiqian_desktop.store.models import AuditEvent, SupervisionCase


def case_count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(SupervisionCase)) or 0)


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# --- disk full and read-only ------------------------------------------------------------------


def test_disk_full_is_a_clear_message_and_loses_nothing(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    with db.reader() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar()

    def cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(db.engine, "connect", cap)
    db.engine.dispose()
    with pytest.raises(StorageError, match=r"磁盘空间已满.*已保存的数据不受影响"):
        for n in range(2, 400):
            with db.unit_of_work() as s:
                register_case(s, admin, make_case_input(n, notes="备注" * 2000), today=TODAY)
    full_at = case_count(db)
    event.remove(db.engine, "connect", cap)
    db.engine.dispose()
    assert full_at >= 1
    with db.reader() as s:
        first = s.scalars(select(SupervisionCase).order_by(SupervisionCase.case_seq)).first()
        assert first is not None and first.case_no == "（2026）内0221执前督1号"
        # No half-written case: every case has its audit event.
        events = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "case")
        )
        assert events == full_at
    assert maintenance.check(db).ok
    with db.unit_of_work() as s:  # room again: work goes on
        register_case(s, admin, make_case_input(999), today=TODAY)


def test_read_only_database_reads_and_refuses_writes_clearly(
    db: Database, admin: Actor, db_path: Path
) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    db.dispose()
    ro = open_app_database(f"sqlite:///file:{db_path.as_posix()}?mode=ro&uri=true")
    try:
        assert ro.path == db_path
        assert case_count(ro) == 1
        with pytest.raises(StorageError, match=r"数据库是只读的.*没有保存"), ro.unit_of_work() as s:
            register_case(s, admin, make_case_input(2), today=TODAY)
        assert case_count(ro) == 1
    finally:
        ro.dispose()
    assert integrity(db_path) == "ok"


# --- a damaged file and the way out -------------------------------------------------------------


def _garbage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"\x00garbage-garbage"
    path.write_bytes(bytes(data))


def _garbage_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for n in range(1, len(data) // page):
        data[n * page + 8 : n * page + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_garbage_header, _garbage_pages])
def test_damaged_file_is_refused_untouched_and_the_newest_good_backup_offered(
    db: Database, admin: Actor, db_path: Path, damage: Any
) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    good = maintenance.take_backup(db, label="manual")
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(2), today=TODAY)
    # A newer backup that is itself damaged is skipped, not used.
    newer = backups_dir(db_path) / backup_name(datetime.now() + timedelta(hours=1), "auto")
    newer.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)
    db.dispose()
    damage(db_path)
    damaged_bytes = db_path.read_bytes()

    with pytest.raises(DamagedDatabase, match=r"请.*从最近的.*备份恢复"):
        open_app_database(sqlite_url(db_path))
    assert db_path.read_bytes() == damaged_bytes  # never overwritten, never "repaired"

    offered = maintenance.newest_good_backup(db_path)
    assert offered is not None and offered.path == good
    aside = maintenance.restore_damaged(db_path, offered.path)
    assert aside.read_bytes() == damaged_bytes
    assert newer.exists()
    restored = open_app_database(sqlite_url(db_path))
    try:
        assert case_count(restored) == 1
        assert maintenance.check(restored).ok
    finally:
        restored.dispose()


def test_foreign_database_is_not_offered_a_restore(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match="不是执前督促系统的数据库") as info:
        open_app_database(sqlite_url(other))
    assert not isinstance(info.value, DamagedDatabase)


# --- automatic backups ---------------------------------------------------------------------------


def test_automatic_backup_only_when_something_changed_and_the_interval_passed(
    db: Database, admin: Actor, db_path: Path
) -> None:
    start = datetime(2026, 11, 25, 8, 0, 0)
    first = auto_backup(db, start, 4, at_start=True)
    assert first.path is not None and integrity(first.path) == "ok"
    assert auto_backup(db, start + timedelta(minutes=1), 4, at_start=True).path is None
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    assert auto_backup(db, start + timedelta(hours=1), 4).reason == "未到备份时间"
    later = auto_backup(db, start + timedelta(hours=4, minutes=1), 4)
    assert later.path is not None and later.path.name == "zhiqian-20261125-120100-auto.db"
    assert auto_backup(db, start + timedelta(hours=9), 4).reason == "上次备份后数据没有变动"
    # The same day's earlier automatic backup is thinned: one per day is kept.
    assert later.removed == (first.path,)
    assert [b.path for b in list_backups(backups_dir(db_path))] == [later.path]


def test_rotation_keeps_a_week_of_daily_and_two_months_of_weekly_automatic_backups(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    today = date(2026, 11, 25)
    for days in range(0, 120):
        for hour in (9, 17):
            stamp = datetime.combine(today - timedelta(days=days), datetime.min.time()).replace(
                hour=hour
            )
            (folder / backup_name(stamp, "auto")).write_bytes(b"x")
    manual = folder / backup_name(datetime(2026, 1, 5, 10), "before-restore")
    manual.write_bytes(b"x")

    maintenance.rotate_auto_backups(folder, today)
    kept = sorted(b.taken_at for b in list_backups(folder) if b.path != manual)
    recent = [k for k in kept if (today - k.date()).days < 7]
    older = [k for k in kept if (today - k.date()).days >= 7]
    assert [k.date() for k in recent] == [today - timedelta(days=d) for d in range(6, -1, -1)]
    assert all(k.hour == 17 for k in recent)  # the newest of each day
    weeks = {k.isocalendar()[:2] for k in older}
    assert len(weeks) == len(older)  # one per week
    assert 8 <= len(older) <= 10 and min(older) >= datetime(2026, 9, 1)
    assert manual.exists()  # a safety backup is not thinned


# --- the keyed audit chain -------------------------------------------------------------------------


@pytest.fixture
def worked(db: Database, admin: Actor) -> Database:
    with db.unit_of_work() as s:
        for n in (1, 2, 3):
            register_case(s, admin, make_case_input(n), today=TODAY)
    return db


def _rewrite_from(db: Database, seq: int, key: bytes | None) -> None:
    """What someone with a database tool (and maybe the key) would do: change an event and
    recompute every link after it."""
    with db.unit_of_work() as s:
        evs = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        prev = audit.GENESIS
        for ev in evs:
            if ev.seq == seq:
                ev.after_json = (ev.after_json or "").replace("民间借贷纠纷", "买卖合同纠纷")
            ev.prev_hash = prev
            ev.hash = audit._digest(prev, ev, key)
            prev = ev.hash


def test_the_chain_is_keyed_with_a_secret_kept_outside_the_database(
    worked: Database, db_path: Path
) -> None:
    key_file = audit_key_path(db_path)
    assert key_file.exists() and key_file.parent != db_path.parent
    report = maintenance.check(worked)
    assert report.ok and report.chain.keyed and report.chain.events > 3
    conn = sqlite3.connect(db_path)
    try:
        blob = b"".join(
            bytes(str(r), "utf-8") for r in conn.execute("SELECT * FROM court_settings")
        )
    finally:
        conn.close()
    assert key_file.read_text().strip().encode() not in blob


def test_a_chain_rewritten_without_the_key_is_detected(worked: Database) -> None:
    with worked.reader() as s:
        target = s.scalars(
            select(AuditEvent.seq).where(AuditEvent.entity == "case").order_by(AuditEvent.seq)
        ).first()
    assert target is not None
    _rewrite_from(worked, target, None)  # plain SHA-256, as the old format
    chain = maintenance.check(worked).chain
    assert not chain.ok and chain.first_broken_seq == 1


def test_a_chain_rewritten_with_the_key_is_caught_by_the_head_recorded_at_backup(
    worked: Database, db_path: Path
) -> None:
    maintenance.take_backup(worked, label="manual")
    key = audit.read_key(db_path)
    with worked.reader() as s:
        target = s.scalars(
            select(AuditEvent.seq).where(AuditEvent.entity == "case").order_by(AuditEvent.seq)
        ).first()
        head = audit.head(s)
    assert target is not None and head is not None
    _rewrite_from(worked, target, key)
    with worked.reader() as s:
        assert audit.verify_chain(s).ok  # the links alone look fine …
    chain = maintenance.check(worked).chain
    assert not chain.ok and chain.first_broken_seq == head[0]  # … the recorded head does not
    assert chain.reason is not None and "备份时记录的审计链不符" in chain.reason


def test_events_cut_off_the_end_after_a_backup_are_detected(worked: Database) -> None:
    maintenance.take_backup(worked, label="manual")
    with worked.unit_of_work() as s:
        last = s.scalar(select(func.max(AuditEvent.seq)))
        s.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": last})
    assert not maintenance.check(worked).ok


def test_a_missing_key_file_is_named(worked: Database, db_path: Path) -> None:
    moved = db_path.parent / "elsewhere.key"
    shutil.move(audit_key_path(db_path), moved)
    audit._keys.clear()
    chain = maintenance.check(worked).chain
    assert not chain.ok and chain.reason is not None and "审计密钥文件" in chain.reason
    shutil.move(moved, audit_key_path(db_path))
    audit._keys.clear()
    assert maintenance.check(worked).ok


def test_a_restore_starts_a_new_recorded_history(worked: Database, admin: Actor) -> None:
    early = maintenance.take_backup(worked, label="manual")
    with worked.unit_of_work() as s:
        register_case(s, admin, make_case_input(7), today=TODAY)
    maintenance.take_backup(worked, label="manual")
    maintenance.restore(worked, early, actor=admin)
    assert maintenance.check(worked).ok
