"""Logging in: argon2 passwords, lock-out after five failures, disabled users, passwords, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from zhiqian_desktop.domain.dues import COURT_TZ
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import read_key
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, CourtSecret, User

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters, except where the real profile itself is under test."""
    if request.node.originalname != "test_an_old_hash_is_upgraded_on_login":
        monkeypatch.setattr("zhiqian_desktop.services.core.users._hasher", FAST)
        monkeypatch.setattr("zhiqian_desktop.services.core.auth._hasher", FAST)


@pytest.fixture
def users(db: Database, admin: Actor) -> Database:
    with db.unit_of_work() as s:
        create_user(s, admin, username="zhang", display_name="张三", role=Role.HANDLER,
                    password="secret-1")  # fmt: skip
        create_user(s, admin, username="li", display_name="李四", role=Role.READONLY,
                    password="secret-2")  # fmt: skip
    return db


def attempt(db: Database, username: str, password: str, now: datetime = NOW) -> Actor:
    with db.unit_of_work() as s:
        return auth.login(s, username, password, now)


def test_right_password_logs_in_as_that_user(users: Database) -> None:
    actor = attempt(users, "zhang", "secret-1")
    assert (actor.username, actor.display_name, actor.role) == ("zhang", "张三", Role.HANDLER)
    with users.reader() as s:
        assert (
            s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc())).first() == "login"
        )


def test_wrong_password_says_so_and_counts_down(users: Database) -> None:
    with pytest.raises(auth.LoginRefused, match=r"用户名或密码不正确.*再错4次将锁定15分钟"):
        attempt(users, "zhang", "wrong")
    with pytest.raises(auth.LoginRefused, match="再错3次"):
        attempt(users, "zhang", "wrong")
    attempt(users, "zhang", "secret-1")  # success resets the count
    with pytest.raises(auth.LoginRefused, match="再错4次"):
        attempt(users, "zhang", "wrong")


def test_unknown_user_gets_the_same_message_as_a_wrong_password(users: Database) -> None:
    with pytest.raises(auth.LoginRefused) as info:
        attempt(users, "nobody", "x")
    assert info.value.message == auth.WRONG


def test_five_failures_lock_the_user_for_fifteen_minutes(users: Database) -> None:
    for _ in range(4):
        with pytest.raises(auth.LoginRefused):
            attempt(users, "zhang", "wrong")
    with pytest.raises(auth.LoginRefused, match="已锁定15分钟") as info:
        attempt(users, "zhang", "wrong")
    unlock = (NOW + timedelta(minutes=15)).astimezone(COURT_TZ)  # the court's clock
    assert f"{unlock:%H:%M}自动解锁" in info.value.message
    # Locked: even the right password is refused, and the message names when it ends.
    with pytest.raises(auth.LoginRefused, match=f"将于.*{unlock:%H:%M}自动解锁"):
        attempt(users, "zhang", "secret-1", NOW + timedelta(minutes=14))
    # Other users are not affected.
    assert attempt(users, "li", "secret-2").username == "li"
    assert attempt(users, "zhang", "secret-1", NOW + timedelta(minutes=15, seconds=1))
    with users.reader() as s:
        user = s.scalars(select(User).where(User.username == "zhang")).one()
        assert (user.failed_logins, user.locked_until) == (0, None)
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "user")))
    assert actions.count("login_failed") == 4 and actions.count("login_locked") == 1


def test_disabled_user_is_refused(users: Database, admin: Actor) -> None:
    with users.unit_of_work() as s:
        auth.set_active(s, admin, "zhang", False)
    with pytest.raises(auth.LoginRefused, match="已停用"):
        attempt(users, "zhang", "secret-1")


def test_the_last_administrator_cannot_be_disabled_or_demoted(
    users: Database, admin: Actor
) -> None:
    with pytest.raises(UserError, match="最后一个管理员"), users.unit_of_work() as s:
        auth.set_active(s, admin, "admin", False)
    with pytest.raises(UserError, match="最后一个管理员"), users.unit_of_work() as s:
        auth.set_role(s, admin, "admin", Role.LEAD)


def test_an_old_hash_is_upgraded_on_login(users: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("secret-1")
    with users.unit_of_work() as s:
        s.scalars(select(User).where(User.username == "zhang")).one().password_hash = weak
    attempt(users, "zhang", "secret-1")
    with users.reader() as s:
        stored = s.scalars(select(User.password_hash).where(User.username == "zhang")).one()
    assert stored != weak and stored is not None and "m=65536" in stored
    assert attempt(users, "zhang", "secret-1").username == "zhang"


def test_passwordless_single_admin_needs_no_login(db: Database) -> None:
    with db.reader() as s:
        actor = auth.passwordless_actor(s)
    assert actor is not None and actor.role is Role.ADMIN


def test_any_password_or_second_user_means_logging_in(users: Database) -> None:
    with users.reader() as s:
        assert auth.passwordless_actor(s) is None


def test_change_own_password_needs_the_old_one(users: Database) -> None:
    zhang = attempt(users, "zhang", "secret-1")
    with pytest.raises(UserError, match="原密码不正确"), users.unit_of_work() as s:
        auth.change_own_password(s, zhang, "nope", "new-secret")
    with pytest.raises(UserError, match="至少6位"), users.unit_of_work() as s:
        auth.change_own_password(s, zhang, "secret-1", "abc")
    with users.unit_of_work() as s:
        auth.change_own_password(s, zhang, "secret-1", "new-secret")
    with pytest.raises(auth.LoginRefused):
        attempt(users, "zhang", "secret-1")
    assert attempt(users, "zhang", "new-secret").username == "zhang"


def test_admin_reset_lifts_a_lock_out_and_others_may_not_reset(
    users: Database, admin: Actor
) -> None:
    for _ in range(5):
        with pytest.raises(auth.LoginRefused):
            attempt(users, "zhang", "wrong")
    zhang_li = attempt(users, "li", "secret-2")
    with pytest.raises(PermissionDenied), users.unit_of_work() as s:
        auth.reset_password(s, zhang_li, "zhang", "hello-world")
    with users.unit_of_work() as s:
        auth.reset_password(s, admin, "zhang", "hello-world")
    assert attempt(users, "zhang", "hello-world").username == "zhang"
    with users.reader() as s:
        after = [e.after_json for e in s.scalars(select(AuditEvent))]
    assert not any("hello-world" in (a or "") or "argon2" in (a or "") for a in after)


@pytest.mark.usefixtures("sqlite_db")  # the token key is the file beside the database
def test_token_names_its_user_and_dies_with_a_password_change(users: Database) -> None:
    zhang = attempt(users, "zhang", "secret-1")
    assert users.path is not None
    key = read_key(users.path)
    assert key is not None
    with users.reader() as s:
        token = auth.issue_token(s, zhang, key, NOW, days=7)
        assert auth.login_with_token(s, token, key, NOW).username == "zhang"
        with pytest.raises(auth.LoginRefused, match="令牌无效或已过期"):
            auth.login_with_token(s, token, key, NOW + timedelta(days=8))
        body, sig = token.split(".")
        with pytest.raises(auth.LoginRefused):
            auth.login_with_token(s, body + "x." + sig, key, NOW)
        with pytest.raises(auth.LoginRefused):
            auth.login_with_token(s, "garbage", key, NOW)
    with users.unit_of_work() as s:
        auth.change_own_password(s, zhang, "secret-1", "another-1")
    with users.reader() as s, pytest.raises(auth.LoginRefused):
        auth.login_with_token(s, token, key, NOW)


def test_on_a_server_the_token_key_is_made_once_in_the_database(db: Database) -> None:
    if db.is_sqlite:
        with db.reader() as s:  # a file's tokens are signed with the audit key beside it
            assert auth.token_key(s, create=True) == read_key(db.path)  # type: ignore[arg-type]
        return
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        assert auth.token_key(s, create=True) is not None
        raise RuntimeError("rolled back with its transaction")
    with db.reader() as s:
        assert auth.token_key(s) is None
    with db.unit_of_work() as s:
        key = auth.token_key(s, create=True)
    with db.unit_of_work() as s:
        assert auth.token_key(s, create=True) == key
        assert s.scalar(select(func.count()).select_from(CourtSecret)) == 1
