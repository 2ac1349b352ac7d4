"""Service per addressee: a document served on two parties has a receipt and a service record for
each, and counts as served (urging period, warnings, due-list) only once both are recorded."""

from __future__ import annotations

import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, inspect, select

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from tests.services.test_sync import changes, open_laptop, setup_court, tribunal_kit
from zhiqian_desktop.domain.dues import DueKind, court_date
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import served_on
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind, PartyRole, ServiceMethod
from zhiqian_desktop.services.closing import transfer_package as packages
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE
from zhiqian_desktop.services.exchange.merge import import_changes
from zhiqian_desktop.services.intake.docket import PartyInput, register_case
from zhiqian_desktop.services.supervision import notices, service_records
from zhiqian_desktop.services.supervision.due_items import rebuild_due_items
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.store import migrations
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import DueEntry, Party, Service
from zhiqian_desktop.store.types import utcnow

LATER = TODAY + timedelta(days=3)


def _two_obligors(db: Database, admin: Actor) -> str:
    data = make_case_input()
    data.parties.append(PartyInput(PartyRole.OBLIGOR, "某某商贸有限公司", PartyKind.LEGAL_PERSON))
    with db.unit_of_work() as s:
        return register_case(s, admin, data, today=TODAY).id


def _party(db: Database, case_id: str, name: str) -> str:
    with db.reader() as s:
        return s.scalars(select(Party.id).where(Party.case_id == case_id, Party.name == name)).one()


def _serve(
    db: Database, admin: Actor, document_id: str, party_id: str | None, day: date, **kw: object
) -> Service:
    with db.unit_of_work() as s:
        service = service_records.record_service(
            s, admin, document_id, ServiceMethod.DIRECT, day, "张三",
            party_id=party_id, today=LATER, **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        s.expunge(service)
        return service


def test_the_rule_a_document_is_served_when_its_last_addressee_is() -> None:
    d1, d2 = date(2026, 11, 21), date(2026, 11, 23)
    assert served_on(["a", "b"], []) is None
    assert served_on(["a", "b"], [("a", d1)]) is None
    assert served_on(["a", "b"], [("b", d2), ("a", d1)]) == d2
    assert served_on(["a"], [("a", d2), ("a", d1)]) == d1  # a duplicate from a merge: earliest
    assert served_on(["a"], [("gone", d1)]) is None  # a party no longer on the case
    # A record made before receipts were per addressee served the document as a whole.
    assert served_on(["a", "b"], [(None, d2), (None, d1)]) == d1
    assert served_on([], []) is None


def test_each_addressee_is_served_apart_and_the_notice_counts_as_served_when_all_are(
    db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    applicant, obligor = _party(db, case_id, "李某"), _party(db, case_id, "王某某")
    with db.unit_of_work() as s:
        risk = notices.issue_notice(s, admin, case_id, DocumentKind.RISK_NOTICE, today=TODAY)

    with pytest.raises(UserError, match=r"有2名受送达人.*请选择.*（李某、王某某）"):
        _serve(db, admin, risk.id, None, TODAY)
    first = _serve(db, admin, risk.id, applicant, TODAY)
    assert first.party_id == applicant and first.recipient == "李某"
    with db.reader() as s:
        doc = service_records.find_document_by_code(s, risk.id)
        assert service_records.document_served_on(s, doc) is None  # the obligor is still waiting
        summary = service_records.service_summary(s, doc)
        assert summary.reached == 1 and summary.lines() == [
            f"李某：{TODAY.isoformat()} 直接送达",
            "王某某：未送达",
        ]
    with pytest.raises(UserError, match=r"已于.*向李某登记过送达"):
        _serve(db, admin, risk.id, applicant, TODAY)
    # With one addressee left, it is the one served.
    second = _serve(db, admin, risk.id, None, LATER)
    assert second.party_id == obligor
    with db.reader() as s:
        doc = service_records.find_document_by_code(s, risk.id)
        assert service_records.document_served_on(s, doc) == LATER
    with pytest.raises(UserError, match="向王某某登记过送达"):
        _serve(db, admin, risk.id, obligor, LATER)

    with db.unit_of_work() as s:
        other = register_case(s, admin, make_case_input(2, obligor="赵某"), today=TODAY).id
    stranger = _party(db, other, "赵某")
    with pytest.raises(UserError, match=r"不是执行风险提示书.*的受送达人"):
        _serve(db, admin, risk.id, stranger, TODAY)
    with db.unit_of_work() as s:
        record = notices.issue_notice(s, admin, case_id, DocumentKind.INTERVIEW_RECORD, today=TODAY)
    with pytest.raises(UserError, match="不向当事人送达"):
        _serve(db, admin, record.id, None, TODAY)


def test_the_urging_period_and_the_warnings_wait_for_every_obligor(
    db: Database, admin: Actor
) -> None:
    case_id = _two_obligors(db, admin)
    person, company = _party(db, case_id, "王某某"), _party(db, case_id, "某某商贸有限公司")
    with db.unit_of_work() as s:
        urging = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
        receipts = notices.issue_receipts(s, admin, urging.id, today=TODAY)
    assert len(receipts) == 2

    _serve(db, admin, urging.id, person, TODAY)
    with db.reader() as s:
        assert notices.urging_period_end(s, case_id) is None
    with db.unit_of_work() as s, pytest.raises(UserError, match="还没有登记自动履行催告书的送达"):
        notices.issue_notice(s, admin, case_id, DocumentKind.PRE_FINE, today=LATER)
    # The due-list still asks for the service (7 days after the day it was made), not for the
    # period's end.
    week = court_date(utcnow(), DEFAULT_ZONE) + timedelta(days=8)

    def waiting() -> list[str]:
        with db.reader() as s:
            return [
                i.detail
                for i in due_list(s, week)
                if i.case_id == case_id and i.kind is DueKind.UNSERVED
            ]

    assert any(urging.doc_no in d for d in waiting())
    with db.reader() as s:
        assert not any(i.kind is DueKind.URGING_PERIOD for i in due_list(s, week))

    _serve(db, admin, urging.id, company, LATER)
    with db.reader() as s:
        end = notices.urging_period_end(s, case_id)
        assert end is not None and end.start == LATER  # from the last obligor served
    with db.unit_of_work() as s:
        notices.issue_notice(s, admin, case_id, DocumentKind.PRE_FINE, today=LATER)
    assert not any(urging.doc_no in d for d in waiting())


def test_the_transfer_package_names_the_addressee_of_each_service(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
        risk = notices.issue_notice(s, admin, case_id, DocumentKind.RISK_NOTICE, today=TODAY)
    applicant = _party(db, case_id, "李某")
    _serve(db, admin, risk.id, applicant, TODAY, recipient="李小某（申请人之子）")
    out = packages.build_transfer_package(
        db, admin, case_id, "被申请人拒不履行", tmp_path / "t.zip", as_zip=True, today=LATER
    )
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        (tmp_path / "record.pdf").write_bytes(z.read("03-督促过程记录.pdf"))
    (doc,) = [d for d in manifest["case"]["documents"] if d["id"] == risk.id]
    (service,) = doc["services"]
    assert service["party_id"] == applicant and service["addressee"] == "李某"
    assert service["recipient"] == "李小某（申请人之子）"
    text = pdf_text(tmp_path / "record.pdf")
    assert "受送达人李某，签收人李小某（申请人之子）" in "".join(text.split())


def test_a_tribunals_service_comes_back_with_its_addressee(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    court = setup_court(sqlite_db, admin)
    case_id = court.cases[0]
    with court.db.unit_of_work() as s:
        risk = notices.issue_notice(s, admin, case_id, DocumentKind.RISK_NOTICE, today=TODAY)
    laptop = open_laptop(tribunal_kit(court, tmp_path / "kit.zip"), tmp_path / "laptop")
    try:
        applicant = _party(laptop.db, case_id, "李某")
        with laptop.db.unit_of_work() as s:
            service_records.record_service(
                s, laptop.clerk, risk.id, ServiceMethod.DIRECT, TODAY, "张三",
                party_id=applicant, today=TODAY,
            )  # fmt: skip
        package = changes(laptop, tmp_path)
    finally:
        laptop.db.dispose()
    report = import_changes(court.db, court.admin, package)
    assert report.conflicts == [] and report.inserted["service"] == 1
    with court.db.reader() as s:
        status = service_records.service_status(
            s, service_records.find_document_by_code(s, risk.id)
        )
        assert [(a.name, a.service is not None) for a in status] == [
            ("李某", True),
            ("王1", False),
        ]
    # The court serves the obligor: the notice is then served on both.
    _serve(court.db, admin, risk.id, _party(court.db, case_id, "王1"), TODAY)
    with court.db.reader() as s:
        assert (
            service_records.document_served_on(s, service_records.find_document_by_code(s, risk.id))
            == TODAY
        )


def _alembic(db: Database, action: str, revision: str) -> None:
    cfg = migrations._config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def _stored(db: Database, case_id: str) -> list[tuple[str, date, str]]:
    with db.reader() as s:
        return sorted(
            (e.kind, e.due_date, e.detail)
            for e in s.scalars(select(DueEntry).where(DueEntry.case_id == case_id))
        )


def test_services_recorded_before_get_their_addressee_where_it_is_certain(
    db: Database, admin: Actor
) -> None:
    """A database of the previous release (0008): its services named no party. The upgrade
    gives each the party it certainly served; one it cannot tell keeps serving the document as
    a whole, as it did. The stored deadlines are computed again by the new rules."""
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
        urging = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
        named = notices.issue_notice(s, admin, case_id, DocumentKind.RISK_NOTICE, today=TODAY)
        unclear = notices.issue_notice(s, admin, case_id, DocumentKind.RISK_NOTICE, today=TODAY)
    obligor, applicant = _party(db, case_id, "王某某"), _party(db, case_id, "李某")
    _serve(db, admin, urging.id, obligor, TODAY, recipient="王某某之妻")
    _serve(db, admin, named.id, applicant, TODAY)  # recipient 李某, the name of the party
    _serve(db, admin, unclear.id, applicant, TODAY, recipient="门卫刘某")
    _alembic(db, "downgrade", "0008_court_templates")
    with db.engine.begin() as conn:
        assert "party_id" not in {c["name"] for c in inspect(conn).get_columns("service")}
        conn.execute(delete(DueEntry.__table__))  # type: ignore[arg-type]
    _alembic(db, "upgrade", "head")

    with db.reader() as s:
        by_doc = {sv.document_id: sv.party_id for sv in s.scalars(select(Service))}
        assert by_doc == {urging.id: obligor, named.id: applicant, unclear.id: None}
        reached = {
            d: service_records.service_summary(
                s, service_records.find_document_by_code(s, d)
            ).reached
            for d in (named.id, unclear.id)
        }
    assert reached == {named.id: 1, unclear.id: 2}  # the unclear one served the whole notice
    # The deadlines are stored again by the upgrade, as the rules compute them: the notice
    # served on the applicant only still waits for the obligor; the other one is served.
    stored = _stored(db, case_id)
    unserved = [detail for kind, _, detail in stored if kind == DueKind.UNSERVED.value]
    assert len(unserved) == 1 and named.doc_no in unserved[0]
    assert DueKind.URGING_PERIOD.value in {kind for kind, _, _ in stored}
    with db.unit_of_work() as s:
        rebuild_due_items(s)
    assert _stored(db, case_id) == stored


def test_a_database_from_before_the_stored_deadlines_gets_them_on_upgrade(
    db: Database, admin: Actor
) -> None:
    """From revision 0005 (no table due_item yet) to the newest: the table is created by 0006 and
    filled by 0009, whose columns the rules read, with what the rules compute."""
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
        urging = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
    _serve(db, admin, urging.id, None, TODAY)
    expected = _stored(db, case_id)
    assert {kind for kind, _, _ in expected} >= {DueKind.URGING_PERIOD.value}

    _alembic(db, "downgrade", "0005_pg_trigram_search")
    with db.engine.connect() as conn:
        assert "due_item" not in inspect(conn).get_table_names()
    _alembic(db, "upgrade", "head")
    assert _stored(db, case_id) == expected
