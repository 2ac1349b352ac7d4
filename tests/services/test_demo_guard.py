"""`demo` keeps away from a database in real use (issue 17, 1): one with enforced logins or with
cases the demo did not make is refused unless forced, and demo users never get a password."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.demo import generate_demo
from zhiqian_desktop.services.admin.demo_people import LEAD
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase, User

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhiqian_desktop.services.core.users._hasher", FAST)
    monkeypatch.setattr("zhiqian_desktop.services.core.auth._hasher", FAST)


def case_count(db: Database) -> int:
    with db.reader() as s:
        return len(s.scalars(select(SupervisionCase.id)).all())


def test_demo_refuses_a_database_with_real_cases_unless_forced(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        number = register_case(s, admin, make_case_input(1), today=TODAY).case_no
    with pytest.raises(UserError, match=rf"不是演示生成的案件.*{number}.*--force"):
        generate_demo(db, cases=3, seed=1, today=TODAY)
    assert case_count(db) == 1
    assert generate_demo(db, cases=3, seed=1, today=TODAY, force=True).cases == 3
    assert case_count(db) == 4


def test_demo_on_its_own_data_needs_no_force(db: Database) -> None:
    generate_demo(db, cases=2, seed=1, today=TODAY)
    assert generate_demo(db, cases=2, seed=2, today=TODAY).cases == 2


def test_demo_refuses_enforced_logins_and_its_users_cannot_log_in_there(
    db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        auth.reset_password(s, admin, "admin", "admin-pass")
    with pytest.raises(UserError, match=r"已启用登录.*--force"):
        generate_demo(db, cases=2, seed=1, today=TODAY)
    assert case_count(db) == 0
    generate_demo(db, cases=2, seed=1, today=TODAY, force=True)
    with db.reader() as s:
        hashes = s.scalars(select(User.password_hash).where(User.username != "admin")).all()
    assert hashes and all(h is None for h in hashes)
    with pytest.raises(auth.LoginRefused, match="尚未设置密码"), db.unit_of_work() as s:
        auth.login(s, LEAD[0], "", NOW)
