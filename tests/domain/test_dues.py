"""The due-list rules: every kind, the windows, the holiday roll-over, the missing-year flag."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.domain.calendar import HolidayCalendar, official_calendar_rows
from zhiqian_desktop.domain.due_facts import CaseFacts as Facts
from zhiqian_desktop.domain.due_facts import ContactFact as Contact
from zhiqian_desktop.domain.due_facts import DocumentFact as Doc
from zhiqian_desktop.domain.due_facts import DueRules, FreezeFact, InstallmentFact, PaymentFact
from zhiqian_desktop.domain.dues import (
    ACTIONS,
    DueAction,
    DueCalculator,
    DueGroup,
    DueItem,
    DueKind,
    LimitStart,
    due_list,
    enforcement_limit_start,
    list_from_deadlines,
    priority_of,
    unpaid_installments,
)
from zhiqian_desktop.domain.kinds import DocumentKind, PreservationKind
from zhiqian_desktop.domain.workflow import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus

YEARS = (2024, 2025, 2026)
CAL = HolidayCalendar.from_days(
    [(d, k) for y in YEARS for d, k, _ in official_calendar_rows(y)], YEARS
)
RULES = DueRules(urging_days=15, supervision_limit_days=30, unserved_flag_days=7)
CALC = DueCalculator(RULES, CAL)
ON = date(2026, 11, 25)  # a Wednesday


def facts(**kw: object) -> Facts:
    base: dict[str, object] = {
        "case_id": "c1",
        "received_date": date(2026, 11, 20),
        "status": CaseStatus.SUPERVISING,
        "documents": (Doc(DocumentKind.URGING, date(2026, 11, 20), date(2026, 11, 21)),),
    }
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]


def kinds(f: Facts, on: date = ON) -> dict[DueKind, DueItem]:
    items = CALC.items(f, on)
    assert len({i.kind for i in items}) == len(items) or any(
        i.kind in (DueKind.UNSERVED, DueKind.FREEZE_EXPIRING, DueKind.INSTALLMENT) for i in items
    )
    return {i.kind: i for i in items}


def only(f: Facts, kind: DueKind, on: date = ON) -> list[DueItem]:
    return [i for i in CALC.items(f, on) if i.kind is kind]


# --- new case without an urging notice ---------------------------------------------------------


def test_new_case_without_urging_notice_is_due_on_receipt() -> None:
    f = facts(documents=(), received_date=date(2026, 11, 23))
    item = kinds(f)[DueKind.NO_URGING]
    assert item.due_date == date(2026, 11, 23)
    assert item.days_overdue == 2
    assert item.action is DueAction.PRINT_URGING


def test_issuing_the_urging_notice_removes_the_item() -> None:
    f = facts(documents=(Doc(DocumentKind.URGING, date(2026, 11, 24)),))
    assert DueKind.NO_URGING not in kinds(f)


def test_a_settled_case_needs_no_urging_notice() -> None:
    assert DueKind.NO_URGING not in kinds(facts(documents=(), status=CaseStatus.SETTLED))


# --- urging period (art. 85 from the service date) ---------------------------------------------


def test_urging_period_counts_from_service_and_skips_the_start_day() -> None:
    f = facts(documents=(Doc(DocumentKind.URGING, date(2026, 11, 9), date(2026, 11, 10)),))
    item = kinds(f)[DueKind.URGING_PERIOD]
    assert item.due_date == date(2026, 11, 25)  # 10 Nov + 15 days, a Wednesday
    assert item.days_overdue == 0 and item.group is DueGroup.TODAY


def test_urging_period_ending_in_national_day_rolls_to_the_next_working_day() -> None:
    served = date(2026, 9, 16)  # + 15 = 1 Oct, a holiday until 7 Oct
    f = facts(
        received_date=date(2026, 9, 14),
        documents=(Doc(DocumentKind.URGING, served, served),),
    )
    item = only(f, DueKind.URGING_PERIOD, date(2026, 10, 8))[0]
    assert item.due_date == date(2026, 10, 8)
    assert item.rolled_from == date(2026, 10, 1)
    assert "顺延至2026-10-08" in item.detail
    assert item.calendar_complete


def test_urging_period_not_on_the_list_before_three_days_ahead() -> None:
    f = facts(documents=(Doc(DocumentKind.URGING, date(2026, 11, 20), date(2026, 11, 20)),))
    end = date(2026, 12, 7)  # 20 Nov + 15 = 5 Dec (Sat) → Mon 7 Dec
    assert not only(f, DueKind.URGING_PERIOD, end - timedelta(days=4))
    assert only(f, DueKind.URGING_PERIOD, end - timedelta(days=3))[0].due_date == end


def test_a_call_after_the_urging_period_ends_handles_it() -> None:
    f = facts(documents=(Doc(DocumentKind.URGING, date(2026, 11, 1), date(2026, 11, 2)),))
    assert DueKind.URGING_PERIOD in kinds(f)
    called = replace(f, latest_contact=Contact(date(2026, 11, 18)))
    assert DueKind.URGING_PERIOD not in kinds(called)
    earlier = replace(f, latest_contact=Contact(date(2026, 11, 10)))
    assert DueKind.URGING_PERIOD in kinds(earlier)


def test_a_warning_issued_after_the_urging_period_handles_it() -> None:
    urging = Doc(DocumentKind.URGING, date(2026, 11, 1), date(2026, 11, 2))
    warning = Doc(DocumentKind.PRE_FINE, date(2026, 11, 20), date(2026, 11, 20))
    assert DueKind.URGING_PERIOD not in kinds(facts(documents=(urging, warning)))


def test_unserved_urging_notice_starts_no_period() -> None:
    f = facts(documents=(Doc(DocumentKind.URGING, date(2026, 10, 1)),))
    assert DueKind.URGING_PERIOD not in kinds(f)


# --- promised follow-up ------------------------------------------------------------------------


def test_follow_up_from_the_latest_contact() -> None:
    f = facts(latest_contact=Contact(date(2026, 11, 21), next_follow_up=date(2026, 11, 26)))
    item = kinds(f)[DueKind.FOLLOW_UP]
    assert item.due_date == date(2026, 11, 26) and item.group is DueGroup.SOON
    assert item.action is DueAction.LOG_CONTACT


def test_follow_up_on_a_holiday_rolls_to_the_next_working_day() -> None:
    f = facts(
        received_date=date(2026, 9, 20),
        latest_contact=Contact(date(2026, 9, 28), next_follow_up=date(2026, 10, 3)),
    )
    item = only(f, DueKind.FOLLOW_UP, date(2026, 10, 8))[0]
    assert item.due_date == date(2026, 10, 8) and item.rolled_from == date(2026, 10, 3)
    assert item.days_overdue == 0


def test_follow_up_on_an_adjusted_working_weekend_is_not_rolled() -> None:
    f = facts(latest_contact=Contact(date(2026, 10, 8), next_follow_up=date(2026, 10, 10)))
    item = only(f, DueKind.FOLLOW_UP, date(2026, 10, 10))[0]
    assert item.due_date == date(2026, 10, 10) and item.rolled_from is None


def test_a_new_contact_without_follow_up_clears_the_follow_up() -> None:
    assert DueKind.FOLLOW_UP not in kinds(facts(latest_contact=Contact(date(2026, 11, 25))))


def test_follow_up_in_a_year_without_calendar_data_is_flagged() -> None:
    f = facts(latest_contact=Contact(date(2026, 11, 25), next_follow_up=date(2027, 1, 4)))
    item = only(f, DueKind.FOLLOW_UP, date(2027, 1, 4))[0]
    assert not item.calendar_complete
    assert "2027年节假日数据未录入" in item.detail


# --- promises to pay ---------------------------------------------------------------------------


def test_promise_due_until_paid() -> None:
    promise = Contact(
        date(2026, 11, 20), promise_date=date(2026, 11, 24), promise_amount=Decimal("3000.00")
    )
    f = facts(latest_contact=promise)
    item = kinds(f)[DueKind.PROMISE]
    assert item.days_overdue == 1 and item.action is DueAction.RECORD_PAYMENT
    part = replace(f, payments=(PaymentFact(date(2026, 11, 24), Decimal("1000.00")),))
    assert "已付¥1,000.00" in kinds(part)[DueKind.PROMISE].detail
    full = replace(f, payments=(PaymentFact(date(2026, 11, 26), Decimal("3000.00")),))
    assert DueKind.PROMISE not in kinds(full)
    before = replace(f, payments=(PaymentFact(date(2026, 11, 1), Decimal("3000.00")),))
    assert DueKind.PROMISE in kinds(before), "a payment before the promise does not keep it"


def test_promise_on_a_holiday_rolls() -> None:
    promise = Contact(date(2026, 9, 28), promise_date=date(2026, 10, 1))
    item = only(facts(latest_contact=promise), DueKind.PROMISE, date(2026, 10, 8))[0]
    assert item.due_date == date(2026, 10, 8) and item.rolled_from == date(2026, 10, 1)


# --- installments ------------------------------------------------------------------------------

SCHEDULE = (
    InstallmentFact(1, date(2026, 11, 10), Decimal("5000.00")),
    InstallmentFact(2, date(2026, 12, 10), Decimal("5000.00")),
)


def settled(*payments: PaymentFact) -> Facts:
    return facts(
        status=CaseStatus.SETTLED,
        settlement_signed_on=date(2026, 11, 1),
        installments=SCHEDULE,
        payments=payments,
    )


def test_unpaid_installment_is_overdue() -> None:
    item = only(settled(), DueKind.INSTALLMENT)
    assert [(i.due_date, i.days_overdue) for i in item] == [(date(2026, 11, 10), 15)]


def test_installment_paid_late_leaves_the_list_and_the_next_one_comes_up() -> None:
    late = settled(PaymentFact(date(2026, 11, 24), Decimal("5000.00")))
    assert not only(late, DueKind.INSTALLMENT)
    assert only(late, DueKind.INSTALLMENT, date(2026, 12, 7))[0].due_date == date(2026, 12, 10)


def test_only_a_settled_case_runs_on_its_installments() -> None:
    # Marked failed (or reopened) with the schedule still recorded: the instalments are no longer
    # what the team follows up, the supervision limit is again.
    failed = replace(settled(), status=CaseStatus.FAILED)
    assert not only(failed, DueKind.INSTALLMENT)
    assert only(failed, DueKind.SUPERVISION_LIMIT, date(2026, 12, 22))
    assert not only(settled(), DueKind.SUPERVISION_LIMIT, date(2026, 12, 22))


def test_partial_payment_applies_to_the_oldest_installment() -> None:
    part = settled(PaymentFact(date(2026, 11, 24), Decimal("6000.00")))
    assert unpaid_installments(part) == [(SCHEDULE[1], Decimal("1000.00"))]
    assert "已付¥1,000.00" in only(part, DueKind.INSTALLMENT, date(2026, 12, 10))[0].detail


def test_payments_before_the_settlement_do_not_count() -> None:
    early = settled(PaymentFact(date(2026, 10, 1), Decimal("5000.00")))
    assert len(unpaid_installments(early)) == 2


def test_installment_due_on_a_weekend_rolls() -> None:
    f = replace(settled(), installments=(InstallmentFact(1, date(2026, 11, 28), Decimal(1)),))
    item = only(f, DueKind.INSTALLMENT, date(2026, 11, 30))[0]
    assert item.due_date == date(2026, 11, 30) and item.rolled_from == date(2026, 11, 28)


# --- supervision time limit --------------------------------------------------------------------


def test_supervision_limit_counts_from_receipt() -> None:
    f = facts(received_date=date(2026, 10, 26))  # + 30 = 25 Nov
    item = kinds(f)[DueKind.SUPERVISION_LIMIT]
    assert item.due_date == ON and item.action is DueAction.TRANSFER


def test_settled_case_has_no_supervision_limit_item() -> None:
    f = facts(received_date=date(2026, 6, 1), status=CaseStatus.SETTLED)
    assert DueKind.SUPERVISION_LIMIT not in kinds(f)


def test_failed_case_awaits_transfer() -> None:
    f = facts(received_date=date(2026, 6, 1), status=CaseStatus.FAILED, documents=())
    got = kinds(f)
    assert DueKind.SUPERVISION_LIMIT in got and DueKind.NO_URGING not in got


# --- documents not served ----------------------------------------------------------------------


def test_document_not_served_after_n_days() -> None:
    warn = Doc(DocumentKind.PRE_FINE, date(2026, 11, 18), doc_no="预罚〔2026〕3号")
    f = facts(documents=(*facts().documents, warn))
    item = kinds(f)[DueKind.UNSERVED]
    assert item.due_date == ON and "预罚〔2026〕3号" in item.detail
    assert not only(f, DueKind.UNSERVED, date(2026, 11, 24)), "no look-ahead for unserved"
    served = facts(documents=(*facts().documents, replace(warn, served_on=date(2026, 11, 25))))
    assert DueKind.UNSERVED not in kinds(served)


def test_records_are_not_served() -> None:
    record = Doc(DocumentKind.INTERVIEW_RECORD, date(2026, 10, 1))
    assert DueKind.UNSERVED not in kinds(facts(documents=(*facts().documents, record)))


# --- freezes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "frozen", "expiry"),
    [
        (PreservationKind.BANK_DEPOSIT, date(2025, 12, 25), date(2026, 12, 25)),
        (PreservationKind.MOVABLE, date(2024, 12, 25), date(2026, 12, 25)),
        (PreservationKind.REAL_PROPERTY, date(2023, 12, 25), date(2026, 12, 25)),
    ],
)
def test_freeze_warns_thirty_days_ahead(kind: PreservationKind, frozen: date, expiry: date) -> None:
    f = facts(freezes=(FreezeFact(kind, frozen),))
    at_30 = only(f, DueKind.FREEZE_EXPIRING, expiry - timedelta(days=30))
    assert [i.due_date for i in at_30] == [expiry]
    assert at_30[0].group is DueGroup.WARNING and at_30[0].action is DueAction.RENEW_FREEZE
    assert not only(f, DueKind.FREEZE_EXPIRING, expiry - timedelta(days=31))


def test_stated_expiry_is_taken_as_written() -> None:
    freeze = FreezeFact(PreservationKind.BANK_DEPOSIT, date(2025, 1, 1), date(2026, 12, 5))
    item = only(facts(freezes=(freeze,)), DueKind.FREEZE_EXPIRING)[0]
    assert item.due_date == date(2026, 12, 5) and item.rolled_from is None


def test_freeze_expiring_in_a_year_without_data_is_flagged() -> None:
    freeze = FreezeFact(PreservationKind.BANK_DEPOSIT, date(2026, 1, 10))
    item = only(facts(freezes=(freeze,)), DueKind.FREEZE_EXPIRING, date(2026, 12, 20))[0]
    assert item.due_date == date(2027, 1, 11)  # 10 Jan 2027 is a Sunday
    assert not item.calendar_complete and "2027年" in item.detail


# --- the art. 250 two-year limit ---------------------------------------------------------------


def test_enforcement_limit_warns_sixty_days_ahead() -> None:
    f = facts(performance_deadline=date(2024, 12, 31))  # + 2 years = Thu 31 Dec 2026
    end = date(2026, 12, 31)
    assert only(f, DueKind.ENFORCEMENT_LIMIT, end - timedelta(days=60))[0].due_date == end
    assert not only(f, DueKind.ENFORCEMENT_LIMIT, end - timedelta(days=61))


def test_enforcement_limit_runs_from_the_judgments_last_installment_not_the_settlement() -> None:
    # The team's settlement schedule runs to Jan 2027; the judgment's own period ended in 2024.
    f = replace(settled(), performance_deadline=date(2024, 11, 1), settlement_signed_on=None)
    item = only(f, DueKind.ENFORCEMENT_LIMIT, date(2026, 11, 2))[0]
    assert item.due_date == date(2026, 11, 2)  # 1 Nov 2026 is a Sunday
    assert "履行期限2024-11-01届满起算" in item.detail
    judgment_installments = replace(f, final_installment_date=date(2024, 12, 31))
    item = only(judgment_installments, DueKind.ENFORCEMENT_LIMIT, date(2026, 12, 1))[0]
    assert item.due_date == date(2026, 12, 31)
    assert "最后一期履行期限2024-12-31起算" in item.detail


def test_a_settlement_or_a_payment_interrupts_the_limit_and_restarts_it() -> None:
    base = facts(performance_deadline=date(2024, 3, 1))
    assert enforcement_limit_start(base) == LimitStart(
        date(2024, 3, 1), "自生效法律文书履行期限2024-03-01届满起算"
    )
    signed = replace(base, settlements_signed=(date(2024, 6, 3),))
    paid = replace(signed, payments=(PaymentFact(date(2024, 9, 9), Decimal("100.00")),))
    assert enforcement_limit_start(signed) == LimitStart(
        date(2024, 6, 3), "2024-06-03被申请人签订和解协议，申请执行时效中断，自该日重新起算"
    )
    start = enforcement_limit_start(paid)
    assert start is not None and start.start == date(2024, 9, 9) and "付款" in start.rule
    item = only(paid, DueKind.ENFORCEMENT_LIMIT, date(2026, 9, 1))[0]
    assert item.due_date == date(2026, 9, 9) and "付款" in item.detail
    # A payment before the period began interrupts nothing.
    early = replace(base, payments=(PaymentFact(date(2024, 2, 1), Decimal("100.00")),))
    assert enforcement_limit_start(early) == enforcement_limit_start(base)
    # Paying or settling on the period's last day is performing within it: the limit has not begun
    # to run, so nothing is interrupted and the item keeps the judgment's rule.
    on_the_day = replace(
        base,
        settlements_signed=(date(2024, 3, 1),),
        payments=(PaymentFact(date(2024, 3, 1), Decimal("100.00")),),
    )
    assert enforcement_limit_start(on_the_day) == enforcement_limit_start(base)


def test_with_no_performance_period_the_limit_runs_from_the_effective_date() -> None:
    f = facts(effective_date=date(2024, 12, 2))
    item = only(f, DueKind.ENFORCEMENT_LIMIT, date(2026, 12, 1))[0]
    assert item.due_date == date(2026, 12, 2)
    assert "未登记履行期限，自法律文书生效之日2024-12-02起算" in item.detail


def test_no_performance_deadline_no_limit_item() -> None:
    assert DueKind.ENFORCEMENT_LIMIT not in kinds(facts(), date(2030, 1, 1))


# --- closed cases, priority and order ----------------------------------------------------------


@pytest.mark.parametrize("status", sorted(CLOSED_STATUSES))
def test_closed_cases_produce_no_items(status: CaseStatus) -> None:
    f = facts(status=status, received_date=date(2026, 1, 5), documents=())
    assert CALC.items(f, ON) == [] and CALC.deadlines(f) == []


def test_priority_livelihood_and_overdue_first() -> None:
    assert priority_of(ON - timedelta(days=1), ON, True) == 1
    assert priority_of(ON - timedelta(days=1), ON, False) == 2
    assert priority_of(ON, ON, True) == 3
    assert priority_of(ON + timedelta(days=3), ON, False) == 6
    assert priority_of(ON + timedelta(days=30), ON, True) == 7


def test_list_order() -> None:
    plain_overdue = facts(case_id="a", case_no="A", received_date=date(2026, 10, 1))
    livelihood_today = facts(
        case_id="b",
        case_no="B",
        livelihood=True,
        latest_contact=Contact(date(2026, 11, 20), next_follow_up=ON),
    )
    livelihood_overdue = replace(plain_overdue, case_id="c", case_no="C", livelihood=True)
    items = due_list([plain_overdue, livelihood_today, livelihood_overdue], ON, RULES, CAL)
    assert [(i.case_no, i.priority) for i in items] == [("C", 1), ("A", 2), ("B", 3)]


def test_next_due_is_the_earliest_dated_deadline() -> None:
    f = facts(latest_contact=Contact(date(2026, 11, 21), next_follow_up=date(2026, 11, 27)))
    assert CALC.next_due(f) == date(2026, 11, 27)
    assert CALC.next_due(facts(documents=())) == date(2026, 12, 21)  # supervision limit
    assert CALC.next_due(facts(status=CaseStatus.PERFORMED)) is None


def test_every_kind_has_an_action() -> None:
    assert set(ACTIONS) == set(DueKind)


# --- properties --------------------------------------------------------------------------------

dates = st.dates(date(2024, 1, 1), date(2027, 12, 31))
money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)


@st.composite
def case_facts(draw: st.DrawFn) -> Facts:
    received = draw(dates)
    docs = draw(
        st.lists(
            st.builds(
                Doc,
                kind=st.sampled_from(list(DocumentKind)),
                issued_on=dates,
                served_on=st.none() | dates,
            ),
            max_size=3,
        )
    )
    contact = draw(
        st.none()
        | st.builds(
            Contact,
            contacted_on=dates,
            next_follow_up=st.none() | dates,
            promise_date=st.none() | dates,
            promise_amount=st.none() | money,
        )
    )
    installments = draw(
        st.lists(
            st.builds(InstallmentFact, seq=st.integers(1, 9), due_date=dates, amount=money),
            max_size=3,
        )
    )
    return Facts(
        case_id=draw(st.sampled_from(["a", "b", "c"])),
        received_date=received,
        status=draw(st.sampled_from(list(CaseStatus))),
        livelihood=draw(st.booleans()),
        performance_deadline=draw(st.none() | dates),
        documents=tuple(docs),
        latest_contact=contact,
        settlement_signed_on=draw(st.none() | dates),
        installments=tuple(installments),
        payments=tuple(
            draw(st.lists(st.builds(PaymentFact, paid_on=dates, amount=money), max_size=3))
        ),
        freezes=tuple(
            draw(
                st.lists(
                    st.builds(
                        FreezeFact,
                        kind=st.sampled_from(list(PreservationKind)),
                        frozen_on=dates,
                        expires_on=st.none() | dates,
                    ),
                    max_size=2,
                )
            )
        ),
    )


@settings(max_examples=120, deadline=None)
@given(case_facts(), dates)
def test_items_are_consistent(f: Facts, on: date) -> None:
    items = CALC.items(f, on)
    if f.status not in OPEN_STATUSES:
        assert items == []
    for item in items:
        assert item.days_overdue == max(0, (on - item.due_date).days)
        assert item.priority == priority_of(item.due_date, on, f.livelihood)
        assert 1 <= item.priority <= 8
        assert item.group is DueGroup((item.priority - 1) // 2)
        assert CAL.is_working_day(item.due_date) or item.kind in (
            DueKind.NO_URGING,
            DueKind.FREEZE_EXPIRING,
        )
        if item.rolled_from is not None:
            assert item.rolled_from < item.due_date
        if item.kind in (DueKind.FREEZE_EXPIRING, DueKind.ENFORCEMENT_LIMIT):
            continue
        assert item.due_date <= on + timedelta(days=3)


@settings(max_examples=80, deadline=None)
@given(case_facts(), dates, dates)
def test_an_item_once_due_stays_until_the_data_changes(f: Facts, on: date, later: date) -> None:
    """Nothing is ticked off by time passing: an item on the list stays on later days."""
    if later < on:
        on, later = later, on
    now = {(i.kind, i.due_date, i.detail) for i in CALC.items(f, on)}
    then = {(i.kind, i.due_date, i.detail) for i in CALC.items(f, later)}
    assert now <= then


@settings(max_examples=80, deadline=None)
@given(case_facts(), dates)
def test_livelihood_never_lowers_priority(f: Facts, on: date) -> None:
    plain = sorted(i.priority for i in CALC.items(replace(f, livelihood=False), on))
    urgent = sorted(i.priority for i in CALC.items(replace(f, livelihood=True), on))
    assert len(plain) == len(urgent)
    assert all(u == p - 1 for u, p in zip(urgent, plain, strict=True))


@settings(max_examples=80, deadline=None)
@given(case_facts(), dates, money)
def test_paying_everything_clears_the_installments(f: Facts, on: date, extra: Decimal) -> None:
    total = sum((i.amount for i in f.installments), Decimal(0)) + extra
    signed = f.settlement_signed_on or date(2024, 1, 1)
    paid = replace(f, payments=(PaymentFact(signed, total),), settlement_signed_on=signed)
    assert not [i for i in CALC.items(paid, on) if i.kind is DueKind.INSTALLMENT]


@settings(max_examples=80, deadline=None)
@given(case_facts(), dates)
def test_without_calendar_data_period_items_are_flagged(f: Facts, on: date) -> None:
    bare = DueCalculator(RULES, HolidayCalendar.from_days([], []))
    for item in bare.items(f, on):
        if item.kind is DueKind.NO_URGING:
            continue
        stated = (
            item.kind is DueKind.FREEZE_EXPIRING
            and item.rolled_from is None
            and any(fr.expires_on == item.due_date for fr in f.freezes)
        )
        assert stated or not item.calendar_complete


@settings(max_examples=40, deadline=None)
@given(st.lists(case_facts(), max_size=6), dates)
def test_the_list_is_sorted_and_complete(cases: list[Facts], on: date) -> None:
    items = due_list(cases, on, RULES, CAL)
    assert [i.priority for i in items] == sorted(i.priority for i in items)
    assert len(items) == sum(len(CALC.items(c, on)) for c in cases)


def test_items_for_a_day_match_every_deadline_filtered_by_when_it_shows() -> None:
    """The shortcut that skips periods which cannot show yet changes nothing on a built set."""

    received = [date(2024, 2, 29), date(2025, 1, 20), date(2025, 9, 28), date(2026, 4, 30)]
    cases: list[Facts] = []
    for i, rec in enumerate(received):
        for status in (CaseStatus.REGISTERED, CaseStatus.SUPERVISING, CaseStatus.SETTLED):
            cases.append(
                Facts(
                    case_id=f"c{i}{status.value}",
                    received_date=rec,
                    status=status,
                    livelihood=i % 2 == 0,
                    performance_deadline=rec - timedelta(days=30 * i),
                    documents=(
                        Doc(DocumentKind.URGING, rec + timedelta(days=1), rec + timedelta(days=3)),
                        Doc(DocumentKind.RISK_NOTICE, rec + timedelta(days=5)),
                    )
                    if i % 2
                    else (),
                    latest_contact=Contact(
                        rec + timedelta(days=10),
                        rec + timedelta(days=20 + i),
                        rec + timedelta(days=25),
                        Decimal("100.00"),
                    ),
                    settlement_signed_on=rec + timedelta(days=12),
                    installments=(
                        InstallmentFact(1, rec + timedelta(days=40), Decimal("50.00")),
                        InstallmentFact(2, rec + timedelta(days=70), Decimal("50.00")),
                    ),
                    payments=(PaymentFact(rec + timedelta(days=41), Decimal("50.00")),),
                    freezes=(
                        FreezeFact(PreservationKind.BANK_DEPOSIT, rec),
                        FreezeFact(PreservationKind.REAL_PROPERTY, rec, rec + timedelta(days=90)),
                    ),
                )
            )
    day = date(2024, 1, 1)
    while day <= date(2029, 6, 1):
        for facts in cases:
            expected = sorted((d for d in CALC.deadlines(facts) if d.shows_from <= day), key=repr)
            assert sorted(CALC.deadlines(facts, until=day), key=repr) == expected
        day += timedelta(days=11)


@settings(max_examples=150, deadline=None)
@given(st.lists(case_facts(), max_size=3), dates)
def test_the_list_from_stored_deadlines_is_the_computed_list(cases: list[Facts], on: date) -> None:
    """Every deadline of a case, kept with its first day on the list, gives back exactly the
    list the rules compute for any date (what services/supervision/due_items.py stores relies on this)."""
    cases = [
        replace(f, case_id=f"c{i}", case_no=f"（2026）执前督{i}号") for i, f in enumerate(cases)
    ]
    stored = [
        (
            f.case_id,
            d.kind.value,
            d.due_date,
            d.detail,
            d.calendar_complete,
            d.rolled_from,
            f.livelihood,
            f.case_no,
            f.obligor_names,
            f.handler_id,
        )
        for f in cases
        for d in CALC.deadlines(f)
        if d.shows_from <= on
    ]
    computed = due_list(cases, on, CALC.rules, CAL)
    assert list_from_deadlines(on, stored, {}) == computed


def test_the_preservation_release_item_needs_a_measure_under_a_ruling_and_the_effective_date() -> (
    None
):
    """执行前保全应予解除 (民诉法解释第一百六十三条): the fifth day after the performance period, for
    a measure under the team's own ruling, while enforcement has not been applied for."""
    ruled = (FreezeFact(PreservationKind.BANK_DEPOSIT, date(2026, 11, 16), None, "", True),)
    f = facts(
        effective_date=date(2026, 11, 1), performance_deadline=date(2026, 11, 16), freezes=ruled
    )
    item = kinds(f)[DueKind.PRESERVATION_RELEASE]
    assert item.due_date == date(2026, 11, 23)  # Sat 21 Nov rolled to Monday
    assert DueKind.PRESERVATION_RELEASE not in kinds(replace(f, effective_date=None))
    in_place = (FreezeFact(PreservationKind.BANK_DEPOSIT, date(2026, 11, 16)),)
    assert DueKind.PRESERVATION_RELEASE not in kinds(replace(f, freezes=in_place))
    applied = replace(f, application_received_on=date(2026, 11, 23))
    assert DueKind.PRESERVATION_RELEASE not in kinds(applied)
