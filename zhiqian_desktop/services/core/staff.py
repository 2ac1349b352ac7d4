"""The team's people and places as the settings page and the case form list them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import attachments_dir, backups_dir, data_dir, log_dir
from zhiqian_desktop.store.models import Tribunal, User

CASE_ROLES = (Role.HANDLER, Role.LEAD, Role.ADMIN)
"""Roles whose holders may be named as a case's handler (承办人)."""


@dataclass(frozen=True)
class StaffMember:
    id: str
    username: str
    display_name: str
    role: Role
    active: bool
    phone: str | None

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.role.label}）"


@dataclass(frozen=True)
class Choice:
    """An id and the name a clerk picks it by (handlers, tribunals)."""

    id: str
    name: str


@reads
def staff(session: Session) -> list[StaffMember]:
    """Every user that has not been deleted, administrators first, then by name."""
    order = {role: i for i, role in enumerate(Role)}
    users = session.scalars(select(User).where(User.deleted_at.is_(None)))
    members = [
        StaffMember(u.id, u.username, u.display_name, u.role, bool(u.active), u.phone)
        for u in users
    ]
    return sorted(members, key=lambda m: (order[m.role], m.display_name))


@reads
def handler_choices(session: Session) -> list[Choice]:
    """Active users who may hold cases, by name."""
    return [
        Choice(m.id, m.display_name) for m in staff(session) if m.active and m.role in CASE_ROLES
    ]


@reads
def tribunal_choices(session: Session) -> list[Choice]:
    return [Choice(t.id, t.name) for t in tribunals(session)]


@dataclass(frozen=True)
class TeamChoices:
    """The handlers and tribunals a form offers (one read for a dialog that shows both)."""

    handlers: list[Choice]
    tribunals: list[Choice]


@reads
def team_choices(session: Session) -> TeamChoices:
    return TeamChoices(handler_choices(session), tribunal_choices(session))


def display_names(session: Session) -> dict[str, str]:
    """username → display name, for showing who did what in the audit trail."""
    rows = session.execute(select(User.username, User.display_name))
    return {username: name for username, name in rows}


@dataclass(frozen=True)
class DataLocations:
    database: str
    data_dir: str
    backups: str | None
    attachments: str | None
    logs: str


def data_locations(db: Database) -> DataLocations:
    """Where the data, backups, attachments and logs are kept (shown on the settings page)."""
    path: Path | None = db.path
    return DataLocations(
        database=db.location,
        data_dir=str(data_dir()),
        backups=str(backups_dir(path)) if path else None,
        # An encrypted file keeps its attachments inside itself, like a server: no folder.
        attachments=str(attachments_dir(path)) if path and not db.files.in_database else None,
        logs=str(log_dir()),
    )


@reads
def tribunals(session: Session) -> list[Tribunal]:
    return list(
        session.scalars(
            select(Tribunal).where(Tribunal.deleted_at.is_(None)).order_by(Tribunal.name)
        )
    )


@writes
def add_tribunal(session: Session, actor: Actor, name: str, address: str | None = None) -> Tribunal:
    actor.require_lead()
    name = name.strip()
    if not name:
        raise UserError("法庭名称不能为空")
    if session.scalar(select(Tribunal.id).where(Tribunal.name == name)):
        raise UserError(f"法庭“{name}”已存在")
    t = Tribunal(name=name, address=address, updated_by=actor.username)
    session.add(t)
    session.flush()
    audit.record_event(session, actor, "create", "tribunal", t.id, after=audit.snapshot(t))
    return t
