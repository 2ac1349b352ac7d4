"""The case detail page: summary, parties, records and the audit history of one case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import PartyRole
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.workflow import CaseAction, CaseStatus, available_actions
from zhiqian_desktop.gui.case_form import CaseFormDialog
from zhiqian_desktop.gui.contacts_tab import ContactsTab
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.documents_tab import DocumentsTab
from zhiqian_desktop.gui.file_choice import ask_save_path, file_name
from zhiqian_desktop.gui.form_fields import HINT_COLOUR, Banner
from zhiqian_desktop.gui.mediation_tab import MediationTab
from zhiqian_desktop.gui.messages_tab import MessagesTab
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.outcome_dialogs import (
    CloseDialog,
    OutcomeDialog,
    PaymentDialog,
    ReopenDialog,
    SettlementDialog,
    TransferDialog,
)
from zhiqian_desktop.gui.preservation_tab import PreservationTab
from zhiqian_desktop.gui.table_state import TableMemory, fit_columns, show_whole_text
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.supervision.case_page import case_page
from zhiqian_desktop.services.supervision.case_view import (
    CaseView,
    HistoryEntry,
    RecordTable,
)

TAB_TITLES = (
    "概况",
    "当事人",
    "督促记录",
    "文书",
    "履行",
    "委托调解",
    "执行前保全",
    "短信",
    "附件",
    "操作日志",
)

STATUS_COLOURS = {
    CaseStatus.REGISTERED: "#1d4f7a",
    CaseStatus.SUPERVISING: "#1d4f7a",
    CaseStatus.SETTLED: "#7a5200",
    CaseStatus.FAILED: "#8a1f11",
    CaseStatus.TRANSFERRED: "#5b2a86",
}


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _or_dash(text: str) -> str:
    return text or "—"


class RecordView(QStackedWidget):
    """A read-only table of records, or a sentence saying there are none yet."""

    def __init__(self, empty_text: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.memory: TableMemory | None = None
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        show_whole_text(self.table)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.empty = QLabel(empty_text)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {HINT_COLOUR}; font-size: 11pt; padding: 40px;")
        self.addWidget(self.table)
        self.addWidget(self.empty)

    def remember_for(self, user: str) -> None:
        """Keep this table's column widths for ``user``."""
        self.memory = TableMemory(self.table, user, f"case-{self.name}")

    def show_records(self, records: RecordTable) -> None:
        self.table.clear()
        self.table.setColumnCount(len(records.headers))
        self.table.setHorizontalHeaderLabels(list(records.headers))
        self.table.setRowCount(len(records.rows))
        for r, row in enumerate(records.rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        wide = records.wide % len(records.headers)
        for c in range(self.table.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        if self.memory is not None:
            self.memory.arrange(max_width=280)
        else:
            fit_columns(self.table, max_width=280)
        # The widest text (an address, 说明, an installment's terms) takes the room left and
        # wraps; the row grows to show all of it.
        header.setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        for r in range(self.table.rowCount()):
            self.table.setRowHeight(r, max(self.table.rowHeight(r) + 6, 30))
        # Tall enough for its first rows whole (a settlement's terms over four lines): the page
        # scrolls rather than cut a row in half.
        shown = sum(self.table.rowHeight(r) for r in range(min(self.table.rowCount(), 3)))
        titles = header.sizeHint().height()
        self.table.setMinimumHeight(shown + titles + 2 * self.table.frameWidth() + 4)
        self.setCurrentWidget(self.table if records.rows else self.empty)


class SummaryTab(QScrollArea):
    """概况: the facts a clerk looks up on the phone, in two columns of labelled values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setSpacing(16)
        self.values: dict[str, QLabel] = {}
        left = QVBoxLayout()
        right = QVBoxLayout()
        left.addWidget(
            self._group(
                "案件",
                [
                    ("case_no", "案号"),
                    ("status", "状态"),
                    ("source", "案件来源"),
                    ("received", "收案日期"),
                    ("days", "督促天数"),
                    ("next_due", "下一到期日"),
                    ("handler", "承办人"),
                    ("tribunal", "法庭"),
                    ("livelihood", "涉民生"),
                ],
            )
        )
        left.addWidget(
            self._group(
                "原审",
                [
                    ("original_case_no", "原审案号"),
                    ("doc_type", "生效文书"),
                    ("cause", "案由"),
                    ("effective", "生效日期"),
                    ("deadline", "履行期限"),
                    ("final_installment", "最后一期履行期限"),
                    ("application", "申请执行书收到"),
                    ("department", "审判庭"),
                    ("judge", "原审法官"),
                ],
            )
        )
        right.addWidget(
            self._group(
                "履行义务",
                [
                    ("obligors", "被申请人"),
                    ("amount_due", "给付金额"),
                    ("amount_paid", "已履行"),
                    ("outstanding", "尚欠金额"),
                    ("act", "非金钱义务"),
                    ("act_performed", "行为义务履行日期"),
                ],
            )
        )
        self.preservations = RecordView("无保全财产记录", "preservations")
        self.preservations.setMinimumHeight(120)
        box = QGroupBox("财产保全")
        QVBoxLayout(box).addWidget(self.preservations)
        right.addWidget(box)
        right.addWidget(self._group("备注", [("notes", "备注")]))
        left.addStretch(1)
        right.addStretch(1)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.setWidget(body)

    def _group(self, title: str, rows: list[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(7)
        for key, label in rows:
            caption = QLabel(label)
            caption.setStyleSheet(f"color: {HINT_COLOUR};")
            # One caption width on the whole page, so the values line up from box to box.
            caption.setMinimumWidth(caption.fontMetrics().horizontalAdvance("下一到期日") + 4)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            form.addRow(caption, value)
        return box

    def show_case(self, v: CaseView) -> None:
        s = self.values
        s["case_no"].setText(v.case_no)
        s["status"].setText(v.status.label)
        s["source"].setText(v.source)
        s["received"].setText(_d(v.received_date))
        closed = f"（{v.closed_date.isoformat()} 结案）" if v.closed_date else ""
        s["days"].setText(f"{v.days_in_supervision} 天{closed}")
        s["next_due"].setText(_d(v.next_due_date))
        s["handler"].setText(_or_dash(v.handler))
        s["tribunal"].setText(_or_dash(v.tribunal))
        live = (
            f"是（{v.livelihood_kind}）"
            if v.livelihood and v.livelihood_kind
            else ("是" if v.livelihood else "否")
        )
        s["livelihood"].setText(live)
        s["original_case_no"].setText(v.original_case_no)
        s["doc_type"].setText(v.original_doc_type)
        s["cause"].setText(v.cause)
        s["effective"].setText(_d(v.effective_date))
        s["deadline"].setText(_d(v.performance_deadline))
        s["final_installment"].setText(_d(v.final_installment_date))
        s["application"].setText(_d(v.application_received_on))
        s["act_performed"].setText(_d(v.act_performed_on))
        s["department"].setText(_or_dash(v.department))
        s["judge"].setText(_or_dash(v.trial_judge))
        s["obligors"].setText(_or_dash(v.obligors))
        s["amount_due"].setText(v.amount_due_text)
        s["amount_paid"].setText(v.amount_paid_text)
        s["outstanding"].setText(v.outstanding_text)
        s["act"].setText(_or_dash(v.obligation_act))
        s["notes"].setText(_or_dash(v.notes))
        self.preservations.show_records(v.preservations)


class HistoryTab(QTreeWidget):
    """操作日志: each change as who / when / what, with every field's before → after under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(4)
        self.setHeaderLabels(["时间 / 项目", "操作人 / 原值", "操作 / 新值", ""])
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setRootIsDecorated(True)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.header().setStretchLastSection(True)
        self.setColumnHidden(3, True)
        self.entries: list[HistoryEntry] = []

    def show_history(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries
        self.clear()
        for e in reversed(entries):
            top = QTreeWidgetItem([e.at, e.who, e.what])
            font = top.font(0)
            font.setBold(True)
            for c in range(3):
                top.setFont(c, font)
            for ch in e.changes:
                child = QTreeWidgetItem([ch.field, ch.before, ch.after])
                child.setToolTip(1, ch.before)
                child.setToolTip(2, ch.after)
                child.setForeground(1, Qt.GlobalColor.darkGray)
                top.addChild(child)
            self.addTopLevelItem(top)
            top.setExpanded(True)
        self.setColumnWidth(0, 200)
        self.setColumnWidth(1, 300)

    def text_lines(self) -> list[str]:
        """Every row as text (what a reader of the page sees), for tests and copying."""
        out: list[str] = []
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top is None:
                continue
            out.append(" ".join(top.text(c) for c in range(3)))
            for j in range(top.childCount()):
                ch = top.child(j)
                if ch is None:
                    continue
                out.append(f"  {ch.text(0)}：{ch.text(1)} → {ch.text(2)}")
        return out


class CasePage(QWidget):
    """One case, opened from the docket or the due-list; 编辑 opens the case form."""

    edited = Signal(str)
    dossierWritten = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id: str | None = None
        self.view: CaseView | None = None
        self.edit_dialog: CaseFormDialog | None = None

        self.title = QLabel("未打开案件")
        self.title.setStyleSheet("font-size: 17pt; font-weight: bold; color: #1d3557;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_chip = QLabel()
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet(f"color: {HINT_COLOUR};")
        # A company's full name and the original case number wrap rather than widen the page.
        self.subtitle.setWordWrap(True)
        self.edit_button = QPushButton("编辑")
        self.edit_button.setToolTip("修改案件信息和当事人（Ctrl+E）")
        self.edit_button.setShortcut("Ctrl+E")
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setToolTip("重新读取本案（F5）")
        self.edit_button.clicked.connect(self.edit)
        self.refresh_button.clicked.connect(self.refresh)
        self.banner = Banner()

        head = QHBoxLayout()
        titles = QVBoxLayout()
        line = QHBoxLayout()
        line.addWidget(self.title)
        line.addWidget(self.status_chip)
        line.addStretch(1)
        titles.addLayout(line)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        self.tabs = QTabWidget()
        self.summary = SummaryTab()
        self.parties = RecordView("本案尚无当事人", "parties")
        self.contacts = ContactsTab(ctx)
        self.contacts.changed.connect(self._records_changed)
        self.documents = DocumentsTab(ctx)
        self.documents.changed.connect(lambda: self._records_changed(self.case_id or ""))
        self.performance = QWidget()
        perf_layout = QVBoxLayout(self.performance)
        self.payments = RecordView("尚无履行款记录", "payments")
        self.settlements = RecordView("尚无和解协议", "settlements")
        self.installments = RecordView("尚无分期履行安排", "installments")
        pay_box = QGroupBox("履行款")
        QVBoxLayout(pay_box).addWidget(self.payments)
        set_box = QGroupBox("和解协议与分期")
        # The agreement above its installments, each as wide as the page: side by side, the
        # terms and the installments' columns were cut.
        set_layout = QVBoxLayout(set_box)
        set_layout.addWidget(self.settlements, 1)
        set_layout.addWidget(self.installments, 2)
        self.performance_line = QLabel()
        self.performance_line.setStyleSheet("font-size: 11pt;")
        self.performance_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The amounts have a line of their own above the buttons: beside six buttons they were
        # cut on a 1366-wide screen.
        self.performance_line.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.pay_button = QPushButton("登记履行")
        self.pay_button.setToolTip("登记一笔履行款（付款日期、金额、方式、付款人、凭证）")
        self.settle_button = QPushButton("和解")
        self.settle_button.setToolTip("登记和解协议及分期履行安排")
        self.close_button = QPushButton("结案")
        self.close_button.setToolTip("自动履行完毕、和解履行完毕、撤回或不宜督促")
        self.reopen_button = QPushButton("重新开启")
        self.reopen_button.setToolTip("已结案的案件重新开启督促（须填写理由）")
        self.transfer_button = QPushButton("移送执行")
        self.transfer_button.setToolTip("督促不成：生成移送执行材料（压缩包或文件夹）并标记已移送")
        self.dossier_button = QPushButton("归档卷宗")
        self.dossier_button.setToolTip(
            "已结案案件：封面、卷内目录、文书和附件按装订顺序合为一个PDF"
        )
        for button, slot in (
            (self.dossier_button, self.archive_dossier),
            (self.pay_button, self.record_payment),
            (self.settle_button, self.record_settlement),
            (self.close_button, self.close_case),
            (self.reopen_button, self.reopen_case),
            (self.transfer_button, self.transfer_case),
        ):
            button.clicked.connect(slot)
            actions.addWidget(button)
        self.outcome_dialog: OutcomeDialog | None = None
        perf_layout.addWidget(self.performance_line)
        perf_layout.addLayout(actions)
        perf_layout.addWidget(pay_box, 2)
        perf_layout.addWidget(set_box, 1)
        # Room for a few payments and installments each: on a short screen (768 high at 150 %)
        # the page scrolls rather than squeeze them to a row.
        lines = self.fontMetrics().lineSpacing()
        pay_box.setMinimumHeight(lines * 9)
        set_box.setMinimumHeight(lines * 16)
        self.mediation = MediationTab(ctx)
        self.mediation.changed.connect(self._records_changed)
        self.preservation = PreservationTab(ctx)
        self.preservation.changed.connect(self._records_changed)
        self.messages = MessagesTab(ctx)
        self.attachments = RecordView(
            "尚无附件。\n移交函、生效文书扫描件、付款凭证等可作为附件保存。", "attachments"
        )
        self.history = HistoryTab()
        for view in (
            self.summary.preservations,
            self.parties,
            self.payments,
            self.settlements,
            self.installments,
            self.attachments,
        ):
            view.remember_for(ctx.actor.username)
        for widget, title in zip(
            (
                self.summary,
                self.parties,
                self.contacts,
                self.documents,
                self.performance,
                self.mediation,
                self.preservation,
                self.messages,
                self.attachments,
                self.history,
            ),
            TAB_TITLES,
            strict=True,
        ):
            self.tabs.addTab(widget, title)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.edit_button.setEnabled(False)

    def show_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.tabs.setCurrentIndex(0)
        self.refresh()

    def _records_changed(self, case_id: str) -> None:
        """A call, a correction or a message was logged: the summary's next due date moves."""
        self.refresh()
        self.edited.emit(case_id)

    def refresh(self) -> None:
        if self.case_id is None:
            return
        try:
            page = case_page(self.ctx.db, self.case_id, today=self.today)
            view, history, installments = page.view, page.history, page.installments
        except UserError as exc:
            self.view = None
            self.title.setText("案件无法打开")
            self.subtitle.setText("")
            self.status_chip.hide()
            self.banner.show_message(exc.message, "error")
            self.edit_button.setEnabled(False)
            return
        self.banner.clear_message()
        self.view = view
        self.title.setText(view.case_no)
        colour = STATUS_COLOURS.get(view.status, "#3d5a40")
        self.status_chip.setText(view.status.label)
        self.status_chip.setStyleSheet(
            f"color: white; background: {colour}; border-radius: 9px; padding: 2px 10px;"
        )
        self.status_chip.show()
        self.subtitle.setText(
            f"{view.cause} · 原审案号 {view.original_case_no} · 被申请人 {_or_dash(view.obligors)}"
            + (" · 涉民生" if view.livelihood else "")
        )
        self.summary.show_case(view)
        self.parties.show_records(
            RecordTable(
                (
                    "诉讼地位",
                    "类型",
                    "姓名/名称",
                    "证件号码",
                    "联系电话",
                    "住址",
                    "法定代表人/负责人",
                    "注册资本",
                    "登记状态",
                ),
                wide=5,
                rows=[
                    (
                        p.role,
                        p.kind,
                        p.name,
                        p.id_number,
                        p.phones,
                        p.address,
                        p.legal_representative,
                        p.registered_capital,
                        p.licence_status,
                    )
                    for p in view.parties
                ],
            )
        )
        self.contacts.show_case(self.case_id)
        self.documents.show_case(self.case_id)
        self.mediation.show_case(self.case_id, view.status)
        self.messages.show_case(self.case_id, view.status)
        applicants = [(p.id, p.name) for p in view.parties if p.role == PartyRole.APPLICANT.label]
        self.preservation.show_case(self.case_id, view.status, applicants)
        self.payments.show_records(view.payments)
        self.settlements.show_records(view.settlements)
        self.installments.show_records(installments)
        self.attachments.show_records(view.attachments)
        self.history.show_history(history)
        self._show_performance(view)
        if CaseAction.EDIT not in available_actions(view.status):
            self.edit_button.setEnabled(False)
            self.edit_button.setToolTip(f"案件已{view.status.label}，不能修改")
        else:
            self.edit_button.setEnabled(True)
            self.edit_button.setToolTip("修改案件信息和当事人（Ctrl+E）")

    @property
    def today(self) -> date:
        return self.ctx.clock.today()

    # --- the 履行 tab: payments, settlement, closing, reopening, transfer ----------------------

    def _show_performance(self, view: CaseView) -> None:
        percent = outcomes.percent_performed(view.amount_due, view.amount_paid)
        outstanding = max(view.outstanding, Decimal("0.00"))
        self.performance_line.setText(
            f"应履行 {format_amount(view.amount_due)}　已履行 {format_amount(view.amount_paid)}"
            f"（{percent}%）　尚欠 {format_amount(outstanding)}"
        )
        # The workflow decides which actions the case allows; the services refuse the others.
        actions = available_actions(view.status)
        for button, action in (
            (self.pay_button, CaseAction.RECORD_PAYMENT),
            (self.settle_button, CaseAction.SETTLE),
            (self.close_button, CaseAction.CLOSE),
            (self.reopen_button, CaseAction.REOPEN),
            (self.dossier_button, CaseAction.ARCHIVE_DOSSIER),
            (self.transfer_button, CaseAction.TRANSFER),
        ):
            button.setEnabled(action in actions)

    def _open_outcome(self, dialog_class: Callable[..., OutcomeDialog]) -> OutcomeDialog | None:
        if self.case_id is None:
            return None
        try:
            dialog = dialog_class(self.ctx, self.case_id, self)
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return None
        dialog.saved.connect(self._saved)
        dialog.finished.connect(dialog.deleteLater)
        self.outcome_dialog = dialog
        dialog.open()
        return dialog

    def record_payment(self) -> None:
        self._open_outcome(PaymentDialog)

    def record_settlement(self) -> None:
        self._open_outcome(SettlementDialog)

    def close_case(self) -> None:
        dialog = self._open_outcome(CloseDialog)
        if isinstance(dialog, CloseDialog):
            dialog.certificate_issued.connect(
                lambda doc_no: self.banner.show_message(
                    f"已结案，并出具自动履行证明书 {doc_no}（见“文书”页）", "success"
                )
            )

    def reopen_case(self) -> None:
        self._open_outcome(ReopenDialog)

    def transfer_case(self) -> None:
        dialog = self._open_outcome(TransferDialog)
        if isinstance(dialog, TransferDialog):
            dialog.transferred.connect(
                lambda path: self.banner.show_message(
                    f"已移送执行，移送材料保存在：{path}", "success"
                )
            )

    def archive_dossier(self, path: Path | None = None) -> None:
        """归档卷宗: one PDF in binding order, built off the GUI thread."""
        if self.case_id is None or self.view is None:
            return
        if path is None:
            name = file_name(self.view.case_no, "归档卷宗", self.today.isoformat(), suffix=".pdf")
            chosen = ask_save_path(self, "dossier", "保存归档卷宗", name, "PDF 文件 (*.pdf)")
            if chosen is None:
                return
            path = chosen
        from zhiqian_desktop.services.closing.dossier import build_archive_dossier

        db, case_id, today = self.ctx.db, self.case_id, self.today

        def done(result: Path) -> None:
            self.banner.show_message(f"归档卷宗已生成：{result}", "success")
            self.dossierWritten.emit(str(result))

        self.banner.show_message("正在生成归档卷宗…", "info")
        self._dossier_task = (
            Operation(
                self,
                lambda _progress: build_archive_dossier(db, case_id, path, today=today, force=True),
            )
            .success(done)
            .refused(lambda exc: self.banner.show_message(exc.message, "error"))
            .disabling(self.dossier_button)
            .run_in_background()
        )

    def edit(self) -> None:
        if self.case_id is None:
            return
        dialog = CaseFormDialog(self.ctx, self.case_id, self)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(dialog.deleteLater)
        self.edit_dialog = dialog
        dialog.open()

    def _saved(self, case_id: str) -> None:
        self.refresh()
        self.edited.emit(case_id)
