"""Starting the desktop app: Qt application, fonts, crash handling, single-instance lock, first start."""

from __future__ import annotations

import linecache
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

# The database side is imported before Qt: PySide6 reads the source of every module imported after
# it (see forget_module_sources), which for SQLAlchemy and the store leaves 17 MB behind.
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import DamagedDatabase, sqlite_file, sqlite_url
from zhiqian_desktop.store.locations import APP_AUTHOR, APP_NAME
from zhiqian_desktop.store.log_file import setup_logging
from zhiqian_desktop.store.temp_folders import (
    make_temp_folder,
    release_temp_folder,
    remove_left_behind,
)

# isort: split
from PySide6.QtCore import QLibraryInfo, QLocale, QLockFile, QObject, Qt, QTranslator, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from zhiqian_desktop.gui.fonts import apply_ui_font
from zhiqian_desktop.resources_access import resource_path

log = logging.getLogger("zhiqian_desktop")

MAX_OPEN_ERROR_DIALOGS = 3
DEMO_COURT_NAME = "土默特右旗人民法院"
DEMO_COURT_CODE = "内0221"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


# --- logging and the crash path ----------------------------------------------------------------


class ErrorReporter(QObject):
    """sys.excepthook for the GUI: log the bug, show it, keep running.

    A UserError is what a clerk can act on: a one-line warning, not a crash report. Anything
    else is logged with its traceback and shown in a dialog that says where the log file is.
    Dialogs open window-modal without a nested event loop; an exception raised on another
    thread is marshalled to the GUI thread through a signal.
    """

    _raised = Signal(object)

    def __init__(self, log_file: Path, parent_window: Callable[[], QWidget | None] | None = None):
        super().__init__()
        self.log_file = log_file
        self._parent_window = parent_window or (lambda: None)
        self.dialogs: list[QMessageBox] = []
        self._previous = sys.excepthook
        self._raised.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> ErrorReporter:
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        if not isinstance(exc, UserError):
            log.error("未处理的异常", exc_info=(kind, exc, tb))
        else:
            log.info("提示用户：%s", exc)
        self._raised.emit((kind, exc, tb))

    def _show(self, info: ExcInfo) -> None:
        kind, exc, tb = info
        self.dialogs = [d for d in self.dialogs if d.isVisible()]
        if len(self.dialogs) >= MAX_OPEN_ERROR_DIALOGS:
            return  # the same bug repeating; it is in the log
        parent = self._parent_window()
        if isinstance(exc, UserError):
            box = QMessageBox(QMessageBox.Icon.Warning, "提示", exc.message, parent=parent)
        else:
            text = "".join(traceback.format_exception(kind, exc, tb))
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "程序错误",
                "程序遇到了一个意外错误，刚才的操作可能没有完成。\n"
                "已保存的数据不受影响，您可以继续使用。\n\n"
                f"错误：{kind.__name__}: {exc}\n\n"
                f"详细信息已记录在日志文件：\n{self.log_file}\n"
                "请把该文件发给系统管理员。",
                parent=parent,
            )
            box.setDetailedText(text)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r, b=box: self._forget(b))
        self.dialogs.append(box)
        box.open()

    def _forget(self, box: QMessageBox) -> None:
        if box in self.dialogs:
            self.dialogs.remove(box)


# --- single instance ---------------------------------------------------------------------------


ALREADY_OPEN = (
    "该数据库已在另一个窗口中打开：{path}\n"
    "同一数据库同时只能在一个窗口中使用。请切换到已打开的窗口；"
    "如果确认没有其他窗口（例如另一台电脑通过共享文件夹打开了它），请先关闭那边的程序。"
)


def lock_database(path: Path) -> QLockFile:
    """Hold `path`.lock while the app runs; a lock left by a killed process is taken over.

    Raises UserError when another running instance holds it.
    """
    lock = QLockFile(str(path) + ".lock")
    # 0 = never stale by age: Qt checks whether the holder (pid + host) is still alive instead.
    lock.setStaleLockTime(0)
    if not lock.tryLock(100):
        if lock.error() == QLockFile.LockError.LockFailedError:
            raise UserError(ALREADY_OPEN.format(path=path))
        raise UserError(f"无法在“{path.parent}”中创建锁文件；请检查该目录是否可写")
    return lock


# --- start-up ----------------------------------------------------------------------------------


@dataclass
class AppSession:
    """What a running app holds, released by close()."""

    db: Database
    lock: QLockFile | None = None
    temp_dir: Path | None = None
    window: QWidget | None = None
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Release everything; safe to call again (a damaged file found after start closes early).

        Workers stop first and every connection is closed before the lock goes: on Windows the
        database file can be replaced (restored, converted) only once nothing has it open."""
        cleanups, self.cleanups = self.cleanups, []
        for fn in cleanups:
            fn()
        self.db.dispose()
        if self.temp_dir is not None:
            release_temp_folder(self.temp_dir)
            self.temp_dir = None
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None


def forget_module_sources() -> None:
    """Drop the source text PySide6 had read of every module imported after it.

    Shiboken looks for the word PySide6 in each newly imported module's source (to decide whether
    its ``__feature__`` switches apply there) through ``inspect.getsource``, and ``linecache``
    keeps every file it read: 9 MB of text for SQLAlchemy and the app by the time the window is
    built. A traceback reads the file again when it needs a line."""
    linecache.clearcache()


def make_application(argv: list[str] | None = None) -> QApplication:
    forget_module_sources()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("执前督促")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    app.setWindowIcon(QIcon(str(resource_path("icons", "zhiqian-256.png"))))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):  # OK/Cancel and file dialogs in Chinese
        app.installTranslator(translator)
    return app


def create_demo_database() -> tuple[Database, Path]:
    """A throw-away database in a temporary folder, filled with realistic demo cases."""
    from zhiqian_desktop.services.admin.demo import generate_demo
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core.settings import SetupInput, initialize

    folder = make_temp_folder("zhiqian-demo-")
    db = open_app_database(sqlite_url(folder / "demo.db"))
    try:
        initialize(db, SetupInput(DEMO_COURT_NAME, DEMO_COURT_CODE, "执前督"))
        generate_demo(db, cases=300, seed=1, today=Clock().today())
    except BaseException:
        db.dispose()
        release_temp_folder(folder)
        raise
    return db, folder


def open_session(url: str, demo: bool = False, *, defer_check: bool = False) -> AppSession:
    """Open the database (or a demo one) and take the single-instance lock. Raises UserError.

    `defer_check` leaves the integrity check to `check_in_background` after the window shows.
    """
    from zhiqian_desktop.services.admin.maintenance import open_app_database

    if demo:
        db, folder = create_demo_database()
        session = AppSession(db, temp_dir=folder)
    else:
        session = AppSession(open_app_database(url, check=not defer_check))
    path = session.db.path
    if path is not None:
        try:
            session.lock = lock_database(path)
        except BaseException:
            session.close()
            raise
    return session


def ask_passphrase(path: Path, parent: QWidget | None = None) -> bool:
    """The passphrase dialog for an encrypted database; True once it opened the file."""
    from zhiqian_desktop.gui.passphrase_dialog import PassphraseDialog

    dialog = PassphraseDialog(path, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


def open_unlocked(url: str, demo: bool = False, *, defer_check: bool = False) -> AppSession | None:
    """open_session, asking for the passphrase when the database is encrypted (again after a
    wrong one, in the dialog). None when the clerk cancelled the passphrase dialog."""
    from zhiqian_desktop.services.admin.encryption import PassphraseRequired

    while True:
        try:
            return open_session(url, demo, defer_check=defer_check)
        except PassphraseRequired as exc:
            if not ask_passphrase(exc.path):
                return None


def ensure_initialized(session: AppSession, parent: QWidget | None = None) -> bool:
    """First start: the set-up dialog. False if the clerk cancelled it."""
    from zhiqian_desktop.gui.setup_dialog import SetupDialog
    from zhiqian_desktop.services.core.settings import is_initialized

    if is_initialized(session.db):
        return True
    dialog = SetupDialog(session.db, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    # The clerk may have chosen encryption: the database was then reopened encrypted.
    session.db = dialog.db
    if not accepted:
        return False
    return is_initialized(session.db)


def choose_actor(session: AppSession, *, demo: bool = False) -> Actor | None:
    """Who works in this session: the login dialog, except for a demo database and a
    single-user database whose administrator has no password. None if the clerk quit."""
    from zhiqian_desktop.gui.login_dialog import LoginDialog
    from zhiqian_desktop.services.core.auth import passwordless_actor
    from zhiqian_desktop.services.core.users import default_actor

    actor = default_actor(session.db) if demo else passwordless_actor(session.db)
    if actor is not None:
        return actor
    dialog = LoginDialog(session.db)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor


def offer_restore(url: str, exc: DamagedDatabase) -> bool:
    """The way out of a damaged database: offer the newest backup that passes its check.

    The damaged file is renamed aside, never overwritten. True when a backup was put in place.
    """
    from zhiqian_desktop.services.admin.maintenance import newest_good_backup, restore_damaged

    path = sqlite_file(url)
    good = newest_good_backup(path) if path is not None else None
    if path is None or good is None:
        _message(
            QMessageBox.Icon.Critical,
            "无法打开数据库",
            exc.message + "\n\n在备份文件夹中没有找到完好的备份；请联系系统管理员。",
        )
        return False
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "数据库已损坏",
        f"{exc.message}\n\n找到最近的完好备份：{good.taken_at:%Y年%m月%d日 %H:%M}（{good.label}）。\n"
        "恢复后，该备份之后录入的内容需要重新录入；损坏的文件会改名保留，不会删除。",
    )
    restore_button = box.addButton("恢复该备份", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore_button:
        return False
    try:
        aside = restore_damaged(path, good.path)
    except UserError as failure:
        _message(QMessageBox.Icon.Critical, "恢复失败", failure.message)
        return False
    _message(
        QMessageBox.Icon.Information,
        "已恢复",
        f"已用 {good.path.name} 恢复数据库。\n损坏的文件已改名保留为：{aside}",
    )
    return True


def build_main_window(
    session: AppSession, actor: Actor | None = None, *, clock: Clock | None = None
) -> QWidget:
    """The main window for an initialised database, in the configured interface font; its
    pages and dialogs share one AppContext (the database, the user, the clock, the settings)."""
    from zhiqian_desktop.gui.main_window import MainWindow
    from zhiqian_desktop.services.core.users import default_actor

    forget_module_sources()
    ctx = AppContext(session.db, actor or default_actor(session.db), clock or Clock())
    apply_ui_font(ctx.settings.ui_font)
    window = MainWindow(ctx)
    session.window = window
    return window


def _status(session: AppSession, text: str) -> None:
    """A message in the status bar of the current main window (automatic backup failures)."""
    from PySide6.QtWidgets import QMainWindow

    window = session.window
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 60_000)


def check_in_background(session: AppSession, url: str, then: Callable[[], None]) -> None:
    """The start-up integrity check, off the GUI thread once the window shows (it reads the
    whole file: seconds on a large docket). A damaged file closes the window and offers the
    newest good backup, exactly as a check at open would; `then` runs when the file is sound."""
    from zhiqian_desktop.gui.worker import run_in_background
    from zhiqian_desktop.services.admin.maintenance import integrity_check_quick

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, DamagedDatabase):
            log.error("start-up check failed", exc_info=exc)
            then()
            return
        log.error("数据库损坏：%s", exc)
        window = session.window
        if window is not None:
            window.hide()
        session.close()
        restored = offer_restore(url, exc)
        if restored:
            _message(
                QMessageBox.Icon.Information, "执前督促", "已从备份恢复数据库，请重新启动程序。"
            )
        QApplication.quit()

    run_in_background(
        lambda _progress: integrity_check_quick(session.db),
        on_success=lambda _result: then(),
        on_failure=failed,
    )


def show_startup_failure(text: str) -> None:
    """A failure before the first window, when there is no console to print it on."""
    make_application()
    apply_ui_font()
    _message(QMessageBox.Icon.Critical, "执前督促无法启动", text)


def _message(kind: QMessageBox.Icon, title: str, text: str) -> None:
    box = QMessageBox(kind, title, text)
    box.exec()


def take_in_old_template_files(db: Database) -> None:
    """The court's template files of an earlier version, into the shared database (once)."""
    from zhiqian_desktop.services.supervision.templates import take_in_court_files

    try:
        take_in_court_files(db)
    except UserError as exc:  # a read-only or busy database: tried again at the next start
        log.warning("本院文书模板文件未能存入数据库：%s", exc.message)


def run(url: str, demo: bool = False) -> int:
    """The desktop app on the database at `url` (or a demo database); returns the exit code."""
    app = make_application()
    log_file = setup_logging()
    apply_ui_font()  # before any window, so even the first error message renders Chinese
    reporter = ErrorReporter(log_file, lambda: QApplication.activeWindow()).install()
    log.info("启动：%s", "演示数据库" if demo else url)
    for folder in remove_left_behind():
        # Copies of documents left by a program that was killed or logged off.
        log.info("已删除遗留的临时文件夹：%s", folder)
    try:
        try:
            try:
                opened = open_unlocked(url, demo, defer_check=True)
            except DamagedDatabase as exc:
                if not offer_restore(url, exc):
                    return 1
                opened = open_unlocked(url, demo)
            if opened is None:
                return 0
            session = opened
        except UserError as exc:
            _message(QMessageBox.Icon.Critical, "无法打开数据库", exc.message)
            return 1
        try:
            if not ensure_initialized(session):
                return 0
            if not demo:
                take_in_old_template_files(session.db)
            actor = choose_actor(session, demo=demo)
            if actor is None:
                return 0
            from zhiqian_desktop.gui.guard import BackupScheduler, SessionGuard

            guard = SessionGuard(session.db, actor, lambda a: build_main_window(session, a))
            backups = BackupScheduler(session.db)
            backups.failed.connect(lambda text: _status(session, text))
            session.cleanups.append(guard.stop)
            session.cleanups.append(backups.stop)
            guard.window.show()
            # Support staff (and the set-up test) read from the log that the window came up.
            log.info("主窗口已打开：%s", guard.window.windowTitle())
            if not demo:
                check_in_background(session, url, backups.start)
            return app.exec()
        except UserError as exc:
            _message(QMessageBox.Icon.Critical, "执前督促", exc.message)
            return 1
        finally:
            session.close()
    finally:
        reporter.uninstall()
        log.info("退出")
