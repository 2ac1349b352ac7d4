"""Logins at the command line once they are enforced (issue 17, 1): every command that opens the
database acts as a logged-in user, reads included; a user whose password was never set cannot log
in; `--password` warns that it shows in the process list; `demo` stays off a database in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.cli import login
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Document

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhiqian_desktop.services.core.users._hasher", FAST)
    monkeypatch.setattr("zhiqian_desktop.services.core.auth._hasher", FAST)
    for name in (login.ENV_TOKEN, login.ENV_USER, login.ENV_PASSWORD):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def _run(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def enforced(db: Database, admin: Actor) -> str:
    """The administrator has set a password; 李四 (a handler, as `demo` makes them) has none.
    Returns the number of one case assigned to nobody."""
    with db.unit_of_work() as s:
        auth.reset_password(s, admin, "admin", "admin-pass")
        create_user(s, admin, username="li", display_name="李四", role=Role.HANDLER)
        return register_case(s, admin, make_case_input(1), today=TODAY).case_no


def documents(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(Document)) or 0)


def test_a_user_without_a_password_cannot_issue_a_notice(
    run: Any,
    db: Database,
    db_path: Path,
    enforced: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = tmp_path / "n.pdf"
    notice = ["notice", enforced, "--kind", "urging", "-o", pdf, "--db", db_path, "--user", "li"]
    code, _out, err = run(*notice, "--password", "")
    assert code == 1 and "Traceback" not in err
    monkeypatch.setenv(login.ENV_PASSWORD, "")  # the empty password by the other way in
    code, _out, err = run(*notice)
    assert code == 1
    assert "尚未设置密码" in err and "Traceback" not in err
    code, _out, err = run(*notice, "--password", "anything")
    assert code == 1 and "尚未设置密码" in err
    assert documents(db) == 0 and not pdf.exists()


@pytest.mark.parametrize(
    "command", [["cases"], ["show", "CASE"], ["due"], ["stats"], ["check"], ["backup"]]
)
def test_once_logins_are_enforced_reads_need_a_login_too(
    run: Any, db_path: Path, enforced: str, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [enforced if word == "CASE" else word for word in command]
    code, out, err = run(*argv, "--db", db_path)
    assert code == 1 and out == ""
    assert "已启用登录" in err and "--user" in err
    monkeypatch.setenv(login.ENV_USER, "admin")
    monkeypatch.setenv(login.ENV_PASSWORD, "admin-pass")
    code, out, err = run(*argv, "--db", db_path)
    assert code == 0, err
    assert out


def test_before_logins_are_enforced_the_desk_works_without_one(
    run: Any, db_path: Path, db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        number = register_case(s, admin, make_case_input(1), today=TODAY).case_no
    code, out, _err = run("cases", "--db", db_path)
    assert code == 0 and number in out


def test_password_on_the_command_line_warns_in_one_line(
    run: Any, db_path: Path, enforced: str
) -> None:
    code, out, err = run("cases", "--db", db_path, "--user", "admin", "--password", "admin-pass")
    assert code == 0 and enforced in out
    warning = [line for line in err.splitlines() if "--password" in line]
    assert len(warning) == 1
    assert "进程列表" in warning[0] and login.ENV_PASSWORD in warning[0] and "提示" in warning[0]


def test_password_from_the_environment_gives_no_warning(
    run: Any, db_path: Path, enforced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(login.ENV_PASSWORD, "admin-pass")
    code, out, err = run("cases", "--db", db_path, "--user", "admin")
    assert code == 0 and enforced in out
    assert "--password" not in err


def test_demo_stays_off_a_database_in_use_unless_forced(
    run: Any, db_path: Path, enforced: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(login.ENV_USER, "admin")
    monkeypatch.setenv(login.ENV_PASSWORD, "admin-pass")
    code, _out, err = run("demo", "--cases", "2", "--db", db_path)
    assert code == 1 and "已启用登录" in err and "--force" in err
    code, _out, err = run("demo", "--cases", "2", "--db", db_path, "--force")
    assert code == 0, err
