"""委托调解 on the desktop: the mediators' list in 设置 → 调解员, and the case page's tab —
entrusting, the result, and bad input shown in the banner with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_settings_page import open_page as open_settings
from tests.gui.test_settings_page import type_text
from zhiqian_desktop.domain.dues import DueKind
from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.case_page import CasePage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import mediation
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Mediation, Mediator, SupervisionCase

pytestmark = pytest.mark.gui


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        return register_case(s, admin, make_case_input(), today=TODAY).id


def open_case(qtbot: QtBot, db: Database, admin: Actor, case_id: str) -> CasePage:
    page = CasePage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.show_case(case_id)
    page.show()
    qtbot.waitExposed(page)
    page.tabs.setCurrentWidget(page.mediation)
    return page


def count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_settings_add_a_mediator_refuse_an_empty_name_and_disable(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    page = open_settings(qtbot, db, admin)
    tab = page.mediators
    page.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "名称不能为空" in tab.banner.text())
    assert count(db, Mediator) == 0
    type_text(qtbot, tab.name, "土右旗人民调解委员会")
    tab.kind.setCurrentIndex(tab.kind.findData(MediatorKind.COMMITTEE.value))
    type_text(qtbot, tab.phone, "0472-8812345")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    cells = [tab.table.item(0, c).text() for c in range(6)]  # type: ignore[union-attr]
    assert cells == ["土右旗人民调解委员会", "人民调解委员会", "", "0472-8812345", "", "在用"]
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.item(0, 5).text() == "停用")  # type: ignore[union-attr]


def test_the_case_is_entrusted_and_the_result_recorded(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    mediation.add_mediator(db, admin, "土右旗人民调解委员会", MediatorKind.COMMITTEE)
    page = open_case(qtbot, db, admin, case_id)
    tab = page.mediation
    assert tab.entrust_button.isEnabled() and not tab.result_box.isEnabled()
    assert tab.mediator.currentText() == "土右旗人民调解委员会（人民调解委员会）"
    tab.entrusted_on.setText("2026-11-20")
    tab.period.setValue(15)
    type_text(qtbot, tab.matters, "给付借款")
    qtbot.mouseClick(tab.entrust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已委托土右旗人民调解委员会调解，2026-12-07届满" in tab.banner.text())
    assert tab.table.rowCount() == 1 and tab.table.item(0, 6).text() == "调解中"  # type: ignore[union-attr]
    assert not tab.entrust_button.isEnabled() and tab.result_box.isEnabled()
    items = due_list(db, date(2026, 12, 7))
    assert [i.kind for i in items if i.case_id == case_id].count(DueKind.MEDIATION_END) == 1
    tab.result.setCurrentIndex(tab.result.findData(MediationResult.SETTLED.value))
    tab.result_on.setText("2026-11-24")
    qtbot.mouseClick(tab.result_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已登记：调解成功。请在“履行”页登记和解协议" in tab.banner.text())
    assert tab.table.item(0, 6).text() == "调解成功"  # type: ignore[union-attr]
    assert tab.entrust_button.isEnabled()


def test_a_bad_date_and_an_empty_list_say_so_and_write_nothing(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_case(qtbot, db, admin, case_id)
    tab = page.mediation
    assert "调解员名单为空" in tab.banner.text() and not tab.entrust_button.isEnabled()
    mediation.add_mediator(db, admin, "张律师", MediatorKind.LAWYER)
    tab.refresh()
    tab.entrusted_on.setText("2026-11-31")
    qtbot.mouseClick(tab.entrust_button, Qt.MouseButton.LeftButton)
    assert "委托日期" in tab.banner.text()
    tab.entrusted_on.setText("2026-12-30")  # after the day the clock says
    qtbot.mouseClick(tab.entrust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "晚于今天" in tab.banner.text())
    assert count(db, Mediation) == 0


def test_the_stats_page_counts_by_mediator(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    from zhiqian_desktop.domain.stats import Period
    from zhiqian_desktop.gui.stats_page import StatsPage

    mid = mediation.add_mediator(db, admin, "土右旗人民调解委员会", MediatorKind.COMMITTEE).id
    row = mediation.entrust_case(
        db, admin, case_id, mediator_id=mid, entrusted_on=date(2026, 11, 20), period_days=10,
        today=TODAY,
    )  # fmt: skip
    mediation.record_mediation_result(
        db, admin, row.id, result=MediationResult.FAILED, result_on=TODAY, today=TODAY
    )
    page = StatsPage(gui_context(db, admin))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.set_period(Period(date(2026, 11, 1), date(2026, 11, 30)))
    table = page.mediation_view.table
    rows = [[table.item(r, c).text() for c in range(7)] for r in range(table.rowCount())]  # type: ignore[union-attr]
    assert rows == [
        ["土右旗人民调解委员会", "1", "0", "1", "0", "0", "0.0%"],
        ["合计", "1", "0", "1", "0", "0", "0.0%"],
    ]


def test_a_closed_case_greys_the_whole_entrustment_form_and_says_why(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    mediation.add_mediator(db, admin, "张律师", MediatorKind.LAWYER)
    with db.unit_of_work() as s:
        case = s.get(SupervisionCase, case_id)
        assert case is not None
        case.status = CaseStatus.WITHDRAWN
    page = open_case(qtbot, db, admin, case_id)
    tab = page.mediation
    assert not tab.entrust_box.isEnabled() and not tab.entrust_button.isEnabled()
    assert not tab.matters.isEnabled() and not tab.period.isEnabled()
    assert tab.entrust_box.title() == "委托调解（案件“撤回”，不能再委托调解）"


def test_a_pending_entrustment_greys_the_form_until_its_result(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    mediator = mediation.add_mediator(db, admin, "张律师", MediatorKind.LAWYER)
    mediation.entrust_case(
        db,
        admin,
        case_id,
        mediator_id=mediator.id,
        entrusted_on=TODAY,
        period_days=15,
        today=TODAY,
    )
    page = open_case(qtbot, db, admin, case_id)
    tab = page.mediation
    assert not tab.entrust_box.isEnabled() and tab.result_box.isEnabled()
    assert "已有未结束的委托" in tab.entrust_box.title()
