"""Columns fit their content, a cut cell shows its whole text on hover, and each user's column
widths and sort order come back the next time that user opens the app."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.case_page import RecordView
from zhiqian_desktop.gui.docket_model import COL_HANDLER, COL_OBLIGOR
from zhiqian_desktop.gui.main_window import MainWindow
from zhiqian_desktop.gui.stats_page import CasesDialog
from zhiqian_desktop.gui.table_state import MAX_WIDTH
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import DocketRow, register_case
from zhiqian_desktop.services.supervision.case_view import RecordTable
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui

LONG = "内蒙古自治区包头市土默特右旗萨拉齐镇某某建筑工程有限责任公司第二分公司"


def open_window(qtbot: QtBot, db: Database, actor: Actor) -> MainWindow:
    win = MainWindow(gui_context(db, actor))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_columns_fit_and_each_user_keeps_widths_and_sort(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    register_case(db, admin, make_case_input(1, obligor="王五"), today=TODAY)
    register_case(db, admin, make_case_input(2, obligor="赵某"), today=TODAY)
    register_case(db, admin, make_case_input(3, obligor=LONG), today=TODAY)
    win = open_window(qtbot, db, admin)
    table, model = win.docket.table, win.docket.model
    metrics = table.fontMetrics()
    names = [model.index(r, COL_OBLIGOR).data() for r in range(3)]
    row = names.index(LONG)
    assert model.index(row, COL_OBLIGOR).data(Qt.ItemDataRole.ToolTipRole) == LONG
    assert table.columnWidth(COL_OBLIGOR) == MAX_WIDTH  # capped; the tooltip has the rest
    for column in range(model.columnCount()):
        if column == COL_OBLIGOR:
            continue
        widest = max(
            metrics.horizontalAdvance(str(model.index(r, column).data())) for r in range(3)
        )
        assert table.columnWidth(column) >= widest, model.headerData(
            column, Qt.Orientation.Horizontal
        )

    table.setColumnWidth(COL_OBLIGOR, 150)
    table.sortByColumn(COL_HANDLER, Qt.SortOrder.DescendingOrder)
    win.close()

    again = open_window(qtbot, db, admin)
    assert again.docket.table.columnWidth(COL_OBLIGOR) == 150
    assert again.docket.model.query.sort == "handler" and again.docket.model.query.descending

    handler = actor_for(
        create_user(db, admin, username="li", display_name="李承办", role=Role.HANDLER)
    )
    other = open_window(qtbot, db, handler)
    assert other.docket.table.columnWidth(COL_OBLIGOR) == MAX_WIDTH
    assert other.docket.model.query.sort != "handler"


def cut_cells(view: QTableView) -> list[str]:
    """Cells whose text does not fit the lines their row has: it would end in “…”."""
    model, metrics = view.model(), view.fontMetrics()
    cut = []
    for row in range(model.rowCount()):
        lines = max(view.rowHeight(row) // metrics.lineSpacing(), 1)
        for column in range(model.columnCount()):
            text = model.index(row, column).data()
            if not isinstance(text, str) or not text:
                continue
            mark = model.index(row, column).data(Qt.ItemDataRole.DecorationRole)
            room = view.columnWidth(column) - 12 - (metrics.height() + 6 if mark else 0)
            needed = -(-metrics.horizontalAdvance(text) // max(room, 1))
            wraps = view.wordWrap() and view.textElideMode() == Qt.TextElideMode.ElideNone
            if needed > (lines if wraps else 1):
                cut.append(f"{text} ({needed} > {lines} 行, {room} px)")
    return cut


def test_a_long_obligor_name_wraps_in_the_docket_instead_of_being_cut(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    register_case(db, admin, make_case_input(1, obligor="王五"), today=TODAY)
    register_case(db, admin, make_case_input(3, obligor=LONG), today=TODAY)
    register_case(db, admin, make_case_input(12345, livelihood=True), today=TODAY)  # 民 mark
    win = open_window(qtbot, db, admin)
    qtbot.waitUntil(lambda: cut_cells(win.docket.table) == [])


def test_installments_and_notes_on_the_case_page_wrap_and_keep_their_widths(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    terms = "第三期：2027年3月31日前给付剩余款项48,000元及按全国银行间同业拆借中心公布的贷款市场报价利率计算的利息"
    records = RecordTable(
        ("期次", "到期日", "金额", "说明"),
        [("1", "2027-01-31", "10,000.00", terms), ("2", "2027-02-28", "10,000.00", "")],
    )
    view = RecordView("尚无分期履行安排", "installments")
    view.remember_for(admin.username)
    qtbot.addWidget(view)
    view.resize(520, 300)
    view.show()
    view.show_records(records)
    qtbot.waitExposed(view)
    assert cut_cells(view.table) == []
    assert view.table.rowHeight(0) >= 2 * view.table.fontMetrics().lineSpacing()

    view.table.setColumnWidth(1, 140)
    qtbot.wait(600)  # kept once the dragging stops
    again = RecordView("尚无分期履行安排", "installments")
    again.remember_for(admin.username)
    qtbot.addWidget(again)
    again.show_records(records)
    assert again.table.columnWidth(1) == 140
    other = RecordView("尚无分期履行安排", "installments")
    other.remember_for("li")
    qtbot.addWidget(other)
    other.show_records(records)
    assert other.table.columnWidth(1) != 140


def test_the_drill_down_shows_whole_case_numbers_and_names(qtbot: QtBot) -> None:
    rows = [
        DocketRow(
            id=str(n),
            case_no=f"（2026）内0221执前督{n}号",
            original_case_no=f"（2025）内0221民初{n}之一号",
            cause="建设工程施工合同纠纷",
            obligor_names=LONG if n == 1 else "王五",
            amount_due=Decimal("1000000.00"),
            amount_paid=Decimal("0.00"),
            status=CaseStatus.SUPERVISING,
            handler_name="张承办",
            days_in_supervision=3,
            next_due_date=None,
            livelihood=False,
            version=1,
        )
        for n in (1, 12345)
    ]
    dialog = CasesDialog("督促中", rows, "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert cut_cells(dialog.table) == []
