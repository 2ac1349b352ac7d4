"""Opening a database file: the pragmas in effect, refusal of foreign or damaged files, column types."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm.exc import StaleDataError

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database, open_database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import SupervisionCase
from zhiqian_desktop.store.types import AwareDateTime, Money

PAGE = 4096


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_pragmas_are_in_effect_on_every_connection(db: Database) -> None:
    with db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragma["journal_mode"] == "wal"
    assert pragma["foreign_keys"] == 1
    assert pragma["synchronous"] == 2  # FULL
    assert pragma["busy_timeout"] >= 5000


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(StatementError, match="FOREIGN KEY"), db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO party (id, case_id, position, role, kind, name, created_at, updated_at,"
            " version) VALUES ('p1', 'no-such-case', 0, 'obligor', 'person', 'x',"
            " '2026-01-01', '2026-01-01', 1)"
        )


def test_a_second_writer_waits_for_the_first_instead_of_failing(db: Database) -> None:
    """BEGIN IMMEDIATE + busy_timeout: a writer queued behind another one succeeds afterwards."""
    holding = threading.Event()
    release = threading.Event()

    def hold_write_lock() -> None:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE court_settings SET court_phone = 'first'")
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold_write_lock)
    worker.start()
    assert holding.wait(5)
    timer = threading.Timer(0.3, release.set)
    timer.start()
    other = open_database(db.url, migrate=False)
    try:
        with other.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE court_settings SET court_phone = 'second'")
        timer.join()
    finally:
        worker.join()
        other.dispose()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT court_phone FROM court_settings").scalar() == "second"


@pytest.mark.parametrize(
    "content",
    [
        "这是一份会议纪要，不是数据库。\n".encode() * 200,
        bytes(range(256)) * 64,
        b"SQLite format 2\x00" + b"\x00" * 4080,
    ],
    ids=["text", "binary", "almost-sqlite"],
)
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    before = siblings(path)
    with pytest.raises(UserError, match="不是本系统的数据库"):
        open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    assert path.read_bytes() == content
    assert siblings(path) == before


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path, journal_mode: str) -> None:
    path = tmp_path / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, memo TEXT)")
    conn.executemany("INSERT INTO ledger (memo) VALUES (?)", [(f"第{i}笔",) for i in range(300)])
    conn.commit()
    conn.close()
    before_digest, before_files = digest(path), siblings(path)
    with pytest.raises(UserError, match="不是执前督促系统的数据库"):
        open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    assert digest(path) == before_digest
    if journal_mode == "delete":
        assert siblings(path) == before_files
    # (a read-only look at a WAL file may leave an empty -wal/-shm beside it; the file is intact)
    assert not (tmp_path / "backups").exists()


def _damage_middle_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE
    assert pages > 20
    start = (pages // 2) * PAGE
    data[start : start + 3 * PAGE] = b"\xa5" * (3 * PAGE)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_a_damaged_file_is_reported_not_overwritten(
    db: Database, admin: Actor, journal_mode: str
) -> None:
    with db.unit_of_work() as s:
        for n in range(1, 60):
            register_case(s, admin, make_case_input(n, notes="备注" * 200), today=TODAY)
    path = db.path
    assert path is not None
    db.dispose()
    if journal_mode == "delete":
        # A restored backup is in rollback-journal mode; opening must not rewrite its header.
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
    _damage_middle_pages(path)
    damaged = digest(path)
    with pytest.raises(UserError, match=r"损坏|完整性检查未通过") as info:
        open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    assert "恢复" in str(info.value)
    assert digest(path) == damaged


def test_a_database_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="目录"):
        open_database(sqlite_url(tmp_path / "nowhere" / "docket.db"))
    assert not (tmp_path / "nowhere").exists()


# --- column types --------------------------------------------------------------------------------

types_metadata = MetaData()
probe = Table(
    "type_probe",
    types_metadata,
    Column("id", Integer, primary_key=True),
    Column("money", Money()),
    Column("at", AwareDateTime()),
)


@pytest.fixture
def probe_db(empty_db: Database) -> Database:
    types_metadata.create_all(empty_db.engine)
    return empty_db


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("0.01", 1),
        ("0.10", 10),
        ("12345678901.23", 1234567890123),
        ("99999999999999.99", 9999999999999999),
        ("-5.50", -550),
        ("0", 0),
    ],
)
def test_money_round_trips_exactly_as_integer_fen(probe_db: Database, value: str, fen: int) -> None:
    with probe_db.engine.begin() as conn:
        conn.execute(insert(probe).values(id=1, money=Decimal(value)))
    with probe_db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT money, typeof(money) FROM type_probe").one() == (
            fen,
            "integer",
        )
        back = conn.execute(select(probe.c.money)).scalar_one()
    assert back == Decimal(value)
    assert back.as_tuple().exponent == -2


def test_money_with_more_than_two_decimals_is_refused(probe_db: Database) -> None:
    with pytest.raises(StatementError, match="两位小数"), probe_db.engine.begin() as conn:
        conn.execute(insert(probe).values(id=1, money=Decimal("0.005")))


def test_money_through_the_model_is_exact(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(amount="12345678901.23"), today=TODAY).id
    with db.reader() as s:
        assert s.get(SupervisionCase, case_id).amount_due == Decimal("12345678901.23")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8))),
        datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 6, 30, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_aware_datetimes_round_trip_as_the_same_instant(
    probe_db: Database, moment: datetime
) -> None:
    with probe_db.engine.begin() as conn:
        conn.execute(insert(probe).values(id=1, at=moment))
    with probe_db.engine.connect() as conn:
        back = conn.execute(select(probe.c.at)).scalar_one()
    assert back.tzinfo is not None
    assert back == moment
    assert back.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused(probe_db: Database) -> None:
    with pytest.raises(StatementError, match="naive"), probe_db.engine.begin() as conn:
        conn.execute(insert(probe).values(id=1, at=datetime(2026, 11, 25, 9, 30)))
    with probe_db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM type_probe").scalar() == 0


# --- sessions and optimistic locking -------------------------------------------------------------


def test_a_stale_orm_update_is_refused(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    first, second = db.sessions(), db.sessions()
    try:
        mine = first.get(SupervisionCase, case_id)
        # Every transaction takes the write lock (BEGIN IMMEDIATE): end the read before the
        # other clerk starts, as a form does; the loaded values stay (expire_on_commit=False).
        first.commit()
        theirs = second.get(SupervisionCase, case_id)
        assert mine is not None and theirs is not None
        assert mine.version == theirs.version == 1
        theirs.notes = "对方先保存"
        second.commit()
        mine.notes = "我后保存"
        with pytest.raises(StaleDataError):
            first.commit()
        first.rollback()
    finally:
        first.close()
        second.close()
    with db.reader() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        assert (case.notes, case.version) == ("对方先保存", 2)


def test_a_unit_of_work_rolls_back_on_error(db: Database, admin: Actor) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        register_case(s, admin, make_case_input(), today=TODAY)
        raise RuntimeError("power cut")
    with db.reader() as s:
        assert s.scalar(select(SupervisionCase.id)) is None


# --- the file under an open database ---------------------------------------------------------------


def test_a_write_to_a_database_file_deleted_meanwhile_is_refused(
    db: Database, admin: Actor
) -> None:
    path = db.path
    assert path is not None
    with pytest.raises(UserError, match="被删除") as info, db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert "没有保存" in info.value.message
    # Every later write says so too, rather than going into the removed file.
    with pytest.raises(UserError, match="被删除"), db.unit_of_work() as s:
        register_case(s, admin, make_case_input(2), today=TODAY)


def test_a_write_to_a_database_file_replaced_meanwhile_is_refused(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    path = db.path
    assert path is not None
    other = open_database(sqlite_url(tmp_path / "other.db"))
    other.dispose()
    with pytest.raises(UserError, match="被替换"), db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
        (tmp_path / "other.db").replace(path)
    with db.reader() as s:  # the file now in its place never got the case
        assert s.scalar(select(SupervisionCase.id)) is None
