"""Logging in, lock-out, the idle lock and switching user, and restoring from the settings page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.guard import BackupScheduler, SessionGuard
from zhiqian_desktop.gui.login_dialog import LockDialog, LoginDialog
from zhiqian_desktop.gui.main_window import MainWindow
from zhiqian_desktop.gui.settings_page import SettingsPage
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.auth import reset_password
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import backups_dir

pytestmark = pytest.mark.gui
NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhiqian_desktop.services.core.users._hasher", FAST)
    monkeypatch.setattr("zhiqian_desktop.services.core.auth._hasher", FAST)


@pytest.fixture
def team(db: Database, admin: Actor) -> Database:
    with db.unit_of_work() as s:
        reset_password(s, admin, "admin", "admin-pass")
        create_user(s, admin, username="zhang", display_name="张三", role=Role.HANDLER,
                    password="zhang-pass")  # fmt: skip
    return db


def login(qtbot: QtBot, dialog: LoginDialog | LockDialog, password: str, user: str = "") -> None:
    if isinstance(dialog, LoginDialog) and user:
        dialog.username.clear()
        qtbot.keyClicks(dialog.username, user)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    button = dialog.login_button if isinstance(dialog, LoginDialog) else dialog.unlock_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # The password is checked off the GUI thread; the button is back once it has been (or the
    # dialog is gone, once it accepted).
    qtbot.waitUntil(lambda: not isValid(button) or button.isEnabled(), timeout=10000)


def test_wrong_password_is_shown_and_the_dialog_stays(qtbot: QtBot, team: Database) -> None:
    dialog = LoginDialog(team, clock=Clock(now=lambda: NOW))
    qtbot.addWidget(dialog)
    dialog.show()
    login(qtbot, dialog, "nope", "zhang")
    assert dialog.isVisible() and dialog.actor is None
    assert "用户名或密码不正确" in dialog.message.text() and "再错4次" in dialog.message.text()
    assert dialog.password.text() == ""
    with qtbot.waitSignal(dialog.accepted):
        login(qtbot, dialog, "zhang-pass")
    assert dialog.actor is not None and dialog.actor.username == "zhang"


def test_five_wrong_passwords_lock_the_user_out(qtbot: QtBot, team: Database) -> None:
    dialog = LoginDialog(team, username="zhang", clock=Clock(now=lambda: NOW))
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(5):
        login(qtbot, dialog, "nope")
    assert "已锁定15分钟" in dialog.message.text()
    unlock = datetime(2026, 11, 25, 2, 15, tzinfo=UTC).astimezone()
    assert f"{unlock:%H:%M}自动解锁" in dialog.message.text()
    login(qtbot, dialog, "zhang-pass")
    assert dialog.isVisible() and "已锁定" in dialog.message.text()


@pytest.fixture
def idle_ms() -> int:
    return 150


@pytest.fixture
def guarded(qtbot: QtBot, team: Database, idle_ms: int) -> Iterator[SessionGuard]:
    with team.reader() as s:
        from zhiqian_desktop.services.core.users import actor_for, find_user

        zhang = actor_for(find_user(s, "zhang"))
    windows: list[QWidget] = []

    def factory(actor: Actor) -> QWidget:
        win = MainWindow(gui_context(team, actor))
        qtbot.addWidget(win)
        windows.append(win)
        return win

    guard = SessionGuard(team, zhang, factory, idle_ms=idle_ms, clock=Clock(now=lambda: NOW))
    guard.window.show()
    qtbot.waitExposed(guard.window)
    yield guard
    guard.stop()
    for dialog in (guard.lock_dialog, guard.login_dialog):
        if dialog is not None:
            dialog.done(0)


def test_idle_lock_hides_the_window_and_the_same_password_brings_it_back(
    qtbot: QtBot, guarded: SessionGuard
) -> None:
    window = guarded.window
    qtbot.waitUntil(lambda: guarded.is_locked, timeout=3000)
    assert not window.isVisible()
    dialog = guarded.lock_dialog
    assert dialog is not None and dialog.isVisible()
    assert any("张三" in label.text() for label in dialog.findChildren(QLabel))
    login(qtbot, dialog, "wrong")
    assert guarded.is_locked and "用户名或密码不正确" in dialog.message.text()
    dialog.reject()  # Esc does not unlock
    assert guarded.is_locked
    with qtbot.waitSignal(guarded.unlocked):
        login(qtbot, dialog, "zhang-pass")
    assert window.isVisible() and guarded.window is window


@pytest.mark.parametrize("idle_ms", [3_600_000])
def test_input_keeps_the_session_unlocked(qtbot: QtBot, guarded: SessionGuard) -> None:
    # Measured on the countdown itself, not against the clock: an hour-long idle time cannot run
    # out during the test however slow the machine, and each key must start it afresh.
    timer = guarded.watcher.timer
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.start()
    for _ in range(3):
        qtbot.waitUntil(lambda: timer.remainingTime() < 3_600_000 - 1000, timeout=30_000)
        before = timer.remainingTime()
        qtbot.keyClick(guarded.window, Qt.Key.Key_Shift)  # a clerk typing
        assert timer.remainingTime() > before, "the key did not restart the countdown"
        assert not guarded.is_locked
    # Without input the lock comes once the idle time has passed.
    timer.start(150)
    qtbot.waitUntil(lambda: guarded.is_locked, timeout=10_000)
    assert not guarded.window.isVisible()


def test_switching_user_builds_a_window_for_the_new_user(
    qtbot: QtBot, guarded: SessionGuard
) -> None:
    old = guarded.window
    qtbot.waitUntil(lambda: guarded.is_locked, timeout=3000)
    assert guarded.lock_dialog is not None
    qtbot.mouseClick(guarded.lock_dialog.switch_button, Qt.MouseButton.LeftButton)
    login_dialog = guarded.login_dialog
    assert login_dialog is not None and login_dialog.isVisible()
    guarded.watcher.pause()
    with qtbot.waitSignal(guarded.actorChanged) as changed:
        login(qtbot, login_dialog, "admin-pass", "admin")
    assert changed.args[0].username == "admin"
    assert guarded.window is not old and guarded.window.isVisible() and not old.isVisible()
    assert isinstance(guarded.window, MainWindow) and guarded.window.ctx.actor.username == "admin"


def test_user_without_password_is_not_locked(qtbot: QtBot, db: Database, admin: Actor) -> None:
    guard = SessionGuard(db, admin, lambda a: QWidget(), idle_ms=50)
    qtbot.addWidget(guard.window)
    guard.window.show()
    qtbot.wait(200)
    assert not guard.is_locked and guard.window.isVisible()
    guard.stop()


def test_automatic_backup_runs_off_the_gui_thread_at_start(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    scheduler = BackupScheduler(
        db, clock=Clock(now=lambda: datetime(2026, 11, 25, 9, 30).astimezone())
    )
    with qtbot.waitSignal(scheduler.backedUp, timeout=10000) as done:
        scheduler.start()
    scheduler.stop()
    assert done.args[0].path.name == "zhiqian-20261125-093000-auto.db"


def test_restore_from_the_settings_page_backs_up_first_and_restarts_the_session(
    qtbot: QtBot, db: Database, admin: Actor, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = maintenance.take_backup(db, label="manual")
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    page = SettingsPage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.data.load()
    assert page.data.backup_table.rowCount() == 1
    kind = page.data.backup_table.item(0, 1)
    assert kind is not None and kind.text() == "手动备份"
    asked: list[str] = []

    def confirm(text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(page.data, "confirm", confirm)
    page.data.backup_table.selectRow(0)
    with qtbot.waitSignal(page.databaseRestored):
        qtbot.mouseClick(page.data.restore_button, Qt.MouseButton.LeftButton)
    assert asked and early.name in asked[0]
    names = [p.name for p in backups_dir(db_path).iterdir()]
    assert any(n.endswith("-before-restore.db") for n in names)
    from sqlalchemy import func, select

    from zhiqian_desktop.store.models import SupervisionCase

    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionCase)) == 0


def test_restore_is_refused_to_a_handler(qtbot: QtBot, team: Database, db_path: Path) -> None:
    maintenance.take_backup(team, label="manual")
    with team.reader() as s:
        from zhiqian_desktop.services.core.users import actor_for, find_user

        zhang = actor_for(find_user(s, "zhang"))
    page = SettingsPage(gui_context(team, zhang))
    qtbot.addWidget(page)
    page.data.load()
    page.data.backup_table.selectRow(0)
    qtbot.mouseClick(page.data.restore_button, Qt.MouseButton.LeftButton)
    assert "管理员权限" in page.data.banner.text()
    assert QApplication.activeModalWidget() is None
