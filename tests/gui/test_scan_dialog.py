"""扫码登记送达: a scanner types the QR code and Enter; the service dialog opens for that document."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.gui.scan_dialog import ScanDialog
from zhiqian_desktop.gui.service_dialog import ServiceDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices, service_records
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


def _issue(db: Database, admin: Actor) -> tuple[str, str]:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
        notice = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
        receipt = notices.issue_notice(
            s,
            admin,
            case_id,
            DocumentKind.SERVICE_RECEIPT,
            today=TODAY,
            served_document_id=notice.id,
        )
        return notice.id, receipt.id


def _dialog(qtbot: QtBot, db: Database, admin: Actor) -> ScanDialog:
    dialog = ScanDialog(gui_context(db, admin))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_scanning_a_document_code_opens_record_service(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    notice_id, _ = _issue(db, admin)
    dialog = _dialog(qtbot, db, admin)
    qtbot.keyClicks(dialog.code, notice_id)  # the scanner types the id …
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)  # … and Enter
    service = dialog.service_dialog
    assert isinstance(service, ServiceDialog), dialog.message.text()
    assert service.isVisible()
    assert service.document_id == notice_id
    qtbot.mouseClick(service.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.service_dialog is None, timeout=30_000)  # a loaded machine
    assert dialog.done_list.item(0).text() == f"{service.doc_no}　王某某"  # type: ignore[union-attr]
    assert dialog.code.text() == "" and dialog.focusWidget() is dialog.code

    # Scanning it again says it is already served instead of opening a second record.
    qtbot.keyClicks(dialog.code, notice_id)
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.service_dialog is None
    assert "已于" in dialog.message.text() and "无需重复登记" in dialog.message.text()


def test_scanning_the_receipt_opens_the_document_it_serves(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    notice_id, receipt_id = _issue(db, admin)
    dialog = _dialog(qtbot, db, admin)
    qtbot.keyClicks(dialog.code, receipt_id.upper())
    qtbot.keyClick(dialog.code, Qt.Key.Key_Enter)
    assert dialog.service_dialog is not None
    assert dialog.service_dialog.document_id == notice_id


def test_each_addressees_receipt_records_the_service_on_that_addressee(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    """A risk notice goes to the applicant and the obligor, each with a receipt of their own:
    scanning a receipt records the service on the party it names, and only on that one."""
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
        notice = notices.issue_notice(s, admin, case_id, DocumentKind.RISK_NOTICE, today=TODAY)
        receipts = notices.issue_receipts(s, admin, notice.id, today=TODAY)
    assert len(receipts) == 2
    dialog = _dialog(qtbot, db, admin)
    for receipt, name in zip(receipts, ("李某", "王某某"), strict=True):
        qtbot.keyClicks(dialog.code, receipt.id)
        qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
        service = dialog.service_dialog
        assert isinstance(service, ServiceDialog), dialog.message.text()
        assert service.current_addressee().name == name
        assert not service.party.isEnabled()  # the receipt names the addressee
        qtbot.mouseClick(service.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.service_dialog is None, timeout=5000)
        assert dialog.done_list.item(0).text().endswith(name)  # type: ignore[union-attr]
    with db.reader() as s:
        status = service_records.service_status(
            s, service_records.find_document_by_code(s, notice.id)
        )
        assert [(a.name, a.service is not None) for a in status] == [
            ("李某", True),
            ("王某某", True),
        ]
        assert status[0].service is not status[1].service

    qtbot.keyClicks(dialog.code, receipts[0].id)
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.service_dialog is None
    assert "向李某登记送达" in dialog.message.text()
    assert "无需重复登记" in dialog.message.text()


def test_an_unknown_code_is_said_and_the_field_is_ready_for_the_next_scan(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    _issue(db, admin)
    dialog = _dialog(qtbot, db, admin)
    qtbot.keyClicks(dialog.code, "0badc0de-0000-4000-8000-000000000000")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.service_dialog is None
    assert "没有与" in dialog.message.text() and "0badc0de" in dialog.message.text()
    assert dialog.message.isVisible()
    assert dialog.code.text() == "" and dialog.focusWidget() is dialog.code
