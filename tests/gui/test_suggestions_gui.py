"""司法建议 on the desktop (统计 › 司法建议): a draft from a proposed group and from listed case
numbers, bad input in the dialog's banner with nothing written, signing by the lead only,
printing, recording sending and the reply, and the overdue reply on the due-list."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_settings_page import open_page as open_settings
from tests.gui.test_settings_page import type_text
from zhiqian_desktop.domain.kinds import RecipientKind, Role, SuggestionGrouping, SuggestionStatus
from zhiqian_desktop.gui.due_list_page import DueListPage
from zhiqian_desktop.gui.pdf_view import PdfPreviewDialog
from zhiqian_desktop.gui.suggestions_page import (
    DraftDialog,
    GroupsDialog,
    StepDialog,
    SuggestionsView,
)
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import DocketQuery, register_case
from zhiqian_desktop.services.supervision import suggestions as sg
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Suggestion

pytestmark = pytest.mark.gui
INSURER = "某财产保险公司"


@pytest.fixture
def case_nos(db: Database, admin: Actor) -> list[str]:
    with db.unit_of_work() as s:
        return [
            register_case(
                s, admin, make_case_input(n, obligor=INSURER, amount="300"), today=TODAY
            ).case_no
            for n in range(1, 6)
        ]


def open_view(qtbot: QtBot, db: Database, actor: Actor) -> SuggestionsView:
    view = SuggestionsView(gui_context(db, actor))
    qtbot.addWidget(view)
    view.refresh()
    view.show()
    qtbot.waitExposed(view)
    return view


def count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(Suggestion)) or 0)


def test_a_draft_from_a_proposed_group_signed_printed_sent_and_replied(
    qtbot: QtBot, db: Database, admin: Actor, case_nos: list[str]
) -> None:
    view = open_view(qtbot, db, admin)
    assert not view.sign_button.isEnabled() and not view.print_button.isEnabled()
    qtbot.mouseClick(view.groups_button, Qt.MouseButton.LeftButton)
    groups = view.dialog
    assert isinstance(groups, GroupsDialog)
    assert groups.table.rowCount() == 1
    assert groups.table.item(0, 0).text() == INSURER  # type: ignore[union-attr]
    assert groups.table.item(0, 1).text() == "5"  # type: ignore[union-attr]
    groups.table.selectRow(0)
    qtbot.mouseClick(groups.draft_button, Qt.MouseButton.LeftButton)
    draft = view.dialog
    assert isinstance(draft, DraftDialog)
    assert draft.cases.toPlainText().splitlines() == case_nos
    assert "以某财产保险公司为被申请人的案件共5件，尚未履行金额合计1,500.00元。" in (
        draft.problem.toPlainText()
    )
    # Nothing to say to whom: refused in the banner, nothing written.
    draft.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "请填写被建议单位" in draft.banner.text())
    assert count(db) == 0
    type_text(qtbot, draft.recipient, "某财产保险公司某某中心支公司")
    draft.kind.setCurrentIndex(draft.kind.findData(RecipientKind.INSURER.value))
    draft.proposal.setPlainText("一、及时理赔。")
    draft.buttons.accepted.emit()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert "已保存草稿" in view.banner.text()
    assert view.table.item(0, 0).text() == "（草稿）"  # type: ignore[union-attr]

    view.table.selectRow(0)
    assert view.sign_button.isEnabled() and view.edit_button.isEnabled()
    qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已签发：（2026）内0221司建1号" in view.banner.text())
    assert view.print_button.isEnabled() and view.sent_button.isEnabled()
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.dialog, PdfPreviewDialog))
    preview = view.dialog
    assert isinstance(preview, PdfPreviewDialog)
    qtbot.waitUntil(lambda: preview.view.page_count() >= 1)
    preview.close()

    qtbot.mouseClick(view.sent_button, Qt.MouseButton.LeftButton)
    step = view.dialog
    assert isinstance(step, StepDialog)
    step.day.setText("2026-11-26")
    step.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "晚于今天" in step.banner.text())
    step.day.setText("2026-11-25")
    step.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "已登记发出" in view.banner.text())
    assert "2027-01-25" in view.banner.text()
    assert view.table.item(0, 7).text() == "2027-01-25"  # type: ignore[union-attr]

    qtbot.mouseClick(view.reply_button, Qt.MouseButton.LeftButton)
    step = view.dialog
    assert isinstance(step, StepDialog)
    step.summary.setPlainText("已采纳，开通快速理赔。")
    step.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "已登记回复" in view.banner.text())
    assert view.table.item(0, 3).text() == "已回复"  # type: ignore[union-attr]
    assert "回复（2026-11-25）：已采纳，开通快速理赔。" in view.detail.text()


def test_a_draft_from_listed_case_numbers_and_a_bad_number(
    qtbot: QtBot, db: Database, admin: Actor, case_nos: list[str]
) -> None:
    view = open_view(qtbot, db, admin)
    qtbot.mouseClick(view.cases_button, Qt.MouseButton.LeftButton)
    draft = view.dialog
    assert isinstance(draft, DraftDialog)
    draft.cases.setPlainText(f"{case_nos[0]}、（2026）内0221执前督99号")
    qtbot.mouseClick(draft.facts_button, Qt.MouseButton.LeftButton)
    assert "99号" in draft.banner.text()
    draft.cases.setPlainText(f"{case_nos[0]}, {case_nos[1]}")
    qtbot.mouseClick(draft.facts_button, Qt.MouseButton.LeftButton)
    assert draft.problem.toPlainText().startswith("2026年11月20日，本院执行前督促收案中案件共2件")
    draft.problem.setPlainText(draft.problem.toPlainText() + "\n理赔拖延。")
    draft.cases.setPlainText(case_nos[0])
    qtbot.mouseClick(draft.facts_button, Qt.MouseButton.LeftButton)
    assert draft.problem.toPlainText().splitlines() == [
        "2026年11月20日，本院执行前督促收案中案件共1件，尚未履行金额合计300.00元。",
        "理赔拖延。",
    ]
    draft.cases.setPlainText(f"{case_nos[0]}, {case_nos[1]}")
    qtbot.mouseClick(draft.facts_button, Qt.MouseButton.LeftButton)
    type_text(qtbot, draft.recipient, "某某监管分局")
    draft.kind.setCurrentIndex(draft.kind.findData(RecipientKind.REGULATOR.value))
    draft.proposal.setPlainText("加强监管。")
    draft.buttons.accepted.emit()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert view.table.item(0, 4).text() == "2"  # type: ignore[union-attr]


def test_a_handler_drafts_but_does_not_sign_and_sees_his_overdue_reply(
    qtbot: QtBot, db: Database, admin: Actor, case_nos: list[str]
) -> None:
    with db.unit_of_work() as s:
        handler = actor_for(
            create_user(s, admin, username="jia", display_name="甲", role=Role.HANDLER)
        )
    group = sg.group_named(db, SuggestionGrouping.OBLIGOR, INSURER)
    first = date(2026, 9, 1)
    row = sg.draft_suggestion(
        db, handler, recipient="某保险公司", recipient_kind="保险机构", case_ids=group.group.case_ids,
        problem="p", proposal="q", today=first,
    )  # fmt: skip
    view = open_view(qtbot, db, handler)
    view.table.selectRow(0)
    assert view.edit_button.isEnabled() and not view.sign_button.isEnabled()
    sg.approve_suggestion(db, admin, row.id, today=first)
    sg.record_sent(db, handler, row.id, sent_on=first, today=TODAY)

    page = DueListPage(gui_context(db, handler))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.suggestion_reminder.isVisible())
    assert "司法建议逾期未回复：（2026）内0221司建1号 致某保险公司（2026-11-02届满）" in (
        page.suggestion_reminder.text()
    )
    other = DueListPage(gui_context(db, admin))
    qtbot.addWidget(other)
    other.show()
    qtbot.waitUntil(lambda: other.suggestion_reminder.isVisible())
    sg.record_reply(db, handler, row.id, replied_on=TODAY, summary="已采纳", today=TODAY)
    page.refresh()
    qtbot.waitUntil(lambda: not page.suggestion_reminder.isVisible())
    assert sg.get_suggestion(db, row.id).status is SuggestionStatus.REPLIED


def test_a_draft_from_the_dockets_filter(
    qtbot: QtBot, db: Database, admin: Actor, case_nos: list[str]
) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(9, obligor="王某某"), today=TODAY)
    view = open_view(qtbot, db, admin)
    assert not view.docket_button.isEnabled()  # only beside the main window's docket
    query = DocketQuery(text="无此人")
    view.use_docket(lambda: query)
    qtbot.mouseClick(view.docket_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "台账当前筛选没有案件" in view.banner.text())
    query = DocketQuery(text=INSURER)
    qtbot.mouseClick(view.docket_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.dialog, DraftDialog))
    draft = view.dialog
    assert isinstance(draft, DraftDialog)
    assert sorted(draft.cases.toPlainText().splitlines()) == sorted(case_nos)
    assert "案件共5件" in draft.problem.toPlainText()


def test_the_reply_period_and_threshold_in_the_settings(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    page = open_settings(qtbot, db, admin)
    court = page.court
    assert (court.suggestion_reply_months.value(), court.suggestion_threshold.value()) == (2, 5)
    assert court.suggestion_reply_months.maximum() == 3
    court.suggestion_reply_months.setValue(3)
    court.suggestion_threshold.setValue(8)
    qtbot.mouseClick(court.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in court.banner.text())
    with db.reader() as s:
        settings = get_settings(s)
        assert (settings.suggestion_reply_months, settings.suggestion_threshold) == (3, 8)
