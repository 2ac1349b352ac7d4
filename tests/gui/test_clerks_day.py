"""A clerk's day replayed through the main window only (clicks and keys): register a case, log
a call from 今日待办, record the payment, close the case and issue the certificate, then look at
the docket and the statistics. After each step every open view shows the new state, and no slot
raised."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context
from tests.gui.test_case_form import fill_valid_case, type_text
from tests.gui.test_files_and_transfer import when_modal
from tests.gui.test_keyboard import Keyboard
from zhiqian_desktop.gui.case_form import CaseFormDialog
from zhiqian_desktop.gui.contact_dialog import ContactDialog
from zhiqian_desktop.gui.docket_model import CASE_ID_ROLE
from zhiqian_desktop.gui.main_window import (
    PAGE_CASE,
    PAGE_DOCKET,
    PAGE_DUE,
    PAGE_STATS,
    MainWindow,
)
from zhiqian_desktop.gui.outcome_dialogs import CloseDialog, PaymentDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui

Mod = Qt.KeyboardModifier


def docket_ids(window: MainWindow) -> list[str]:
    model = window.docket.model
    return [model.index(r, 0).data(CASE_ID_ROLE) for r in range(model.rowCount())]


def due_ids(window: MainWindow) -> set[str]:
    return {item.case_id for item in window.due_list.model.items}


def test_a_clerks_day(qtbot: QtBot, db: Database, admin: Actor) -> None:
    window = MainWindow(gui_context(db, admin, today=TODAY))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    keys = Keyboard(qtbot, window)

    with qtbot.captureExceptions() as raised:
        # 1. Register a case (Ctrl+N), then close the form.
        keys.press(Qt.Key.Key_N, Mod.ControlModifier)
        form = window.case_form
        assert isinstance(form, CaseFormDialog)
        qtbot.waitExposed(form)
        fill_valid_case(qtbot, form)
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.saved_case_id is not None)
        case_id = form.saved_case_id
        assert case_id is not None
        qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: docket_ids(window) == [case_id])
        assert window.docket.count_label.text() == "共 1 件"
        qtbot.waitUntil(lambda: due_ids(window) == {case_id})
        assert not raised

        # 2. From 今日待办: Enter, the note, Ctrl+Enter.
        keys.press(Qt.Key.Key_1, Mod.ControlModifier)
        assert window.current_page() == PAGE_DUE
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.due_list.table)
        keys.press(Qt.Key.Key_Return)
        call = window.due_list.contact_dialog
        assert isinstance(call, ContactDialog)
        keys.type("promised to pay today")
        with qtbot.waitSignal(call.accepted):
            keys.press(Qt.Key.Key_Return, Mod.ControlModifier)
        assert not raised

        # 3. Open the case (Ctrl+O): the call is on its 督促记录 tab.
        keys.press(Qt.Key.Key_O, Mod.ControlModifier)
        assert window.current_page() == PAGE_CASE
        page = window.case_page
        assert page is not None and page.case_id == case_id
        assert page.contacts.table.rowCount() == 1
        assert not raised

        # 4. The payment of the whole amount, on the 履行 tab.
        page.tabs.setCurrentIndex(4)
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
        pay = page.outcome_dialog
        assert isinstance(pay, PaymentDialog)
        type_text(qtbot, pay.amount, "12345.67")
        with qtbot.waitSignal(pay.saved):
            qtbot.mouseClick(pay.save_button, Qt.MouseButton.LeftButton)
        assert page.summary.values["outstanding"].text() == "¥0.00"
        qtbot.waitUntil(lambda: "（100.00%）" in page.performance_line.text())
        assert not raised

        # 5. Close it as 自动履行完毕 and issue the certificate when offered.
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
        close = page.outcome_dialog
        assert isinstance(close, CloseDialog)
        type_text(qtbot, close.reason, "被申请人已全部履行")

        def issue(box: object) -> None:
            assert isinstance(box, QMessageBox)
            next(b for b in box.buttons() if b.text() == "立即出具").click()

        when_modal(qtbot, issue, QMessageBox)
        with qtbot.waitSignal(close.saved, timeout=30000):
            qtbot.mouseClick(close.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.status_chip.text() == "自动履行完毕")
        qtbot.waitUntil(lambda: page.documents.table.rowCount() == 1)
        assert "自动履行证明书" in page.documents.table.item(0, 1).text()  # type: ignore[union-attr]
        assert not page.pay_button.isEnabled()
        qtbot.waitUntil(lambda: due_ids(window) == set())
        assert not raised

        # 6. Back (Alt+Left) to 今日待办, then the docket's open cases and the statistics.
        keys.press(Qt.Key.Key_Left, Mod.AltModifier)
        assert window.current_page() == PAGE_DUE
        assert window.due_list.model.rowCount() == 0
        keys.press(Qt.Key.Key_2, Mod.ControlModifier)
        assert window.current_page() == PAGE_DOCKET
        window.docket.status_combo.setCurrentText("办理中")
        assert window.docket.count_label.text() == "符合条件 0 件"
        window.docket.status_combo.setCurrentText("已结案")
        assert docket_ids(window) == [case_id]
        keys.press(Qt.Key.Key_3, Mod.ControlModifier)
        assert window.current_page() == PAGE_STATS
        stats = window.stats_page
        assert stats is not None
        qtbot.waitUntil(lambda: stats._task is None)
        assert not raised
    assert not raised
