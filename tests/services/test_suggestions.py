"""司法建议 at the service level: groups of cases, drafting with the facts, signing with a number
never given twice, sending with the reply due (art. 85 over the holiday table), the reply, the
overdue reminder, the month's counts, the printed 司法建议书, permissions, audit and seals, and
bad input writing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.errors import PermissionDenied, StaleEditError, UserError
from zhiqian_desktop.domain.kinds import (
    MediationResult,
    MediatorKind,
    RecipientKind,
    Role,
    SuggestionGrouping,
    SuggestionStatus,
)
from zhiqian_desktop.domain.stats import Period
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings, update_settings
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.reporting.reports import (
    build_report,
    export_report_pdf,
    export_report_xlsx,
)
from zhiqian_desktop.services.supervision import mediation, suggestion_document
from zhiqian_desktop.services.supervision import suggestions as sg
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Suggestion, SuggestionCase

S = SuggestionStatus
INSURER = "某财产保险股份有限公司某某支公司"


def _cases(db: Database, admin: Actor, n: int, obligor: str = INSURER, start: int = 1) -> list[str]:
    ids = []
    with db.unit_of_work() as s:
        for i in range(start, start + n):
            data = make_case_input(i, obligor=obligor, amount="1000.50", received=date(2026, 11, i))
            ids.append(register_case(s, admin, data, today=TODAY).id)
    return ids


def _user(db: Database, admin: Actor, name: str, role: Role) -> Actor:
    with db.unit_of_work() as s:
        user = create_user(s, admin, username=name, display_name=name, role=role)
        return actor_for(user)


def _draft(db: Database, actor: Actor, ids: list[str], **changes: object) -> sg.SuggestionRow:
    args: dict[str, object] = {
        "recipient": INSURER,
        "recipient_kind": RecipientKind.INSURER,
        "case_ids": ids,
        "problem": "理赔拖延。",
        "proposal": "一、及时理赔。\n二、建立诉前沟通机制。",
        "grouping": SuggestionGrouping.OBLIGOR,
        "group_key": INSURER,
        "today": TODAY,
    }
    args.update(changes)
    return sg.draft_suggestion(db, actor, **args)  # type: ignore[arg-type]


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_groups_of_cases_at_the_courts_threshold(db: Database, admin: Actor) -> None:
    _cases(db, admin, 5)
    _cases(db, admin, 4, obligor="王某某", start=6)
    groups = sg.proposed_groups(db, SuggestionGrouping.OBLIGOR)
    assert [(g.group.key, g.group.count) for g in groups] == [(INSURER, 5)]
    assert groups[0].case_nos[0].endswith("执前督1号")
    assert groups[0].facts == (
        f"2026年11月1日至2026年11月5日，本院执行前督促收案中以{INSURER}为被申请人的案件共5件，"
        "尚未履行金额合计5,002.50元。"
    )
    assert len(sg.proposed_groups(db, SuggestionGrouping.OBLIGOR, threshold=4)) == 2
    by_cause = sg.proposed_groups(db, SuggestionGrouping.CAUSE)
    assert [(g.group.key, g.group.count) for g in by_cause] == [("民间借贷纠纷", 9)]


def test_the_whole_round_with_numbers_never_given_twice(db: Database, admin: Actor) -> None:
    ids = _cases(db, admin, 3)
    facts = sg.group_for_cases(db, ids, SuggestionGrouping.OBLIGOR, INSURER).facts
    drafted, signed_on = date(2026, 9, 28), date(2026, 9, 30)
    row = _draft(db, admin, ids, problem=facts + "\n其理赔流程拖延。", today=drafted)
    assert (row.status, row.doc_no, row.case_count) == (S.DRAFT, "", 3)
    assert row.label == f"（致{INSURER}，草稿）"
    with pytest.raises(UserError, match="不能打印"):
        suggestion_document.suggestion_pdf(db, row.id)

    signed = sg.approve_suggestion(db, admin, row.id, today=signed_on, expected_version=row.version)
    assert signed.doc_no == "（2026）内0221司建1号"
    assert (signed.status, signed.approved_on, signed.approved_by) == (
        S.APPROVED,
        signed_on,
        "管理员",
    )
    # A cancelled signed suggestion keeps its number: the next one is 2.
    other = _draft(db, admin, ids[:1])
    other = sg.approve_suggestion(db, admin, other.id, today=TODAY)
    assert other.doc_no == "（2026）内0221司建2号"
    sg.cancel_suggestion(db, admin, other.id)
    third = sg.approve_suggestion(db, admin, _draft(db, admin, ids[:1]).id, today=TODAY)
    assert third.doc_no == "（2026）内0221司建3号"

    # Sent on Friday 2 October 2026 (National Day): two months → 2 December, a Wednesday.
    sent = sg.record_sent(db, admin, row.id, sent_on=date(2026, 10, 2), today=TODAY)
    assert sent.status is S.SENT
    assert (sent.reply_months, sent.reply_due) == (2, date(2026, 12, 2))
    assert not sent.overdue(date(2026, 12, 2))
    assert sent.overdue(date(2026, 12, 3))
    assert [r.id for r in sg.overdue_suggestions(db, date(2026, 12, 3))] == [row.id]
    assert sg.overdue_suggestions(db, date(2026, 12, 2)) == []

    replied = sg.record_reply(
        db, admin, row.id, replied_on=TODAY, summary=" 已采纳，建立快速理赔通道。 ", today=TODAY
    )
    assert (replied.status, replied.replied_on, replied.reply_summary) == (
        S.REPLIED,
        TODAY,
        "已采纳，建立快速理赔通道。",
    )
    assert sg.overdue_suggestions(db, date(2026, 12, 3)) == []
    assert sg.find_suggestion(db, "(2026)内0221司建1号").id == row.id
    assert sg.suggestion_cases(db, row.id)[0].case_no.endswith("执前督1号")
    assert sg.suggestion_cases(db, row.id)[0].outstanding == Decimal("1000.50")
    assert [r.status for r in sg.suggestions(db, status=S.CANCELLED)] == [S.CANCELLED]

    with db.reader() as s:
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "suggestion")).all()
        links = s.scalar(select(func.count()).where(AuditEvent.entity == "suggestion_case"))
    assert events.count("create") == 3
    assert links == 5


def test_the_printed_suggestion(db: Database, admin: Actor) -> None:
    ids = _cases(db, admin, 2)
    row = _draft(db, admin, ids, problem="第一段问题。\n\n第二段问题。")
    sg.approve_suggestion(db, admin, row.id, today=TODAY)
    text = pdf_text(suggestion_document.suggestion_pdf(db, row.id))
    flat = "".join(text.split())
    for expected in (
        "司法建议书",
        "（2026）内0221司建1号",
        f"{INSURER}：",
        "本院在执行前督促工作中发现以下问题：",
        "第一段问题。",
        "第二段问题。",
        "一、及时理赔。",
        "二、建立诉前沟通机制。",
        "《最高人民法院关于加强司法建议工作的意见》",
        "请你单位在收到本建议书之日起两个月内，将采纳落实情况书面回复本院。",
        "附：所涉案件2件",
        "二〇二六年十一月二十五日",
    ):
        assert expected in flat, expected


def test_permissions(db: Database, admin: Actor) -> None:
    ids = _cases(db, admin, 1)
    handler = _user(db, admin, "handler1", Role.HANDLER)
    other = _user(db, admin, "handler2", Role.HANDLER)
    lead = _user(db, admin, "lead1", Role.LEAD)
    reader = _user(db, admin, "reader1", Role.READONLY)
    with pytest.raises(PermissionDenied):
        _draft(db, reader, ids)
    row = _draft(db, handler, ids)
    with pytest.raises(PermissionDenied, match="只有拟稿人或团队负责人"):
        sg.edit_suggestion(
            db, other, row.id, recipient="x", recipient_kind="其他单位", problem="p", proposal="q"
        )
    with pytest.raises(PermissionDenied, match="团队负责人"):
        sg.approve_suggestion(db, handler, row.id, today=TODAY)
    edited = sg.edit_suggestion(
        db,
        handler,
        row.id,
        recipient="某银行",
        recipient_kind="金融借贷机构",
        problem="p",
        proposal="q",
    )
    assert (edited.recipient, edited.recipient_kind) == ("某银行", RecipientKind.LENDER)
    signed = sg.approve_suggestion(db, lead, row.id, today=TODAY)
    assert signed.approved_by == "lead1"
    with pytest.raises(PermissionDenied, match="团队负责人"):
        sg.cancel_suggestion(db, handler, row.id)
    with pytest.raises(PermissionDenied):
        sg.record_sent(db, other, row.id, sent_on=TODAY, today=TODAY)
    sg.record_sent(db, handler, row.id, sent_on=TODAY, today=TODAY)
    assert [r.id for r in sg.overdue_suggestions(db, date(2027, 3, 1), user_id=handler.user_id)]
    assert sg.overdue_suggestions(db, date(2027, 3, 1), user_id=other.user_id) == []


def test_bad_input_writes_nothing(db: Database, admin: Actor) -> None:
    ids = _cases(db, admin, 1)
    before = (_count(db, Suggestion), _count(db, SuggestionCase), _count(db, AuditEvent))
    for changes, message in (
        ({"recipient": " "}, "请填写被建议单位"),
        ({"case_ids": []}, "请至少选择一件案件"),
        ({"case_ids": [*ids, "no-such-case"]}, "所选案件中有案件不存在"),
        ({"recipient_kind": "银行"}, "被建议单位类别“银行”无法识别"),
        ({"problem": "a\x00b"}, "发现的问题含有控制字符"),
    ):
        with pytest.raises(UserError, match=message):
            _draft(db, admin, ids, **changes)
    assert (_count(db, Suggestion), _count(db, SuggestionCase), _count(db, AuditEvent)) == before

    row = _draft(db, admin, ids)
    with pytest.raises(UserError, match="状态为“草稿”，不能登记发出"):
        sg.record_sent(db, admin, row.id, sent_on=TODAY, today=TODAY)
    signed = sg.approve_suggestion(db, admin, row.id, today=TODAY)
    with pytest.raises(UserError, match="已签发，不能再修改"):
        sg.edit_suggestion(
            db, admin, row.id, recipient="x", recipient_kind="其他单位", problem="p", proposal="q"
        )
    with pytest.raises(StaleEditError):
        sg.record_sent(db, admin, row.id, sent_on=TODAY, today=TODAY, expected_version=1)
    with pytest.raises(UserError, match="晚于今天"):
        sg.record_sent(db, admin, row.id, sent_on=date(2026, 11, 26), today=TODAY)
    with pytest.raises(UserError, match="早于签发日期"):
        sg.record_sent(db, admin, row.id, sent_on=date(2026, 11, 24), today=TODAY)
    with pytest.raises(UserError, match="不能登记回复"):
        sg.record_reply(db, admin, row.id, replied_on=TODAY, summary="x", today=TODAY)
    assert sg.get_suggestion(db, row.id).version == signed.version
    sg.record_sent(db, admin, row.id, sent_on=TODAY, today=TODAY)
    with pytest.raises(UserError, match="请摘要写明回复内容"):
        sg.record_reply(db, admin, row.id, replied_on=TODAY, summary=" ", today=TODAY)
    assert sg.get_suggestion(db, row.id).status is S.SENT
    with pytest.raises(UserError, match="没有编号或标识为"):
        sg.find_suggestion(db, "（2026）内0221司建9号")


def test_the_reply_period_set_by_the_court(db: Database, admin: Actor) -> None:
    with db.reader() as s:
        version = get_settings(s).version
    with pytest.raises(UserError, match="应为1至3个月"):
        update_settings(db, admin, version, suggestion_reply_months=4)
    update_settings(db, admin, version, suggestion_reply_months=1, suggestion_threshold=2)
    ids = _cases(db, admin, 2)
    assert len(sg.proposed_groups(db, SuggestionGrouping.OBLIGOR)) == 1
    first = date(2026, 10, 30)
    draft = _draft(db, admin, ids, today=first)
    row = sg.approve_suggestion(db, admin, draft.id, today=first)
    sent = sg.record_sent(db, admin, row.id, sent_on=first, today=TODAY)
    assert (sent.reply_months, sent.reply_due) == (1, date(2026, 11, 30))


def test_the_months_counts(db: Database, admin: Actor) -> None:
    ids = _cases(db, admin, 1)
    rows = [sg.approve_suggestion(db, admin, _draft(db, admin, ids).id, today=TODAY) for _ in "abc"]
    sg.record_sent(db, admin, rows[0].id, sent_on=date(2026, 11, 25), today=TODAY)
    sg.record_sent(db, admin, rows[1].id, sent_on=date(2026, 11, 25), today=TODAY)
    sg.record_reply(db, admin, rows[1].id, replied_on=TODAY, summary="已采纳", today=TODAY)
    tally = sg.suggestion_tally(db, Period(date(2026, 11, 1), date(2026, 11, 30)))
    assert (len(tally.sent), len(tally.replied), len(tally.awaiting), tally.overdue) == (2, 1, 1, 0)
    later = sg.suggestion_tally(db, Period(date(2027, 2, 1), date(2027, 2, 28)))
    assert (len(later.sent), len(later.replied), len(later.awaiting), later.overdue) == (0, 0, 1, 1)
    before = sg.suggestion_tally(db, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (len(before.sent), len(before.awaiting)) == (0, 0)


def test_the_monthly_report_lists_suggestions_and_mediation(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    ids = _cases(db, admin, 2)
    mediator = mediation.add_mediator(db, admin, "土右旗人民调解委员会", MediatorKind.COMMITTEE)
    for case_id, result in zip(ids, (MediationResult.SETTLED, None), strict=True):
        row = mediation.entrust_case(
            db, admin, case_id, mediator_id=mediator.id, entrusted_on=TODAY, period_days=30,
            today=TODAY,
        )  # fmt: skip
        if result:
            mediation.record_mediation_result(
                db, admin, row.id, result=result, result_on=TODAY, today=TODAY
            )
    first = date(2026, 9, 1)
    old = sg.approve_suggestion(db, admin, _draft(db, admin, ids, today=first).id, today=first)
    sg.record_sent(db, admin, old.id, sent_on=first, today=TODAY)
    new = sg.approve_suggestion(
        db, admin, _draft(db, admin, ids[:1], recipient="某银行").id, today=TODAY
    )
    sg.record_sent(db, admin, new.id, sent_on=TODAY, today=TODAY)

    report = build_report(db, "month", Period(date(2026, 11, 1), date(2026, 11, 30)), today=TODAY)
    titles = [t.title for t in report.tables()]
    assert titles[-2:] == ["五、委托调解（按调解员）", "六、司法建议"]
    assert report.tables()[-2].rows == [
        ["土右旗人民调解委员会", "2", "1", "0", "0", "1", "100.0%"],
        ["合计", "2", "1", "0", "0", "1", "100.0%"],
    ]
    assert report.tables()[-1].rows == [
        ["本期发出", "（2026）内0221司建2号", "某银行", "1", "2026-11-25", "2027-01-25", "待回复"],
        ["期末待回复", "（2026）内0221司建1号", INSURER, "2", "2026-09-01", "2026-11-02", "逾期未回复"],
    ]  # fmt: skip
    pdf = tmp_path / "月报.pdf"
    export_report_pdf(report, pdf)
    flat = "".join(pdf_text(pdf.read_bytes()).split())
    assert (
        "本期委托调解2件，调解成功1件、调解不成0件、撤回委托0件、调解中1件，成功率100.0%。" in flat
    )
    assert "本期发出司法建议1件，收到回复0件；期末待回复2件，其中逾期未回复1件。" in flat
    assert "六、司法建议" in flat and "某银行" in flat
    export_report_xlsx(report, tmp_path / "月报.xlsx")
    book = load_workbook(tmp_path / "月报.xlsx")
    assert {"委托调解（按调解员）", "司法建议"} <= set(book.sheetnames)
    rows = [[c.value for c in r] for r in book["司法建议"].iter_rows()]
    assert rows[-2][:3] == ["本期发出", "（2026）内0221司建2号", "某银行"]
    week = build_report(db, "week", today=TODAY)
    assert week.mediation is None and "司法建议" not in week.summary()
