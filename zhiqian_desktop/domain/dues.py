"""Rules of the daily due-list (今日待办): which deadlines of a case need attention on a given day.

Plain facts about one case go in (dates, statuses, amounts); the pending deadlines and the
due-list items for a date come out. Nothing here is stored: an item goes away only when the facts
change (a call logged with a new follow-up date, a payment, a service, a renewed freeze).

Deadlines are counted under Civil Procedure Law art. 85 (start day not counted, a last day on a
rest day rolls to the next working day) against the court's holiday table. A date that falls in a
year without holiday data is never guessed silently: the item says so (``calendar_complete``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import IntEnum
from typing import NamedTuple

from zhiqian_desktop.domain.calendar import (
    HolidayCalendar,
    PeriodEnd,
    period_end_days,
    period_end_years,
)
from zhiqian_desktop.domain.due_facts import (
    CaseFacts,
    ContactFact,
    DueRules,
    FreezeFact,
    InstallmentFact,
)
from zhiqian_desktop.domain.issuing import SERVED_KINDS
from zhiqian_desktop.domain.kinds import DocumentKind, LabelledEnum, PreservationKind
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.preservation import (
    RELEASE_DAYS,
    TERM_YEARS,
    release_due,
    release_start,
)
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus

DEFAULT_COURT_ZONE = "Asia/Shanghai"
"""The court's time zone unless its settings name another (设置 → 法院信息). Times are stored in
UTC; the day a call was made is the day in the court's zone."""

LOOKAHEAD_DAYS = 3
"""Ordinary deadlines show up this many days ahead (the "next 3 days" group)."""

FREEZE_WARN_DAYS = 30
ENFORCEMENT_WARN_DAYS = 60
ENFORCEMENT_LIMIT_YEARS = 2
"""Civil Procedure Law art. 250: two years to apply for enforcement."""

FREEZE_YEARS: dict[PreservationKind, int] = TERM_YEARS
"""The statutory term of a freeze or seizure by the kind of property (domain/preservation.py)."""


class DueAction(LabelledEnum):
    """What the handler does about an item (shown in the row)."""

    LOG_CONTACT = "log_contact", "电话/约谈督促"
    PRINT_URGING = "print_urging", "制作并送达催告书"
    RECORD_SERVICE = "record_service", "登记送达"
    RECORD_PAYMENT = "record_payment", "核实并登记履行"
    RENEW_FREEZE = "renew_freeze", "申请续行保全"
    TRANSFER = "transfer", "结案或移送执行"
    MEDIATION_RESULT = "mediation_result", "了解并登记调解结果"
    RELEASE_PRESERVATION = "release_preservation", "核实是否申请执行，否则解除保全"


class DueKind(LabelledEnum):
    NO_URGING = "no_urging", "新收案件未发催告书"
    URGING_PERIOD = "urging_period", "催告期届满"
    FOLLOW_UP = "follow_up", "约定回访"
    PROMISE = "promise", "承诺履行到期"
    INSTALLMENT = "installment", "分期履行到期"
    SUPERVISION_LIMIT = "supervision_limit", "督促期限届满"
    UNSERVED = "unserved", "文书未送达"
    FREEZE_EXPIRING = "freeze_expiring", "保全即将到期"
    ENFORCEMENT_LIMIT = "enforcement_limit", "申请执行期间将届满"
    MEDIATION_END = "mediation_end", "委托调解期满"
    PRESERVATION_RELEASE = "preservation_release", "执行前保全应予解除"


STANDING_TODOS = frozenset({DueKind.NO_URGING})
"""Kinds that are a standing to-do rather than a deadline: they never set the docket's 下次到期."""


ACTIONS: dict[DueKind, DueAction] = {
    DueKind.NO_URGING: DueAction.PRINT_URGING,
    DueKind.URGING_PERIOD: DueAction.LOG_CONTACT,
    DueKind.FOLLOW_UP: DueAction.LOG_CONTACT,
    DueKind.PROMISE: DueAction.RECORD_PAYMENT,
    DueKind.INSTALLMENT: DueAction.RECORD_PAYMENT,
    DueKind.SUPERVISION_LIMIT: DueAction.TRANSFER,
    DueKind.UNSERVED: DueAction.RECORD_SERVICE,
    DueKind.FREEZE_EXPIRING: DueAction.RENEW_FREEZE,
    DueKind.ENFORCEMENT_LIMIT: DueAction.TRANSFER,
    DueKind.MEDIATION_END: DueAction.MEDIATION_RESULT,
    DueKind.PRESERVATION_RELEASE: DueAction.RELEASE_PRESERVATION,
}

WARN_DAYS: dict[DueKind, int] = {
    DueKind.NO_URGING: 0,
    DueKind.URGING_PERIOD: LOOKAHEAD_DAYS,
    DueKind.FOLLOW_UP: LOOKAHEAD_DAYS,
    DueKind.PROMISE: LOOKAHEAD_DAYS,
    DueKind.INSTALLMENT: LOOKAHEAD_DAYS,
    DueKind.SUPERVISION_LIMIT: LOOKAHEAD_DAYS,
    # The setting itself says after how many days an unserved document is flagged.
    DueKind.UNSERVED: 0,
    DueKind.FREEZE_EXPIRING: FREEZE_WARN_DAYS,
    DueKind.ENFORCEMENT_LIMIT: ENFORCEMENT_WARN_DAYS,
    DueKind.MEDIATION_END: LOOKAHEAD_DAYS,
    DueKind.PRESERVATION_RELEASE: LOOKAHEAD_DAYS,
}
"""How many days before its due date an item appears on the list."""

MAX_WARN_DAYS = max(WARN_DAYS.values())


class DueGroup(IntEnum):
    OVERDUE = 0
    TODAY = 1
    SOON = 2
    WARNING = 3

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    DueGroup.OVERDUE: "已逾期",
    DueGroup.TODAY: "今日到期",
    DueGroup.SOON: f"{LOOKAHEAD_DAYS}日内到期",
    DueGroup.WARNING: "提前预警",
}


_GROUP_OF_PRIORITY = {g * 2 + extra: g for g in DueGroup for extra in (1, 2)}
"""Priorities 1 … 8 and their groups (a table: the list asks for tens of thousands of them)."""


def court_time(moment: datetime, zone: tzinfo) -> str:
    """A stored moment as the court's clock shows it (2026-11-25 14:30), whatever the zone of the
    desk that shows it."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def court_date(moment: datetime, zone: tzinfo) -> date:
    """The calendar day of an aware time at the court."""
    return moment.astimezone(zone).date()


# --- values out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One pending deadline of a case, whatever the date."""

    kind: DueKind
    due_date: date
    detail: str
    calendar_complete: bool = True
    rolled_from: date | None = None

    @property
    def shows_from(self) -> date:
        return shows_from(self.kind, self.due_date)


class DueItem(NamedTuple):
    """One row of the list. A named tuple rather than a frozen dataclass: the list over a large
    docket has tens of thousands of them, and a tuple is made several times faster."""

    case_id: str
    kind: DueKind
    due_date: date
    days_overdue: int
    priority: int
    detail: str
    livelihood: bool = False
    calendar_complete: bool = True
    rolled_from: date | None = None
    case_no: str = ""
    obligor_names: str = ""
    handler_id: str | None = None
    handler_name: str = ""

    @property
    def action(self) -> DueAction:
        return ACTIONS[self.kind]

    @property
    def group(self) -> DueGroup:
        return _GROUP_OF_PRIORITY[self.priority]


def shows_from(kind: DueKind, due_date: date) -> date:
    """The first day an item of this kind and due date is on the list; it stays on it after."""
    try:
        return due_date - timedelta(days=WARN_DAYS[kind])
    except OverflowError:
        return date.min


def item_on(
    on: date,
    case_id: str,
    kind: DueKind,
    due_date: date,
    detail: str,
    *,
    livelihood: bool,
    calendar_complete: bool = True,
    rolled_from: date | None = None,
    case_no: str = "",
    obligor_names: str = "",
    handler_id: str | None = None,
    handler_name: str = "",
) -> DueItem:
    """The list's item for a deadline of a case on ``on`` (the deadline already shows that day)."""
    return DueItem(
        case_id,
        kind,
        due_date,
        (on - due_date).days if due_date < on else 0,
        priority_of(due_date, on, livelihood),
        detail,
        livelihood,
        calendar_complete,
        rolled_from,
        case_no,
        obligor_names,
        handler_id,
        handler_name,
    )


StoredDeadline = tuple[str, str, date, str, bool, "date | None", bool, str, str, "str | None"]
"""A deadline as kept per case: case id, kind value, due date, detail, calendar complete,
rolled from, and the case's livelihood flag, number, obligors and handler id."""


def list_from_deadlines(
    on: date, deadlines: Iterable[StoredDeadline], handler_names: Mapping[str | None, str]
) -> list[DueItem]:
    """The list for ``on`` from deadlines that show on that day, in the order ``due_list`` gives.

    The deadlines come grouped by case in the rules' order, which breaks the ties of the sort key.
    """
    kind_of = {k.value: k for k in DueKind}
    priority = priorities_on(on)
    items = [
        DueItem(
            case_id,
            kind_of[kind],
            due,
            (on - due).days if due < on else 0,
            priority(due, livelihood),
            detail,
            livelihood,
            complete,
            rolled_from,
            case_no,
            obligors,
            handler,
            handler_names.get(handler, ""),
        )
        for (
            case_id,
            kind,
            due,
            detail,
            complete,
            rolled_from,
            livelihood,
            case_no,
            obligors,
            handler,
        ) in deadlines
    ]
    items.sort(key=sort_key)
    return items


def priority_of(due_date: date, on: date, livelihood: bool) -> int:
    """1 (most urgent) … 8: overdue, due today, within 3 days, early warning; livelihood first."""
    return priorities_on(on)(due_date, livelihood)


def priorities_on(on: date) -> Callable[[date, bool], int]:
    """``priority_of`` for one list date, its bounds worked out once for many items."""
    soon = on + timedelta(days=LOOKAHEAD_DAYS)
    overdue, today, within, warning = (int(g) * 2 for g in DueGroup)

    def priority(due_date: date, livelihood: bool) -> int:
        if due_date < on:
            group = overdue
        elif due_date == on:
            group = today
        elif due_date <= soon:
            group = within
        else:
            group = warning
        return group + (1 if livelihood else 2)

    return priority


# --- the rules --------------------------------------------------------------------------------

PeriodFn = Callable[[date, int], PeriodEnd]


def _cached(
    fn: Callable[[date, int, HolidayCalendar], PeriodEnd], cal: HolidayCalendar
) -> PeriodFn:
    memo: dict[tuple[date, int], PeriodEnd] = {}

    def get(start: date, n: int) -> PeriodEnd:
        key = (start, n)
        found = memo.get(key)
        if found is None:
            found = memo[key] = fn(start, n, cal)
        return found

    return get


class DueCalculator:
    """The rules bound to one calendar and settings; periods are memoised across many cases."""

    def __init__(self, rules: DueRules, cal: HolidayCalendar) -> None:
        self.rules = rules
        self.cal = cal
        self._days = _cached(period_end_days, cal)
        self._years = _cached(period_end_years, cal)
        self._rolled: dict[date, PeriodEnd] = {}
        self._last_due_for: date | None = None
        self._last_due_cache: dict[DueKind, date] = {}

    def roll(self, day: date) -> PeriodEnd:
        """A date people agreed on (a promise, an instalment): on a rest day, the next working day."""
        found = self._rolled.get(day)
        if found is None:
            end = self.cal.next_working_day(day)
            complete = all(self.cal.has_year(y) for y in range(day.year, end.year + 1))
            found = PeriodEnd(day, 0, None, end, day if end != day else None, complete)
            self._rolled[day] = found
        return found

    def _last_due(self, until: date | None) -> dict[DueKind, date] | None:
        """Per kind, the latest due date that already shows on ``until``."""
        if until is None:
            return None
        if self._last_due_for != until:
            self._last_due_cache = {k: until + timedelta(days=w) for k, w in WARN_DAYS.items()}
            self._last_due_for = until
        return self._last_due_cache

    def _deadline(self, kind: DueKind, pe: PeriodEnd, detail: str) -> Deadline:
        if pe.rolled_from is not None:
            detail += f"；{pe.rolled_from.isoformat()}为休息日，顺延至{pe.end.isoformat()}"
        if not pe.calendar_complete:
            nominal = pe.rolled_from or pe.end
            years = range(nominal.year, pe.end.year + 1)
            missing = "、".join(str(y) for y in years if not self.cal.has_year(y))
            detail += (
                f"；{missing}年节假日数据未录入，到期日按法定节日和周末推算"
                "（调休、补假以国务院办公厅通知为准），请人工核对"
            )
        return Deadline(kind, pe.end, detail, pe.calendar_complete, pe.rolled_from)

    def deadlines(self, facts: CaseFacts, until: date | None = None) -> list[Deadline]:
        """Every pending deadline of the case (closed cases have none), rule by rule (``RULES``).

        With ``until``, only those already showing on that day (the rest are not worked out in
        words, which matters over many thousands of cases).
        """
        if facts.status not in OPEN_STATUSES:
            return []
        case = _CaseOnDay(facts, self._last_due(until))
        out: list[Deadline] = []
        for rule in RULES.values():
            out.extend(rule(self, case))
        return out

    def _freeze_deadline(
        self, freeze: FreezeFact, shows: Callable[[DueKind, date], bool]
    ) -> Deadline | None:
        kind = DueKind.FREEZE_EXPIRING
        what = freeze.kind.label + (f"（{freeze.description}）" if freeze.description else "")
        if freeze.expires_on is not None:
            # A stated expiry (ruling or renewal) is taken as written, never rolled forward.
            if not shows(kind, freeze.expires_on):
                return None
            return Deadline(
                kind,
                freeze.expires_on,
                f"{what}{freeze.frozen_on.isoformat()}保全，期限至{freeze.expires_on.isoformat()}",
            )
        years = FREEZE_YEARS[freeze.kind]
        pe = self._years(freeze.frozen_on, years)
        if not shows(kind, pe.end):
            return None
        return self._deadline(
            kind, pe, f"{what}{freeze.frozen_on.isoformat()}保全，{years}年期限届满"
        )

    def items(self, facts: CaseFacts, on: date) -> list[DueItem]:
        """The case's items on the list for ``on``."""
        return [self._item(facts, d, on) for d in self.deadlines(facts, until=on)]

    def _item(self, facts: CaseFacts, d: Deadline, on: date) -> DueItem:
        return item_on(
            on,
            facts.case_id,
            d.kind,
            d.due_date,
            d.detail,
            livelihood=facts.livelihood,
            calendar_complete=d.calendar_complete,
            rolled_from=d.rolled_from,
            case_no=facts.case_no,
            obligor_names=facts.obligor_names,
            handler_id=facts.handler_id,
            handler_name=facts.handler_name,
        )

    def next_due(self, facts: CaseFacts) -> date | None:
        """The earliest dated deadline (the docket's 下次到期 column).

        "No urging notice yet" is a standing to-do rather than a deadline, so it does not make
        every newly registered case overdue in the docket.
        """
        dated = (d.due_date for d in self.deadlines(facts) if d.kind not in STANDING_TODOS)
        return min(dated, default=None)


# --- the rules, one function each -----------------------------------------------------------------


class _CaseOnDay:
    """One case as the rules see it, with the list date's shortcuts (``until`` of ``deadlines``)."""

    __slots__ = ("contact", "facts", "last", "urging", "working")

    def __init__(self, facts: CaseFacts, last: dict[DueKind, date] | None) -> None:
        self.facts = facts
        self.last = last
        self.working = facts.status in (CaseStatus.REGISTERED, CaseStatus.SUPERVISING)
        self.urging = [d for d in facts.documents if d.kind is DocumentKind.URGING]
        self.contact = facts.latest_contact

    def shows(self, kind: DueKind, due: date) -> bool:
        return self.last is None or due <= self.last[kind]

    def may_show(self, kind: DueKind, start: date, min_days: int) -> bool:
        # A period never ends before start + min_days (rolling only moves it later), so one that
        # cannot show yet is not worked out at all; on overflow the real rule decides.
        if self.last is None:
            return True
        try:
            return start + timedelta(days=min_days) <= self.last[kind]
        except OverflowError:
            return True


Rule = Callable[[DueCalculator, _CaseOnDay], Iterable[Deadline]]


def no_urging_notice(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """新收案件未发催告书: a case being worked has no urging notice yet (a standing to-do)."""
    facts = case.facts
    if case.working and not case.urging and case.shows(DueKind.NO_URGING, facts.received_date):
        yield Deadline(
            DueKind.NO_URGING,
            facts.received_date,
            f"{facts.received_date.isoformat()}收案，尚未制作自动履行催告书",
        )


def urging_period_over(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """催告期届满: the urging period after the first service ended and nothing was done since."""
    served = [d.served_on for d in case.urging if d.served_on is not None]
    days = calc.rules.urging_days
    if not (case.working and served and case.may_show(DueKind.URGING_PERIOD, min(served), days)):
        return
    first = min(served)
    pe = calc._days(first, days)
    contact, documents = case.contact, case.facts.documents
    handled = (contact is not None and contact.contacted_on >= pe.end) or any(
        d.kind is not DocumentKind.URGING and d.issued_on >= pe.end for d in documents
    )
    if not handled and case.shows(DueKind.URGING_PERIOD, pe.end):
        yield calc._deadline(
            DueKind.URGING_PERIOD,
            pe,
            f"催告书于{first.isoformat()}送达，催告期{days}日届满，请核实履行情况",
        )


def _agreed_date(
    calc: DueCalculator, case: _CaseOnDay, kind: DueKind, day: date
) -> PeriodEnd | None:
    """A date agreed at the latest contact (a follow-up, a promise), rolled past a rest day;
    None when it cannot show on the list date yet."""
    if not case.may_show(kind, day, 0):
        return None
    return calc.roll(day)


def agreed_follow_up(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """约定回访: the follow-up date agreed at the latest contact."""
    contact = case.contact
    if contact is None or contact.next_follow_up is None:
        return
    pe = _agreed_date(calc, case, DueKind.FOLLOW_UP, contact.next_follow_up)
    if pe is not None and case.shows(DueKind.FOLLOW_UP, pe.end):
        yield calc._deadline(
            DueKind.FOLLOW_UP,
            pe,
            f"{contact.contacted_on.isoformat()}督促时约定{contact.next_follow_up.isoformat()}回访",
        )


def promise_due(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """承诺履行到期: the obligor promised to pay by a date and has not paid (enough) since."""
    contact = case.contact
    if contact is None or contact.promise_date is None:
        return
    pe = _agreed_date(calc, case, DueKind.PROMISE, contact.promise_date)
    if pe is None:
        return
    paid, kept = promise_paid(case.facts, contact)
    promised = contact.promise_amount
    if not kept and case.shows(DueKind.PROMISE, pe.end):
        what = f"履行{format_amount(promised)}" if promised else "履行"
        yield calc._deadline(
            DueKind.PROMISE,
            pe,
            f"被申请人{contact.contacted_on.isoformat()}承诺于"
            f"{contact.promise_date.isoformat()}前{what}"
            + (f"，此后已付{format_amount(paid)}" if paid else ""),
        )


def promise_paid(facts: CaseFacts, contact: ContactFact) -> tuple[Decimal, bool]:
    """What the obligor paid from the day of the promise on, and whether that keeps it (the
    amount promised, or any payment when no amount was named)."""
    paid = sum(
        (p.amount for p in facts.payments if p.paid_on >= contact.contacted_on), Decimal("0.00")
    )
    promised = contact.promise_amount
    return paid, (paid >= promised if promised else paid > 0)


def installment_due(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """分期履行到期: each instalment of a settled case not yet fully paid."""
    if case.facts.status is not CaseStatus.SETTLED:
        return
    for inst, paid in unpaid_installments(case.facts):
        if not case.may_show(DueKind.INSTALLMENT, inst.due_date, 0):
            continue
        pe = calc.roll(inst.due_date)
        if case.shows(DueKind.INSTALLMENT, pe.end):
            detail = f"和解第{inst.seq}期应付{format_amount(inst.amount)}"
            if paid:
                detail += f"，已付{format_amount(paid)}"
            yield calc._deadline(DueKind.INSTALLMENT, pe, detail)


def supervision_limit(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """督促期限届满: the supervision period from receipt ends (a settled case runs on its
    instalment schedule instead)."""
    facts, days = case.facts, calc.rules.supervision_limit_days
    if facts.status is CaseStatus.SETTLED or not case.may_show(
        DueKind.SUPERVISION_LIMIT, facts.received_date, days
    ):
        return
    pe = calc._days(facts.received_date, days)
    if case.shows(DueKind.SUPERVISION_LIMIT, pe.end):
        yield calc._deadline(
            DueKind.SUPERVISION_LIMIT,
            pe,
            f"{facts.received_date.isoformat()}收案，督促期限{days}日届满",
        )


def unserved_document(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """文书未送达: a document to be served has no service recorded after the set days."""
    days = calc.rules.unserved_flag_days
    for doc in case.facts.documents:
        if (
            doc.kind in SERVED_KINDS
            and doc.served_on is None
            and case.may_show(DueKind.UNSERVED, doc.issued_on, days)
        ):
            pe = calc._days(doc.issued_on, days)
            if case.shows(DueKind.UNSERVED, pe.end):
                name = doc.kind.label + (f"（{doc.doc_no}）" if doc.doc_no else "")
                yield calc._deadline(
                    DueKind.UNSERVED,
                    pe,
                    f"{name}于{doc.issued_on.isoformat()}制作，{days}日内未登记送达",
                )


def freeze_expiring(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """保全即将到期: a freeze or seizure reaches its stated or statutory end."""
    for freeze in case.facts.freezes:
        if freeze.expires_on is None and not case.may_show(
            DueKind.FREEZE_EXPIRING, freeze.frozen_on, 365 * FREEZE_YEARS[freeze.kind]
        ):
            continue
        deadline = calc._freeze_deadline(freeze, case.shows)
        if deadline is not None:
            yield deadline


def enforcement_limit(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """申请执行期间将届满: the two years to apply for enforcement (Civil Procedure Law art. 250),
    from the day ``enforcement_limit_start`` finds."""
    limit = enforcement_limit_start(case.facts)
    if limit is None or not case.may_show(
        DueKind.ENFORCEMENT_LIMIT, limit.start, 365 * ENFORCEMENT_LIMIT_YEARS
    ):
        return
    pe = calc._years(limit.start, ENFORCEMENT_LIMIT_YEARS)
    if case.shows(DueKind.ENFORCEMENT_LIMIT, pe.end):
        yield calc._deadline(
            DueKind.ENFORCEMENT_LIMIT,
            pe,
            f"{limit.rule}，申请执行的二年期间于{pe.end.isoformat()}届满（民事诉讼法第二百五十条）",
        )


def mediation_end(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """委托调解期满: the period a case was entrusted to a mediator for ends without a result
    recorded (art. 85 reckoning from the day of entrustment)."""
    mediation = case.facts.mediation
    if mediation is None or not case.may_show(
        DueKind.MEDIATION_END, mediation.entrusted_on, mediation.period_days
    ):
        return
    pe = calc._days(mediation.entrusted_on, mediation.period_days)
    if case.shows(DueKind.MEDIATION_END, pe.end):
        yield calc._deadline(
            DueKind.MEDIATION_END,
            pe,
            f"{mediation.entrusted_on.isoformat()}委托{mediation.mediator}调解，"
            f"{mediation.period_days}日调解期限届满；请了解结果并登记",
        )


def preservation_release(calc: DueCalculator, case: _CaseOnDay) -> Iterable[Deadline]:
    """执行前保全应予解除: a measure under the team's pre-enforcement ruling is still in force and
    the applicant has not applied for enforcement by the fifth day after the performance period
    (民诉法解释第一百六十三条: the court must then release it)."""
    facts = case.facts
    ruled = [f.frozen_on for f in facts.freezes if f.pre_enforcement]
    if facts.effective_date is None or not ruled:
        return
    start = release_start(facts.performance_deadline, facts.effective_date)
    if not case.may_show(DueKind.PRESERVATION_RELEASE, start, RELEASE_DAYS):
        return
    pe = calc._days(start, RELEASE_DAYS)
    received = facts.application_received_on
    if any(release_due(received, pe.end, on) for on in ruled) and case.shows(
        DueKind.PRESERVATION_RELEASE, pe.end
    ):
        yield calc._deadline(
            DueKind.PRESERVATION_RELEASE,
            pe,
            f"履行期间届满后五日内（至{pe.end.isoformat()}）申请人未申请执行的，执行前保全应当解除"
            "（民诉法解释第一百六十三条）",
        )


RULES: dict[DueKind, Rule] = {
    DueKind.NO_URGING: no_urging_notice,
    DueKind.URGING_PERIOD: urging_period_over,
    DueKind.FOLLOW_UP: agreed_follow_up,
    DueKind.PROMISE: promise_due,
    DueKind.INSTALLMENT: installment_due,
    DueKind.SUPERVISION_LIMIT: supervision_limit,
    DueKind.UNSERVED: unserved_document,
    DueKind.FREEZE_EXPIRING: freeze_expiring,
    DueKind.ENFORCEMENT_LIMIT: enforcement_limit,
    DueKind.MEDIATION_END: mediation_end,
    DueKind.PRESERVATION_RELEASE: preservation_release,
}
"""Each kind of item and the rule that finds it, in the order a case's deadlines are listed."""


@dataclass(frozen=True)
class LimitStart:
    """Where the art. 250 two-year limit runs from, and the rule that says so (shown on the item)."""

    start: date
    rule: str


def enforcement_limit_start(facts: CaseFacts) -> LimitStart | None:
    """The day the two years to apply for enforcement run from (Civil Procedure Law art. 250).

    From the last day of the performance period the effective document sets — its last installment
    if it sets installments — or, with no period recorded, from its effective date. An agreement to
    perform (a settlement signed) or a payment after that day interrupts the limit and restarts it
    from that day (art. 250 para. 1 with Civil Code art. 195). The team's own settlement schedule
    never moves the start forward.
    """
    if facts.final_installment_date is not None:
        base = LimitStart(
            facts.final_installment_date,
            f"自生效法律文书最后一期履行期限{facts.final_installment_date.isoformat()}起算",
        )
    elif facts.performance_deadline is not None:
        base = LimitStart(
            facts.performance_deadline,
            f"自生效法律文书履行期限{facts.performance_deadline.isoformat()}届满起算",
        )
    elif facts.effective_date is not None:
        base = LimitStart(
            facts.effective_date,
            f"未登记履行期限，自法律文书生效之日{facts.effective_date.isoformat()}起算",
        )
    else:
        return None
    events = [(d, "签订和解协议") for d in facts.settlements_signed if d > base.start]
    events += [(p.paid_on, "付款") for p in facts.payments if p.paid_on > base.start]
    if not events:
        return base
    day, what = max(events)
    return LimitStart(day, f"{day.isoformat()}被申请人{what}，申请执行时效中断，自该日重新起算")


def unpaid_installments(facts: CaseFacts) -> list[tuple[InstallmentFact, Decimal]]:
    """Instalments not yet fully paid, with the part paid, applying payments in schedule order.

    Payments made since the settlement was signed count towards it, whenever they were made:
    a late payment settles the oldest instalment first.
    """
    pool = sum(
        (
            p.amount
            for p in facts.payments
            if facts.settlement_signed_on is None or p.paid_on >= facts.settlement_signed_on
        ),
        Decimal("0.00"),
    )
    unpaid: list[tuple[InstallmentFact, Decimal]] = []
    for inst in sorted(facts.installments, key=lambda i: (i.seq, i.due_date)):
        applied = min(pool, inst.amount)
        pool -= applied
        if applied < inst.amount:
            unpaid.append((inst, applied))
    return unpaid


_KIND_ORDER = {kind: i for i, kind in enumerate(DueKind)}


def sort_key(item: DueItem) -> tuple[int, date, int, str]:
    return (item.priority, item.due_date, _KIND_ORDER[item.kind], item.case_no)


def due_list(
    cases: Iterable[CaseFacts], on: date, rules: DueRules, cal: HolidayCalendar
) -> list[DueItem]:
    """Every item for ``on`` over the given cases: overdue first, then today, then soon; within
    each group livelihood cases first, then by due date."""
    calc = DueCalculator(rules, cal)
    items = [item for facts in cases for item in calc.items(facts, on)]
    items.sort(key=sort_key)
    return items
