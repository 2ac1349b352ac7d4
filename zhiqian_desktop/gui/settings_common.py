"""What the tabs of the settings page share: small widget helpers and what a tab may use of the
page (``SettingsHost``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSpinBox,
)

from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import (
    HINT_COLOUR,
    Banner,
)


def spin_box(minimum: int, maximum: int, suffix: str = " 天") -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setSuffix(suffix)
    box.setMaximumWidth(140)
    return box


def note_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {HINT_COLOUR};")
    return label


def plain_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    return button


class SettingsHost(Protocol):
    """What a tab of the settings page uses of the page."""

    ctx: AppContext
    today: date
    settings_values: dict[str, Any]

    @property
    def databaseRestored(self) -> Any: ...

    def save_settings(self, banner: Banner, then: Callable[[], None], **values: object) -> None: ...
