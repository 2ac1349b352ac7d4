"""The 今日待办 page, the contact dialog and the contacts tab, driven as a clerk would."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import gui_context, make_case_input
from zhiqian_desktop.domain.dues import DueItem, DueKind, court_date
from zhiqian_desktop.domain.kinds import ContactKind
from zhiqian_desktop.gui.contact_dialog import ContactDialog
from zhiqian_desktop.gui.contacts_tab import ContactsTab
from zhiqian_desktop.gui.due_list_page import COL_CASE, ITEM_ROLE, OVERDUE_COLOUR, DueListPage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE
from zhiqian_desktop.services.intake import docket
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.types import utcnow

pytestmark = pytest.mark.gui

# The dialog defaults to the real "now", so these tests run on the real date.
NOW = utcnow()
TODAY = court_date(NOW, DEFAULT_ZONE)


@pytest.fixture
def cases(db: Database, admin: Actor) -> tuple[str, str]:
    """Two cases; the livelihood one has a follow-up due today."""
    ids = []
    for n, livelihood in ((1, False), (2, True)):
        data = make_case_input(
            n,
            obligor=f"被申请人{n}",
            received=TODAY - timedelta(days=5),
            effective_date=TODAY - timedelta(days=40),
            performance_deadline=TODAY - timedelta(days=20),
            livelihood=livelihood,
            livelihood_kind="追索劳动报酬" if livelihood else None,
        )
        with db.unit_of_work() as s:
            ids.append(docket.register_case(s, admin, data, today=TODAY).id)
    call = ContactInput(
        ContactKind.PHONE, NOW - timedelta(hours=1), True, "称今天回电", next_follow_up=TODAY
    )
    with db.unit_of_work() as s:
        contacts.log_contact(s, admin, ids[1], call)
    return ids[0], ids[1]


def rows(page: DueListPage) -> list[DueItem]:
    return [page.model.index(r, 0).data(ITEM_ROLE) for r in range(page.model.rowCount())]


def open_page(qtbot: QtBot, db: Database, admin: Actor) -> DueListPage:
    page = DueListPage(gui_context(db, admin, today=TODAY))
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    qtbot.waitUntil(lambda: page._task is None and page.model.rowCount() > 0, timeout=10000)
    return page


def test_page_lists_items_most_urgent_first(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str]
) -> None:
    page = open_page(qtbot, db, admin)
    items = rows(page)
    plain, livelihood = cases
    assert {(i.case_id, i.kind) for i in items} >= {
        (plain, DueKind.NO_URGING),
        (livelihood, DueKind.NO_URGING),
        (livelihood, DueKind.FOLLOW_UP),
    }
    assert items[0].case_id == livelihood and items[0].priority == 1
    assert page.model.index(0, COL_CASE).data().startswith("★民生 （")
    brush = page.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == OVERDUE_COLOUR
    assert "已逾期" in page.counts.text()
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        page.kind_combo.setCurrentIndex(page.kind_combo.findData(DueKind.FOLLOW_UP))
    assert [(i.case_id, i.kind) for i in rows(page)] == [(livelihood, DueKind.FOLLOW_UP)]
    with qtbot.waitSignal(page.open_case) as opened:
        page.open_button.click()
    assert opened.args == [livelihood]


def test_logging_a_call_with_a_new_follow_up_takes_the_row_off_the_list(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str]
) -> None:
    """Keyboard only: arrow to the row, Enter, type, Ctrl+Enter; the follow-up row leaves."""
    page = open_page(qtbot, db, admin)
    _plain, livelihood = cases
    follow = [i for i in rows(page) if i.kind is DueKind.FOLLOW_UP]
    assert [i.case_id for i in follow] == [livelihood]
    target = rows(page).index(follow[0])

    page.table.setFocus()
    page.table.selectRow(0)
    for _ in range(target):
        qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.selected_item() == follow[0]
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.contact_dialog
    assert isinstance(dialog, ContactDialog) and dialog.isVisible()
    assert dialog.kind_combo.currentText() == "电话督促"
    assert dialog.number_combo.currentText() == "13912345678"
    assert dialog.party_combo.currentText() == "被申请人2（被申请人）"
    # The window manager activates a new dialog; offscreen it has to be asked.
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)

    dialog.summary_edit.setFocus()
    # Chinese arrives through the input method as committed text (QTest types ASCII only).
    dialog.summary_edit.insertPlainText("被申请人称下周一前付清工资")
    qtbot.keyClick(dialog.summary_edit, Qt.Key.Key_Tab)  # Tab leaves the text box
    assert dialog.focusWidget() is not dialog.summary_edit
    dialog.follow_up.setFocus()
    qtbot.keyClicks(dialog.follow_up, (TODAY + timedelta(days=10)).isoformat())
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        qtbot.keyClick(dialog.follow_up, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert page.contact_dialog is None
    kinds = {(i.case_id, i.kind) for i in rows(page)}
    assert (livelihood, DueKind.FOLLOW_UP) not in kinds
    assert (livelihood, DueKind.NO_URGING) in kinds, "other items stay until their data changes"
    with db.reader() as s:
        entries = contacts.list_contacts(s, livelihood)
    assert entries[-1].summary == "被申请人称下周一前付清工资"
    assert entries[-1].next_follow_up == TODAY + timedelta(days=10)


def test_dialog_says_what_is_wrong_and_stays_open(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str], tmp_path: Path
) -> None:
    dialog = ContactDialog(gui_context(db, admin, today=TODAY), cases[0])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.summary_edit.setPlainText("答应付款")
    dialog.promise_amount.setText("-5")
    dialog.promise_date.setText(TODAY.isoformat())
    dialog.save()
    assert dialog.isVisible() and "负数" in dialog.banner.text()
    assert dialog.focusWidget() is dialog.promise_amount or not dialog.isActiveWindow()
    dialog.promise_amount.setText("5,000")
    dialog.follow_up.setText((TODAY - timedelta(days=1)).isoformat())
    dialog.save()
    qtbot.waitUntil(lambda: "下次跟进日期不能早于" in dialog.banner.text())
    dialog.follow_up.setText("")
    scan = tmp_path / "回执.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    dialog.add_attachment_paths([scan])
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)
    with db.reader() as s:
        [entry] = contacts.list_contacts(s, cases[0])
    assert [a.filename for a in entry.attachments] == ["回执.pdf"]
    assert str(entry.promise_amount) == "5000.00"


def test_contacts_tab_shows_corrections_struck_through(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str]
) -> None:
    _plain, livelihood = cases
    tab = ContactsTab(gui_context(db, admin, today=TODAY))
    qtbot.addWidget(tab)
    tab.show_case(livelihood)
    assert tab.table.rowCount() == 1
    tab.table.selectRow(0)
    tab.correct_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, ContactDialog) and dialog.corrects_id is not None
    assert dialog.summary_edit.toPlainText() == "称今天回电"
    dialog.summary_edit.setPlainText("称明天回电")
    dialog.follow_up.setText((TODAY + timedelta(days=1)).isoformat())
    with qtbot.waitSignal(tab.changed):
        dialog.save()
    assert tab.table.rowCount() == 2
    original, fixed = tab.table.item(0, 6), tab.table.item(1, 6)
    assert original.text() == "称今天回电" and original.font().strikeOut()
    assert fixed.text() == "称明天回电" and not fixed.font().strikeOut()
    assert tab.table.item(0, 10).text() == "已被更正"
    tab.table.selectRow(0)
    assert not tab.correct_button.isEnabled(), (
        "a corrected entry is corrected through its correction"
    )


def test_applicant_notice_is_copied_and_logged(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str]
) -> None:
    tab = ContactsTab(gui_context(db, admin, today=TODAY))
    qtbot.addWidget(tab)
    tab.show_case(cases[0])
    tab.notice_button.click()
    dialog = tab.dialog
    assert dialog is not None
    text = dialog.text.toPlainText()  # type: ignore[attr-defined]
    assert text.startswith("李某：") and "土默特右旗人民法院" in text
    with qtbot.waitSignal(tab.changed):
        dialog.log_sent()  # type: ignore[attr-defined]
    assert QApplication.clipboard().text() == text
    assert tab.table.item(0, 1).text() == "执行信息回告"
    # What was sent stays as it was sent: the notice is not corrected into a call.
    tab.table.selectRow(0)
    assert not tab.correct_button.isEnabled()
    assert "不能更正" in tab.correct_button.toolTip()


def test_daily_summary_text(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str]
) -> None:
    page = open_page(qtbot, db, admin)
    called_on = court_date(NOW - timedelta(hours=1), DEFAULT_ZONE)  # the fixture's call
    if called_on != page.on_date():
        with qtbot.waitSignal(page.refreshed, timeout=10000):
            page.set_date(called_on)
    text = page.summary_text()
    assert text.startswith("【日督办】") and "电话督促1次" in text


def test_screenshots(
    qtbot: QtBot, db: Database, admin: Actor, cases: tuple[str, str], tmp_path: Path
) -> None:
    """Renders the page and the dialog; kept as files when ZHIQIAN_SHOTS names a folder."""
    import os

    page = open_page(qtbot, db, admin)
    dialog = ContactDialog(gui_context(db, admin, today=TODAY), cases[1])
    qtbot.addWidget(dialog)
    dialog.show()
    out = Path(os.environ.get("ZHIQIAN_SHOTS", tmp_path))
    assert page.grab().save(str(out / "due_list_page.png"))
    assert dialog.grab().save(str(out / "contact_dialog.png"))


def test_the_list_exports_to_xlsx_as_shown(
    qtbot: QtBot, db: Database, admin: Actor, tmp_path: Path
) -> None:
    import openpyxl

    data = make_case_input(
        9,
        obligor='=HYPERLINK("http://x")',
        received=TODAY - timedelta(days=5),
        effective_date=TODAY - timedelta(days=40),
        performance_deadline=TODAY - timedelta(days=20),
    )
    with db.unit_of_work() as s:
        docket.register_case(s, admin, data, today=TODAY)
    page = open_page(qtbot, db, admin)
    shown = rows(page)
    target = page.export_xlsx(tmp_path / "待办.xlsx")
    assert target is not None
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("分组", "案号", "被申请人", "事项")
    assert [r[1] for r in values[1:]] == [
        i.case_no + ("（民生）" if i.livelihood else "") for i in shown
    ]
    formula_cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.column == 3]
    assert all(c.data_type == "s" for c in formula_cells)
    assert formula_cells[0].value.startswith("=HYPERLINK")
