"""Moving a docket from a local file to a server and back, verified by counts and checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.admin import server_copy as transfer_db
from zhiqian_desktop.services.admin.demo import generate_demo
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core.audit import read_key, verify_chain
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.intake.docket import DocketQuery, count_cases, register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import AuditEvent, CaseNumberCounter, ContactLog, SupervisionCase


@pytest.fixture
def docket(sqlite_db: Database) -> Database:
    """A local docket with realistic records (and corrections of contact entries)."""
    generate_demo(sqlite_db, cases=25, seed=3, today=TODAY)
    with sqlite_db.unit_of_work() as s:
        first = s.scalars(select(ContactLog).order_by(ContactLog.id.desc()).limit(1)).one()
        # A correction whose id sorts before the entry it corrects (copied in key order).
        s.add(
            ContactLog(
                id="00000000-0000-4000-8000-000000000000",
                case_id=first.case_id,
                kind=first.kind,
                contacted_at=first.contacted_at,
                summary="更正：" + first.summary,
                corrects_id=first.id,
            )
        )
    return sqlite_db


def checks(url: str, skip_chain: bool = False) -> list[transfer_db.TableCheck]:
    db = open_app_database(url)
    try:
        with db.reader() as s:
            return transfer_db.table_checks(s.connection(), skip_chain=skip_chain)
    finally:
        db.dispose()


def copy(source: str, target: str) -> tuple[transfer_db.CopyReport, list[tuple[int, int, str]]]:
    seen: list[tuple[int, int, str]] = []
    report = transfer_db.copy_database(
        source, target, progress=lambda d, t, m: seen.append((d, t, m))
    )
    return report, seen


def test_a_file_is_copied_to_another_file_row_for_row(docket: Database, tmp_path: Path) -> None:
    target = sqlite_url(tmp_path / "copy" / "docket.db")
    (tmp_path / "copy").mkdir()
    report, seen = copy(docket.url, target)
    assert report.rows > 100
    assert {t.table for t in report.tables} >= {"supervision_case", "audit_event", "party"}
    # The keyed chain of the file is linked again for the new file (which has no key yet).
    assert report.relinked_chain
    assert checks(target, skip_chain=True) == checks(docket.url, skip_chain=True)
    assert seen[-1][0] == seen[-1][1] == report.rows
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    copied = open_app_database(target)
    try:
        with copied.reader() as s:
            assert verify_chain(s).ok
            assert count_cases(s, DocketQuery(text="执前督")) == 25
    finally:
        copied.dispose()


def test_a_non_empty_target_is_refused_and_left_alone(docket: Database, tmp_path: Path) -> None:
    other = open_app_database(sqlite_url(tmp_path / "other.db"))
    with other.unit_of_work() as s:
        from zhiqian_desktop.services.core import settings

        settings.initialize(s, settings.SetupInput("土默特右旗人民法院", "内0221", "执前督"))
    other.dispose()
    before = checks(sqlite_url(tmp_path / "other.db"))
    with pytest.raises(UserError, match="已有数据"):
        transfer_db.copy_database(docket.url, sqlite_url(tmp_path / "other.db"))
    assert checks(sqlite_url(tmp_path / "other.db")) == before
    with pytest.raises(UserError, match="同一个数据库"):
        transfer_db.copy_database(docket.url, docket.url)


def test_a_refused_row_leaves_the_target_empty(
    docket: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert = transfer_db._insert

    def failing(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
        real_insert(conn, table, rows)
        if table.name == "contact_log":
            conn.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(transfer_db, "_insert", failing)
    target = sqlite_url(tmp_path / "t.db")
    with pytest.raises(Exception, match="no_such_table"):
        transfer_db.copy_database(docket.url, target)
    assert all(t.rows == 0 for t in checks(target))


def test_a_path_or_a_url_names_the_database(tmp_path: Path) -> None:
    assert transfer_db.as_url(str(tmp_path / "a.db")) == sqlite_url(tmp_path / "a.db")
    url = "postgresql+psycopg://zhiqian@db.court.local/zhiqian"
    assert transfer_db.as_url(url) == url
    with pytest.raises(UserError):
        transfer_db.as_url("  ")


@pytest.mark.slow
def test_to_the_server_and_back_keeps_every_row(
    docket: Database, pg_server: Any, tmp_path: Path
) -> None:
    with docket.reader() as s:
        last = s.get(CaseNumberCounter, 2026)
        assert last is not None
        next_seq = last.last_seq + 1
    server = pg_server.create(initialised=False)
    try:
        there, _ = copy(docket.url, server)
        assert there.relinked_chain  # keyed file chain -> the server's unkeyed chain
        assert checks(server, skip_chain=True) == checks(docket.url, skip_chain=True)
        # The server works as the court's docket: numbers continue, the chain goes on.
        db = open_app_database(server)
        try:
            with db.reader() as s:
                admin = default_actor(s)
                assert verify_chain(s).ok
                corrections = s.scalar(
                    select(ContactLog.id).where(ContactLog.corrects_id.is_not(None)).limit(1)
                )
            with db.unit_of_work() as s:
                case = register_case(s, admin, make_case_input(9999), today=TODAY)
                assert case.case_no == f"（2026）内0221执前督{next_seq}号"
            with db.reader() as s:
                assert verify_chain(s).ok
                assert s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
            assert maintenance.check(db).ok
        finally:
            db.dispose()
        assert corrections is not None  # the self-referencing rows made it across

        back = sqlite_url(tmp_path / "back.db")
        home, _ = copy(server, back)
        assert not home.relinked_chain  # unkeyed on both sides: the links are copied as they are
        assert checks(back) == checks(server)
        assert read_key(tmp_path / "back.db") is None
        db = open_app_database(back)
        try:
            with db.reader() as s:
                assert verify_chain(s).ok
                assert s.scalar(
                    select(SupervisionCase.id).where(SupervisionCase.case_no == case.case_no)
                )
        finally:
            db.dispose()
    finally:
        pg_server.drop(server)


def test_the_command_prints_each_table_and_refuses_in_one_line(
    docket: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from zhiqian_desktop.cli.server import cmd_copy_database

    target = tmp_path / "copied.db"
    args = argparse.Namespace(source=str(docket.path), target=str(target), json=False)
    assert cmd_copy_database(args) == 0
    out, err = capsys.readouterr()
    assert "supervision_case" in out and "校验和均与来源一致" in out
    assert "100%" in err
    with pytest.raises(UserError, match="已有数据"):
        cmd_copy_database(args)
