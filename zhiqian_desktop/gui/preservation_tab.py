"""案件详情 › 执行前保全: the applications with their rulings (……号之一), the measures taken under the
selected ruling, and the actions — apply, rule, add a measure, print the ruling or a measure's
协助执行通知书, release (services/supervision/preservation.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
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
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import (
    DocumentKind,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
    Role,
)
from zhiqian_desktop.domain.money import format_amount, parse_amount
from zhiqian_desktop.domain.preservation import MEASURES
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.fitting import VerticalScroller
from zhiqian_desktop.gui.form_fields import Banner, DateLineEdit, parse_date_text
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.pdf_view import PdfPreviewDialog, show_pdf
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.closing import batch_print
from zhiqian_desktop.services.supervision import notices, preservation, release_documents
from zhiqian_desktop.services.supervision.preservation import ApplicationRow, MeasureRow

RULINGS = ["裁定书案号", "申请人", "申请日期", "申请数额", "裁定日期", "裁定数额", "审判员", "状态"]
MEASURE_HEADERS = [
    "项",
    "财产类型",
    "措施",
    "财产",
    "协助执行单位",
    "保全日期",
    "届满日",
    "数额",
    "状态",
]


def _day(edit: DateLineEdit, what: str, *, required: bool = True) -> date | None:
    try:
        value = parse_date_text(edit.text())
    except UserError as exc:
        raise UserError(f"{what}：{exc.message}") from None
    if value is None and required:
        raise UserError(f"请填写{what}")
    return value


def _amount(edit: QLineEdit, what: str) -> Decimal | None:
    if not edit.text().strip():
        return None
    try:
        return parse_amount(edit.text())
    except UserError as exc:
        raise UserError(f"{what}：{exc.message}") from None


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_amount(value)


class PreservationTab(QWidget):
    changed = Signal(str)
    """The case's preservation records or documents changed (the due-list and documents follow)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id: str | None = None
        self.status: CaseStatus | None = None
        self.rows: list[ApplicationRow] = []
        self.preview: PdfPreviewDialog | None = None
        self.opener: Callable[[Path], bool] = self._show_preview
        self.banner = Banner()

        self.applicant = QComboBox()
        self.applied_on = DateLineEdit()
        self.apply_amount = QLineEdit()
        self.apply_amount.setPlaceholderText("申请保全的数额")
        self.clues = QLineEdit()
        self.clues.setPlaceholderText("财产线索：开户银行及账号、车辆、房产坐落等")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("申请理由：情况紧急的事实，如被申请人正在转移财产")
        self.apply_button = QPushButton("登记申请")
        apply_box = QGroupBox("保全申请（法律文书生效后、执行立案前）")
        grid = QGridLayout(apply_box)
        grid.addWidget(QLabel("申请人"), 0, 0)
        grid.addWidget(self.applicant, 0, 1)
        grid.addWidget(QLabel("申请日期"), 0, 2)
        grid.addWidget(self.applied_on, 0, 3)
        grid.addWidget(QLabel("数额"), 0, 4)
        grid.addWidget(self.apply_amount, 0, 5)
        grid.addWidget(QLabel("财产线索"), 1, 0)
        grid.addWidget(self.clues, 1, 1, 1, 5)
        grid.addWidget(QLabel("申请理由"), 2, 0)
        grid.addWidget(self.reason, 2, 1, 1, 4)
        grid.addWidget(self.apply_button, 2, 5)

        self.ruled_on = DateLineEdit()
        self.rule_amount = QLineEdit()
        self.rule_amount.setPlaceholderText("不填：同申请数额")
        self.judge = QLineEdit()
        self.judge.setPlaceholderText("签署裁定的审判员")
        self.rule_button = QPushButton("登记裁定")
        self.rule_box = QGroupBox("保全裁定（不要求申请人提供担保；案号为本案案号之一、之二……）")
        row = QHBoxLayout(self.rule_box)
        for label, widget in (
            ("裁定日期", self.ruled_on),
            ("裁定数额", self.rule_amount),
            ("审判员", self.judge),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(self.rule_button)

        self.kind = QComboBox()
        for k in PreservationKind:
            self.kind.addItem(k.label, k.value)
        self.measure = QComboBox()
        self.asset = QLineEdit()
        self.asset.setPlaceholderText("被保全的财产：账户、车辆号牌、房产坐落等")
        self.holder = QLineEdit()
        self.holder.setPlaceholderText("协助执行单位：开户银行、不动产登记中心、车辆管理所等")
        self.taken_on = DateLineEdit()
        self.until = DateLineEdit()
        self.until.setPlaceholderText("不填：法定最长期限")
        self.measure_amount = QLineEdit()
        self.measure_amount.setPlaceholderText("数额（可不填）")
        self.measure_button = QPushButton("登记措施")
        self.measure_box = QGroupBox("保全措施（依所选裁定）")
        grid = QGridLayout(self.measure_box)
        grid.addWidget(self.kind, 0, 0)
        grid.addWidget(self.measure, 0, 1)
        grid.addWidget(self.asset, 0, 2, 1, 3)
        grid.addWidget(self.holder, 1, 0, 1, 3)
        grid.addWidget(self.measure_amount, 1, 3)
        grid.addWidget(QLabel("保全日期"), 2, 0)
        grid.addWidget(self.taken_on, 2, 1)
        grid.addWidget(QLabel("届满日"), 2, 2)
        grid.addWidget(self.until, 2, 3)
        grid.addWidget(self.measure_button, 2, 4)

        self.rulings = read_only_table(RULINGS)
        self.measures = read_only_table(MEASURE_HEADERS)
        lines = self.fontMetrics().lineSpacing()
        for table in (self.rulings, self.measures):
            table.setMinimumHeight(lines * 6)
        self.measures.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.print_ruling_button = QPushButton("打印裁定书")
        self.print_notice_button = QPushButton("打印协助执行通知书")
        self.print_release_button = QPushButton("打印解除保全裁定书")
        self.release_reason = QComboBox()
        for r in ReleaseReason:
            self.release_reason.addItem(r.label, r.value)
        self.released_on = DateLineEdit()
        self.release_note = QLineEdit()
        self.release_note.setPlaceholderText("解除说明")
        self.release_button = QPushButton("解除所选措施")
        self.release_all_button = QPushButton("全部解除")
        actions = QHBoxLayout()
        prints = QVBoxLayout()
        prints.addWidget(self.print_ruling_button)
        prints.addWidget(self.print_notice_button)
        prints.addWidget(self.print_release_button)
        actions.addLayout(prints)
        self.release_box = QGroupBox("解除保全")
        grid = QGridLayout(self.release_box)
        grid.addWidget(QLabel("理由"), 0, 0)
        grid.addWidget(self.release_reason, 0, 1)
        grid.addWidget(QLabel("日期"), 0, 2)
        grid.addWidget(self.released_on, 0, 3)
        grid.addWidget(self.release_note, 1, 0, 1, 2)
        grid.addWidget(self.release_button, 1, 2)
        grid.addWidget(self.release_all_button, 1, 3)
        actions.addWidget(self.release_box)

        # On a short screen (768 high at 150 %) the forms and lists scroll up and down.
        body = QWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(VerticalScroller(body))
        layout = QVBoxLayout(body)
        # What is in force first (the rulings, the selected one's measures), then the forms.
        layout.addWidget(self.banner)
        layout.addWidget(self.rulings, 1)
        layout.addWidget(self.measures, 1)
        layout.addLayout(actions)
        layout.addWidget(self.measure_box)
        layout.addWidget(apply_box)
        layout.addWidget(self.rule_box)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.rulings.itemSelectionChanged.connect(self._ruling_selected)
        self.measures.itemSelectionChanged.connect(self._enable)
        self.apply_button.clicked.connect(self.apply)
        self.rule_button.clicked.connect(self.rule)
        self.measure_button.clicked.connect(self.add_measure)
        self.print_ruling_button.clicked.connect(lambda: self.print_document(measure=False))
        self.print_notice_button.clicked.connect(lambda: self.print_document(measure=True))
        self.print_release_button.clicked.connect(self.print_release)
        self.release_button.clicked.connect(lambda: self.release(everything=False))
        self.release_all_button.clicked.connect(lambda: self.release(everything=True))
        self._kind_changed()

    # --- showing ------------------------------------------------------------------------------

    def show_case(
        self, case_id: str, status: CaseStatus, applicants: list[tuple[str, str]]
    ) -> None:
        """``applicants``: the case's applicants as (id, name)."""
        self.case_id, self.status = case_id, status
        self.applicant.clear()
        for pid, name in applicants:
            self.applicant.addItem(name, pid)
        self.refresh()

    def refresh(self, select_id: str | None = None) -> None:
        if self.case_id is None:
            return
        current = self.selected()
        keep = select_id or (current.id if current else None)
        self.rows = preservation.case_preservations(self.ctx.db, self.case_id)
        self.rulings.setRowCount(len(self.rows))
        for r, a in enumerate(self.rows):
            cells = (
                a.ruling_no or "（待裁定）",
                a.applicant,
                a.applied_on.isoformat(),
                format_amount(a.amount),
                a.ruled_on.isoformat() if a.ruled_on else "",
                _money(a.ruled_amount),
                a.judge,
                a.state,
            )
            for c, text in enumerate(cells):
                self.rulings.setItem(r, c, QTableWidgetItem(text))
        self.rulings.resizeColumnsToContents()
        today = self.ctx.clock.today()
        for edit in (self.applied_on, self.ruled_on, self.taken_on, self.released_on):
            edit.set_date(today)
        ids = [a.id for a in self.rows]
        self.rulings.selectRow(ids.index(keep) if keep in ids else len(ids) - 1)
        self._ruling_selected()

    def selected(self) -> ApplicationRow | None:
        index = self.rulings.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _ruling_selected(self) -> None:
        a = self.selected()
        measures = a.measures if a else ()
        self.measures.setRowCount(len(measures))
        for r, m in enumerate(measures):
            cells = (
                str(m.seq),
                m.kind.label,
                m.measure.label if m.measure else "",
                m.description,
                m.holder,
                m.taken_on.isoformat(),
                m.expires_on.isoformat() if m.expires_on else "",
                _money(m.amount),
                m.state,
            )
            for c, text in enumerate(cells):
                self.measures.setItem(r, c, QTableWidgetItem(text))
        self.measures.resizeColumnsToContents()
        if measures:
            self.measures.selectRow(0)
        self._enable()

    def _kind_changed(self) -> None:
        kind = cast(PreservationKind, PreservationKind.from_label(str(self.kind.currentData())))
        self.measure.clear()
        for m in MEASURES[kind]:
            self.measure.addItem(m.label, m.value)

    def _enable(self) -> None:
        open_case = self.status in OPEN_STATUSES
        a = self.selected()
        pending = any(not r.ruled for r in self.rows)
        lead = self.ctx.actor.role in (Role.ADMIN, Role.LEAD)
        self.apply_button.setEnabled(open_case and self.applicant.count() > 0)
        self.rule_box.setEnabled(open_case and pending and lead)
        self.rule_box.setToolTip("" if lead else "保全裁定由团队负责人登记")
        ruled = a is not None and a.ruled
        self.measure_box.setEnabled(open_case and ruled)
        self.print_ruling_button.setEnabled(open_case and ruled)
        m = self.selected_measure()
        live = m is not None and m.released_on is None
        self.print_notice_button.setEnabled(open_case and live)
        released = m is not None and m.released_on is not None
        self.print_release_button.setEnabled(
            released and lead and self.status is not CaseStatus.ARCHIVED
        )
        self.print_release_button.setToolTip(
            "所选措施已登记解除：出具解除保全裁定书及所解除各项措施的协助执行通知书"
            if lead
            else "解除保全裁定书由团队负责人出具"
        )
        self.release_button.setEnabled(live and self.status is not CaseStatus.ARCHIVED)
        self.release_all_button.setEnabled(
            a is not None and bool(a.live_measures) and self.status is not CaseStatus.ARCHIVED
        )

    def selected_measure(self) -> MeasureRow | None:
        a = self.selected()
        index = self.measures.currentRow()
        if a is None or not 0 <= index < len(a.measures):
            return None
        return a.measures[index]

    # --- actions --------------------------------------------------------------------------------

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def _done(self, message: str, select_id: str | None = None) -> None:
        self.refresh(select_id)
        self.banner.show_message(message, "success")
        if self.case_id:
            self.changed.emit(self.case_id)

    def apply(self) -> None:
        case_id = self.case_id
        if case_id is None:
            return
        try:
            on = cast(date, _day(self.applied_on, "申请日期"))
            amount = _amount(self.apply_amount, "申请保全的数额")
        except UserError as exc:
            self._refused(exc)
            return
        ctx, applicant = self.ctx, str(self.applicant.currentData())
        clues, reason = self.clues.text(), self.reason.text()

        def done(row: ApplicationRow) -> None:
            for edit in (self.apply_amount, self.clues, self.reason):
                edit.clear()
            self._done("已登记保全申请；请团队负责人审查后登记裁定。", row.id)

        Operation(
            self,
            lambda _p: preservation.apply_preservation(
                ctx.db, ctx.actor, case_id, applicant_id=applicant, applied_on=on,
                amount=amount or Decimal("0.00"), clues=clues, reason=reason,
                today=ctx.clock.today(),
            ),
        ).success(done).refused(self._refused).disabling(self.apply_button).run_in_background()  # fmt: skip

    def rule(self) -> None:
        case_id = self.case_id
        if case_id is None:
            return
        try:
            on = cast(date, _day(self.ruled_on, "裁定日期"))
            amount = _amount(self.rule_amount, "裁定保全的数额")
        except UserError as exc:
            self._refused(exc)
            return
        ctx, judge = self.ctx, self.judge.text()

        def done(row: ApplicationRow) -> None:
            self.rule_amount.clear()
            self._done(f"已登记裁定{row.ruling_no}；请登记保全措施并打印裁定书。", row.id)

        Operation(
            self,
            lambda _p: preservation.rule_preservation(
                ctx.db, ctx.actor, case_id, ruled_on=on, amount=amount, judge=judge,
                today=ctx.clock.today(),
            ),
        ).success(done).refused(self._refused).disabling(self.rule_button).run_in_background()  # fmt: skip

    def add_measure(self) -> None:
        a = self.selected()
        if a is None:
            return
        try:
            on = cast(date, _day(self.taken_on, "保全日期"))
            until = _day(self.until, "届满日", required=False)
            amount = _amount(self.measure_amount, "保全数额")
        except UserError as exc:
            self._refused(exc)
            return
        ctx = self.ctx
        kind = cast(PreservationKind, PreservationKind.from_label(str(self.kind.currentData())))
        measure = cast(
            PreservationMeasure, PreservationMeasure.from_label(str(self.measure.currentData()))
        )
        description, holder = self.asset.text(), self.holder.text()

        def done(row: ApplicationRow) -> None:
            for edit in (self.asset, self.holder, self.measure_amount, self.until):
                edit.clear()
            self._done("已登记保全措施；可打印协助执行通知书送协助执行单位。", row.id)

        Operation(
            self,
            lambda _p: preservation.add_measure(
                ctx.db, ctx.actor, a.id, kind=kind, measure=measure, description=description,
                holder=holder, taken_on=on, expires_on=until, amount=amount,
                today=ctx.clock.today(),
            ),
        ).success(done).refused(self._refused).disabling(self.measure_button).run_in_background()  # fmt: skip

    def release(self, *, everything: bool) -> None:
        a = self.selected()
        m = None if everything else self.selected_measure()
        if a is None or (m is None and not everything):
            return
        try:
            on = cast(date, _day(self.released_on, "解除日期"))
        except UserError as exc:
            self._refused(exc)
            return
        ctx, note = self.ctx, self.release_note.text()
        reason = cast(
            ReleaseReason, ReleaseReason.from_label(str(self.release_reason.currentData()))
        )
        ids = (m.id,) if m is not None else ()

        def done(row: ApplicationRow) -> None:
            self.release_note.clear()
            self._done(f"已登记解除保全（{reason.label}）。", row.id)

        Operation(
            self,
            lambda _p: preservation.release_measures(
                ctx.db, ctx.actor, a.id, measure_ids=ids, released_on=on, reason=reason,
                note=note, today=ctx.clock.today(),
            ),
        ).success(done).refused(self._refused).disabling(
            self.release_button, self.release_all_button
        ).run_in_background()  # fmt: skip

    def print_document(self, *, measure: bool) -> None:
        a, case_id = self.selected(), self.case_id
        m = self.selected_measure() if measure else None
        if a is None or case_id is None or (measure and m is None):
            return
        kind = DocumentKind.ASSISTANCE_NOTICE if measure else DocumentKind.PRESERVATION_RULING
        record = m.id if m is not None else a.id
        ctx = self.ctx

        def work(_p: object) -> tuple[str, Path]:
            issued = notices.issue_notice(
                ctx.db, ctx.actor, case_id, kind, today=ctx.clock.today(), record_id=record
            )
            return issued.doc_no, batch_print.document_printout(ctx.db, issued.id)

        def done(result: tuple[str, Path]) -> None:
            self._done(f"已出具{kind.label}{result[0]}，已编号存档（“文书”页可再次打印）。", a.id)
            self.opener(result[1])

        Operation(self, work).success(done).refused(self._refused).disabling(
            self.print_ruling_button, self.print_notice_button
        ).run_in_background()

    def print_release(self) -> None:
        a, m = self.selected(), self.selected_measure()
        if a is None or m is None:
            return
        ctx = self.ctx

        def work(_p: object) -> tuple[list[str], Path]:
            issued = release_documents.issue_release(
                ctx.db, ctx.actor, m.id, today=ctx.clock.today()
            )
            return [d.doc_no for d in issued], batch_print.document_printout(ctx.db, issued[0].id)

        def done(result: tuple[list[str], Path]) -> None:
            ruling, *notes = result[0]
            self._done(
                f"已出具解除保全裁定书{ruling}及协助执行通知书{len(notes)}份，已编号存档"
                "（“文书”页可打印通知书）。",
                a.id,
            )
            self.opener(result[1])

        Operation(self, work).success(done).refused(self._refused).disabling(
            self.print_release_button
        ).run_in_background()

    def _show_preview(self, path: Path) -> bool:
        if self.preview is not None:
            self.preview.close()
        self.preview = show_pdf(path, self)
        return True
