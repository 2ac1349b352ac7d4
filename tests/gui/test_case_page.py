"""The case detail page: tabs, summary, empty states, the audit history and editing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import ContactKind, PaymentMethod
from zhiqian_desktop.gui.case_page import TAB_TITLES, CasePage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import get_case, register_case, update_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import ContactLog, Payment

pytestmark = pytest.mark.gui


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(amount="12345.67"), today=TODAY).id
    with db.unit_of_work() as s:
        update_case(
            s,
            admin,
            case_id,
            1,
            make_case_input(amount="12345.67", cause="买卖合同纠纷"),
            today=TODAY,
        )
    return case_id


def open_page(qtbot: QtBot, db: Database, admin: Actor, case_id: str) -> CasePage:
    page = CasePage(gui_context(db, admin, today=None))
    qtbot.addWidget(page)
    page.show_case(case_id)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_page_shows_the_tabs_and_the_summary(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_page(qtbot, db, admin, case_id)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles == list(TAB_TITLES)
    assert titles == [
        "概况", "当事人", "督促记录", "文书", "履行", "委托调解", "执行前保全", "短信", "附件",
        "操作日志",
    ]  # fmt: skip
    assert page.title.text() == "（2026）内0221执前督1号"
    assert page.status_chip.text() == "已收案"
    values = page.summary.values
    assert values["amount_due"].text() == "¥12,345.67（人民币壹万贰仟叁佰肆拾伍元陆角柒分）"
    assert values["outstanding"].text().startswith("¥12,345.67")
    assert values["cause"].text() == "买卖合同纠纷"
    assert values["received"].text() == "2026-11-20"
    assert values["obligors"].text() == "王某某"
    assert values["days"].text().endswith("天")
    assert values["next_due"].text() != "—"
    parties = page.parties.table
    assert parties.rowCount() == 2
    assert parties.item(1, 2).text() == "王某某"
    assert parties.item(1, 4).text() == "13912345678"


def test_tabs_without_records_say_so(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_page(qtbot, db, admin, case_id)
    for view in (page.attachments, page.payments):
        assert view.currentWidget() is view.empty
    assert page.documents.table.rowCount() == 0
    assert page.documents.empty.isVisibleTo(page.documents)
    assert page.contacts.table.rowCount() == 0
    assert page.contacts.count.text() == "共0条督促记录"


def test_existing_records_are_listed_read_only(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    with db.unit_of_work() as s:
        s.add(
            ContactLog(
                case_id=case_id,
                kind=ContactKind.PHONE,
                contacted_at=datetime(2026, 11, 21, 2, 30, tzinfo=UTC),
                reached=True,
                summary="被申请人承诺月底前付清",
                contact_name="王某某",
                number_or_place="13912345678",
                promise_amount=Decimal("12345.67"),
            )
        )
        s.add(
            Payment(
                case_id=case_id,
                paid_on=TODAY,
                amount=Decimal("2000.00"),
                method=PaymentMethod.TRANSFER,
                payer="王某某",
            )
        )
    page = open_page(qtbot, db, admin, case_id)
    assert page.contacts.table.rowCount() == 1
    row = [page.contacts.table.item(0, c).text() for c in range(page.contacts.table.columnCount())]
    assert "电话督促" in row and "是" in row and "被申请人承诺月底前付清" in row
    assert page.payments.table.item(0, 1).text() == "¥2,000.00"


def test_history_tab_reads_who_when_what(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_page(qtbot, db, admin, case_id)
    lines = page.history.text_lines()
    # Newest first: the edit, then the registration.
    assert lines[0].split(" ")[-1] == "修改案件"
    assert "管理员（admin）" in lines[0]
    assert "  案由：民间借贷纠纷 → 买卖合同纠纷" in lines
    registered = next(
        i for i, line in enumerate(lines) if "登记案件 （2026）内0221执前督1号" in line
    )
    assert any("给付金额：" in line and "¥12,345.67" in line for line in lines[registered:])


def test_edit_button_opens_the_form_and_reports_the_change(
    qtbot: QtBot, db: Database, admin: Actor, case_id: str
) -> None:
    page = open_page(qtbot, db, admin, case_id)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.edit_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.trial_judge.setText("张三")
    with qtbot.waitSignal(page.edited) as signal:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert signal.args == [case_id]
    assert page.summary.values["judge"].text() == "张三"
    with db.reader() as s:
        assert get_case(s, case_id).trial_judge == "张三"
    assert "  原审法官：（空） → 张三" in page.history.text_lines()
