"""One clock: a moment is shown at the court's time whatever the time zone the desk's PC is set to
(a laptop left on another zone after a trip, a server set to UTC)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.dues import court_time
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import ContactKind
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE, Clock, court_zone
from zhiqian_desktop.services.core.settings import get_settings, update_settings
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.case_view import case_view, readable_history
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database

CALLED = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 01:30 on the 25th in Beijing


@pytest.fixture
def pc_in_another_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    assert CALLED.astimezone().day == 24  # the PC's own clock would say the 24th
    yield
    monkeypatch.undo()
    time.tzset()


def test_court_time_is_beijing_time(pc_in_another_zone: None) -> None:
    assert court_time(CALLED, DEFAULT_ZONE) == "2026-11-25 01:30"


def test_the_case_page_shows_the_courts_time(
    db: Database, admin: Actor, pc_in_another_zone: None
) -> None:
    case_id = register_case(db, admin, make_case_input(), today=TODAY).id
    call = ContactInput(ContactKind.PHONE, CALLED, True, "答应月底付款")
    contacts.log_contact(db, admin, case_id, call, now=CALLED)
    view = case_view(db, case_id, today=TODAY)
    assert view.contacts.rows[0][0] == "2026-11-25 01:30"
    assert [e.local_time for e in contacts.list_contacts(db, case_id)] == ["2026-11-25 01:30"]
    beijing_now = court_time(datetime.now(UTC), DEFAULT_ZONE)
    assert readable_history(db, case_id)[0].at[:10] == beijing_now[:10]


# --- the court's time zone is a setting --------------------------------------------------------


def in_urumqi(db: Database, admin: Actor) -> None:
    version = get_settings(db).version
    update_settings(db, admin, version, time_zone="Asia/Urumqi")


def test_a_court_is_in_beijing_time_until_its_settings_say_otherwise(db: Database) -> None:
    assert get_settings(db).time_zone == "Asia/Shanghai"
    assert court_zone(db).key == "Asia/Shanghai"


def test_the_days_a_court_sees_are_days_in_its_own_zone(
    db: Database, admin: Actor, pc_in_another_zone: None
) -> None:
    in_urumqi(db, admin)  # UTC+6: the call at 17:30 UTC was at 23:30 on the 24th there
    assert court_zone(db).key == "Asia/Urumqi"
    case_id = register_case(db, admin, make_case_input(), today=TODAY).id
    call = ContactInput(ContactKind.PHONE, CALLED, True, "答应月底付款")
    contacts.log_contact(db, admin, case_id, call, now=CALLED)
    assert case_view(db, case_id, today=TODAY).contacts.rows[0][0] == "2026-11-24 23:30"
    assert [e.local_time for e in contacts.list_contacts(db, case_id)] == ["2026-11-24 23:30"]
    clock = Clock(now=lambda: CALLED)
    clock.use_zone_of(db)
    assert clock.today() == date(2026, 11, 24)


def test_a_promise_is_checked_against_the_day_of_the_call_in_the_courts_zone(
    db: Database, admin: Actor
) -> None:
    case_id = register_case(db, admin, make_case_input(), today=TODAY).id
    # 25 November in Beijing, the 24th in Urumqi: a promise for the 24th is in the past only
    # for a court in Beijing time.
    call = ContactInput(
        ContactKind.PHONE, CALLED, True, "答应当天付款", next_follow_up=date(2026, 11, 24)
    )
    with pytest.raises(UserError, match="不能早于督促日期2026-11-25"):
        contacts.log_contact(db, admin, case_id, call, now=CALLED)
    in_urumqi(db, admin)
    contacts.log_contact(db, admin, case_id, call, now=CALLED)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "", "北京时间", "UTC+8"])
def test_a_zone_that_is_not_in_the_zone_database_is_refused(
    db: Database, admin: Actor, name: str
) -> None:
    version = get_settings(db).version
    with pytest.raises(UserError, match="不是有效的时区名称") as refused:
        update_settings(db, admin, version, time_zone=name)
    assert refused.value.field == "time_zone"
    assert get_settings(db).time_zone == "Asia/Shanghai"
