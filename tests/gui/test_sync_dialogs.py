"""Offline kits in the app: export with progress, import with progress, choosing in a conflict."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.conftest import gui_context
from tests.services.test_sync import Court, Laptop, changes, edit_notes, open_laptop, setup_court
from zhiqian_desktop.gui.sync_dialogs import ExportKitDialog, ImportChangesDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.exchange import conflicts, records
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import CaseNumberBlock

pytestmark = pytest.mark.gui


@pytest.fixture
def court(sqlite_db: Database, admin: Actor) -> Court:
    return setup_court(sqlite_db, admin)


def export_in_dialog(qtbot: QtBot, court: Court, dest: Path) -> Path:
    dialog = ExportKitDialog(gui_context(court.db, court.admin, today=None))
    qtbot.addWidget(dialog)
    index = dialog.owner.findText("法庭：沙尔沁法庭")
    assert index >= 0
    dialog.owner.setCurrentIndex(index)
    dialog.year.setValue(2026)
    dialog.block.setValue(20)
    dialog.dest.setText(str(dest))
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.ok_button.click()
    assert dialog.result_path == dest
    return dest


def test_export_import_and_choose_field_by_field(
    qtbot: QtBot, court: Court, tmp_path: Path
) -> None:
    kit = export_in_dialog(qtbot, court, tmp_path / "kit.zip")
    with court.db.reader() as s:
        block = s.scalars(select(CaseNumberBlock)).one()
        assert (block.first_seq, block.last_seq) == (5, 24)
    laptop: Laptop = open_laptop(kit, tmp_path / "laptop")
    try:
        case_id = court.cases[0]
        edit_notes(court.db, court.admin, case_id, 1, "法院的备注")
        edit_notes(laptop.db, laptop.clerk, case_id, 1, "法庭的备注")
        package = changes(laptop, tmp_path)
    finally:
        laptop.db.dispose()

    importer = ImportChangesDialog(gui_context(court.db, court.admin, today=None))
    qtbot.addWidget(importer)
    importer.package.setText(str(package))
    with qtbot.waitSignal(importer.imported, timeout=30_000):
        importer.ok_button.click()
    assert "待人工逐项选择" in importer.result_label.text()
    assert importer.conflicts_button.isVisibleTo(importer)

    dialog = importer.open_conflicts()
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    labels = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    row = labels.index("备注")
    assert dialog.table.item(row, 2).text() == "法院的备注"
    assert dialog.table.item(row, 3).text() == "法庭的备注"
    # A field changed on both sides has no preselected answer: applying without one is refused.
    dialog.apply()
    qtbot.waitUntil(lambda: "备注" in dialog.banner.text())
    with court.db.reader() as s:
        assert get_case(s, case_id).notes == "法院的备注"

    dialog.choose("notes", records.TRIBUNAL)
    with qtbot.waitSignal(dialog.resolved):
        dialog.apply()
    assert dialog.list.count() == 0
    assert "没有待处理" in dialog.title.text()
    with court.db.reader() as s:
        assert get_case(s, case_id).notes == "法庭的备注"
        assert conflicts.list_conflicts(s) == []


def test_import_dialog_shows_a_refused_package(qtbot: QtBot, court: Court, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip at all")
    dialog = ImportChangesDialog(gui_context(court.db, court.admin, today=None))
    qtbot.addWidget(dialog)
    dialog.package.setText(str(bogus))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "变更包被拒绝" in dialog.banner.text(), timeout=10_000)
    assert dialog.ok_button.isEnabled()
