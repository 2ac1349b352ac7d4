"""Releasing a pre-enforcement preservation by ruling: the 解除保全裁定书 (the case's next 之N) and
a 协助执行通知书 per measure lifted, issued with the release in one transaction, their text read
back from the PDFs, the refusals writing nothing, and who may make the ruling."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.services.test_preservation import (
    _apply,
    _count,
    _measure,
    _register,
    _rule,
    _text,
)
from tests.services.test_preservation import case_id as case_id  # the fixture
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import (
    DocumentKind,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
    Role,
)
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.supervision import notices, preservation
from zhiqian_desktop.services.supervision.release_documents import (
    issue_release,
    release_and_issue,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Document, Preservation, SupervisionCase


def _two_measures(db: Database, admin: Actor, case_id: str) -> preservation.ApplicationRow:
    _apply(db, admin, case_id)
    ruled = _rule(db, admin, case_id)
    _measure(db, admin, ruled.id)
    return _measure(
        db, admin, ruled.id, kind=PreservationKind.REAL_PROPERTY,
        measure=PreservationMeasure.SEAL, description="土右旗萨拉齐镇某小区3号楼2单元501室",
        holder="土右旗不动产登记中心", amount=None,
    )  # fmt: skip


def test_release_with_its_ruling_and_notices(db: Database, admin: Actor, case_id: str) -> None:
    row = _two_measures(db, admin, case_id)
    issued = release_and_issue(
        db, admin, row.id, released_on=TODAY, reason=ReleaseReason.WITHDRAWN, today=TODAY
    )
    assert [d.kind for d in issued] == [
        DocumentKind.RELEASE_RULING,
        DocumentKind.RELEASE_NOTICE,
        DocumentKind.RELEASE_NOTICE,
    ]
    # The preservation ruling was 之一: the release is 之二 of the same case.
    assert issued[0].doc_no == "（2026）内0221执前督1号之二"
    ruling = _text(issued[0].pdf)
    for words in (
        "民事裁定书",
        "（2026）内0221执前督1号之二",
        "本院于二〇二六年十一月二十二日作出（2026）内0221执前督1号之一民事裁定",
        "申请人向本院申请解除保全，应予准许。",
        "第一百六十六条第一款第二项",
        "第二十三条",
        "一、解除冻结被申请人名下的银行存款（账户6228480012345678）",
        "二、解除查封被申请人名下的不动产",
        "本裁定送达后即发生法律效力。",
        "审判员赵法官",
        "二〇二六年十一月二十五日",
    ):
        assert words in ruling, words
    assert "复议" not in ruling
    bank, registry = (_text(d.pdf) for d in issued[1:])
    assert "协助执行通知书" in bank and "中国农业银行土右旗支行：" in bank
    assert "解除对被申请人王某某名下的银行存款" in bank and "的冻结" in bank
    assert "（2026）内0221执前督1号之二民事裁定书副本一份" in bank
    assert "土右旗不动产登记中心：" in registry and "的查封" in registry
    row = preservation.case_preservations(db, case_id)[0]
    assert row.state == "已全部解除"
    with db.reader() as s:
        events = {e.action for e in s.scalars(select(AuditEvent))}
    assert {"issue", "update"} <= events


def test_refusals_write_nothing(db: Database, admin: Actor, case_id: str) -> None:
    row = _two_measures(db, admin, case_id)
    first = row.measures[0]
    with pytest.raises(UserError, match="尚未登记解除"):
        issue_release(db, admin, first.id, today=TODAY)
    documents, events = _count(db, Document), _count(db, AuditEvent)
    # “其他” names no legal ground: the release is not recorded either.
    with pytest.raises(UserError, match="没有可援引的解除保全的法定情形"):
        release_and_issue(
            db, admin, row.id, released_on=TODAY, reason=ReleaseReason.OTHER, note="协商",
            today=TODAY,
        )  # fmt: skip
    assert preservation.case_preservations(db, case_id)[0].live_measures
    # Enforcement was applied for in time (20 Nov): not a release under art. 163.
    with pytest.raises(UserError, match="第一百六十三条"):
        release_and_issue(
            db, admin, row.id, released_on=TODAY, reason=ReleaseReason.NO_ENFORCEMENT,
            today=TODAY,
        )  # fmt: skip
    assert (_count(db, Document), _count(db, AuditEvent)) == (documents, events)
    with pytest.raises(UserError, match="尚未解除，不能出具"), db.unit_of_work() as s:
        notices.issue_notice(
            s, admin, case_id, DocumentKind.RELEASE_NOTICE, today=TODAY, record_id=first.id
        )
    issued = release_and_issue(
        db, admin, row.id, measure_ids=(first.id,), released_on=TODAY,
        reason=ReleaseReason.SECURITY, today=TODAY,
    )  # fmt: skip
    assert len(issued) == 2 and "第一百零七条" in _text(issued[0].pdf)
    with pytest.raises(UserError, match="不能重复裁定"):
        issue_release(db, admin, first.id, today=TODAY)
    with pytest.raises(UserError, match="不能重复解除"):
        release_and_issue(
            db, admin, row.id, measure_ids=(first.id,), released_on=TODAY,
            reason=ReleaseReason.SECURITY, today=TODAY,
        )  # fmt: skip
    # A voided release ruling: its notice is refused, a new ruling takes a new number.
    with db.unit_of_work() as s:
        doc = s.scalars(select(Document).where(Document.doc_no == issued[0].doc_no)).one()
        doc.voided = True
    with pytest.raises(UserError, match="未出具或已作废"), db.unit_of_work() as s:
        notices.issue_notice(
            s, admin, case_id, DocumentKind.RELEASE_NOTICE, today=TODAY, record_id=first.id
        )
    again = issue_release(db, admin, first.id, today=TODAY)
    assert again[0].doc_no == "（2026）内0221执前督1号之三"
    with db.reader() as s:
        stored = s.scalars(select(Document).where(Document.id == again[0].id)).one()
        assert json.loads(stored.data_json)["record_id"] == first.id


def test_no_enforcement_release_after_the_five_days(db: Database, admin: Actor) -> None:
    # Enforcement applied for on 19 Nov, before the five days ended (20 Nov): the ruling stands;
    # the record then shows no application (withdrawn): the release under art. 163 is due.
    case_id = _register(db, admin, 2, application_received_on=date(2026, 11, 19))
    row = _two_measures(db, admin, case_id)
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        case.application_received_on = None
    issued = release_and_issue(
        db, admin, row.id, released_on=TODAY, reason=ReleaseReason.NO_ENFORCEMENT, today=TODAY
    )
    text = _text(issued[0].pdf)
    assert "五日内未向本院申请执行，应当解除保全" in text and "第一百六十三条" in text


def test_only_a_lead_makes_the_release_ruling(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        handler = actor_for(
            create_user(s, admin, username="jia", display_name="甲", role=Role.HANDLER)
        )
        s.get(SupervisionCase, case_id).handler_id = handler.user_id  # type: ignore[union-attr]
    row = _two_measures(db, admin, case_id)
    with pytest.raises(PermissionDenied):
        release_and_issue(
            db, handler, row.id, released_on=TODAY, reason=ReleaseReason.PERFORMED, today=TODAY
        )
    assert (
        _count(db, Document) == 0 and preservation.case_preservations(db, case_id)[0].live_measures
    )
    preservation.release_measures(
        db, handler, row.id, released_on=TODAY, reason=ReleaseReason.PERFORMED, today=TODAY
    )
    [ruling, *notes] = issue_release(db, admin, row.measures[0].id, today=TODAY)
    assert ruling.kind is DocumentKind.RELEASE_RULING and len(notes) == 2
    with db.reader() as s:
        assert s.scalar(select(Preservation.released_on).limit(1)) == TODAY


def test_a_later_preservation_ruling_takes_the_number_after_the_release(
    db: Database, admin: Actor, case_id: str
) -> None:
    row = _two_measures(db, admin, case_id)
    release_and_issue(
        db, admin, row.id, released_on=TODAY, reason=ReleaseReason.PERFORMED, today=TODAY
    )
    _apply(db, admin, case_id)
    assert _rule(db, admin, case_id).ruling_no == "（2026）内0221执前督1号之三"


def test_releasing_the_rest_rules_on_the_rest_only(
    db: Database, admin: Actor, case_id: str
) -> None:
    row = _two_measures(db, admin, case_id)
    bank, _registry = row.measures
    preservation.release_measures(
        db, admin, row.id, measure_ids=(bank.id,), released_on=date(2026, 11, 24),
        reason=ReleaseReason.SECURITY, today=TODAY,
    )  # fmt: skip
    ruling, notice = release_and_issue(
        db, admin, row.id, released_on=TODAY, reason=ReleaseReason.WITHDRAWN, today=TODAY
    )
    text = _text(ruling.pdf)
    assert "解除查封被申请人名下的不动产" in text and "银行存款" not in text
    assert "土右旗不动产登记中心：" in _text(notice.pdf)
    # The bank's earlier release has a ruling of its own, the next number.
    first = issue_release(db, admin, bank.id, today=TODAY)
    assert first[0].doc_no == "（2026）内0221执前督1号之三" and len(first) == 2
    assert "第一百零七条" in _text(first[0].pdf) and "不动产" not in _text(first[0].pdf)
