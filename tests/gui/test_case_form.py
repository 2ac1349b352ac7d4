"""The case form, driven as a clerk drives it: typing, tabbing, clicking 保存."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
from zhiqian_desktop.gui.case_form import CaseFormDialog
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import (
    DocketQuery,
    get_case,
    list_cases,
    register_case,
    update_case,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase

pytestmark = pytest.mark.gui

VALID_ID = "150221198503011230"
BAD_ID = "150221198503011231"  # last digit should be 0


def case_count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(SupervisionCase)) or 0


def open_form(
    qtbot: QtBot, db: Database, actor: Actor, case_id: str | None = None
) -> CaseFormDialog:
    dialog = CaseFormDialog(gui_context(db, actor), case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a clerk: ASCII key by key, Chinese as the input method commits it.

    (QTest.keyClicks cannot send non-ASCII characters: this Qt build asserts on them.)
    """
    for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit, text)


def fill_valid_case(qtbot: QtBot, dialog: CaseFormDialog) -> None:
    type_text(qtbot, dialog.original_case_no, "（2026）内0221民初88号")
    type_text(qtbot, dialog.cause.lineEdit(), "民间借贷纠纷")
    type_text(qtbot, dialog.effective_date, "2026-11-01")
    type_text(qtbot, dialog.performance_deadline, "2026.11.15")
    type_text(qtbot, dialog.amount_due, "¥12,345.67")
    retype(qtbot, dialog.received_date, "2026年11月20日")
    applicant, obligor = dialog.parties
    type_text(qtbot, applicant.name, "李某")
    type_text(qtbot, obligor.name, "王某某")
    type_text(qtbot, obligor.id_number, VALID_ID)
    type_text(qtbot, obligor.phones, "13912345678")


def test_register_case_through_the_form(qtbot: QtBot, db: Database, admin: Actor) -> None:
    dialog = open_form(qtbot, db, admin)
    fill_valid_case(qtbot, dialog)
    assert dialog.amount_hint.text() == "人民币壹万贰仟叁佰肆拾伍元陆角柒分"
    assert "1985年3月1日" in dialog.parties[1].id_hint.text()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.saved_case_id is not None)
    assert dialog.saved_case_no == "（2026）内0221执前督1号"
    assert dialog.case_no_label.text() == "案号：（2026）内0221执前督1号"
    assert "（2026）内0221执前督1号" in dialog.banner.text()
    with db.reader() as s:
        case = get_case(s, dialog.saved_case_id)
        assert case.case_no == "（2026）内0221执前督1号"
        assert case.original_case_no == "（2026）内0221民初88号"
        assert case.amount_due == Decimal("12345.67")
        assert str(case.received_date) == "2026-11-20"
        assert str(case.performance_deadline) == "2026-11-15"
        assert [(p.role, p.name) for p in case.parties] == [
            (PartyRole.APPLICANT, "李某"),
            (PartyRole.OBLIGOR, "王某某"),
        ]
        assert case.parties[1].id_number == VALID_ID
        assert case.parties[1].phones == "13912345678"
    # Closing the window after the number was issued keeps the case (accepted, not cancelled).
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == CaseFormDialog.DialogCode.Accepted


def test_bad_id_number_shows_reason_and_saves_nothing(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    dialog = open_form(qtbot, db, admin)
    fill_valid_case(qtbot, dialog)
    obligor = dialog.parties[1]
    retype(qtbot, obligor.id_number, BAD_ID)

    error = obligor.errors["id_number"]
    assert error.isVisible()
    assert "校验位不符" in error.text()
    assert "最后一位应为0" in error.text()
    assert dialog.save_button.isEnabled()

    before = case_count(db)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.saved_case_id is None
    assert case_count(db) == before
    assert dialog.banner.isVisible()
    assert "校验位不符" in dialog.banner.text()
    assert dialog.focusWidget() is obligor.id_number
    assert obligor.id_number.text() == BAD_ID


def test_errors_appear_beside_fields_as_the_clerk_types(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    dialog = open_form(qtbot, db, admin)
    # Nothing is red on a fresh form: a field is judged once it has been typed in.
    assert not dialog.errors["original_case_no"].isVisible()
    type_text(qtbot, dialog.amount_due, "12.345")
    assert "两位小数" in dialog.errors["amount_due"].text()
    type_text(qtbot, dialog.effective_date, "2026-12-31")
    assert dialog.errors["effective_date"].text() == "生效日期不能晚于今天"
    type_text(qtbot, dialog.parties[1].phones, "1391234")
    assert "电话号码" in dialog.parties[1].errors["phones"].text()
    # Saving an incomplete form lists every problem and keeps everything typed.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and case_count(db) == 0
    assert dialog.errors["original_case_no"].text().startswith("原审案号不能为空")
    assert dialog.errors["cause"].isVisible()
    assert dialog.amount_due.text() == "12.345"


def test_enter_moves_on_and_does_not_save(qtbot: QtBot, db: Database, admin: Actor) -> None:
    dialog = open_form(qtbot, db, admin)
    fill_valid_case(qtbot, dialog)
    dialog.original_case_no.setFocus()
    assert dialog.focusWidget() is dialog.original_case_no
    qtbot.keyClick(dialog.original_case_no, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.saved_case_id is None
    assert case_count(db) == 0
    assert dialog.focusWidget() is dialog.original_doc_type  # Enter moved to the next field


def test_add_and_remove_a_party(qtbot: QtBot, db: Database, admin: Actor) -> None:
    dialog = open_form(qtbot, db, admin)
    fill_valid_case(qtbot, dialog)
    qtbot.mouseClick(dialog.add_obligor, Qt.MouseButton.LeftButton)
    company = dialog.parties[2]
    company.kind.setCurrentIndex(company.kind.findData(PartyKind.LEGAL_PERSON.value))
    assert company.labels["id_number"].text() == "统一社会信用代码"
    type_text(qtbot, company.name, "某某建材有限公司")
    type_text(qtbot, company.id_number, "91150200MA0N1234X")
    assert "统一社会信用代码" in company.errors["id_number"].text()
    qtbot.mouseClick(company.remove, Qt.MouseButton.LeftButton)
    assert len(dialog.parties) == 2
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.saved_case_id is not None)
    with db.reader() as s:
        assert len(get_case(s, dialog.saved_case_id).parties) == 2


def test_edit_a_case(qtbot: QtBot, db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    dialog = open_form(qtbot, db, admin, case_id)
    assert dialog.case_no_label.text() == "案号：（2026）内0221执前督1号"
    assert dialog.parties[1].name.text() == "王某某"
    dialog.cause.lineEdit().selectAll()
    type_text(qtbot, dialog.cause.lineEdit(), "买卖合同纠纷")
    retype(qtbot, dialog.amount_due, "500")
    type_text(qtbot, dialog.parties[1].address, "土右旗萨拉齐镇")

    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == CaseFormDialog.DialogCode.Accepted
    with db.reader() as s:
        case = get_case(s, case_id)
        assert case.cause == "买卖合同纠纷"
        assert case.amount_due == Decimal("500.00")
        assert case.parties[1].address == "土右旗萨拉齐镇"
        assert case.version == 2
        assert case.case_no == "（2026）内0221执前督1号"


def test_stale_edit_is_refused_and_input_kept(qtbot: QtBot, db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    dialog = open_form(qtbot, db, admin, case_id)
    # Someone else saves the case while the form is open.
    with db.unit_of_work() as s:
        update_case(s, admin, case_id, 1, make_case_input(cause="先保存的案由"), today=TODAY)
    type_text(qtbot, dialog.trial_judge, "张法官")
    dialog.cause.lineEdit().selectAll()
    type_text(qtbot, dialog.cause.lineEdit(), "我的案由")

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "已被他人修改" in dialog.banner.text())
    assert dialog.isVisible()
    assert dialog.trial_judge.text() == "张法官"
    assert dialog.cause.currentText() == "我的案由"
    with db.reader() as s:
        case = get_case(s, case_id)
        assert case.cause == "先保存的案由"
        assert case.trial_judge is None


def test_a_character_the_input_method_lacks_is_typed_as_its_code(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    dialog = open_form(qtbot, db, admin)
    fill_valid_case(qtbot, dialog)
    name = dialog.parties[1].name
    retype(qtbot, name, "王U+2A6D6")
    # While typing, the hint shows what the code will become; Enter (or leaving) converts it.
    assert name.preview.isVisible() and "王\U0002a6d6" in name.preview.text()
    assert "U+2A6D6" in name.preview.text()
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert name.text() == "王\U0002a6d6"
    assert len(name.text()) == 2  # two characters (three UTF-16 units in Qt)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.saved_case_id is not None)
    with db.reader() as s:
        case = get_case(s, dialog.saved_case_id)
        assert case.parties[1].name == "王\U0002a6d6"
        # The docket finds the case by the rare character alone and by the whole name.
        for word in ("\U0002a6d6", "王\U0002a6d6"):
            rows = list_cases(s, DocketQuery(text=word), today=TODAY)
            assert [r.case_no for r in rows] == [case.case_no], word


def test_a_code_that_names_no_character_is_refused_beside_the_field(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    dialog = open_form(qtbot, db, admin)
    fill_valid_case(qtbot, dialog)
    name = dialog.parties[1].name
    retype(qtbot, name, "王U+D800")
    assert "不是有效的字符编码" in name.preview.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不是有效的字符编码" in dialog.parties[1].errors["name"].text())
    assert case_count(db) == 0
