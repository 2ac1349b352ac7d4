"""分案: the lead's view of the proposal for every open case without a handler, beside each
handler's workload; assigns them all in one action, or one selected case to a chosen handler."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.intake import assignment
from zhiqian_desktop.services.intake.assignment import AssignmentOverview, AssignmentResult

ID_ROLE = Qt.ItemDataRole.UserRole
CASE_HEADERS = ["案号", "被申请人", "案由", "收案日期", "建议承办人", "法庭", "说明"]
LOAD_HEADERS = ["承办人", "所属法庭", "在办案件", "其中涉民生", "建议新增"]


class AssignmentDialog(QDialog):
    assigned = Signal()
    """Some case got (or lost) a handler: the docket and due-list show it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("分案")
        self.resize(980, 620)
        self.ctx = ctx
        self.view: AssignmentOverview | None = None
        self.banner = Banner()
        self.rule_label = QLabel()
        self.rule_label.setStyleSheet("font-weight: bold;")
        self.cases = read_only_table(CASE_HEADERS)
        self.cases.horizontalHeader().setSectionResizeMode(
            len(CASE_HEADERS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.loads = read_only_table(LOAD_HEADERS)
        self.loads.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.handler = QComboBox()
        self.handler.setMinimumWidth(140)
        self.assign_one_button = QPushButton("分给所选案件")
        self.assign_all_button = QPushButton("按建议分案")
        self.assign_all_button.setDefault(True)
        refresh = QPushButton("刷新")
        close = QPushButton("关闭")

        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("无承办人的在办案件（涉民生案件在前）"))
        top_layout.addWidget(self.cases)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("各承办人的工作量"))
        bottom_layout.addWidget(self.loads)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("承办人"))
        buttons.addWidget(self.handler)
        buttons.addWidget(self.assign_one_button)
        buttons.addStretch(1)
        buttons.addWidget(refresh)
        buttons.addWidget(self.assign_all_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.rule_label)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

        self.assign_all_button.clicked.connect(self.assign_all)
        self.assign_one_button.clicked.connect(self.assign_one)
        refresh.clicked.connect(self.load)
        close.clicked.connect(self.reject)
        self.cases.itemSelectionChanged.connect(self._case_selected)
        self.load()

    @property
    def may_assign(self) -> bool:
        return self.ctx.actor.role in (Role.ADMIN, Role.LEAD)

    def load(self) -> None:
        view = assignment.assignment_overview(self.ctx.db)
        self.view = view
        self.rule_label.setText(f"分案规则：{view.rule.label}（设置 → 分案 中修改）")
        self.cases.setRowCount(len(view.proposals))
        for r, p in enumerate(view.proposals):
            cells = (
                ("★" if p.livelihood else "") + p.case_no,
                p.obligor_names,
                p.cause,
                p.received_date.isoformat(),
                p.handler_name or "—",
                p.tribunal_name,
                p.reason or "",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, p.case_id)
                if p.reason and c in (4, 6):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.cases.setItem(r, c, item)
        self.cases.resizeColumnsToContents()
        self.loads.setRowCount(len(view.workloads))
        for r, w in enumerate(view.workloads):
            load_cells = (
                w.name,
                w.tribunal_name,
                str(w.open_cases),
                str(w.livelihood_cases),
                f"+{w.proposed}" if w.proposed else "",
            )
            for c, text in enumerate(load_cells):
                self.loads.setItem(r, c, QTableWidgetItem(text))
        self.handler.clear()
        for choice in view.handlers:
            self.handler.addItem(choice.name, choice.id)
        placed = sum(1 for p in view.proposals if p.handler_id)
        self.assign_all_button.setEnabled(self.may_assign and placed > 0)
        self.assign_one_button.setEnabled(self.may_assign and bool(view.proposals))
        if not self.may_assign:
            self.banner.show_message("分案须由团队负责人或管理员进行；您可以查看建议。", "info")
        elif not view.proposals:
            self.banner.show_message("没有待分配的案件：每件在办案件都有承办人。", "info")
        else:
            left = len(view.proposals) - placed
            more = f"，{left} 件须单件分配（见“说明”）" if left else ""
            self.banner.show_message(
                f"待分配 {len(view.proposals)} 件：按规则可分 {placed} 件{more}。", "info"
            )

    def _case_selected(self) -> None:
        case_id = self.selected_case_id()
        if self.view is None or case_id is None:
            return
        proposal = next((p for p in self.view.proposals if p.case_id == case_id), None)
        if proposal is not None and proposal.handler_id:
            self.handler.setCurrentIndex(self.handler.findData(proposal.handler_id))

    def selected_case_id(self) -> str | None:
        rows = self.cases.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.cases.item(rows[0].row(), 0)
        return str(item.data(ID_ROLE)) if item is not None else None

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def assign_all(self) -> None:
        if self.view is None:
            return
        ctx, expected = self.ctx, self.view.expected

        def done(result: AssignmentResult) -> None:
            self.load()
            left = f"；{len(result.left)} 件未能按规则分配，请单件分配" if result.left else ""
            self.banner.show_message(f"已分配 {len(result.assigned)} 件{left}。", "success")
            self.assigned.emit()

        Operation(
            self,
            lambda _progress: assignment.assign_proposed(ctx.db, ctx.actor, expected=expected),
        ).success(done).refused(self._refused).disabling(
            self.assign_all_button, self.assign_one_button
        ).run_in_background()

    def assign_one(self) -> None:
        case_id = self.selected_case_id()
        if case_id is None:
            self.banner.show_message("请先在列表中选中一件案件", "error")
            return
        handler_id = self.handler.currentData()
        if not handler_id:
            self.banner.show_message("请选择承办人", "error")
            return
        ctx, name = self.ctx, self.handler.currentText()

        def done(case: object) -> None:
            self.load()
            self.banner.show_message(f"已将{getattr(case, 'case_no', '')}分给{name}。", "success")
            self.assigned.emit()

        Operation(
            self,
            lambda _progress: assignment.assign_case(ctx.db, ctx.actor, case_id, str(handler_id)),
        ).success(done).refused(self._refused).disabling(
            self.assign_all_button, self.assign_one_button
        ).run_in_background()
