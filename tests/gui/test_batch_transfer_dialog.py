"""批量移送 from the app: the checked 督促不成 cases each get a package, the list is written."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.batch_transfer_dialog import BatchTransferDialog
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.closing.transfer_verify import verify_package
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.signing import court_public_key
from zhiqian_desktop.services.intake.docket import get_case, register_case
from zhiqian_desktop.store.database import Database


def test_checked_failed_cases_are_transferred(
    qtbot: QtBot, db: Database, admin: Actor, tmp_path: Path
) -> None:
    ids = []
    with db.unit_of_work() as s:
        for n in range(1, 4):
            case = register_case(s, admin, make_case_input(n), today=TODAY)
            ids.append(case.id)
        for case_id in ids[:2]:
            outcomes.mark_failed(
                s, admin, case_id, failed_on=TODAY, reason="多次督促未履行", today=TODAY
            )
    dialog = BatchTransferDialog(gui_context(db, admin))
    qtbot.addWidget(dialog)
    assert dialog.cases.count() == 2  # only 督促不成 cases are offered
    dialog.start()
    assert "移送理由" in dialog.banner.text() or "理由" in dialog.banner.text()
    dialog.reason.setText("经督促仍未履行，申请人申请强制执行")
    dialog.folder.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.finishedBatch, timeout=60_000) as finished:
        dialog.start()
    report = finished.args[0]
    assert len(report.transferred) == 2 and report.summary_xlsx is not None
    for item in report.transferred:
        assert item.package is not None and verify_package(item.package, court_public_key(db)).ok
    with db.reader() as s:
        assert {get_case(s, i).status for i in ids[:2]} == {CaseStatus.TRANSFERRED}
