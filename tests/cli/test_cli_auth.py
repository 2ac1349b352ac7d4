"""Command-line login (options, environment, token) and restore/check on a damaged database."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from zhiqian_desktop.cli import login, users
from zhiqian_desktop.cli import maintenance as maintenance_module
from zhiqian_desktop.domain.errors import PermissionDenied
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import read_key
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.store.database import Database

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhiqian_desktop.services.core.users._hasher", FAST)
    monkeypatch.setattr("zhiqian_desktop.services.core.auth._hasher", FAST)
    for name in (login.ENV_TOKEN, login.ENV_USER, login.ENV_PASSWORD):
        monkeypatch.delenv(name, raising=False)


def ns(db_path: Path, **values: object) -> argparse.Namespace:
    return argparse.Namespace(db=str(db_path), **values)


def test_passwordless_admin_may_act_without_logging_in(db: Database, db_path: Path) -> None:
    actor = login.acting_user(ns(db_path), db, write=True)
    assert actor.role is Role.ADMIN


def test_with_passwords_reading_and_writing_both_need_a_login(
    db: Database, admin: Actor, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.unit_of_work() as s:
        auth.reset_password(s, admin, "admin", "admin-pass")
        create_user(s, admin, username="zhang", display_name="张三", role=Role.HANDLER,
                    password="zhang-pass")  # fmt: skip
    for write in (True, False):
        with pytest.raises(
            PermissionDenied, match=r"已启用登录.*--user.*ZHIQIAN_USER.*ZHIQIAN_TOKEN"
        ):
            login.acting_user(ns(db_path), db, write=write)
    by_option = login.acting_user(ns(db_path, user="zhang", password="zhang-pass"), db)
    assert by_option.username == "zhang"
    with pytest.raises(auth.LoginRefused, match="用户名或密码不正确"):
        login.acting_user(ns(db_path, user="zhang", password="bad"), db)
    monkeypatch.setenv(login.ENV_USER, "admin")
    monkeypatch.setenv(login.ENV_PASSWORD, "admin-pass")
    assert login.acting_user(ns(db_path), db).username == "admin"
    monkeypatch.delenv(login.ENV_USER)
    key = read_key(db_path)
    assert key is not None
    with db.reader() as s:
        token = auth.issue_token(s, by_option, key, datetime.now(UTC))
    monkeypatch.setenv(login.ENV_TOKEN, token)
    assert login.acting_user(ns(db_path), db).username == "zhang"


def test_restore_latest_puts_a_good_backup_in_place_of_a_damaged_file(
    db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    maintenance.take_backup(db, label="manual")
    db.dispose()
    db_path.write_bytes(b"this is not a database at all" * 100)
    assert maintenance_module.cmd_check(ns(db_path)) == 1
    err = capsys.readouterr().err
    assert "最近的完好备份" in err and "zhiqian restore --latest" in err
    assert maintenance_module.cmd_restore(ns(db_path, file=None, latest=True)) == 0
    out = capsys.readouterr().out
    assert "损坏的文件已改名保留为" in out
    assert any(p.name.startswith("docket.db.damaged-") for p in db_path.parent.iterdir())
    assert maintenance_module.cmd_check(ns(db_path)) == 0


def test_passwd_with_the_user_from_the_environment(
    db: Database, admin: Actor, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.unit_of_work() as s:
        auth.reset_password(s, admin, "admin", "old-pass")
    monkeypatch.setenv(login.ENV_USER, "admin")
    monkeypatch.setenv(login.ENV_PASSWORD, "old-pass")
    monkeypatch.setenv(login.ENV_NEW_PASSWORD, "new-pass-2026")
    assert users.cmd_passwd(ns(db_path, reset=None)) == 0
    monkeypatch.setenv(login.ENV_PASSWORD, "new-pass-2026")
    assert login.acting_user(ns(db_path), db, write=True).username == "admin"


def test_zhiqian_token_works_against_a_server(
    pg_db: Database,
    admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from zhiqian_desktop.cli.main import main
    from zhiqian_desktop.services.admin.maintenance import open_app_database

    url = pg_db.url
    with pg_db.unit_of_work() as s:
        auth.reset_password(s, admin, "admin", "admin-pass")
        create_user(s, admin, username="zhang", display_name="张三", role=Role.HANDLER,
                    password="zhang-pass")  # fmt: skip
    # No token was ever made on this server: a token is refused in one line, not a crash.
    monkeypatch.setenv(login.ENV_TOKEN, "e30.AAAA")
    with pytest.raises(auth.LoginRefused, match="令牌无效"):
        login.acting_user(argparse.Namespace(database_url=url), pg_db)
    monkeypatch.delenv(login.ENV_TOKEN)

    argv = ["token", "--database-url", url, "--user", "zhang", "--password", "zhang-pass"]
    assert main([*argv, "--days", "7"]) == 0
    token = capsys.readouterr().out.strip()
    monkeypatch.setenv(login.ENV_TOKEN, token)
    # Another desk: its own connection, nothing but the token and the server's address.
    desk_two = open_app_database(url)
    try:
        assert login.acting_user(argparse.Namespace(database_url=url), desk_two).username == "zhang"
        assert main(["cases", "--database-url", url, "--json"]) == 0
        capsys.readouterr()
        # A second token is signed with the same key; a password change revokes both.
        monkeypatch.delenv(login.ENV_TOKEN)
        assert main(argv) == 0
        second = capsys.readouterr().out.strip()
        with desk_two.unit_of_work() as s:
            zhang = auth.login(s, "zhang", "zhang-pass", datetime.now(UTC))
            auth.change_own_password(s, zhang, "zhang-pass", "zhang-new-pass")
        for old in (token, second):
            monkeypatch.setenv(login.ENV_TOKEN, old)
            with pytest.raises(auth.LoginRefused, match="令牌无效"):
                login.acting_user(argparse.Namespace(database_url=url), desk_two)
    finally:
        desk_two.dispose()
