"""执行前保全 at the service level: application, ruling (numbered 之一, 之二 …), measures with their
terms, the ruling and the 协助执行通知书 as PDFs, release, the art. 163 item on the due-list,
permissions, audit, and bad input writing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.dues import DueKind
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
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices, preservation
from zhiqian_desktop.services.supervision.dues import computed_due_list, due_list
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import (
    AuditEvent,
    Document,
    Preservation,
    PreservationApplication,
    SupervisionCase,
)

M = Decimal


def _register(db: Database, admin: Actor, n: int = 1, **extra: object) -> str:
    with db.unit_of_work() as s:
        return register_case(s, admin, make_case_input(n, **extra), today=TODAY).id


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    return _register(db, admin)


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _apply(db: Database, actor: Actor, case_id: str, **kw: Any) -> preservation.ApplicationRow:
    args: dict[str, Any] = {
        "applicant_id": None,
        "applied_on": date(2026, 11, 21),
        "amount": M("10000.00"),
        "clues": "被申请人在中国农业银行土右旗支行开立的账户",
        "reason": "被申请人正在转移存款",
        "today": TODAY,
    }
    args.update(kw)
    return preservation.apply_preservation(db, actor, case_id, **args)


def _rule(db: Database, actor: Actor, case_id: str, **kw: Any) -> preservation.ApplicationRow:
    args: dict[str, Any] = {
        "ruled_on": date(2026, 11, 22),
        "amount": None,
        "judge": "赵法官",
        "today": TODAY,
    }
    args.update(kw)
    return preservation.rule_preservation(db, actor, case_id, **args)


def _measure(db: Database, actor: Actor, app_id: str, **kw: Any) -> preservation.ApplicationRow:
    args: dict[str, Any] = {
        "kind": PreservationKind.BANK_DEPOSIT,
        "measure": PreservationMeasure.FREEZE,
        "description": "账户6228 4800 1234 5678",
        "holder": "中国农业银行土右旗支行",
        "taken_on": date(2026, 11, 23),
        "amount": M("8000.00"),
        "today": TODAY,
    }
    args.update(kw)
    return preservation.add_measure(db, actor, app_id, **args)


def _text(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def test_the_whole_round(db: Database, admin: Actor, case_id: str) -> None:
    applied = _apply(db, admin, case_id)
    assert (applied.applicant, applied.state, applied.ruling_no) == ("李某", "待裁定", None)
    ruled = _rule(db, admin, case_id)
    assert ruled.ruling_no == "（2026）内0221执前督1号之一"
    assert (ruled.ruled_amount, ruled.judge, ruled.state) == (
        M("10000.00"),
        "赵法官",
        "已裁定，未采取措施",
    )
    row = _measure(db, admin, ruled.id)
    [m] = row.measures
    # The longest term the law allows for a bank deposit, unless the ruling says less.
    assert (m.seq, m.expires_on, m.measure, m.state) == (
        1,
        date(2027, 11, 23),
        PreservationMeasure.FREEZE,
        "保全中",
    )
    row = _measure(
        db, admin, ruled.id, kind=PreservationKind.REAL_PROPERTY,
        measure=PreservationMeasure.SEAL, description="萨拉齐镇富民小区10号楼6单元房产",
        holder="土默特右旗不动产登记中心", amount=None, expires_on=date(2028, 11, 23),
    )  # fmt: skip
    assert [x.expires_on for x in row.measures] == [date(2027, 11, 23), date(2028, 11, 23)]
    assert row.state == "保全中（2项措施）"

    with db.unit_of_work() as s:
        ruling = notices.issue_notice(
            s, admin, case_id, DocumentKind.PRESERVATION_RULING, today=TODAY, record_id=ruled.id
        )
    assert ruling.doc_no == "（2026）内0221执前督1号之一"
    text = _text(ruling.pdf)
    for words in (
        "民事裁定书",
        "（2026）内0221执前督1号之一",
        "申请人：李某",
        "李某于二〇二六年十一月二十一日向本院申请执行前财产保全",
        "人民币壹万元整（¥10,000.00）",
        "申请理由：被申请人正在转移存款",
        "本院不要求其提供担保",
        "第九条第二款",
        "本裁定立即开始执行",
        # make_case_input records the enforcement application on the day of receipt.
        "申请人已于二〇二六年十一月二十日向本院申请执行",
        "复议一次",
        "审判员赵法官",
        # Dated the day of the ruling (22 November), though printed on the 25th.
        "二〇二六年十一月二十二日",
    ):
        assert words in text, words
    assert "二〇二六年十一月二十五日" not in text
    with pytest.raises(UserError, match="已出具"), db.unit_of_work() as s:
        notices.issue_notice(
            s, admin, case_id, DocumentKind.PRESERVATION_RULING, today=TODAY,
            record_id=ruled.id,
        )  # fmt: skip
    with db.unit_of_work() as s:
        notice = notices.issue_notice(
            s, admin, case_id, DocumentKind.ASSISTANCE_NOTICE, today=TODAY,
            record_id=row.measures[0].id,
        )  # fmt: skip
    assert notice.doc_no == "（2026）内0221执前督1号-协执1"
    text = _text(notice.pdf)
    for words in (
        "协助执行通知书",
        "中国农业银行土右旗支行：",
        "作出（2026）内0221执前督1号之一民事裁定",
        "冻结被申请人王某某名下的银行存款（账户6228480012345678），"
        "以人民币捌仟元整（¥8,000.00）为限",
        "期限自二〇二六年十一月二十三日起至二〇二七年十一月二十三日止",
        # Headed with the number of the ruling it carries out.
        "协助执行通知书（2026）内0221执前督1号之一",
    ):
        assert words in text, words

    released = preservation.release_measures(
        db, admin, ruled.id, measure_ids=(row.measures[0].id,), released_on=TODAY,
        reason=ReleaseReason.PERFORMED, today=TODAY,
    )  # fmt: skip
    assert [m.state for m in released.measures] == [
        "已于2026-11-25解除（被申请人已履行）",
        "保全中",
    ]
    with pytest.raises(UserError, match="不能重复解除"):
        preservation.release_measures(
            db, admin, ruled.id, measure_ids=(row.measures[0].id,), released_on=TODAY,
            reason=ReleaseReason.PERFORMED, today=TODAY,
        )  # fmt: skip
    with pytest.raises(UserError, match="已于2026-11-25解除"), db.unit_of_work() as s:
        notices.issue_notice(
            s, admin, case_id, DocumentKind.ASSISTANCE_NOTICE, today=TODAY,
            record_id=row.measures[0].id,
        )  # fmt: skip
    done = preservation.release_measures(
        db, admin, ruled.id, released_on=TODAY, reason=ReleaseReason.SETTLED, today=TODAY
    )
    assert done.state == "已全部解除"
    with pytest.raises(UserError, match="没有尚未解除的保全措施"):
        preservation.release_measures(
            db, admin, ruled.id, released_on=TODAY, reason=ReleaseReason.SETTLED, today=TODAY
        )

    # A second application takes the next number; it is found by it.
    _apply(db, admin, case_id, amount=M("2000.00"))
    second = _rule(db, admin, case_id, ruled_on=TODAY)
    assert second.ruling_no == "（2026）内0221执前督1号之二"
    assert preservation.find_ruling(db, "(2026)内0221执前督1号之二").id == second.id
    assert [a.ruling_no for a in preservation.case_preservations(db, case_id)] == [
        "（2026）内0221执前督1号之一",
        "（2026）内0221执前督1号之二",
    ]
    with db.reader() as s:
        events = [
            (e.action, e.entity)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id))
        ]
    assert events.count(("create", "preservation_application")) == 2
    assert events.count(("update", "preservation_application")) == 2
    assert events.count(("create", "preservation")) == 2
    assert events.count(("update", "preservation")) == 2


def test_a_ruling_number_is_never_given_again(db: Database, admin: Actor, case_id: str) -> None:
    first = _rule(db, admin, case_id) if _apply(db, admin, case_id) else None
    assert first is not None
    with db.unit_of_work() as s:
        record = s.get(PreservationApplication, first.id)
        assert record is not None
        record.deleted_at = record.created_at
    _apply(db, admin, case_id)
    assert _rule(db, admin, case_id).ruling_no == "（2026）内0221执前督1号之二"


def test_bad_input_is_refused_and_nothing_written(db: Database, admin: Actor, case_id: str) -> None:
    events = _count(db, AuditEvent)
    with pytest.raises(UserError, match="没有待裁定的保全申请"):
        _rule(db, admin, case_id)
    with pytest.raises(UserError, match="超过尚未履行的金额"):
        _apply(db, admin, case_id, amount=M("12345.68"))
    with pytest.raises(UserError, match="财产线索不能为空"):
        _apply(db, admin, case_id, clues=" ")
    with pytest.raises(UserError, match="控制字符"):
        _apply(db, admin, case_id, reason="转移\x00")
    with pytest.raises(UserError, match="保全申请人须为本案的申请人（李某）"):
        _apply(db, admin, case_id, applicant_id="王某某")
    assert _count(db, PreservationApplication) == 0 and _count(db, AuditEvent) == events

    applied = _apply(db, admin, case_id)
    events = _count(db, AuditEvent)
    with pytest.raises(UserError, match="尚未裁定，不能采取保全措施"):
        _measure(db, admin, applied.id)
    with pytest.raises(UserError, match="不超过申请保全的数额"):
        _rule(db, admin, case_id, amount=M("10000.01"))
    with pytest.raises(UserError, match="须依已作出的保全裁定出具"), db.unit_of_work() as s:
        notices.issue_notice(
            s, admin, case_id, DocumentKind.PRESERVATION_RULING, today=TODAY,
            record_id=applied.id,
        )  # fmt: skip
    ruled = _rule(db, admin, case_id, amount=M("5000.00"))
    events = _count(db, AuditEvent)
    with pytest.raises(UserError, match="不能查封"):
        _measure(db, admin, ruled.id, measure=PreservationMeasure.SEAL)
    with pytest.raises(UserError, match="不得超过1年"):
        _measure(db, admin, ruled.id, expires_on=date(2027, 11, 24))
    with pytest.raises(UserError, match="不得超过裁定保全的数额"):
        _measure(db, admin, ruled.id, amount=M("5000.01"))
    with pytest.raises(UserError, match="协助执行单位"):
        _measure(db, admin, ruled.id, holder=" ", amount=None)
    with (
        pytest.raises(UserError, match="须从所依据的保全裁定或保全措施出具"),
        db.unit_of_work() as s,
    ):
        notices.issue_notice(s, admin, case_id, DocumentKind.ASSISTANCE_NOTICE, today=TODAY)
    assert _count(db, Preservation) == 0 and _count(db, Document) == 0
    assert _count(db, AuditEvent) == events


def test_no_ruling_once_the_five_days_passed_without_enforcement(
    db: Database, admin: Actor
) -> None:
    case_id = _register(db, admin, 2, application_received_on=None)
    _apply(db, admin, case_id)
    # Performance due 15 Nov: five days end Fri 20 Nov; no application for enforcement.
    with pytest.raises(UserError, match="第一百六十三条"):
        _rule(db, admin, case_id)
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        case.application_received_on = date(2026, 11, 19)
    assert _rule(db, admin, case_id).ruling_no == "（2026）内0221执前督1号之一"


def test_the_due_list_carries_the_release_deadline(db: Database, admin: Actor) -> None:
    # Performance due 4 Dec: the five days end Wed 9 Dec; enforcement not applied for.
    case_id = _register(
        db, admin, 3, application_received_on=None, performance_deadline=date(2026, 12, 4)
    )
    _apply(db, admin, case_id)
    ruled = _rule(db, admin, case_id)
    on = date(2026, 12, 9)

    def release_items() -> list[Any]:
        with db.reader() as s:
            stored = [i for i in due_list(s, on) if i.kind is DueKind.PRESERVATION_RELEASE]
            computed = [
                i for i in computed_due_list(s, on) if i.kind is DueKind.PRESERVATION_RELEASE
            ]
        assert [(i.case_id, i.due_date) for i in stored] == [
            (i.case_id, i.due_date) for i in computed
        ]
        return stored

    assert release_items() == []  # ruled, nothing preserved yet
    row = _measure(db, admin, ruled.id)
    [item] = release_items()
    assert (item.due_date, item.case_no) == (date(2026, 12, 9), "（2026）内0221执前督1号")
    preservation.release_measures(
        db, admin, ruled.id, released_on=TODAY, reason=ReleaseReason.NO_ENFORCEMENT, today=TODAY
    )
    assert release_items() == []
    with db.reader() as s:
        freezes = [i for i in due_list(s, date(2027, 11, 20)) if i.case_id == case_id]
    assert not any(i.kind is DueKind.FREEZE_EXPIRING for i in freezes), row


def test_permissions(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        handler = actor_for(
            create_user(s, admin, username="jia", display_name="甲", role=Role.HANDLER)
        )
        reader = actor_for(
            create_user(s, admin, username="du", display_name="读", role=Role.READONLY)
        )
        s.get(SupervisionCase, case_id).handler_id = handler.user_id  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        _apply(db, reader, case_id)
    applied = _apply(db, handler, case_id)
    with pytest.raises(PermissionDenied):
        _rule(db, handler, case_id)  # the ruling is the judge's: the team lead records it
    ruled = _rule(db, admin, case_id)
    assert ruled.id == applied.id
    row = _measure(db, handler, ruled.id)
    with pytest.raises(PermissionDenied):
        preservation.release_measures(
            db, reader, ruled.id, released_on=TODAY, reason=ReleaseReason.PERFORMED, today=TODAY
        )
    preservation.release_measures(
        db, handler, ruled.id, released_on=TODAY, reason=ReleaseReason.PERFORMED, today=TODAY
    )
    assert row.measures[0].id


def test_the_monthly_report_counts_rulings_measures_and_releases(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    from zhiqian_desktop.domain.stats import Period
    from zhiqian_desktop.services.reporting.reports import build_report, export_report_pdf

    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert "执行前保全" not in build_report(db, "month", november, today=TODAY).summary()
    _apply(db, admin, case_id)
    ruled = _rule(db, admin, case_id, amount=M("9000.00"))
    _measure(db, admin, ruled.id)
    _measure(db, admin, ruled.id, amount=M("1000.00"), taken_on=TODAY)
    preservation.release_measures(
        db, admin, ruled.id, released_on=TODAY,
        reason=ReleaseReason.PERFORMED, today=TODAY,
    )  # fmt: skip
    report = build_report(db, "month", november, today=TODAY)
    assert (
        "执行前保全：本期作出保全裁定1件，裁定保全数额¥9,000.00，采取保全措施2项，解除2项。"
        in report.summary()
    )
    table = report.tables()[1]
    assert table.title == "二、执行前保全"
    assert table.raw == [
        ["保全裁定（件）", 1],
        ["裁定保全数额", M("9000.00")],
        ["采取保全措施（项）", 2],
        ["解除保全措施（项）", 2],
    ]
    # Printed with the totals' two wide columns: each label stands on one line of its cell.
    pdf = tmp_path / "月报.pdf"
    export_report_pdf(report, pdf)
    lines = pdf_text(pdf).splitlines()
    assert {"保全裁定（件） 1", "采取保全措施（项） 2", "解除保全措施（项） 2"} <= {
        line.strip() for line in lines
    }
    december = Period(date(2026, 12, 1), date(2026, 12, 31))
    assert build_report(db, "month", december, today=TODAY).tables()[1].raw[0] == [
        "保全裁定（件）",
        0,
    ]
