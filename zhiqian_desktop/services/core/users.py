"""Users of the app: creation, lookup, and the actor a session works as."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.accounts import check_new_password
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.identity import validate_phone
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.store.models import User

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
_USERNAME = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}")


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role)


@writes
def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    phone: str | None = None,
) -> User:
    actor.require_admin()
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise UserError(f"用户名“{username}”不合格；应为2至32位字母、数字或汉字", field="username")
    if not display_name.strip():
        raise UserError("姓名不能为空", field="display_name")
    if session.scalar(select(User.id).where(User.username == username)):
        raise UserError(f"用户名“{username}”已被使用；请换一个用户名", field="username")
    phone = validate_phone(phone) if phone and phone.strip() else None
    if password:
        check_new_password(password, username)
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=_hasher.hash(password) if password else None,
        phone=phone,
        updated_by=actor.username,
    )
    session.add(user)
    session.flush()
    after = audit.snapshot(user)
    after.pop("password_hash", None)
    audit.record_event(session, actor, "create", "user", user.id, after=after)
    return user


def verify_password(user: User, password: str) -> bool:
    if user.password_hash is None:
        return password == ""
    try:
        return _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False


def find_user(session: Session, username: str) -> User:
    user = session.scalars(
        select(User).where(User.username == username, User.deleted_at.is_(None))
    ).first()
    if user is None:
        raise NotFound(f"没有用户“{username}”；请检查用户名")
    return user


@reads
def list_users(session: Session, *, role: Role | None = None) -> list[User]:
    stmt = select(User).where(User.deleted_at.is_(None), User.active.is_(True))
    if role is not None:
        stmt = stmt.where(User.role == role)
    return list(session.scalars(stmt.order_by(User.display_name)))


@reads
def default_actor(session: Session) -> Actor:
    """The administrator the command line acts as until logins arrive (first admin created)."""
    user = session.scalars(
        select(User)
        .where(User.role == Role.ADMIN, User.deleted_at.is_(None))
        .order_by(User.created_at)
    ).first()
    if user is None:
        raise UserError("数据库中没有管理员用户；请先运行 zhiqian init")
    return actor_for(user)
