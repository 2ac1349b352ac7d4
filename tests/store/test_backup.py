"""Backups: whole-file copies under the write lock (or the online backup), verified; the thinning policy; restore."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.backup import (
    backup_name,
    backup_to,
    backups_to_keep,
    list_backups,
    restore_from,
    rotate,
)
from zhiqian_desktop.store.database import Database, open_database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import SupervisionCase


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register(db: Database, admin: Actor, numbers: range) -> None:
    with db.unit_of_work() as s:
        for n in numbers:
            register_case(s, admin, make_case_input(n), today=TODAY)


def case_numbers_in(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        return [
            r[0] for r in conn.execute("SELECT case_no FROM supervision_case ORDER BY case_seq")
        ]
    finally:
        conn.close()


def test_a_backup_taken_during_a_pending_write_is_a_verified_consistent_copy(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    register(db, admin, range(1, 4))
    assert db.path is not None
    writer = sqlite3.connect(db.path, isolation_level=None, timeout=15)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE supervision_case SET notes = '未提交的修改'")
        writer.execute("DELETE FROM audit_event")
        dest = backup_to(db.path, tmp_path / "copies" / backup_name(datetime(2026, 11, 25, 9, 0)))
        writer.execute("COMMIT")
    finally:
        writer.close()

    assert dest.name == "zhiqian-20261125-090000.db"
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no .part, no -wal
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute(
            "SELECT count(*) FROM supervision_case WHERE notes IS NULL"
        ).fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone()[0] > 3
    finally:
        conn.close()
    assert case_numbers_in(dest) == [f"（2026）内0221执前督{n}号" for n in (1, 2, 3)]
    # The copy is a database the program opens as it is.
    copy = open_database(sqlite_url(dest))
    with copy.reader() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionCase)) == 3
    copy.dispose()


def test_backing_up_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="不存在"):
        backup_to(tmp_path / "missing.db", tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()


def test_take_backup_names_the_file_for_the_rotation(db: Database, tmp_path: Path) -> None:
    made = maintenance.take_backup(db, tmp_path, label="manual")
    assert made.parent == tmp_path
    assert [b.path for b in list_backups(tmp_path)] == [made]


# The policy on a fixed Wednesday, 2026-11-25 (ISO week 48): (stamp, kept?)
ROTATION_CASES: list[tuple[str, bool]] = [
    ("2026-11-25 10:00", True),  # newest
    ("2026-11-25 08:00", False),  # same day, older
    ("2026-11-24 18:00", True),  # yesterday
    ("2026-11-24 07:00", False),
    ("2026-11-19 12:00", True),  # 6 days old: still one per day
    ("2026-11-18 12:00", True),  # 7 days old: newest of ISO week 47 among the weekly ones
    ("2026-11-17 09:00", False),  # older in week 47
    ("2026-11-16 09:00", False),
    ("2026-11-10 09:00", True),  # newest of week 46
    ("2026-11-09 09:00", False),
    ("2026-10-04 09:00", True),  # Sunday: newest of week 40
    ("2026-09-28 09:00", False),  # Monday of week 40
    ("2026-09-17 09:00", True),  # 69 days: last week kept
    ("2026-09-13 09:00", False),  # 73 days: beyond the 9 weeks
    ("2026-03-01 09:00", False),
]


def stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


@pytest.mark.parametrize(("when", "kept"), ROTATION_CASES, ids=[c[0] for c in ROTATION_CASES])
def test_rotation_policy(when: str, kept: bool) -> None:
    keep = backups_to_keep([stamp(s) for s, _ in ROTATION_CASES], date(2026, 11, 25))
    assert (stamp(when) in keep) is kept


@pytest.mark.parametrize(
    ("today", "stamps", "expected"),
    [
        # Only old backups: the newest is kept anyway.
        ("2026-11-25", ["2025-01-01 09:00", "2024-06-01 09:00"], ["2025-01-01 09:00"]),
        # ISO week 2026-W01 spans the new year: one backup for it, the newer one.
        ("2026-01-20", ["2026-01-02 09:00", "2025-12-29 09:00"], ["2026-01-02 09:00"]),
        # Several on each of the last days: the newest of each day.
        (
            "2026-11-25",
            ["2026-11-25 17:00", "2026-11-25 09:00", "2026-11-23 17:00", "2026-11-23 09:00"],
            ["2026-11-25 17:00", "2026-11-23 17:00"],
        ),
        ("2026-11-25", [], []),
    ],
    ids=["only-old", "iso-week-over-new-year", "newest-per-day", "none"],
)
def test_rotation_edge_cases(today: str, stamps: list[str], expected: list[str]) -> None:
    keep = backups_to_keep([stamp(s) for s in stamps], date.fromisoformat(today))
    assert keep == {stamp(s) for s in expected}


def test_rotate_deletes_only_the_files_the_policy_drops(tmp_path: Path) -> None:
    for when, _kept in ROTATION_CASES:
        (tmp_path / backup_name(stamp(when), "auto")).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("不是备份")
    removed = rotate(tmp_path, date(2026, 11, 25))
    assert len(removed) == sum(1 for _, kept in ROTATION_CASES if not kept)
    left = {b.taken_at for b in list_backups(tmp_path)}
    assert left == {stamp(s) for s, kept in ROTATION_CASES if kept}
    assert (tmp_path / "notes.txt").exists()


def test_restore_replaces_the_contents_and_keeps_a_safety_backup(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    register(db, admin, range(1, 3))
    saved = maintenance.take_backup(db, tmp_path / "saved.db")
    register(db, admin, range(3, 6))
    assert db.path is not None
    assert len(case_numbers_in(db.path)) == 5

    safety = maintenance.restore(db, saved)

    assert safety.exists() and "before-restore" in safety.name
    assert len(case_numbers_in(safety)) == 5  # the state just before the restore
    reopened = maintenance.open_app_database(db.url)
    try:
        with reopened.reader() as s:
            numbers = list(
                s.scalars(select(SupervisionCase.case_seq).order_by(SupervisionCase.case_seq))
            )
        assert numbers == [1, 2]
        assert maintenance.check(reopened).ok
    finally:
        reopened.dispose()


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 not a database at all" * 100, b""],
    ids=["zip-like", "empty"],
)
def test_restoring_a_file_that_is_not_a_database_is_refused(
    db: Database, admin: Actor, tmp_path: Path, content: bytes
) -> None:
    register(db, admin, range(1, 3))
    assert db.path is not None
    bogus = tmp_path / "备份.db"
    bogus.write_bytes(content)
    with pytest.raises(UserError, match="不是数据库备份文件"):
        restore_from(bogus, db.path)
    assert len(case_numbers_in(db.path)) == 2


def test_restoring_a_damaged_backup_is_refused(db: Database, admin: Actor, tmp_path: Path) -> None:
    register(db, admin, range(1, 30))
    saved = maintenance.take_backup(db, tmp_path / "saved.db")
    data = bytearray(saved.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle : middle + 8192] = b"\x5a" * 8192
    saved.write_bytes(bytes(data))
    assert db.path is not None
    before = case_numbers_in(db.path)
    with pytest.raises(UserError):
        maintenance.restore(db, saved)
    assert case_numbers_in(db.path) == before


def test_restoring_the_database_onto_itself_is_refused(db: Database) -> None:
    assert db.path is not None
    with pytest.raises(UserError, match="自身"):
        maintenance.restore(db, db.path)


def _restore_killed_at(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> tuple[list[str], list[str]]:
    """A restore interrupted (the process killed) at ``moment``: before the contents change, or
    after they changed but before the restore was recorded. Returns the case numbers of the
    database before and of the backup."""
    register(db, admin, range(1, 2))
    path = db.path
    assert path is not None
    older = maintenance.take_backup(db, tmp_path / "older.db")
    register(db, admin, range(2, 4))
    maintenance.take_backup(db, label="manual")  # records the chain's head as it is now
    before = case_numbers_in(path)

    class Killed(BaseException):
        pass

    if moment == "before the contents change":

        def restore_from(source: Path, target: Path) -> None:
            raise Killed

        monkeypatch.setattr(maintenance.backups, "restore_from", restore_from)
    else:
        recorded = maintenance.record_head

        def record_head(db: Database, what: str, target: object = None) -> None:
            if what == "restore":
                raise Killed
            recorded(db, what, target)  # type: ignore[arg-type]

        monkeypatch.setattr(maintenance, "record_head", record_head)
    with pytest.raises(Killed):
        maintenance.restore(db, older)
    monkeypatch.undo()
    return before, case_numbers_in(older)


@pytest.mark.parametrize("moment", ["before the contents change", "after the contents changed"])
def test_check_tells_the_truth_after_a_restore_killed_part_way(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    before, restored = _restore_killed_at(db, admin, tmp_path, monkeypatch, moment)
    assert db.path is not None
    now = case_numbers_in(db.path)
    assert now == (before if moment.startswith("before") else restored)
    reopened = open_database(sqlite_url(db.path))
    try:
        report = maintenance.check(reopened)
        assert report.ok, report.chain
    finally:
        reopened.dispose()


def test_a_rewritten_chain_is_still_found_after_an_interrupted_restore(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restore_killed_at(db, admin, tmp_path, monkeypatch, "after the contents changed")
    assert db.path is not None
    register(db, admin, range(10, 12))
    maintenance.take_backup(db, label="manual")
    conn = sqlite3.connect(db.path)
    try:  # someone rewrites the chain outside the app, keeping it internally consistent
        conn.execute("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
        conn.commit()
    finally:
        conn.close()
    reopened = open_database(sqlite_url(db.path))
    try:
        report = maintenance.check(reopened)
        assert not report.ok and "截短" in (report.chain.reason or "")
    finally:
        reopened.dispose()


def _counter_db(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE tick (n INTEGER PRIMARY KEY, pad BLOB)")
    conn.execute("CREATE TABLE supervision_case (id INTEGER)")  # looks like the app's file
    conn.execute("CREATE TABLE audit_event (id INTEGER)")
    conn.execute(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000)"
        " INSERT INTO tick SELECT n, randomblob(3000) FROM s"
    )
    conn.close()


def _ticks(path: Path) -> list[int]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [r[0] for r in conn.execute("SELECT n FROM tick ORDER BY n")]
    finally:
        conn.close()


def test_backups_taken_while_another_connection_writes_are_consistent_snapshots(
    tmp_path: Path,
) -> None:
    """A writer commits one row a transaction, as fast as it can, while backups are taken: each
    copy opens, passes integrity_check and holds exactly the rows 1..k of some commit k."""
    import threading

    source = tmp_path / "live.db"
    _counter_db(source)
    stop = threading.Event()
    committed: list[int] = []

    def write() -> None:
        conn = sqlite3.connect(source, isolation_level=None, timeout=15)
        n = 2000
        while not stop.is_set():
            n += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO tick VALUES (?, randomblob(3000))", (n,))
            conn.execute("COMMIT")
            committed.append(n)
        conn.close()

    def writer_moved_on(since: int) -> None:
        """Until the writer committed a few rows more: a backup holds the write lock, and the
        writer's busy handler can sleep through a fast run of backups."""
        deadline = time.monotonic() + 30
        while len(committed) < since + 3 and time.monotonic() < deadline:
            time.sleep(0.005)

    writer = threading.Thread(target=write)
    writer.start()
    copies = []
    try:
        for i in range(6):
            writer_moved_on(len(committed))
            copies.append(backup_to(source, tmp_path / "copies" / f"copy-{i}.db"))
    finally:
        stop.set()
        writer.join()
    assert len(committed) > 10, "the writer committed too little to test anything"
    sizes = []
    for copy in copies:
        ticks = _ticks(copy)
        assert ticks == list(range(1, len(ticks) + 1))
        assert copy.read_bytes()[18:20] == b"\x01\x01"  # stands alone: rollback-journal mode
        sizes.append(len(ticks))
    assert sizes == sorted(sizes) and sizes[-1] > 2000
    assert sorted(p.name for p in (tmp_path / "copies").iterdir()) == [c.name for c in copies]


def test_a_wal_a_reader_keeps_from_emptying_goes_through_the_online_backup(
    tmp_path: Path,
) -> None:
    """With committed pages in the -wal that a reader's snapshot pins, the file alone is not the
    database: the backup takes the online backup's way and still holds the last commit."""
    source = tmp_path / "live.db"
    _counter_db(source)
    writer = sqlite3.connect(source, isolation_level=None)
    reader = sqlite3.connect(source, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM tick").fetchone()  # snapshot before the insert
        writer.execute("INSERT INTO tick VALUES (5000, zeroblob(10))")
        assert Path(str(source) + "-wal").stat().st_size > 0
        dest = backup_to(source, tmp_path / "copy.db")
    finally:
        reader.close()
        writer.close()
    assert _ticks(dest)[-1] == 5000


def test_a_copy_that_differs_from_the_database_is_not_kept(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy whose bytes do not match (a disk or file-system fault, made here by spoiling one byte
    after the kernel's copy) is refused with a message and leaves no file behind."""
    from zhiqian_desktop.store import backup_copy

    register(db, admin, range(1, 3))
    assert db.path is not None
    real = backup_copy._copy_range

    def spoiled(src, dst, offset, n, buf):  # type: ignore[no-untyped-def]
        real(src, dst, offset, n, buf)
        dst.seek(offset + n - 1)
        last = dst.read(1)[0]
        dst.seek(offset + n - 1)
        dst.write(bytes([last ^ 0xFF]))

    monkeypatch.setattr(backup_copy, "_copy_range", spoiled)
    folder = tmp_path / "copies"
    with pytest.raises(UserError, match="与数据库的内容不一致"):
        backup_to(db.path, folder / "copy.db")
    assert list(folder.iterdir()) == []
