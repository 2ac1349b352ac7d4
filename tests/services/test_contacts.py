"""Contact logs: validation, append-only corrections, attachments, the applicant notice."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import make_case_input
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import ContactKind, DocumentKind, Role, ServiceMethod
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE as COURT_TZ
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake import docket
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Attachment, AuditEvent, ContactLog, Document, Service

TODAY = date(2026, 11, 25)
NOW = datetime.combine(TODAY, time(16), tzinfo=COURT_TZ)


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=COURT_TZ)


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        return docket.register_case(s, admin, make_case_input(1), today=TODAY).id


def data(**kw: object) -> ContactInput:
    d = ContactInput(ContactKind.PHONE, at(TODAY), True, "被申请人称月底前筹款")
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def log(db: Database, actor: Actor, case_id: str, **kw: object) -> str:
    with db.unit_of_work() as s:
        return contacts.log_contact(s, actor, case_id, data(**kw), now=NOW).id


def test_log_a_call_and_read_it_back(db: Database, admin: Actor, case_id: str) -> None:
    log(
        db,
        admin,
        case_id,
        number_or_place=" 13912345678 ",
        promise_amount=Decimal("3000.00"),
        promise_date=date(2026, 11, 30),
        next_follow_up=date(2026, 12, 1),
    )
    with db.reader() as s:
        [entry] = contacts.list_contacts(s, case_id)
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "contact_log")).all()
    assert entry.number_or_place == "13912345678" and entry.handler_name == "管理员"
    assert entry.promise_amount == Decimal("3000.00") and entry.local_time == "2026-11-25 10:00"
    assert not entry.superseded
    assert [e.action for e in events] == ["create"]


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"contacted_at": NOW.replace(hour=18)}, "contacted_at", "不能晚于现在"),
        ({"promise_amount": Decimal("-1"), "promise_date": TODAY}, "promise_amount", "负数"),
        ({"promise_amount": Decimal("1.005"), "promise_date": TODAY}, "promise_amount", "分"),
        ({"promise_amount": Decimal(5)}, "promise_date", "承诺履行日期"),
        ({"promise_date": date(2026, 11, 24)}, "promise_date", "不能早于督促日期2026-11-25"),
        ({"next_follow_up": date(2026, 11, 24)}, "next_follow_up", "不能早于督促日期"),
        ({"summary": "  "}, "summary", "联系情况"),
        ({"reached": False, "promise_date": TODAY}, "reached", "未接通"),
        ({"contacted_at": datetime(2026, 11, 25, 10)}, "contacted_at", "时区"),
    ],
)
def test_validation(
    db: Database, admin: Actor, case_id: str, kw: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(UserError) as err:
        log(db, admin, case_id, **kw)
    assert err.value.field == field and words in err.value.message
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ContactLog)) == 0


def test_promise_on_the_contact_day_and_an_unreached_call_are_fine(
    db: Database, admin: Actor, case_id: str
) -> None:
    log(db, admin, case_id, promise_amount=Decimal(0), promise_date=TODAY, next_follow_up=TODAY)
    log(db, admin, case_id, contacted_at=at(TODAY, 11), reached=False, summary="")
    with db.reader() as s:
        promise, unreached = contacts.list_contacts(s, case_id)
    assert (promise.local_time, promise.reached, promise.summary) == (
        "2026-11-25 10:00",
        True,
        "被申请人称月底前筹款",
    )
    assert promise.promise_amount == Decimal("0.00") and promise.promise_date == TODAY
    assert promise.next_follow_up == TODAY
    assert (unreached.local_time, unreached.reached, unreached.summary) == (
        "2026-11-25 11:00",
        False,
        "",
    )
    assert unreached.promise_date is None and unreached.next_follow_up is None
    assert not promise.superseded and not unreached.superseded


def test_a_past_call_may_be_logged_later(db: Database, admin: Actor, case_id: str) -> None:
    log(db, admin, case_id, contacted_at=at(date(2026, 11, 21)), next_follow_up=date(2026, 11, 22))
    with db.reader() as s:
        [entry] = contacts.list_contacts(s, case_id)
        case = docket.get_case(s, case_id)
        # The docket's 下次到期: the agreed follow-up, a Sunday, rolled to Monday 23 November
        # (the supervision limit, 30 days from receipt on 20 November, comes later).
        assert case.next_due_date == date(2026, 11, 23)
    assert entry.local_time == "2026-11-21 10:00" and entry.handler_name == "管理员"
    assert entry.next_follow_up == date(2026, 11, 22)


@pytest.mark.parametrize("kind", [ContactKind.APPLICANT_NOTICE, ContactKind.REMINDER])
def test_a_sent_message_is_neither_typed_in_nor_corrected(
    db: Database, admin: Actor, case_id: str, kind: ContactKind
) -> None:
    with pytest.raises(UserError, match="不能手工记录") as err:
        log(db, admin, case_id, kind=kind)
    assert err.value.field == "kind"
    first = log(db, admin, case_id)
    with db.unit_of_work() as s, pytest.raises(UserError, match="不能手工记录"):
        contacts.correct_contact(s, admin, first, data(kind=kind), now=NOW)
    with db.unit_of_work() as s:
        sent = contacts.log_applicant_notice(s, admin, case_id, "李某：您申请的案件……", now=NOW).id
    with db.unit_of_work() as s, pytest.raises(UserError, match="执行信息回告按发出的内容记录"):
        contacts.correct_contact(s, admin, sent, data(), now=NOW)
    with db.reader() as s:
        entries = contacts.list_contacts(s, case_id)
    assert [(e.kind, e.superseded) for e in entries] == [
        (ContactKind.PHONE, False),
        (ContactKind.APPLICANT_NOTICE, False),
    ]


def test_correction_is_a_new_entry_and_the_original_stays(
    db: Database, admin: Actor, case_id: str
) -> None:
    first = log(db, admin, case_id, summary="误记：已全部履行")
    log(db, admin, case_id, contacted_at=at(TODAY, 11), summary="第二次")
    with db.unit_of_work() as s:
        fixed = contacts.correct_contact(
            s, admin, first, data(summary="被申请人称下周履行"), now=NOW
        )
        fixed_id = fixed.id
    with db.reader() as s:
        entries = contacts.list_contacts(s, case_id)
        original = s.get_one(ContactLog, first)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "correct")).one()
    assert [e.summary for e in entries] == ["误记：已全部履行", "被申请人称下周履行", "第二次"]
    assert entries[0].superseded and entries[0].corrected_by_id == fixed_id
    assert entries[1].corrects_id == first and not entries[1].superseded
    assert original.summary == "误记：已全部履行" and original.version == 1
    assert json.loads(event.before_json or "{}")["summary"] == "误记：已全部履行"
    with db.unit_of_work() as s, pytest.raises(UserError, match="已经更正过"):
        contacts.correct_contact(s, admin, first, data(), now=NOW)
    with db.unit_of_work() as s:
        contacts.correct_contact(s, admin, fixed_id, data(summary="再次更正"), now=NOW)
    with db.reader() as s:
        assert [e.summary for e in contacts.list_contacts(s, case_id)][:3] == [
            "误记：已全部履行",
            "被申请人称下周履行",
            "再次更正",
        ]


def test_closed_case_is_read_only(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        docket.get_case(s, case_id).status = CaseStatus.PERFORMED
    with pytest.raises(UserError, match="重新开启"):
        log(db, admin, case_id)


def test_only_the_handler_or_a_lead_may_log(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        a = actor_for(create_user(s, admin, username="zhang", display_name="张", role=Role.HANDLER))
        b = actor_for(create_user(s, admin, username="li", display_name="李", role=Role.HANDLER))
        docket.get_case(s, case_id).handler_id = a.user_id
    log(db, a, case_id)
    with pytest.raises(PermissionDenied):
        log(db, b, case_id)


def test_party_must_belong_to_the_case(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        other = docket.register_case(s, admin, make_case_input(2), today=TODAY)
        foreign = other.parties[1].id
    with pytest.raises(UserError, match="不是本案当事人"):
        log(db, admin, case_id, party_id=foreign)


@pytest.mark.usefixtures("sqlite_db")  # the store beside the database file
def test_attachments_are_stored_once_by_content(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 photo bytes")
    same = tmp_path / "copy.jpg"
    same.write_bytes(photo.read_bytes())
    store = db.path.parent / "docket-files"  # type: ignore[union-attr]
    with db.unit_of_work() as s:
        log_id = contacts.log_contact(
            s, admin, case_id, data(), now=NOW, attachments=[photo, same]
        ).id
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (store / sha[:2] / sha).read_bytes() == photo.read_bytes()
    with db.reader() as s:
        [entry] = contacts.list_contacts(s, case_id)
        rows = s.scalars(select(Attachment)).all()
    assert [a.filename for a in entry.attachments] == ["现场照片.jpg", "copy.jpg"]
    assert {(r.owner_kind, r.owner_id, r.media_type) for r in rows} == {
        ("contact_log", log_id, "image/jpeg")
    }
    assert [p.name for p in store.glob("??/*")] == [sha], "stored once under its hash"


def test_missing_attachment_rolls_back_the_log(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    with pytest.raises(UserError, match="不存在"), db.unit_of_work() as s:
        contacts.log_contact(
            s,
            admin,
            case_id,
            data(),
            now=NOW,
            attachments=[tmp_path / "gone.mp3"],
        )
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ContactLog)) == 0


def test_applicant_notice_is_drafted_from_the_case_and_logged(
    db: Database, admin: Actor, case_id: str
) -> None:
    with db.unit_of_work() as s:
        doc = Document(
            case_id=case_id,
            kind=DocumentKind.URGING,
            doc_no="催1",
            issued_at=at(date(2026, 11, 20)),
        )
        s.add(doc)
        s.flush()
        s.add(
            Service(
                document_id=doc.id,
                method=ServiceMethod.DIRECT,
                served_on=date(2026, 11, 21),
                server="甲",
            )
        )
    log(db, admin, case_id, promise_amount=Decimal("2000"), promise_date=date(2026, 11, 30))
    with db.reader() as s:
        text = contacts.draft_applicant_notice(s, case_id, today=TODAY)
    assert text.startswith("李某：")
    assert "（2026）内0221民初1号" in text and "2026年11月21日向被申请人送达自动履行催告书" in text
    assert "共联系被申请人1次" in text and "承诺于2026年11月30日前履行¥2,000.00" in text
    assert "尚未履行¥12,345.67" in text and text.rstrip().endswith("2026年11月25日")
    with db.unit_of_work() as s:
        contacts.log_applicant_notice(s, admin, case_id, text, now=NOW)
    with db.reader() as s:
        entries = contacts.list_contacts(s, case_id)
        assert entries[-1].kind is ContactKind.APPLICANT_NOTICE
        assert entries[-1].contact_name == "李某" and entries[-1].summary == text.strip()
        again = contacts.draft_applicant_notice(s, case_id, today=TODAY)
    assert "共联系被申请人1次" in again, "the notice itself is not a contact with the obligor"


def test_applicant_notice_keeps_the_follow_up(db: Database, admin: Actor, case_id: str) -> None:
    from zhiqian_desktop.domain.dues import DueKind
    from zhiqian_desktop.services.supervision.dues import due_list

    log(db, admin, case_id, next_follow_up=TODAY)
    with db.unit_of_work() as s:
        contacts.log_applicant_notice(s, admin, case_id, "回告", now=NOW)
    with db.reader() as s:
        assert any(i.kind is DueKind.FOLLOW_UP for i in due_list(s, TODAY))


def test_contact_defaults_put_the_obligor_first(db: Database, admin: Actor, case_id: str) -> None:
    with db.reader() as s:
        d = contacts.contact_defaults(s, admin, case_id)
    assert d.parties[0][1:] == ("被申请人", "王某某", ("13912345678",))
    assert d.handler_id == admin.user_id
