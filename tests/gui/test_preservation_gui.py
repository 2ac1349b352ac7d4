"""执行前保全 on the case page: apply, rule, add a measure, print the ruling and the 协助执行通知书,
release; bad input shown in the banner with nothing written; a handler does not record rulings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_settings_page import type_text
from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.kinds import PreservationKind, ReleaseReason, Role
from zhiqian_desktop.gui.case_page import CasePage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Document, Preservation, PreservationApplication

pytestmark = pytest.mark.gui


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        return register_case(s, admin, make_case_input(), today=TODAY).id


def open_tab(qtbot: QtBot, db: Database, actor: Actor, case_id: str) -> CasePage:
    page = CasePage(gui_context(db, actor))
    qtbot.addWidget(page)
    page.show_case(case_id)
    page.show()
    qtbot.waitExposed(page)
    page.tabs.setCurrentWidget(page.preservation)
    return page


def count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_apply_rule_measure_print_and_release(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_tab(qtbot, db, admin, case_id)
    tab = page.preservation
    opened: list[Path] = []
    tab.opener = lambda path: opened.append(path) or True
    assert tab.applicant.currentText() == "李某"
    assert tab.apply_button.isEnabled()
    assert not tab.rule_box.isEnabled() and not tab.measure_box.isEnabled()

    tab.applied_on.setText("2026-11-21")
    type_text(qtbot, tab.apply_amount, "10,000")
    type_text(qtbot, tab.clues, "农业银行土右旗支行账户")
    type_text(qtbot, tab.reason, "被申请人正在转移存款")
    click(qtbot, tab.apply_button)
    qtbot.waitUntil(lambda: "已登记保全申请" in tab.banner.text())
    assert tab.rulings.item(0, 0).text() == "（待裁定）"  # type: ignore[union-attr]
    assert tab.rule_box.isEnabled()

    tab.ruled_on.setText("2026-11-22")
    type_text(qtbot, tab.judge, "赵法官")
    click(qtbot, tab.rule_button)
    qtbot.waitUntil(lambda: "已登记裁定（2026）内0221执前督1号之一" in tab.banner.text())
    assert tab.measure_box.isEnabled() and tab.print_ruling_button.isEnabled()
    assert not tab.rule_box.isEnabled()

    tab.kind.setCurrentIndex(tab.kind.findData(PreservationKind.BANK_DEPOSIT.value))
    assert [tab.measure.itemText(i) for i in range(tab.measure.count())] == ["冻结"]
    type_text(qtbot, tab.asset, "账户6228")
    type_text(qtbot, tab.holder, "农业银行土右旗支行")
    tab.taken_on.setText("2026-11-23")
    type_text(qtbot, tab.measure_amount, "8000")
    click(qtbot, tab.measure_button)
    qtbot.waitUntil(lambda: "已登记保全措施" in tab.banner.text())
    cells = [tab.measures.item(0, c).text() for c in range(9)]  # type: ignore[union-attr]
    assert cells == [
        "1", "银行存款", "冻结", "账户6228", "农业银行土右旗支行", "2026-11-23", "2027-11-23",
        "¥8,000.00", "保全中",
    ]  # fmt: skip

    click(qtbot, tab.print_ruling_button)
    qtbot.waitUntil(lambda: len(opened) == 1)
    assert "已出具财产保全裁定书（2026）内0221执前督1号之一" in tab.banner.text()
    assert "审判员赵法官" in "".join(pdf_text(opened[0].read_bytes()).split())
    tab.measures.selectRow(0)
    click(qtbot, tab.print_notice_button)
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert "农业银行土右旗支行：" in "".join(pdf_text(opened[1].read_bytes()).split())
    assert count(db, Document) == 2

    tab.release_reason.setCurrentIndex(tab.release_reason.findData(ReleaseReason.PERFORMED.value))
    click(qtbot, tab.release_button)
    qtbot.waitUntil(lambda: "已登记解除保全（被申请人已履行）" in tab.banner.text())
    assert tab.measures.item(0, 8).text() == "已于2026-11-25解除（被申请人已履行）"  # type: ignore[union-attr]
    assert not tab.release_button.isEnabled() and not tab.print_notice_button.isEnabled()
    assert not tab.release_all_button.isEnabled()

    # The release is made by ruling (之二) and the bank is told to lift the freeze.
    assert tab.print_release_button.isEnabled()
    click(qtbot, tab.print_release_button)
    qtbot.waitUntil(lambda: len(opened) == 3)
    assert "已出具解除保全裁定书（2026）内0221执前督1号之二及协助执行通知书1份" in tab.banner.text()
    ruling = "".join(pdf_text(opened[2].read_bytes()).split())
    assert "解除冻结被申请人名下的银行存款（账户6228）" in ruling
    assert "被申请人已履行生效法律文书确定的义务" in ruling
    assert count(db, Document) == 4
    # …shown with the case's documents.
    qtbot.waitUntil(lambda: page.documents.table.rowCount() == 4)
    kinds = {page.documents.table.item(r, 1).text() for r in range(4)}  # type: ignore[union-attr]
    assert {"解除保全裁定书", "协助执行通知书（解除保全）"} <= kinds, kinds
    click(qtbot, tab.print_release_button)
    qtbot.waitUntil(lambda: "不能重复裁定" in tab.banner.text())
    assert count(db, Document) == 4


def test_bad_input_says_so_and_writes_nothing(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_tab(qtbot, db, admin, case_id)
    tab = page.preservation
    tab.applied_on.setText("2026-11-31")
    click(qtbot, tab.apply_button)
    assert "申请日期" in tab.banner.text()
    tab.applied_on.setText("2026-11-21")
    type_text(qtbot, tab.apply_amount, "abc")
    click(qtbot, tab.apply_button)
    assert "申请保全的数额" in tab.banner.text()
    tab.apply_amount.setText("99999")
    type_text(qtbot, tab.clues, "账户")
    type_text(qtbot, tab.reason, "转移")
    click(qtbot, tab.apply_button)
    qtbot.waitUntil(lambda: "超过尚未履行的金额" in tab.banner.text())
    tab.apply_amount.setText("100")
    tab.clues.clear()
    click(qtbot, tab.apply_button)
    qtbot.waitUntil(lambda: "财产线索不能为空" in tab.banner.text())
    assert count(db, PreservationApplication) == 0 and count(db, Preservation) == 0


def test_a_handler_applies_but_the_lead_rules(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    with db.unit_of_work() as s:
        handler = actor_for(
            create_user(s, admin, username="jia", display_name="甲", role=Role.HANDLER)
        )
    page = open_tab(qtbot, db, handler, case_id)
    tab = page.preservation
    tab.applied_on.setText("2026-11-21")
    type_text(qtbot, tab.apply_amount, "100")
    type_text(qtbot, tab.clues, "账户")
    type_text(qtbot, tab.reason, "转移")
    click(qtbot, tab.apply_button)
    qtbot.waitUntil(lambda: "已登记保全申请" in tab.banner.text())
    assert not tab.rule_box.isEnabled()
    assert tab.rule_box.toolTip() == "保全裁定由团队负责人登记"


def test_the_release_ruling_is_the_leads(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    from datetime import date
    from decimal import Decimal

    from zhiqian_desktop.domain.kinds import PreservationMeasure
    from zhiqian_desktop.services.supervision import preservation

    with db.unit_of_work() as s:
        handler = actor_for(
            create_user(s, admin, username="jia", display_name="甲", role=Role.HANDLER)
        )
    preservation.apply_preservation(
        db, admin, case_id, applicant_id=None, applied_on=date(2026, 11, 21),
        amount=Decimal("100.00"), clues="账户", reason="转移", today=TODAY,
    )  # fmt: skip
    row = preservation.rule_preservation(
        db, admin, case_id, ruled_on=date(2026, 11, 22), amount=None, judge="赵法官", today=TODAY
    )
    preservation.add_measure(
        db, admin, row.id, kind=PreservationKind.BANK_DEPOSIT,
        measure=PreservationMeasure.FREEZE, description="账户6228", holder="农业银行",
        taken_on=date(2026, 11, 23), today=TODAY,
    )  # fmt: skip
    preservation.release_measures(
        db, admin, row.id, released_on=TODAY, reason=ReleaseReason.PERFORMED, today=TODAY
    )
    tab = open_tab(qtbot, db, handler, case_id).preservation
    tab.measures.selectRow(0)
    assert not tab.print_release_button.isEnabled()
    assert tab.print_release_button.toolTip() == "解除保全裁定书由团队负责人出具"
    lead_tab = open_tab(qtbot, db, admin, case_id).preservation
    lead_tab.measures.selectRow(0)
    assert lead_tab.print_release_button.isEnabled()
