"""设置 › 数据与备份 › 核对数据库: the full check runs off the GUI thread and names a change made
around the app (issue 17, 4)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.gui.settings_data import DataTab
from zhiqian_desktop.gui.settings_page import SettingsPage
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


def data_tab(qtbot: QtBot, db: Database, admin: Actor) -> DataTab:
    page = SettingsPage(gui_context(db, admin))
    qtbot.addWidget(page)
    (tab,) = page.findChildren(DataTab)
    return tab


def run_check(qtbot: QtBot, tab: DataTab) -> str:
    qtbot.mouseClick(tab.check_button, Qt.MouseButton.LeftButton)
    assert not tab.check_button.isEnabled()  # running, off the GUI thread
    qtbot.waitUntil(tab.check_button.isEnabled, timeout=30_000)
    return tab.banner.text()


def test_check_in_the_background_passes_and_then_names_an_edited_case(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(1), today=TODAY)
        case_id, case_no = case.id, case.case_no
    tab = data_tab(qtbot, db, admin)
    assert "核对通过" in run_check(qtbot, tab)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE supervision_case SET amount_due = 1 WHERE id = :i"), {"i": case_id}
        )
    message = run_check(qtbot, tab)
    assert "核对发现问题" in message and f"案件 {case_no}" in message and "被改动" in message
