"""The holiday table in the database, and deadlines computed against it (art. 85)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import (
    HolidayCalendar,
    PeriodEnd,
    official_calendar_rows,
    official_years,
    period_end_days,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.store.models import CalendarYear, DueEntry, HolidayDay

_CACHE_KEY = "zhiqian.holiday_calendar"


def seed_official_calendar(
    session: Session, actor: Actor, years: set[int] | None = None
) -> list[int]:
    """Fill the table from the chinesecalendar package for the years it covers and we lack."""
    have = set(session.scalars(select(CalendarYear.year)))
    wanted = (years or set(official_years())) - have
    for year in sorted(wanted):
        rows = official_calendar_rows(year)
        _write_year(session, actor, year, [(d, k, n) for d, k, n in rows], BUILT_IN_SOURCE)
    return sorted(wanted)


BUILT_IN_SOURCE = "chinesecalendar"
"""The stored source of a year seeded from the package's copy of the State Council's notices."""


def source_label(source: str, year: int) -> str:
    """Where a year's table came from, in the words 设置 shows a clerk."""
    if source == BUILT_IN_SOURCE:
        return f"国务院办公厅关于{year}年部分节假日安排的通知（随软件提供）"
    return source


@dataclass(frozen=True)
class YearStatus:
    year: int
    published: bool

    @property
    def label(self) -> str:
        return "已公布" if self.published else "仅法定节日"


@reads
def year_statuses(session: Session, years: list[int]) -> list[YearStatus]:
    """Each year as 设置 lists it: 已公布 (its notice is in the table) or 仅法定节日 (counted with
    the statutory holidays only, every deadline in it provisional)."""
    have = set(session.scalars(select(CalendarYear.year)))
    return [YearStatus(y, y in have) for y in years]


@dataclass(frozen=True)
class MovedDeadline:
    """A pending deadline counted provisionally whose end an entered notice moved."""

    case_no: str
    obligor_names: str
    kind: str
    before: date
    after: date


def _provisional(session: Session) -> list[tuple[str, str, str, date, date | None]]:
    rows = session.execute(
        select(
            DueEntry.case_no,
            DueEntry.obligor_names,
            DueEntry.kind,
            DueEntry.due_date,
            DueEntry.rolled_from,
        ).where(DueEntry.calendar_complete.is_(False))
    )
    return [(r.case_no, r.obligor_names, r.kind, r.due_date, r.rolled_from) for r in rows]


def _moved(
    session: Session, before: list[tuple[str, str, str, date, date | None]]
) -> list[MovedDeadline]:
    session.info.pop(_CACHE_KEY, None)
    cal = load_calendar(session)
    moved = []
    for case_no, names, kind, due, rolled_from in before:
        after = cal.next_working_day(rolled_from or due)
        if after != due:
            moved.append(MovedDeadline(case_no, names, kind, due, after))
    return sorted(moved, key=lambda m: (m.before, m.case_no))


@writes
def take_in_built_in_years(session: Session, actor: Actor) -> tuple[list[int], list[MovedDeadline]]:
    """Enter the years a newer chinesecalendar brings that the table lacks, and list the pending
    deadlines whose end moved (they had been counted with the statutory holidays only)."""
    actor.require_admin()
    before = _provisional(session)
    years = seed_official_calendar(session, actor)
    return years, (_moved(session, before) if years else [])


@reads
def new_built_in_years(session: Session) -> list[int]:
    """Years the bundled notices cover that the table has not taken in yet."""
    have = set(session.scalars(select(CalendarYear.year)))
    return sorted(set(official_years()) - have)


@writes
def set_year(
    session: Session,
    actor: Actor,
    year: int,
    holidays: list[tuple[date, str | None]],
    workdays: list[date],
    source: str = "国务院办公厅通知（手工录入）",
) -> list[MovedDeadline]:
    """Replace one year's table with what the administrator entered from the published notice;
    returns the pending deadlines whose end the notice moved."""
    actor.require_admin()
    for day, _name in holidays:
        if day.year != year:
            raise UserError(f"{day.isoformat()} 不属于{year}年；请检查日期")
    for day in workdays:
        if day.year != year:
            raise UserError(f"{day.isoformat()} 不属于{year}年；请检查日期")
        if day.weekday() < 5:
            raise UserError(f"调休上班日 {day.isoformat()} 不是周末；调休上班日只能是周六或周日")
    overlap = {d for d, _ in holidays} & set(workdays)
    if overlap:
        raise UserError(f"{min(overlap).isoformat()} 同时被列为节假日和调休上班日；请更正")
    rows = [(d, "holiday", n) for d, n in holidays] + [(d, "workday", None) for d in workdays]
    before = _provisional(session)
    _write_year(session, actor, year, rows, source)
    return _moved(session, before)


def _write_year(
    session: Session, actor: Actor, year: int, rows: list[tuple[date, str, str | None]], source: str
) -> None:
    session.info.pop(_CACHE_KEY, None)
    start, end = date(year, 1, 1), date(year, 12, 31)
    session.execute(delete(HolidayDay).where(HolidayDay.day.between(start, end)))
    session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    session.flush()
    for day, kind, name in rows:
        session.add(HolidayDay(day=day, kind=kind, name=name))
    session.add(CalendarYear(year=year, source=source, entered_by=actor.username))
    session.flush()
    audit.record_event(
        session,
        actor,
        "set",
        "calendar_year",
        str(year),
        after={"year": year, "source": source, "days": len(rows)},
    )


def load_calendar(session: Session) -> HolidayCalendar:
    """The holiday table, read once per session (a batch of deadlines shares one copy)."""
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, HolidayCalendar):
        return cached
    years = frozenset(session.scalars(select(CalendarYear.year)))
    rows = [(d, k) for d, k in session.execute(select(HolidayDay.day, HolidayDay.kind))]
    calendar = HolidayCalendar.from_days(rows, years)
    session.info[_CACHE_KEY] = calendar
    return calendar


@reads
def year_rows(session: Session, year: int) -> list[HolidayDay]:
    return list(
        session.scalars(
            select(HolidayDay)
            .where(HolidayDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(HolidayDay.day)
        )
    )


@reads
def missing_years(session: Session, today: date) -> list[int]:
    """This year and next year, where the table has no data yet (shown as a banner)."""
    have = set(session.scalars(select(CalendarYear.year)))
    return [y for y in (today.year, today.year + 1) if y not in have]


@reads
def deadline(session: Session, start: date, days: int) -> PeriodEnd:
    return period_end_days(start, days, load_calendar(session))


@reads
def calendar_source(session: Session, year: int) -> tuple[str, str | None] | None:
    """Where a year's holiday table came from and who entered it; None when the year is missing."""
    row = session.get(CalendarYear, year)
    return (row.source, row.entered_by) if row else None


@dataclass(frozen=True)
class CalendarYearView:
    """What the holiday tab shows for a year: its days, where they came from, which of this year
    and next still have no data, the status of the years around this one, and the years the
    bundled notices bring that the table lacks."""

    missing: list[int]
    rows: list[HolidayDay]
    source: tuple[str, str | None] | None
    statuses: list[YearStatus]
    new_years: list[int]


@reads
def calendar_year(session: Session, year: int, *, today: date) -> CalendarYearView:
    return CalendarYearView(
        missing_years(session, today),
        year_rows(session, year),
        calendar_source(session, year),
        year_statuses(session, list(range(today.year - 1, today.year + 4))),
        new_built_in_years(session),
    )
