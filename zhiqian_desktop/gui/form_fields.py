"""Small input widgets shared by the forms: typed dates, red reasons beside fields, banners."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from zhiqian_desktop.domain.cjk import expand_code_escapes, has_code_escape
from zhiqian_desktop.domain.errors import UserError

ERROR_COLOUR = "#c0392b"
HINT_COLOUR = "#5f6b7a"

_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
DATE_HINT = "如 2026-11-01、2026.11.1、20261101 或 2026年11月1日"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－．／", "0123456789-./")


def parse_date_text(text: str) -> date | None:
    """A date as a clerk types it; None for an empty field; UserError with the reason otherwise."""
    value = "".join(text.translate(_FULL_WIDTH).split())
    if not value:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(value)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise UserError(f"“{text.strip()}”不是有效日期；请核对月份和日") from None
    raise UserError(f"日期“{text.strip()}”无法识别；请填写{DATE_HINT}")


def _calendar_icon() -> QIcon:
    """A small calendar glyph drawn at run time (no image files to ship)."""
    pix = QPixmap(16, 16)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setPen(QColor("#5f6b7a"))
    p.drawRect(1, 2, 13, 12)
    p.fillRect(2, 3, 12, 3, QColor("#8a96a3"))
    for x in (4, 7, 10):
        for y in (8, 11):
            p.fillRect(x, y, 2, 2, QColor("#5f6b7a"))
    p.end()
    return QIcon(pix)


class DateLineEdit(QLineEdit):
    """A date typed as text (keyboard first) with a calendar pop-up on the trailing icon."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("年-月-日")
        self.setToolTip(f"可直接输入日期，{DATE_HINT}；或点击右侧日历图标选择")
        self._pick = QAction(_calendar_icon(), "选择日期", self)
        self._pick.triggered.connect(self._show_calendar)
        self.addAction(self._pick, QLineEdit.ActionPosition.TrailingPosition)

    def date_value(self) -> date | None:
        return parse_date_text(self.text())

    def set_date(self, value: date | None) -> None:
        self.setText(value.isoformat() if value else "")

    def _show_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget(menu)
        calendar.setGridVisible(True)
        try:
            current = self.date_value()
        except UserError:
            current = None
        if current:
            calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(d: QDate) -> None:
            self.setText(date(d.year(), d.month(), d.day()).isoformat())
            menu.close()

        calendar.clicked.connect(chosen)
        calendar.activated.connect(chosen)
        menu.popup(self.mapToGlobal(self.rect().bottomLeft()))


class FieldError(QLabel):
    """The reason a field is wrong, in red, directly under it; hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_error_label(self)

    def show_message(self, message: str | None) -> None:
        set_error(self, message)


def style_error_label(label: QLabel) -> None:
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setVisible(bool(label.text()))


def set_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


def with_error(field: QWidget, parent: QWidget | None = None) -> tuple[QWidget, FieldError]:
    """The field with its red reason line under it, ready to go into a form row."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    error = FieldError(box)
    layout.addWidget(error)
    return box, error


BANNER_STYLES = {
    "error": "background:#fdecea; color:#8a1f11; border:1px solid #f5c2bd;",
    "warning": "background:#fff6e0; color:#7a5200; border:1px solid #f0d9a0;",
    "success": "background:#e8f5e9; color:#1e5b24; border:1px solid #b9dfbc;",
    "info": "background:#eaf2fb; color:#1d4f7a; border:1px solid #bcd5ee;",
}


def show_banner(label: QLabel, message: str, kind: str = "error") -> None:
    """Turn a label into a coloured message strip (error, warning, success, info) and show it."""
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(f"QLabel {{ {BANNER_STYLES[kind]} border-radius:4px; padding:8px 10px; }}")
    label.setText(message)
    label.show()


def hide_banner(label: QLabel) -> None:
    label.setText("")
    label.hide()


class Banner(QLabel):
    """A message strip at the top of a form or page; hidden until there is something to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hide()

    def show_message(self, message: str, kind: str = "error") -> None:
        show_banner(self, message, kind)

    def clear_message(self) -> None:
        hide_banner(self)


class NameLineEdit(QLineEdit):
    """A name field that takes ``U+2A6D6`` for a character the clerk's input method lacks.

    While such a code is typed, the hint beneath shows the character it names; when the field
    is left (or Enter is pressed) the code is replaced by the character. Lengths are counted in
    Python characters, not UTF-16 units, so a character beyond the BMP counts once.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = QLabel()
        self.preview.setStyleSheet(f"color: {HINT_COLOUR};")
        self.preview.hide()
        self.setToolTip("输入法打不出的生僻字，可输入其编码，如 U+2A6D6，离开此栏后自动换成该字")
        self.textEdited.connect(self._show_preview)
        self.editingFinished.connect(self.expand_codes)

    def _show_preview(self, text: str) -> None:
        if not has_code_escape(text):
            self.preview.hide()
            return
        try:
            shown = expand_code_escapes(text)
        except UserError as exc:
            self.preview.setText(exc.message)
        else:
            codes = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in shown if ord(ch) > 0x33FF)
            self.preview.setText(f"将录入为：{shown}　{codes}")
        self.preview.show()

    def expand_codes(self) -> None:
        text = self.text()
        if not has_code_escape(text):
            return
        try:
            expanded = expand_code_escapes(text)
        except UserError:
            return  # the hint already says what is wrong; the form's check refuses it
        self.setText(expanded)
        self.preview.setText(f"已录入：{expanded}")


def secret_edit(placeholder: str, name: str) -> QLineEdit:
    """A line for a password or passphrase: typed characters are not shown."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setObjectName(name)
    return edit
