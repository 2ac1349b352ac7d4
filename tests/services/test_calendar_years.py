"""Years without a State Council notice: statutory holidays until the notice is entered, and the
pending deadlines an entered notice moves, listed for the clerk."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.services.test_dues import DueKind, issue, of, register
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.services.core import calendar as calendar_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import CalendarYear


def test_entering_a_years_notice_lists_the_deadlines_it_moved(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    # Served 2027-09-16: the 15-day urging period nominally ends on 国庆 2027-10-01 (a Friday).
    issue(db, cid, DocumentKind.URGING, date(2027, 9, 16), served=date(2027, 9, 16))
    [item] = of(db, cid, DueKind.URGING_PERIOD, date(2027, 10, 30))
    # No notice for 2027 yet: 国庆 1–3 October by statute, then Monday the 4th; flagged.
    assert (item.due_date, item.calendar_complete) == (date(2027, 10, 4), False)

    golden_week = [(date(2027, 10, 1) + timedelta(days=i), "国庆节") for i in range(7)]
    with db.unit_of_work() as s:
        moved = calendar_service.set_year(s, admin, 2027, golden_week, [date(2027, 9, 26)])
    assert [(m.before, m.after) for m in moved] == [(date(2027, 10, 4), date(2027, 10, 8))]
    assert moved[0].case_no and moved[0].kind == DueKind.URGING_PERIOD.value
    [item] = of(db, cid, DueKind.URGING_PERIOD, date(2027, 10, 30))
    assert (item.due_date, item.calendar_complete) == (date(2027, 10, 8), True)

    # Entered again unchanged: nothing is pending provisionally any more, nothing moves.
    with db.unit_of_work() as s:
        assert calendar_service.set_year(s, admin, 2027, golden_week, [date(2027, 9, 26)]) == []


def test_years_show_as_published_or_statutory_only(db: Database) -> None:
    with db.reader() as s:
        statuses = calendar_service.year_statuses(s, [2026, 2027])
        seeded = set(s.scalars(select(CalendarYear.year)))
    assert [(st.year, st.label) for st in statuses] == [(2026, "已公布"), (2027, "仅法定节日")]
    assert 2026 in seeded


def test_built_in_years_are_named_in_a_clerks_words() -> None:
    label = calendar_service.source_label(calendar_service.BUILT_IN_SOURCE, 2026)
    assert label == "国务院办公厅关于2026年部分节假日安排的通知（随软件提供）"
    assert (
        calendar_service.source_label("国务院办公厅通知（手工录入）", 2027)
        == "国务院办公厅通知（手工录入）"
    )
