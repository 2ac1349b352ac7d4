"""What may be issued when, with which facts; whom it is served on; when it counts as served.

Every expected value here is worked out from the rule as docs/documents.md states it (the Civil
Procedure Law as amended in 2023, the SPC provisions it names), not from running the code.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from zhiqian_desktop.domain.issuing import (
    ADDRESSEES,
    OWING_KINDS,
    PRE_WARNINGS,
    RETIRED_WORDING,
    SERVED_KINDS,
    Addressees,
    IssueFacts,
    TransferGround,
    addressee_roles,
    is_continuing,
    is_judgment_or_ruling,
    issue_refusal,
    performed_on,
    retired_wording,
    served_on,
    service_problem,
    settlement_contradiction,
    transfer_ground,
)
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind, PartyRole, ServiceMethod
from zhiqian_desktop.domain.workflow import CaseStatus

NO = "（2026）内0221执前督12号"
D = date
K = DocumentKind
OWED = IssueFacts(NO, CaseStatus.SUPERVISING, amount_due=Decimal("12345.67"))
"""A money case under supervision, nothing paid, no urging notice served."""
URGED = replace(OWED, urging_served=True)
PAID = replace(OWED, amount_paid=Decimal("12345.67"), last_payment_date=D(2026, 11, 23))
"""Paid in full by a payment recorded on 23 November."""


# --- whom each document is served on -------------------------------------------------------------


def test_each_notice_goes_to_its_addressees_and_records_and_letters_to_nobody() -> None:
    assert addressee_roles(K.URGING) == (PartyRole.OBLIGOR,)
    assert addressee_roles(K.PERFORMANCE_CERTIFICATE) == (PartyRole.OBLIGOR,)
    assert addressee_roles(K.RISK_NOTICE) == (PartyRole.APPLICANT, PartyRole.OBLIGOR)
    assert addressee_roles(K.BANKRUPTCY_NOTICE) == (PartyRole.APPLICANT,)
    assert addressee_roles(K.PRESERVATION_RULING) == (PartyRole.APPLICANT, PartyRole.OBLIGOR)
    for kind in (
        K.SETTLEMENT_AGREEMENT,
        K.INTERVIEW_RECORD,
        K.TRANSFER_LETTER,
        K.SERVICE_RECEIPT,
        K.MEDIATION_LETTER,
        K.ASSISTANCE_NOTICE,
        K.RELEASE_NOTICE,
    ):
        assert addressee_roles(kind) == ()
    assert set(ADDRESSEES) == set(DocumentKind)
    assert {k for k, who in ADDRESSEES.items() if who is not Addressees.NONE} == SERVED_KINDS
    assert (
        set(DocumentKind)
        - {
            K.SETTLEMENT_AGREEMENT,
            K.INTERVIEW_RECORD,
            K.TRANSFER_LETTER,
            K.SERVICE_RECEIPT,
            K.MEDIATION_LETTER,
            K.ASSISTANCE_NOTICE,
            K.RELEASE_NOTICE,
        }
        == SERVED_KINDS
    )
    assert PRE_WARNINGS | {K.SUPERVISION_NOTICE, K.TRANSFER_LETTER} == OWING_KINDS
    assert len(PRE_WARNINGS) == 5


def test_a_document_counts_as_served_when_its_last_addressee_was() -> None:
    d1, d2, d3 = D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 27)
    assert served_on(["a", "b"], [("a", d1)]) is None
    assert served_on(["a", "b"], [("a", d1), ("b", d2)]) == d2
    assert served_on(["a", "b"], [("b", d3), ("a", d1), ("b", d2)]) == d2  # b's first service
    assert served_on(["a"], [("a", d1), ("a", d3)]) == d1
    assert served_on(["a"], [("x", d1)]) is None  # someone no longer an addressee
    assert served_on(["a"], [("a", d2), ("x", d3)]) == d2
    assert served_on([], []) is None
    assert served_on([], [("x", d1)]) is None
    # A record without a party (made before services were per addressee) served the whole
    # document; the earliest such record counts, whatever else was recorded.
    assert served_on(["a", "b"], [(None, d2)]) == d2
    assert served_on(["a", "b"], [(None, d3), ("a", d1), (None, d2)]) == d2


# --- recording a service (Civil Procedure Law arts. 88, 89) --------------------------------------


def test_substitute_service_needs_a_reason_and_who_took_it() -> None:
    sub = ServiceMethod.SUBSTITUTE
    assert service_problem(sub, "刘某", None, None, False)[0] == "substitute_reason"  # type: ignore[index]
    assert service_problem(sub, None, "外出务工，其妻代收", None, False) == (
        "recipient",
        "代收送达必须填写代收人姓名",
    )
    assert service_problem(sub, "刘某", "外出务工，其妻代收", None, False) is None


def test_service_by_leaving_needs_the_refusal_and_a_witness_or_a_recording() -> None:
    leave = ServiceMethod.LEAVING
    assert service_problem(leave, None, None, "村委会张某", True) == (
        "substitute_reason",
        "留置送达必须写明拒收事由和日期",
    )
    problem = service_problem(leave, None, "拒收", None, False)
    assert problem is not None and problem[0] == "witness" and "第八十九条" in problem[1]
    assert service_problem(leave, None, "拒收", "村委会张某", False) is None
    assert service_problem(leave, None, "拒收", None, True) is None
    assert service_problem(leave, None, "拒收", "村委会张某", True) is None


def test_other_methods_need_nothing_more() -> None:
    for method in set(ServiceMethod) - {ServiceMethod.SUBSTITUTE, ServiceMethod.LEAVING}:
        assert service_problem(method, None, None, None, False) is None


# --- the obligation and its performance ----------------------------------------------------------


def test_what_is_owed() -> None:
    assert OWED.outstanding == Decimal("12345.67") and OWED.owes
    part = replace(OWED, amount_paid=Decimal("12000.00"))
    assert part.outstanding == Decimal("345.67")
    over = replace(OWED, amount_paid=Decimal("13000.00"))
    assert over.outstanding == Decimal("0.00") and not over.owes
    assert replace(OWED, amount_paid=Decimal("12345.17")).owes  # fifty fen still owed
    act = IssueFacts(NO, CaseStatus.SUPERVISING, obligation_act="  返还陪嫁物品 ")
    assert act.act == "返还陪嫁物品" and act.act_outstanding and act.owes
    done = replace(act, act_performed_on=D(2026, 11, 20))
    assert not done.act_outstanding and not done.owes
    nothing = IssueFacts(NO, CaseStatus.SUPERVISING)
    assert nothing.act == "" and not nothing.act_outstanding and not nothing.owes


def test_the_day_of_performance_is_the_last_day_recorded() -> None:
    assert performed_on(PAID) == D(2026, 11, 23)
    assert performed_on(OWED) is None  # still owed
    assert performed_on(replace(PAID, last_payment_date=None)) is None  # paid, day not recorded
    assert performed_on(IssueFacts(NO, CaseStatus.PERFORMED)) is None  # nothing to perform
    act = IssueFacts(NO, CaseStatus.PERFORMED, obligation_act="返还车辆")
    assert performed_on(replace(act, act_performed_on=D(2026, 11, 21))) == D(2026, 11, 21)
    both = replace(PAID, obligation_act="赔礼道歉", act_performed_on=D(2026, 11, 21))
    assert performed_on(both) == D(2026, 11, 23)  # the payment came last
    both = replace(both, act_performed_on=D(2026, 11, 24))
    assert performed_on(both) == D(2026, 11, 24)  # the act came last
    # The act's day alone does not stand for a payment whose day was not recorded.
    assert performed_on(replace(both, last_payment_date=None)) is None
    small = IssueFacts(
        NO, CaseStatus.PERFORMED, amount_due=Decimal("0.50"), amount_paid=Decimal("0.50")
    )
    assert performed_on(replace(small, last_payment_date=D(2026, 11, 2))) == D(2026, 11, 2)


def test_continuing_obligations() -> None:
    for act in (
        "每月最后一日前支付抚养费800元",
        "按月支付赡养费500元",
        "逐月给付扶养费",
        "每年春节前支付赡养费",
        "支付子女抚养费至其年满十八周岁",
        "每半年探望一次",
    ):
        assert is_continuing(act), act
    for act in ("返还陪嫁物品", "交付车辆", "", None):
        assert not is_continuing(act), act


# --- 自动履行证明书 ---------------------------------------------------------------------------------


def _certificate(f: IssueFacts) -> str | None:
    return issue_refusal(K.PERFORMANCE_CERTIFICATE, f)


def test_the_certificate_certifies_only_what_was_recorded() -> None:
    assert _certificate(PAID) is None
    assert "尚有¥345.67未履行" in (_certificate(replace(PAID, amount_paid=Decimal("12000"))) or "")
    assert "尚有¥0.50未履行" in (_certificate(replace(PAID, amount_paid=Decimal("12345.17"))) or "")
    assert "付款日期" in (_certificate(replace(PAID, last_payment_date=None)) or "")
    nothing = IssueFacts(NO, CaseStatus.PERFORMED)
    assert "没有登记应履行的义务" in (_certificate(nothing) or "")
    small = IssueFacts(
        NO,
        CaseStatus.PERFORMED,
        amount_due=Decimal("0.50"),
        amount_paid=Decimal("0.50"),
        last_payment_date=D(2026, 11, 2),
    )
    assert _certificate(small) is None


def test_an_act_is_certified_once_its_performance_is_recorded_and_never_while_it_runs() -> None:
    act = IssueFacts(NO, CaseStatus.SUPERVISING, obligation_act="返还陪嫁物品")
    refusal = _certificate(act) or ""
    assert "尚未登记履行日期" in refusal and "返还陪嫁物品" in refusal
    assert _certificate(replace(act, act_performed_on=D(2026, 11, 21))) is None
    monthly = replace(act, obligation_act="每月支付抚养费800元")
    assert "需要持续履行" in (_certificate(monthly) or "")
    # Recorded as performed to its end (the child came of age): certified.
    assert _certificate(replace(monthly, act_performed_on=D(2026, 11, 21))) is None


def test_no_document_for_an_archived_case() -> None:
    archived = replace(PAID, status=CaseStatus.ARCHIVED)
    for kind in DocumentKind:
        assert "已归档" in (issue_refusal(kind, archived) or ""), kind


# --- 移送执行函 (art. 247) --------------------------------------------------------------------------


def test_who_may_send_a_case_to_enforcement() -> None:
    received = D(2026, 11, 20)
    assert transfer_ground("民事调解书", "民间借贷纠纷", None, received) == TransferGround(
        True, received
    )
    # Support judgments and rulings are transferred by the court itself; a 调解书 never is.
    assert transfer_ground("民事判决书", "抚养费纠纷", None, None) == TransferGround(False)
    assert transfer_ground("民事裁定书", "离婚纠纷", "抚养费", None) == TransferGround(False)
    assert transfer_ground("民事判决书", "赡养纠纷", "赡养费", None) == TransferGround(False)
    assert transfer_ground("民事调解书", "抚养费纠纷", "抚养费", None) is None
    assert transfer_ground("民事判决书", "民间借贷纠纷", None, None) is None
    assert transfer_ground("民事判决书", "民间借贷纠纷", "劳动报酬", None) is None


def test_judgments_and_rulings_but_not_mediation_or_awards() -> None:
    for doc in ("民事判决书", "判决书", "民事裁定书", "司法确认裁定书"):
        assert is_judgment_or_ruling(doc), doc
    for doc in ("民事调解书", "调解书", "仲裁裁决书", "支付令"):
        assert not is_judgment_or_ruling(doc), doc


def test_the_transfer_letter_needs_failed_supervision_something_owed_and_a_ground() -> None:
    failed = replace(OWED, status=CaseStatus.FAILED, application_received_on=D(2026, 11, 20))
    assert issue_refusal(K.TRANSFER_LETTER, failed) is None
    assert issue_refusal(K.TRANSFER_LETTER, replace(failed, status=CaseStatus.TRANSFERRED)) is None
    refusal = issue_refusal(K.TRANSFER_LETTER, replace(failed, status=CaseStatus.SUPERVISING))
    assert (
        refusal is not None and "只有督促不成的案件才能移送执行" in refusal and "督促中" in refusal
    )
    paid = replace(failed, amount_paid=failed.amount_due)
    assert "已无未履行" in (issue_refusal(K.TRANSFER_LETTER, paid) or "")
    mediated = replace(failed, application_received_on=None, original_doc_type="民事调解书")
    refusal = issue_refusal(K.TRANSFER_LETTER, mediated) or ""
    assert "须由申请人申请执行" in refusal and "民事调解书" in refusal
    support = replace(mediated, original_doc_type="民事判决书", cause="抚养费纠纷")
    assert issue_refusal(K.TRANSFER_LETTER, support) is None


# --- the 预 warnings and the notices that state what is owed -------------------------------------


def test_a_warning_needs_a_served_urging_notice_and_something_owed() -> None:
    for kind in PRE_WARNINGS:
        refusal = issue_refusal(kind, OWED) or ""
        assert "还没有登记自动履行催告书的送达" in refusal and kind.label in refusal
        assert issue_refusal(kind, URGED) is None
        paid = replace(URGED, amount_paid=URGED.amount_due)
        assert "已无未履行" in (issue_refusal(kind, paid) or "")
    # The urging notice itself and the others do not wait for a served urging notice.
    for kind in (K.URGING, K.SUPERVISION_NOTICE, K.RISK_NOTICE, K.INTERVIEW_RECORD):
        assert issue_refusal(kind, OWED) is None, kind


def test_only_the_notices_stating_what_is_owed_need_something_owed() -> None:
    nothing = replace(PAID, urging_served=True)
    assert "已无未履行" in (issue_refusal(K.SUPERVISION_NOTICE, nothing) or "")
    for kind in (K.URGING, K.RISK_NOTICE, K.INTERVIEW_RECORD, K.SETTLEMENT_AGREEMENT):
        assert issue_refusal(kind, nothing) is None, kind


def test_the_bankruptcy_notice_only_where_an_enterprise_owes() -> None:
    person = replace(OWED, obligor_kinds=(PartyKind.PERSON,))
    assert "企业法人" in (issue_refusal(K.BANKRUPTCY_NOTICE, person) or "")
    other = replace(OWED, obligor_kinds=(PartyKind.OTHER_ORG,))
    assert issue_refusal(K.BANKRUPTCY_NOTICE, other) is not None
    both = replace(OWED, obligor_kinds=(PartyKind.PERSON, PartyKind.LEGAL_PERSON))
    assert issue_refusal(K.BANKRUPTCY_NOTICE, both) is None
    assert issue_refusal(K.URGING, person) is None


def test_closed_cases_get_only_what_comes_after_closing() -> None:
    closed = replace(PAID, status=CaseStatus.PERFORMED, urging_served=True)
    assert issue_refusal(K.PERFORMANCE_CERTIFICATE, closed) is None
    refusal = issue_refusal(K.URGING, closed) or ""
    assert "不能再出具自动履行催告书" in refusal and NO in refusal


# --- 和解协议: the installment table is the source ---------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "periods"),
    [
        ("分3期付清", 3),
        ("分 12 期", 12),
        ("分一期", 1),
        ("分二期", 2),
        ("分两期", 2),
        ("分十期", 10),
        ("分十二期", 12),
        ("分二十期", 20),
        ("分二十四期", 24),
        ("分一百期", 100),
        ("分百期", 100),
        ("分一百二十期", 120),
        ("分两百期", 200),
    ],
)
def test_terms_that_agree_with_the_table(terms: str, periods: int) -> None:
    assert settlement_contradiction(terms, periods) is None
    wrong = settlement_contradiction(terms, periods + 1)
    assert wrong is not None and f"共{periods + 1}期" in wrong
    assert settlement_contradiction(terms, periods - 1 or 2) is not None


def test_terms_without_a_count_or_without_a_table_say_nothing() -> None:
    assert settlement_contradiction("被申请人分期付清", 3) is None
    assert settlement_contradiction(None, 3) is None
    assert settlement_contradiction("", 3) is None
    assert settlement_contradiction("分三期", 0) is None  # paid at once: no table to contradict
    assert settlement_contradiction("分1十期", 3) is None  # not a number a clerk writes
    message = settlement_contradiction("首期1000元，余款分五期付清", 6) or ""
    assert "“分五期”" in message and "共6期" in message
    assert settlement_contradiction("先分两期，再分三期", 2) is not None  # every count must agree


def test_the_agreement_is_checked_against_its_table_when_issued() -> None:
    f = replace(OWED, settlement_terms="分两期付清")
    assert issue_refusal(K.SETTLEMENT_AGREEMENT, f) is None  # no table recorded (periods 0)
    assert issue_refusal(K.SETTLEMENT_AGREEMENT, replace(f, settlement_periods=2)) is None
    refusal = issue_refusal(K.SETTLEMENT_AGREEMENT, replace(f, settlement_periods=3))
    assert refusal is not None and "分两期" in refusal


# --- wording retired because it was untrue -------------------------------------------------------


def test_retired_wording_is_found_however_the_lines_are_broken() -> None:
    text = "你（单位）在催告期内自动履行的，亦无需负担强制执行程序中产生的执行费用和迟延\n履行期间的加倍 债务利息。"
    assert retired_wording(K.URGING, text) == RETIRED_WORDING[K.URGING][0]
    assert retired_wording(K.RISK_NOTICE, text) is None  # another document's list
    assert retired_wording(K.URGING, "自动履行可以免受强制执行措施。") is None
    assert retired_wording(K.SERVICE_RECEIPT, text) is None
    limit = "乘坐高铁、动车组列车一等以上座位"
    assert retired_wording(K.PRE_CONSUMPTION_LIMIT, limit) == "高铁、动车组列车一等以上座位"


def test_the_mediation_letter_only_while_a_mediation_is_pending() -> None:
    refusal = issue_refusal(K.MEDIATION_LETTER, OWED) or ""
    assert "没有未结束的委托调解" in refusal and NO in refusal
    assert issue_refusal(K.MEDIATION_LETTER, replace(OWED, mediation_pending=True)) is None
    assert issue_refusal(K.URGING, replace(OWED, mediation_pending=True)) is None


def test_no_mediation_letter_once_the_period_has_run_out() -> None:
    pending = replace(OWED, mediation_pending=True, mediation_ends_on=date(2026, 12, 18))
    assert issue_refusal(K.MEDIATION_LETTER, pending, date(2026, 12, 18)) is None  # last day
    refusal = issue_refusal(K.MEDIATION_LETTER, pending, date(2026, 12, 19)) or ""
    assert "已于2026-12-18届满" in refusal and "登记调解结果" in refusal
    assert issue_refusal(K.MEDIATION_LETTER, pending) is None  # the day is not known
    assert issue_refusal(K.URGING, pending, date(2026, 12, 19)) is None


# --- the pre-enforcement preservation documents -----------------------------------------------------


def test_a_ruling_is_printed_only_once_ruled() -> None:
    assert "须依已作出的保全裁定出具" in str(issue_refusal(K.PRESERVATION_RULING, OWED))
    ruled = replace(OWED, ruling_no=NO + "之一")
    assert issue_refusal(K.PRESERVATION_RULING, ruled) is None
    # The other kinds do not look at the ruling.
    assert issue_refusal(K.RISK_NOTICE, ruled) is None


def test_the_assistance_notice_names_a_measure_of_the_ruling_and_its_holder() -> None:
    ruled = replace(OWED, ruling_no=NO + "之一", measure_holder="农业银行")
    assert "须写明所协助的保全措施" in str(issue_refusal(K.ASSISTANCE_NOTICE, ruled))
    given = replace(ruled, measure_given=True)
    assert issue_refusal(K.ASSISTANCE_NOTICE, given) is None
    assert "没有财产保全裁定" in str(
        issue_refusal(K.ASSISTANCE_NOTICE, replace(given, ruling_no=None))
    )
    assert "没有登记协助执行单位" in str(
        issue_refusal(K.ASSISTANCE_NOTICE, replace(given, measure_holder=None))
    )
    released = replace(given, measure_released_on=D(2026, 11, 24))
    assert "已于2026-11-24解除" in str(issue_refusal(K.ASSISTANCE_NOTICE, released))
    # A closed case gets neither.
    closed = replace(given, status=CaseStatus.PERFORMED)
    assert "不能再出具协助执行通知书" in str(issue_refusal(K.ASSISTANCE_NOTICE, closed))


def test_a_release_document_needs_its_release() -> None:
    for kind in (K.RELEASE_RULING, K.RELEASE_NOTICE):
        refusal = issue_refusal(kind, replace(OWED, ruling_no=NO + "之一")) or ""
        assert refusal.startswith(kind.label) and "须依已登记的解除出具" in refusal
        released = replace(OWED, ruling_no=NO + "之一", release_ruling_no=NO + "之二")
        assert issue_refusal(kind, released) is None
    # …after closing too (the obligor performed and the case closed), not once archived.
    closed = replace(OWED, status=CaseStatus.PERFORMED, release_ruling_no=NO + "之二")
    assert issue_refusal(K.RELEASE_RULING, closed) is None
    archived = issue_refusal(K.RELEASE_NOTICE, replace(closed, status=CaseStatus.ARCHIVED))
    assert "已归档" in str(archived)
