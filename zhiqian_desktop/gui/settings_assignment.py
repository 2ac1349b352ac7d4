"""设置 › 分案: the court's rule for proposing new cases, the causes' handlers, each tribunal's
townships and each handler's tribunal (the team lead's; services/intake/assignment.py)."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import AssignmentRule
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.settings_common import SettingsHost, note_label, plain_button
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.intake import assignment
from zhiqian_desktop.services.intake.assignment import AssignmentSetup

ID_ROLE = Qt.ItemDataRole.UserRole


def _table(headers: list[str]) -> QTableWidget:
    table = read_only_table(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


class AssignmentTab(QWidget):
    """The rule and what each rule reads: causes → handlers, tribunals → townships, handlers →
    tribunal. Every change is saved by its own button, as one audited write."""

    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.setup: AssignmentSetup | None = None
        self.causes: dict[str, list[str]] = {}
        self.banner = Banner()

        self.rule = QComboBox()
        for rule in AssignmentRule:
            self.rule.addItem(rule.label, rule.value)
        self.save_rule_button = plain_button("保存分案规则")
        rule_row = QHBoxLayout()
        rule_row.addWidget(QLabel("分案规则"))
        rule_row.addWidget(self.rule)
        rule_row.addWidget(self.save_rule_button)
        rule_row.addStretch(1)

        self.cause_table = _table(["案由", "承办人"])
        self.cause_name = QLineEdit()
        self.cause_name.setPlaceholderText("案由，如 劳务合同纠纷")
        self.cause_handlers = QListWidget()
        self.cause_handlers.setMaximumHeight(110)
        self.cause_put = plain_button("添加/更新案由")
        self.cause_remove = plain_button("删去所选案由")
        cause_box = QGroupBox("按案由：每个案由的承办人（随“保存分案规则”保存）")
        cause_layout = QGridLayout(cause_box)
        cause_layout.addWidget(self.cause_table, 0, 0, 1, 3)
        cause_layout.addWidget(self.cause_name, 1, 0)
        cause_layout.addWidget(self.cause_handlers, 1, 1, 2, 1)
        cause_layout.addWidget(self.cause_put, 1, 2)
        cause_layout.addWidget(self.cause_remove, 2, 2)

        self.area_table = _table(["法庭", "辖区乡镇"])
        self.townships = QLineEdit()
        self.townships.setPlaceholderText("所选法庭的辖区乡镇，用顿号分隔，如 美岱召镇、明沙淖乡")
        self.save_area_button = plain_button("保存辖区")
        area_box = QGroupBox("按法庭辖区：各法庭的乡镇")
        area_layout = QGridLayout(area_box)
        area_layout.addWidget(self.area_table, 0, 0, 1, 2)
        area_layout.addWidget(self.townships, 1, 0)
        area_layout.addWidget(self.save_area_button, 1, 1)

        self.handler_table = _table(["承办人", "所属法庭"])
        self.handler_tribunal = QComboBox()
        self.save_handler_button = plain_button("指定所属法庭")
        handler_box = QGroupBox("按法庭辖区：承办人所属法庭")
        handler_layout = QGridLayout(handler_box)
        handler_layout.addWidget(self.handler_table, 0, 0, 1, 2)
        handler_layout.addWidget(self.handler_tribunal, 1, 0)
        handler_layout.addWidget(self.save_handler_button, 1, 1)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addLayout(rule_row)
        left.addWidget(
            note_label(
                "各规则下涉民生案件先分；一个规则允许几名承办人时，交给在办案件最少的一名。"
                "只向“承办人”角色的在岗用户分案。规则无法分配的案件写明原因，由负责人在“分案”窗口单件分配。"
            )
        )
        left.addWidget(cause_box, 1)
        right = QVBoxLayout()
        right.addWidget(area_box, 1)
        right.addWidget(handler_box, 1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)

        self.save_rule_button.clicked.connect(self.save_rule)
        self.cause_put.clicked.connect(self.put_cause)
        self.cause_remove.clicked.connect(self.remove_cause)
        self.cause_table.itemSelectionChanged.connect(self._cause_selected)
        self.area_table.itemSelectionChanged.connect(self._area_selected)
        self.save_area_button.clicked.connect(self.save_area)
        self.save_handler_button.clicked.connect(self.save_handler)

    # --- reading --------------------------------------------------------------------------------

    def load(self) -> None:
        setup = assignment.assignment_setup(self.page.ctx.db)
        self.setup = setup
        self.rule.setCurrentIndex(self.rule.findData(setup.rule.value))
        self.causes = {k: list(v) for k, v in setup.causes.items()}
        self.cause_handlers.clear()
        for h in setup.handlers:
            item = QListWidgetItem(h.name)
            item.setData(ID_ROLE, h.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.cause_handlers.addItem(item)
        self._show_causes()
        tribunal_names = {t.id: t.name for t in setup.tribunals}
        self.area_table.setRowCount(len(setup.tribunals))
        for r, t in enumerate(setup.tribunals):
            name = QTableWidgetItem(t.name)
            name.setData(ID_ROLE, t.id)
            self.area_table.setItem(r, 0, name)
            self.area_table.setItem(r, 1, QTableWidgetItem(t.townships))
        self.handler_table.setRowCount(len(setup.handlers))
        for r, h in enumerate(setup.handlers):
            name = QTableWidgetItem(h.name)
            name.setData(ID_ROLE, h.id)
            self.handler_table.setItem(r, 0, name)
            self.handler_table.setItem(
                r, 1, QTableWidgetItem(tribunal_names.get(h.tribunal_id or "", ""))
            )
        self.handler_tribunal.clear()
        self.handler_tribunal.addItem("（无）", None)
        for t in setup.tribunals:
            self.handler_tribunal.addItem(t.name, t.id)

    def _names(self) -> dict[str, str]:
        return {h.id: h.name for h in self.setup.handlers} if self.setup else {}

    def _show_causes(self) -> None:
        names = self._names()
        self.cause_table.setRowCount(len(self.causes))
        for r, (cause, ids) in enumerate(sorted(self.causes.items())):
            self.cause_table.setItem(r, 0, QTableWidgetItem(cause))
            self.cause_table.setItem(
                r, 1, QTableWidgetItem("、".join(names.get(i, "（已停用）") for i in ids))
            )

    def _selected(self, table: QTableWidget) -> int | None:
        rows = table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _cause_selected(self) -> None:
        row = self._selected(self.cause_table)
        if row is None:
            return
        cause = self.cause_table.item(row, 0)
        if cause is None:
            return
        self.cause_name.setText(cause.text())
        chosen = set(self.causes.get(cause.text(), []))
        for i in range(self.cause_handlers.count()):
            item = self.cause_handlers.item(i)
            checked = str(item.data(ID_ROLE)) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _area_selected(self) -> None:
        row = self._selected(self.area_table)
        towns = self.area_table.item(row, 1) if row is not None else None
        self.townships.setText(towns.text() if towns is not None else "")

    # --- writing --------------------------------------------------------------------------------

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def _done(self, message: str) -> None:
        self.banner.show_message(message, "success")
        self.load()

    def put_cause(self) -> None:
        cause = self.cause_name.text().strip()
        ids = [
            str(self.cause_handlers.item(i).data(ID_ROLE))
            for i in range(self.cause_handlers.count())
            if self.cause_handlers.item(i).checkState() == Qt.CheckState.Checked
        ]
        if not cause or not ids:
            self.banner.show_message("请填写案由并勾选至少一名承办人", "error")
            return
        self.causes[cause] = ids
        self._show_causes()
        self.banner.show_message(f"案由“{cause}”已列入；点“保存分案规则”后生效。", "info")

    def remove_cause(self) -> None:
        row = self._selected(self.cause_table)
        cause = self.cause_table.item(row, 0) if row is not None else None
        if cause is None:
            self.banner.show_message("请先选中一个案由", "error")
            return
        self.causes.pop(cause.text(), None)
        self._show_causes()

    def save_rule(self) -> None:
        if self.setup is None:
            return
        ctx, version = self.page.ctx, self.setup.settings_version
        rule = cast(AssignmentRule, AssignmentRule.from_label(str(self.rule.currentData())))
        causes = dict(self.causes)
        Operation(
            self,
            lambda _progress: assignment.set_assignment_rule(
                ctx.db, ctx.actor, rule, expected_version=version, causes=causes
            ),
        ).success(lambda _none: self._done(f"分案规则已保存：{rule.label}。")).refused(
            self._refused
        ).disabling(self.save_rule_button).run_in_background()

    def save_area(self) -> None:
        row = self._selected(self.area_table)
        item = self.area_table.item(row, 0) if row is not None else None
        if item is None:
            self.banner.show_message("请先在法庭列表中选中一个法庭", "error")
            return
        ctx, tribunal_id, towns = self.page.ctx, str(item.data(ID_ROLE)), self.townships.text()
        name = item.text()
        Operation(
            self,
            lambda _progress: assignment.set_tribunal_area(ctx.db, ctx.actor, tribunal_id, towns),
        ).success(lambda _none: self._done(f"{name}的辖区已保存。")).refused(
            self._refused
        ).disabling(self.save_area_button).run_in_background()

    def save_handler(self) -> None:
        row = self._selected(self.handler_table)
        item = self.handler_table.item(row, 0) if row is not None else None
        if item is None:
            self.banner.show_message("请先在承办人列表中选中一名承办人", "error")
            return
        ctx, user_id = self.page.ctx, str(item.data(ID_ROLE))
        data = self.handler_tribunal.currentData()
        tribunal_id = str(data) if data else None
        name, tribunal = item.text(), self.handler_tribunal.currentText()
        Operation(
            self,
            lambda _progress: assignment.set_handler_tribunal(
                ctx.db, ctx.actor, user_id, tribunal_id
            ),
        ).success(lambda _none: self._done(f"{name}的所属法庭：{tribunal}。")).refused(
            self._refused
        ).disabling(self.save_handler_button).run_in_background()
