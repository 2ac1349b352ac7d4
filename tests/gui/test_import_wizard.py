"""The import wizard driven like a clerk: choose a file, see the problems, import a good list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.conftest import gui_context, make_case_input
from zhiqian_desktop.gui.import_wizard import ImportWizard
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import find_case
from zhiqian_desktop.services.intake.import_columns import HEADERS
from zhiqian_desktop.services.intake.import_template import template_rows
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase

pytestmark = pytest.mark.gui

COL = {h: i for i, h in enumerate(HEADERS)}


def _write(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "案件"
    ws.append(list(HEADERS))
    for r in rows:
        ws.append([float(v) if hasattr(v, "as_tuple") else v for v in r])
    wb.save(path)
    return path


def _count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(SupervisionCase)) or 0


@pytest.fixture
def wizard(qtbot: QtBot, db: Database, admin: Actor) -> ImportWizard:
    w = ImportWizard(gui_context(db, admin))
    qtbot.addWidget(w)
    w.show()
    return w


def _preview(qtbot: QtBot, wizard: ImportWizard, path: Path) -> None:
    wizard.file_page.path_edit.setText(str(path))
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    with qtbot.waitSignal(wizard.preview_page.previewReady, timeout=20000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_preview_shows_each_problem_and_import_is_not_offered(
    qtbot: QtBot, wizard: ImportWizard, db: Database, tmp_path: Path
) -> None:
    rows = template_rows(make_case_input(1)) + template_rows(make_case_input(2))
    rows[0][COL["生效日期"]] = "2026年2月30日"
    rows[3][COL["联系电话"]] = "12345"
    _preview(qtbot, wizard, _write(tmp_path / "bad.xlsx", rows))
    page = wizard.preview_page
    table = page.problem_table
    listed = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    assert [(row, col) for row, col, _ in listed] == [("2", "生效日期"), ("5", "联系电话")]
    assert "不是有效日期" in listed[0][2]
    assert "发现 2 处问题" in page.summary.text()
    # The bad cell is highlighted in the preview with its reason as a tooltip.
    model = page.model
    index = model.index(0, model.column_for_header("生效日期"))
    assert model.data(index) == "2026年2月30日"
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) is not None
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(1, 1), Qt.ItemDataRole.BackgroundRole) is None
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    # Clicking a problem takes the clerk to the cell.
    table.cellClicked.emit(1, 0)
    assert page.table.currentIndex().row() == 3
    assert _count(db) == 0


def test_a_refused_file_is_explained(qtbot: QtBot, wizard: ImportWizard, tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是工作簿", encoding="utf-8")
    _preview(qtbot, wizard, path)
    assert "不是 Excel 工作簿" in wizard.preview_page.summary.text()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()


def test_importing_a_good_file_registers_the_cases_and_lists_their_numbers(
    qtbot: QtBot, wizard: ImportWizard, db: Database, tmp_path: Path
) -> None:
    rows = template_rows(make_case_input(1)) + template_rows(make_case_input(2, obligor="张三"))
    _preview(qtbot, wizard, _write(tmp_path / "good.xlsx", rows))
    assert "检查无误" in wizard.preview_page.summary.text()
    assert wizard.preview_page.model.rowCount() == 4
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.isEnabled() and commit.text() == "导入"
    with (
        qtbot.waitSignal(wizard.imported, timeout=20000) as imported,
        qtbot.waitSignal(wizard.result_page.importFinished, timeout=20000),
    ):
        qtbot.mouseClick(commit, Qt.MouseButton.LeftButton)
    numbers = imported.args[0]
    assert numbers == ["（2026）内0221执前督1号", "（2026）内0221执前督2号"]
    items = [wizard.result_page.case_list.item(i).text() for i in range(2)]
    assert items[0].startswith(numbers[0]) and "（2026）内0221民初1号" in items[0]
    assert "已登记 2 个案件" in wizard.result_page.status.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    with db.reader() as s:
        assert find_case(s, numbers[1]).obligor_names == "张三"
    assert _count(db) == 2


def test_template_can_be_saved_from_the_first_page(wizard: ImportWizard, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    wizard.file_page.save_template(out)
    assert out.is_file()
    assert "已保存" in wizard.file_page.message.text()
