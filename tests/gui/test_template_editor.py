"""设置 → 文书模板: copy, edit with a live preview, save, issue with the court's wording, refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from tests.gui.test_case_form import type_text
from tests.printing.helpers import flat, pdf_text
from zhiqian_desktop.domain.kinds import DocumentKind, Role
from zhiqian_desktop.gui.settings_page import SettingsPage
from zhiqian_desktop.gui.template_editor import TemplatesTab
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import notices, templates
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui

KIND = DocumentKind.URGING


def _tab(qtbot: QtBot, db: Database, actor: Actor) -> TemplatesTab:
    tab = TemplatesTab(gui_context(db, actor))
    qtbot.addWidget(tab)
    tab.confirm = lambda _title, _text: True  # type: ignore[method-assign]
    tab.resize(1300, 800)
    with qtbot.waitSignal(tab.previewUpdated, timeout=20000):
        tab.show()
    if tab.kind is not KIND:
        with qtbot.waitSignal(tab.previewUpdated, timeout=20000):
            tab.select_kind(KIND)
    return tab


def _court_text(db: Database) -> str | None:
    with db.reader() as s:
        return templates.court_text(s, KIND)


def _replace(qtbot: QtBot, tab: TemplatesTab, old: str, new: str) -> None:
    """Select ``old`` in the editor and type ``new`` over it, as a clerk would."""
    cursor = tab.editor.document().find(old)
    assert not cursor.isNull(), old
    tab.editor.setTextCursor(cursor)
    type_text(qtbot, tab.editor, new)


def test_edit_preview_save_then_a_notice_uses_the_courts_wording(
    qtbot: QtBot, db: Database, admin: Actor, tmp_path: Path
) -> None:
    tab = _tab(qtbot, db, admin)
    assert tab.editor.isReadOnly() and not tab.save_button.isEnabled()
    assert "内置" in tab.list.currentItem().text()
    # Inside the main window Ctrl+P is the batch print: the sample is not printable.
    assert not tab.preview.print_shortcut.isEnabled()
    assert tab.preview.page_count() >= 1
    with qtbot.waitSignal(tab.previewUpdated, timeout=20000):
        tab.copy_button.click()
    assert "本院版本" in tab.list.currentItem().text()
    assert not tab.editor.isReadOnly() and _court_text(db) == templates.default_text(KIND)
    assert "使用本数据库的各台电脑共用" in tab.status.text() and admin.username in tab.status.text()

    with qtbot.waitSignal(tab.previewUpdated, timeout=20000):
        _replace(qtbot, tab, "特此催告。", "特此催告，请即履行。")
    assert tab.save_button.isEnabled()
    assert tab.last_pdf is not None
    assert "特此催告，请即履行。" in flat(pdf_text(tab.last_pdf, tmp_path))

    with qtbot.waitSignal(tab.saved, timeout=5000):
        tab.save_button.click()
    assert not tab.save_button.isEnabled() and "已保存" in tab.banner.text()

    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        issued = notices.issue_notice(s, admin, case_id, KIND, today=TODAY)
    assert "特此催告，请即履行。" in flat(pdf_text(issued.pdf, tmp_path))

    tab.restore_button.click()
    qtbot.waitUntil(lambda: "内置" in tab.list.currentItem().text(), timeout=30_000)
    assert _court_text(db) is None and tab.editor.isReadOnly()


def test_a_broken_template_shows_its_line_keeps_the_preview_and_is_not_saved(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    tab = _tab(qtbot, db, admin)
    with qtbot.waitSignal(tab.previewUpdated, timeout=20000):
        tab.copy_button.click()
    good = tab.last_pdf
    saved_text = _court_text(db)
    assert saved_text is not None
    with qtbot.waitSignal(tab.previewFailed, timeout=20000) as failed:
        _replace(qtbot, tab, "{obligor}：", "{debtor}：")
    assert "第4行" in failed.args[0] and "{debtor}" in failed.args[0]
    assert tab.error.isVisibleTo(tab) and "第4行" in tab.error.text()
    assert "保留上一次" in tab.error.text()
    assert tab.error_line == 4
    marked = tab.editor.extraSelections()
    assert marked and marked[0].cursor.blockNumber() == 3
    assert tab.last_pdf == good and tab.preview.page_count() >= 1

    assert not tab.save()
    assert "未保存" in tab.banner.text() and "第4行" in tab.banner.text()
    assert _court_text(db) == saved_text

    # Broken TOML syntax: the line and the column.
    tab.editor.moveCursor(QTextCursor.MoveOperation.Start)
    with qtbot.waitSignal(tab.previewFailed, timeout=20000) as failed:
        _replace(qtbot, tab, '"自动履行催告书"', '"自动履行催告书')
    assert "第3行" in failed.args[0] and "格式有误" in failed.args[0]

    # Fixed again: the error goes and the preview follows.
    with qtbot.waitSignal(tab.previewUpdated, timeout=20000):
        tab.editor.setPlainText(saved_text)
    assert not tab.error.isVisibleTo(tab)


def test_other_roles_may_look_but_not_change(qtbot: QtBot, db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        lead = actor_for(
            create_user(s, admin, username="lead", display_name="组长", role=Role.LEAD)
        )
    tab = _tab(qtbot, db, lead)
    assert tab.editor.isReadOnly()
    assert not tab.copy_button.isEnabled() and not tab.restore_button.isEnabled()
    assert "管理员" in tab.status.text()


def test_the_settings_page_has_the_templates_tab(qtbot: QtBot, db: Database, admin: Actor) -> None:
    page = SettingsPage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.show()
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "文书模板" in titles
    with qtbot.waitSignal(page.templates.previewUpdated, timeout=20000):
        page.tabs.setCurrentWidget(page.templates)
    assert page.templates.list.count() == len(DocumentKind)
