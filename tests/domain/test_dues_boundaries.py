"""The first and the last day of every kind of due-list item, worked out by hand from the law and
the court's default settings (not from what the code prints).

Periods follow Civil Procedure Law art. 85: the day the period starts is not counted, and a period
whose last day is a rest day ends on the next working day. The 2026 rest days are those of the
State Council's notice (元旦 1–3 January with Sunday 4 January worked; 春节 15–23 February with
Saturdays 14 and 28 February worked; 清明 4–6 April; 劳动节 1–5 May with Saturday 9 May worked;
端午 19–21 June; 中秋 25–27 September; 国庆 1–7 October with Sunday 20 September and Saturday
10 October worked).

An item appears on the list a number of days before it is due (three for ordinary deadlines,
thirty for a freeze, sixty for the two-year limit of art. 250, none for an unserved document),
is due on its due date and stays, overdue, until the facts change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhiqian_desktop.domain.calendar import HolidayCalendar, PeriodEnd, official_calendar_rows
from zhiqian_desktop.domain.due_facts import (
    CaseFacts,
    ContactFact,
    DocumentFact,
    DueRules,
    FreezeFact,
    InstallmentFact,
    MediationFact,
    PaymentFact,
)
from zhiqian_desktop.domain.dues import (
    DEFAULT_COURT_ZONE,
    DueCalculator,
    DueGroup,
    DueItem,
    DueKind,
    court_date,
    court_time,
    due_list,
    item_on,
    priority_of,
    shows_from,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PreservationKind
from zhiqian_desktop.domain.workflow import CaseStatus

COURT_TZ = ZoneInfo(DEFAULT_COURT_ZONE)
YEARS = (2023, 2024, 2025, 2026)
CAL = HolidayCalendar.from_days(
    [(d, k) for y in YEARS for d, k, _ in official_calendar_rows(y)], YEARS
)
DEFAULTS = DueRules()
CALC = DueCalculator(DEFAULTS, CAL)

URGING = DocumentKind.URGING
D = date


def test_the_court_defaults() -> None:
    """催告书: 收到之日起十五日内履行; the team's thirty-day supervision limit; an unserved
    document is flagged seven days after it was made."""
    assert (DEFAULTS.urging_days, DEFAULTS.supervision_limit_days) == (15, 30)
    assert DEFAULTS.unserved_flag_days == 7


def case(**kw: object) -> CaseFacts:
    base: dict[str, object] = {
        "case_id": "c",
        "received_date": D(2026, 11, 2),
        "status": CaseStatus.SUPERVISING,
        "documents": (DocumentFact(URGING, D(2026, 11, 2)),),  # made, not served
    }
    base.update(kw)
    return CaseFacts(**base)  # type: ignore[arg-type]


def served(on: date) -> tuple[DocumentFact, ...]:
    return (DocumentFact(URGING, on, on),)


def items_of(facts: CaseFacts, kind: DueKind, on: date) -> list[DueItem]:
    return [i for i in CALC.items(facts, on) if i.kind is kind]


SETTLED = case(
    status=CaseStatus.SETTLED,
    settlement_signed_on=D(2026, 11, 5),
    installments=(InstallmentFact(1, D(2026, 12, 10), Decimal("100.00")),),
)

# kind, facts, due date, first day on the list, the rolled-from date (when a rest day moved it)
TABLE: list[tuple[str, DueKind, CaseFacts, date, date, date | None]] = [
    (
        "no urging notice: due on the day of receipt",
        DueKind.NO_URGING,
        case(documents=()),
        D(2026, 11, 2),
        D(2026, 11, 2),
        None,
    ),
    (
        "urging period: served Mon 2 Nov, 15 days end Tue 17 Nov",
        DueKind.URGING_PERIOD,
        case(documents=served(D(2026, 11, 2))),
        D(2026, 11, 17),
        D(2026, 11, 14),
        None,
    ),
    (
        "urging period ending on a Saturday: served Fri 6 Nov, 21 Nov → Mon 23 Nov",
        DueKind.URGING_PERIOD,
        case(documents=served(D(2026, 11, 6))),
        D(2026, 11, 23),
        D(2026, 11, 20),
        D(2026, 11, 21),
    ),
    (
        "urging period ending on a Sunday: served Sat 7 Nov, 22 Nov → Mon 23 Nov",
        DueKind.URGING_PERIOD,
        case(documents=served(D(2026, 11, 7))),
        D(2026, 11, 23),
        D(2026, 11, 20),
        D(2026, 11, 22),
    ),
    (
        "urging period ending on National Day: 1 Oct → Thu 8 Oct",
        DueKind.URGING_PERIOD,
        case(received_date=D(2026, 9, 10), documents=served(D(2026, 9, 16))),
        D(2026, 10, 8),
        D(2026, 10, 5),
        D(2026, 10, 1),
    ),
    (
        "urging period ending on the worked Sunday 20 Sep: not moved",
        DueKind.URGING_PERIOD,
        case(received_date=D(2026, 9, 1), documents=served(D(2026, 9, 5))),
        D(2026, 9, 20),
        D(2026, 9, 17),
        None,
    ),
    (
        "urging period ending in the Spring Festival: 16 Feb → Tue 24 Feb",
        DueKind.URGING_PERIOD,
        case(received_date=D(2026, 1, 30), documents=served(D(2026, 2, 1))),
        D(2026, 2, 24),
        D(2026, 2, 21),
        D(2026, 2, 16),
    ),
    (
        "agreed follow-up on a Friday",
        DueKind.FOLLOW_UP,
        case(latest_contact=ContactFact(D(2026, 11, 10), next_follow_up=D(2026, 11, 20))),
        D(2026, 11, 20),
        D(2026, 11, 17),
        None,
    ),
    (
        "agreed follow-up on a Saturday → Monday",
        DueKind.FOLLOW_UP,
        case(latest_contact=ContactFact(D(2026, 11, 10), next_follow_up=D(2026, 11, 21))),
        D(2026, 11, 23),
        D(2026, 11, 20),
        D(2026, 11, 21),
    ),
    (
        "promise to pay on Fri 20 Nov",
        DueKind.PROMISE,
        case(
            latest_contact=ContactFact(
                D(2026, 11, 10), promise_date=D(2026, 11, 20), promise_amount=Decimal("500.00")
            )
        ),
        D(2026, 11, 20),
        D(2026, 11, 17),
        None,
    ),
    (
        "instalment due Thu 10 Dec",
        DueKind.INSTALLMENT,
        SETTLED,
        D(2026, 12, 10),
        D(2026, 12, 7),
        None,
    ),
    (
        "supervision limit: received Mon 2 Nov, 30 days end Wed 2 Dec",
        DueKind.SUPERVISION_LIMIT,
        case(),
        D(2026, 12, 2),
        D(2026, 11, 29),
        None,
    ),
    (
        "supervision limit ending on National Day: received 1 Sep → Thu 8 Oct",
        DueKind.SUPERVISION_LIMIT,
        case(received_date=D(2026, 9, 1), documents=served(D(2026, 9, 1))),
        D(2026, 10, 8),
        D(2026, 10, 5),
        D(2026, 10, 1),
    ),
    (
        "unserved warning made Mon 2 Nov: flagged from Mon 9 Nov, no warning before",
        DueKind.UNSERVED,
        case(
            documents=(*served(D(2026, 11, 2)), DocumentFact(DocumentKind.PRE_FINE, D(2026, 11, 2)))
        ),
        D(2026, 11, 9),
        D(2026, 11, 9),
        None,
    ),
    (
        "unserved urging notice made Sat 7 Nov: 14 Nov is a Saturday → Mon 16 Nov",
        DueKind.UNSERVED,
        case(documents=(DocumentFact(URGING, D(2026, 11, 7)),)),
        D(2026, 11, 16),
        D(2026, 11, 16),
        D(2026, 11, 14),
    ),
    (
        "bank deposit frozen 2 Dec 2025: one year",
        DueKind.FREEZE_EXPIRING,
        case(freezes=(FreezeFact(PreservationKind.BANK_DEPOSIT, D(2025, 12, 2)),)),
        D(2026, 12, 2),
        D(2026, 11, 2),
        None,
    ),
    (
        "movable property seized 2 Dec 2024: two years",
        DueKind.FREEZE_EXPIRING,
        case(freezes=(FreezeFact(PreservationKind.MOVABLE, D(2024, 12, 2)),)),
        D(2026, 12, 2),
        D(2026, 11, 2),
        None,
    ),
    (
        "real property seized 2 Dec 2023: three years",
        DueKind.FREEZE_EXPIRING,
        case(freezes=(FreezeFact(PreservationKind.REAL_PROPERTY, D(2023, 12, 2)),)),
        D(2026, 12, 2),
        D(2026, 11, 2),
        None,
    ),
    (
        "other property right frozen 2 Dec 2023: three years, as real property",
        DueKind.FREEZE_EXPIRING,
        case(freezes=(FreezeFact(PreservationKind.OTHER, D(2023, 12, 2)),)),
        D(2026, 12, 2),
        D(2026, 11, 2),
        None,
    ),
    (
        "freeze ending on a Saturday: bank deposit frozen 5 Dec 2025 → Mon 7 Dec",
        DueKind.FREEZE_EXPIRING,
        case(freezes=(FreezeFact(PreservationKind.BANK_DEPOSIT, D(2025, 12, 5)),)),
        D(2026, 12, 7),
        D(2026, 11, 7),
        D(2026, 12, 5),
    ),
    (
        "art. 250: performance due 2 Dec 2024, two years end Wed 2 Dec 2026",
        DueKind.ENFORCEMENT_LIMIT,
        case(performance_deadline=D(2024, 12, 2)),
        D(2026, 12, 2),
        D(2026, 10, 3),
        None,
    ),
    (
        "art. 250 ending on National Day: performance due 1 Oct 2024 → Thu 8 Oct 2026",
        DueKind.ENFORCEMENT_LIMIT,
        case(performance_deadline=D(2024, 10, 1)),
        D(2026, 10, 8),
        D(2026, 8, 9),
        D(2026, 10, 1),
    ),
    (
        "mediation entrusted Mon 2 Nov for 30 days: ends Wed 2 Dec, three days ahead",
        DueKind.MEDIATION_END,
        case(mediation=MediationFact("土右旗人民调解委员会", D(2026, 11, 2), 30)),
        D(2026, 12, 2),
        D(2026, 11, 29),
        None,
    ),
    (
        "mediation entrusted Fri 20 Nov for 15 days: Sat 5 Dec → Mon 7 Dec",
        DueKind.MEDIATION_END,
        case(mediation=MediationFact("张律师", D(2026, 11, 20), 15)),
        D(2026, 12, 7),
        D(2026, 12, 4),
        D(2026, 12, 5),
    ),
    (
        "pre-enforcement preservation, performance due Wed 4 Nov: five days → Mon 9 Nov",
        DueKind.PRESERVATION_RELEASE,
        case(
            effective_date=D(2026, 10, 20),
            performance_deadline=D(2026, 11, 4),
            freezes=(FreezeFact(PreservationKind.BANK_DEPOSIT, D(2026, 11, 3), None, "", True),),
        ),
        D(2026, 11, 9),
        D(2026, 11, 6),
        None,
    ),
    (
        "pre-enforcement preservation, performance due Mon 23 Nov: Sat 28 Nov → Mon 30 Nov",
        DueKind.PRESERVATION_RELEASE,
        case(
            effective_date=D(2026, 11, 9),
            performance_deadline=D(2026, 11, 23),
            freezes=(FreezeFact(PreservationKind.MOVABLE, D(2026, 11, 20), None, "", True),),
        ),
        D(2026, 11, 30),
        D(2026, 11, 27),
        D(2026, 11, 28),
    ),
]


@pytest.mark.parametrize(
    ("what", "kind", "facts", "due", "first", "rolled_from"), TABLE, ids=[r[0] for r in TABLE]
)
def test_first_and_last_day(
    what: str, kind: DueKind, facts: CaseFacts, due: date, first: date, rolled_from: date | None
) -> None:
    assert items_of(facts, kind, first - timedelta(days=1)) == [], "on the list too early"
    [on_first] = items_of(facts, kind, first)
    assert on_first.due_date == due and on_first.rolled_from == rolled_from
    assert on_first.calendar_complete
    expected_group = DueGroup.TODAY if first == due else DueGroup.WARNING
    if first != due and (due - first).days <= 3:
        expected_group = DueGroup.SOON
    assert on_first.group is expected_group
    [on_due] = items_of(facts, kind, due)
    assert on_due.group is DueGroup.TODAY and on_due.days_overdue == 0
    [after] = items_of(facts, kind, due + timedelta(days=1))
    assert after.group is DueGroup.OVERDUE and after.days_overdue == 1
    [later] = items_of(facts, kind, due + timedelta(days=100))
    assert later.days_overdue == 100, "an item stays until the facts change"


def test_the_table_covers_every_kind() -> None:
    assert {row[1] for row in TABLE} == set(DueKind)


# --- what ends an item on its last day ---------------------------------------------------------


def test_a_call_on_the_last_day_of_the_urging_period_handles_it() -> None:
    facts = case(documents=served(D(2026, 11, 2)))  # the period ends Tue 17 Nov
    on = D(2026, 11, 18)
    the_day_before = replace(facts, latest_contact=ContactFact(D(2026, 11, 16)))
    assert items_of(the_day_before, DueKind.URGING_PERIOD, on)
    on_the_day = replace(facts, latest_contact=ContactFact(D(2026, 11, 17)))
    assert not items_of(on_the_day, DueKind.URGING_PERIOD, on)


def test_a_warning_made_on_the_last_day_of_the_urging_period_handles_it() -> None:
    facts = case(documents=served(D(2026, 11, 2)))
    on = D(2026, 11, 18)
    for made, handled in ((D(2026, 11, 16), False), (D(2026, 11, 17), True)):
        warning = DocumentFact(DocumentKind.RISK_NOTICE, made, made)
        later = replace(facts, documents=(*facts.documents, warning))
        assert (not items_of(later, DueKind.URGING_PERIOD, on)) is handled


def test_the_urging_period_runs_from_the_first_service() -> None:
    again = DocumentFact(URGING, D(2026, 11, 9), D(2026, 11, 10))
    facts = case(documents=(*served(D(2026, 11, 2)), again))
    [item] = items_of(facts, DueKind.URGING_PERIOD, D(2026, 11, 17))
    assert item.due_date == D(2026, 11, 17)


def test_a_promise_is_kept_by_what_is_paid_from_the_day_of_the_call() -> None:
    contact = ContactFact(
        D(2026, 11, 10), promise_date=D(2026, 11, 20), promise_amount=Decimal("500.00")
    )
    facts = case(latest_contact=contact)
    on = D(2026, 11, 20)
    cases = [
        ((PaymentFact(D(2026, 11, 10), Decimal("500.00")),), False),  # paid on the day of the call
        ((PaymentFact(D(2026, 11, 9), Decimal("500.00")),), True),  # paid before it: not this one
        ((PaymentFact(D(2026, 11, 12), Decimal("499.99")),), True),  # a fen short
        (
            (
                PaymentFact(D(2026, 11, 12), Decimal("200.00")),
                PaymentFact(D(2026, 11, 19), Decimal("300.00")),
            ),
            False,
        ),
    ]
    for payments, still_due in cases:
        shown = items_of(replace(facts, payments=payments), DueKind.PROMISE, on)
        assert bool(shown) is still_due, payments


def test_a_promise_without_an_amount_is_kept_by_any_payment() -> None:
    contact = ContactFact(D(2026, 11, 10), promise_date=D(2026, 11, 20))
    facts = case(latest_contact=contact)
    assert items_of(facts, DueKind.PROMISE, D(2026, 11, 20))
    paid = replace(facts, payments=(PaymentFact(D(2026, 11, 10), Decimal("0.01")),))
    assert not items_of(paid, DueKind.PROMISE, D(2026, 11, 20))


def test_an_instalment_is_paid_by_the_exact_amount() -> None:
    facts = SETTLED
    on = D(2026, 12, 10)
    short = replace(facts, payments=(PaymentFact(D(2026, 11, 5), Decimal("99.99")),))
    [item] = items_of(short, DueKind.INSTALLMENT, on)
    assert "已付¥99.99" in item.detail
    paid = replace(facts, payments=(PaymentFact(D(2026, 11, 5), Decimal("100.00")),))
    assert not items_of(paid, DueKind.INSTALLMENT, on)
    before = replace(facts, payments=(PaymentFact(D(2026, 11, 4), Decimal("100.00")),))
    assert items_of(before, DueKind.INSTALLMENT, on), "paid before the settlement was signed"


def test_a_stated_freeze_expiry_shows_thirty_days_ahead_and_is_not_moved() -> None:
    freeze = FreezeFact(PreservationKind.BANK_DEPOSIT, D(2026, 1, 5), D(2026, 12, 5))  # Saturday
    facts = case(freezes=(freeze,))
    assert not items_of(facts, DueKind.FREEZE_EXPIRING, D(2026, 11, 4))
    [item] = items_of(facts, DueKind.FREEZE_EXPIRING, D(2026, 11, 5))
    assert item.due_date == D(2026, 12, 5) and item.rolled_from is None


def test_a_period_ending_in_a_year_without_holiday_data_is_flagged() -> None:
    facts = case(received_date=D(2026, 12, 10), documents=served(D(2026, 12, 17)))
    [item] = items_of(facts, DueKind.URGING_PERIOD, D(2027, 1, 4))
    # 1 January 2027, a Friday, is 元旦 by statute although 2027's notice is not in the table;
    # the weekend follows, so the period ends on Monday 4 January, flagged for checking.
    assert (item.due_date, item.rolled_from) == (D(2027, 1, 4), D(2027, 1, 1))
    assert not item.calendar_complete and "2027年节假日数据未录入" in item.detail


# --- the day at the court ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 11, 24, 15, 59, 59, 999999, tzinfo=UTC), D(2026, 11, 24)),
        (datetime(2026, 11, 24, 16, 0, tzinfo=UTC), D(2026, 11, 25)),
        (datetime(2026, 11, 25, 0, 0, tzinfo=COURT_TZ), D(2026, 11, 25)),
        (datetime(2026, 11, 25, 23, 59, 59, tzinfo=COURT_TZ), D(2026, 11, 25)),
        (datetime(2026, 11, 24, 11, 0, tzinfo=timezone(timedelta(hours=-5))), D(2026, 11, 25)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), D(2027, 1, 1)),
    ],
)
def test_the_court_day_changes_at_midnight_beijing_time(moment: datetime, day: date) -> None:
    assert court_date(moment, COURT_TZ) == day


def test_a_stored_moment_shows_on_the_courts_clock() -> None:
    moment = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert court_time(moment, COURT_TZ) == "2026-11-25 01:30"
    assert court_time(moment, ZoneInfo("Asia/Urumqi")) == "2026-11-24 23:30"


def test_the_court_is_eight_hours_ahead_of_utc() -> None:
    assert COURT_TZ.utcoffset(datetime(2026, 7, 1)) == timedelta(hours=8)
    assert COURT_TZ.utcoffset(datetime(2026, 1, 1)) == timedelta(hours=8)


# --- groups and the list with the default settings ---------------------------------------------


@pytest.mark.parametrize(
    ("days_ahead", "plain", "livelihood"),
    [(-100, 2, 1), (-1, 2, 1), (0, 4, 3), (1, 6, 5), (3, 6, 5), (4, 8, 7), (60, 8, 7)],
)
def test_priorities_around_today(days_ahead: int, plain: int, livelihood: int) -> None:
    on = D(2026, 11, 25)
    due = on + timedelta(days=days_ahead)
    assert priority_of(due, on, False) == plain
    assert priority_of(due, on, True) == livelihood


def test_the_list_with_the_default_settings() -> None:
    received = case(case_id="a", case_no="A", documents=())  # received Mon 2 Nov
    urged = case(case_id="b", case_no="B", livelihood=True, documents=served(D(2026, 11, 2)))
    items = due_list([received, urged], D(2026, 11, 17), DueRules(), CAL)
    assert [(i.case_no, i.kind, i.due_date, i.days_overdue) for i in items] == [
        ("A", DueKind.NO_URGING, D(2026, 11, 2), 15),
        ("B", DueKind.URGING_PERIOD, D(2026, 11, 17), 0),
    ]
    assert [i.group for i in items] == [DueGroup.OVERDUE, DueGroup.TODAY]


# --- what a row shows --------------------------------------------------------------------------


def test_group_headings() -> None:
    assert [g.label for g in DueGroup] == ["已逾期", "今日到期", "3日内到期", "提前预警"]


def test_a_row_is_complete_and_not_moved_unless_it_says_so() -> None:
    on = D(2026, 11, 25)
    row = item_on(on, "c", DueKind.FOLLOW_UP, D(2026, 11, 20), "约定回访", livelihood=False)
    assert row.calendar_complete and row.rolled_from is None and not row.livelihood
    assert (row.days_overdue, row.priority, row.group) == (5, 2, DueGroup.OVERDUE)
    plain = DueItem("c", DueKind.FOLLOW_UP, D(2026, 11, 20), 5, 2, "约定回访")
    assert plain.calendar_complete and not plain.livelihood and plain.rolled_from is None


def test_an_agreed_date_on_a_rest_day_moves_to_the_next_working_day() -> None:
    assert CALC.roll(D(2026, 11, 28)) == PeriodEnd(
        D(2026, 11, 28), 0, None, D(2026, 11, 30), D(2026, 11, 28), True
    )
    assert CALC.roll(D(2026, 11, 27)) == PeriodEnd(
        D(2026, 11, 27), 0, None, D(2026, 11, 27), None, True
    )


def test_a_freeze_row_names_what_was_frozen() -> None:
    frozen = FreezeFact(PreservationKind.BANK_DEPOSIT, D(2025, 12, 2), description="工商银行账户")
    [item] = items_of(case(freezes=(frozen,)), DueKind.FREEZE_EXPIRING, D(2026, 12, 2))
    assert item.detail == "银行存款（工商银行账户）2025-12-02保全，1年期限届满"
    bare = replace(frozen, description="")
    [item] = items_of(case(freezes=(bare,)), DueKind.FREEZE_EXPIRING, D(2026, 12, 2))
    assert item.detail == "银行存款2025-12-02保全，1年期限届满"


def test_an_item_due_at_the_start_of_the_calendar_shows_from_its_first_day() -> None:
    assert shows_from(DueKind.ENFORCEMENT_LIMIT, D(1, 1, 31)) == date.min
    assert shows_from(DueKind.FREEZE_EXPIRING, D(1, 1, 31)) == D(1, 1, 1)


@pytest.mark.parametrize(
    "facts",
    [
        case(performance_deadline=D(9999, 1, 1)),
        case(freezes=(FreezeFact(PreservationKind.REAL_PROPERTY, D(9998, 6, 1)),)),
    ],
    ids=["art. 250 limit", "freeze"],
)
def test_a_deadline_beyond_the_calendar_is_an_error_never_silently_dropped(
    facts: CaseFacts,
) -> None:
    with pytest.raises(UserError, match="起算的期间超出可计算的日期范围；请检查起算日和期间"):
        CALC.items(facts, D(2026, 11, 25))
