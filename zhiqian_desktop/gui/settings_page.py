"""设置: court settings, tribunals and users, print fonts, document templates, data and holidays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import (
    Banner,
)
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.settings_assignment import AssignmentTab
from zhiqian_desktop.gui.settings_calendar import CalendarTab
from zhiqian_desktop.gui.settings_common import note_label
from zhiqian_desktop.gui.settings_court import CourtTab, FontsTab
from zhiqian_desktop.gui.settings_data import DataTab
from zhiqian_desktop.gui.settings_mediators import MediatorsTab
from zhiqian_desktop.gui.settings_people import PeopleTab
from zhiqian_desktop.gui.template_editor import TemplatesTab
from zhiqian_desktop.services.core.settings import update_settings
from zhiqian_desktop.store.models import CourtSettings


class SettingsPage(QWidget):
    """The administrator's page; other roles see it but the services refuse their changes."""

    databaseRestored = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = ctx.clock.today()
        self.settings_version = 0  # of the settings the forms were filled from
        self.settings_values: dict[str, Any] = {}
        title = QLabel("设置")
        title.setStyleSheet("font-size: 17pt; font-weight: bold; color: #1d3557;")
        self.role_note = note_label("")
        self.tabs = QTabWidget()
        self.court = CourtTab(self)
        self.people = PeopleTab(self)
        self.assignment = AssignmentTab(self)
        self.mediators = MediatorsTab(self)
        self.fonts = FontsTab(self)
        self.data = DataTab(self)
        self.calendar = CalendarTab(self)
        self.templates = TemplatesTab(ctx)
        self.tabs.addTab(self.court, "法院信息")
        self.tabs.addTab(self.people, "法庭与人员")
        self.tabs.addTab(self.assignment, "分案")
        self.tabs.addTab(self.mediators, "调解员")
        self.tabs.addTab(self.calendar, "节假日")
        self.tabs.addTab(self.fonts, "打印字体")
        self.tabs.addTab(self.templates, "文书模板")
        self.tabs.addTab(self.data, "数据与备份")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.role_note, 1, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    def refresh(self) -> None:
        """Re-read everything from the database (after another window or user changed it)."""
        s = self.ctx.reload_settings()
        self.settings_version = s.version
        self.settings_values = {
            key: getattr(s, key)
            for key in (
                "court_name",
                "court_code",
                "case_word",
                "urging_days",
                "supervision_limit_days",
                "unserved_flag_days",
                "suggestion_reply_months",
                "suggestion_threshold",
                "reminder_lead_days",
                "court_address",
                "court_phone",
                "court_account",
                "time_zone",
                "print_font_body",
                "print_font_title",
                "ui_font",
            )
        }
        if self.ctx.actor.role is Role.ADMIN:
            self.role_note.setText("")
        else:
            self.role_note.setText(
                f"当前用户“{self.ctx.actor.display_name}”不是管理员：可以查看设置，修改须由管理员进行。"
            )
        self.court.load()
        self.people.load()
        self.assignment.load()
        self.mediators.load()
        self.fonts.load()
        self.data.load()
        if not self.calendar.dirty:
            self.calendar.load()

    def save_settings(self, banner: Banner, then: Callable[[], None], **values: object) -> None:
        """Save through the service at the version the form was loaded at (a stale form is
        refused), off the GUI thread; ``then`` runs once it is saved."""
        ctx, version = self.ctx, self.settings_version

        def saved(settings: CourtSettings) -> None:
            self.settings_version = settings.version
            self.settings_values.update(values)
            self.ctx.reload_settings()
            then()

        Operation(
            self, lambda _progress: update_settings(ctx.db, ctx.actor, version, **values)
        ).success(saved).refused(
            lambda exc: banner.show_message(exc.message, "error")
        ).run_in_background()
