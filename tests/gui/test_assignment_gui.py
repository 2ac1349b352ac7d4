"""分案 on the desktop: the rule and areas in 设置 → 分案, and the lead's assignment window with
the proposal, each handler's workload, assigning all and one case, and a handler only looking."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_settings_page import open_page, type_text
from zhiqian_desktop.domain.kinds import AssignmentRule, PartyKind, PartyRole, Role
from zhiqian_desktop.gui.assignment_dialog import AssignmentDialog
from zhiqian_desktop.gui.main_window import MainWindow
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import PartyInput, register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase, Tribunal, User

pytestmark = pytest.mark.gui


@pytest.fixture
def lead(db: Database, admin: Actor) -> Actor:
    with db.unit_of_work() as s:
        lead = create_user(s, admin, username="lead", display_name="赵组长", role=Role.LEAD)
        busy = create_user(s, admin, username="h1", display_name="甲承办", role=Role.HANDLER)
        create_user(s, admin, username="h2", display_name="乙承办", role=Role.HANDLER)
        add_tribunal(s, admin, "美岱召法庭")
        register_case(s, admin, make_case_input(1, handler_id=busy.id), today=TODAY)
        register_case(s, admin, make_case_input(2), today=TODAY)
        data = make_case_input(3, livelihood=True, livelihood_kind="追索劳动报酬")
        data.parties[1] = PartyInput(
            PartyRole.OBLIGOR, "王三", PartyKind.PERSON, address="土右旗美岱召镇某村"
        )
        register_case(s, admin, data, today=TODAY)
        return actor_for(lead)


def texts(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]  # type: ignore[union-attr]


def handlers(db: Database) -> dict[str, str | None]:
    with db.reader() as s:
        return {
            c.case_no: c.handler.display_name if c.handler else None
            for c in s.scalars(select(SupervisionCase))
        }


def open_dialog(qtbot: QtBot, db: Database, actor: Actor) -> AssignmentDialog:
    dialog = AssignmentDialog(gui_context(db, actor))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_lead_sees_the_proposal_and_workloads_and_assigns_all(
    qtbot: QtBot, db: Database, lead: Actor
) -> None:
    dialog = open_dialog(qtbot, db, lead)
    assert dialog.rule_label.text().startswith("分案规则：按在办案件数均衡")
    assert texts(dialog.cases, 0) == ["★（2026）内0221执前督3号", "（2026）内0221执前督2号"]
    assert texts(dialog.cases, 4) == ["乙承办", "乙承办"]
    assert texts(dialog.loads, 0) == ["乙承办", "甲承办"]
    assert texts(dialog.loads, 2) == ["0", "1"] and texts(dialog.loads, 4) == ["+2", ""]
    assert "待分配 2 件：按规则可分 2 件" in dialog.banner.text()
    with qtbot.waitSignal(dialog.assigned):
        qtbot.mouseClick(dialog.assign_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已分配 2 件" in dialog.banner.text())
    assert dialog.cases.rowCount() == 0 and texts(dialog.loads, 2) == ["2", "1"]
    assert not dialog.assign_all_button.isEnabled()
    assert None not in handlers(db).values()


def test_one_selected_case_goes_to_the_chosen_handler(
    qtbot: QtBot, db: Database, lead: Actor
) -> None:
    dialog = open_dialog(qtbot, db, lead)
    dialog.cases.selectRow(1)  # （2026）内0221执前督2号
    dialog.handler.setCurrentIndex(dialog.handler.findText("赵组长"))
    with qtbot.waitSignal(dialog.assigned):
        qtbot.mouseClick(dialog.assign_one_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已将（2026）内0221执前督2号分给赵组长" in dialog.banner.text())
    assert texts(dialog.cases, 0) == ["★（2026）内0221执前督3号"]
    assert handlers(db)["（2026）内0221执前督2号"] == "赵组长"


def test_a_changed_proposal_is_refused_in_the_banner(
    qtbot: QtBot, db: Database, lead: Actor, admin: Actor
) -> None:
    dialog = open_dialog(qtbot, db, lead)
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(4), today=TODAY)
    qtbot.mouseClick(dialog.assign_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "分案建议已变化" in dialog.banner.text())
    assert set(handlers(db).values()) == {"甲承办", None}


def test_a_handler_only_looks(qtbot: QtBot, db: Database, lead: Actor) -> None:
    with db.reader() as s:
        handler = actor_for(s.scalars(select(User).where(User.username == "h2")).one())
    dialog = open_dialog(qtbot, db, handler)
    assert dialog.cases.rowCount() == 2
    assert not dialog.assign_all_button.isEnabled()
    assert not dialog.assign_one_button.isEnabled()
    assert "须由团队负责人或管理员" in dialog.banner.text()


def test_settings_tab_sets_the_area_the_handlers_tribunal_and_the_rule(
    qtbot: QtBot, db: Database, lead: Actor
) -> None:
    page = open_page(qtbot, db, lead)
    tab = page.assignment
    page.tabs.setCurrentWidget(tab)
    tab.area_table.selectRow(0)
    type_text(qtbot, tab.townships, "美岱召镇、明沙淖乡")
    qtbot.mouseClick(tab.save_area_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "美岱召法庭的辖区已保存" in tab.banner.text())
    assert texts(tab.area_table, 1) == ["美岱召镇、明沙淖乡"]
    tab.handler_table.selectRow(texts(tab.handler_table, 0).index("甲承办"))
    tab.handler_tribunal.setCurrentIndex(tab.handler_tribunal.findText("美岱召法庭"))
    qtbot.mouseClick(tab.save_handler_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "甲承办的所属法庭：美岱召法庭" in tab.banner.text())
    tab.rule.setCurrentIndex(tab.rule.findData(AssignmentRule.AREA.value))
    qtbot.mouseClick(tab.save_rule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "分案规则已保存：按法庭辖区" in tab.banner.text())
    with db.reader() as s:
        assert get_settings(s).assignment_rule is AssignmentRule.AREA
        assert s.scalars(select(Tribunal.townships)).one() == "美岱召镇、明沙淖乡"
    # The proposal follows: the 美岱召镇 case goes to 甲, the other one says why not.
    dialog = open_dialog(qtbot, db, lead)
    assert texts(dialog.cases, 4) == ["甲承办", "—"]
    assert "不在任何法庭的辖区" in texts(dialog.cases, 6)[1]


def test_the_settings_tab_refuses_a_cause_without_handlers_and_a_clash(
    qtbot: QtBot, db: Database, lead: Actor, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        add_tribunal(s, admin, "沟门法庭")
    page = open_page(qtbot, db, lead)
    tab = page.assignment
    type_text(qtbot, tab.cause_name, "劳务合同纠纷")
    qtbot.mouseClick(tab.cause_put, Qt.MouseButton.LeftButton)
    assert "请填写案由并勾选至少一名承办人" in tab.banner.text()
    tab.rule.setCurrentIndex(tab.rule.findData(AssignmentRule.CAUSE.value))
    qtbot.mouseClick(tab.save_rule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "请至少为一个案由指定承办人" in tab.banner.text())
    tab.area_table.selectRow(texts(tab.area_table, 0).index("沟门法庭"))
    tab.townships.setText("沟门镇")
    qtbot.mouseClick(tab.save_area_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "沟门法庭的辖区已保存" in tab.banner.text())
    tab.area_table.selectRow(texts(tab.area_table, 0).index("美岱召法庭"))
    tab.townships.setText("美岱召镇、沟门镇")
    qtbot.mouseClick(tab.save_area_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "同时列在" in tab.banner.text())
    with db.reader() as s:
        assert get_settings(s).assignment_rule is AssignmentRule.BALANCED
        assert sorted(t or "" for t in s.scalars(select(Tribunal.townships))) == ["", "沟门镇"]


def test_the_main_window_opens_assignment_with_ctrl_shift_a(
    qtbot: QtBot, db: Database, lead: Actor
) -> None:
    window = MainWindow(gui_context(db, lead))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.assign_action.shortcut().toString() == "Ctrl+Shift+A"
    window.assign_action.trigger()
    dialog = window.findChild(AssignmentDialog)
    assert dialog is not None and dialog.cases.rowCount() == 2
    dialog.close()
