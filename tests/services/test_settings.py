"""Court settings: first-time set-up and the administrator's changes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import official_years
from zhiqian_desktop.domain.errors import PermissionDenied, StaleEditError, UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import history, verify_chain
from zhiqian_desktop.services.core.settings import (
    SetupInput,
    get_settings,
    initialize,
    update_settings,
)
from zhiqian_desktop.services.core.users import actor_for, create_user, default_actor
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, CalendarYear, CourtSettings, HolidayDay, User


def test_initialize_sets_up_court_admin_and_holidays(empty_db: Database) -> None:
    with empty_db.unit_of_work() as s:
        assert not settings_service.is_initialized(s)
        initialize(s, SetupInput(" 土默特右旗人民法院 ", " 内0221 ", "执前调"))
    with empty_db.reader() as s:
        st = get_settings(s)
        assert (st.court_name, st.court_code, st.case_word) == (
            "土默特右旗人民法院",
            "内0221",
            "执前调",
        )
        assert (st.urging_days, st.supervision_limit_days, st.version) == (15, 30, 1)
        assert default_actor(s).role is Role.ADMIN
        assert set(s.scalars(select(CalendarYear.year))) == set(official_years())
        assert s.scalar(select(func.count()).select_from(HolidayDay)) > 20 * len(official_years())
        assert verify_chain(s).ok


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (SetupInput("土默特右旗人民法院", "0221"), "court_code"),
        (SetupInput("土默特右旗人民法院", "内02215"), "court_code"),
        (SetupInput("土默特右旗人民法院", "X0221"), "court_code"),
        (SetupInput("土默特右旗人民法院", "内0221", "执"), "case_word"),
        (SetupInput(" ", "内0221"), "court_name"),
    ],
    ids=["no-province", "too-long", "latin", "case-word", "no-name"],
)
def test_initialize_validates_and_writes_nothing(
    empty_db: Database, data: SetupInput, field: str
) -> None:
    with pytest.raises(UserError) as info, empty_db.unit_of_work() as s:
        initialize(s, data)
    assert info.value.field == field
    with empty_db.reader() as s:
        assert not settings_service.is_initialized(s)
        assert s.scalar(select(func.count()).select_from(User)) == 0
        assert s.scalar(select(func.count()).select_from(CalendarYear)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_second_initialize_is_refused(db: Database) -> None:
    with pytest.raises(UserError, match="已经初始化"), db.unit_of_work() as s:
        initialize(s, SetupInput("另一个法院", "京01"))
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(CourtSettings)) == 1
        assert get_settings(s).court_code == "内0221"
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_settings_before_initialize_say_how_to_initialize(empty_db: Database) -> None:
    with empty_db.reader() as s, pytest.raises(UserError, match="zhiqian init"):
        get_settings(s)


def test_admin_updates_settings_with_an_audit_event(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        update_settings(
            s, admin, 1, urging_days=10, case_word=" 执前调 ", court_phone="0472-1234567"
        )
    with db.reader() as s:
        st = get_settings(s)
        assert (st.urging_days, st.case_word, st.court_phone, st.version) == (
            10,
            "执前调",
            "0472-1234567",
            2,
        )
        ev = history_of(s, st.id)[-1]
    assert ev.action == "update"
    before, after = json.loads(ev.before_json or "{}"), json.loads(ev.after_json or "{}")
    assert (before["urging_days"], after["urging_days"]) == (15, 10)
    assert (before["case_word"], after["case_word"]) == ("执前督", "执前调")


def history_of(s: Session, entity_id: str) -> list[AuditEvent]:
    return list(
        s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == entity_id).order_by(AuditEvent.seq)
        )
    )


@pytest.mark.parametrize("role", [Role.LEAD, Role.HANDLER, Role.READONLY])
def test_only_an_administrator_may_change_settings(db: Database, admin: Actor, role: Role) -> None:
    with db.unit_of_work() as s:
        someone = actor_for(
            create_user(s, admin, username="someone", display_name="某人", role=role)
        )
    with pytest.raises(PermissionDenied, match="管理员"), db.unit_of_work() as s:
        update_settings(s, someone, 1, urging_days=5)
    with db.reader() as s:
        assert get_settings(s).urging_days == 15


def test_a_stale_settings_form_is_refused(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        update_settings(s, admin, 1, urging_days=20)
    with pytest.raises(StaleEditError), db.unit_of_work() as s:
        update_settings(s, admin, 1, urging_days=25)
    with db.reader() as s:
        st = get_settings(s)
        assert (st.urging_days, st.version) == (20, 2)


@pytest.mark.parametrize(
    "values",
    [
        {"urging_days": 0},
        {"supervision_limit_days": 4000},
        {"urging_days": "15"},
        {"court_code": "内"},
        {"case_word": "督"},
        {"court_phone": 12345},
        {"no_such_setting": 1},
    ],
    ids=["zero", "too-large", "text-number", "court-code", "case-word", "not-text", "unknown"],
)
def test_bad_setting_values_are_refused(
    db: Database, admin: Actor, values: dict[str, object]
) -> None:
    with pytest.raises(UserError), db.unit_of_work() as s:
        update_settings(s, admin, 1, **values)
    with db.reader() as s:
        st = get_settings(s)
        assert (st.version, st.urging_days, st.court_code, st.case_word) == (
            1,
            15,
            "内0221",
            "执前督",
        )


def test_the_history_helper_finds_case_events_only(db: Database) -> None:
    with db.reader() as s:
        st = get_settings(s)
        assert history(s, st.id) == []  # settings events carry no case id
        assert len(history_of(s, st.id)) == 1
