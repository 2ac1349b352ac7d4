"""Columns fit their content, a cut cell shows its whole text on hover, and each user's column
widths and sort order come back the next time that user opens the app."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.docket_model import COL_HANDLER, COL_OBLIGOR
from zhiqian_desktop.gui.main_window import MainWindow
from zhiqian_desktop.gui.table_state import MAX_WIDTH
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
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
