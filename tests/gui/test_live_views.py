"""Every view that shows a case shows it as it is once a change commits: this desk's own dialogs,
an import, and another desk writing to the same database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_case_form import type_text
from zhiqian_desktop.domain.kinds import PaymentMethod
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.docket_model import CASE_ID_ROLE
from zhiqian_desktop.gui.main_window import PAGE_CASE, PAGE_DOCKET, PAGE_STATS, MainWindow
from zhiqian_desktop.gui.outcome_dialogs import CloseDialog, PaymentDialog
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


@pytest.fixture
def cases(db: Database, admin: Actor) -> list[str]:
    with db.unit_of_work() as s:
        return [
            register_case(s, admin, make_case_input(n, amount="1000.00"), today=TODAY).id
            for n in (1, 2, 3)
        ]


@pytest.fixture
def window(qtbot: QtBot, db: Database, admin: Actor, cases: list[str]) -> MainWindow:
    win = MainWindow(gui_context(db, admin))
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


def listed(window: MainWindow) -> list[str]:
    model = window.docket.model
    return [model.data(model.index(row, 0), CASE_ID_ROLE) for row in range(model.rowCount())]


def due_cases(window: MainWindow) -> set[str]:
    return {item.case_id for item in window.due_list.model.items}


def test_closing_a_case_leaves_the_open_docket_the_due_list_and_the_statistics(
    qtbot: QtBot, window: MainWindow, db: Database, cases: list[str]
) -> None:
    window.show_page(PAGE_STATS)
    assert window.stats_page is not None
    qtbot.waitUntil(lambda: window.stats_page is not None and window.stats_page._task is None)
    window.show_page(PAGE_DOCKET)
    window.docket.status_combo.setCurrentText("办理中")
    assert window.docket.count_label.text() == "符合条件 3 件"
    qtbot.waitUntil(lambda: due_cases(window) == set(cases))
    target = cases[1]
    window.docket.select_case(target)
    window.docket.open_current()
    assert window.current_page() == PAGE_CASE
    page = window.case_page
    assert page is not None
    page.tabs.setCurrentIndex(4)

    page.pay_button.click()
    pay = page.outcome_dialog
    assert isinstance(pay, PaymentDialog)
    type_text(qtbot, pay.amount, "1000")
    with qtbot.waitSignal(pay.saved):
        pay.save_button.click()
    page.close_button.click()
    close = page.outcome_dialog
    assert isinstance(close, CloseDialog)
    close.offer_certificate = lambda: False  # type: ignore[method-assign]
    type_text(qtbot, close.reason, "被申请人已全部履行")
    with qtbot.waitSignal(close.saved):
        close.save_button.click()

    # No F5: back on the docket the closed case has left the open cases and the count follows.
    qtbot.waitUntil(lambda: target not in listed(window))
    window.show_docket()
    assert window.docket.count_label.text() == "符合条件 2 件"
    assert sorted(listed(window)) == sorted(c for c in cases if c != target)
    qtbot.waitUntil(lambda: due_cases(window) == set(cases) - {target})
    assert window.stats_stale
    window.show_page(PAGE_STATS)
    qtbot.waitUntil(lambda: window.stats_page is not None and window.stats_page._task is None)
    assert not window.stats_stale


def test_another_desk_on_the_same_database_is_seen_at_the_next_look(
    qtbot: QtBot, window: MainWindow, db: Database, admin: Actor, cases: list[str]
) -> None:
    window.show_case(cases[0])
    page = window.case_page
    assert page is not None
    assert "已履行 ¥0.00" in page.performance_line.text()
    window.watch.poll()  # the first look only learns the counter
    qtbot.waitUntil(lambda: window.watch._poll_task is not None and window.watch._poll_task.done)

    other = open_app_database(db.url)  # another desk: its own engine, its commits not heard here
    try:
        outcomes.record_payment(
            other,
            admin,
            cases[0],
            paid_on=TODAY,
            amount=Decimal("400.00"),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            today=TODAY,
        )
        outcomes.close_case(
            other,
            admin,
            cases[2],
            CaseStatus.WITHDRAWN,
            closed_on=TODAY,
            reason="申请人撤回",
            today=TODAY,
        )
        new = register_case(other, admin, make_case_input(9), today=date(2026, 11, 24)).id
    finally:
        other.dispose()
    assert "已履行 ¥0.00" in page.performance_line.text()

    window.watch.poll()
    qtbot.waitUntil(lambda: "已履行 ¥400.00" in page.performance_line.text())
    qtbot.waitUntil(lambda: new in listed(window))
    qtbot.waitUntil(lambda: due_cases(window) == {cases[0], cases[1], new})
    assert window.docket.count_label.text() == "共 4 件"
    assert window.docket.table.horizontalHeader().sortIndicatorSection() == 0
    assert window.docket.table.horizontalHeader().sortIndicatorOrder() == (
        Qt.SortOrder.DescendingOrder
    )
