"""统计 › 司法建议: the court's judicial suggestions — drafting one from a group of cases sharing an
obligor or a cause, or from listed case numbers; editing a draft; signing it (the team lead);
printing the 司法建议书; recording sending and the reply (services/supervision/suggestions.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import RecipientKind, Role, SuggestionGrouping, SuggestionStatus
from zhiqian_desktop.domain.suggestions import MAX_THRESHOLD, MIN_THRESHOLD, PRINTABLE
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import Banner, DateLineEdit, parse_date_text
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.pdf_view import PdfPreviewDialog
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.intake.docket import DocketQuery
from zhiqian_desktop.services.supervision import suggestion_document
from zhiqian_desktop.services.supervision import suggestions as sg
from zhiqian_desktop.services.supervision.suggestions import ProposedGroup, SuggestionRow

S = SuggestionStatus
HEADERS = ["编号", "被建议单位", "类别", "状态", "案件", "拟稿", "发出", "回复期限", "回复"]
GROUP_HEADERS = ["被申请人或案由", "件数", "未履行金额", "收案期间"]


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _cells(r: SuggestionRow, today: date) -> tuple[str, ...]:
    state = r.status.label + ("（逾期未回复）" if r.overdue(today) else "")
    return (
        r.doc_no or "（草稿）",
        r.recipient,
        r.recipient_kind.label,
        state,
        str(r.case_count),
        _iso(r.drafted_on),
        _iso(r.sent_on),
        _iso(r.reply_due),
        _iso(r.replied_on),
    )


class SuggestionsView(QWidget):
    """The list with what may be done to the selected suggestion, and its text below."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[SuggestionRow] = []
        self.dialog: QDialog | None = None
        self.banner = Banner()
        self.table = read_only_table(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.groups_button = QPushButton("类案分组拟稿…")
        self.cases_button = QPushButton("按案号拟稿…")
        self.docket_button = QPushButton("台账筛选结果拟稿…")
        self.docket_button.setToolTip("以“案件台账”当前筛选出的案件（不超过500件）为依据拟稿")
        self.docket_query: Callable[[], DocketQuery] | None = None
        self.edit_button = QPushButton("修改草稿…")
        self.sign_button = QPushButton("签发")
        self.sign_button.setToolTip("团队负责人签发后给予编号，才能打印和发出")
        self.print_button = QPushButton("打印…")
        self.sent_button = QPushButton("登记发出…")
        self.reply_button = QPushButton("登记回复…")
        self.cancel_button = QPushButton("作废")
        # Two rows: drafting, and what may be done to the selected one (one row is wider than
        # a 1024-pixel screen).
        drafting, acting = QHBoxLayout(), QHBoxLayout()
        for button in (self.groups_button, self.cases_button, self.docket_button):
            drafting.addWidget(button)
        for button in (
            self.edit_button,
            self.sign_button,
            self.print_button,
            self.sent_button,
            self.reply_button,
            self.cancel_button,
        ):
            acting.addWidget(button)
        drafting.addStretch(1)
        acting.addStretch(1)
        note = QLabel(
            "同一被申请人或同一案由的案件较多时，可向保险机构、金融机构、监管部门或政府职能部门"
            "发送司法建议。签发后发出，回复期限按“设置 → 法院信息”中的月数自发出次日起算；"
            "期满未回复的列入拟稿人和团队负责人的今日待办。"
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(note)
        layout.addLayout(drafting)
        layout.addLayout(acting)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.groups_button.clicked.connect(self.choose_group)
        self.cases_button.clicked.connect(lambda: self.open_draft(None))
        self.docket_button.clicked.connect(self.draft_from_docket)
        self.edit_button.clicked.connect(self.edit)
        self.sign_button.clicked.connect(self.sign)
        self.print_button.clicked.connect(self.print_selected)
        self.sent_button.clicked.connect(lambda: self.record_step(S.SENT))
        self.reply_button.clicked.connect(lambda: self.record_step(S.REPLIED))
        self.cancel_button.clicked.connect(self.cancel)
        writer = ctx.actor.role is not Role.READONLY
        self.groups_button.setEnabled(writer)
        self.cases_button.setEnabled(writer)
        self.writer = writer
        self.docket_button.setEnabled(False)
        self._selection_changed()

    def use_docket(self, query: Callable[[], DocketQuery]) -> None:
        """Draft from the docket's current filter (the main window passes the docket's)."""
        self.docket_query = query
        self.docket_button.setEnabled(self.writer)

    def draft_from_docket(self) -> None:
        if self.docket_query is None:
            return
        ctx, query = self.ctx, self.docket_query()
        Operation(
            self, lambda _p: sg.group_for_docket(ctx.db, query, today=ctx.clock.today())
        ).success(self.open_draft).refused(self._refused).disabling(
            self.docket_button
        ).run_in_background()

    def refresh(self) -> None:
        chosen = self.selected()
        self.rows = sg.suggestions(self.ctx.db)
        today = self.ctx.clock.today()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, text in enumerate(_cells(row, today)):
                self.table.setItem(r, c, QTableWidgetItem(text))
            if chosen is not None and row.id == chosen.id:
                self.table.selectRow(r)
        self.table.resizeColumnsToContents()
        self._selection_changed()

    def selected(self) -> SuggestionRow | None:
        index = self.table.currentRow()
        picked = self.table.selectionModel().hasSelection()
        return self.rows[index] if picked and 0 <= index < len(self.rows) else None

    def _selection_changed(self) -> None:
        row = self.selected()
        status = row.status if row else None
        actor = self.ctx.actor
        lead = actor.role in (Role.ADMIN, Role.LEAD)
        mine = row is not None and (lead or row.drafted_by_id == actor.user_id)
        mine = mine and actor.role is not Role.READONLY
        self.edit_button.setEnabled(mine and status is S.DRAFT)
        self.sign_button.setEnabled(lead and status is S.DRAFT)
        self.print_button.setEnabled(status in PRINTABLE)
        self.sent_button.setEnabled(mine and status is S.APPROVED)
        self.reply_button.setEnabled(mine and status is S.SENT)
        self.cancel_button.setEnabled(
            mine and (status is S.DRAFT or (lead and status is S.APPROVED))
        )
        if row is None:
            self.detail.setText("选择一件司法建议查看其内容。")
            return
        parts = [f"发现的问题：{row.problem}", f"建议：{row.proposal}"]
        if row.replied_on:
            parts.append(f"回复（{row.replied_on.isoformat()}）：{row.reply_summary}")
        self.detail.setText("\n".join(parts))

    # --- actions ----------------------------------------------------------------------------

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def _done(self, message: str) -> None:
        self.refresh()
        self.banner.show_message(message, "success")

    def choose_group(self) -> None:
        dialog = GroupsDialog(self.ctx, self)
        dialog.chosen.connect(lambda: self.open_draft(dialog.group))
        self.dialog = dialog
        dialog.open()

    def open_draft(self, group: ProposedGroup | None, row: SuggestionRow | None = None) -> None:
        dialog = DraftDialog(self.ctx, self, group=group, row=row)
        dialog.accepted.connect(lambda: self._done(dialog.outcome))
        self.dialog = dialog
        dialog.open()

    def edit(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_draft(None, row)

    def _run(self, work: Callable[[], SuggestionRow], message: str, *busy: QWidget) -> None:
        op = Operation(self, lambda _p: work())
        op.success(lambda r: self._done(message.format(r=r))).refused(self._refused)
        op.disabling(*busy).run_in_background()

    def sign(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx = self.ctx
        self._run(
            lambda: sg.approve_suggestion(
                ctx.db, ctx.actor, row.id, today=ctx.clock.today(), expected_version=row.version
            ),
            "已签发：{r.doc_no}。可打印司法建议书，发出后请登记发出日期。",
            self.sign_button,
        )

    def cancel(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx = self.ctx
        self._run(
            lambda: sg.cancel_suggestion(ctx.db, ctx.actor, row.id, expected_version=row.version),
            "已作废：{r.label}。",
            self.cancel_button,
        )

    def record_step(self, step: SuggestionStatus) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = StepDialog(self.ctx, self, row, step)
        dialog.accepted.connect(lambda: self._done(dialog.outcome))
        self.dialog = dialog
        dialog.open()

    def print_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        db = self.ctx.db

        def show(pdf: bytes) -> None:
            preview = PdfPreviewDialog(pdf, self, title=f"司法建议书 {row.doc_no}")
            self.dialog = preview
            preview.show()

        Operation(self, lambda _p: suggestion_document.suggestion_pdf(db, row.id)).success(
            show
        ).refused(self._refused).disabling(self.print_button).run_in_background()


class GroupsDialog(QDialog):
    """The obligors or causes shared by at least the court's number of cases."""

    chosen = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("类案分组")
        self.ctx = ctx
        self.groups: list[ProposedGroup] = []
        self.group: ProposedGroup | None = None
        self.by = QComboBox()
        for g in (SuggestionGrouping.OBLIGOR, SuggestionGrouping.CAUSE):
            self.by.addItem("按被申请人" if g is SuggestionGrouping.OBLIGOR else "按案由", g.value)
        self.threshold = QSpinBox()
        self.threshold.setRange(MIN_THRESHOLD, MAX_THRESHOLD)
        self.threshold.setValue(ctx.settings.suggestion_threshold)
        self.threshold.setSuffix(" 件以上")
        self.banner = Banner()
        self.table = read_only_table(GROUP_HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.draft_button = QPushButton("以此组拟稿…")
        top = QHBoxLayout()
        top.addWidget(self.by)
        top.addWidget(self.threshold)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.draft_button)
        self.resize(720, 420)
        self.by.currentIndexChanged.connect(self.refresh)
        self.threshold.valueChanged.connect(self.refresh)
        self.draft_button.clicked.connect(self.choose)
        self.refresh()

    def refresh(self) -> None:
        by = cast(SuggestionGrouping, SuggestionGrouping.from_label(str(self.by.currentData())))
        self.groups = sg.proposed_groups(self.ctx.db, by, threshold=self.threshold.value())
        self.table.setRowCount(len(self.groups))
        for r, g in enumerate(self.groups):
            cells = (
                g.group.key,
                str(g.group.count),
                f"{g.group.outstanding:,.2f}",
                f"{_iso(g.group.first_received)} 至 {_iso(g.group.last_received)}",
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if not self.groups:
            self.banner.show_message("没有达到所设件数的类案；可减少件数再看。", "info")
        else:
            self.banner.hide()

    def choose(self) -> None:
        index = self.table.currentRow()
        if not self.table.selectionModel().hasSelection() or not 0 <= index < len(self.groups):
            self.banner.show_message("请先选择一组案件。", "error")
            return
        self.group = self.groups[index]
        self.accept()
        self.chosen.emit()


class DraftDialog(QDialog):
    """A new draft (from a group, or from case numbers the clerk lists) or a draft edited."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        group: ProposedGroup | None = None,
        row: SuggestionRow | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.row = ctx, row
        self.group: ProposedGroup | None = None
        self.outcome = ""
        self.setWindowTitle("修改司法建议草稿" if row else "拟写司法建议")
        self.banner = Banner()
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("被建议单位的全称，如 国家金融监督管理总局某某监管分局")
        self.kind = QComboBox()
        for k in RecipientKind:
            self.kind.addItem(k.label, k.value)
        self.cases = QPlainTextEdit()
        self.cases.setPlaceholderText("所依据案件的案号，每行一个（或用逗号、顿号分隔）")
        self.cases.setMaximumHeight(80)
        self.facts_button = QPushButton("核对案件并写入事实")
        self.problem = QPlainTextEdit()
        self.problem.setPlaceholderText("审判执行中发现的问题及其事实依据")
        self.proposal = QPlainTextEdit()
        self.proposal.setPlaceholderText("改进工作、完善治理的具体建议，可分条：一、……；二、……")
        form = QFormLayout()
        form.addRow("被建议单位", self.recipient)
        form.addRow("单位类别", self.kind)
        form.addRow("所涉案件", self.cases)
        form.addRow("", self.facts_button)
        form.addRow("发现的问题", self.problem)
        form.addRow("建议", self.proposal)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(720, 560)
        self.facts_button.clicked.connect(self.fill_facts)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        if group is not None:
            self._use_group(group)
        if row is not None:
            self.recipient.setText(row.recipient)
            self.kind.setCurrentIndex(self.kind.findData(row.recipient_kind.value))
            self.cases.setPlainText(
                ", ".join(c.case_no for c in sg.suggestion_cases(ctx.db, row.id))
            )
            self.cases.setReadOnly(True)
            self.facts_button.hide()
            self.problem.setPlainText(row.problem)
            self.proposal.setPlainText(row.proposal)

    def _use_group(self, group: ProposedGroup) -> None:
        # The facts of the cases open the problem; checked again, they replace the old facts.
        text = self.problem.toPlainText().strip()
        if self.group is not None and text.startswith(self.group.facts):
            text = text[len(self.group.facts) :].strip()
        self.group = group
        self.cases.setPlainText("\n".join(group.case_nos))
        self.problem.setPlainText(group.facts + ("\n" + text if text else ""))

    def fill_facts(self) -> None:
        try:
            self._use_group(sg.group_for_case_nos(self.ctx.db, [self.cases.toPlainText()]))
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return
        self.banner.show_message("已核对案件，并在“发现的问题”开头写入其件数、金额和期间。", "info")

    def save(self) -> None:
        ctx, row = self.ctx, self.row
        recipient, kind = self.recipient.text(), str(self.kind.currentData())
        problem, proposal = self.problem.toPlainText(), self.proposal.toPlainText()
        numbers = self.cases.toPlainText()
        group = self.group
        # The group as proposed, unless the clerk changed its list of cases.
        as_proposed = group is not None and numbers.strip() == "\n".join(group.case_nos)

        def work(_p: object) -> SuggestionRow:
            if row is not None:
                return sg.edit_suggestion(
                    ctx.db, ctx.actor, row.id, recipient=recipient, recipient_kind=kind,
                    problem=problem, proposal=proposal, expected_version=row.version,
                )  # fmt: skip
            chosen = group if as_proposed and group else sg.group_for_case_nos(ctx.db, [numbers])
            return sg.draft_suggestion(
                ctx.db, ctx.actor, recipient=recipient, recipient_kind=kind,
                case_ids=chosen.group.case_ids, problem=problem, proposal=proposal,
                grouping=chosen.group.grouping, group_key=chosen.group.key,
                today=ctx.clock.today(),
            )  # fmt: skip

        def saved(result: SuggestionRow) -> None:
            self.outcome = (
                f"已保存草稿：致{result.recipient}，依据案件{result.case_count}件；"
                "待团队负责人签发。"
            )
            self.accept()

        Operation(self, work).success(saved).refused(
            lambda exc: self.banner.show_message(exc.message, "error")
        ).disabling(self.buttons).run_in_background()


class StepDialog(QDialog):
    """The day a signed suggestion was sent, or the day and summary of its reply."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None, row: SuggestionRow, step: SuggestionStatus
    ) -> None:
        super().__init__(parent)
        self.ctx, self.row, self.step = ctx, row, step
        self.outcome = ""
        sent = step is S.SENT
        self.setWindowTitle(f"{'登记发出' if sent else '登记回复'}：{row.doc_no}")
        self.banner = Banner()
        self.day = DateLineEdit()
        self.day.set_date(ctx.clock.today())
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("回复内容摘要：是否采纳、采取的整改措施，或不采纳的理由")
        form = QFormLayout()
        form.addRow("发出日期" if sent else "回复日期", self.day)
        if not sent:
            form.addRow("回复摘要", self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        try:
            on = parse_date_text(self.day.text())
            if on is None:
                raise UserError("请填写日期")
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return
        ctx, row, summary = self.ctx, self.row, self.summary.toPlainText()
        today = ctx.clock.today()

        def work(_p: object) -> SuggestionRow:
            if self.step is S.SENT:
                return sg.record_sent(
                    ctx.db, ctx.actor, row.id, sent_on=on, today=today,
                    expected_version=row.version,
                )  # fmt: skip
            return sg.record_reply(
                ctx.db, ctx.actor, row.id, replied_on=on, summary=summary, today=today,
                expected_version=row.version,
            )  # fmt: skip

        def saved(result: SuggestionRow) -> None:
            self.outcome = (
                f"已登记发出：{result.doc_no}，请于{_iso(result.reply_due)}前回复"
                "（逾期未回复列入今日待办）。"
                if self.step is S.SENT
                else f"已登记回复：{result.doc_no}。"
            )
            self.accept()

        Operation(self, work).success(saved).refused(
            lambda exc: self.banner.show_message(exc.message, "error")
        ).disabling(self.buttons).run_in_background()
