"""批量打印 dialog: cases from the docket selection, progress off the GUI thread, cancel keeps nothing."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind, PartyRole
from zhiqian_desktop.gui.batch_print_dialog import BatchPrintDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Document, Party, SupervisionCase

pytestmark = pytest.mark.gui


def _dialog(qtbot: QtBot, db: Database, admin: Actor, count: int) -> BatchPrintDialog:
    with db.unit_of_work() as s:
        ids = [
            register_case(s, admin, make_case_input(n), today=TODAY).id for n in range(1, count + 1)
        ]
    dialog = BatchPrintDialog(gui_context(db, admin), case_ids=ids)
    qtbot.addWidget(dialog)
    opened: list[Path] = []

    def opener(path: Path) -> bool:
        opened.append(path)
        return True

    dialog.opener = opener
    dialog.opened = opened  # type: ignore[attr-defined]
    dialog.show()
    return dialog


def _documents(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Document)) or 0


def test_selected_cases_print_into_one_pdf(qtbot: QtBot, db: Database, admin: Actor) -> None:
    dialog = _dialog(qtbot, db, admin, 3)
    assert dialog.from_selected.isChecked() and dialog.table.rowCount() == 3
    assert dialog.count_label.text() == "共3件，已选3件"
    dialog.set_kind(DocumentKind.RISK_NOTICE)
    with qtbot.waitSignal(dialog.printed, timeout=30000):
        dialog.start()
        assert not dialog.print_button.isEnabled() and dialog.cancel_button.isEnabled()
    (pdf,) = dialog.opened  # type: ignore[attr-defined]
    assert pdf.exists() and "已出具3件执行风险提示书及送达回证" in dialog.banner.text()
    # Three notices, each with a receipt for the applicant and one for the obligor.
    assert _documents(db) == 9


def test_cancel_keeps_nothing(qtbot: QtBot, db: Database, admin: Actor) -> None:
    dialog = _dialog(qtbot, db, admin, 4)
    task = dialog.start()
    assert task is not None
    with qtbot.waitSignal(task.signals.finished, timeout=30000):
        dialog.cancel()
    assert "本批文书均未出具" in dialog.banner.text()
    assert dialog.opened == [] and _documents(db) == 0  # type: ignore[attr-defined]
    assert dialog.print_button.isEnabled()


def test_the_trip_pdf_opens_in_the_app_preview(qtbot: QtBot, db: Database, admin: Actor) -> None:
    dialog = _dialog(qtbot, db, admin, 2)
    dialog.opener = dialog.show_preview
    with qtbot.waitSignal(dialog.printed, timeout=30000) as printed:
        dialog.start()
    preview = dialog.preview
    assert preview is not None and preview.isVisible()
    qtbot.addWidget(preview)
    pages = len(pypdf.PdfReader(printed.args[0]).pages)
    assert pages >= 4 and preview.view.page_count() == pages
    assert preview.view.page_total.text() == f"共 {pages} 页"
    preview.close()


def test_a_batch_that_fails_at_once_leaves_the_dialog_usable(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    dialog = _dialog(qtbot, db, admin, 2)
    with db.unit_of_work() as s:
        for document_case in s.scalars(select(SupervisionCase)):
            document_case.deleted_at = document_case.updated_at
    for _ in range(5):  # the failure is immediate: "finished" must not be missed
        task = dialog.start()
        assert task is not None
        qtbot.waitUntil(lambda: dialog.task is None, timeout=10000)
        assert "已被删除" in dialog.banner.text() and dialog.print_button.isEnabled()


def test_from_the_due_list_cases_that_cannot_have_the_document_are_left_out_and_named(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    dialog = _dialog(qtbot, db, admin, 3)
    dialog.from_due.setChecked(True)
    assert dialog.table.rowCount() == 3  # new cases: all on the due-list
    second = dialog.cases[1]
    with db.unit_of_work() as s:
        company = s.scalars(
            select(Party).where(Party.case_id == second.id, Party.role == PartyRole.OBLIGOR)
        ).one()
        company.kind = PartyKind.LEGAL_PERSON
    dialog.set_kind(DocumentKind.BANKRUPTCY_NOTICE)
    with qtbot.waitSignal(dialog.printed, timeout=30000):
        dialog.start()
    result = dialog.last_result
    assert result is not None and [d.case_no for d in result.documents] == [second.case_no]
    assert len(result.skipped) == 2
    text = dialog.banner.text()
    assert "已出具1件申请破产审查告知书" in text and "跳过2件" in text
    assert "只适用于被申请人为企业法人" in text
