"""Offline kits: export at the court, work on a laptop, merge the changes back (issue 9)."""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import ContactKind, DocumentKind, PaymentMethod, Role
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.closing.outcomes import close_case, record_payment
from zhiqian_desktop.services.core import auth, signing
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import verify_chain
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.exchange import changes as changes_module
from zhiqian_desktop.services.exchange import conflicts, kit_opening, merge, records
from zhiqian_desktop.services.exchange import kits as sync
from zhiqian_desktop.services.intake.docket import get_case, register_case, update_case
from zhiqian_desktop.services.supervision.contacts import ContactInput, log_contact
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.locations import DATA_DIR_ENV
from zhiqian_desktop.store.models import (
    AuditEvent,
    CaseNumberBlock,
    ContactLog,
    MergeConflict,
    Payment,
    SupervisionCase,
    User,
)

PASSWORD = "Fazhan-2026"
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@functools.cache
def password_hash() -> str:
    return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY).hash(PASSWORD)


@dataclass
class Court:
    db: Database
    admin: Actor
    tribunal_id: str
    handler_id: str
    cases: list[str]  # three cases of the tribunal
    own_case: str  # one case the court keeps


@pytest.fixture
def court(sqlite_db: Database, admin: Actor) -> Court:
    return setup_court(sqlite_db, admin)


def setup_court(sqlite_db: Database, admin: Actor) -> Court:
    """A court with the tribunal 沙尔沁法庭, its clerk zhangsan, three of its cases and one more."""
    with sqlite_db.unit_of_work() as s:
        tribunal = add_tribunal(s, admin, "沙尔沁法庭")
        handler = create_user(s, admin, username="zhangsan", display_name="张三", role=Role.HANDLER)
        handler.password_hash = password_hash()  # hashed once per run: Argon2 is slow on purpose
        tid, hid = tribunal.id, handler.id
    ids = []
    with sqlite_db.unit_of_work() as s:
        for n in range(1, 4):
            data = make_case_input(n, obligor=f"王{n}", handler_id=hid, tribunal_id=tid)
            ids.append(register_case(s, admin, data, today=TODAY).id)
        own = register_case(s, admin, make_case_input(9, obligor="赵某"), today=TODAY).id
    return Court(sqlite_db, admin, tid, hid, ids, own)


def tribunal_kit(court: Court, dest: Path) -> Path:
    """The kit of the court's tribunal, with a block of 10 case numbers of 2026."""
    return sync.export_kit(
        court.db, court.admin, tribunal_id=court.tribunal_id, year=2026, block_size=10, dest=dest
    )


@pytest.fixture
def kit(court: Court, tmp_path: Path) -> Path:
    return tribunal_kit(court, tmp_path / "kit.zip")


@dataclass
class Laptop:
    db: Database
    clerk: Actor


@pytest.fixture
def laptop(kit: Path, tmp_path: Path) -> Iterator[Laptop]:
    opened = open_laptop(kit, tmp_path / "laptop")
    yield opened
    opened.db.dispose()


def open_laptop(kit: Path, folder: Path) -> Laptop:
    """The kit opened as a fresh install's database, worked on as the tribunal's clerk."""
    path = kit_opening.open_kit(kit, folder)
    db = open_app_database(sqlite_url(path))
    with db.reader() as s:
        clerk = actor_for(s.scalars(select(User).where(User.username == "zhangsan")).one())
    return Laptop(db, clerk)


def pay(db: Database, actor: Actor, case_id: str, amount: str) -> None:
    with db.unit_of_work() as s:
        record_payment(
            s,
            actor,
            case_id,
            paid_on=TODAY,
            amount=Decimal(amount),
            method=PaymentMethod.TRANSFER,
            payer="王某",
            today=TODAY,
        )


def call(db: Database, actor: Actor, case_id: str, summary: str) -> None:
    with db.unit_of_work() as s:
        log_contact(
            s,
            actor,
            case_id,
            ContactInput(
                ContactKind.PHONE, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), True, summary
            ),
            now=NOW,
        )


def edit_notes(db: Database, actor: Actor, case_id: str, n: int, notes: str) -> None:
    with db.unit_of_work() as s:
        case = get_case(s, case_id)
        data = make_case_input(
            n,
            obligor=f"王{n}",
            handler_id=case.handler_id,
            tribunal_id=case.tribunal_id,
            notes=notes,
        )
        for party, existing in zip(data.parties, case.parties, strict=True):
            party.id = existing.id
        update_case(s, actor, case_id, case.version, data, today=TODAY)


def changes(laptop: Laptop, tmp_path: Path, name: str = "changes.zip") -> Path:
    return changes_module.export_changes(laptop.db, tmp_path / name, actor=laptop.clerk)


def count(db: Database, model: Any) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an import could change, to show that a refused one changed nothing."""
    with db.engine.connect() as conn:
        out = {}
        for table in (*records.MERGED_TABLES, "audit_event", "merge_conflict", "change_import"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            out[table] = [tuple(r) for r in rows]
        return out


# --- the round trip ------------------------------------------------------------------------------


def test_round_trip_brings_back_everything_with_unique_numbers(
    court: Court, kit: Path, laptop: Laptop, tmp_path: Path
) -> None:
    with court.db.reader() as s:
        block = s.scalars(select(CaseNumberBlock)).one()
        assert (block.year, block.first_seq, block.last_seq) == (2026, 5, 14)
        assert block.holder == "沙尔沁法庭"
    # The kit holds the tribunal's cases only, and only its clerk can log in.
    with laptop.db.reader() as s:
        kit_cases = set(s.scalars(select(SupervisionCase.id)))
        assert kit_cases == set(court.cases)
        users = {u.username: u for u in s.scalars(select(User))}
        assert "admin" not in users
        assert users["zhangsan"].password_hash
    with laptop.db.unit_of_work() as s:
        assert auth.login(s, "zhangsan", PASSWORD, NOW).user_id == court.handler_id
    with laptop.db.reader() as s:  # the laptop's trail starts afresh with opening the kit
        assert list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))) == [
            "open_kit",
            "login",
        ]
        assert verify_chain(s).ok

    # Offline work: a new case, a call, a payment in full and a closing.
    with laptop.db.unit_of_work() as s:
        data = make_case_input(20, obligor="孙某", tribunal_id=court.tribunal_id)
        new_case = register_case(s, laptop.clerk, data, today=TODAY)
        new_id, new_no = new_case.id, new_case.case_no
    assert new_no == "（2026）内0221执前督5号"
    call(laptop.db, laptop.clerk, court.cases[0], "电话督促，承诺月底付款")
    pay(laptop.db, laptop.clerk, court.cases[1], "12345.67")
    with laptop.db.unit_of_work() as s:
        close_case(
            s,
            laptop.clerk,
            court.cases[1],
            CaseStatus.PERFORMED,
            closed_on=TODAY,
            reason="已全部履行",
            today=TODAY,
        )
    # Meanwhile the court registers a case: its number skips the reserved block.
    with court.db.unit_of_work() as s:
        court_no = register_case(s, court.admin, make_case_input(30), today=TODAY).case_no
    assert court_no == "（2026）内0221执前督15号"

    package = changes(laptop, tmp_path)
    report = merge.import_changes(court.db, court.admin, package)
    assert report.conflicts == []
    assert report.inserted["supervision_case"] == 1
    assert report.inserted["contact_log"] == 1
    assert report.inserted["payment"] == 1
    assert report.updated["supervision_case"] == 1
    assert report.backup is not None and report.backup.exists()

    with court.db.reader() as s:
        merged = get_case(s, new_id)
        assert merged.case_no == new_no
        assert merged.obligor_names == "孙某"
        numbers = list(s.scalars(select(SupervisionCase.case_no)))
        assert len(numbers) == len(set(numbers)) == 6
        closed = get_case(s, court.cases[1])
        assert closed.status is CaseStatus.PERFORMED
        assert closed.amount_paid == Decimal("12345.67")
        summaries = list(s.scalars(select(ContactLog.summary)))
        assert "电话督促，承诺月底付款" in summaries
        # Who changed what where: the laptop's own events, kept with the tribunal as origin.
        origins = {
            (e.actor, e.action, e.entity)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.origin == "沙尔沁法庭"))
        }
        assert ("zhangsan", "create", "payment") in origins
        assert verify_chain(s).ok
        assert s.scalars(select(CaseNumberBlock)).one().first_seq == 5

    # A second import of the same package changes nothing.
    before = snapshot(court.db)
    again = merge.import_changes(court.db, court.admin, package)
    assert again.already_imported
    assert snapshot(court.db) == before


def test_a_later_package_from_the_same_kit_brings_only_what_is_new(
    court: Court, laptop: Laptop, tmp_path: Path
) -> None:
    call(laptop.db, laptop.clerk, court.cases[0], "第一次")
    merge.import_changes(court.db, court.admin, changes(laptop, tmp_path, "one.zip"))
    edit_notes(court.db, court.admin, court.cases[0], 1, "法院后来改的")
    call(laptop.db, laptop.clerk, court.cases[0], "第二次")
    report = merge.import_changes(court.db, court.admin, changes(laptop, tmp_path, "two.zip"))
    assert report.conflicts == []
    assert report.inserted == {"contact_log": 1}
    with court.db.reader() as s:
        assert get_case(s, court.cases[0]).notes == "法院后来改的"
        assert count(court.db, ContactLog) == 2


# --- conflicts -----------------------------------------------------------------------------------


def test_a_record_changed_on_both_sides_is_a_conflict_until_a_person_chooses(
    court: Court, laptop: Laptop, tmp_path: Path
) -> None:
    case_id = court.cases[0]
    edit_notes(court.db, court.admin, case_id, 1, "法院：申请人同意延期")
    edit_notes(laptop.db, laptop.clerk, case_id, 1, "法庭：被申请人已外出务工")
    report = merge.import_changes(court.db, court.admin, changes(laptop, tmp_path))
    assert len(report.conflicts) == 1
    with court.db.reader() as s:
        assert get_case(s, case_id).notes == "法院：申请人同意延期"  # nothing overwritten
        [view] = conflicts.list_conflicts(s)
    assert view.origin == "沙尔沁法庭"
    assert view.tribunal_updated_by == "zhangsan"
    notes = next(f for f in view.fields if f.field == "notes")
    assert (notes.court, notes.tribunal, notes.default) == (
        "法院：申请人同意延期",
        "法庭：被申请人已外出务工",
        None,
    )
    with court.db.unit_of_work() as s, pytest.raises(UserError, match="备注"):
        conflicts.resolve_conflict(s, court.admin, view.id, {})
    with court.db.unit_of_work() as s:
        conflicts.resolve_conflict(s, court.admin, view.id, {"notes": records.TRIBUNAL})
    with court.db.reader() as s:
        assert get_case(s, case_id).notes == "法庭：被申请人已外出务工"
        assert s.get(MergeConflict, view.id).status == "resolved"  # type: ignore[union-attr]
        assert conflicts.list_conflicts(s) == []
        assert verify_chain(s).ok
    # The same laptop state again raises no new conflict: the choice is remembered.
    report = merge.import_changes(court.db, court.admin, changes(laptop, tmp_path, "again.zip"))
    assert report.conflicts == []


def test_resolutions_given_with_the_import_settle_conflicts_at_once(
    court: Court, laptop: Laptop, tmp_path: Path
) -> None:
    case_id = court.cases[2]
    edit_notes(court.db, court.admin, case_id, 3, "法院")
    edit_notes(laptop.db, laptop.clerk, case_id, 3, "法庭")
    report = merge.import_changes(
        court.db,
        court.admin,
        changes(laptop, tmp_path),
        resolutions={case_id: {"notes": records.COURT}},
    )
    assert report.open_conflicts == 0
    with court.db.reader() as s:
        assert get_case(s, case_id).notes == "法院"


def test_payments_and_calls_from_both_sides_are_all_kept(
    court: Court, laptop: Laptop, tmp_path: Path
) -> None:
    case_id = court.cases[0]
    pay(court.db, court.admin, case_id, "100.00")
    call(court.db, court.admin, case_id, "法院电话")
    pay(laptop.db, laptop.clerk, case_id, "200.00")
    call(laptop.db, laptop.clerk, case_id, "法庭电话")
    report = merge.import_changes(court.db, court.admin, changes(laptop, tmp_path))
    assert report.conflicts == []
    with court.db.reader() as s:
        amounts = sorted(s.scalars(select(Payment.amount).where(Payment.case_id == case_id)))
        assert amounts == [Decimal("100.00"), Decimal("200.00")]
        assert get_case(s, case_id).amount_paid == Decimal("300.00")
        summaries = set(s.scalars(select(ContactLog.summary).where(ContactLog.case_id == case_id)))
        assert summaries == {"法院电话", "法庭电话"}


# --- packages from outside -----------------------------------------------------------------------


def rewrite(
    package: Path, dest: Path, members: dict[str, bytes | None], extra: dict[str, bytes]
) -> Path:
    """Copy a package, replacing (or dropping, for None) some members and adding others."""
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            data = members.get(info.filename, src.read(info))
            if data is not None:
                out.writestr(info.filename, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a duplicate name is the point of some tests
            for name, data in extra.items():
                out.writestr(zipfile.ZipInfo(name), data)
    return dest


def signed(package: Path, dest: Path, key: Ed25519PrivateKey, edit: Any = None) -> Path:
    """A copy whose changes.json is edited and whose manifest is signed again with ``key``."""
    with zipfile.ZipFile(package) as src:
        manifest = json.loads(src.read(records.MANIFEST))
        body = json.loads(src.read(records.CHANGES))
    if edit is not None:
        edit(body)
    raw_changes = json.dumps(body).encode()
    for entry in manifest["files"]:
        if entry["path"] == records.CHANGES:
            entry["sha256"] = hashlib.sha256(raw_changes).hexdigest()
            entry["size"] = len(raw_changes)
    raw = json.dumps(manifest).encode()
    sig = signing.sign(key, raw).encode()
    return rewrite(
        package,
        dest,
        {records.MANIFEST: raw, records.SIGNATURE: sig, records.CHANGES: raw_changes},
        {},
    )


@pytest.fixture
def package(court: Court, laptop: Laptop, tmp_path: Path) -> Path:
    call(laptop.db, laptop.clerk, court.cases[0], "法庭电话")
    pay(laptop.db, laptop.clerk, court.cases[0], "50.00")
    return changes(laptop, tmp_path)


def refused(court: Court, package: Path, match: str = "") -> None:
    before = snapshot(court.db)
    with pytest.raises(UserError, match=match):
        merge.import_changes(court.db, court.admin, package)
    assert snapshot(court.db) == before


def test_a_package_with_one_byte_changed_is_refused(court: Court, package: Path) -> None:
    data = bytearray(package.read_bytes())
    data[len(data) // 3] ^= 0x01
    package.write_bytes(bytes(data))
    refused(court, package, "变更包被拒绝")
    assert not list((court.db.path.parent / "backups").glob("*before-import*"))  # type: ignore[union-attr]


def test_an_edited_record_without_a_valid_signature_is_refused(
    court: Court, package: Path, tmp_path: Path
) -> None:
    def raise_amount(body: dict[str, Any]) -> None:
        for r in body["records"]:
            if r["entity"] == "payment":
                r["values"]["amount"] = "50000.00"

    forged = signed(package, tmp_path / "forged.zip", signing.new_key(), raise_amount)
    refused(court, forged, "签名不符")


def test_a_package_signed_with_the_kits_own_key_is_accepted_even_rebuilt(
    court: Court, laptop: Laptop, package: Path, tmp_path: Path
) -> None:
    assert laptop.db.path is not None
    key = kit_opening.kit_signing_key(laptop.db.path)
    rebuilt = signed(package, tmp_path / "rebuilt.zip", key)
    assert merge.import_changes(court.db, court.admin, rebuilt).inserted["payment"] == 1


def test_a_package_from_another_courts_kit_is_refused(court: Court, tmp_path: Path) -> None:
    other_path = tmp_path / "other" / "court.db"
    other_path.parent.mkdir()
    other = open_app_database(sqlite_url(other_path))
    try:
        from tests.conftest import SETUP
        from zhiqian_desktop.services.core import settings as settings_service
        from zhiqian_desktop.services.core.users import default_actor

        with other.unit_of_work() as s:
            settings_service.initialize(s, SETUP)
        with other.reader() as s:
            other_admin = default_actor(s)
        with other.unit_of_work() as s:
            t = add_tribunal(s, other_admin, "沙尔沁法庭")
            register_case(
                s,
                other_admin,
                make_case_input(1, handler_id=other_admin.user_id, tribunal_id=t.id),
                today=TODAY,
            )
            tid = t.id
        other_kit = sync.export_kit(
            other, other_admin, tribunal_id=tid, year=2026, block_size=5, dest=tmp_path / "o.zip"
        )
    finally:
        other.dispose()
    path = kit_opening.open_kit(other_kit, tmp_path / "other-laptop")
    laptop_db = open_app_database(sqlite_url(path))
    try:
        with laptop_db.reader() as s:
            clerk = actor_for(s.scalars(select(User).where(User.active.is_(True))).one())
        call(laptop_db, clerk, _first_case(laptop_db), "x")
        foreign = changes_module.export_changes(laptop_db, tmp_path / "foreign.zip")
    finally:
        laptop_db.dispose()
    refused(court, foreign, "不是本院导出的")


def _first_case(db: Database) -> str:
    with db.reader() as s:
        return str(s.scalars(select(SupervisionCase.id)).first())


def test_hostile_member_names_are_refused(court: Court, package: Path, tmp_path: Path) -> None:
    hostile_names = {
        "../evil.txt": "..",
        "/etc/evil.txt": "绝对路径",
        "files\\evil.txt": "反斜杠",
        "C:/evil.txt": "盘符",
        "a/../../evil.txt": "..",
        records.CHANGES: "重复",
    }
    for n, (name, why) in enumerate(hostile_names.items()):
        hostile = rewrite(package, tmp_path / f"hostile{n}.zip", {}, {name: b"{}"})
        refused(court, hostile, why)
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_truncated_package_is_refused(court: Court, package: Path) -> None:
    data = package.read_bytes()
    package.write_bytes(data[: len(data) // 2])
    refused(court, package, "变更包被拒绝")


def test_a_package_above_the_size_limit_is_refused(
    court: Court, package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merge, "MAX_PACKAGE_BYTES", 1024)
    refused(court, package, "超过上限")


def test_a_crash_in_the_middle_of_an_import_leaves_the_court_database_as_before(
    court: Court, package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = merge._apply_change
    calls = {"n": 0}

    def crash(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        real(*args, **kwargs)

    monkeypatch.setattr(merge, "_apply_change", crash)
    before = snapshot(court.db)
    with pytest.raises(RuntimeError):
        merge.import_changes(court.db, court.admin, package)
    assert snapshot(court.db) == before
    monkeypatch.setattr(merge, "_apply_change", real)
    assert merge.import_changes(court.db, court.admin, package).inserted["payment"] == 1


def test_a_kit_is_refused_if_altered(kit: Path, tmp_path: Path) -> None:
    data = bytearray(kit.read_bytes())
    data[len(data) // 2] ^= 0x01
    kit.write_bytes(bytes(data))
    with pytest.raises(UserError, match="离线包被拒绝"):
        kit_opening.open_kit(kit, tmp_path / "laptop")
    assert not (tmp_path / "laptop" / "zhiqian.db").exists()


# --- case numbers --------------------------------------------------------------------------------


def test_blocks_are_never_handed_out_twice(court: Court, tmp_path: Path) -> None:
    a = sync.export_kit(
        court.db,
        court.admin,
        tribunal_id=court.tribunal_id,
        year=2026,
        block_size=3,
        dest=tmp_path / "a.zip",
    )
    b = sync.export_kit(
        court.db,
        court.admin,
        handler_id=court.handler_id,
        year=2026,
        block_size=3,
        dest=tmp_path / "b.zip",
    )
    with court.db.reader() as s:
        blocks = sorted((b.first_seq, b.last_seq) for b in s.scalars(select(CaseNumberBlock)))
    assert blocks == [(5, 7), (8, 10)]
    with court.db.unit_of_work() as s:
        assert register_case(s, court.admin, make_case_input(40), today=TODAY).case_seq == 11
    laptops = []
    for n, k in enumerate((a, b)):
        path = kit_opening.open_kit(k, tmp_path / f"l{n}")
        laptops.append(open_app_database(sqlite_url(path)))
    try:
        issued = []
        for n, db in enumerate(laptops):
            with db.unit_of_work() as s:
                clerk = auth.login(s, "zhangsan", PASSWORD, NOW)
            for i in range(3):
                with db.unit_of_work() as s:
                    data = make_case_input(100 + 10 * n + i)
                    issued.append(register_case(s, clerk, data, today=TODAY).case_seq)
            with db.unit_of_work() as s, pytest.raises(UserError, match="已用完"):
                register_case(s, clerk, make_case_input(199 - n), today=TODAY)
        assert issued == [5, 6, 7, 8, 9, 10]
    finally:
        for db in laptops:
            db.dispose()


def test_a_laptop_cannot_number_a_case_of_another_year(laptop: Laptop) -> None:
    with laptop.db.unit_of_work() as s, pytest.raises(UserError, match="2027"):
        register_case(s, laptop.clerk, make_case_input(50), today=TODAY, case_year=2027)


def test_export_kit_needs_a_lead(court: Court, tmp_path: Path) -> None:
    with court.db.reader() as s:
        clerk = actor_for(s.get(User, court.handler_id))  # type: ignore[arg-type]
    with pytest.raises(UserError):
        sync.export_kit(
            court.db, clerk, tribunal_id=court.tribunal_id, year=2026, dest=tmp_path / "k.zip"
        )
    assert count(court.db, CaseNumberBlock) == 0


# --- the court's document templates --------------------------------------------------------------


def _urging_text(db: Database) -> str:
    from zhiqian_desktop.services.supervision import templates as document_templates

    with db.reader() as s:
        return document_templates.template_text(s, DocumentKind.URGING)


def test_the_courts_templates_travel_as_rows_of_the_kit_database(
    court: Court, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.printing.helpers import flat, pdf_text
    from zhiqian_desktop.services.supervision import notices
    from zhiqian_desktop.services.supervision import templates as document_templates

    own = document_templates.default_text(DocumentKind.URGING).replace(
        "特此催告。", "特此催告，离线也一样。"
    )
    with court.db.unit_of_work() as s:
        document_templates.save_template(s, court.admin, DocumentKind.URGING, own)
    kit = tribunal_kit(court, tmp_path / "kit.zip")
    with zipfile.ZipFile(kit) as zf:
        assert not [n for n in zf.namelist() if n.startswith("templates/")]
    # The laptop is another PC: its own data folder holds nothing of the court's.
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "laptop-home"))
    laptop = open_laptop(kit, tmp_path / "laptop")
    try:
        assert _urging_text(laptop.db) == own
        with laptop.db.unit_of_work() as s:
            issued = notices.issue_notice(
                s, laptop.clerk, court.cases[0], DocumentKind.URGING, today=TODAY
            )
        assert "特此催告，离线也一样。" in flat(pdf_text(issued.pdf, tmp_path))
    finally:
        laptop.db.dispose()


def test_an_older_kit_with_template_files_puts_them_into_the_laptops_database(
    court: Court, kit: Path, tmp_path: Path
) -> None:
    from zhiqian_desktop.services.supervision import templates as document_templates

    own = document_templates.default_text(DocumentKind.URGING).replace(
        "特此催告。", "特此催告（旧离线包）。"
    )
    broken = 'title = "x"\nparagraphs = ["{nope}"]\n'
    members = {"templates/urging.toml": own.encode(), "templates/pre_fine.toml": broken.encode()}
    with zipfile.ZipFile(kit) as zf:
        manifest = json.loads(zf.read(records.MANIFEST))
    key = signing.signing_key(court.db)
    assert key is not None
    for name, data in members.items():
        manifest["files"].append(
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        )
    raw = json.dumps(manifest).encode()
    sig = signing.sign(key, raw).encode()
    old = rewrite(
        kit, tmp_path / "old-kit.zip", {records.MANIFEST: raw, records.SIGNATURE: sig}, members
    )
    laptop = open_laptop(old, tmp_path / "laptop")
    try:
        assert _urging_text(laptop.db) == own
        with laptop.db.reader() as s:
            stored = {t.kind for t in document_templates.list_templates(s) if t.court_version}
        assert stored == {DocumentKind.URGING}
    finally:
        laptop.db.dispose()
    # Nothing was copied into the laptop user's own folder as before.
    assert not document_templates.legacy_templates_dir().exists()
