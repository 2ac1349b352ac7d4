"""案件详情 › 委托调解: the case's entrustments to mediators, entrusting it, and recording how the
pending one ended (services/supervision/mediation.py)."""

from __future__ import annotations

from datetime import date
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MediationResult
from zhiqian_desktop.domain.mediation import DEFAULT_PERIOD_DAYS, ENTRUSTABLE, MAX_PERIOD_DAYS
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import Banner, DateLineEdit, parse_date_text
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.supervision import mediation
from zhiqian_desktop.services.supervision.mediation import MediationRow

HEADERS = ["调解员", "类别", "委托日期", "期限", "届满日", "委托事项", "结果", "结果日期", "说明"]


ENTRUST_TITLE = "委托调解（调解期满列入今日待办）"


def _day(edit: DateLineEdit, what: str) -> date:
    try:
        value = parse_date_text(edit.text())
    except UserError as exc:
        raise UserError(f"{what}：{exc.message}") from None
    if value is None:
        raise UserError(f"请填写{what}")
    return value


class MediationTab(QWidget):
    changed = Signal(str)
    """The case's entrustments changed (the due-list and the summary follow)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id: str | None = None
        self.status: CaseStatus | None = None
        self.pending: MediationRow | None = None
        self.banner = Banner()
        self.table = read_only_table(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        self.mediator = QComboBox()
        self.mediator.setMinimumWidth(200)
        self.entrusted_on = DateLineEdit()
        self.period = QSpinBox()
        self.period.setRange(1, MAX_PERIOD_DAYS)
        self.period.setValue(DEFAULT_PERIOD_DAYS)
        self.period.setSuffix(" 日")
        self.matters = QLineEdit()
        self.matters.setPlaceholderText("委托调解的事项，如 给付借款及利息")
        self.entrust_button = QPushButton("委托调解")
        self.entrust_box = QGroupBox(ENTRUST_TITLE)
        grid = QGridLayout(self.entrust_box)
        grid.addWidget(QLabel("调解员"), 0, 0)
        grid.addWidget(self.mediator, 0, 1)
        grid.addWidget(QLabel("委托日期"), 0, 2)
        grid.addWidget(self.entrusted_on, 0, 3)
        grid.addWidget(QLabel("调解期限"), 0, 4)
        grid.addWidget(self.period, 0, 5)
        grid.addWidget(QLabel("委托事项"), 1, 0)
        grid.addWidget(self.matters, 1, 1, 1, 4)
        grid.addWidget(self.entrust_button, 1, 5)

        self.result = QComboBox()
        for r in MediationResult:
            self.result.addItem(r.label, r.value)
        self.result_on = DateLineEdit()
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明，如调解不成的原因")
        self.result_button = QPushButton("登记结果")
        self.result_box = QGroupBox("调解结果")
        row = QHBoxLayout(self.result_box)
        row.addWidget(self.result)
        row.addWidget(QLabel("日期"))
        row.addWidget(self.result_on)
        row.addWidget(self.note, 1)
        row.addWidget(self.result_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        # The forms above the list: on a short screen the list scrolls, the buttons stay in view.
        layout.addWidget(self.entrust_box)
        layout.addWidget(self.result_box)
        layout.addWidget(self.table, 1)
        self.entrust_button.clicked.connect(self.entrust)
        self.result_button.clicked.connect(self.record_result)

    def show_case(self, case_id: str, status: CaseStatus) -> None:
        self.case_id, self.status = case_id, status
        self.refresh()

    def refresh(self) -> None:
        if self.case_id is None:
            return
        rows = mediation.case_mediations(self.ctx.db, self.case_id)
        self.table.setRowCount(len(rows))
        for r, m in enumerate(rows):
            cells = (
                m.mediator,
                m.mediator_kind.label,
                m.entrusted_on.isoformat(),
                f"{m.period_days} 日",
                m.ends_on.isoformat(),
                m.matters,
                m.state,
                m.result_on.isoformat() if m.result_on else "",
                m.result_note,
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.pending = next((m for m in rows if m.result is None), None)
        self.mediator.clear()
        for choice in mediation.mediators(self.ctx.db, active_only=True):
            self.mediator.addItem(f"{choice.name}（{choice.kind.label}）", choice.id)
        today = self.ctx.clock.today()
        self.entrusted_on.set_date(today)
        self.result_on.set_date(today)
        # Fields a clerk cannot use are greyed with the button, and the title says why.
        may_entrust = self.status in ENTRUSTABLE and self.pending is None
        self.entrust_box.setEnabled(may_entrust)
        self.entrust_button.setEnabled(may_entrust and self.mediator.count() > 0)
        if self.pending is not None:
            self.entrust_box.setTitle("委托调解（本案已有未结束的委托，登记结果后才能再委托）")
        elif not may_entrust:
            label = self.status.label if self.status is not None else ""
            self.entrust_box.setTitle(f"委托调解（案件“{label}”，不能再委托调解）")
        else:
            self.entrust_box.setTitle(ENTRUST_TITLE)
        self.result_box.setEnabled(self.pending is not None)
        if self.pending is not None:
            self.result_box.setTitle(
                f"调解结果：委托{self.pending.mediator}，{self.pending.ends_on.isoformat()}届满"
            )
        else:
            self.result_box.setTitle("调解结果（没有未结束的委托）")
        if self.mediator.count() == 0:
            self.banner.show_message(
                "调解员名单为空：团队负责人可在 设置 → 调解员 中添加。", "info"
            )

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def _done(self, message: str) -> None:
        self.refresh()
        self.banner.show_message(message, "success")
        if self.case_id:
            self.changed.emit(self.case_id)

    def entrust(self) -> None:
        if self.case_id is None:
            return
        try:
            on = _day(self.entrusted_on, "委托日期")
        except UserError as exc:
            self._refused(exc)
            return
        ctx, case_id = self.ctx, self.case_id
        mediator_id, days, matters = (
            str(self.mediator.currentData()),
            self.period.value(),
            self.matters.text(),
        )

        def done(row: MediationRow) -> None:
            self.matters.clear()
            self._done(
                f"已委托{row.mediator}调解，{row.ends_on.isoformat()}届满（已列入今日待办）。"
            )

        Operation(
            self,
            lambda _progress: mediation.entrust_case(
                ctx.db, ctx.actor, case_id, mediator_id=mediator_id, entrusted_on=on,
                period_days=days, matters=matters, today=ctx.clock.today(),
            ),
        ).success(done).refused(self._refused).disabling(self.entrust_button).run_in_background()  # fmt: skip

    def record_result(self) -> None:
        pending = self.pending
        if pending is None:
            return
        try:
            on = _day(self.result_on, "结果日期")
        except UserError as exc:
            self._refused(exc)
            return
        ctx, note = self.ctx, self.note.text()
        result = cast(MediationResult, MediationResult.from_label(str(self.result.currentData())))

        def done(row: MediationRow) -> None:
            self.note.clear()
            then = (
                "请在“履行”页登记和解协议。"
                if row.result is MediationResult.SETTLED
                else "案件继续督促。"
            )
            self._done(f"已登记：{row.state}。{then}")

        Operation(
            self,
            lambda _progress: mediation.record_mediation_result(
                ctx.db, ctx.actor, pending.id, result=result, result_on=on, note=note,
                expected_version=pending.version, today=ctx.clock.today(),
            ),
        ).success(done).refused(self._refused).disabling(self.result_button).run_in_background()  # fmt: skip
