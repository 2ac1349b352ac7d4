"""The settings dialog's choice of database: this computer's file or the court server."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.database_choice import (
    LOCAL,
    SERVER,
    DatabaseChoice,
    configured_url,
    forget_password,
    load_choice,
    save_choice,
    server_url,
    test_connection,
)
from zhiqian_desktop.store.locations import default_database_path

__all__ = ["DatabaseDialog", "configured_url"]


class DatabaseDialog(QDialog):
    """本机数据库 (a file) or 法院服务器 (host, port, database, user, password).

    The choice is saved in database.ini in the user data directory; the password only in the
    PostgreSQL password file, and only when 记住密码 is ticked. It takes effect at the next start.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("数据库位置")
        self.task: object | None = None
        choice = load_choice() or DatabaseChoice()

        self.local_radio = QRadioButton("本机数据库（只在这台电脑上使用）")
        self.server_radio = QRadioButton("法院服务器（多台电脑共用一个台账）")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.local_radio)
        self.modes.addButton(self.server_radio)

        self.path_edit = QLineEdit(choice.path)
        self.path_edit.setPlaceholderText(str(default_database_path()))
        browse = QPushButton("选择…")
        browse.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.local_box = QGroupBox("本机数据库文件")
        local_form = QFormLayout(self.local_box)
        local_form.addRow("文件", path_row)

        self.host_edit = QLineEdit(choice.host)
        self.host_edit.setPlaceholderText("如 10.12.0.5 或 zqdb.court.local")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(choice.port)
        self.database_edit = QLineEdit(choice.database)
        self.user_edit = QLineEdit(choice.user)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("已记住的密码不会显示")
        self.remember_check = QCheckBox("记住密码（保存在本机密码文件中，只有当前用户可读）")
        self.remember_check.setChecked(True)
        self.test_button = QPushButton("测试连接")
        self.test_button.clicked.connect(self.test)
        self.server_box = QGroupBox("法院服务器（PostgreSQL）")
        server_form = QFormLayout(self.server_box)
        server_form.addRow("服务器地址", self.host_edit)
        server_form.addRow("端口", self.port_spin)
        server_form.addRow("数据库名", self.database_edit)
        server_form.addRow("用户名", self.user_edit)
        server_form.addRow("密码", self.password_edit)
        server_form.addRow("", self.remember_check)
        server_form.addRow("", self.test_button)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.local_box)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.server_box)
        layout.addWidget(QLabel("更改在下次启动本程序时生效。"))
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.local_radio.toggled.connect(self._update_enabled)
        (self.server_radio if choice.mode == SERVER else self.local_radio).setChecked(True)
        self._update_enabled()

    # --- what the form says ------------------------------------------------------------------

    def choice(self) -> DatabaseChoice:
        if self.server_radio.isChecked():
            return DatabaseChoice(
                mode=SERVER,
                path=self.path_edit.text().strip(),
                host=self.host_edit.text().strip(),
                port=self.port_spin.value(),
                database=self.database_edit.text().strip(),
                user=self.user_edit.text().strip(),
            )
        return DatabaseChoice(mode=LOCAL, path=self.path_edit.text().strip())

    def _update_enabled(self) -> None:
        local = self.local_radio.isChecked()
        self.local_box.setEnabled(local)
        self.server_box.setEnabled(not local)

    def show_status(self, message: str, ok: bool) -> None:
        self.status.setText(message)
        self.status.setStyleSheet("color: #1a7f37;" if ok else "color: #b42318;")

    # --- actions -------------------------------------------------------------------------------

    def browse(self) -> None:
        start = self.path_edit.text() or str(default_database_path())
        path, _ = QFileDialog.getSaveFileName(
            self,
            "选择数据库文件",
            start,
            "数据库文件 (*.db);;所有文件 (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.path_edit.setText(str(Path(path)))

    def test(self) -> None:
        """Connect to the server off the GUI thread (an unreachable host takes seconds)."""
        from zhiqian_desktop.gui.worker import run_in_background

        choice = self.choice()
        try:
            choice.check()
        except UserError as exc:
            self.show_status(exc.message, False)
            return
        url = server_url(choice, self.password_edit.text() or None)
        self.test_button.setEnabled(False)
        self.show_status("正在连接服务器…", True)

        def done(message: object) -> None:
            self.test_button.setEnabled(True)
            self.show_status(str(message), True)

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            if not isinstance(exc, UserError):
                raise exc
            self.show_status(exc.message, False)

        self.task = run_in_background(
            lambda _progress: test_connection(url), on_success=done, on_failure=failed
        )

    def accept(self) -> None:
        choice = self.choice()
        try:
            if choice.mode == SERVER and not self.remember_check.isChecked():
                forget_password(choice)
            password = self.password_edit.text() if self.remember_check.isChecked() else None
            save_choice(choice, password or None)
        except UserError as exc:
            self.show_status(exc.message, False)
            return
        except OSError as exc:
            self.show_status(
                f"无法保存设置：{exc.strerror or exc}；请检查用户数据目录的权限", False
            )
            return
        super().accept()
