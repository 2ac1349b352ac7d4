"""The case's 文书 tab: issue a notice with its receipt, record its service, see the urging period."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_case_form import type_text
from zhiqian_desktop.domain.kinds import DocumentKind, ServiceMethod
from zhiqian_desktop.gui.documents_tab import DocumentsTab, IssueDialog
from zhiqian_desktop.gui.service_dialog import ServiceDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import attachments, notices, service_records
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


@pytest.fixture
def tab(qtbot: QtBot, db: Database, admin: Actor) -> DocumentsTab:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    tab = DocumentsTab(gui_context(db, admin))
    qtbot.addWidget(tab)
    opened: list[Path] = []

    def opener(path: Path) -> bool:
        opened.append(path)
        return True

    tab.opener = opener
    tab.opened = opened  # type: ignore[attr-defined]
    tab.show_case(case_id)
    tab.resize(1000, 400)
    tab.show()
    return tab


def _column(tab: DocumentsTab, col: int) -> list[str]:
    return [tab.table.item(r, col).text() for r in range(tab.table.rowCount())]  # type: ignore[union-attr]


def test_issue_a_notice_with_its_receipt_then_record_service(
    qtbot: QtBot, tab: DocumentsTab, db: Database, tmp_path: Path
) -> None:
    assert tab.empty.isVisibleTo(tab) and not tab.serve_button.isEnabled()
    dialog = tab.issue()
    assert isinstance(dialog, IssueDialog)
    dialog.set_kind(DocumentKind.URGING)
    assert dialog.with_receipt.isChecked()
    with qtbot.waitSignal(tab.changed, timeout=20000):
        dialog.accept()
    assert _column(tab, 1) == ["自动履行催告书", "送达回证"]
    assert _column(tab, 3) == ["未送达", "—"]
    assert "已出具自动履行催告书" in tab.banner.text()
    (pdf,) = tab.opened  # type: ignore[attr-defined]
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    assert tab.urging_label.text() == ""

    # The new notice is selected; 记录送达 opens the dialog for it.
    assert tab.selected() is not None and tab.selected().kind is DocumentKind.URGING  # type: ignore[union-attr]
    qtbot.mouseClick(tab.serve_button, Qt.MouseButton.LeftButton)
    service = tab.dialog
    assert isinstance(service, ServiceDialog)
    service.set_method(ServiceMethod.SUBSTITUTE)
    qtbot.mouseClick(service.save_button, Qt.MouseButton.LeftButton)
    # A substitute service needs a reason and the substitute's name: said beside the field.
    reason_error = service.errors["substitute_reason"]
    qtbot.waitUntil(lambda: reason_error.isVisibleTo(service))
    assert "代收" in reason_error.text()
    assert service.isVisible()
    type_text(qtbot, service.reason, "受送达人外出务工，由其同住的成年儿子代收")
    type_text(qtbot, service.recipient, "王小某")
    photo = tmp_path / "门牌.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    service.add_photos([photo])
    # (Waiting for the list rather than the signal: the dialog deletes itself once saved.)
    qtbot.mouseClick(service.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _column(tab, 3)[0] == "已送达", timeout=5000)
    assert not isValid(service) or not service.isVisible()

    assert _column(tab, 3)[0] == "已送达"
    assert _column(tab, 4)[0] == ServiceMethod.SUBSTITUTE.label
    assert _column(tab, 5)[0] == TODAY.isoformat()
    assert _column(tab, 6)[0] == "王小某"
    assert _column(tab, 7)[0] == "1张"
    with db.reader() as s:
        end = notices.urging_period_end(s, tab.case_id)  # type: ignore[arg-type]
        (served,) = service_records.services_of(s, tab.rows[0].id)
        (kept,) = attachments.attachments_of(s, attachments.SERVICE_OWNER, served.id)
    assert end is not None and kept.filename == "门牌.jpg"
    assert f"至{end.end.isoformat()}届满" in tab.urging_label.text()
    assert f"催告书{TODAY.isoformat()}送达" in tab.urging_label.text()
    # Once served, 记录送达 is off for the notice; the receipt is never served itself.
    assert not tab.serve_button.isEnabled()


def test_a_notice_to_both_parties_is_served_on_each_apart(
    qtbot: QtBot, tab: DocumentsTab, db: Database, admin: Actor
) -> None:
    """The risk notice goes to the applicant and the obligor: 记录送达 asks whom, stays on
    until both are recorded, and the table says how far the service has got."""
    with db.unit_of_work() as s:
        notices.issue_notice(
            s,
            admin,
            tab.case_id,
            DocumentKind.RISK_NOTICE,
            today=TODAY,  # type: ignore[arg-type]
        )
    tab.refresh()
    tab.select_document(tab.rows[0].id)
    assert _column(tab, 3) == ["未送达"]
    for name, state in (("李某", "已送达1/2"), ("王某某", "已送达")):
        qtbot.mouseClick(tab.serve_button, Qt.MouseButton.LeftButton)
        service = tab.dialog
        assert isinstance(service, ServiceDialog)
        # The first one not yet served is offered; the one served is shown but cannot be chosen.
        assert service.current_addressee().name == name
        assert service.party.isEnabled() is (name == "李某")
        model = service.party.model()
        choosable = [
            bool(model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled)
            for i in range(service.party.count())
        ]
        assert choosable == ([True, True] if name == "李某" else [False, True])
        with qtbot.waitSignal(tab.changed, timeout=5000):
            qtbot.mouseClick(service.save_button, Qt.MouseButton.LeftButton)
        assert _column(tab, 3) == [state]
        tip = tab.table.item(0, 3).toolTip()  # type: ignore[union-attr]
        assert f"{name}：{TODAY.isoformat()} 直接送达" in tip
    assert _column(tab, 6) == ["李某、王某某"]
    assert not tab.serve_button.isEnabled()
    assert "已向每名受送达人登记送达" in tab.serve_button.toolTip()


def test_open_and_reprint_give_the_issued_pdf(
    qtbot: QtBot, tab: DocumentsTab, db: Database
) -> None:
    with qtbot.waitSignal(tab.changed, timeout=20000):
        tab.issue_kind(DocumentKind.SUPERVISION_NOTICE, with_receipt=False, open_after=False)
    assert tab.opened == []  # type: ignore[attr-defined]
    tab.table.selectRow(0)
    tab.open_selected()
    tab.reprint_selected()
    first, second = tab.opened  # type: ignore[attr-defined]
    with db.reader() as s:
        issued = notices.stored_pdf(s, tab.rows[0].id)
    assert first.read_bytes() == issued == second.read_bytes()
    assert first.name == f"{tab.rows[0].doc_no}.pdf"


def test_open_shows_the_document_in_the_app_preview(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    tab = DocumentsTab(gui_context(db, admin))
    qtbot.addWidget(tab)
    tab.show_case(case_id)
    tab.show()
    with qtbot.waitSignal(tab.changed, timeout=20000):
        tab.issue_kind(DocumentKind.URGING, with_receipt=True, open_after=False)
    assert tab.preview is None
    tab.table.selectRow(0)
    tab.open_button.click()
    preview = tab.preview
    assert preview is not None and preview.isVisible()
    assert preview.view.page_count() >= 1 and preview.view.page_total.text().startswith("共 ")
    assert "催告" in preview.windowTitle()
    qtbot.waitUntil(lambda: preview.view.cached_page(0) is not None, timeout=10000)
    preview.close()
    assert tab.preview is None
