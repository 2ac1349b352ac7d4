"""执行前保全 rules: the application, the ruling and its number, the measures and their terms, the
release and the art. 163 deadline, and when a 协助执行通知书 may be issued."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from zhiqian_desktop.domain.calendar import HolidayCalendar, official_calendar_rows
from zhiqian_desktop.domain.due_facts import CaseFacts, DueRules, FreezeFact
from zhiqian_desktop.domain.dues import DueCalculator, DueItem, DueKind
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import IssueFacts, issue_refusal
from zhiqian_desktop.domain.kinds import (
    DocumentKind,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
)
from zhiqian_desktop.domain.preservation import (
    MEASURES,
    RELEASE_DAYS,
    TERM_YEARS,
    assistance_refusal,
    check_application,
    check_measure,
    check_release,
    check_ruling,
    latest_expiry,
    measure_status,
    next_ruling_seq,
    ordinal,
    release_deadline,
    release_due,
    release_start,
    ruling_number,
)
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus

D = date
NO = "（2026）内0221执前督12号"
K = PreservationKind
M = PreservationMeasure
MAX_TEXT = 2000
"""The longest free text (clues, reasons, notes), stated here rather than imported."""
CAL = HolidayCalendar.from_days([(d, k) for d, k, _ in official_calendar_rows(2026)], (2026,))


# --- the ruling's number ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (2, "二"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (115, "一百一十五"),
        (230, "二百三十"),
        (999, "九百九十九"),
    ],
)
def test_the_ordinal_as_written_in_a_ruling_number(n: int, text: str) -> None:
    assert ordinal(n) == text


@pytest.mark.parametrize("n", [0, -1, 1000])
def test_an_ordinal_out_of_range_is_refused(n: int) -> None:
    with pytest.raises(UserError, match="裁定序号"):
        ordinal(n)


def test_the_ruling_is_numbered_after_the_case() -> None:
    assert ruling_number(NO, 1) == "（2026）内0221执前督12号之一"
    assert ruling_number(NO, 2) == "（2026）内0221执前督12号之二"


def test_the_next_ruling_follows_the_highest_ever_given() -> None:
    assert next_ruling_seq([]) == 1
    assert next_ruling_seq([1]) == 2
    assert next_ruling_seq([1, 3]) == 4  # a gap left by a removed record is never filled
    assert next_ruling_seq(iter([2, 1])) == 3


# --- terms and measures -------------------------------------------------------------------------


def test_terms_by_kind_of_property() -> None:
    """解释第四百八十五条: deposits one year, movables two, real property and other rights three."""
    assert TERM_YEARS == {K.BANK_DEPOSIT: 1, K.MOVABLE: 2, K.REAL_PROPERTY: 3, K.OTHER: 3}


def test_the_latest_expiry_is_the_same_day_years_later() -> None:
    assert latest_expiry(K.BANK_DEPOSIT, D(2026, 3, 1)) == D(2027, 3, 1)
    assert latest_expiry(K.MOVABLE, D(2026, 3, 1)) == D(2028, 3, 1)
    assert latest_expiry(K.REAL_PROPERTY, D(2026, 3, 1)) == D(2029, 3, 1)
    assert latest_expiry(K.OTHER, D(2026, 3, 1)) == D(2029, 3, 1)
    assert latest_expiry(K.BANK_DEPOSIT, D(2028, 2, 29)) == D(2029, 2, 28)


def test_the_measures_each_kind_takes() -> None:
    assert MEASURES == {
        K.BANK_DEPOSIT: (M.FREEZE,),
        K.MOVABLE: (M.SEAL, M.DETAIN),
        K.REAL_PROPERTY: (M.SEAL,),
        K.OTHER: (M.FREEZE,),
    }


# --- the art. 163 deadline ------------------------------------------------------------------------


def test_the_release_deadline_is_five_days_after_the_performance_period() -> None:
    assert RELEASE_DAYS == 5
    assert release_start(D(2026, 11, 4), D(2026, 10, 1)) == D(2026, 11, 4)
    assert release_start(None, D(2026, 10, 1)) == D(2026, 10, 1)
    assert release_deadline(D(2026, 11, 4), D(2026, 10, 1), CAL).end == D(2026, 11, 9)
    # Sat 28 Nov rolls to Mon 30 Nov (art. 85).
    pe = release_deadline(D(2026, 11, 23), D(2026, 10, 1), CAL)
    assert (pe.end, pe.rolled_from) == (D(2026, 11, 30), D(2026, 11, 28))
    assert release_deadline(None, D(2026, 11, 4), CAL).end == D(2026, 11, 9)


def test_the_release_is_due_unless_enforcement_was_applied_for_in_time() -> None:
    deadline, before = D(2026, 11, 9), D(2026, 11, 5)
    assert release_due(None, deadline, before)
    assert not release_due(D(2026, 11, 9), deadline, before)
    assert not release_due(D(2026, 11, 1), deadline, before)
    assert release_due(D(2026, 11, 10), deadline, before)
    # Taken after the applicant had applied late (a case routed through supervision): no release;
    # an application only after the measure was taken came too late.
    assert not release_due(D(2026, 12, 1), deadline, D(2026, 12, 1))
    assert not release_due(D(2026, 11, 30), deadline, D(2026, 12, 1))
    assert release_due(D(2026, 12, 2), deadline, D(2026, 12, 1))


# --- the application --------------------------------------------------------------------------------


def application(**kw: Any) -> tuple[str, str]:
    args: dict[str, Any] = {
        "case_no": NO,
        "status": CaseStatus.SUPERVISING,
        "effective_date": D(2026, 11, 1),
        "applied_on": D(2026, 11, 10),
        "today": D(2026, 11, 12),
        "amount": Decimal("5000.00"),
        "outstanding": Decimal("5000.00"),
        "clues": "  农业银行账户  ",
        "reason": " 正在转移存款 ",
    }
    args.update(kw)
    return check_application(**args)


def test_an_application_in_order_is_accepted_with_its_text_trimmed() -> None:
    assert application() == ("农业银行账户", "正在转移存款")
    # On the day the document took effect, and on the day it is recorded.
    assert application(applied_on=D(2026, 11, 1))
    assert application(applied_on=D(2026, 11, 12))
    assert application(amount=Decimal("0.01"), outstanding=Decimal("0.01"))


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_every_open_case_may_apply(status: CaseStatus) -> None:
    assert application(status=status)


@pytest.mark.parametrize("status", sorted(set(CaseStatus) - OPEN_STATUSES))
def test_a_closed_or_transferred_case_may_not(status: CaseStatus) -> None:
    with pytest.raises(UserError, match=f"状态为“{status.label}”，不能申请执行前保全"):
        application(status=status)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"effective_date": None}, "没有登记生效日期"),
        ({"applied_on": D(2026, 11, 13)}, "晚于今天"),
        ({"applied_on": D(2026, 10, 31)}, "早于法律文书生效日期2026-11-01"),
        ({"amount": Decimal("0.00")}, "应大于零"),
        ({"amount": Decimal("-1.00")}, "应大于零"),
        ({"amount": Decimal("5000.01")}, "超过尚未履行的金额¥5,000.00"),
        ({"clues": "  "}, "财产线索不能为空"),
        ({"reason": ""}, "申请理由不能为空"),
        ({"clues": "x" * (MAX_TEXT + 1)}, "财产线索过长"),
        ({"reason": "x" * (MAX_TEXT + 1)}, "申请理由过长"),
    ],
)
def test_an_application_out_of_order_is_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        application(**kw)


def test_the_longest_text_is_accepted() -> None:
    assert application(clues="x" * MAX_TEXT)[0] == "x" * MAX_TEXT


# --- the ruling ---------------------------------------------------------------------------------------


def ruling(**kw: Any) -> str:
    args: dict[str, Any] = {
        "case_no": NO,
        "status": CaseStatus.SUPERVISING,
        "pending": True,
        "applied_on": D(2026, 11, 10),
        "applied_amount": Decimal("5000.00"),
        "ruled_on": D(2026, 11, 11),
        "today": D(2026, 11, 12),
        "amount": Decimal("5000.00"),
        "judge": " 赵法官 ",
        "deadline": D(2026, 11, 20),
        "application_received_on": None,
    }
    args.update(kw)
    return check_ruling(**args)


def test_a_ruling_in_order_gives_the_judge() -> None:
    assert ruling() == "赵法官"
    assert ruling(ruled_on=D(2026, 11, 10), amount=Decimal("0.01"))
    assert ruling(ruled_on=D(2026, 11, 12))
    # On the last day of the five, and later once enforcement was applied for in time.
    assert ruling(deadline=D(2026, 11, 11))
    assert ruling(deadline=D(2026, 11, 10), application_received_on=D(2026, 11, 10))
    # The applicant applied late, but before the ruling: the case came with its application.
    assert ruling(deadline=D(2026, 11, 1), application_received_on=D(2026, 11, 11))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"pending": False}, "没有待裁定的保全申请；请先登记申请人的保全申请"),
        ({"status": CaseStatus.TRANSFERRED}, "不能再作出执行前保全裁定"),
        ({"ruled_on": D(2026, 11, 13)}, "晚于今天"),
        ({"ruled_on": D(2026, 11, 9)}, "早于申请日期2026-11-10；没有申请不能裁定"),
        ({"amount": Decimal("0.00")}, "应大于零且不超过申请保全的数额¥5,000.00"),
        ({"amount": Decimal("5000.01")}, "不超过申请保全的数额"),
        ({"judge": " "}, "裁定的审判员不能为空"),
        ({"deadline": D(2026, 11, 10)}, "至2026-11-10）已过，申请人尚未申请执行"),
        (
            {"deadline": D(2026, 11, 10), "application_received_on": D(2026, 11, 12)},
            "民诉法解释第一百六十三条",
        ),
    ],
)
def test_a_ruling_out_of_order_is_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        ruling(**kw)


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_every_open_case_may_be_ruled_on(status: CaseStatus) -> None:
    assert ruling(status=status)


# --- the measures -------------------------------------------------------------------------------------


def measure(**kw: Any) -> str:
    args: dict[str, Any] = {
        "ruled_on": D(2026, 11, 11),
        "released": False,
        "kind": K.BANK_DEPOSIT,
        "measure": M.FREEZE,
        "taken_on": D(2026, 11, 11),
        "today": D(2026, 11, 12),
        "expires_on": D(2027, 11, 11),
        "amount": Decimal("3000.00"),
        "preserved": Decimal("2000.00"),
        "ruled_amount": Decimal("5000.00"),
        "description": " 账户6228 ",
    }
    args.update(kw)
    return check_measure(**args)


def test_a_measure_in_order_gives_the_property() -> None:
    assert measure() == "账户6228"
    assert measure(taken_on=D(2026, 11, 12), expires_on=D(2026, 11, 13), amount=None)
    assert measure(amount=Decimal("0.01"))
    assert measure(kind=K.MOVABLE, measure=M.DETAIN, expires_on=D(2028, 11, 11))
    assert measure(kind=K.REAL_PROPERTY, measure=M.SEAL, expires_on=D(2029, 11, 11))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"ruled_on": None}, "尚未裁定，不能采取保全措施"),
        ({"released": True}, "已全部解除"),
        ({"measure": M.SEAL}, "银行存款应采取冻结措施，不能查封"),
        ({"kind": K.MOVABLE, "measure": M.FREEZE}, "动产应采取查封、扣押措施"),
        ({"taken_on": D(2026, 11, 13)}, "晚于今天"),
        ({"taken_on": D(2026, 11, 10)}, "早于裁定日期2026-11-11"),
        ({"expires_on": D(2027, 11, 12)}, "不得超过1年.*不晚于2027-11-11"),
        ({"expires_on": D(2026, 11, 11)}, "应在2026-11-11之后"),
        (
            {"amount": Decimal("3000.01")},
            "不得超过裁定保全的数额¥5,000.00（其他措施已保全¥2,000.00）",
        ),
        ({"amount": Decimal("0.00")}, "不得超过裁定保全的数额"),
        ({"description": ""}, "被保全的财产不能为空"),
    ],
)
def test_a_measure_out_of_order_is_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        measure(**kw)


# --- the release ----------------------------------------------------------------------------------------


def release(**kw: Any) -> str:
    args: dict[str, Any] = {
        "released_on": None,
        "taken_on": D(2026, 11, 11),
        "release_on": D(2026, 11, 20),
        "today": D(2026, 11, 20),
        "reason": ReleaseReason.PERFORMED,
        "note": " 已付清 ",
    }
    args.update(kw)
    return check_release(**args)


def test_a_release_in_order_gives_the_note() -> None:
    assert release() == "已付清"
    assert release(release_on=D(2026, 11, 11), note="") == ""
    assert release(reason=ReleaseReason.OTHER, note="法院决定") == "法院决定"
    assert release(note="x" * MAX_TEXT) == "x" * MAX_TEXT


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"released_on": D(2026, 11, 15)}, "已于2026-11-15解除，不能重复解除"),
        ({"release_on": D(2026, 11, 21)}, "晚于今天"),
        ({"release_on": D(2026, 11, 10)}, "早于采取措施的日期2026-11-11"),
        ({"reason": ReleaseReason.OTHER, "note": " "}, "须写明具体理由"),
        ({"note": "x" * (MAX_TEXT + 1)}, "解除说明过长"),
    ],
)
def test_a_release_out_of_order_is_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        release(**kw)


# --- the documents --------------------------------------------------------------------------------------


def test_the_assistance_notice_needs_a_ruling_a_measure_and_its_holder() -> None:
    ok = {"ruling_no": "之一", "measure_given": True, "holder": "农行", "released_on": None}
    assert assistance_refusal(**ok) is None
    assert "没有财产保全裁定" in str(assistance_refusal(**{**ok, "ruling_no": None}))
    assert "须写明所协助的保全措施" in str(assistance_refusal(**{**ok, "measure_given": False}))
    assert "没有登记协助执行单位" in str(assistance_refusal(**{**ok, "holder": ""}))
    assert "已于2026-11-20解除" in str(assistance_refusal(**{**ok, "released_on": D(2026, 11, 20)}))


def test_the_documents_are_refused_without_their_ruling() -> None:
    facts = IssueFacts(NO, CaseStatus.SUPERVISING, amount_due=Decimal("100.00"))
    ruled = IssueFacts(NO, CaseStatus.SUPERVISING, ruling_no=NO + "之一")
    assert "须依已作出的保全裁定出具" in str(issue_refusal(DocumentKind.PRESERVATION_RULING, facts))
    assert issue_refusal(DocumentKind.PRESERVATION_RULING, ruled) is None
    assert "没有财产保全裁定" in str(issue_refusal(DocumentKind.ASSISTANCE_NOTICE, facts))
    given = IssueFacts(
        NO, CaseStatus.SUPERVISING, ruling_no="之一", measure_given=True, measure_holder="农行"
    )
    assert issue_refusal(DocumentKind.ASSISTANCE_NOTICE, given) is None
    released = IssueFacts(
        NO,
        CaseStatus.SUPERVISING,
        ruling_no="之一",
        measure_given=True,
        measure_holder="农行",
        measure_released_on=D(2026, 11, 20),
    )
    assert "不能再出具协助执行通知书" in str(
        issue_refusal(DocumentKind.ASSISTANCE_NOTICE, released)
    )
    closed = IssueFacts(NO, CaseStatus.PERFORMED, ruling_no="之一")
    assert "不能再出具财产保全裁定书" in str(
        issue_refusal(DocumentKind.PRESERVATION_RULING, closed)
    )


# --- the due-list item ------------------------------------------------------------------------------------


def _release_items(**kw: Any) -> list[DueItem]:
    base: dict[str, Any] = {
        "case_id": "c",
        "received_date": D(2026, 10, 20),
        "status": CaseStatus.SUPERVISING,
        "effective_date": D(2026, 10, 20),
        "performance_deadline": D(2026, 11, 4),
        "freezes": (FreezeFact(K.BANK_DEPOSIT, D(2026, 11, 3), None, "", True),),
    }
    base.update(kw)
    calc = DueCalculator(DueRules(), CAL)
    return [
        i
        for i in calc.items(CaseFacts(**base), D(2026, 11, 9))
        if i.kind is DueKind.PRESERVATION_RELEASE
    ]


def test_the_release_item_is_due_on_the_fifth_day_and_cites_art_163() -> None:
    [item] = _release_items()
    assert item.due_date == D(2026, 11, 9)
    assert "至2026-11-09" in item.detail and "第一百六十三条" in item.detail
    # Without a performance deadline the five days run from the day the document took effect.
    [item] = _release_items(performance_deadline=None, effective_date=D(2026, 11, 4))
    assert item.due_date == D(2026, 11, 9)


def test_no_release_item_once_enforcement_was_applied_for_in_time() -> None:
    assert _release_items(application_received_on=D(2026, 11, 9)) == []
    assert len(_release_items(application_received_on=D(2026, 11, 10))) == 1
    # A measure taken after the (late) application: nothing to release; one taken before is.
    late = (
        FreezeFact(K.BANK_DEPOSIT, D(2026, 11, 3), None, "", True),
        FreezeFact(K.MOVABLE, D(2026, 11, 12), None, "", True),
    )
    assert _release_items(application_received_on=D(2026, 11, 10), freezes=late[1:]) == []
    assert len(_release_items(application_received_on=D(2026, 11, 10), freezes=late)) == 1


def test_no_release_item_for_a_freeze_in_place_before_or_without_an_effective_date() -> None:
    earlier = (FreezeFact(K.BANK_DEPOSIT, D(2026, 11, 3)),)
    assert _release_items(freezes=earlier) == []
    assert _release_items(freezes=()) == []
    assert _release_items(effective_date=None) == []
    # Not yet on the list three days before it is due.
    assert _release_items(performance_deadline=D(2026, 11, 8)) == []
    assert len(_release_items(performance_deadline=D(2026, 11, 7))) == 1


def test_a_measures_status_says_when_and_why_it_was_released() -> None:
    assert measure_status(None, None) == "保全中"
    assert measure_status(None, ReleaseReason.PERFORMED) == "保全中"
    assert measure_status(D(2026, 11, 25), ReleaseReason.PERFORMED) == (
        "已于2026-11-25解除（被申请人已履行）"
    )
    assert measure_status(D(2026, 11, 25), None) == "已于2026-11-25解除"
