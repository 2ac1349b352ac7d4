"""One clock: a moment is shown at the court's time whatever the time zone the desk's PC is set to
(a laptop left on another zone after a trip, a server set to UTC)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.dues import court_time
from zhiqian_desktop.domain.kinds import ContactKind
from zhiqian_desktop.services.core.actor import Actor
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
    assert court_time(CALLED) == "2026-11-25 01:30"


def test_the_case_page_shows_the_courts_time(
    db: Database, admin: Actor, pc_in_another_zone: None
) -> None:
    case_id = register_case(db, admin, make_case_input(), today=TODAY).id
    call = ContactInput(ContactKind.PHONE, CALLED, True, "答应月底付款")
    contacts.log_contact(db, admin, case_id, call, now=CALLED)
    view = case_view(db, case_id, today=TODAY)
    assert view.contacts.rows[0][0] == "2026-11-25 01:30"
    assert [e.local_time for e in contacts.list_contacts(db, case_id)] == ["2026-11-25 01:30"]
    beijing_now = court_time(datetime.now(UTC))
    assert readable_history(db, case_id)[0].at[:10] == beijing_now[:10]
