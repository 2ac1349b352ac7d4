"""Dialogs of the 履行 tab: payment, settlement, closing, reopening and the transfer to enforcement."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.calendar import add_months
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PaymentMethod
from zhiqian_desktop.domain.money import format_amount, parse_amount
from zhiqian_desktop.domain.workflow import CLOSING_STATUSES, CaseStatus
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import (
    HINT_COLOUR,
    Banner,
    DateLineEdit,
    FieldError,
    parse_date_text,
    with_error,
)
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.progress_dialog import (
    close_progress,
    follow_task,
    shows_progress,
    work_progress,
)
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.supervision.notices import IssuedDocument, issue_notice


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {HINT_COLOUR};")
    return label


class OutcomeDialog(QDialog):
    """A small form with a banner at the top and 保存/取消 at the bottom."""

    saved = Signal(str)

    def __init__(
        self, ctx: AppContext, case_id: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.today = ctx.clock.today()
        self.setWindowTitle(title)
        self.banner = Banner()
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setVerticalSpacing(8)
        self.errors: dict[str, FieldError] = {}
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.banner)
        self.layout_.addLayout(self.form)
        self.extra = QVBoxLayout()
        self.layout_.addLayout(self.extra)
        self.layout_.addWidget(self.buttons)
        case = get_case(ctx.db, case_id)
        self.case_no = case.case_no
        self.case_status = case.status
        self.amount_due = case.amount_due
        self.amount_paid = case.amount_paid
        self.obligation_act = (case.obligation_act or "").strip()
        self.obligors = case.obligor_names
        self.close_reason = case.close_reason

    @property
    def outstanding(self) -> Decimal:
        return self.amount_due - self.amount_paid

    def row(self, label: str, field: QWidget, key: str) -> None:
        box, error = with_error(field)
        self.errors[key] = error
        self.form.addRow(label, box)

    def clear_errors(self) -> None:
        self.banner.clear_message()
        for e in self.errors.values():
            e.show_message(None)

    def show_error(self, exc: UserError, prefix: str = "未保存：") -> None:
        self.banner.show_message(prefix + exc.message, "error")
        if exc.field and exc.field in self.errors:
            self.errors[exc.field].show_message(exc.message)

    def date_of(self, edit: DateLineEdit, key: str, what: str) -> date:
        try:
            value = parse_date_text(edit.text())
        except UserError as exc:
            raise UserError(f"{what}：{exc.message}", field=key) from None
        if value is None:
            raise UserError(f"请填写{what}", field=key)
        return value

    def save(self) -> None:
        """Read the form, then write off the GUI thread; a refusal is shown and the input kept."""
        self.clear_errors()
        try:
            work = self.prepare()
        except UserError as exc:
            self.show_error(exc)
            return
        self.run(work)

    def prepare(self) -> Callable[[], object]:
        """The form read into the use case to run (bad input raises UserError here)."""
        raise NotImplementedError

    def run(self, work: Callable[[], object]) -> None:
        Operation(self, lambda _progress: work()).success(self.written).refused(
            self.refused
        ).disabling(self.save_button).run_in_background()

    def refused(self, exc: UserError) -> None:
        self.show_error(exc)

    def written(self, _result: object) -> None:
        self.finish()

    def finish(self) -> None:
        self.saved.emit(self.case_id)
        self.after_saved()
        self.accept()

    def after_saved(self) -> None:
        """Signals that must reach the page after it has refreshed itself."""


class PaymentDialog(OutcomeDialog):
    """登记履行: date, amount, method, payer, evidence; an overpayment is confirmed explicitly."""

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, "登记履行款", parent)
        self.paid_on = DateLineEdit()
        self.paid_on.set_date(self.today)
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("如 5000 或 5,000.00")
        self.method = QComboBox()
        for m in PaymentMethod:
            self.method.addItem(m.label, m)
        self.payer = QLineEdit(self.obligors.split("、")[0] if self.obligors else "")
        self.note = QLineEdit()
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText("付款凭证、收据的扫描件或照片（可不选）")
        pick = QPushButton("选择…")
        pick.clicked.connect(self._pick_evidence)
        evidence_row = QWidget()
        er = QHBoxLayout(evidence_row)
        er.setContentsMargins(0, 0, 0, 0)
        er.addWidget(self.evidence, 1)
        er.addWidget(pick)
        self.form.addRow(
            "", _hint(f"{self.case_no}　尚欠 {format_amount(max(self.outstanding, Decimal(0)))}")
        )
        self.row("付款日期", self.paid_on, "paid_on")
        self.row("金额（元）", self.amount, "amount")
        self.row("付款方式", self.method, "method")
        self.row("付款人", self.payer, "payer")
        self.row("备注", self.note, "note")
        self.row("凭证", evidence_row, "evidence")
        self.confirm_question: Callable[[str], bool] = self._ask_overpayment
        self.resize(520, self.sizeHint().height())

    def _pick_evidence(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择付款凭证")
        if name:
            self.evidence.setText(name)

    def _ask_overpayment(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "确认超额履行", message, parent=self)
        yes = box.addButton("确认超额，保存", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("返回修改", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def prepare(self) -> Callable[[], object]:
        paid_on = self.date_of(self.paid_on, "paid_on", "付款日期")
        amount = parse_amount(self.amount.text())
        evidence = Path(self.evidence.text().strip()) if self.evidence.text().strip() else None
        args: dict[str, Any] = {
            "paid_on": paid_on,
            "amount": amount,
            "method": list(PaymentMethod)[self.method.currentIndex()],
            "payer": self.payer.text(),
            "note": self.note.text(),
            "evidence": evidence,
            "today": self.today,
        }
        self._args = args
        ctx, case_id = self.ctx, self.case_id
        return lambda: outcomes.record_payment(ctx.db, ctx.actor, case_id, **args)

    def refused(self, exc: UserError) -> None:
        if isinstance(exc, outcomes.OverpaymentNeedsConfirmation) and self.confirm_question(
            exc.message
        ):
            ctx, case_id, args = self.ctx, self.case_id, self._args
            self.run(
                lambda: outcomes.record_payment(
                    ctx.db, ctx.actor, case_id, confirm_overpayment=True, **args
                )
            )
            return
        self.show_error(exc)


class SettlementDialog(OutcomeDialog):
    """和解: terms, default clause, guarantee, and the installments (generated or entered)."""

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, "登记和解协议", parent)
        self.signed_on = DateLineEdit()
        self.signed_on.set_date(self.today)
        self.total = QLineEdit(f"{max(self.outstanding, Decimal(0)):,.2f}")
        self.terms = QPlainTextEdit()
        self.terms.setPlaceholderText("如：被申请人分三期向申请人支付剩余款项，申请人放弃利息")
        self.terms.setFixedHeight(64)
        self.default_clause = QPlainTextEdit()
        self.default_clause.setPlaceholderText(
            "如：任一期逾期未付，剩余款项全部到期，并支付违约金…"
        )
        self.default_clause.setFixedHeight(52)
        self.guarantee = QLineEdit()
        self.guarantee.setPlaceholderText("如：案外人赵某提供连带责任保证（可不填）")
        self.row("签订日期", self.signed_on, "signed_on")
        self.row("和解金额（元）", self.total, "total")
        self.row("主要条款", self.terms, "terms")
        self.row("违约条款", self.default_clause, "default_clause")
        self.row("担保", self.guarantee, "guarantee")

        self.equal = QRadioButton("平均分期")
        self.entered = QRadioButton("逐期填写")
        self.equal.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.equal)
        group.addButton(self.entered)
        self.count = QSpinBox()
        self.count.setRange(1, outcomes.MAX_INSTALLMENTS)
        self.count.setValue(3)
        self.count.setSuffix(" 期")
        self.first_due = DateLineEdit()
        self.first_due.set_date(add_months(self.today, 1))
        self.interval = QSpinBox()
        self.interval.setRange(1, 12)
        self.interval.setPrefix("每 ")
        self.interval.setSuffix(" 个月")
        self.generate = QPushButton("生成分期")
        self.generate.clicked.connect(self.fill_equal)
        plan = QHBoxLayout()
        plan.addWidget(self.equal)
        plan.addWidget(self.count)
        plan.addWidget(QLabel("首期"))
        plan.addWidget(self.first_due)
        plan.addWidget(self.interval)
        plan.addWidget(self.generate)
        plan.addSpacing(16)
        plan.addWidget(self.entered)
        plan.addStretch(1)
        self.extra.addLayout(plan)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["期次", "履行日期", "金额（元）"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_row = QPushButton("增加一期")
        self.remove_row = QPushButton("删除所选")
        self.add_row.clicked.connect(lambda: self.append_row(None, None))
        self.remove_row.clicked.connect(self._remove_selected)
        self.sum_label = _hint("")
        self.table.itemChanged.connect(self._update_sum)
        rows = QHBoxLayout()
        rows.addWidget(self.add_row)
        rows.addWidget(self.remove_row)
        rows.addStretch(1)
        rows.addWidget(self.sum_label)
        self.extra.addWidget(self.table, 1)
        self.extra.addLayout(rows)
        self.schedule_error = FieldError()
        self.extra.addWidget(self.schedule_error)
        self.errors["installments"] = self.schedule_error
        self.equal.toggled.connect(self._mode_changed)
        self._mode_changed()
        self.fill_equal()
        self.resize(760, 680)

    def _mode_changed(self) -> None:
        equal = self.equal.isChecked()
        for w in (self.count, self.first_due, self.interval, self.generate):
            w.setEnabled(equal)
        self.add_row.setEnabled(not equal)
        self.remove_row.setEnabled(not equal)
        trigger = (
            QAbstractItemView.EditTrigger.NoEditTriggers
            if equal
            else QAbstractItemView.EditTrigger.AllEditTriggers
        )
        self.table.setEditTriggers(trigger)

    def append_row(self, due: date | None, amount: Decimal | None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        seq = QTableWidgetItem(f"第{r + 1}期")
        seq.setFlags(seq.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(r, 0, seq)
        self.table.setItem(r, 1, QTableWidgetItem(due.isoformat() if due else ""))
        self.table.setItem(r, 2, QTableWidgetItem(f"{amount:,.2f}" if amount is not None else ""))

    def _remove_selected(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedItems()}, reverse=True):
            self.table.removeRow(r)
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None:
                item.setText(f"第{r + 1}期")
        self._update_sum()

    def fill_equal(self) -> None:
        self.schedule_error.show_message(None)
        try:
            total = parse_amount(self.total.text())
            first = self.date_of(self.first_due, "first_due", "首期履行日期")
            plan = outcomes.split_equally(total, self.count.value(), first, self.interval.value())
        except UserError as exc:
            self.schedule_error.show_message(exc.message)
            return
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for due, amount in plan:
            self.append_row(due, amount)
        self.table.blockSignals(False)
        self._update_sum()

    def schedule(self) -> list[tuple[date, Decimal]]:
        out: list[tuple[date, Decimal]] = []
        for r in range(self.table.rowCount()):
            due_item, amount_item = self.table.item(r, 1), self.table.item(r, 2)
            due_text = due_item.text() if due_item else ""
            amount_text = amount_item.text() if amount_item else ""
            try:
                due = parse_date_text(due_text)
                amount = parse_amount(amount_text)
            except UserError as exc:
                raise UserError(f"第{r + 1}期：{exc.message}", field="installments") from None
            if due is None:
                raise UserError(f"第{r + 1}期：请填写履行日期", field="installments")
            out.append((due, amount))
        return out

    def _update_sum(self) -> None:
        try:
            total = sum((a for _, a in self.schedule()), Decimal("0.00"))
        except UserError:
            self.sum_label.setText("")
            return
        self.sum_label.setText(f"合计 {format_amount(total)}")

    def prepare(self) -> Callable[[], object]:
        signed_on = self.date_of(self.signed_on, "signed_on", "签订日期")
        try:
            total = parse_amount(self.total.text())
        except UserError as exc:
            raise UserError(exc.message, field="total") from None
        schedule = self.schedule()
        ctx, case_id, today = self.ctx, self.case_id, self.today
        terms, clause = self.terms.toPlainText(), self.default_clause.toPlainText()
        guarantee = self.guarantee.text()
        return lambda: outcomes.record_settlement(
            ctx.db,
            ctx.actor,
            case_id,
            signed_on=signed_on,
            terms=terms,
            default_clause=clause,
            guarantee=guarantee,
            installments=schedule,
            total=total,
            today=today,
        )


class CloseDialog(OutcomeDialog):
    """结案: outcome, date and reason; full performance offers the 自动履行证明书 at once."""

    certificate_issued = Signal(str)

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, "结案", parent)
        self.outcome = QComboBox()
        for o in CLOSING_STATUSES:
            self.outcome.addItem(o.label, o)
        if self.case_status is CaseStatus.SETTLED:
            self.outcome.setCurrentIndex(1)
        self.closed_on = DateLineEdit()
        self.closed_on.set_date(self.today)
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(70)
        self.reason.setPlaceholderText("如：被申请人已于督促期间全部履行；申请人书面撤回督促申请…")
        self.act_confirmed = QCheckBox(f"确认已履行：{self.obligation_act[:40]}")
        self.act_performed_on = DateLineEdit()
        self.act_performed_on.setPlaceholderText("该义务的履行日期（默认为结案日期）")
        self.form.addRow(
            "",
            _hint(
                f"{self.case_no}　应履行 {format_amount(self.amount_due)}，"
                f"已履行 {format_amount(self.amount_paid)}，"
                f"尚欠 {format_amount(max(self.outstanding, Decimal(0)))}"
            ),
        )
        self.row("结案方式", self.outcome, "outcome")
        self.row("结案日期", self.closed_on, "closed_on")
        self.row("结案理由", self.reason, "reason")
        if self.obligation_act:
            self.row("非金钱义务", self.act_confirmed, "act_confirmed")
            self.row("履行日期", self.act_performed_on, "act_performed_on")
        self.offer_certificate: Callable[[], bool] = self._ask_certificate
        self.certificate_path: Path | None = None
        self.certificate_doc_no: str | None = None
        self.resize(560, self.sizeHint().height())

    def _ask_certificate(self) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "出具自动履行证明书",
            "案件已以“自动履行完毕”结案。是否现在出具自动履行证明书？",
            parent=self,
        )
        yes = box.addButton("立即出具", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("以后再说", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def prepare(self) -> Callable[[], object]:
        # (currentData() would hand the StrEnum back as a plain string)
        outcome = CLOSING_STATUSES[self.outcome.currentIndex()]
        closed_on = self.date_of(self.closed_on, "closed_on", "结案日期")
        act_day = self.act_performed_on_value()
        self._outcome = outcome
        ctx, case_id, today = self.ctx, self.case_id, self.today
        reason, act_confirmed = self.reason.toPlainText(), self.act_confirmed.isChecked()
        return lambda: outcomes.close_case(
            ctx.db,
            ctx.actor,
            case_id,
            outcome,
            closed_on=closed_on,
            reason=reason,
            act_confirmed=act_confirmed,
            act_performed_on=act_day,
            today=today,
        )

    def act_performed_on_value(self) -> date | None:
        try:
            return self.act_performed_on.date_value()
        except UserError as exc:
            raise UserError(exc.message, field="act_performed_on") from None

    def written(self, _result: object) -> None:
        if self._outcome is CaseStatus.PERFORMED and self.offer_certificate():
            self.issue_certificate()
        else:
            self.finish()

    def issue_certificate(self) -> None:
        """The 自动履行证明书 of the case just closed; the dialog finishes either way."""
        ctx, case_id, today = self.ctx, self.case_id, self.today
        Operation(
            self,
            lambda _progress: issue_notice(
                ctx.db, ctx.actor, case_id, DocumentKind.PERFORMANCE_CERTIFICATE, today=today
            ),
        ).success(self._certificate_issued).refused(self._certificate_refused).run_in_background()

    def _certificate_issued(self, issued: IssuedDocument) -> None:
        self.certificate_path = issued.pdf_path
        self.certificate_doc_no = issued.doc_no
        self.finish()

    def _certificate_refused(self, exc: UserError) -> None:
        QMessageBox.warning(self, "未能出具证明书", f"案件已结案，但证明书未出具：{exc.message}")
        self.finish()

    def after_saved(self) -> None:
        if self.certificate_doc_no:
            self.certificate_issued.emit(self.certificate_doc_no)


class ReopenDialog(OutcomeDialog):
    """重新开启: a closed case goes back to 督促中 with the reason in the audit trail."""

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, "重新开启案件", parent)
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(80)
        self.reason.setPlaceholderText("如：申请人反映被申请人付款未到账，需继续督促")
        self.form.addRow(
            "",
            _hint(
                f"{self.case_no} 目前为“{self.case_status.label}”；重新开启后为“督促中”，"
                "开启理由记入操作日志。"
            ),
        )
        self.row("开启理由", self.reason, "reason")
        self.save_button.setText("重新开启")
        self.resize(520, self.sizeHint().height())

    def prepare(self) -> Callable[[], object]:
        reason = self.reason.toPlainText()
        if not reason.strip():
            raise UserError("重新开启案件必须填写理由", field="reason")
        ctx, case_id = self.ctx, self.case_id
        return lambda: outcomes.reopen_case(ctx.db, ctx.actor, case_id, reason)


class TransferDialog(OutcomeDialog):
    """移送执行: asks the reason and where to write the package, then builds it off the GUI thread."""

    transferred = Signal(str)

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, "移送执行", parent)
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(80)
        self.reason.setPlaceholderText(
            "如：经电话督促、约谈，被申请人仍未履行，和解协议第一期逾期未付"
        )
        if self.case_status is CaseStatus.FAILED and self.close_reason:
            self.reason.setPlainText(self.close_reason)
        self.as_zip = QRadioButton("压缩包（.zip）")
        self.as_folder = QRadioButton("文件夹")
        self.as_zip.setChecked(True)
        kinds = QWidget()
        kl = QHBoxLayout(kinds)
        kl.setContentsMargins(0, 0, 0, 0)
        kl.addWidget(self.as_zip)
        kl.addWidget(self.as_folder)
        kl.addStretch(1)
        safe_no = "".join("_" if c in '\\/:*?"<>|' else c for c in self.case_no)
        self.default_name = f"{safe_no}-移送执行材料"
        self.dest = QLineEdit(str(Path.home() / f"{self.default_name}.zip"))
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        dest_row = QWidget()
        dl = QHBoxLayout(dest_row)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.dest, 1)
        dl.addWidget(browse)
        self.as_zip.toggled.connect(self._kind_changed)
        self.form.addRow(
            "",
            _hint(
                f"{self.case_no}　尚欠 {format_amount(max(self.outstanding, Decimal(0)))}。"
                "确认后案件标记为“督促不成—已移送执行”，并生成移送执行函、案件摘要、督促过程记录、"
                "全部文书及送达回证、履行及和解、保全及财产线索、附件、卷内目录和 manifest.json。"
            ),
        )
        self.row("督促不成理由", self.reason, "reason")
        self.row("保存为", kinds, "format")
        self.row("保存位置", dest_row, "dest")
        self.save_button.setText("移送执行")
        self.progress_dialog: QProgressDialog | None = None
        self.confirmed = ""
        self.task: Task | None = None
        self.result_path: Path | None = None
        self.resize(640, self.sizeHint().height())

    def _kind_changed(self) -> None:
        text = self.dest.text().strip()
        path = Path(text) if text else Path.home() / self.default_name
        if self.as_zip.isChecked() and path.suffix.lower() != ".zip":
            self.dest.setText(str(path.with_name(path.name + ".zip")))
        elif not self.as_zip.isChecked() and path.suffix.lower() == ".zip":
            self.dest.setText(str(path.with_suffix("")))

    def _browse(self) -> None:
        if self.as_zip.isChecked():
            name, _ = QFileDialog.getSaveFileName(
                self, "保存移送材料", self.dest.text(), "压缩包 (*.zip)"
            )
        else:
            parent = QFileDialog.getExistingDirectory(self, "选择存放移送材料的文件夹")
            name = str(Path(parent) / self.default_name) if parent else ""
        if name:
            self.dest.setText(name)
            self.confirmed = name  # the save dialog asked before a file is replaced

    def save(self) -> None:
        """Check the input, then build the package in the background with a progress dialog."""
        self.clear_errors()
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.show_error(UserError("请填写督促不成的理由", field="reason"), "")
            return
        text = self.dest.text().strip()
        if not text:
            self.show_error(UserError("请选择保存位置", field="dest"), "")
            return
        dest = Path(text)
        as_zip = self.as_zip.isChecked()
        replace = as_zip and text == self.confirmed
        if as_zip and dest.suffix.lower() != ".zip":
            dest = dest.with_name(dest.name + ".zip")
            replace = False
        self.start(reason, dest, as_zip, replace=replace)

    def start(self, reason: str, dest: Path, as_zip: bool, *, replace: bool = False) -> None:
        db, actor, case_id, today = self.ctx.db, self.ctx.actor, self.case_id, self.today
        dialog = work_progress(self, "正在生成移送材料…", "移送执行")
        self.progress_dialog = dialog
        self.save_button.setEnabled(False)

        def work(progress: Progress) -> Path:
            return build_transfer_package(
                db,
                actor,
                case_id,
                reason,
                dest,
                as_zip=as_zip,
                progress=progress.report_and_check,
                today=today,
                force=replace,
            )

        self.task = run_in_background(
            work,
            on_success=self._done,
            on_failure=self._failed,
            on_progress=shows_progress(dialog),
            on_cancelled=self._cancelled,
        )
        follow_task(dialog, self.task)

    def _finish_progress(self) -> None:
        close_progress(self.progress_dialog)
        self.progress_dialog = None
        self.save_button.setEnabled(True)

    def _done(self, path: Path) -> None:
        self._finish_progress()
        self.result_path = path
        self.saved.emit(self.case_id)
        self.transferred.emit(str(path))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._finish_progress()
        if isinstance(exc, UserError):
            self.show_error(exc, "未移送：")
            return
        if isinstance(exc, OSError):
            where = f"“{exc.filename}”" if exc.filename else ""
            self.banner.show_message(
                f"未移送：写入{where}失败（{exc.strerror or exc}）；请检查保存位置、磁盘空间和权限",
                "error",
            )
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)  # a bug: the crash dialog

    def _cancelled(self) -> None:
        self._finish_progress()
        self.banner.show_message("已取消：未生成移送材料，案件状态未改变", "warning")
