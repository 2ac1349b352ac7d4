"""设置 › 法庭与人员: the court's tribunals and users (adding, disabling, passwords)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.accounts import MIN_PASSWORD
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.form_fields import (
    Banner,
    FieldError,
)
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.settings_common import SettingsHost, plain_button
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.services.core.staff import (
    add_tribunal,
    staff,
    tribunal_choices,
)
from zhiqian_desktop.services.core.users import create_user

if TYPE_CHECKING:
    from zhiqian_desktop.store.models import User


class PeopleTab(QWidget):
    """Tribunals and the team's users (handlers, leads, administrators)."""

    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.tribunal_list = QListWidget()
        self.tribunal_name = QLineEdit()
        self.tribunal_name.setPlaceholderText("如 沟门法庭")
        self.tribunal_add = plain_button("添加法庭")
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
        self.users.horizontalHeader().setStretchLastSection(True)
        self.users_memory = TableMemory(self.users, page.ctx.actor.username, "users")
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("姓名")
        self.username = QLineEdit()
        self.username.setPlaceholderText("登录用户名，如 zhangsan")
        self.role = QComboBox()
        for r in (Role.HANDLER, Role.LEAD, Role.ADMIN, Role.READONLY):
            self.role.addItem(r.label, r.value)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("电话（可不填；手机11位或带区号的固话）")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"初始密码（可不填；至少{MIN_PASSWORD}位）")
        self.user_add = plain_button("添加用户")
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
        self.own_password_button = plain_button("修改我的密码…")
        self.reset_password_button = plain_button("重置所选用户的密码…")
        self.toggle_active_button = plain_button("停用/启用所选用户")
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
        courts = tribunal_choices(self.page.ctx.db)
        members = staff(self.page.ctx.db)
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
        self.users_memory.arrange()

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

        dialog = PasswordDialog(self.page.ctx, self, target_username=target)
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
        if self.page.ctx.actor.role is not Role.ADMIN:
            self.banner.show_message("重置他人密码需要管理员权限。", "error")
            return
        self._password_dialog(selected[0])

    def toggle_active(self) -> None:
        from zhiqian_desktop.services.core.auth import set_active

        selected = self._selected_user()
        if selected is None:
            return
        username, active = selected
        ctx = self.page.ctx

        def done(_none: None) -> None:
            self.banner.show_message(
                f"已{'停用' if active else '启用'}用户“{username}”。", "success"
            )
            self.load()

        Operation(
            self, lambda _progress: set_active(ctx.db, ctx.actor, username, not active)
        ).success(done).refused(self._refused).run_in_background()

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def add_tribunal(self) -> None:
        name = self.tribunal_name.text()
        ctx = self.page.ctx

        def done(_tribunal: object) -> None:
            self.tribunal_name.clear()
            self.banner.show_message(f"已添加法庭“{name.strip()}”。", "success")
            self.load()

        Operation(self, lambda _progress: add_tribunal(ctx.db, ctx.actor, name)).success(
            done
        ).refused(self._refused).disabling(self.tribunal_add).run_in_background()

    def add_user(self) -> None:
        ctx = self.page.ctx
        username, display_name = self.username.text(), self.display_name.text()
        role = cast(Role, Role.from_label(str(self.role.currentData())))
        password, phone = self.password.text() or None, self.phone.text().strip() or None
        Operation(
            self,
            lambda _progress: create_user(
                ctx.db,
                ctx.actor,
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                phone=phone,
            ),
        ).success(self._user_added).refused(
            lambda exc: self.user_error.show_message(exc.message)
        ).disabling(self.user_add).run_in_background()

    def _user_added(self, user: User) -> None:
        self.user_error.show_message(None)
        password = (
            "已设初始密码，请当面告知本人" if user.password_hash else "未设密码，首次登录无需密码"
        )
        self.banner.show_message(
            f"已添加用户“{user.display_name}”：用户名 {user.username}，{user.role.label}，"
            f"电话 {user.phone or '未填'}，{password}。",
            "success",
        )
        for edit in (self.username, self.display_name, self.password, self.phone):
            edit.clear()
        self.load()
