"""First start: the court, its case number words and the first user (an administrator)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.case_numbers import validate_case_word, validate_court_code
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.form_fields import HINT_COLOUR, Banner, FieldError, with_error
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.passphrase_dialog import NewPassphraseFields
from zhiqian_desktop.services.admin import encryption
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.settings import SetupInput, initialize
from zhiqian_desktop.store.database import Database


class SetupDialog(QDialog):
    """Asks what the case numbers need and who administers the app, then initialises the database.

    Optionally the (still empty) database is first encrypted with a passphrase; `self.db` is
    then the reopened encrypted database, which the caller uses from there on.
    """

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("执前督促 — 首次使用设置")
        self.setMinimumWidth(620)
        self.touched: set[str] = set()

        title = QLabel("欢迎使用执前督促案件管理系统")
        title.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1d3557;")
        intro = QLabel(
            "首次使用请填写本院信息和管理员账号。法院代字和案件类型代字用于生成案号，"
            "以后可在“设置”中修改。"
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {HINT_COLOUR};")
        self.banner = Banner()

        self.court_name = QLineEdit()
        self.court_name.setPlaceholderText("如 土默特右旗人民法院")
        self.court_code = QLineEdit()
        self.court_code.setPlaceholderText("如 内0221")
        self.case_word = QLineEdit("执前督")
        self.example = QLabel()
        self.example.setStyleSheet(f"color: {HINT_COLOUR};")
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("管理员姓名")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("可不设；单机使用时可以留空")
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2.setPlaceholderText("再输入一次密码")

        self.errors: dict[str, FieldError] = {}
        court = QGroupBox("本院")
        court_form = self._form(court)
        self._row(court_form, "法院名称", "court_name", self.court_name)
        self._row(court_form, "法院代字", "court_code", self.court_code)
        self._row(court_form, "案件类型代字", "case_word", self.case_word)
        court_form.addRow("案号示例", self.example)
        user = QGroupBox("管理员账号")
        user_form = self._form(user)
        self._row(user_form, "用户名", "username", self.username)
        self._row(user_form, "姓名", "display_name", self.display_name)
        self._row(user_form, "密码", "password", self.password)
        self._row(user_form, "确认密码", "password2", self.password2)

        self.encryption = QGroupBox("加密数据库（可选）")
        self.encryption.setCheckable(True)
        self.encryption.setChecked(False)
        self.encryption.setObjectName("encryption")
        self.passphrase_fields = NewPassphraseFields()
        self.passphrase_error = FieldError()
        encryption_layout = QVBoxLayout(self.encryption)
        note = QLabel(
            "加密后，数据库文件及其备份离开本程序无法读取（适合笔记本电脑和移动存储）；"
            "每次启动需输入口令。"
        )
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {HINT_COLOUR};")
        encryption_layout.addWidget(note)
        encryption_layout.addWidget(self.passphrase_fields)
        encryption_layout.addWidget(self.passphrase_error)
        self.passphrase_fields.setVisible(False)
        self.encryption.toggled.connect(self._encryption_toggled)
        if not encryption.available():
            self.encryption.setEnabled(False)
            self.encryption.setToolTip("本机未安装数据库加密组件（sqlcipher3）")

        self.ok_button = QPushButton("开始使用")
        self.cancel_button = QPushButton("退出")
        for b in (self.ok_button, self.cancel_button):
            b.setAutoDefault(False)
            b.setMinimumWidth(96)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addWidget(court)
        layout.addWidget(user)
        layout.addWidget(self.encryption)
        layout.addLayout(buttons)

        self.fields = {
            "court_name": self.court_name,
            "court_code": self.court_code,
            "case_word": self.case_word,
            "username": self.username,
            "display_name": self.display_name,
            "password": self.password,
            "password2": self.password2,
        }
        for name, edit in self.fields.items():
            edit.textChanged.connect(self.validate)
            edit.textEdited.connect(lambda _t, n=name: self._touch(n))
        for edit in (self.passphrase_fields.first, self.passphrase_fields.second):
            edit.textEdited.connect(lambda _t: self._touch("passphrase"))
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.validate()

    def _encryption_toggled(self, on: bool) -> None:
        self.passphrase_fields.setVisible(on)
        self.validate()

    def _form(self, box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(6)
        return form

    def _row(self, form: QFormLayout, label: str, name: str, edit: QLineEdit) -> None:
        box, self.errors[name] = with_error(edit)
        form.addRow(label, box)

    def _touch(self, name: str) -> None:
        self.touched.add(name)
        self.validate()

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        name = self.court_name.text().strip()
        if not 2 <= len(name) <= 100:
            out["court_name"] = "请填写本院全称，如“土默特右旗人民法院”"
        for key, check in (("court_code", validate_court_code), ("case_word", validate_case_word)):
            try:
                check(self.fields[key].text())
            except UserError as exc:
                out[key] = exc.message
        if len(self.username.text().strip()) < 2:
            out["username"] = "用户名应为2至32位字母、数字或汉字"
        if not self.display_name.text().strip():
            out["display_name"] = "请填写管理员姓名"
        if self.password.text() and len(self.password.text()) < 6:
            out["password"] = "密码至少6位；不设密码请留空"
        if self.password.text() != self.password2.text():
            out["password2"] = "两次输入的密码不一致"
        if self.encryption.isChecked():
            problem = self.passphrase_fields.problem()
            if problem:
                out["passphrase"] = problem
        return out

    def validate(self, *, show_all: bool = False) -> dict[str, str]:
        out = self.problems()
        for key, error in self.errors.items():
            error.show_message(out.get(key) if (show_all or key in self.touched) else None)
        self.passphrase_error.show_message(
            out.get("passphrase") if (show_all or "passphrase" in self.touched) else None
        )
        self._fit_height()
        if "court_code" in out or "case_word" in out:
            self.example.setText("—")
        else:
            year = Clock().today().year
            self.example.setText(
                f"（{year}）{self.court_code.text().strip()}{self.case_word.text().strip()}1号"
            )
        return out

    def _fit_height(self) -> None:
        """Grow the window when a red reason appears, instead of squeezing the fields."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def accept(self) -> None:
        out = self.validate(show_all=True)
        if out:
            self.banner.show_message("请按红字提示更正后再继续。", "error")
            first = next(iter(out))
            (self.fields.get(first) or self.passphrase_fields.first).setFocus()
            return
        if self.encryption.isChecked() and not encryption.is_encrypted(self.db):
            # Encrypted while still empty, so nothing of the court is ever written in plain.
            try:
                self.db = encryption.encrypt_new_database(
                    self.db, self.passphrase_fields.passphrase()
                )
            except UserError as exc:
                self.banner.show_message(exc.message, "error")
                return
        data = SetupInput(
            court_name=self.court_name.text().strip(),
            court_code=self.court_code.text().strip(),
            case_word=self.case_word.text().strip(),
            admin_username=self.username.text().strip(),
            admin_display_name=self.display_name.text().strip(),
            admin_password=self.password.text() or None,
        )
        db = self.db
        Operation(self, lambda _progress: initialize(db, data)).success(
            lambda _settings: super(SetupDialog, self).accept()
        ).refused(self._refused).disabling(self.ok_button).run_in_background()

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")
        if exc.field in self.errors:
            self.errors[exc.field].show_message(exc.message)
            self.fields[exc.field].setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):
                focus.click()
            elif focus is self.password2:
                self.accept()
            else:
                self.focusNextChild()
            return
        super().keyPressEvent(event)
