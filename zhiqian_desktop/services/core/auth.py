"""Logging in: password check with a growing delay after wrong tries, password changes and resets, roles, CLI tokens."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.accounts import check_new_password
from zhiqian_desktop.domain.errors import NotFound, PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import court_secret
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.core.users import _hasher, actor_for, default_actor
from zhiqian_desktop.store import bounded_json
from zhiqian_desktop.store.models import User

FREE_TRIES = 3
"""Wrong passwords in a row answered at once; after them each try waits longer."""
MAX_DELAY_SECONDS = 60
"""The longest wait: a stranger typing wrong passwords can keep no one out for more than this."""
LOGIN_ACTIONS = ("login", "login_failed", "login_locked")
"""Audit actions that record access, not a change of the court's data ("login_locked": the
15-minute lock-out of earlier versions, still found in old audit trails)."""

WRONG = "用户名或密码不正确；请检查后重试（注意大小写和输入法状态）"


class LoginRefused(UserError):
    """Wrong password, unknown user, a wait after wrong passwords, no password, disabled account."""


def no_password_message(username: str) -> str:
    return (
        f"用户“{username}”尚未设置密码，不能登录；请管理员先为其设置密码"
        f"（设置 → 法庭与人员，或 zhiqian passwd --reset {username}）"
    )


def retry_delay(failures: int) -> timedelta:
    """How long to wait after ``failures`` wrong passwords in a row: nothing for the first
    FREE_TRIES, then 2, 4, 8 … seconds, never more than MAX_DELAY_SECONDS. A growing delay
    instead of a lock-out, which anyone could trigger against the only administrator."""
    if failures <= FREE_TRIES:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - FREE_TRIES), MAX_DELAY_SECONDS))


_dummy_hash: str | None = None


def _burn_time(password: str) -> None:
    """Verify against a throw-away hash so an unknown user name takes as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("zhiqian-dummy-password")
    with contextlib.suppress(VerificationError):
        _hasher.verify(_dummy_hash, password)


def _find(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.username == username.strip(), User.deleted_at.is_(None))
    ).first()


def _check_password(user: User, password: str) -> bool:
    if user.password_hash is None:
        return password == ""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@reads
def logins_enforced(session: Session) -> bool:
    """Whether logins are enforced: once an administrator has a password, everybody logs in
    with his own, and a user whose password was never set cannot log in at all. Before that
    (a clerk's own PC after ``init``) anyone at the desk may act as the administrator, so a
    password of another user would protect nothing, and the desk is used without logins."""
    return (
        session.scalar(
            select(User.id)
            .where(
                User.role == Role.ADMIN,
                User.password_hash.is_not(None),
                User.active.is_(True),
                User.deleted_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def _wait_message(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    return f"密码错误次数较多，请{seconds}秒后再试；忘记密码请联系管理员重置"


@writes
def login(session: Session, username: str, password: str, now: datetime) -> Actor:
    """Check a user's password and return the actor to work as.

    A refusal is a LoginRefused with a message for the clerk. The failure count and the time
    of the next allowed try are committed before the refusal is raised (the caller's rollback
    must not undo them), so call this in a session of its own.
    """
    user = _find(session, username)
    if user is None:
        _burn_time(password)
        raise LoginRefused(WRONG)
    if not user.active:
        raise LoginRefused(f"用户“{user.username}”已停用；如需使用请联系管理员")
    if user.locked_until is not None and user.locked_until > now:
        # Not checked and not counted: a try during the wait neither guesses nor extends it.
        raise LoginRefused(_wait_message(user.locked_until - now))
    if user.password_hash is None and logins_enforced(session):
        raise LoginRefused(no_password_message(user.username))
    who = actor_for(user)
    if not _check_password(user, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        wait = retry_delay(user.failed_logins)
        user.locked_until = now + wait if wait else None
        audit.record_event(session, who, "login_failed", "user", user.id)
        session.commit()
        raise LoginRefused(f"{WRONG}；{_wait_message(wait)}" if wait else WRONG)
    if user.password_hash is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record_event(session, who, "login", "user", user.id)
    return who


@reads
def has_password(session: Session, actor: Actor) -> bool:
    user = session.get(User, actor.user_id) if actor.user_id else None
    return bool(user and user.password_hash)


@reads
def passwordless_actor(session: Session) -> Actor | None:
    """The administrator to work as without a login: only on a single-user database without
    a password (a clerk's own PC set up with an empty password). Otherwise None: log in."""
    users = list(
        session.scalars(select(User).where(User.deleted_at.is_(None), User.active.is_(True)))
    )
    if len(users) == 1 and users[0].role is Role.ADMIN and users[0].password_hash is None:
        return actor_for(users[0])
    return None


def _user(session: Session, username: str) -> User:
    user = _find(session, username)
    if user is None:
        raise NotFound(f"没有用户“{username}”；请检查用户名")
    return user


@writes
def change_own_password(session: Session, actor: Actor, old: str, new: str) -> None:
    """A user changes his own password, proving the old one."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or user.deleted_at is not None:
        raise NotFound("当前用户不存在；请重新登录")
    if not _check_password(user, old):
        raise UserError("原密码不正确；请重新输入", field="old_password")
    check_new_password(new, user.username)
    user.password_hash = _hasher.hash(new)
    user.updated_by = actor.username
    audit.record_event(session, actor, "change_password", "user", user.id)


@writes
def reset_password(session: Session, actor: Actor, username: str, new: str | None) -> None:
    """The administrator sets a new password (or none) and lifts the wait after wrong ones."""
    actor.require_admin()
    user = _user(session, username)
    if new:
        check_new_password(new, user.username)
    user.password_hash = _hasher.hash(new) if new else None
    user.failed_logins = 0
    user.locked_until = None
    user.updated_by = actor.username
    audit.record_event(session, actor, "reset_password", "user", user.id)


def _other_active_admins(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(User.id).where(
                User.role == Role.ADMIN,
                User.active.is_(True),
                User.deleted_at.is_(None),
                User.id != user.id,
            )
        ).all()
    )


@writes
def set_active(session: Session, actor: Actor, username: str, active: bool) -> None:
    """Disable (or enable again) a user; the last administrator cannot be disabled."""
    actor.require_admin()
    user = _user(session, username)
    if not active and user.role is Role.ADMIN and _other_active_admins(session, user) == 0:
        raise UserError("不能停用最后一个管理员；请先指定另一位管理员")
    before = {"active": user.active}
    user.active = active
    user.updated_by = actor.username
    audit.record_event(
        session, actor, "update", "user", user.id, before=before, after={"active": active}
    )


def set_role(session: Session, actor: Actor, username: str, role: Role) -> None:
    actor.require_admin()
    user = _user(session, username)
    demoted = user.role is Role.ADMIN and role is not Role.ADMIN
    if demoted and _other_active_admins(session, user) == 0:
        raise UserError("不能取消最后一个管理员的权限；请先指定另一位管理员")
    before = {"role": user.role.value}
    user.role = role
    user.updated_by = actor.username
    audit.record_event(
        session, actor, "update", "user", user.id, before=before, after={"role": role.value}
    )


# --- tokens for scripts (ZHIQIAN_TOKEN) -----------------------------------------------------------
#
# A token is signed with a court secret and names the user, its expiry and a fingerprint of the
# password hash: changing or resetting the password revokes every token issued before, without a
# table of tokens.
#
# The secret: for a database file, the audit key file beside it. A court server has no file
# beside it, so the key is kept in the database itself (court_secret "token_key"), created by the
# first `zhiqian token` in its own transaction. The key itself is stored, not a hash of it: an
# HMAC can only be checked with the key, and keeping hashes instead would need a table of every
# token issued. It gives nothing to someone who can read that table that the server's
# credentials do not give already (they can change users' password hashes directly); the server's
# permissions and its backups protect it as they protect the rest of the data. Deleting the row
# revokes every token at once; the next `zhiqian token` makes a new key.

TOKEN_SECRET = "token_key"


def token_key(session: Session, *, create: bool = False) -> bytes | None:
    """The key that signs tokens for the session's database; None when it has none (yet).

    ``create`` makes the server's key on first use, in the session's transaction; a database
    file's key is the audit key and is never made here."""
    path = audit.database_file(session)
    if path is not None:
        return audit.read_key(path)
    return court_secret(session, TOKEN_SECRET, create=create)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(session: Session, actor: Actor, key: bytes, now: datetime, days: int = 30) -> str:
    """A token for the logged-in `actor`, valid for `days` days."""
    if not 1 <= days <= 366:
        raise UserError("令牌有效期应为1至366天")
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFound("当前用户不存在；请重新登录")
    body = json.dumps(
        {
            "u": user.username,
            "exp": int((now + timedelta(days=days)).timestamp()),
            "f": _fingerprint(user),
        },
        separators=(",", ":"),
    ).encode()
    sig = hmac.new(key, b"token:" + body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(sig)}"


BAD_TOKEN = "令牌无效或已过期（修改密码会使旧令牌失效）；请用 zhiqian token 重新生成"


def login_with_token(session: Session, token: str, key: bytes, now: datetime) -> Actor:
    try:
        body_text, sig_text = token.strip().split(".")
        body, sig = _unb64(body_text), _unb64(sig_text)
    except (ValueError, UnicodeDecodeError):
        raise LoginRefused(BAD_TOKEN) from None
    # The signature first: the body of a token nobody signed is never parsed.
    expected = hmac.new(key, b"token:" + body, hashlib.sha256).digest()
    if not hmac.compare_digest(sig, expected):
        raise LoginRefused(BAD_TOKEN)
    try:
        data = bounded_json.loads(body)
    except ValueError:
        raise LoginRefused(BAD_TOKEN) from None
    if not isinstance(data, dict):
        raise LoginRefused(BAD_TOKEN)
    user = _find(session, str(data.get("u", "")))
    if user is None or int(data.get("exp", 0)) < now.timestamp():
        raise LoginRefused(BAD_TOKEN)
    if data.get("f") != _fingerprint(user):
        raise LoginRefused(BAD_TOKEN)
    if not user.active:
        raise LoginRefused(f"用户“{user.username}”已停用；如需使用请联系管理员")
    return actor_for(user)


NO_TOKEN_KEY = "此数据库没有审计密钥文件，不能使用令牌；请改用 --user 和密码登录"


def _signing_key(session: Session, *, create: bool = False) -> bytes:
    """The key tokens are signed with: the audit key beside a database file, or the server's own
    (made by the first ``make_token``)."""
    key = token_key(session, create=create)
    if key is None:
        if audit.database_file(session) is None:
            # A server on which no token was ever made: nothing this token could be checked with.
            raise LoginRefused(BAD_TOKEN)
        raise UserError(NO_TOKEN_KEY)
    return key


@reads
def login_by_token(session: Session, token: str, now: datetime) -> Actor:
    """A script's login with a token that ``zhiqian token`` made (ZHIQIAN_TOKEN)."""
    return login_with_token(session, token, _signing_key(session), now)


@writes
def make_token(session: Session, actor: Actor, now: datetime, *, days: int = 30) -> str:
    """A token for the logged-in ``actor``; a write, since on a server the first token makes the
    signing key."""
    return issue_token(session, actor, _signing_key(session, create=True), now, days=days)


@reads
def unguarded_admin(session: Session) -> Actor | None:
    """The first administrator when it has no password, is active and logins are not enforced
    (a clerk's own PC set up without passwords): the command line acts as it when nobody logs
    in. Otherwise None."""
    if logins_enforced(session):
        return None
    admin = default_actor(session)
    user = session.get(User, admin.user_id) if admin.user_id else None
    if user is not None and user.password_hash is None and user.active:
        return admin
    return None


def require_same_user(actor: Actor, other: Actor) -> None:
    if actor.user_id != other.user_id:
        raise PermissionDenied("只能由锁定前的用户解锁；其他用户请选择“切换用户”")
