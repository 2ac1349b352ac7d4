"""Logging in at start, unlocking after an idle lock, and changing or resetting a password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
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
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import ERROR_COLOUR, HINT_COLOUR, secret_edit
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.worker import Progress
from zhiqian_desktop.services.core import auth
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.store.database import Database


def _message_label() -> QLabel:
    label = QLabel()
    label.setObjectName("message")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    return label


def _court_name(db: Database) -> str:
    try:
        return get_settings(db).court_name
    except UserError:
        return ""


def _login_refused(dialog: LoginDialog | LockDialog, exc: UserError) -> None:
    dialog.message.setText(exc.message)
    dialog.password.clear()
    dialog.password.setFocus()


class LoginDialog(QDialog):
    """User name and password; `.actor` is the logged-in user after the dialog is accepted.

    A wrong password, a lock-out (with the time it ends) or a disabled user is shown in the
    dialog, which stays open. It comes before the app's context (nobody is logged in yet): it
    gets the database and the clock.
    """

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        username: str = "",
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.clock = clock or Clock()
        self.actor: Actor | None = None
        self.setWindowTitle("执前督促 — 登录")
        self.setMinimumWidth(420)
        court = _court_name(db)
        title = QLabel(f"{court}\n执前督促案件管理系统" if court else "执前督促案件管理系统")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1d3557;")
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setPlaceholderText("用户名")
        self.password = secret_edit("密码", "password")
        self.message = _message_label()
        self.login_button = QPushButton("登录")
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.quit_button = QPushButton("退出")
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.login_button.clicked.connect(self.accept)
        self.quit_button.clicked.connect(self.reject)
        (self.password if username else self.username).setFocus()

    def accept(self) -> None:
        name = self.username.text().strip()
        if not name:
            self.message.setText("请输入用户名")
            self.username.setFocus()
            return
        db, password, now = self.db, self.password.text(), self.clock.now()
        Operation(self, lambda _progress: auth.login(db, name, password, now)).success(
            self._logged_in
        ).refused(lambda exc: _login_refused(self, exc)).disabling(
            self.login_button
        ).run_in_background()

    def _logged_in(self, actor: Actor) -> None:
        self.actor = actor
        super().accept()


UNLOCKED, SWITCH_USER = QDialog.DialogCode.Accepted.value, 2


class LockDialog(QDialog):
    """Covers the app after the idle time: the same user's password unlocks it; another user
    may switch instead (the open windows are then closed)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.clock = clock or Clock()
        self.setObjectName("lockDialog")
        self.setWindowTitle("执前督促 — 已锁定")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(420)
        title = QLabel("系统已锁定")
        title.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1d3557;")
        who = QLabel(
            f"长时间未操作，为保护当事人信息已自动锁定。\n"
            f"当前用户：{actor.display_name}（{actor.username}，{actor.role.label}）"
        )
        who.setWordWrap(True)
        who.setStyleSheet(f"color: {HINT_COLOUR};")
        self.password = secret_edit("请输入密码解锁", "password")
        self.message = _message_label()
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton("切换用户…")
        self.switch_button.setObjectName("switch_button")
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title)
        layout.addWidget(who)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.unlock_button.clicked.connect(self.accept)
        self.switch_button.clicked.connect(lambda: self.done(SWITCH_USER))
        self.password.setFocus()

    def accept(self) -> None:
        db, username, password, now = (
            self.db,
            self.actor.username,
            self.password.text(),
            self.clock.now(),
        )
        Operation(self, lambda _progress: auth.login(db, username, password, now)).success(
            lambda _actor: super(LockDialog, self).accept()
        ).refused(lambda exc: _login_refused(self, exc)).disabling(
            self.unlock_button
        ).run_in_background()

    def reject(self) -> None:
        """Esc does not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # the window's close button does not unlock either

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)


class PasswordDialog(QDialog):
    """A user changes his own password (old one required), or an administrator sets another
    user's password (which also lifts a lock-out)."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, target_username: str | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.target = target_username
        own = target_username is None or target_username == ctx.actor.username
        self.own = own
        self.setWindowTitle("修改密码" if own else f"重置用户“{target_username}”的密码")
        self.setMinimumWidth(400)
        self.old = secret_edit("原密码（未设密码请留空）", "old_password")
        self.new = secret_edit(f"至少{auth.MIN_PASSWORD}位", "new_password")
        self.confirm = secret_edit("再输入一次", "confirm_password")
        self.message = _message_label()
        form = QFormLayout()
        if own:
            form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("确认新密码", self.confirm)
        self.ok_button = QPushButton("保存")
        self.ok_button.setObjectName("ok_button")
        cancel = QPushButton("取消")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)

    def accept(self) -> None:
        if not self.new.text():
            self.message.setText("请输入新密码")
            return
        if self.new.text() != self.confirm.text():
            self.message.setText("两次输入的新密码不一致")
            return
        ctx, target, own = self.ctx, self.target, self.own
        old, new = self.old.text(), self.new.text()

        def work(_progress: Progress) -> None:
            if target is None or own:
                auth.change_own_password(ctx.db, ctx.actor, old, new)
            else:
                auth.reset_password(ctx.db, ctx.actor, target, new)

        Operation(self, work).success(lambda _none: super(PasswordDialog, self).accept()).refused(
            lambda exc: self.message.setText(exc.message)
        ).disabling(self.ok_button).run_in_background()
