"""设置: court settings, tribunals and users, print fonts, document templates, data and holidays."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.case_numbers import validate_case_word, validate_court_code
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.form_fields import (
    HINT_COLOUR,
    Banner,
    DateLineEdit,
    FieldError,
    with_error,
)
from zhiqian_desktop.gui.template_editor import TemplatesTab
from zhiqian_desktop.services import calendar as calendar_service
from zhiqian_desktop.services import maintenance
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.docket import add_tribunal
from zhiqian_desktop.services.settings import get_settings, print_faces, update_settings
from zhiqian_desktop.services.staff import (
    calendar_source,
    data_locations,
    staff,
    tribunal_choices,
)
from zhiqian_desktop.services.users import create_user
from zhiqian_desktop.store.database import Database

WEEKDAYS = "一二三四五六日"
HOLIDAY, WORKDAY = "holiday", "workday"
KIND_LABELS = {HOLIDAY: "放假", WORKDAY: "调休上班"}
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


def _spin(minimum: int, maximum: int, suffix: str = " 天") -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setSuffix(suffix)
    box.setMaximumWidth(140)
    return box


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {HINT_COLOUR};")
    return label


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    return button


class CourtTab(QWidget):
    """Court name, code, case word and the periods the due-list uses."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.court_name = QLineEdit()
        self.court_code = QLineEdit()
        self.court_code.setPlaceholderText("省份简称加数字，如 内0221")
        self.court_code.setMaximumWidth(240)
        self.case_word = QLineEdit()
        self.case_word.setPlaceholderText("2至6个汉字，如 执前督")
        self.case_word.setMaximumWidth(240)
        self.example = _note("")
        self.urging_days = _spin(1, 365)
        self.supervision_limit_days = _spin(1, 3650)
        self.unserved_flag_days = _spin(1, 365)
        self.court_address = QLineEdit()
        self.court_phone = QLineEdit()
        self.court_account = QLineEdit()
        self.court_account.setPlaceholderText("履行款交付法院账户时印在文书上")
        self.save_button = _button("保存法院设置")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(8)
        box_name, self.court_name_error = with_error(self.court_name)
        box_code, self.court_code_error = with_error(self.court_code)
        box_word, self.case_word_error = with_error(self.case_word)
        form.addRow("法院名称", box_name)
        form.addRow("法院代字", box_code)
        form.addRow("案件类型代字", box_word)
        form.addRow("案号示例", self.example)
        periods = QFormLayout()
        periods.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        periods.setVerticalSpacing(8)
        periods.addRow("催告期", self.urging_days)
        periods.addRow("督促期限", self.supervision_limit_days)
        periods.addRow("文书未送达提醒", self.unserved_flag_days)
        periods.addRow(
            "",
            _note(
                "催告期自催告书送达次日起算，期间届满日为法定休假日的顺延至节后第一个工作日；"
                "督促期限自收案之日起算，届满前在今日待办中提示；"
                "文书制作后超过所设天数仍未登记送达的，列入待办。"
            ),
        )
        contact = QFormLayout()
        contact.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        contact.setVerticalSpacing(8)
        contact.addRow("法院地址", self.court_address)
        contact.addRow("联系电话", self.court_phone)
        contact.addRow("法院账户", self.court_account)

        court_box = QGroupBox("法院与案号")
        court_box.setLayout(form)
        period_box = QGroupBox("期限")
        period_box.setLayout(periods)
        contact_box = QGroupBox("文书中使用的联系方式")
        contact_box.setLayout(contact)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.addWidget(court_box, 0, 0)
        grid.addWidget(period_box, 0, 1)
        grid.addWidget(contact_box, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for edit in (self.court_name, self.court_code, self.case_word):
            edit.textChanged.connect(self.validate)
        self.save_button.clicked.connect(self.save)

    def load(self) -> None:
        s = self.page.settings_values
        self.court_name.setText(s["court_name"])
        self.court_code.setText(s["court_code"])
        self.case_word.setText(s["case_word"])
        self.urging_days.setValue(s["urging_days"])
        self.supervision_limit_days.setValue(s["supervision_limit_days"])
        self.unserved_flag_days.setValue(s["unserved_flag_days"])
        self.court_address.setText(s["court_address"] or "")
        self.court_phone.setText(s["court_phone"] or "")
        self.court_account.setText(s["court_account"] or "")
        self.validate()

    def validate(self) -> bool:
        ok = True
        name = self.court_name.text().strip()
        self.court_name_error.show_message(
            None if 2 <= len(name) <= 100 else "法院名称不能为空，如“土默特右旗人民法院”"
        )
        ok &= 2 <= len(name) <= 100
        for edit, error, check in (
            (self.court_code, self.court_code_error, validate_court_code),
            (self.case_word, self.case_word_error, validate_case_word),
        ):
            try:
                check(edit.text())
                error.show_message(None)
            except UserError as exc:
                error.show_message(exc.message)
                ok = False
        year = date.today().year
        self.example.setText(
            f"（{year}）{self.court_code.text().strip()}{self.case_word.text().strip()}1号"
            if ok
            else "—"
        )
        return ok

    def save(self) -> None:
        if not self.validate():
            self.banner.show_message("有项目需要更正，尚未保存；请按红字提示修改。", "error")
            return
        ok = self.page.save_settings(
            self.banner,
            court_name=self.court_name.text().strip(),
            court_code=self.court_code.text().strip(),
            case_word=self.case_word.text().strip(),
            urging_days=self.urging_days.value(),
            supervision_limit_days=self.supervision_limit_days.value(),
            unserved_flag_days=self.unserved_flag_days.value(),
            court_address=self.court_address.text().strip() or None,
            court_phone=self.court_phone.text().strip() or None,
            court_account=self.court_account.text().strip() or None,
        )
        if ok:
            self.banner.show_message(
                "法院设置已保存。新的案号代字自下一件登记的案件起使用。", "success"
            )


class PeopleTab(QWidget):
    """Tribunals and the team's users (handlers, leads, administrators)."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.tribunal_list = QListWidget()
        self.tribunal_name = QLineEdit()
        self.tribunal_name.setPlaceholderText("如 沟门法庭")
        self.tribunal_add = _button("添加法庭")
        trib_box = QGroupBox("派出法庭与审判团队")
        trib_layout = QVBoxLayout(trib_box)
        trib_layout.addWidget(self.tribunal_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.tribunal_name, 1)
        row.addWidget(self.tribunal_add)
        trib_layout.addLayout(row)

        self.users = QTableWidget(0, 5)
        self.users.setHorizontalHeaderLabels(["姓名", "用户名", "角色", "电话", "状态"])
        self.users.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.users.verticalHeader().hide()
        self.users.setAlternatingRowColors(True)
        self.users.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("姓名")
        self.username = QLineEdit()
        self.username.setPlaceholderText("登录用户名，如 zhangsan")
        self.role = QComboBox()
        for r in (Role.HANDLER, Role.LEAD, Role.ADMIN, Role.READONLY):
            self.role.addItem(r.label, r.value)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("电话（可不填）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("初始密码（可不填）")
        self.user_add = _button("添加用户")
        self.user_error = FieldError()
        user_box = QGroupBox("承办人与用户")
        user_layout = QVBoxLayout(user_box)
        user_layout.addWidget(self.users, 1)
        add = QGridLayout()
        add.addWidget(self.display_name, 0, 0)
        add.addWidget(self.username, 0, 1)
        add.addWidget(self.role, 0, 2)
        add.addWidget(self.phone, 1, 0)
        add.addWidget(self.password, 1, 1)
        add.addWidget(self.user_add, 1, 2)
        user_layout.addLayout(add)
        user_layout.addWidget(self.user_error)
        self.own_password_button = _button("修改我的密码…")
        self.reset_password_button = _button("重置所选用户的密码…")
        self.toggle_active_button = _button("停用/启用所选用户")
        account_row = QHBoxLayout()
        account_row.addWidget(self.own_password_button)
        account_row.addStretch(1)
        account_row.addWidget(self.reset_password_button)
        account_row.addWidget(self.toggle_active_button)
        user_layout.addLayout(account_row)
        self.own_password_button.clicked.connect(self.change_own_password)
        self.reset_password_button.clicked.connect(self.reset_password)
        self.toggle_active_button.clicked.connect(self.toggle_active)
        self.password_dialog: QWidget | None = None

        columns = QHBoxLayout()
        columns.addWidget(trib_box, 2)
        columns.addWidget(user_box, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)
        self.tribunal_add.clicked.connect(self.add_tribunal)
        self.tribunal_name.returnPressed.connect(self.add_tribunal)
        self.user_add.clicked.connect(self.add_user)

    def load(self) -> None:
        with self.page.db.reader() as session:
            courts = tribunal_choices(session)
            members = staff(session)
        self.tribunal_list.clear()
        self.tribunal_list.addItems([c.name for c in courts])
        self.users.setRowCount(len(members))
        for r, m in enumerate(members):
            cells = (
                m.display_name,
                m.username,
                m.role.label,
                m.phone or "",
                "启用" if m.active else "停用",
            )
            for c, text in enumerate(cells):
                self.users.setItem(r, c, QTableWidgetItem(text))

    def _selected_user(self) -> tuple[str, bool] | None:
        rows = self.users.selectionModel().selectedRows()
        if not rows:
            self.banner.show_message("请先在用户列表中选中一位用户。", "error")
            return None
        row = rows[0].row()
        username = self.users.item(row, 1)
        state = self.users.item(row, 4)
        if username is None or state is None:
            return None
        return username.text(), state.text() == "启用"

    def _password_dialog(self, target: str | None) -> None:
        from zhiqian_desktop.gui.login_dialog import PasswordDialog

        dialog = PasswordDialog(self.page.db, self.page.actor, self, target_username=target)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done = "密码已修改。" if target is None else f"已重置用户“{target}”的密码并解除锁定。"
        dialog.accepted.connect(lambda: self.banner.show_message(done, "success"))
        self.password_dialog = dialog
        dialog.open()

    def change_own_password(self) -> None:
        self._password_dialog(None)

    def reset_password(self) -> None:
        selected = self._selected_user()
        if selected is None:
            return
        if self.page.actor.role is not Role.ADMIN:
            self.banner.show_message("重置他人密码需要管理员权限。", "error")
            return
        self._password_dialog(selected[0])

    def toggle_active(self) -> None:
        from zhiqian_desktop.services.auth import set_active

        selected = self._selected_user()
        if selected is None:
            return
        username, active = selected
        try:
            with self.page.db.unit_of_work() as session:
                set_active(session, self.page.actor, username, not active)
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return
        self.banner.show_message(f"已{'停用' if active else '启用'}用户“{username}”。", "success")
        self.load()

    def add_tribunal(self) -> None:
        name = self.tribunal_name.text()
        try:
            with self.page.db.unit_of_work() as session:
                add_tribunal(session, self.page.actor, name)
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return
        self.tribunal_name.clear()
        self.banner.show_message(f"已添加法庭“{name.strip()}”。", "success")
        self.load()

    def add_user(self) -> None:
        try:
            with self.page.db.unit_of_work() as session:
                create_user(
                    session,
                    self.page.actor,
                    username=self.username.text(),
                    display_name=self.display_name.text(),
                    role=cast(Role, Role.from_label(str(self.role.currentData()))),
                    password=self.password.text() or None,
                    phone=self.phone.text().strip() or None,
                )
        except UserError as exc:
            self.user_error.show_message(exc.message)
            return
        self.user_error.show_message(None)
        self.banner.show_message(
            f"已添加用户“{self.display_name.text().strip()}”（{self.role.currentText()}）。",
            "success",
        )
        for edit in (self.username, self.display_name, self.password, self.phone):
            edit.clear()
        self.load()


class FontsTab(QWidget):
    """Print and interface fonts: a court's own licensed fonts, else the bundled ones."""

    FIELDS = (
        ("print_font_body", "正文字体（仿宋类）", "正文 16 磅，如 仿宋_GB2312"),
        ("print_font_title", "标题字体（宋体类）", "标题 22 磅，如 方正小标宋简体"),
        ("ui_font", "界面字体", "界面显示用字体，重启后生效"),
    )

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(10)
        for key, label, hint in self.FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(f"未设置：使用随软件提供的字体 — {hint}")
            browse = _button("选择文件…")
            browse.clicked.connect(lambda _c=False, k=key: self.browse(k))
            clear = _button("恢复默认")
            clear.clicked.connect(lambda _c=False, e=edit: e.clear())
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            row.addWidget(clear)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            form.addRow(label, holder)
            self.edits[key] = edit
        box = QGroupBox("字体文件")
        box.setLayout(form)
        self.save_button = _button("保存字体设置")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        self.in_use = _note("")
        self.in_use.setObjectName("printFacesInUse")
        in_use_box = QGroupBox("各用途现用的字体文件")
        in_use_layout = QVBoxLayout(in_use_box)
        in_use_layout.addWidget(self.in_use)
        layout.addWidget(in_use_box)
        layout.addWidget(
            _note(
                "未设置字体文件时，软件在本机字体文件夹中按字体名称查找仿宋、小标宋、黑体、楷体、宋体；"
                "找不到的用随软件提供的字体。生僻字依次从本机的宋体、扩展字库（SimSun-ExtB 等）和"
                "随软件提供的生僻字字库中取字形。"
            )
        )
        layout.addWidget(
            _note(
                "打印文书须嵌入 TrueType 字体（.ttf 或 .ttc）；OpenType/CFF 字体（如部分思源字体）无法嵌入。"
                "未设置时使用随软件提供的 AR PL UMing（宋体类）和文泉驿微米黑（界面）。"
                "法院自有的仿宋_GB2312、方正小标宋等字体，请确认已取得使用授权。"
            )
        )
        layout.addLayout(buttons)
        layout.addStretch(1)

    def load(self) -> None:
        for key, edit in self.edits.items():
            edit.setText(self.page.settings_values[key] or "")
        with self.page.db.reader() as session:
            faces = print_faces(session)
        self.in_use.setText("\n".join(f"{role}：{where}" for role, where in faces))

    def browse(self, key: str) -> None:
        start = self.edits[key].text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "选择字体文件", start, "TrueType 字体 (*.ttf *.ttc);;所有文件 (*)"
        )
        if path:
            self.edits[key].setText(path)

    def save(self) -> None:
        values: dict[str, object] = {}
        for key, edit in self.edits.items():
            text = edit.text().strip()
            if text and not Path(text).is_file():
                self.banner.show_message(f"找不到字体文件“{text}”；请重新选择。", "error")
                return
            if text and Path(text).suffix.lower() not in {".ttf", ".ttc"}:
                self.banner.show_message(
                    f"“{Path(text).name}”不是 TrueType 字体（.ttf/.ttc），打印时无法嵌入；请另选。",
                    "error",
                )
                return
            values[key] = text or None
        if self.page.save_settings(self.banner, **values):
            self.banner.show_message("字体设置已保存；界面字体在重新启动后生效。", "success")


class DataTab(QWidget):
    """Where the database, backups, attachments and logs are; read-only here."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setVerticalSpacing(10)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("database", "数据库"),
            ("backups", "备份文件夹"),
            ("attachments", "附件文件夹"),
            ("data_dir", "用户数据文件夹"),
            ("logs", "日志文件夹"),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            open_button = _button("打开文件夹")
            open_button.clicked.connect(lambda _c=False, k=key: self.open_folder(k))
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(value, 1)
            row.addWidget(open_button)
            holder = QWidget()
            holder.setLayout(row)
            self.form.addRow(label, holder)
            self.values[key] = value
        self.database_button = _button("数据库位置…")
        self.database_button.setToolTip("本机数据库或法院服务器（PostgreSQL）；下次启动时生效")
        self.database_button.clicked.connect(self.choose_database)
        self.form.addRow("", self.database_button)
        box = QGroupBox("数据与备份位置")
        box.setLayout(self.form)
        self.banner = Banner()
        self.backup_table = QTableWidget(0, 4)
        self.backup_table.setObjectName("backup_table")
        self.backup_table.setHorizontalHeaderLabels(["备份时间", "类型", "大小", "文件"])
        self.backup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_table.verticalHeader().hide()
        self.backup_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.backup_now_button = _button("立即备份")
        self.restore_button = _button("用所选备份恢复…")
        self.restore_file_button = _button("从其他备份文件恢复…")
        backup_buttons = QHBoxLayout()
        backup_buttons.addWidget(self.backup_now_button)
        backup_buttons.addStretch(1)
        backup_buttons.addWidget(self.restore_file_button)
        backup_buttons.addWidget(self.restore_button)
        backup_box = QGroupBox("备份")
        backup_layout = QVBoxLayout(backup_box)
        backup_layout.addWidget(self.backup_table, 1)
        backup_layout.addLayout(backup_buttons)
        self.backup_now_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_other_file)
        self.backup_paths: list[Path] = []
        self.backup_task: object | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        layout.addWidget(backup_box, 1)
        layout.addWidget(
            _note(
                "软件在数据有变动时按设置的间隔自动备份到备份文件夹，迁移升级、导入和恢复之前也会先备份。"
                "请定期把备份文件夹复制到移动硬盘或法院服务器；不要直接复制正在使用的数据库文件。"
            )
        )
        layout.addStretch(1)

    def load(self) -> None:
        loc = data_locations(self.page.db)
        for key in self.values:
            value = getattr(loc, key)
            self.values[key].setText(value or "（服务器数据库，由信息技术人员备份）")
        self.load_backups()

    def load_backups(self) -> None:
        path = self.page.db.path
        infos = maintenance.backup_infos(path) if path is not None else []
        self.backup_paths = [i.path for i in infos]
        self.backup_table.setRowCount(len(infos))
        for r, info in enumerate(infos):
            size = info.size / 1024
            cells = (
                f"{info.taken_at:%Y-%m-%d %H:%M:%S}",
                info.label,
                f"{size / 1024:.1f} MB" if size >= 1024 else f"{size:.0f} KB",
                info.path.name,
            )
            for c, text in enumerate(cells):
                self.backup_table.setItem(r, c, QTableWidgetItem(text))
        for b in (self.backup_now_button, self.restore_button, self.restore_file_button):
            b.setEnabled(path is not None)

    def backup_now(self) -> None:
        from zhiqian_desktop.gui.worker import run_in_background

        db = self.page.db
        self.backup_now_button.setEnabled(False)
        self.banner.show_message("正在备份…", "info")

        def done(result: object) -> None:
            self.backup_now_button.setEnabled(True)
            self.banner.show_message(f"已备份到 {result}（已通过完整性检查）。", "success")
            self.load_backups()

        def failed(exc: BaseException) -> None:
            self.backup_now_button.setEnabled(True)
            if not isinstance(exc, UserError):
                raise exc
            self.banner.show_message(exc.message, "error")

        self.backup_task = run_in_background(
            lambda _p: maintenance.take_backup(db, label="manual"),
            on_success=done,
            on_failure=failed,
        )

    def confirm(self, text: str) -> bool:
        """Ask before restoring (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "恢复备份",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore_selected(self) -> None:
        rows = self.backup_table.selectionModel().selectedRows()
        if not rows:
            self.banner.show_message("请先在列表中选中要恢复的备份。", "error")
            return
        self.restore(self.backup_paths[rows[0].row()])

    def restore_other_file(self) -> None:
        start = str(self.page.db.path.parent) if self.page.db.path else str(Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "选择备份文件", start, "数据库备份 (*.db);;所有文件 (*)"
        )
        if name:
            self.restore(Path(name))

    def restore(self, source: Path) -> bool:
        """Restore after confirming; the current database is backed up first. The session then
        starts again (the page's databaseRestored signal)."""
        try:
            self.page.actor.require_admin()
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return False
        text = (
            f"用备份“{source.name}”替换当前数据库？\n\n"
            "恢复前会先自动备份当前数据库；恢复后需要重新登录，"
            "该备份之后录入的内容将不在恢复后的数据库中。"
        )
        if not self.confirm(text):
            return False
        try:
            safety = maintenance.restore(self.page.db, source, actor=self.page.actor)
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return False
        self.banner.show_message(
            f"已恢复。恢复前的数据库已备份为 {safety.name}。请重新登录。", "success"
        )
        self.page.databaseRestored.emit()
        return True

    def choose_database(self) -> QDialog:
        """本机数据库 or 法院服务器; the choice is stored and used from the next start."""
        from zhiqian_desktop.gui.database_dialog import DatabaseDialog

        dialog = DatabaseDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_folder(self, key: str) -> None:
        text = self.values[key].text()
        path = Path(text)
        if key == "database":
            path = path.parent
        if path.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class CalendarTab(QWidget):
    """The holiday table: one year's official holidays and adjusted working days."""

    def __init__(self, page: SettingsPage) -> None:
        super().__init__()
        self.page = page
        self.rows: list[tuple[date, str, str]] = []
        self.dirty = False
        self.missing_banner = Banner()
        self.banner = Banner()
        self.year = QSpinBox()
        self.year.setRange(2000, 2099)
        self.year.setValue(page.today.year)
        self.year.setMaximumWidth(110)
        self.year.setSuffix(" 年")
        self.source = _note("")
        self.years_status = _note("")
        self.take_in_button = _button("载入随软件提供的新年份")
        self.take_in_button.hide()
        self.take_in_button.clicked.connect(self.take_in_built_in_years)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["日期", "星期", "安排", "节日"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.from_date = DateLineEdit()
        self.to_date = DateLineEdit()
        self.to_date.setPlaceholderText("至（单日可不填）")
        self.kind = QComboBox()
        self.kind.addItem("放假", HOLIDAY)
        self.kind.addItem("调休上班", WORKDAY)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(list(HOLIDAY_NAMES))
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.add_button = _button("添加")
        self.remove_button = _button("删除所选")
        self.save_button = _button("保存本年节假日")
        self.revert_button = _button("放弃修改")
        self.add_error = FieldError()

        top = QHBoxLayout()
        top.addWidget(QLabel("年份"))
        top.addWidget(self.year)
        top.addWidget(self.source, 1)
        entry_box = QGroupBox("按通知录入")
        entry = QFormLayout(entry_box)
        entry.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        dates = QHBoxLayout()
        dates.addWidget(self.from_date)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.to_date)
        dates_holder = QWidget()
        dates_holder.setLayout(dates)
        dates.setContentsMargins(0, 0, 0, 0)
        entry.addRow("日期", dates_holder)
        entry.addRow("安排", self.kind)
        entry.addRow("节日", self.name)
        entry.addRow("", self.add_button)
        entry.addRow("", self.add_error)
        entry.addRow(
            _note(
                "国务院办公厅每年年底前后公布下一年的部分节假日安排。按通知逐项录入：\n"
                "“2月15日至23日放假调休，共9天”——日期填 2月15日 至 2月23日，安排选“放假”；\n"
                "“2月14日（周六）上班”——日期填该日，安排选“调休上班”。\n"
                "周末本来就是休息日，放假期间的周末可录可不录；调休上班日只能是周六或周日。"
            )
        )
        side = QVBoxLayout()
        side.addWidget(entry_box)
        side.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        left = QVBoxLayout()
        left.addLayout(top)
        status_row = QHBoxLayout()
        status_row.addWidget(self.years_status, 1)
        status_row.addWidget(self.take_in_button)
        left.addLayout(status_row)
        left.addWidget(self.table, 1)
        left.addLayout(actions)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.missing_banner)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)

        self.year.valueChanged.connect(self._year_changed)
        self.add_button.clicked.connect(self.add_days)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.load)
        self._shown_year = self.year.value()

    def load(self) -> None:
        year = self.year.value()
        with self.page.db.reader() as session:
            missing = calendar_service.missing_years(session, self.page.today)
            rows = calendar_service.year_rows(session, year)
            source = calendar_source(session, year)
            today = self.page.today.year
            statuses = calendar_service.year_statuses(session, list(range(today - 1, today + 4)))
            new_years = calendar_service.new_built_in_years(session)
            self.rows = [(r.day, r.kind, r.name or "") for r in rows]
        self._shown_year = year
        self.dirty = False
        self.banner.clear_message()
        if missing:
            years = "、".join(f"{y}年" for y in missing)
            self.missing_banner.show_message(
                f"节假日表中还没有{years}的数据。国务院办公厅通常在上一年年底前后公布下一年的放假安排；"
                "通知公布后，请在下方选择年份，按通知录入放假日和调休上班日并保存。"
                "在此之前，落在该年的期限按《全国年节及纪念日放假办法》规定的法定节日和周末推算"
                "（调休、补假以通知为准），并会提示人工核对。",
                "warning",
            )
        else:
            self.missing_banner.clear_message()
        if source is None:
            self.source.setText(
                f"{year}年：仅法定节日（尚未录入国务院办公厅的放假安排通知，"
                "期限按法定节日和周末推算，须人工核对）"
            )
        else:
            who = f"，录入人 {source[1]}" if source[1] and source[1] != "system" else ""
            origin = calendar_service.source_label(source[0], year)
            self.source.setText(f"{year}年：已公布。来源：{origin}{who}")
        self.years_status.setText(
            "各年份：" + "　".join(f"{st.year}年 {st.label}" for st in statuses)
        )
        self.take_in_button.setVisible(bool(new_years))
        if new_years:
            self.take_in_button.setText(
                "载入随软件提供的" + "、".join(f"{y}年" for y in new_years) + "放假安排"
            )
        self._show_rows()

    def _show_rows(self) -> None:
        self.rows.sort()
        self.table.setRowCount(len(self.rows))
        for r, (day, kind, name) in enumerate(self.rows):
            cells = (
                day.isoformat(),
                f"星期{WEEKDAYS[day.weekday()]}",
                KIND_LABELS.get(kind, kind),
                name,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if kind == WORKDAY:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.save_button.setEnabled(self.dirty)
        self.revert_button.setEnabled(self.dirty)

    def _year_changed(self, year: int) -> None:
        if self.dirty and year != self._shown_year:
            self.year.blockSignals(True)
            self.year.setValue(self._shown_year)
            self.year.blockSignals(False)
            self.banner.show_message(
                f"{self._shown_year}年的修改尚未保存；请先保存或放弃修改，再切换年份。", "warning"
            )
            return
        self.from_date.clear()
        self.to_date.clear()
        self.load()

    def add_days(self) -> None:
        try:
            first = self.from_date.date_value()
            last = self.to_date.date_value() or first
        except UserError as exc:
            self.add_error.show_message(exc.message)
            return
        year = self.year.value()
        if first is None or last is None:
            self.add_error.show_message("请填写日期")
            return
        if last < first:
            self.add_error.show_message("结束日期不能早于开始日期")
            return
        if first.year != year or last.year != year:
            self.add_error.show_message(f"日期应在{year}年之内；其他年份请先切换年份")
            return
        kind = str(self.kind.currentData())
        name = self.name.currentText().strip()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if kind == WORKDAY:
            weekdays = [d for d in days if d.weekday() < 5]
            if weekdays:
                self.add_error.show_message(
                    f"{weekdays[0].isoformat()} 是星期{WEEKDAYS[weekdays[0].weekday()]}；"
                    "调休上班日只能是周六或周日"
                )
                return
        self.add_error.show_message(None)
        wanted = set(days)
        self.rows = [r for r in self.rows if r[0] not in wanted] + [(d, kind, name) for d in days]
        self.dirty = True
        self.banner.show_message(
            f"已加入{len(days)}天，尚未保存；核对无误后点击“保存本年节假日”。", "info"
        )
        self.from_date.clear()
        self.to_date.clear()
        self._show_rows()
        self.from_date.setFocus()

    def remove_selected(self) -> None:
        picked = {i.row() for i in self.table.selectionModel().selectedRows()}
        if not picked:
            return
        self.rows = [r for i, r in enumerate(self.rows) if i not in picked]
        self.dirty = True
        self._show_rows()

    def save(self) -> None:
        year = self._shown_year
        holidays = [(d, n or None) for d, k, n in self.rows if k == HOLIDAY]
        workdays = [d for d, k, _ in self.rows if k == WORKDAY]
        if not holidays:
            self.banner.show_message(
                f"{year}年还没有录入任何放假日；请先按通知录入再保存。", "error"
            )
            return
        try:
            with self.page.db.unit_of_work() as session:
                moved = calendar_service.set_year(
                    session, self.page.actor, year, holidays, workdays
                )
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return
        self.load()
        self.banner.show_message(
            f"{year}年节假日已保存（放假{len(holidays)}天，调休上班{len(workdays)}天）。"
            + moved_text(moved),
            "success",
        )

    def take_in_built_in_years(self) -> None:
        try:
            with self.page.db.unit_of_work() as session:
                years, moved = calendar_service.take_in_built_in_years(session, self.page.actor)
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return
        self.load()
        shown = "、".join(f"{y}年" for y in years)
        self.banner.show_message(f"已载入{shown}的放假安排。" + moved_text(moved), "success")


def moved_text(moved: list[calendar_service.MovedDeadline]) -> str:
    """The pending deadlines an entered notice moved, as the banner lists them."""
    if not moved:
        return "没有尚未到期的期限因此改变。"
    lines = [
        f"{m.case_no}（{m.obligor_names}）：{m.before.isoformat()} → {m.after.isoformat()}"
        for m in moved[:20]
    ]
    more = f"\n……另有{len(moved) - 20}项" if len(moved) > 20 else ""
    return f"以下{len(moved)}项期限的届满日因此改变，请通知承办人：\n" + "\n".join(lines) + more


class SettingsPage(QWidget):
    """The administrator's page; other roles see it but the services refuse their changes."""

    databaseRestored = Signal()

    def __init__(
        self,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.today = today or date.today()
        self.settings_version: int | None = None
        self.settings_values: dict[str, Any] = {}
        title = QLabel("设置")
        title.setStyleSheet("font-size: 17pt; font-weight: bold; color: #1d3557;")
        self.role_note = _note("")
        self.tabs = QTabWidget()
        self.court = CourtTab(self)
        self.people = PeopleTab(self)
        self.fonts = FontsTab(self)
        self.data = DataTab(self)
        self.calendar = CalendarTab(self)
        self.templates = TemplatesTab(db, actor)
        self.tabs.addTab(self.court, "法院信息")
        self.tabs.addTab(self.people, "法庭与人员")
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
        with self.db.reader() as session:
            s = get_settings(session)
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
                    "court_address",
                    "court_phone",
                    "court_account",
                    "print_font_body",
                    "print_font_title",
                    "ui_font",
                )
            }
        if self.actor.role is Role.ADMIN:
            self.role_note.setText("")
        else:
            self.role_note.setText(
                f"当前用户“{self.actor.display_name}”不是管理员：可以查看设置，修改须由管理员进行。"
            )
        self.court.load()
        self.people.load()
        self.fonts.load()
        self.data.load()
        if not self.calendar.dirty:
            self.calendar.load()

    def save_settings(self, banner: Banner, **values: object) -> bool:
        """Save through the service at the version the form was loaded at; stale is refused."""
        assert self.settings_version is not None
        try:
            with self.db.unit_of_work() as session:
                s = update_settings(session, self.actor, self.settings_version, **values)
                self.settings_version = s.version
                for key, value in values.items():
                    self.settings_values[key] = value
        except UserError as exc:
            banner.show_message(exc.message, "error")
            return False
        return True
