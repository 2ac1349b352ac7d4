"""Keeping a running app safe: the idle lock, switching user, and the automatic backups."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.login_dialog import SWITCH_USER, UNLOCKED, LockDialog, LoginDialog
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.admin.maintenance import AutoBackupResult, auto_backup
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.store.database import Database

log = logging.getLogger(__name__)

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits `idle` after `timeout_ms` without keyboard or mouse input anywhere in the app."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(timeout_ms)
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # restart the countdown
        return False

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()

    def uninstall(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


WindowFactory = Callable[[Actor], QWidget]


class SessionGuard(QObject):
    """Owns the main window for the logged-in user.

    After the idle time every visible window is hidden behind the lock dialog; the same user's
    password shows them again exactly as they were (unsaved input included). Switching user
    closes them and builds a new main window for whoever logs in. Users without a password are
    not locked (there is nothing to check).
    """

    locked = Signal()
    unlocked = Signal()
    actorChanged = Signal(object)
    finished = Signal()  # the clerk quit from the login dialog after switching

    def __init__(
        self,
        db: Database,
        actor: Actor,
        window_factory: WindowFactory,
        *,
        idle_ms: int | None = None,
        clock: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self._factory = window_factory
        self.clock = clock or Clock()
        if idle_ms is None:
            idle_ms = get_settings(db).idle_lock_minutes * 60_000
        self.watcher = IdleWatcher(idle_ms, self)
        self.watcher.idle.connect(self.lock)
        self.hidden: list[QWidget] = []
        self.lock_dialog: LockDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.window = self._build(actor)

    def _build(self, actor: Actor) -> QWidget:
        window = self._factory(actor)
        action = QAction("锁定", window)
        action.setShortcut(QKeySequence("Ctrl+L"))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(self.lock)
        window.addAction(action)
        replaced = getattr(window, "databaseReplaced", None)
        if replaced is not None:
            replaced.connect(self.relogin)
        return window

    @property
    def is_locked(self) -> bool:
        return self.lock_dialog is not None

    def _can_lock(self) -> bool:
        return auth.has_password(self.db, self.actor)

    def lock(self) -> None:
        if self.is_locked or self.login_dialog is not None or not self._can_lock():
            return
        self.watcher.pause()
        self.hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for w in self.hidden:
            w.hide()
        dialog = LockDialog(self.db, self.actor, clock=self.clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._lock_finished)
        self.lock_dialog = dialog
        dialog.show()
        self.locked.emit()

    def _lock_finished(self, result: int) -> None:
        self.lock_dialog = None
        if result == UNLOCKED:
            for w in self.hidden:
                w.show()
            self.hidden = []
            self.watcher.resume()
            self.unlocked.emit()
        elif result == SWITCH_USER:
            self.relogin()

    def relogin(self) -> None:
        """Close the current user's windows and ask who works next (switch user, or after the
        database was restored from a backup)."""
        dialog = LoginDialog(self.db, clock=self.clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._login_finished)
        self.login_dialog = dialog
        dialog.show()  # before the old windows close, so the app does not quit meanwhile
        self.watcher.pause()
        windows = self.hidden or [self.window]
        self.hidden = []
        for w in windows:
            if w is not dialog:
                w.close()
        self.window.close()

    def _login_finished(self, result: int) -> None:
        dialog = self.login_dialog
        self.login_dialog = None
        if result != QDialog.DialogCode.Accepted or dialog is None or dialog.actor is None:
            self.finished.emit()
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        self.actor = dialog.actor
        self.window = self._build(self.actor)
        self.window.show()
        self.watcher.resume()
        self.actorChanged.emit(self.actor)

    def stop(self) -> None:
        self.watcher.uninstall()


class BackupScheduler(QObject):
    """The automatic backup, off the GUI thread: once at start, then whenever the interval set
    in the court settings has passed (checked every `check_ms`), only if the data changed."""

    backedUp = Signal(object)  # AutoBackupResult
    failed = Signal(str)

    def __init__(
        self,
        db: Database,
        *,
        check_ms: int = 10 * 60_000,
        clock: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.clock = clock or Clock()
        self.task: Task | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(lambda: self.run(at_start=False))
        self.last: AutoBackupResult | None = None

    def start(self) -> None:
        if self.db.path is None:
            return
        self.run(at_start=True)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def run(self, *, at_start: bool = False) -> Task | None:
        if self.task is not None and not self.task.done:
            return None  # the previous one is still writing
        db, now = self.db, self.clock.local_now()

        def work(_progress: Progress) -> AutoBackupResult:
            hours = get_settings(db).backup_interval_hours
            return auto_backup(db, now, hours, at_start=at_start)

        self.task = run_in_background(work, on_success=self._done, on_failure=self._failed)
        return self.task

    def _done(self, result: AutoBackupResult) -> None:
        self.last = result
        if result.path is not None:
            log.info("自动备份：%s（清理旧备份 %d 个）", result.path, len(result.removed))
        self.backedUp.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            message = f"自动备份失败：{exc.message}"
            log.warning(message)
        else:
            message = f"自动备份失败：{type(exc).__name__}: {exc}；详情见日志"
            log.error("自动备份失败", exc_info=(type(exc), exc, exc.__traceback__))
        self.failed.emit(message)
