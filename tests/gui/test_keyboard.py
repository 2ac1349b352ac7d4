"""The daily path by keyboard alone, keys counted: from 今日待办, Enter + the note + Ctrl+Enter logs
a call; Alt+Left and Esc return to where a case was opened from; Ctrl+1…5 switch pages; Tab goes
field to field in the dialogs, one press each."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.gui.case_form import CaseFormDialog
from zhiqian_desktop.gui.contact_dialog import ContactDialog
from zhiqian_desktop.gui.main_window import (
    PAGE_CASE,
    PAGE_DOCKET,
    PAGE_DUE,
    PAGE_OUTBOX,
    PAGE_SETTINGS,
    PAGE_STATS,
    MainWindow,
)
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision.contacts import list_contacts
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui

Mod = Qt.KeyboardModifier


class Keyboard:
    """Presses keys where the focus is, as a clerk's keyboard does, and counts them."""

    def __init__(self, qtbot: QtBot, home: QWidget) -> None:
        self.qtbot = qtbot
        self.home = home
        self.count = 0

    def target(self) -> QWidget:
        # A desktop's window manager activates a dialog as it opens; the offscreen test
        # platform has none, so the test does.
        window = QApplication.activeModalWidget() or self.home
        if not window.isActiveWindow():
            window.activateWindow()
            self.qtbot.waitUntil(window.isActiveWindow)
        widget = QApplication.focusWidget()
        assert widget is not None, "no widget has the keyboard focus"
        return widget

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Mod.NoModifier) -> None:
        self.count += 1
        self.qtbot.keyClick(self.target(), key, modifier)

    def type(self, text: str) -> None:
        assert text.isascii()
        for char in text:
            self.count += 1
            self.qtbot.keyClicks(self.target(), char)


@pytest.fixture
def window(qtbot: QtBot, db: Database, admin: Actor) -> MainWindow:
    with db.unit_of_work() as s:
        for n in (1, 2):
            register_case(s, admin, make_case_input(n), today=TODAY)
    win = MainWindow(gui_context(db, admin))
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.due_list.model.rowCount() == 2)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.due_list.table)
    return win


def log_a_call(qtbot: QtBot, window: MainWindow, keys: Keyboard, note: str) -> str:
    item = window.due_list.selected_item()
    assert item is not None
    keys.press(Qt.Key.Key_Return)
    dialog = window.due_list.contact_dialog
    assert isinstance(dialog, ContactDialog)
    qtbot.waitExposed(dialog)
    keys.type(note)
    with qtbot.waitSignal(dialog.accepted):
        keys.press(Qt.Key.Key_Return, Mod.ControlModifier)
    return item.case_id


def test_a_call_is_enter_the_note_and_ctrl_enter_on_every_visit(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    keys = Keyboard(qtbot, window)
    note = "busy, pays 5000 on Friday"
    case_id = log_a_call(qtbot, window, keys, note)
    assert keys.count == 1 + len(note) + 1
    assert [e.summary for e in list_contacts(db, case_id)] == [note]

    # To the case and back, then the same three steps again (Enter used to do nothing now).
    keys.press(Qt.Key.Key_O, Mod.ControlModifier)
    assert window.current_page() == PAGE_CASE
    keys.press(Qt.Key.Key_Left, Mod.AltModifier)
    assert window.current_page() == PAGE_DUE
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.due_list.table)
    keys.count = 0
    second = log_a_call(qtbot, window, keys, "no answer")
    assert keys.count == 1 + len("no answer") + 1
    assert "no answer" in [e.summary for e in list_contacts(db, second)]


def test_back_returns_to_the_page_the_case_was_opened_from(
    qtbot: QtBot, window: MainWindow
) -> None:
    keys = Keyboard(qtbot, window)
    keys.press(Qt.Key.Key_2, Mod.ControlModifier)
    assert window.current_page() == PAGE_DOCKET
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.docket.table)
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    assert window.current_page() == PAGE_CASE
    assert window.back_button.text() == "← 返回案件台账"
    keys.press(Qt.Key.Key_Escape)
    assert window.current_page() == PAGE_DOCKET

    keys.press(Qt.Key.Key_1, Mod.ControlModifier)
    assert window.current_page() == PAGE_DUE
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.due_list.table)
    keys.press(Qt.Key.Key_O, Mod.ControlModifier)
    assert window.current_page() == PAGE_CASE
    assert window.back_button.text() == "← 返回今日待办"
    keys.press(Qt.Key.Key_Escape)
    assert window.current_page() == PAGE_DUE

    for number, page in ((3, PAGE_STATS), (4, PAGE_OUTBOX), (5, PAGE_SETTINGS), (1, PAGE_DUE)):
        keys.press(getattr(Qt.Key, f"Key_{number}"), Mod.ControlModifier)
        assert window.current_page() == page
        assert window.nav.currentRow() == page


INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QAbstractButton)


def tab_through(qtbot: QtBot, dialog: QDialog, first: QWidget) -> list[QWidget]:
    """Tab from ``first`` until the focus comes back to it: the widgets in the order reached."""
    dialog.activateWindow()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    reached: list[QWidget] = [first]
    for _ in range(80):
        before = QApplication.focusWidget()
        assert before is not None
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not before, f"Tab stayed in {type(before).__name__} {before.objectName()}"
        if now is first:
            return reached
        assert now is not None and now not in reached, "Tab went round without reaching the start"
        reached.append(now)
    raise AssertionError("Tab never came back to the first field")


def fields_of(dialog: QDialog) -> list[QWidget]:
    return [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, INPUTS)
        and w.isVisibleTo(dialog)
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.focusProxy() is None
        and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
    ]


def test_tab_reaches_every_field_of_the_call_dialog_one_press_each(
    qtbot: QtBot, window: MainWindow
) -> None:
    item = window.due_list.selected_item()
    assert item is not None
    dialog = ContactDialog(window.ctx, item.case_id, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.summary_edit)
    order = tab_through(qtbot, dialog, dialog.kind_combo)
    assert order[1] is dialog.time_edit and order[2] is dialog.handler_combo
    assert set(fields_of(dialog)) <= set(order)


def test_tab_reaches_every_field_of_the_case_form(qtbot: QtBot, window: MainWindow) -> None:
    dialog = CaseFormDialog(window.ctx, None, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    order = tab_through(qtbot, dialog, dialog.original_case_no)
    missing = [f"{type(w).__name__} {w.objectName()}" for w in fields_of(dialog) if w not in order]
    assert not missing
