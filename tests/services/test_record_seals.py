"""The audit trail covers the records (issue 17, 4): every audited row carries a keyed seal the
store keeps on each write, so `check` finds a change, an insertion or a removal made around the
app; the newest audit events are anchored outside the table, so removing them is found too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.domain.kinds import DocumentKind, PaymentMethod, Role
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.closing.outcomes import record_payment
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.seals import SEALED_TABLES, TABLE_WORDS

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhiqian_desktop.services.core.users._hasher", FAST)


@pytest.fixture
def docket(db: Database, admin: Actor) -> dict[str, str]:
    """A case with a payment, a reader and a handler with a password."""
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(1), today=TODAY)
        reader = create_user(s, admin, username="du", display_name="杜某", role=Role.READONLY)
        handler = create_user(s, admin, username="zhang", display_name="张三",
                              role=Role.HANDLER, password="zhang-pass")  # fmt: skip
        ids = {"case": case.id, "reader": reader.id, "handler": handler.id}
    with db.unit_of_work() as s:
        payment = record_payment(s, admin, ids["case"], paid_on=date(2026, 11, 24),
                                 amount=Decimal("100.00"), method=PaymentMethod.TRANSFER,
                                 payer="王某某", today=TODAY)  # fmt: skip
        ids["payment"] = payment.id
    return ids


def sql(db: Database, statement: str, **params: object) -> None:
    """A change made around the app: straight SQL, as any database tool could."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def problems(db: Database) -> set[tuple[str, str, str]]:
    report = maintenance.check(db)
    return {(p.table, p.row_id, p.problem) for p in report.records.problems}


def test_changes_through_the_app_keep_every_seal(
    db: Database, admin: Actor, docket: dict[str, str]
) -> None:
    with db.unit_of_work() as s:  # the due list's bulk update of the case rides along
        notices.issue_notice(s, admin, docket["case"], DocumentKind.URGING, today=TODAY)
    report = maintenance.check(db)
    assert report.ok, report
    assert report.records.rows >= 5


def test_amount_payment_password_and_role_edited_around_the_app_are_found(
    db: Database, docket: dict[str, str]
) -> None:
    sql(db, "UPDATE supervision_case SET amount_due = amount_due + 100000 WHERE id = :i",
        i=docket["case"])  # fmt: skip
    sql(db, "UPDATE payment SET amount = 1 WHERE id = :i", i=docket["payment"])
    sql(db, "UPDATE app_user SET password_hash = 'x' WHERE id = :i", i=docket["handler"])
    sql(db, "UPDATE app_user SET role = 'admin' WHERE id = :i", i=docket["reader"])
    found = problems(db)
    assert found == {
        ("supervision_case", docket["case"], "changed"),
        ("payment", docket["payment"], "changed"),
        ("app_user", docket["handler"], "changed"),
        ("app_user", docket["reader"], "changed"),
    }
    assert not maintenance.check(db).ok


def test_rows_added_or_removed_around_the_app_are_found(
    db: Database, docket: dict[str, str]
) -> None:
    sql(db, "UPDATE row_seal SET mac = mac WHERE 1 = 0")  # the seals table itself is plain SQL
    sql(
        db,
        "INSERT INTO payment (id, case_id, paid_on, amount, method, overpayment_confirmed,"
        " created_at, updated_at, version) VALUES ('forged-payment', :c, '2026-11-24', 500000,"
        " 'cash', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
        c=docket["case"],
    )
    sql(db, "DELETE FROM payment WHERE id = :i", i=docket["payment"])
    assert problems(db) == {
        ("payment", "forged-payment", "unsealed"),
        ("payment", docket["payment"], "removed"),
    }


def test_a_row_removed_with_its_seal_is_found_by_its_audit_events(
    db: Database, docket: dict[str, str]
) -> None:
    """Whoever deletes a payment and its seal still leaves the events that recorded it, and the
    chain does not let them go unnoticed either."""
    for statement in (
        "DELETE FROM row_seal WHERE row_id = :i",
        "DELETE FROM payment WHERE id = :i",
    ):
        sql(db, statement, i=docket["payment"])
    sql(db, "DELETE FROM row_seal WHERE row_id = :i", i=docket["reader"])
    sql(db, "DELETE FROM app_user WHERE id = :i", i=docket["reader"])
    assert problems(db) == {
        ("payment", docket["payment"], "removed"),
        ("app_user", docket["reader"], "removed"),
    }


def test_the_newest_audit_events_removed_are_found(
    sqlite_db: Database, docket: dict[str, str]
) -> None:
    maintenance.take_backup(sqlite_db, label="manual")
    with sqlite_db.reader() as s:
        backed_up = s.execute(text("SELECT max(seq) FROM audit_event")).scalar()
    with sqlite_db.unit_of_work() as s:  # work after the last backup
        register_case(s, create_admin(sqlite_db), make_case_input(2), today=TODAY)
    assert maintenance.check(sqlite_db).ok
    # Everything since the last backup goes: the chain that is left is whole, and it still
    # ends where the backup recorded it.
    sql(sqlite_db, "DELETE FROM audit_event WHERE seq > :n", n=backed_up)
    report = maintenance.check(sqlite_db)
    assert report.chain.ok  # what is left still links up ...
    assert report.records.anchor is not None and "被删除" in report.records.anchor  # ... but
    assert not report.ok
    sql(sqlite_db, "DELETE FROM audit_event")
    report = maintenance.check(sqlite_db)
    assert report.chain.events == 0 and not report.ok
    assert report.records.anchor is not None


def create_admin(db: Database) -> Actor:
    from zhiqian_desktop.services.core.users import default_actor

    with db.reader() as s:
        return default_actor(s)


def test_check_on_the_command_line_names_what_was_changed(
    sqlite_db: Database, docket: dict[str, str], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(sqlite_db, "UPDATE app_user SET role = 'admin' WHERE id = :i", i=docket["reader"])
    assert main(["check", "--db", str(db_path)]) == 1
    captured = capsys.readouterr()
    assert "用户 du：内容与封印不符（被改动）" in captured.out
    assert "绕过本系统" in captured.err


def test_restoring_a_backup_keeps_check_whole(
    sqlite_db: Database, docket: dict[str, str], admin: Actor
) -> None:
    backup = maintenance.take_backup(sqlite_db, label="manual")
    with sqlite_db.unit_of_work() as s:
        register_case(s, admin, make_case_input(3), today=TODAY)
    maintenance.restore(sqlite_db, backup, actor=admin)
    report = maintenance.check(sqlite_db)
    assert report.ok, report


def test_a_database_from_before_the_seals_is_sealed_once_by_the_upgrade(
    sqlite_db: Database, docket: dict[str, str]
) -> None:
    path = sqlite_db.path
    assert path is not None
    # The schema as it was before: no seals, no kit keys, no court time zone, no assignment
    # rule or mediators, no judicial suggestions, no outbox, no pre-enforcement preservation
    # (the measures' table as it was), no indexes for the statistics.
    for index in ("ix_case_closed", "ix_case_deleted", "ix_payment_paid_on"):
        sql(sqlite_db, f"DROP INDEX {index}")
    sql(sqlite_db, "DROP TABLE row_seal")
    sql(sqlite_db, "DROP TABLE suggestion_case")
    sql(sqlite_db, "DROP TABLE suggestion")
    sql(sqlite_db, "ALTER TABLE court_settings DROP COLUMN suggestion_reply_months")
    sql(sqlite_db, "ALTER TABLE court_settings DROP COLUMN suggestion_threshold")
    sql(sqlite_db, "DROP TABLE outbox_message")
    sql(sqlite_db, "ALTER TABLE court_settings DROP COLUMN reminder_lead_days")
    with sqlite_db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA legacy_alter_table=ON")
        conn.exec_driver_sql(
            "CREATE TABLE preservation_before AS SELECT id, created_at, updated_at, updated_by, "
            "version, deleted_at, case_id, kind, description, frozen_on, expires_on, amount "
            "FROM preservation"
        )
        conn.exec_driver_sql("DROP TABLE preservation")
        conn.exec_driver_sql("ALTER TABLE preservation_before RENAME TO preservation")
    sql(sqlite_db, "DROP TABLE preservation_application")
    sql(sqlite_db, "DROP TABLE mediation")
    sql(sqlite_db, "DROP TABLE mediator")
    sql(sqlite_db, "ALTER TABLE court_settings DROP COLUMN assignment_rule")
    sql(sqlite_db, "ALTER TABLE court_settings DROP COLUMN assignment_causes")
    sql(sqlite_db, "ALTER TABLE tribunal DROP COLUMN townships")
    sql(sqlite_db, "ALTER TABLE app_user DROP COLUMN tribunal_id")
    sql(sqlite_db, "ALTER TABLE offline_kit DROP COLUMN public_key")
    sql(sqlite_db, "ALTER TABLE offline_kit DROP COLUMN scope_json")
    sql(sqlite_db, "ALTER TABLE court_settings DROP COLUMN time_zone")
    sql(sqlite_db, "UPDATE alembic_version SET version_num = '0009_document_facts'")
    sqlite_db.dispose()
    from zhiqian_desktop.services.admin.maintenance import open_app_database

    again = open_app_database(sqlite_url(path))
    try:
        report = maintenance.check(again)
        assert report.ok, report
        assert report.records.rows >= 5
    finally:
        again.dispose()


def test_check_names_every_sealed_table_in_the_clerks_words() -> None:
    assert set(TABLE_WORDS) == set(SEALED_TABLES)


def test_rows_written_by_several_flushes_and_a_savepoint_rolled_back_are_sealed_as_committed(
    db: Database, admin: Actor
) -> None:
    """Seals are computed once per transaction, just before it commits: a row changed after an
    earlier flush is sealed as it ends, and a row whose savepoint was rolled back has no seal."""
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(2), today=TODAY)
        s.flush()
        case.cause = "买卖合同纠纷"
        s.flush()
        savepoint = s.begin_nested()
        record_payment(s, admin, case.id, paid_on=date(2026, 11, 24), amount=Decimal("5.00"),
                       method=PaymentMethod.TRANSFER, payer="王某某", today=TODAY)  # fmt: skip
        savepoint.rollback()
    report = maintenance.check(db)
    assert report.ok, report
    with db.engine.connect() as conn:
        sealed = conn.execute(text("SELECT count(*) FROM row_seal WHERE table_name = 'payment'"))
        assert sealed.scalar() == 0


def test_the_seal_keys_are_hkdf_sha256_as_before() -> None:
    """The keys are derived with the standard library now: the same bytes as the cryptography
    package's HKDF gave (so every seal already written still verifies), and RFC 5869's own
    example (test case 3: no salt, no info)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from zhiqian_desktop.store.seals import SealKey, _derive

    rfc = _derive(bytes([0x0B] * 22), b"")
    assert rfc.hex() == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
    secret = bytes(range(48))
    key = SealKey.from_secret(secret)
    for purpose, derived in (
        (b"zhiqian row seal v1", key.rows),
        (b"zhiqian anchor v1", key.anchor),
    ):
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
        assert derived == hkdf.derive(secret)
