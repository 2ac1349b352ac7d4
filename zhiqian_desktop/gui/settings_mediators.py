"""设置 › 调解员: the court's list of mediators and mediation bodies cases are entrusted to
(the team lead's; services/supervision/mediation.py)."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MediatorKind
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.settings_common import SettingsHost, note_label, plain_button
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.supervision import mediation

ID_ROLE = Qt.ItemDataRole.UserRole
HEADERS = ["名称", "类别", "所属组织", "电话", "地址", "状态"]


class MediatorsTab(QWidget):
    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.banner = Banner()
        self.table = read_only_table(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.name = QLineEdit()
        self.name.setPlaceholderText("姓名或组织名称，如 土默特右旗人民调解委员会")
        self.kind = QComboBox()
        for k in MediatorKind:
            self.kind.addItem(k.label, k.value)
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText("所属组织（可不填），如律师事务所")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("电话（可不填）")
        self.address = QLineEdit()
        self.address.setPlaceholderText("地址（可不填）")
        self.add_button = plain_button("加入名单")
        self.toggle_button = plain_button("停用/启用所选")
        form = QGridLayout()
        form.addWidget(self.name, 0, 0)
        form.addWidget(self.kind, 0, 1)
        form.addWidget(self.organisation, 0, 2)
        form.addWidget(self.phone, 1, 0)
        form.addWidget(self.address, 1, 1)
        form.addWidget(self.add_button, 1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.toggle_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(
            note_label(
                "案件可委托名单中在用的调解员或调解组织调解（特邀调解员、人民调解委员会、律师调解）。"
                "停用后不再接受新的委托，已有的委托不受影响。"
            )
        )
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        self.add_button.clicked.connect(self.add)
        self.name.returnPressed.connect(self.add)
        self.toggle_button.clicked.connect(self.toggle)

    def load(self) -> None:
        rows = mediation.mediators(self.page.ctx.db)
        self.table.setRowCount(len(rows))
        for r, m in enumerate(rows):
            cells = (
                m.name,
                m.kind.label,
                m.organisation,
                m.phone,
                m.address,
                "在用" if m.active else "停用",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, (m.id, m.active))
                self.table.setItem(r, c, item)

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def add(self) -> None:
        ctx = self.page.ctx
        name, organisation = self.name.text(), self.organisation.text()
        phone, address = self.phone.text(), self.address.text()
        kind = cast(MediatorKind, MediatorKind.from_label(str(self.kind.currentData())))

        def done(_mediator: object) -> None:
            for edit in (self.name, self.organisation, self.phone, self.address):
                edit.clear()
            self.banner.show_message(f"已将“{name.strip()}”加入调解员名单。", "success")
            self.load()

        Operation(
            self,
            lambda _progress: mediation.add_mediator(
                ctx.db, ctx.actor, name, kind, organisation=organisation, phone=phone,
                address=address,
            ),
        ).success(done).refused(self._refused).disabling(self.add_button).run_in_background()  # fmt: skip

    def toggle(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        if item is None:
            self.banner.show_message("请先在名单中选中一名调解员。", "error")
            return
        mediator_id, active = item.data(ID_ROLE)
        ctx, name = self.page.ctx, item.text()

        def done(_none: None) -> None:
            self.banner.show_message(f"已{'停用' if active else '启用'}“{name}”。", "success")
            self.load()

        Operation(
            self,
            lambda _progress: mediation.set_mediator_active(
                ctx.db, ctx.actor, str(mediator_id), not active
            ),
        ).success(done).refused(self._refused).disabling(self.toggle_button).run_in_background()
