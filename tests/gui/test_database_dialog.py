"""Choosing this computer's file or the court server; the password stays out of the settings."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from tests.conftest import PgServer
from zhiqian_desktop.gui.database_dialog import DatabaseDialog, configured_url
from zhiqian_desktop.services.admin import database_choice
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.store.engine import sqlite_url

pytestmark = pytest.mark.gui


def make_dialog(qtbot: QtBot) -> DatabaseDialog:
    dialog = DatabaseDialog()
    qtbot.addWidget(dialog)
    return dialog


def fill_server(qtbot: QtBot, dialog: DatabaseDialog, host: str, port: int, name: str, user: str,
                password: str) -> None:  # fmt: skip
    dialog.server_radio.click()
    for edit, value in (
        (dialog.host_edit, host),
        (dialog.database_edit, name),
        (dialog.user_edit, user),
        (dialog.password_edit, password),
    ):
        edit.clear()
        qtbot.keyClicks(edit, value)
    dialog.port_spin.setValue(port)


def test_without_a_choice_the_default_file_is_used() -> None:
    assert configured_url() is None


def test_a_local_file_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.local_radio.isChecked() and not dialog.server_box.isEnabled()
    qtbot.keyClicks(dialog.path_edit, str(tmp_path / "court.db"))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == DatabaseDialog.DialogCode.Accepted
    assert configured_url() == sqlite_url(tmp_path / "court.db")


def test_the_server_is_remembered_and_the_password_is_not_in_the_settings(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    fill_server(qtbot, dialog, "zqdb.court.local", 5433, "zhiqian", "desk01", "s3cret:pw")
    assert dialog.server_box.isEnabled() and not dialog.local_box.isEnabled()
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert "s3cret" not in database_choice.config_path().read_text(encoding="utf-8")
    passfile = database_choice.passfile_path()
    assert passfile.read_text(encoding="utf-8").strip() == (
        "zqdb.court.local:5433:zhiqian:desk01:s3cret\\:pw"
    )
    if os.name == "posix":
        assert passfile.stat().st_mode & 0o077 == 0
    url = make_url(configured_url() or "")
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == (
        "postgresql+psycopg", "zqdb.court.local", 5433, "zhiqian", "desk01", None,
    )  # fmt: skip
    assert url.query["passfile"] == str(passfile)
    # Reopened, the dialog shows the server but never the password.
    again = make_dialog(qtbot)
    assert again.server_radio.isChecked()
    assert (again.host_edit.text(), again.port_spin.value()) == ("zqdb.court.local", 5433)
    assert again.password_edit.text() == ""


def test_missing_server_fields_are_named(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.server_radio.click()
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert "服务器地址" in dialog.status.text()
    assert dialog.result() != DatabaseDialog.DialogCode.Accepted
    assert configured_url() is None


@pytest.mark.skipif(
    importlib.util.find_spec("psycopg") is None,
    reason="reaching a server needs psycopg (pip install '.[postgresql]')",
)
def test_an_unreachable_server_is_reported(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    fill_server(qtbot, dialog, "127.0.0.1", 9, "zhiqian", "desk01", "x")  # nothing listens on 9
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20000)
    assert "无法连接数据库服务器" in dialog.status.text()


@pytest.mark.skipif(not os.environ.get("ZHIQIAN_TEST_PG_URL"), reason="needs a PostgreSQL server")
def test_the_test_button_connects_and_the_saved_choice_opens(
    qtbot: QtBot, pg_server: PgServer
) -> None:
    # A database of this test's own: the server's shared database may hold any schema.
    fresh = pg_server.create(initialised=False)
    server = make_url(fresh)
    dialog = make_dialog(qtbot)
    fill_server(qtbot, dialog, server.host or "", server.port or 5432, server.database or "",
                server.username or "", server.password or "")  # fmt: skip
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20000)
    assert "连接成功" in dialog.status.text()
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    url = configured_url()
    assert url is not None and make_url(url).password is None
    db = open_app_database(url)  # the password comes from the password file
    try:
        assert not db.is_sqlite
    finally:
        db.dispose()
        pg_server.drop(fresh)
