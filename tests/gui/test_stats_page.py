"""The 统计 page: it shows the service's figures, and a click on a number lists exactly its cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import gui_context
from tests.services.test_stats import OCT_NOV, Docket, docket  # noqa: F401 - the fixture
from zhiqian_desktop.domain.stats import GroupBy
from zhiqian_desktop.gui.stats_page import CasesDialog, StatsPage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot: QtBot, db: Database, admin: Actor, docket: Docket) -> StatsPage:  # noqa: F811
    page = StatsPage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.set_period(OCT_NOV)
    return page


def _click_cell(qtbot: QtBot, page: StatsPage, row_label: str, figure: str) -> CasesDialog:
    table = page.table
    col = 1 + [table.horizontalHeaderItem(c).text() for c in range(1, table.columnCount())].index(
        {"cases": "收案", "performed": "自动履行", "closed": "结案", "over_limit": "超期未结"}[
            figure
        ]
    )
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == row_label)
    table.scrollTo(table.model().index(row, col))
    rect = table.visualRect(table.model().index(row, col))
    with qtbot.waitSignal(page.casesShown, timeout=10_000) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = blocker.args[0]
    assert isinstance(dialog, CasesDialog)
    qtbot.addWidget(dialog)
    return dialog


def test_page_shows_the_figures_by_month(page: StatsPage) -> None:
    assert page.group_by() is GroupBy.MONTH
    assert page.figure_text("2026年10月", "cases") == "6"
    assert page.figure_text("2026年10月", "resolution_rate") == "50.00%"
    assert page.figure_text("2026年11月", "closed") == "4"
    assert page.figure_text("2026年11月", "median_days") == "10.00"
    assert page.figure_text("合计", "resolution_rate") == "44.44%"
    assert page.figure_text("合计", "performance_rate") == "22.22%"
    assert page.figure_text("合计", "amount_received") == "¥7,500.00"
    header = page.table.horizontalHeaderItem(1 + 6)
    assert header.text() == "化解率" and "（自动履行 + 和解）÷ 收案" in header.toolTip()
    assert "化解率" in page.definitions.toPlainText()


def test_clicking_a_number_lists_exactly_its_cases_and_opens_one(
    qtbot: QtBot,
    page: StatsPage,
    docket: Docket,  # noqa: F811
) -> None:
    ids = docket.ids
    dialog = _click_cell(qtbot, page, "2026年11月", "closed")
    assert set(dialog.case_ids()) == {ids["B"], ids["D"], ids["G"], ids["I"]}
    row = dialog.case_ids().index(ids["G"])
    with qtbot.waitSignal(page.open_cases) as opened:
        dialog.table.cellDoubleClicked.emit(row, 0)
    assert opened.args == [[ids["G"]]]
    dialog.close()
    dialog = _click_cell(qtbot, page, "合计", "over_limit")
    assert set(dialog.case_ids()) == {ids["C"], ids["E"], ids["F"]}
    dialog.close()


def test_handler_grouping_and_chart_click(
    qtbot: QtBot,
    page: StatsPage,
    docket: Docket,  # noqa: F811
) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.set_group_by(GroupBy.HANDLER)
    assert page.figure_text("张三", "cases") == "3"
    assert page.figure_text("张三", "resolution_rate") == "100.00%"
    dialog = _click_cell(qtbot, page, "张三", "performed")
    assert set(dialog.case_ids()) == {docket.ids["A"], docket.ids["B"]}
    dialog.close()
    with qtbot.waitSignal(page.casesShown, timeout=10_000) as shown:
        page.month_chart.click_group("2026-11", "settled")
    assert isinstance(shown.args[0], CasesDialog)
    qtbot.addWidget(shown.args[0])
    assert shown.args[0].case_ids() == [docket.ids["I"]]
    shown.args[0].close()


def test_monthly_report_exports_from_the_page(
    qtbot: QtBot, page: StatsPage, tmp_path: Path
) -> None:
    target = tmp_path / "月报.pdf"
    with qtbot.waitSignal(page.exported, timeout=20_000):
        page.export_report("month", "pdf", target)
    assert target.read_bytes().startswith(b"%PDF")
    assert date(2026, 1, 1) <= page.period().start
