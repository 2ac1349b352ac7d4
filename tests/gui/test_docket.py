"""The docket page driven like a clerk: search while typing, sort, filter, lazy paging, export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.docket_model import (
    COL_CASE_NO,
    COL_NEXT_DUE,
    COL_OBLIGOR,
    COLUMNS,
    PAGE_SIZE,
    ROW_ROLE,
    DocketModel,
)
from zhiqian_desktop.gui.docket_page import DocketPage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.intake.docket import SORT_KEYS, DocketRow, register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.models import SupervisionCase

pytestmark = pytest.mark.gui

HOSTILE = '=HYPERLINK("http://evil.example/","点此")'

# obligor, phone, amount, received, handler index, livelihood
CASES = [
    ("王某某", "13900000001", "12345.67", date(2026, 11, 20), 0, False),
    ("李某", "13900000002", "800.00", date(2026, 9, 1), 1, True),
    ("张三丰", "13900000003", "99999.99", date(2026, 10, 10), 2, False),
    ("某某建筑有限公司", "13900000004", "5.00", date(2026, 6, 15), 1, False),
    (HOSTILE, "13900000005", "4200.50", date(2026, 11, 24), 0, True),
]


def _register(db: Database, admin: Actor) -> list[str]:
    with db.unit_of_work() as s:
        handlers = [
            create_user(s, admin, username=u, display_name=n, role=Role.HANDLER)
            for u, n in (("zhao", "赵法官"), ("qian", "钱书记员"), ("sun", "孙助理"))
        ]
        ids = []
        for i, (obligor, phone, amount, received, h, livelihood) in enumerate(CASES, start=1):
            data = make_case_input(
                i,
                obligor=obligor,
                phone=phone,
                amount=amount,
                received=received,
                effective_date=date(2026, 5, 1),
                performance_deadline=date(2026, 5, 20),
                handler_id=handlers[h].id,
                livelihood=livelihood,
            )
            ids.append(register_case(s, admin, data, today=TODAY).id)
        # No status-change service exists yet: put one case into 督促中 directly.
        s.get_one(SupervisionCase, ids[2]).status = CaseStatus.SUPERVISING
    return ids


@pytest.fixture
def case_ids(db: Database, admin: Actor) -> list[str]:
    return _register(db, admin)


@pytest.fixture
def page(qtbot: QtBot, db: Database, admin: Actor, case_ids: list[str]) -> DocketPage:
    widget = DocketPage(gui_context(db, admin))
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_text(widget: QWidget, text: str) -> None:
    """Type like a keyboard or input method would (QTest cannot send non-Latin characters)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def rows(model: DocketModel) -> list[DocketRow]:
    return [model.index(r, 0).data(ROW_ROLE) for r in range(model.rowCount())]


def shown(model: DocketModel, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_registered_cases_appear(page: DocketPage, case_ids: list[str]) -> None:
    assert page.model.rowCount() == len(CASES)
    assert {r.id for r in rows(page.model)} == set(case_ids)
    # newest case number first by default
    assert shown(page.model, COL_CASE_NO)[0] == "（2026）内0221执前督5号"
    assert "5" in page.count_label.text()
    first = page.model.index(0, 4)
    assert first.data() == "¥4,200.50"
    assert first.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


def test_quick_search_by_phone_answers_while_typing(qtbot: QtBot, page: DocketPage) -> None:
    qtbot.keyClicks(page.search_edit, "13900000003")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert shown(page.model, COL_OBLIGOR) == ["张三丰"]
    assert "符合条件 1 件" in page.count_label.text()
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == len(CASES), timeout=2000)


def test_quick_search_by_party_name_and_original_number(qtbot: QtBot, page: DocketPage) -> None:
    type_text(page.search_edit, "建筑")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert shown(page.model, COL_OBLIGOR) == ["某某建筑有限公司"]
    page.search_edit.clear()
    type_text(page.search_edit, "民初2号")
    qtbot.waitUntil(lambda: shown(page.model, COL_OBLIGOR) == ["李某"], timeout=2000)


_KEYS = [
    lambda r: int(r.case_no.split("执前督")[1].rstrip("号")),  # year and sequence, not text
    lambda r: r.original_case_no,
    lambda r: r.cause,
    lambda r: r.obligor_names,
    lambda r: r.amount_due,
    lambda r: r.amount_paid,
    lambda r: r.status.value,
    lambda r: r.handler_name,
    lambda r: r.days_in_supervision,
    lambda r: r.next_due_date or date.min,
]


@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_sorting_by_every_column(page: DocketPage, column: int) -> None:
    key = _KEYS[column]
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        page.table.sortByColumn(column, order)
        values = [key(r) for r in rows(page.model)]
        assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
        assert page.model.rowCount() == len(CASES)


def test_sorting_amounts_puts_the_largest_first(page: DocketPage) -> None:
    page.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert shown(page.model, 4)[:2] == ["¥99,999.99", "¥12,345.67"]
    page.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert shown(page.model, COL_OBLIGOR)[0] == "某某建筑有限公司"


def test_status_filter(page: DocketPage) -> None:
    page.status_combo.setCurrentIndex(page.status_combo.findText(CaseStatus.SUPERVISING.label))
    assert shown(page.model, COL_OBLIGOR) == ["张三丰"]
    page.status_combo.setCurrentIndex(page.status_combo.findText(CaseStatus.REGISTERED.label))
    assert page.model.rowCount() == 4
    page.status_combo.setCurrentIndex(page.status_combo.findText("已结案"))
    assert page.model.rowCount() == 0


def test_livelihood_filter_and_badge(page: DocketPage) -> None:
    page.livelihood_combo.setCurrentIndex(page.livelihood_combo.findText("仅涉民生"))
    assert sorted(shown(page.model, COL_OBLIGOR)) == sorted(["李某", HOSTILE])
    index = page.model.index(0, COL_CASE_NO)
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "民生" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_overdue_filter_and_red_dates(page: DocketPage) -> None:
    page.overdue_check.setChecked(True)
    overdue = rows(page.model)
    assert overdue, "cases received in June and September are past their supervision limit"
    assert all(r.next_due_date is not None and r.next_due_date < TODAY for r in overdue)
    assert {r.obligor_names for r in overdue} == {"李某", "某某建筑有限公司", "张三丰"}
    brush = page.model.index(0, COL_NEXT_DUE).data(Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == "#c62828"
    page.overdue_check.setChecked(False)
    assert page.model.rowCount() == len(CASES)


def test_handler_and_date_filters(page: DocketPage) -> None:
    page.handler_combo.setCurrentIndex(page.handler_combo.findText("钱书记员"))
    assert sorted(shown(page.model, COL_OBLIGOR)) == ["李某", "某某建筑有限公司"]
    page.handler_combo.setCurrentIndex(0)
    page.date_from.setDate(date(2026, 10, 1))
    page.date_to.setDate(date(2026, 11, 21))
    page.date_check.setChecked(True)
    assert sorted(shown(page.model, COL_OBLIGOR)) == ["张三丰", "王某某"]
    page.reset_filters()
    assert page.model.rowCount() == len(CASES)


def test_double_click_asks_to_open_the_case(qtbot: QtBot, page: DocketPage) -> None:
    index = page.model.index(1, 0)
    rect = page.table.visualRect(index)
    with qtbot.waitSignal(page.caseActivated) as signal:
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [index.data(ROW_ROLE).id]


def test_export_writes_the_whole_view(qtbot: QtBot, page: DocketPage, tmp_path: Path) -> None:
    page.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    page.livelihood_combo.setCurrentIndex(page.livelihood_combo.findText("仅涉民生"))
    out = tmp_path / "导出.xlsx"
    with qtbot.waitSignal(page.exportFinished, timeout=10000) as signal:
        page.export_to(out)
    assert signal.args == [2]
    assert page.export_button.isEnabled()
    ws = load_workbook(out).active
    assert ws is not None
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[0] for r in data] == shown(page.model, COL_CASE_NO)
    assert [r[3] for r in data] == ["李某", HOSTILE]
    assert ws["D3"].value == HOSTILE and ws["D3"].data_type == "s"
    assert ws["E2"].value == pytest.approx(float(Decimal("800.00")))


def test_export_replaces_the_file_chosen_in_the_dialog_but_never_the_databases_own(
    qtbot: QtBot, page: DocketPage, db: Database, tmp_path: Path
) -> None:
    chosen = tmp_path / "台账.xlsx"
    chosen.write_bytes(b"last week's export")  # the save dialog asked before replacing it
    with qtbot.waitSignal(page.exportFinished, timeout=10000) as signal:
        page.export_to(chosen)
    assert signal.args == [len(CASES)]
    assert load_workbook(chosen).active is not None
    assert db.path is not None
    beside = attachments_dir(db.path) / "台账.xlsx"
    with qtbot.waitSignal(page.exportFinished, timeout=10000) as signal:
        page.export_to(beside)
    refused = signal.args[0]
    assert isinstance(refused, UserError) and "附件和密钥文件夹" in refused.message
    assert not beside.exists()
    assert page.export_button.isEnabled()


def test_model_reads_only_the_pages_it_shows(qtbot: QtBot, db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        for i in range(450):
            register_case(s, admin, make_case_input(i + 1, phone=None), today=TODAY)
    widget = DocketPage(gui_context(db, admin))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    model = widget.model
    assert model.rowCount() == 450
    qtbot.waitUntil(lambda: model.cached_pages() == [0])  # the first screenful is painted
    assert model.pages_fetched == 1
    assert model.cached_rows() == PAGE_SIZE
    # scrolling to the end reads the last page, not everything in between
    widget.table.scrollToBottom()
    qtbot.waitUntil(lambda: 2 in model.cached_pages())
    assert model.cached_pages() == [0, 2]
    assert model.cached_rows() == PAGE_SIZE + 50
    last = model.index(449, COL_CASE_NO).data()
    assert last == "（2026）内0221执前督1号"


def test_every_column_of_the_docket_sorts_by_its_own_key() -> None:
    # A header click sorts by SORT_KEYS[column]: one key per column, none shared.
    assert len(COLUMNS) == len(SORT_KEYS) == len(set(SORT_KEYS))
