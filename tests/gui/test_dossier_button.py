"""The case page's 归档卷宗 button: closed cases only, built off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.case_page import CasePage
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database


def test_dossier_of_a_closed_case(qtbot: QtBot, db: Database, admin: Actor, tmp_path: Path) -> None:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(1), today=TODAY)
        case_id, case_no = case.id, case.case_no
    page = CasePage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.show_case(case_id)
    assert not page.dossier_button.isEnabled()  # open cases have no dossier yet

    with db.unit_of_work() as s:
        outcomes.close_case(
            s,
            admin,
            case_id,
            CaseStatus.WITHDRAWN,
            closed_on=TODAY,
            reason="申请人撤回",
            today=TODAY,
        )
    page.refresh()
    assert page.dossier_button.isEnabled()
    target = tmp_path / "卷宗.pdf"
    with qtbot.waitSignal(page.dossierWritten, timeout=30_000) as written:
        page.archive_dossier(target)
    assert written.args == [str(target)]
    text = pdf_text(target)
    assert case_no in text and "卷内目录" in text
