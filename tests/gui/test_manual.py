"""The clerks' manual: 帮助 → 用户手册 and F1 open it at the section of the page in front of the
clerk, from every page; every section and picture it names is shipped; it prints on A4 with its
text and pictures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context, make_case_input
from zhiqian_desktop.gui.main_window import (
    PAGE_CASE,
    PAGE_DOCKET,
    PAGE_DUE,
    PAGE_SETTINGS,
    PAGE_STATS,
    MainWindow,
)
from zhiqian_desktop.gui.manual import SECTIONS, ManualWindow, manual_file
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui

HTML = Path(manual_file()).read_text(encoding="utf-8")


@pytest.fixture
def window(qtbot: QtBot, db: Database, admin: Actor) -> MainWindow:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(1), today=TODAY).id
    win = MainWindow(gui_context(db, admin))
    win.first_case_id = case_id  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_every_section_and_picture_is_in_the_shipped_manual() -> None:
    for anchor, heading in SECTIONS.items():
        assert f'<a name="{anchor}"></a>' in HTML, anchor
        assert heading in HTML, heading
    pictures = re.findall(r'<img src="([^"]+)"', HTML)
    assert len(pictures) >= 10
    folder = Path(manual_file()).parent
    missing = [p for p in pictures if not (folder / p).is_file()]
    assert not missing
    for topic in (
        "今日待办",
        "登记",
        "送达",
        "督促记录",
        "履行",
        "和解",
        "移送执行",
        "批量打印",
        "离线包",
        "统计",
        "备份",
    ):
        assert topic in HTML


def _press_f1(qtbot: QtBot, window: MainWindow) -> ManualWindow:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    manual = window.manual
    assert manual is not None
    qtbot.waitUntil(manual.isVisible)
    return manual


def _heading_shown(manual: ManualWindow, anchor: str) -> bool:
    """The section's heading is at the top of the visible part of the manual."""
    browser = manual.browser
    top = browser.cursorForPosition(browser.viewport().rect().topLeft())
    block = top.block()
    for _ in range(3):  # the anchor sits in the heading's block or just above it
        if SECTIONS[anchor] in block.text():
            return True
        block = block.next()
    return False


def test_f1_opens_the_section_of_every_page(qtbot: QtBot, window: MainWindow) -> None:
    expected = {
        PAGE_DUE: "due",
        PAGE_DOCKET: "docket",
        PAGE_STATS: "stats",
        PAGE_SETTINGS: "settings",
    }
    for page, anchor in expected.items():
        window.show_page(page)
        manual = _press_f1(qtbot, window)
        assert manual.section() == anchor
        qtbot.waitUntil(lambda m=manual, a=anchor: _heading_shown(m, a))  # type: ignore[misc]
        manual.close()

    settings = window.settings_page
    assert settings is not None
    settings.tabs.setCurrentWidget(settings.data)
    assert _press_f1(qtbot, window).section() == "backup"

    window.show_case(window.first_case_id)  # type: ignore[attr-defined]
    assert window.current_page() == PAGE_CASE
    case_page = window.case_page
    assert case_page is not None
    tab_sections = {
        "概况": "case",
        "督促记录": "contacts",
        "文书": "documents",
        "履行": "performance",
    }
    for i in range(case_page.tabs.count()):
        case_page.tabs.setCurrentIndex(i)
        anchor = tab_sections.get(case_page.tabs.tabText(i), "case")
        manual = _press_f1(qtbot, window)
        assert manual.section() == anchor, case_page.tabs.tabText(i)
        qtbot.waitUntil(lambda m=manual, a=anchor: _heading_shown(m, a))  # type: ignore[misc]


def test_help_menu_has_the_manual_on_f1(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMenu

    (help_menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "帮助(&H)"]
    (action,) = [a for a in help_menu.actions() if a.text() == "用户手册"]
    assert action.shortcut().toString() == "F1"
    action.trigger()
    assert window.manual is not None and window.manual.isVisible()


def test_the_manual_prints_on_a4_with_its_text_and_pictures(qtbot: QtBot, tmp_path: Path) -> None:
    manual = ManualWindow()
    qtbot.addWidget(manual)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "用户手册.pdf"
    printer.setOutputFileName(str(target))
    manual.print_to(printer)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Subtype /Image") >= 10  # the screenshots are printed too
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    info = subprocess.run(["pdfinfo", target], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 8  # type: ignore[index]
    text = subprocess.run(
        ["pdftotext", "-layout", target, "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in SECTIONS.values():
        assert heading in text.replace(" ", ""), heading
