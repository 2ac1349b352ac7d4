"""Issuing notices: numbering, stored PDF and data, service records, the urging period, the CLI."""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.cli.notices import cmd_notice, parse_kind
from zhiqian_desktop.domain.errors import NotFound, PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import DocumentKind, Role, ServiceMethod
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices, service_records
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.models import Attachment, AuditEvent, Document


def _case(db: Database, admin: Actor, **kw: object) -> tuple[str, str]:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(**kw), today=TODAY)  # type: ignore[arg-type]
        return case.id, case.case_no


def _issue(db: Database, actor: Actor, case_id: str, kind: DocumentKind, **kw: object):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return notices.issue_notice(s, actor, case_id, kind, today=TODAY, **kw)  # type: ignore[arg-type]


def _text(pdf: bytes, tmp: Path) -> str:
    return "".join(pdf_text(pdf).split())


@pytest.mark.usefixtures("sqlite_db")  # the store beside the database file
def test_issue_stores_number_data_pdf_and_audit(db: Database, admin: Actor, tmp_path: Path) -> None:
    case_id, case_no = _case(db, admin)
    issued = _issue(db, admin, case_id, DocumentKind.URGING)
    assert issued.doc_no == f"{case_no}-催告1"
    assert issued.pdf_path.parent.parent == attachments_dir(db.path)  # type: ignore[arg-type]
    pdf = issued.pdf_path.read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == issued.pdf_sha256 == issued.pdf_path.name
    text = _text(pdf, tmp_path)
    for expected in (
        "土默特右旗人民法院",
        "自动履行催告书",
        case_no,
        "王某某",
        "李某",
        "¥12,345.67",
        "人民币壹万贰仟叁佰肆拾伍元陆角柒分",
        "二〇二六年十一月二十五日",
    ):
        assert expected in text
    with db.reader() as s:
        doc = s.get(Document, issued.id)
        assert doc is not None and doc.pdf_sha256 == issued.pdf_sha256
        data = json.loads(doc.data_json)
        assert data["context"]["obligor"] == "王某某" and data["issued_on"] == "2026-11-25"
        attachment = s.scalars(select(Attachment).where(Attachment.owner_id == issued.id)).one()
        assert (attachment.sha256, attachment.size) == (issued.pdf_sha256, len(pdf))
        assert attachment.media_type == "application/pdf"
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == issued.id)).one()
        assert event.action == "issue" and event.case_id == case_id
        # Re-rendering from the stored data gives the very same PDF.
        assert notices.render_document(s, issued.id) == pdf
        assert notices.stored_pdf(s, issued.id) == pdf


def test_numbers_count_up_per_kind_and_are_unique(db: Database, admin: Actor) -> None:
    case_id, case_no = _case(db, admin)
    first = _issue(db, admin, case_id, DocumentKind.SUPERVISION_NOTICE)
    second = _issue(db, admin, case_id, DocumentKind.SUPERVISION_NOTICE)
    other = _issue(db, admin, case_id, DocumentKind.URGING)
    assert [first.doc_no, second.doc_no, other.doc_no] == [
        f"{case_no}-督促1",
        f"{case_no}-督促2",
        f"{case_no}-催告1",
    ]


def test_every_kind_can_be_issued_for_a_suitable_case(db: Database, admin: Actor) -> None:
    case_id, _ = _case(db, admin)
    urging = _issue(db, admin, case_id, DocumentKind.URGING)
    with db.unit_of_work() as s:
        service_records.record_service(
            s, admin, urging.id, ServiceMethod.DIRECT, TODAY, "张三", today=TODAY
        )
    skip = {
        DocumentKind.PERFORMANCE_CERTIFICATE,
        DocumentKind.BANKRUPTCY_NOTICE,
        DocumentKind.TRANSFER_LETTER,
        DocumentKind.MEDIATION_LETTER,
        DocumentKind.PRESERVATION_RULING,
        DocumentKind.ASSISTANCE_NOTICE,
        DocumentKind.RELEASE_RULING,
        DocumentKind.RELEASE_NOTICE,
    }
    for kind in DocumentKind:
        if kind not in skip:
            served = urging.id if kind is DocumentKind.SERVICE_RECEIPT else None
            assert _issue(db, admin, case_id, kind, served_document_id=served).size > 10_000
    with pytest.raises(UserError, match="只有督促不成的案件才能移送执行"):
        _issue(db, admin, case_id, DocumentKind.TRANSFER_LETTER)
    with pytest.raises(UserError, match="不能出具自动履行证明书"):
        _issue(db, admin, case_id, DocumentKind.PERFORMANCE_CERTIFICATE)
    with pytest.raises(UserError, match="企业法人"):
        _issue(db, admin, case_id, DocumentKind.BANKRUPTCY_NOTICE)
    with pytest.raises(UserError, match="没有未结束的委托调解"):
        _issue(db, admin, case_id, DocumentKind.MEDIATION_LETTER)
    # Issued from the ruling or measure they are about (tests/services/test_preservation.py).
    for kind in (DocumentKind.PRESERVATION_RULING, DocumentKind.ASSISTANCE_NOTICE):
        with pytest.raises(UserError, match="须从所依据的保全裁定或保全措施出具"):
            _issue(db, admin, case_id, kind)


def test_the_mediation_letter_is_issued_for_the_pending_entrustment(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    from datetime import date

    from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind
    from zhiqian_desktop.services.supervision import mediation

    case_id, _ = _case(db, admin)
    mid = mediation.add_mediator(db, admin, "土默特右旗人民调解委员会", MediatorKind.COMMITTEE).id
    row = mediation.entrust_case(
        db, admin, case_id, mediator_id=mid, entrusted_on=date(2026, 11, 20), period_days=15,
        matters="给付借款", today=TODAY,
    )  # fmt: skip
    letter = _issue(db, admin, case_id, DocumentKind.MEDIATION_LETTER)
    text = "".join(_text(letter.pdf, tmp_path).split())
    assert "委托调解函" in text and "土默特右旗人民调解委员会：" in text
    assert "委托你方就给付借款进行调解" in text
    assert "至二〇二六年十二月七日届满" in text
    assert "-委调1" in text
    mediation.record_mediation_result(
        db, admin, row.id, result=MediationResult.FAILED, result_on=TODAY, today=TODAY
    )
    with pytest.raises(UserError, match="没有未结束的委托调解"):
        _issue(db, admin, case_id, DocumentKind.MEDIATION_LETTER)


def test_service_receipt_names_the_served_document(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    case_id, _ = _case(db, admin)
    with pytest.raises(UserError, match="需要指明所送达的文书"):
        _issue(db, admin, case_id, DocumentKind.SERVICE_RECEIPT)
    urging = _issue(db, admin, case_id, DocumentKind.URGING)
    receipt = _issue(db, admin, case_id, DocumentKind.SERVICE_RECEIPT, served_document_id=urging.id)
    text = _text(receipt.pdf, tmp_path)
    assert "送达回证" in text and "自动履行催告书一份" in text and "-催告1）" in text
    assert "— 1 —" not in text  # the receipt is one page


def test_rare_character_in_a_name_is_refused_before_anything_is_stored(
    db: Database, admin: Actor
) -> None:
    # A private-use code point: no face on any machine draws it.
    case_id, _ = _case(db, admin, obligor="王\U000f0001")
    with pytest.raises(UserError, match="被申请人姓名或名称"):
        _issue(db, admin, case_id, DocumentKind.URGING)
    with db.reader() as s:
        assert s.scalars(select(Document)).all() == []


def test_readonly_user_cannot_issue(db: Database, admin: Actor) -> None:
    case_id, _ = _case(db, admin)
    reader = Actor(user_id=None, username="ro", display_name="只读", role=Role.READONLY)
    with pytest.raises(PermissionDenied):
        _issue(db, reader, case_id, DocumentKind.URGING)


def test_find_document_by_scanned_code_or_number(db: Database, admin: Actor) -> None:
    case_id, _ = _case(db, admin)
    issued = _issue(db, admin, case_id, DocumentKind.URGING)
    with db.reader() as s:
        assert (
            service_records.find_document_by_code(s, f"  {issued.id.upper()}\r\n").id == issued.id
        )
        half_width = issued.doc_no.replace("（", "(").replace("）", ")")
        assert service_records.find_document_by_code(s, half_width).id == issued.id
        with pytest.raises(NotFound):
            service_records.find_document_by_code(s, "00000000-0000-0000-0000-000000000000")


def _urging_case_2025(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        case = register_case(
            s,
            admin,
            make_case_input(
                received=date(2025, 9, 1),
                effective_date=date(2025, 8, 1),
                performance_deadline=date(2025, 8, 15),
            ),
            today=date(2025, 9, 10),
        )
        return case.id


def test_service_of_the_urging_notice_starts_the_urging_period(db: Database, admin: Actor) -> None:
    case_id = _urging_case_2025(db, admin)
    with db.unit_of_work() as s:
        urging = notices.issue_notice(
            s, admin, case_id, DocumentKind.URGING, today=date(2025, 9, 12)
        )
        assert notices.urging_period_end(s, case_id) is None
    with db.unit_of_work() as s:
        service = service_records.record_service(
            s,
            admin,
            urging.id,
            ServiceMethod.DIRECT,
            date(2025, 9, 16),
            "张法官",
            today=date(2025, 9, 20),
        )
        assert service.recipient == "王某某"
    with db.reader() as s:
        end = notices.urging_period_end(s, case_id)
    # 15 days from 16 September nominally end on 1 October, in the National Day holiday (1–8 Oct).
    assert end is not None
    assert end.end == date(2025, 10, 9) and end.rolled_from == date(2025, 10, 1)
    assert end.calendar_complete


@pytest.mark.parametrize(
    ("method", "kwargs", "served_on", "message"),
    [
        (ServiceMethod.SUBSTITUTE, {"recipient": "王某之妻"}, date(2025, 9, 16), "代收理由"),
        (
            ServiceMethod.SUBSTITUTE,
            {"substitute_reason": "本人外出"},
            date(2025, 9, 16),
            "代收人姓名",
        ),
        (ServiceMethod.LEAVING, {}, date(2025, 9, 16), "拒收事由"),
        (ServiceMethod.DIRECT, {}, date(2025, 9, 11), "早于文书出具日期"),
        (ServiceMethod.DIRECT, {}, date(2025, 9, 21), "晚于今天"),
    ],
)
def test_service_is_validated(
    db: Database,
    admin: Actor,
    method: ServiceMethod,
    kwargs: dict[str, str],
    served_on: date,
    message: str,
) -> None:
    case_id = _urging_case_2025(db, admin)
    with db.unit_of_work() as s:
        urging = notices.issue_notice(
            s, admin, case_id, DocumentKind.URGING, today=date(2025, 9, 12)
        )
    with db.unit_of_work() as s, pytest.raises(UserError, match=message):
        service_records.record_service(
            s, admin, urging.id, method, served_on, "张法官", today=date(2025, 9, 20), **kwargs
        )


def test_substitute_service_with_reason_is_recorded_once(db: Database, admin: Actor) -> None:
    case_id = _urging_case_2025(db, admin)
    with db.unit_of_work() as s:
        urging = notices.issue_notice(
            s, admin, case_id, DocumentKind.URGING, today=date(2025, 9, 12)
        )
    with db.unit_of_work() as s:
        service_records.record_service(
            s,
            admin,
            urging.id,
            ServiceMethod.SUBSTITUTE,
            date(2025, 9, 16),
            "张法官",
            recipient="刘某（被申请人之妻）",
            substitute_reason="被申请人外出务工，由同住成年家属代收",
            today=date(2025, 9, 20),
        )
    with db.unit_of_work() as s, pytest.raises(UserError, match="已于2025-09-16向王某某登记过送达"):
        service_records.record_service(
            s,
            admin,
            urging.id,
            ServiceMethod.DIRECT,
            date(2025, 9, 17),
            "张法官",
            today=date(2025, 9, 20),
        )


def test_cli_notice_writes_the_pdf(
    db: Database, admin: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _case_id, case_no = _case(db, admin)
    out = tmp_path / "催告书.pdf"
    half_width = case_no.replace("（", "(").replace("）", ")")
    args = argparse.Namespace(
        case_no=half_width, kind="urging", output=str(out), date="2026-11-25", json=True
    )
    assert cmd_notice(db, admin, args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["doc_no"] == f"{case_no}-催告1" and result["kind"] == "urging"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result["sha256"]


def test_cli_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(UserError) as err:
        parse_kind("warning")
    assert "urging（自动履行催告书）" in str(err.value) and "pre_fine（预罚款通知书）" in str(
        err.value
    )
    assert parse_kind("预失信通知书") is DocumentKind.PRE_DISHONEST
