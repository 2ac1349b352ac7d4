"""Each role against each service that writes: enforced in the services, so GUI and CLI alike.

Handlers edit their own cases; leads assign and edit every case; read-only users see and print;
court settings, users and the holiday table are the administrator's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import PermissionDenied
from zhiqian_desktop.domain.kinds import ContactKind, PaymentMethod, Role
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core import calendar as calendar_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings, update_settings
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case, update_case
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import User

ROLES = ("admin", "lead", "owner", "other", "readonly")
NOW = datetime(2026, 11, 25, 3, tzinfo=UTC)


@dataclass
class Team:
    db: Database
    actors: dict[str, Actor]
    case_id: str

    def id_of(self, who: str) -> str:
        user_id = self.actors[who].user_id
        assert user_id is not None
        return user_id


@pytest.fixture
def team(db: Database, admin: Actor) -> Team:
    people = {"lead": Role.LEAD, "owner": Role.HANDLER, "other": Role.HANDLER,
              "readonly": Role.READONLY}  # fmt: skip
    actors = {"admin": admin}
    with db.unit_of_work() as s:
        for name, role in people.items():
            actors[name] = actor_for(
                create_user(s, admin, username=name, display_name=name, role=role)
            )
        case = register_case(s, admin, make_case_input(99, handler_id=actors["owner"].user_id),
                             today=TODAY)  # fmt: skip
        case_id = case.id
    return Team(db, actors, case_id)


Op = Callable[[Session, Actor, Team], Any]


def _contact() -> contacts.ContactInput:
    return contacts.ContactInput(ContactKind.PHONE, NOW, True, summary="电话督促，称月底前付款")


OPS: dict[str, tuple[Op, set[str]]] = {
    "register an unassigned case": (
        lambda s, a, t: register_case(s, a, make_case_input(1), today=TODAY),
        {"admin", "lead", "owner", "other"},
    ),
    "register a case for another handler": (
        lambda s, a, t: register_case(
            s, a, make_case_input(2, handler_id=t.id_of("owner")), today=TODAY
        ),
        {"admin", "lead", "owner"},  # the owner registers it for himself
    ),
    "edit the case": (
        lambda s, a, t: update_case(
            s,
            a,
            t.case_id,
            1,
            make_case_input(99, handler_id=t.id_of("owner"), cause="买卖合同纠纷"),
            today=TODAY,
        ),
        {"admin", "lead", "owner"},
    ),
    "reassign the case": (
        lambda s, a, t: update_case(
            s, a, t.case_id, 1, make_case_input(99, handler_id=t.id_of("other")), today=TODAY
        ),
        {"admin", "lead"},
    ),
    "log a contact": (
        lambda s, a, t: contacts.log_contact(s, a, t.case_id, _contact(), now=NOW),
        {"admin", "lead", "owner"},
    ),
    "record a payment": (
        lambda s, a, t: outcomes.record_payment(
            s,
            a,
            t.case_id,
            paid_on=date(2026, 11, 24),
            amount=Decimal("100.00"),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            today=TODAY,
        ),
        {"admin", "lead", "owner"},
    ),
    "mark supervision failed": (
        lambda s, a, t: outcomes.mark_failed(
            s, a, t.case_id, failed_on=TODAY, reason="拒不履行", today=TODAY
        ),
        {"admin", "lead", "owner"},
    ),
    "add a tribunal": (lambda s, a, t: add_tribunal(s, a, "沟门法庭"), {"admin", "lead"}),
    "change court settings": (
        lambda s, a, t: update_settings(s, a, get_settings(s).version, urging_days=10),
        {"admin"},
    ),
    "edit the holiday table": (
        lambda s, a, t: calendar_service.set_year(s, a, 2031, [(date(2031, 1, 1), "元旦")], []),
        {"admin"},
    ),
    "create a user": (
        lambda s, a, t: create_user(s, a, username="new1", display_name="新人", role=Role.HANDLER),
        {"admin"},
    ),
    "reset a password": (
        lambda s, a, t: auth.reset_password(s, a, "owner", "secret-99"),
        {"admin"},
    ),
    "disable a user": (lambda s, a, t: auth.set_active(s, a, "other", False), {"admin"}),
    "change a role": (lambda s, a, t: auth.set_role(s, a, "other", Role.LEAD), {"admin"}),
}


@pytest.mark.parametrize("op_name", list(OPS))
def test_each_role_against_each_write(team: Team, op_name: str) -> None:
    op, allowed = OPS[op_name]
    outcome = {}
    for role in ROLES:
        # Each attempt is rolled back, so every role meets the same starting state.
        with team.db.sessions() as s:
            s.begin()
            try:
                op(s, team.actors[role], team)
                outcome[role] = True
            except PermissionDenied:
                outcome[role] = False
            finally:
                s.rollback()
    assert {r for r, ok in outcome.items() if ok} == allowed


def test_read_only_user_is_told_why(team: Team) -> None:
    with pytest.raises(PermissionDenied, match="只读权限"), team.db.unit_of_work() as s:
        contacts.log_contact(s, team.actors["readonly"], team.case_id, _contact(), now=NOW)
    with pytest.raises(PermissionDenied, match="不是您承办的案件"), team.db.unit_of_work() as s:
        contacts.log_contact(s, team.actors["other"], team.case_id, _contact(), now=NOW)


@pytest.mark.usefixtures("sqlite_db")  # backups are database files
def test_only_an_administrator_restores_a_backup(team: Team, tmp_path: Path) -> None:
    backup = maintenance.take_backup(team.db, tmp_path / "b.db")
    for role in ("lead", "owner", "readonly"):
        with pytest.raises(PermissionDenied):
            maintenance.restore(team.db, backup, actor=team.actors[role])
    maintenance.restore(team.db, backup, actor=team.actors["admin"])
    with team.db.reader() as s:
        assert s.get(User, team.id_of("owner")) is not None
