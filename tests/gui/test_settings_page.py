"""The settings page (court, people, holiday table) and the first-start set-up dialog."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, gui_context
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.case_form import CaseFormDialog
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.settings_page import SettingsPage
from zhiqian_desktop.gui.setup_dialog import SetupDialog
from zhiqian_desktop.services.core import calendar as calendar_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.settings import get_settings, is_initialized, update_settings
from zhiqian_desktop.services.core.users import find_user, verify_password
from zhiqian_desktop.store.database import Database

pytestmark = pytest.mark.gui


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """ASCII key by key; Chinese as an input method commits it (keyClicks is ASCII-only)."""
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


def open_page(qtbot: QtBot, db: Database, admin: Actor) -> SettingsPage:
    page = SettingsPage(gui_context(db, admin))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_saves_court_settings(qtbot: QtBot, db: Database, admin: Actor) -> None:
    page = open_page(qtbot, db, admin)
    court = page.court
    assert court.court_name.text() == "土默特右旗人民法院"
    retype(qtbot, court.case_word, "执前调")
    assert court.example.text() == f"（{page.today.year}）内0221执前调1号"
    court.urging_days.setValue(20)
    court.unserved_flag_days.setValue(10)
    qtbot.mouseClick(court.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in court.banner.text())
    with db.reader() as s:
        settings = get_settings(s)
        assert (settings.case_word, settings.urging_days, settings.unserved_flag_days) == (
            "执前调",
            20,
            10,
        )
    # A second save from the same page works: the page keeps the new version.
    court.supervision_limit_days.setValue(45)
    court.banner.clear_message()
    qtbot.mouseClick(court.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in court.banner.text())
    with db.reader() as s:
        assert get_settings(s).supervision_limit_days == 45


def test_the_courts_time_zone_is_set_in_settings_and_moves_the_desks_day(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    # 17:30 UTC on 24 November: already the 25th in Beijing, still the 24th in Urumqi (UTC+6).
    ctx = AppContext(db, admin, Clock(now=lambda: datetime(2026, 11, 24, 17, 30, tzinfo=UTC)))
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    court = page.court
    assert court.time_zone.text() == "Asia/Shanghai"
    assert ctx.clock.today() == date(2026, 11, 25)
    retype(qtbot, court.time_zone, "Asia/Urumchi")
    assert "不是有效的时区名称" in court.time_zone_error.text()
    assert court.time_zone_error.isVisible()
    retype(qtbot, court.time_zone, "Asia/Urumqi")
    assert not court.time_zone_error.isVisible()
    qtbot.mouseClick(court.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in court.banner.text())
    assert get_settings(db).time_zone == "Asia/Urumqi"
    assert ctx.clock.today() == date(2026, 11, 24)
    form = CaseFormDialog(ctx, None)
    qtbot.addWidget(form)
    assert form.received_date.date_value() == date(2026, 11, 24)


def test_bad_court_code_shows_reason_and_is_not_saved(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    page = open_page(qtbot, db, admin)
    retype(qtbot, page.court.court_code, "0221")
    assert "法院代字" in page.court.court_code_error.text()
    assert page.court.court_code_error.isVisible()
    qtbot.mouseClick(page.court.save_button, Qt.MouseButton.LeftButton)
    with db.reader() as s:
        assert get_settings(s).court_code == "内0221"


def test_stale_settings_are_refused(qtbot: QtBot, db: Database, admin: Actor) -> None:
    page = open_page(qtbot, db, admin)
    with db.unit_of_work() as s:
        update_settings(s, admin, get_settings(s).version, urging_days=30)
    page.court.urging_days.setValue(10)
    qtbot.mouseClick(page.court.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已被他人修改" in page.court.banner.text())
    assert page.court.urging_days.value() == 10
    with db.reader() as s:
        assert get_settings(s).urging_days == 30


def test_adds_a_tribunal_and_a_handler(qtbot: QtBot, db: Database, admin: Actor) -> None:
    page = open_page(qtbot, db, admin)
    people = page.people
    type_text(qtbot, people.tribunal_name, "沟门法庭")
    qtbot.mouseClick(people.tribunal_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: people.tribunal_list.count() == 1)
    assert [people.tribunal_list.item(i).text() for i in range(people.tribunal_list.count())] == [
        "沟门法庭"
    ]
    type_text(qtbot, people.display_name, "张承办")
    type_text(qtbot, people.username, "zhang")
    people.role.setCurrentIndex(people.role.findData(Role.HANDLER.value))
    qtbot.mouseClick(people.user_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: people.users.rowCount() == 2)
    names = [people.users.item(r, 0).text() for r in range(people.users.rowCount())]
    assert "张承办" in names
    with db.reader() as s:
        assert find_user(s, "zhang").role is Role.HANDLER
    # A duplicate username is refused beside the form.
    type_text(qtbot, people.display_name, "另一个")
    type_text(qtbot, people.username, "zhang")
    qtbot.mouseClick(people.user_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已被使用" in people.user_error.text())


def test_holiday_editor_saves_a_year_entered_by_hand(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    page = open_page(qtbot, db, admin)
    cal = page.calendar
    page.tabs.setCurrentWidget(cal)
    # The bundled data ends with 2026; on 2026-11-25 next year's schedule is missing.
    assert cal.missing_banner.isVisible()
    assert "2027年" in cal.missing_banner.text()
    cal.year.setValue(2027)
    assert cal.table.rowCount() == 0

    type_text(qtbot, cal.from_date, "2027-01-01")
    cal.name.setCurrentText("元旦")
    qtbot.mouseClick(cal.add_button, Qt.MouseButton.LeftButton)
    type_text(qtbot, cal.from_date, "2027-02-06")
    type_text(qtbot, cal.to_date, "2027-02-12")
    cal.name.setCurrentText("春节")
    qtbot.mouseClick(cal.add_button, Qt.MouseButton.LeftButton)
    # A weekday cannot be an adjusted working day: the reason shows and nothing is added.
    cal.kind.setCurrentIndex(cal.kind.findData("workday"))
    type_text(qtbot, cal.from_date, "2027-02-15")
    qtbot.mouseClick(cal.add_button, Qt.MouseButton.LeftButton)
    assert "只能是周六或周日" in cal.add_error.text()
    retype(qtbot, cal.from_date, "2027-02-14")
    qtbot.mouseClick(cal.add_button, Qt.MouseButton.LeftButton)
    assert cal.table.rowCount() == 9
    assert cal.missing_banner.isVisible()  # not saved yet

    qtbot.mouseClick(cal.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "2027年节假日已保存" in cal.banner.text())
    assert not cal.missing_banner.isVisible()
    with db.reader() as s:
        assert calendar_service.missing_years(s, TODAY) == []
        rows = calendar_service.year_rows(s, 2027)
        assert [(r.day, r.kind) for r in rows if r.kind == "workday"] == [
            (date(2027, 2, 14), "workday")
        ]
        assert sum(r.kind == "holiday" for r in rows) == 8
        assert calendar_service.load_calendar(s).is_rest_day(date(2027, 2, 8))


def test_holiday_editor_shows_the_seeded_official_year(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    page = open_page(qtbot, db, admin)
    cal = page.calendar
    assert cal.year.value() == 2026
    texts = [cal.table.item(r, 2).text() for r in range(cal.table.rowCount())]
    assert "放假" in texts and "调休上班" in texts
    # Where the data comes from, in a clerk's words (not a library's name).
    assert (
        cal.source.text()
        == "2026年：已公布。来源：国务院办公厅关于2026年部分节假日安排的通知（随软件提供）"
    )
    assert "chinesecalendar" not in cal.source.text()
    assert (
        "2026年 已公布" in cal.years_status.text()
        and "2027年 仅法定节日" in cal.years_status.text()
    )


def test_data_locations_show_the_database(qtbot: QtBot, db: Database, admin: Actor) -> None:
    page = open_page(qtbot, db, admin)
    assert page.data.values["database"].text() == str(db.path)
    assert page.data.values["backups"].text().endswith("backups")


def test_setup_dialog_initialises_an_empty_database(qtbot: QtBot, empty_db: Database) -> None:
    dialog = SetupDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.court_name, "土默特右旗人民法院")
    type_text(qtbot, dialog.court_code, "0221")
    assert "法院代字" in dialog.errors["court_code"].text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    with empty_db.reader() as s:
        assert not is_initialized(s)

    retype(qtbot, dialog.court_code, "内0221")
    assert not dialog.errors["court_code"].isVisible()
    assert dialog.example.text().endswith("内0221执前督1号")
    type_text(qtbot, dialog.display_name, "王管理")
    type_text(qtbot, dialog.password, "secret1")
    type_text(qtbot, dialog.password2, "secret2")
    assert dialog.errors["password2"].text() == "两次输入的密码不一致"
    retype(qtbot, dialog.password2, "secret1")

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    with empty_db.reader() as s:
        settings = get_settings(s)
        assert (settings.court_name, settings.court_code, settings.case_word) == (
            "土默特右旗人民法院",
            "内0221",
            "执前督",
        )
        admin_user = find_user(s, "admin")
        assert admin_user.display_name == "王管理"
        assert admin_user.role is Role.ADMIN
        assert verify_password(admin_user, "secret1")
        assert calendar_service.missing_years(s, date(2025, 6, 1)) == []  # seeded


def test_database_location_dialog_opens_from_the_data_tab(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    from zhiqian_desktop.gui.settings_data import DataTab

    page = SettingsPage(gui_context(db, admin, today=None))
    qtbot.addWidget(page)
    (tab,) = page.findChildren(DataTab)
    dialog = tab.choose_database()
    qtbot.waitExposed(dialog)
    assert dialog.isVisible()
    dialog.reject()


def test_fonts_tab_shows_the_file_each_print_role_uses(
    qtbot: QtBot, db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhiqian_desktop.printing.font_finder import FONT_DIRS_ENV

    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path))  # a PC with no fonts of its own
    page = open_page(qtbot, db, admin)
    shown = page.fonts.in_use.text()
    for role in (
        "标题（小标宋）",
        "正文（仿宋）",
        "一级标题（黑体）",
        "二级标题（楷体）",
        "页码（宋体）",
    ):
        assert role in shown
    # No 仿宋 installed: the body falls back to the bundled face, and says so.
    assert "正文（仿宋）：随软件提供：AR PL UMing（uming.ttc" in shown


def test_a_new_user_gets_the_same_phone_and_password_rules_and_a_confirmation(
    qtbot: QtBot, db: Database, admin: Actor
) -> None:
    page = open_page(qtbot, db, admin)
    people = page.people
    type_text(qtbot, people.display_name, "李承办")
    type_text(qtbot, people.username, "lichengban")
    type_text(qtbot, people.phone, "139")
    type_text(qtbot, people.password, "abc")
    qtbot.mouseClick(people.user_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "电话号码“139”格式不正确" in people.user_error.text())
    people.phone.clear()
    type_text(qtbot, people.phone, "139 1234 5678")
    qtbot.mouseClick(people.user_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "密码至少6位" in people.user_error.text())
    people.password.clear()
    type_text(qtbot, people.password, "lichengban")
    qtbot.mouseClick(people.user_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "不能与用户名相同" in people.user_error.text())
    with db.reader() as s, pytest.raises(UserError):
        find_user(s, "lichengban")
    people.password.clear()
    type_text(qtbot, people.password, "gm-2026!")
    qtbot.mouseClick(people.user_add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已添加用户" in people.banner.text())
    assert people.banner.text() == (
        "已添加用户“李承办”：用户名 lichengban，承办人，电话 13912345678，"
        "已设初始密码，请当面告知本人。"
    )
    with db.reader() as s:
        assert find_user(s, "lichengban").phone == "13912345678"
