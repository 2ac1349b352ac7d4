"""Files: each kind remembers its folder, names say what is inside, replacing asks first.
一键移送: the reason proposed from the case and the remembered folder. 批量打印 from 今日待办
starts from that date's due-list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import ContactKind
from zhiqian_desktop.domain.transfer import propose_transfer_reason
from zhiqian_desktop.gui.batch_print_dialog import BatchPrintDialog
from zhiqian_desktop.gui.docket_page import DocketPage
from zhiqian_desktop.gui.file_choice import last_folder
from zhiqian_desktop.gui.main_window import PAGE_DOCKET, PAGE_DUE, MainWindow
from zhiqian_desktop.gui.outcome_dialogs import TransferDialog
from zhiqian_desktop.gui.sync_dialogs import ExportKitDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


def when_modal(
    qtbot: QtBot, act: Callable[[object], None], kind: type[QWidget] = QWidget
) -> list[object]:
    """Act on the next modal dialog of ``kind`` as soon as it shows (the clerk's answer);
    returns what was seen, so the test can check the dialog after it closed."""
    seen: list[object] = []

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, kind):
            QTimer.singleShot(20, poll)
            return
        seen.append(modal)
        act(modal)

    QTimer.singleShot(0, poll)
    return seen


def save_as(path: Path, record: dict[str, str]) -> Callable[[object], None]:
    def act(dialog: object) -> None:
        assert isinstance(dialog, QFileDialog)
        record["folder"] = dialog.directory().absolutePath()
        record["name"] = dialog.selectedFiles()[0].rsplit("/", 1)[-1]
        dialog.selectFile(str(path))
        dialog.accept()

    return act


def answer(button: QMessageBox.StandardButton, record: dict[str, str]) -> Callable[[object], None]:
    def act(box: object) -> None:
        assert isinstance(box, QMessageBox)
        record["question"] = box.text()
        box.button(button).click()

    return act


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    return register_case(db, admin, make_case_input(1, amount="12000.00"), today=TODAY).id


def test_the_docket_export_remembers_its_folder_and_asks_before_replacing(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    page = DocketPage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.status_combo.setCurrentText("办理中")
    folder = tmp_path / "台账导出"
    folder.mkdir()
    target = folder / "台账.xlsx"
    first: dict[str, str] = {}
    when_modal(qtbot, save_as(target, first), QFileDialog)
    with qtbot.waitSignal(page.exportFinished, timeout=20000):
        page._choose_export_file()
    assert first["name"] == f"案件台账-土默特右旗人民法院-办理中-{TODAY.isoformat()}.xlsx"
    assert target.is_file()
    assert last_folder("docket") == folder
    written = target.stat().st_mtime_ns

    # The second export starts in that folder; choosing the same file asks, and No keeps it.
    second: dict[str, str] = {}
    when_modal(qtbot, save_as(target, second), QFileDialog)
    question: dict[str, str] = {}
    when_modal(qtbot, answer(QMessageBox.StandardButton.No, question), QMessageBox)
    page._choose_export_file()
    assert second["folder"] == str(folder)
    assert "“台账.xlsx”已存在" in question["question"]
    assert target.stat().st_mtime_ns == written
    assert page.export_task is None or page.export_task.done


def test_kits_are_named_by_owner_and_date_in_the_last_folder(
    qtbot: QtBot, db: Database, admin: Actor, tmp_path: Path
) -> None:
    from zhiqian_desktop.gui.file_choice import remember_folder
    from zhiqian_desktop.services.core.staff import add_tribunal

    add_tribunal(db, admin, "沟门法庭")
    remember_folder("kit", tmp_path)
    dialog = ExportKitDialog(gui_context(db, admin))
    qtbot.addWidget(dialog)
    assert dialog.dest.text() == str(tmp_path / f"离线包-沟门法庭-{TODAY.isoformat()}.zip")


def test_the_transfer_reason_says_what_the_case_shows() -> None:
    assert propose_transfer_reason(
        today=date(2026, 12, 30),
        limit_end=date(2026, 12, 21),
        urged=3,
        amount_due=Decimal("12000.00"),
        amount_paid=Decimal("2000.00"),
        missed=[(2, date(2026, 12, 15))],
    ) == (
        "督促期限已于2026年12月21日届满，经督促3次，被申请人仅履行¥2,000.00，"
        "尚欠¥10,000.00未履行，和解协议第2期（2026年12月15日到期）逾期未付，督促不成。"
    )
    assert (
        propose_transfer_reason(
            today=date(2026, 12, 1),
            limit_end=date(2026, 12, 21),
            urged=0,
            amount_due=Decimal("500.00"),
            amount_paid=Decimal("0.00"),
        )
        == "被申请人仍未履行，督促不成。"
    )


def test_one_click_transfer_proposes_the_reason_and_the_folder(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    from zhiqian_desktop.gui.file_choice import remember_folder

    for hours in (1, 2):
        call = ContactInput(
            ContactKind.PHONE,
            datetime(2026, 11, 26, hours, tzinfo=UTC),
            True,
            "拒不履行",
        )
        contacts.log_contact(db, admin, case_id, call)
    remember_folder("transfer", tmp_path)
    later = TODAY + timedelta(days=60)
    dialog = TransferDialog(gui_context(db, admin, today=later), case_id)
    qtbot.addWidget(dialog)
    reason = dialog.reason.toPlainText()
    assert reason.startswith("督促期限已于2026年12月")
    assert "经督促2次，被申请人仍未履行，督促不成。" in reason
    assert Path(dialog.dest.text()).parent == tmp_path
    assert Path(dialog.dest.text()).name.endswith(f"-移送执行材料-{later.isoformat()}.zip")


def test_batch_print_from_the_due_list_starts_from_that_dates_list(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    window = MainWindow(gui_context(db, admin))
    qtbot.addWidget(window)
    window.show()
    window.show_page(PAGE_DOCKET)
    assert window.docket.select_case(case_id)
    window.show_page(PAGE_DUE)
    chosen = TODAY + timedelta(days=3)
    window.due_list.set_date(chosen)
    dialog = window.batch_print()
    assert isinstance(dialog, BatchPrintDialog)
    assert dialog.from_due.isChecked() and not dialog.from_selected.isEnabled()
    assert dialog.due_date.date_value() == chosen
    dialog.close()
    window.show_page(PAGE_DOCKET)
    from_docket = window.batch_print()
    assert from_docket.from_selected.isChecked()
    from_docket.close()
