"""The desktop shell: start page, navigation, shortcuts, geometry, single instance, crash path."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui import app as app_module
from zhiqian_desktop.gui.app import ErrorReporter, lock_database
from zhiqian_desktop.gui.docket_model import ROW_ROLE
from zhiqian_desktop.gui.main_window import (
    PAGE_CASE,
    PAGE_DOCKET,
    PAGE_DUE,
    PAGE_SETTINGS,
    PAGE_STATS,
    MainWindow,
)
from zhiqian_desktop.gui.worker import Progress, run_in_background
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.locations import data_dir, log_dir
from zhiqian_desktop.store.log_file import setup_logging

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, db: Database, admin: Actor) -> MainWindow:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1, phone="13811112222"), today=TODAY)
        register_case(s, admin, make_case_input(2, obligor="赵某"), today=TODAY)
    win = MainWindow(gui_context(db, admin))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_opens_on_the_due_list_with_the_docket_one_click_away(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.current_page() == PAGE_DUE
    assert window.nav.currentRow() == PAGE_DUE
    assert "土默特右旗人民法院" in window.windowTitle()
    assert window.due_list.isVisible()
    rect = window.nav.visualItemRect(window.nav.item(PAGE_DOCKET))
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page() == PAGE_DOCKET
    assert window.docket.model.rowCount() == 2


def test_navigation_list_switches_pages(qtbot: QtBot, window: MainWindow) -> None:
    for page in (PAGE_DOCKET, PAGE_STATS, PAGE_SETTINGS, PAGE_DUE):
        rect = window.nav.visualItemRect(window.nav.item(page))
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_page() == page
    assert window.settings_page is not None


def test_status_bar_names_database_and_user(window: MainWindow, db: Database) -> None:
    assert str(db.path) in window.location_label.text()
    assert "管理员" in window.user_label.text()


def test_ctrl_f_focuses_quick_search(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == PAGE_DOCKET
    qtbot.waitUntil(lambda: window.docket.search_edit.hasFocus())
    qtbot.keyClicks(window.docket.search_edit, "13811112222")
    qtbot.waitUntil(lambda: window.docket.model.rowCount() == 1)


def test_ctrl_n_opens_the_case_form(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.case_form is not None and window.case_form.isVisible())
    assert window.case_form is not None
    window.case_form.reject()


def test_f5_refreshes_the_docket(
    qtbot: QtBot, window: MainWindow, db: Database, admin: Actor
) -> None:
    window.show_docket()
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(3), today=TODAY)
    assert window.docket.model.rowCount() == 2
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.docket.model.rowCount() == 3


def test_double_click_opens_the_case_page(qtbot: QtBot, window: MainWindow) -> None:
    window.show_docket()
    table = window.docket.table
    index = window.docket.model.index(0, 2)
    case_id = index.data(ROW_ROLE).id
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page() == PAGE_CASE
    assert window.case_page is not None
    assert getattr(window.case_page, "case_id", case_id) == case_id
    back = window.form.findChild(QPushButton, "back_button")
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert window.current_page() == PAGE_DOCKET


def test_window_geometry_is_remembered(
    qtbot: QtBot, window: MainWindow, db: Database, admin: Actor
) -> None:
    window.resize(777, 555)  # the offscreen screen is 800×800
    window.close()
    assert (data_dir() / "window.ini").exists()
    again = MainWindow(gui_context(db, admin))
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (777, 555)


# --- single instance ---------------------------------------------------------------------------


def test_second_lock_on_the_same_database_is_refused(db_path: Path) -> None:
    first = lock_database(db_path)
    try:
        with pytest.raises(UserError, match="已在另一个窗口中打开"):
            lock_database(db_path)
    finally:
        first.unlock()
    lock_database(db_path).unlock()  # free again once the first window closed


@pytest.mark.slow
def test_stale_lock_of_a_killed_process_is_taken_over(db_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from PySide6.QtCore import QLockFile
                lock = QLockFile({str(db_path) + ".lock"!r})
                assert lock.tryLock(100)
                print("locked", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(UserError):
            lock_database(db_path)
        holder.kill()  # SIGKILL: the lock file stays behind
        holder.wait(10)
        assert Path(str(db_path) + ".lock").exists()
        lock = lock_database(db_path)
        lock.unlock()
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_run_refuses_a_database_open_elsewhere(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(app_module, "_message", lambda _icon, _title, text: shown.append(text))
    held = lock_database(db_path)
    try:
        assert app_module.run(sqlite_url(db_path)) == 1
    finally:
        held.unlock()
    assert len(shown) == 1 and "已在另一个窗口中打开" in shown[0]


def test_run_reports_a_file_that_is_not_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(app_module, "_message", lambda _icon, _title, text: shown.append(text))
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"not a database at all, just text" * 10)
    assert app_module.run(sqlite_url(bogus)) == 1
    assert "不是本系统的数据库" in shown[0]
    assert bogus.read_bytes().startswith(b"not a database")


# --- crash path --------------------------------------------------------------------------------


def _raise(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_excepthook_logs_shows_the_log_file_and_keeps_running(qtbot: QtBot) -> None:
    log_file = setup_logging()
    reporter = ErrorReporter(log_file)
    kind, exc, tb = _raise(ZeroDivisionError("除数为零"))
    reporter(kind, exc, tb)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(reporter.dialogs) == 1)
    box = reporter.dialogs[0]
    assert box.icon() == QMessageBox.Icon.Critical
    assert str(log_file) in box.text()
    assert "ZeroDivisionError" in box.detailedText()
    assert log_file.parent == log_dir()
    assert "ZeroDivisionError: 除数为零" in log_file.read_text(encoding="utf-8")
    box.close()
    assert QApplication.instance() is not None  # still running


def test_user_error_is_a_one_line_warning_not_a_crash(qtbot: QtBot) -> None:
    log_file = setup_logging()
    reporter = ErrorReporter(log_file)
    kind, exc, tb = _raise(UserError("案号格式不对；请按（2026）内0221执前督12号填写"))
    reporter(kind, exc, tb)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(reporter.dialogs) == 1)
    box = reporter.dialogs[0]
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == "案号格式不对；请按（2026）内0221执前督12号填写"
    assert not box.detailedText()
    assert "Traceback" not in log_file.read_text(encoding="utf-8")
    box.close()


# --- background worker -------------------------------------------------------------------------


def test_worker_reports_progress_and_result(qtbot: QtBot) -> None:
    seen: list[int] = []
    results: list[tuple[str, bool]] = []
    worker_threads: list[threading.Thread] = []

    def work(progress: Progress) -> str:
        worker_threads.append(threading.current_thread())
        for i in range(3):
            progress.report(i + 1, 3)
        return "完成"

    def done(value: str) -> None:
        results.append((value, threading.current_thread() is threading.main_thread()))

    task = run_in_background(work, on_success=done, on_progress=lambda n, _t, _x: seen.append(n))
    qtbot.waitUntil(lambda: task.done)
    assert seen == [1, 2, 3]
    assert results == [("完成", True)]  # callbacks run on the GUI thread
    assert worker_threads[0] is not threading.main_thread()


def test_worker_delivers_failure(qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def work(_progress: Progress) -> None:
        raise UserError("磁盘已满")

    task = run_in_background(work, on_failure=errors.append)
    qtbot.waitUntil(lambda: task.done)
    assert [str(e) for e in errors] == ["磁盘已满"]


# --- bundled fonts -----------------------------------------------------------------------------


def test_bundled_fonts_are_registered_and_used(qapp: QApplication, tmp_path: Path) -> None:
    from zhiqian_desktop.gui.fonts import (
        HAN_FALLBACK_FAMILY,
        UI_FAMILY,
        apply_ui_font,
        register_bundled_fonts,
    )
    from zhiqian_desktop.resources_access import bundled_font_paths, resource_path

    paths = bundled_font_paths()
    assert [p.name for p in paths] == ["wqy-microhei.ttc", "uming.ttc", "zq-han-fallback.ttf"]
    assert (resource_path("fonts") / "uming.ARPHICPL.txt").is_file()
    assert (resource_path("fonts") / "zq-han-fallback.LICENSE.txt").is_file()
    families = register_bundled_fonts()
    assert UI_FAMILY in families and "AR PL UMing CN" in families
    assert HAN_FALLBACK_FAMILY in families
    font = apply_ui_font(None)
    assert font.family() == UI_FAMILY and font.families()[-1] == HAN_FALLBACK_FAMILY
    assert QApplication.font().family() == UI_FAMILY
    # a configured court font that is missing or broken falls back to the bundled one
    broken = tmp_path / "court.ttf"
    broken.write_bytes(b"not a font")
    assert apply_ui_font(str(broken)).family() == UI_FAMILY
    assert apply_ui_font(str(tmp_path / "missing.ttf")).family() == UI_FAMILY
    court_font = paths[1]  # any other real font file stands in for the court's own
    assert apply_ui_font(str(court_font)).family().startswith("AR PL UMing")
    apply_ui_font(None)


def test_menus_open_import_kit_and_trip_dialogs(qtbot: QtBot, window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["案件(&C)", "离线包(&K)", "帮助(&H)"]
    for open_dialog in (
        window.import_cases,
        window.export_kit,
        window.import_changes,
        window.resolve_conflicts,
        window.batch_print,
        window.scan_service,
        window.batch_transfer,
    ):
        dialog = open_dialog()
        qtbot.waitExposed(dialog)
        assert dialog.isVisible()
        dialog.reject()


def test_damage_found_after_the_window_shows_offers_the_backup(
    qtbot: QtBot, db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desktop start defers quick_check; a damaged file still leads to the way out."""
    from tests.store.test_database import _damage_middle_pages
    from zhiqian_desktop.gui import app as app_module
    from zhiqian_desktop.store.engine import DamagedDatabase

    with db.unit_of_work() as s:
        for n in range(1, 60):
            register_case(s, admin, make_case_input(n, notes="备注" * 200), today=TODAY)
    path = db.path
    assert path is not None
    db.dispose()
    _damage_middle_pages(path)

    session = app_module.open_session(sqlite_url(path), defer_check=True)  # schema still reads
    offered: list[BaseException] = []
    monkeypatch.setattr(app_module, "offer_restore", lambda _url, exc: offered.append(exc) or False)
    monkeypatch.setattr(app_module.QApplication, "quit", lambda: None)
    sound: list[bool] = []
    app_module.check_in_background(session, sqlite_url(path), lambda: sound.append(True))
    qtbot.waitUntil(lambda: bool(offered), timeout=10_000)
    assert isinstance(offered[0], DamagedDatabase) and not sound
    assert session.lock is None  # released, so the backup can be put in place


def test_a_sound_file_passes_the_background_check(qtbot: QtBot, db: Database) -> None:
    from zhiqian_desktop.gui import app as app_module

    assert db.path is not None
    db.dispose()
    session = app_module.open_session(sqlite_url(db.path), defer_check=True)
    sound: list[bool] = []
    app_module.check_in_background(session, sqlite_url(db.path), lambda: sound.append(True))
    qtbot.waitUntil(lambda: bool(sound), timeout=10_000)
    session.close()


def test_the_import_template_is_saved_from_the_menu(window: MainWindow, tmp_path: Path) -> None:
    import openpyxl

    path = window.save_import_template(tmp_path / "模板.xlsx")
    assert path is not None
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["案件", "说明"]


def test_the_window_opens_without_the_printing_stack(
    sqlite_db: Database, db_path: Path, admin: Actor
) -> None:
    """ReportLab (with PIL and qrcode) and openpyxl load when a document or a workbook is made,
    not while the window opens: a fresh process builds the window and shows the docket."""
    with sqlite_db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    sqlite_db.dispose()
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtWidgets import QApplication
        from zhiqian_desktop.gui import app as gui_app
        qapp = gui_app.make_application(["zhiqian"])
        session = gui_app.open_session(sys.argv[1], defer_check=True)
        window = gui_app.build_main_window(session)
        window.show()
        window.show_docket()
        QApplication.processEvents()
        print(sorted(m for m in ("reportlab", "PIL", "qrcode", "openpyxl") if m in sys.modules))
        window.close()
        session.close()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, sqlite_url(db_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr
