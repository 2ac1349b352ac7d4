"""The passphrase of an encrypted database: asked at start, retried until right or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.form_fields import ERROR_COLOUR, HINT_COLOUR, secret_edit
from zhiqian_desktop.services.admin import encryption


class PassphraseDialog(QDialog):
    """Asks for the passphrase of the encrypted database at `path`.

    A wrong passphrase is said in the dialog, which stays open for another try; accepted only
    once the passphrase opened the file (its key is then remembered for this run).
    """

    def __init__(
        self,
        path: Path,
        parent: QWidget | None = None,
        *,
        unlock: Callable[[Path, str], None] = encryption.unlock,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._unlock = unlock
        self.attempts = 0
        self.setWindowTitle("执前督促 — 加密数据库")
        self.setMinimumWidth(460)
        intro = QLabel(f"数据库“{path}”已加密。\n请输入该数据库的口令：")
        intro.setWordWrap(True)
        self.passphrase = secret_edit("数据库口令", "passphrase")
        self.show_text = QCheckBox("显示口令")
        self.show_text.toggled.connect(
            lambda on: self.passphrase.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.message.hide()
        hint = QLabel("口令区分大小写。忘记口令时数据无法解开，请联系保管口令的管理员。")
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {HINT_COLOUR};")

        self.open_button = QPushButton("打开")
        self.open_button.setDefault(True)
        self.cancel_button = QPushButton("退出")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.cancel_button)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("口令", self.passphrase)
        form.addRow("", self.show_text)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.passphrase.setFocus()

    def accept(self) -> None:
        text = self.passphrase.text()
        if not text:
            self._say("请输入口令")
            return
        self.attempts += 1
        try:
            self._unlock(self.path, text)
        except UserError as exc:
            self.passphrase.clear()
            self.passphrase.setFocus()
            self._say(exc.message)
            return
        super().accept()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


class NewPassphraseFields(QWidget):
    """Passphrase entered twice, with the warning that a lost one cannot be recovered."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = secret_edit(f"至少 {encryption.MIN_PASSPHRASE} 个字符", "new_passphrase")
        self.second = secret_edit("再输入一次口令", "new_passphrase2")
        warning = QLabel(f"警告：{encryption.LOST_PASSPHRASE}；数据库的备份用同一口令加密。")
        warning.setObjectName("passphrase_warning")
        warning.setWordWrap(True)
        warning.setStyleSheet(f"color: {ERROR_COLOUR};")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("数据库口令", self.first)
        form.addRow("确认口令", self.second)
        form.addRow("", warning)

    def problem(self) -> str | None:
        """Why the passphrase cannot be used, or None."""
        try:
            encryption.check_passphrase(self.first.text())
        except UserError as exc:
            return exc.message
        if self.first.text() != self.second.text():
            return "两次输入的口令不一致"
        return None

    def passphrase(self) -> str:
        return self.first.text()
