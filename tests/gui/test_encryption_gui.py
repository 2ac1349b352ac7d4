"""The passphrase of an encrypted database at start (retried when wrong) and encrypting a new
database in the first-start set-up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from tests.conftest import SETUP, gui_context
from tests.gui.test_settings_page import retype, type_text
from tests.services.test_sync import setup_court
from zhiqian_desktop.gui import app
from zhiqian_desktop.gui.passphrase_dialog import PassphraseDialog
from zhiqian_desktop.gui.setup_dialog import SetupDialog
from zhiqian_desktop.gui.sync_dialogs import ExportKitDialog
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.exchange import kit_opening, sealed_kits
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import encrypted_url, sqlite_url

pytest.importorskip("sqlcipher3", reason="encryption needs the sqlcipher extra")
pytestmark = pytest.mark.gui

PASSPHRASE = "Court-secret-2026"


@pytest.fixture(autouse=True)
def _no_keys() -> Iterator[None]:
    cipher.forget_all()
    yield
    cipher.forget_all()


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    path = tmp_path / "docket.db"
    cipher.remember(path, cipher.new_key(PASSPHRASE))
    db = open_app_database(encrypted_url(path))
    with db.unit_of_work() as s:
        settings_service.initialize(s, SETUP)
    db.dispose()
    cipher.forget_all()
    return path


def enter(qtbot: QtBot, dialog: PassphraseDialog, text: str) -> None:
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, text)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)


def test_a_wrong_passphrase_is_said_in_the_dialog_which_stays(
    qtbot: QtBot, encrypted: Path
) -> None:
    dialog = PassphraseDialog(encrypted)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert str(encrypted) in dialog.findChildren(type(dialog.message))[0].text()

    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.message.text() == "请输入口令"

    enter(qtbot, dialog, "court-secret-2026")  # wrong case
    assert dialog.isVisible()
    assert "口令不正确" in dialog.message.text()
    assert dialog.passphrase.text() == ""
    assert cipher.key_for(encrypted) is None

    enter(qtbot, dialog, PASSPHRASE)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert cipher.key_for(encrypted) is not None
    assert dialog.attempts == 2


def test_the_start_asks_for_the_passphrase_until_it_opens(qtbot: QtBot, encrypted: Path) -> None:
    answers = ["wrong passphrase", PASSPHRASE]
    seen: list[str] = []

    def answer() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, PassphraseDialog)]
        dialog = next(d for d in dialogs if d.isVisible())
        if dialog.message.isVisible():
            seen.append(dialog.message.text())
        enter(qtbot, dialog, answers.pop(0))
        if dialog.isVisible():
            QTimer.singleShot(0, answer)

    QTimer.singleShot(0, answer)
    session = app.open_unlocked(sqlite_url(encrypted))
    assert session is not None
    try:
        assert session.db.url == encrypted_url(encrypted)
        with session.db.reader() as s:
            assert get_settings(s).court_name == SETUP.court_name
    finally:
        session.close()
    assert answers == []
    assert seen and "口令不正确" in seen[0]


def test_cancelling_the_passphrase_ends_the_start_quietly(qtbot: QtBot, encrypted: Path) -> None:
    def cancel() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, PassphraseDialog) and w.isVisible():
                qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, cancel)
    assert app.open_unlocked(sqlite_url(encrypted)) is None


def fill_setup(qtbot: QtBot, dialog: SetupDialog) -> None:
    type_text(qtbot, dialog.court_name, "土默特右旗人民法院")
    type_text(qtbot, dialog.court_code, "内0221")
    type_text(qtbot, dialog.display_name, "王管理")


def test_the_setup_dialog_encrypts_the_new_database(
    qtbot: QtBot, empty_db: Database, db_path: Path
) -> None:
    dialog = SetupDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fill_setup(qtbot, dialog)
    assert not dialog.passphrase_fields.isVisible()
    dialog.encryption.setChecked(True)
    assert dialog.passphrase_fields.isVisible()
    warning = dialog.findChild(type(dialog.example), "passphrase_warning")
    assert warning is not None and "无法" in warning.text()

    fields = dialog.passphrase_fields
    qtbot.keyClicks(fields.first, "short")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "至少" in dialog.passphrase_error.text()
    retype(qtbot, fields.first, PASSPHRASE)
    qtbot.keyClicks(fields.second, PASSPHRASE + "x")
    assert dialog.passphrase_error.text() == "两次输入的口令不一致"
    retype(qtbot, fields.second, PASSPHRASE)
    assert not dialog.passphrase_error.isVisible()

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    db = dialog.db
    try:
        assert db is not empty_db and db.url == encrypted_url(db_path)
        with db.reader() as s:
            assert get_settings(s).court_name == "土默特右旗人民法院"
    finally:
        db.dispose()
    raw = db_path.read_bytes()
    assert b"SQLite format 3" not in raw
    assert "土默特右旗人民法院".encode() not in raw

    cipher.forget_all()
    with pytest.raises(cipher.PassphraseRequired):
        open_app_database(sqlite_url(db_path))
    cipher.unlock(db_path, PASSPHRASE)
    open_app_database(sqlite_url(db_path)).dispose()


def test_without_encryption_the_setup_leaves_the_file_plain(
    qtbot: QtBot, empty_db: Database, db_path: Path
) -> None:
    dialog = SetupDialog(empty_db)
    qtbot.addWidget(dialog)
    fill_setup(qtbot, dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert dialog.db is empty_db
    empty_db.dispose()
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_without_sqlcipher3_the_encryption_option_is_off(
    qtbot: QtBot, empty_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    unavailable: Callable[[], bool] = lambda: False  # noqa: E731
    monkeypatch.setattr("zhiqian_desktop.services.admin.encryption.available", unavailable)
    dialog = SetupDialog(empty_db)
    qtbot.addWidget(dialog)
    assert not dialog.encryption.isEnabled()
    assert "sqlcipher3" in dialog.encryption.toolTip()


def test_an_offline_kit_is_exported_encrypted_from_the_dialog(
    qtbot: QtBot, sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    court = setup_court(sqlite_db, admin)
    dialog = ExportKitDialog(gui_context(court.db, court.admin, today=None))
    qtbot.addWidget(dialog)
    dialog.owner.setCurrentIndex(dialog.owner.findText("法庭：沙尔沁法庭"))
    dialog.dest.setText(str(tmp_path / "kit.zip"))
    assert not dialog.encryption.isChecked()
    dialog.encryption.setChecked(True)
    qtbot.keyClicks(dialog.passphrase_fields.first, "kit-passphrase")
    qtbot.keyClicks(dialog.passphrase_fields.second, "kit-passphrase-typo")
    dialog.ok_button.click()
    assert "不一致" in dialog.banner.text()
    assert not (tmp_path / "kit.zip").exists()

    retype(qtbot, dialog.passphrase_fields.second, "kit-passphrase")
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.ok_button.click()
    kit = tmp_path / "kit.zip"
    assert sealed_kits.is_encrypted_kit(kit)
    path = kit_opening.open_kit(kit, tmp_path / "laptop", passphrase="kit-passphrase")
    assert b"SQLite format 3" not in path.read_bytes()


def test_the_kit_of_an_encrypted_database_cannot_be_exported_plain(
    qtbot: QtBot, encrypted: Path
) -> None:
    cipher.unlock(encrypted, PASSPHRASE)
    db = open_app_database(sqlite_url(encrypted))
    try:
        with db.reader() as s:
            admin = default_actor(s)
        dialog = ExportKitDialog(gui_context(db, admin, today=None))
        qtbot.addWidget(dialog)
        assert dialog.encryption.isChecked()
        dialog.encryption.setChecked(False)
        assert dialog.encryption.isChecked()
    finally:
        db.dispose()
