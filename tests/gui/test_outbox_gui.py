"""短信发件箱 on the desktop: drafting on the case page's 短信 tab, the outbox page's filter,
editing with the length shown, approving, exporting through the save dialog, reading a result
file back, and a result file that does not match refused in the banner with nothing written."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context
from tests.gui.test_files_and_transfer import save_as, when_modal
from tests.services.test_messages import case_with_a_promise
from zhiqian_desktop.domain.kinds import ContactKind, MessageStatus
from zhiqian_desktop.gui.case_page import CasePage
from zhiqian_desktop.gui.outbox_page import MessageDialog, OutboxPage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.supervision import messages
from zhiqian_desktop.services.supervision.contacts import list_contacts
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    return case_with_a_promise(db, admin)


def cells(table: object, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]  # type: ignore[attr-defined]


def open_outbox(qtbot: QtBot, db: Database, admin: Actor) -> OutboxPage:
    page = OutboxPage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_draft_on_the_case_page(qtbot: QtBot, db: Database, admin: Actor, case_id: str) -> None:
    page = CasePage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.show_case(case_id)
    page.show()
    qtbot.waitExposed(page)
    tab = page.messages
    page.tabs.setCurrentWidget(tab)
    assert tab.progress_button.isEnabled() and tab.table.rowCount() == 0
    qtbot.mouseClick(tab.progress_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    assert "已给李某起草进展回告" in tab.banner.text()
    row = cells(tab.table, 0)
    assert row[:6] == [
        "（2026）内0221执前督1号",
        "进展回告",
        "李某",
        "13800001111",
        "2026-11-25",
        "草稿",
    ]
    assert "其承诺于2026年11月27日前履行3,000.00元" in row[7]
    qtbot.mouseClick(tab.progress_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已有尚未发送的进展回告短信" in tab.banner.text())
    qtbot.mouseClick(tab.remind_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2)
    assert "已起草1条履行提醒" in tab.banner.text()


def test_approve_export_and_read_back(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    messages.draft_progress(db, admin, case_id, today=TODAY)
    page = open_outbox(qtbot, db, admin)
    assert page.status.currentText() == "草稿" and page.table.rowCount() == 1
    assert not page.approve_button.isEnabled()
    qtbot.mouseClick(page.remind_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    assert "已起草1条履行提醒" in page.banner.text()

    # Edit the reminder: the length follows the text.
    page.table.selectRow(1)
    assert page.preview.isVisible()
    assert page.preview.text().startswith("王某某（13912345678）：【")
    dialog = MessageDialog(page.selected()[0], page)
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("字" * 71)
    assert dialog.length.text() == "71字，分2条发送（上限335字）"
    dialog.text.setPlainText("字" * 336)
    assert "336字" in dialog.length.text() and "b00020" in dialog.length.styleSheet()

    page.table.selectAll()
    assert page.approve_button.isEnabled()
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0)
    assert "已审核2条短信" in page.banner.text()
    page.status.setCurrentIndex(page.status.findData(MessageStatus.APPROVED.value))
    assert page.table.rowCount() == 2 and "已审核（管理员）" in cells(page.table, 0)[5]

    target = tmp_path / "待发短信.xlsx"
    when_modal(qtbot, save_as(target, {}), QFileDialog)
    page.export()
    qtbot.waitUntil(lambda: "已导出2条短信（批次20261125-01）" in page.banner.text())
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[1]] == ["手机号码", "姓名", "短信内容", "消息编号"]
    assert page.status.currentText() == "已导出" and page.table.rowCount() == 2

    # A result file that does not match: refused, named, nothing written.
    bad = tmp_path / "错的结果.csv"
    bad.write_text("消息编号,手机号码,发送状态\n20261125-01-001,13800009999,成功\n")
    page.read_results_from(bad)
    qtbot.waitUntil(lambda: "第2行的手机号码“13800009999”与导出时的号码不同" in page.banner.text())
    assert messages.outbox_counts(db)[MessageStatus.EXPORTED] == 2

    result = tmp_path / "结果.csv"
    result.write_text(
        "消息编号,手机号码,发送状态,失败原因\n"
        "20261125-01-001,13800001111,成功,\n"
        "20261125-01-002,13912345678,失败,关机\n",
        encoding="utf-8-sig",
    )
    with qtbot.waitSignal(page.changed, timeout=20000):
        page.read_results_from(result)
    assert "已发送1条，发送失败1条" in page.banner.text()
    assert page.status.currentText() == "全部"
    states = sorted(cells(page.table, r)[5] for r in range(page.table.rowCount()))
    assert states == ["发送失败（关机）", "已发送"]
    assert [e.kind for e in list_contacts(db, case_id)][-2:] == [
        ContactKind.APPLICANT_NOTICE,
        ContactKind.REMINDER,
    ]
    # The sent one cannot be edited or discarded.
    sent_row = next(r for r in range(page.table.rowCount()) if cells(page.table, r)[5] == "已发送")
    page.table.clearSelection()
    page.table.selectRow(sent_row)
    assert not page.edit_button.isEnabled() and not page.discard_button.isEnabled()
    assert page.open_button.isEnabled()
