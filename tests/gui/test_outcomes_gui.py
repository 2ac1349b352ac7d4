"""The 履行 tab: recording a payment, a settlement, closing, reopening and the transfer, as a clerk."""

from __future__ import annotations

import json
import threading
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_case_form import retype, type_text
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.case_page import CasePage
from zhiqian_desktop.gui.outcome_dialogs import (
    CloseDialog,
    PaymentDialog,
    ReopenDialog,
    SettlementDialog,
    TransferDialog,
)
from zhiqian_desktop.services.closing.transfer_verify import verify_package
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.signing import court_public_key
from zhiqian_desktop.services.intake.docket import get_case, register_case
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        return register_case(s, admin, make_case_input(amount="12000.00"), today=TODAY).id


@pytest.fixture
def page(qtbot: QtBot, db: Database, admin: Actor, case_id: str) -> CasePage:
    page = CasePage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.show_case(case_id)
    page.tabs.setCurrentIndex(4)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def status(db: Database, case_id: str) -> CaseStatus:
    with db.reader() as s:
        return get_case(s, case_id).status


def open_dialog(qtbot: QtBot, page: CasePage, button_name: str) -> object:
    button = getattr(page, button_name)
    assert button.isEnabled()
    button.click()
    dialog = page.outcome_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_record_payment_through_the_dialog_updates_the_page(
    qtbot: QtBot, page: CasePage, db: Database, case_id: str
) -> None:
    assert page.summary.values["outstanding"].text().startswith("¥12,000.00")
    assert "已履行 ¥0.00（0.00%）" in page.performance_line.text()
    dialog = open_dialog(qtbot, page, "pay_button")
    assert isinstance(dialog, PaymentDialog)
    retype(qtbot, dialog.paid_on, "2026-11-24")
    type_text(qtbot, dialog.amount, "4,500.50")
    type_text(qtbot, dialog.note, "微信转账")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert page.summary.values["outstanding"].text().startswith("¥7,499.50")
    assert "已履行 ¥4,500.50（37.50%）　尚欠 ¥7,499.50" in page.performance_line.text()
    assert page.payments.table.rowCount() == 1
    assert page.payments.table.item(0, 1).text() == "¥4,500.50"  # type: ignore[union-attr]


def test_overpayment_is_confirmed_in_the_dialog(
    qtbot: QtBot, page: CasePage, db: Database, case_id: str
) -> None:
    dialog = open_dialog(qtbot, page, "pay_button")
    assert isinstance(dialog, PaymentDialog)
    asked: list[str] = []
    dialog.confirm_question = lambda message: asked.append(message) or False  # type: ignore[func-returns-value]
    type_text(qtbot, dialog.amount, "13000")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "未保存" in dialog.banner.text())
    assert asked and "超出¥1,000.00" in asked[0]
    assert dialog.isVisible()
    assert page.payments.table.rowCount() == 0
    dialog.confirm_question = lambda message: True
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert page.summary.values["outstanding"].text() == "¥0.00"
    assert "（100.00%）" in page.performance_line.text()


def test_settlement_dialog_generates_installments_and_closing_follows(
    qtbot: QtBot, page: CasePage, db: Database, case_id: str
) -> None:
    dialog = open_dialog(qtbot, page, "settle_button")
    assert isinstance(dialog, SettlementDialog)
    dialog.count.setValue(4)
    retype(qtbot, dialog.first_due, "2026-12-31")
    dialog.generate.click()
    assert dialog.table.rowCount() == 4
    assert [dialog.table.item(r, 1).text() for r in range(4)] == [  # type: ignore[union-attr]
        "2026-12-31",
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
    ]
    assert dialog.sum_label.text() == "合计 ¥12,000.00"
    dialog.save_button.click()  # terms missing
    qtbot.waitUntil(lambda: "主要条款" in dialog.banner.text())
    type_text(qtbot, dialog.terms, "被申请人分四期付清")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert status(db, case_id) is CaseStatus.SETTLED
    assert page.status_chip.text() == "和解履行中"
    assert page.installments.table.rowCount() == 4
    assert page.installments.table.item(0, 4).text() == "待履行"  # type: ignore[union-attr]
    assert not page.settle_button.isEnabled()


def test_entered_installments_in_the_table(
    qtbot: QtBot, page: CasePage, db: Database, case_id: str
) -> None:
    dialog = open_dialog(qtbot, page, "settle_button")
    assert isinstance(dialog, SettlementDialog)
    dialog.entered.setChecked(True)
    dialog.table.setRowCount(0)
    dialog.append_row(date(2026, 12, 1), Decimal("5000"))
    dialog.append_row(date(2027, 1, 1), Decimal("6000"))
    type_text(qtbot, dialog.terms, "分两期")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "不一致" in dialog.schedule_error.text())
    dialog.table.item(1, 2).setText("7,000.00")  # type: ignore[union-attr]
    assert dialog.sum_label.text() == "合计 ¥12,000.00"
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert status(db, case_id) is CaseStatus.SETTLED


def test_close_performed_offers_the_certificate_then_reopen(
    qtbot: QtBot, page: CasePage, db: Database, admin: Actor, case_id: str
) -> None:
    dialog = open_dialog(qtbot, page, "pay_button")
    assert isinstance(dialog, PaymentDialog)
    type_text(qtbot, dialog.amount, "12000")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    close = open_dialog(qtbot, page, "close_button")
    assert isinstance(close, CloseDialog)
    offered: list[bool] = []
    close.offer_certificate = lambda: offered.append(True) or True  # type: ignore[func-returns-value]
    type_text(qtbot, close.reason, "被申请人已全部履行")
    with qtbot.waitSignal(close.saved):
        close.save_button.click()
    assert offered == [True]
    assert close.certificate_path is not None and close.certificate_path.is_file()
    assert status(db, case_id) is CaseStatus.PERFORMED
    assert not page.pay_button.isEnabled() and not page.edit_button.isEnabled()
    assert "自动履行证明书" in page.banner.text()
    assert page.documents.table.rowCount() == 1
    assert "自动履行证明书" in page.documents.table.item(0, 1).text()  # type: ignore[union-attr]

    reopen = open_dialog(qtbot, page, "reopen_button")
    assert isinstance(reopen, ReopenDialog)
    reopen.save_button.click()
    assert "理由" in reopen.banner.text()
    type_text(qtbot, reopen.reason, "申请人称款项未到账")
    with qtbot.waitSignal(reopen.saved):
        reopen.save_button.click()
    assert status(db, case_id) is CaseStatus.SUPERVISING
    assert page.pay_button.isEnabled()
    assert any("重新开启" in line for line in page.history.text_lines())


def test_transfer_through_the_gui_writes_the_package(
    qtbot: QtBot, page: CasePage, db: Database, case_id: str, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, page, "transfer_button")
    assert isinstance(dialog, TransferDialog)
    dialog.reason.clear()
    type_text(qtbot, dialog.reason, "经多次督促仍未履行")
    dest = tmp_path / "移送材料.zip"
    dialog.dest.setText(str(dest))
    with qtbot.waitSignal(dialog.transferred, timeout=30000) as signal:
        dialog.save_button.click()
        assert dialog.progress_dialog is not None
    assert Path(signal.args[0]) == dest
    assert verify_package(dest, court_public_key(db)).ok
    with zipfile.ZipFile(dest) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["case"]["close_reason"] == "经多次督促仍未履行"
    qtbot.waitUntil(lambda: page.status_chip.text() == "已移送执行")
    assert "已移送执行" in page.banner.text()
    assert not page.transfer_button.isEnabled()


def test_cancelling_the_transfer_changes_nothing(
    qtbot: QtBot,
    page: CasePage,
    db: Database,
    case_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import zhiqian_desktop.gui.outcome_dialogs as dialogs

    cancelled = threading.Event()
    real = dialogs.build_transfer_package

    def after_cancel(*args: object, **kwargs: object) -> Path:
        assert cancelled.wait(10)  # the clerk presses 取消 before the first file is written
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dialogs, "build_transfer_package", after_cancel)
    dialog = open_dialog(qtbot, page, "transfer_button")
    assert isinstance(dialog, TransferDialog)
    dialog.reason.clear()
    type_text(qtbot, dialog.reason, "督促不成")
    dialog.as_folder.setChecked(True)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dest = out_dir / "folder"
    dialog.dest.setText(str(dest))
    dialog.save_button.click()
    assert dialog.progress_dialog is not None and dialog.task is not None
    cancel = dialog.progress_dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    cancel.click()
    cancelled.set()
    qtbot.waitUntil(lambda: "已取消" in dialog.banner.text(), timeout=30000)
    assert list(out_dir.iterdir()) == []
    assert status(db, case_id) is CaseStatus.REGISTERED
    assert dialog.isVisible() and dialog.save_button.isEnabled()
