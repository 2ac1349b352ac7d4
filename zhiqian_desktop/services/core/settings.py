"""Court settings and first-time set-up (court, case word, holiday table, first user)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.case_numbers import validate_case_word, validate_court_code
from zhiqian_desktop.domain.errors import UserError, check_version
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.domain.messages import check_lead_days
from zhiqian_desktop.domain.suggestions import check_reply_months, check_threshold
from zhiqian_desktop.domain.text import HIDDEN_CHARS
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import SYSTEM, Actor
from zhiqian_desktop.services.core.calendar import seed_official_calendar
from zhiqian_desktop.services.core.clock import zone_named
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.store.models import CourtSecret, CourtSettings


@dataclass(frozen=True)
class SetupInput:
    court_name: str
    court_code: str
    case_word: str = "执前督"
    admin_username: str = "admin"
    admin_display_name: str = "管理员"
    admin_password: str | None = None


@reads
def is_initialized(session: Session) -> bool:
    return session.scalar(select(CourtSettings.id).limit(1)) is not None


@reads
def get_settings(session: Session) -> CourtSettings:
    settings = session.scalars(select(CourtSettings).limit(1)).first()
    if settings is None:
        raise UserError(
            "数据库尚未初始化；请先运行 zhiqian init --court-name 法院名称 --court-code 法院代字"
        )
    return settings


@writes
def initialize(session: Session, data: SetupInput) -> CourtSettings:
    """Create the court settings, seed the holiday table and create the first user (an admin)."""
    name = data.court_name.strip()
    if not 2 <= len(name) <= 100:
        raise UserError("法院名称不能为空，如“土默特右旗人民法院”", field="court_name")
    code = validate_court_code(data.court_code)
    word = validate_case_word(data.case_word)
    if is_initialized(session):
        raise UserError("数据库已经初始化过；如需修改法院信息，请在“设置”页面中修改")
    settings = CourtSettings(court_name=name, court_code=code, case_word=word, updated_by="system")
    session.add(settings)
    session.flush()
    audit.record_event(
        session, SYSTEM, "create", "court_settings", settings.id, after=audit.snapshot(settings)
    )
    create_user(
        session,
        SYSTEM,
        username=data.admin_username,
        display_name=data.admin_display_name,
        role=Role.ADMIN,
        password=data.admin_password,
    )
    seed_official_calendar(session, SYSTEM)
    return settings


SETTING_FIELDS = {
    "court_name": str,
    "court_code": str,
    "case_word": str,
    "urging_days": int,
    "supervision_limit_days": int,
    "unserved_flag_days": int,
    "backup_interval_hours": int,
    "idle_lock_minutes": int,
    "print_font_body": str,
    "print_font_title": str,
    "ui_font": str,
    "court_account": str,
    "court_address": str,
    "court_phone": str,
    "time_zone": str,
    "suggestion_reply_months": int,
    "suggestion_threshold": int,
    "reminder_lead_days": int,
}


@writes
def update_settings(
    session: Session, /, actor: Actor, expected_version: int, **values: object
) -> CourtSettings:
    """Change court settings (administrator only); a stale form is refused."""
    actor.require_admin()
    settings = get_settings(session)
    check_version(settings.version, expected_version, "法院设置")
    checked: dict[str, object] = {}
    for key, value in values.items():
        if key not in SETTING_FIELDS:
            raise UserError(f"未知的设置项“{key}”")
        if key == "court_code":
            value = validate_court_code(str(value))
        elif key == "case_word":
            value = validate_case_word(str(value))
        elif key == "time_zone":
            value = zone_named(str(value or "")).key
        elif key == "suggestion_reply_months" and type(value) is int:
            value = check_reply_months(value)
        elif key == "suggestion_threshold" and type(value) is int:
            value = check_threshold(value)
        elif key == "reminder_lead_days":
            value = check_lead_days(value)
        elif SETTING_FIELDS[key] is int:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
                raise UserError(f"设置项“{key}”应为1至3650之间的整数")
        elif value is not None and not isinstance(value, str):
            raise UserError(f"设置项“{key}”应为文字")
        elif value is not None and (HIDDEN_CHARS.search(value) or len(value) > 200):
            raise UserError(f"设置项“{key}”含有控制字符或过长；请重新输入")
        if key == "court_name" and not 2 <= len(str(value or "").strip()) <= 100:
            raise UserError("法院名称不能为空，如“土默特右旗人民法院”", field="court_name")
        checked[key] = value
    return write_settings(session, actor, settings, checked)


def write_settings(
    session: Session,
    actor: Actor,
    settings: CourtSettings,
    values: Mapping[str, object],
) -> CourtSettings:
    """Write checked values into the court's settings, audited as one change (the callers check
    who may and what is allowed: update_settings for the administrator's fields, the team lead's
    own settings such as the assignment rule where they are kept)."""
    before = audit.snapshot(settings)
    for key, value in values.items():
        setattr(settings, key, value)
    settings.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "court_settings",
        settings.id,
        before=before,
        after=audit.snapshot(settings),
    )
    return settings


def court_secret(session: Session, name: str, *, create: bool = False) -> bytes | None:
    """A court secret kept in the database (for a court server, which has no folder beside it
    shared by every desk): None when there is none; ``create`` makes one in the session's
    transaction. Writers are serialised, so two desks never make two."""
    row = session.get(CourtSecret, name)
    if row is not None:
        try:
            return bytes.fromhex(row.value)
        except ValueError:
            raise UserError(f"数据库中的法院密钥“{name}”已损坏；请联系技术人员从备份恢复") from None
    if not create:
        return None
    key = os.urandom(32)
    session.add(CourtSecret(name=name, value=key.hex()))
    session.flush()
    return key


@reads
def print_faces(session: Session) -> list[tuple[str, str]]:
    """Which font file each print role uses (设置 → 打印字体 and the template preview show it)."""
    from zhiqian_desktop.printing.fonts import load_print_fonts  # the printing, only when asked

    s = get_settings(session)
    try:
        fonts = load_print_fonts(s.print_font_body, s.print_font_title)
    except UserError as exc:
        return [("打印字体", exc.message)]
    return fonts.describe()
