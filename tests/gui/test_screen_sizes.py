"""On a 1024×700 screen (and 1280×720 logical, a 1920×1080 screen at 150 %) the due-list, the
docket and the statistics fit without scrolling sideways, and no label or button text is cut."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.gui.main_window import PAGE_DOCKET, PAGE_DUE, PAGE_STATS, MainWindow
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


def cut_texts(page: QWidget) -> list[str]:
    """Labels and buttons on screen whose text is wider than the room they were given."""
    cut = []
    for label in page.findChildren(QLabel):
        shown = label.isVisible() and label.text() and not label.wordWrap()
        if shown and label.sizeHint().width() > label.width() + 1:
            cut.append(f"“{label.text()}”: {label.sizeHint().width()} > {label.width()}")
    for button in page.findChildren(QPushButton):
        shown = button.isVisible() and button.text()
        if shown and button.sizeHint().width() > button.width() + 1:
            cut.append(f"按钮“{button.text()}”: {button.sizeHint().width()} > {button.width()}")
    return cut


@pytest.mark.parametrize("size", [(1024, 700), (1280, 720)], ids=["1024x700", "1920x1080@150%"])
def test_daily_pages_fit_without_scrolling_sideways(
    qtbot: QtBot, db: Database, admin: Actor, size: tuple[int, int]
) -> None:
    register_case(
        db, admin, make_case_input(1, obligor="内蒙古某某建筑工程有限责任公司"), today=TODAY
    )
    window = MainWindow(gui_context(db, admin))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    for page_number in (PAGE_DUE, PAGE_DOCKET, PAGE_STATS):
        window.show_page(page_number)
        page = window.pages.currentWidget()
        qtbot.wait(10)
        assert window.width() == size[0]
        assert page.minimumSizeHint().width() <= window.pages.width(), page_number
        assert cut_texts(page) == [], page_number
