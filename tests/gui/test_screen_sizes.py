"""Every main page and dialog fits the screens a court runs: 1024×700 and 1366×768 at 100 %,
1366×768 and 1920×1080 at 150 % (911×512 and 1280×720 in the pixels the layout works in). No
page scrolls sideways, no page or dialog needs more room than the screen has, and no label,
button or tab shows a cut text."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import ContactKind, DocumentKind, PaymentMethod
from zhiqian_desktop.gui.main_window import MainWindow
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import contacts, notices
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.tools.screen_fit import SCREENS, Screen, cut_texts, fit_problems, tour

pytestmark = pytest.mark.gui

LONG_NAME = "内蒙古自治区包头市土默特右旗萨拉齐镇某某建筑工程有限责任公司"


def worked_case(db: Database, admin: Actor) -> str:
    """A case with a long obligor name, a call, a payment and a notice to serve, so every tab
    has rows and every dialog opens."""
    case_id = register_case(db, admin, make_case_input(1, obligor=LONG_NAME), today=TODAY).id
    called = datetime.combine(TODAY, time(10), tzinfo=DEFAULT_ZONE)
    call = ContactInput(
        ContactKind.PHONE, called, True, "被申请人法定代表人表示本月底前先付一半，余款分两期付清"
    )
    contacts.log_contact(db, admin, case_id, call, now=called)
    outcomes.record_payment(
        db,
        admin,
        case_id,
        paid_on=TODAY,
        amount=Decimal("400.00"),
        method=PaymentMethod.TRANSFER,
        payer=LONG_NAME,
        today=TODAY,
    )
    notices.issue_notice(db, admin, case_id, DocumentKind.URGING, today=TODAY)
    return case_id


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_page_and_dialog_fits_the_screen(
    qtbot: QtBot, db: Database, admin: Actor, screen: Screen
) -> None:
    case_id = worked_case(db, admin)
    window = MainWindow(gui_context(db, admin))
    qtbot.addWidget(window)
    room = screen.logical
    problems: list[str] = []
    seen = []
    for name, widget in tour(window, case_id, room):
        qtbot.wait(10)
        seen.append(name)
        problems += fit_problems(widget, room, name)
        if widget is window:
            page = window.pages.currentWidget()
            hint = page.minimumSizeHint()
            if hint.width() > window.pages.width() or hint.height() > window.pages.height():
                problems.append(f"{name}: 页面最小尺寸 {hint.width()}×{hint.height()}")
            assert window.size().toTuple() == room, name
    assert problems == [], "\n".join(problems)
    assert "登记送达" in seen and "案件详情-履行" in seen and "设置-文书模板" in seen


def test_the_check_sees_a_cut_label(qtbot: QtBot) -> None:
    """The check itself: a label narrower than its text is reported, a wide enough one not."""
    holder = QWidget()
    qtbot.addWidget(holder)
    label = QLabel("应履行 ¥5,300.00　已履行 ¥5,300.00（100.00%）　尚欠 ¥0.00", holder)
    holder.resize(600, 40)
    holder.show()
    label.resize(120, 20)
    assert cut_texts(holder) != []
    label.resize(label.sizeHint().width() + 4, 20)
    assert cut_texts(holder) == []
