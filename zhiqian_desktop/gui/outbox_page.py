"""短信发件箱: the messages to applicants and obligors, filtered by status; drafting reminders,
editing a message, approving the selected ones, exporting them for the court's SMS platform and
reading its result file back (services/supervision/messages.py, message_files.py). Nothing is
sent from the app."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt, Signal
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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MessageKind, MessageStatus, Role
from zhiqian_desktop.domain.messages import MAX_UNITS, length_note, sms_parts, sms_units
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.file_choice import ask_open_path, ask_save_path, file_name
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.supervision import message_files, messages
from zhiqian_desktop.services.supervision.message_files import ExportDone, ResultsRead
from zhiqian_desktop.services.supervision.messages import MessageRow, ReminderRun

HEADERS = ["案号", "类别", "收信人", "手机号码", "日期", "状态", "条数", "短信内容"]
EDITABLE = (MessageStatus.DRAFT, MessageStatus.APPROVED, MessageStatus.FAILED)


def message_table() -> QTableWidget:
    table = read_only_table(HEADERS, single=False)
    table.horizontalHeader().setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def text_preview() -> QLabel:
    """The whole text of the message chosen in a list, beneath it (the list shows its start)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("background: #f7f9fc; border: 1px solid #d5dde8; padding: 6px;")
    label.hide()
    return label


def show_text(label: QLabel, rows: list[MessageRow]) -> None:
    label.setVisible(len(rows) == 1)
    if len(rows) == 1:
        m = rows[0]
        label.setText(f"{m.name}（{m.phone}）：{m.text}\n{length_note(m.text)}")


def fill_table(table: QTableWidget, rows: list[MessageRow]) -> None:
    """One message a row; the row's first cell keeps the message's id."""
    table.setRowCount(len(rows))
    for r, m in enumerate(rows):
        status = m.status.label + (f"（{m.result_note}）" if m.result_note else "")
        if m.status is MessageStatus.APPROVED and m.approved_by:
            status += f"（{m.approved_by}）"
        cells = (
            m.case_no,
            m.kind.label,
            m.name,
            m.phone,
            m.for_date.isoformat() + ("到期" if m.kind is MessageKind.REMINDER else ""),
            status,
            f"{sms_units(m.text)}字/{sms_parts(m.text)}条",
            m.text.replace("\n", " "),
        )
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, m.id)
            if c == len(cells) - 1:
                item.setToolTip(m.text)
            table.setItem(r, c, item)
    # The text takes the room left (its whole wording in the tooltip), never a sideways scroll.
    for c in range(table.columnCount() - 1):
        table.resizeColumnToContents(c)


class MessageDialog(QDialog):
    """修改短信: the text with its length and parts as it is typed, and the number."""

    def __init__(self, row: MessageRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"修改短信 — {row.name}（{row.case_no}）")
        self.row = row
        self.banner = Banner()
        self.phone = QLineEdit(row.phone)
        self.text = QPlainTextEdit(row.text)
        self.text.setMinimumSize(480, 160)
        self.length = QLabel()
        note = QLabel(
            "修改后须重新审核。已审核或发送失败的短信修改后退回草稿。短信内容中的【法院名称】为签名；"
            "短信平台自带签名的，可删去。"
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("手机号码", self.phone)
        form.addRow("短信内容", self.text)
        form.addRow("", self.length)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._count)
        self._count()

    def _count(self) -> None:
        text = self.text.toPlainText().strip()
        over = sms_units(text) > MAX_UNITS
        self.length.setText(length_note(text))
        self.length.setStyleSheet("color: #b00020;" if over else "")


class OutboxPage(QWidget):
    open_case = Signal(str)
    changed = Signal()
    """Messages were logged on cases (a result file read back)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[MessageRow] = []
        self.banner = Banner()
        title = QLabel("短信发件箱")
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        explain = QLabel(
            "进展回告和履行提醒在这里起草、修改和审核；审核后导出为一个文件，交法院短信平台"
            "（如12368）导入发送，再读回平台的发送结果。本系统不直接发送短信。导出的文件含"
            "当事人手机号码，属于个人信息，只交短信平台使用，用后删除。"
        )
        explain.setWordWrap(True)
        self.status = QComboBox()
        self.status.addItem("全部", None)
        for s in MessageStatus:
            self.status.addItem(s.label, s.value)
        self.status.setCurrentIndex(self.status.findData(MessageStatus.DRAFT.value))
        self.remind_button = QPushButton("起草履行提醒")
        self.remind_button.setToolTip(
            "分期或承诺履行日在 设置 中所设天数内、尚未履行的，给被申请人起草"
        )
        self.edit_button = QPushButton("修改…")
        self.approve_button = QPushButton("审核所选")
        self.discard_button = QPushButton("作废所选")
        self.export_button = QPushButton("导出待发短信…")
        self.results_button = QPushButton("读回发送结果…")
        self.open_button = QPushButton("打开案件")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("状态"))
        bar.addWidget(self.status)
        bar.addStretch(1)
        bar.addWidget(self.remind_button)
        actions = QHBoxLayout()
        for button in (
            self.edit_button,
            self.approve_button,
            self.discard_button,
            self.open_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        actions.addWidget(self.results_button)
        self.table = message_table()
        self.counts = QLabel()
        self.preview = text_preview()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(explain)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.preview)
        layout.addWidget(self.counts)
        self.status.currentIndexChanged.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit())
        self.remind_button.clicked.connect(self.draft_reminders)
        self.edit_button.clicked.connect(self.edit)
        self.approve_button.clicked.connect(self.approve)
        self.discard_button.clicked.connect(self.discard)
        self.export_button.clicked.connect(self.export)
        self.results_button.clicked.connect(self.read_results)
        self.open_button.clicked.connect(self._open_case)
        writer = ctx.actor.role is not Role.READONLY
        for button in (self.remind_button, self.export_button, self.results_button):
            button.setEnabled(writer)
        self.writer = writer
        self.refresh()

    # --- reading ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        value = self.status.currentData()
        status = cast(MessageStatus, MessageStatus.from_label(value)) if value else None
        self.rows = messages.outbox(self.ctx.db, status=status)
        fill_table(self.table, self.rows)
        counts = messages.outbox_counts(self.ctx.db)
        self.counts.setText(
            "　".join(
                f"{s.label} {counts[s]}" for s in MessageStatus if s is not MessageStatus.DISCARDED
            )
        )
        self._enable()

    def selected(self) -> list[MessageRow]:
        picked = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.rows[r] for r in sorted(picked) if r < len(self.rows)]

    def _enable(self) -> None:
        rows = self.selected()
        mine = [r for r in rows if self.ctx.actor.may_edit_case(r.handler_id)]
        ok = self.writer and bool(rows) and len(mine) == len(rows)
        self.edit_button.setEnabled(ok and len(rows) == 1 and rows[0].status in EDITABLE)
        self.approve_button.setEnabled(ok and all(r.status is MessageStatus.DRAFT for r in rows))
        self.discard_button.setEnabled(ok and all(r.status in EDITABLE for r in rows))
        self.open_button.setEnabled(len(rows) == 1)
        show_text(self.preview, rows)

    def _open_case(self) -> None:
        rows = self.selected()
        if rows:
            self.open_case.emit(rows[0].case_id)

    # --- writing ----------------------------------------------------------------------------------

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def _done(self, message: str, kind: str = "success") -> None:
        self.refresh()
        self.banner.show_message(message, kind)

    def draft_reminders(self) -> None:
        ctx = self.ctx

        def done(run: ReminderRun) -> None:
            said = (
                f"已起草{len(run.drafted)}条履行提醒，请核对后审核。"
                if run.drafted
                else ("没有需要起草的履行提醒（到期的都已起草过，或不在提前天数内）。")
            )
            if run.skipped:
                said += "未起草：" + "；".join(run.skipped)
            self.status.setCurrentIndex(self.status.findData(MessageStatus.DRAFT.value))
            self._done(said, "info" if run.skipped else "success")

        Operation(
            self, lambda _p: messages.draft_reminders(ctx.db, ctx.actor, today=ctx.clock.today())
        ).success(done).refused(self._refused).disabling(self.remind_button).run_in_background()

    def edit(self) -> None:
        rows = self.selected()
        if len(rows) != 1 or rows[0].status not in EDITABLE:
            return
        row = rows[0]
        dialog = MessageDialog(row, self)
        dialog.setObjectName("messageDialog")
        if not dialog.exec():
            dialog.deleteLater()
            return
        text, phone = dialog.text.toPlainText(), dialog.phone.text()
        dialog.deleteLater()
        ctx = self.ctx
        Operation(
            self,
            lambda _p: messages.edit_message(
                ctx.db, ctx.actor, row.id, text=text, phone=phone, expected_version=row.version
            ),
        ).success(lambda _row: self._done("短信已修改，请重新审核。")).refused(
            self._refused
        ).disabling(self.edit_button).run_in_background()

    def approve(self) -> None:
        ids = [r.id for r in self.selected()]
        ctx = self.ctx
        Operation(self, lambda _p: messages.approve_messages(ctx.db, ctx.actor, ids)).success(
            lambda n: self._done(f"已审核{n}条短信，可以导出。")
        ).refused(self._refused).disabling(self.approve_button).run_in_background()

    def discard(self) -> None:
        rows = self.selected()
        ctx = self.ctx

        def work(_p: object) -> int:
            for r in rows:
                messages.discard_message(ctx.db, ctx.actor, r.id, expected_version=r.version)
            return len(rows)

        Operation(self, work).success(lambda n: self._done(f"已作废{n}条短信。")).refused(
            self._refused
        ).disabling(self.discard_button).run_in_background()

    def export(self) -> None:
        today = self.ctx.clock.today()
        path = ask_save_path(
            self,
            "messages",
            "导出待发短信",
            file_name("待发短信", today.isoformat(), suffix=".xlsx"),
            "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)",
        )
        if path is None:
            return
        fmt = "csv" if path.suffix.lower() == ".csv" else "xlsx"
        ctx = self.ctx

        def done(result: ExportDone) -> None:
            self.status.setCurrentIndex(self.status.findData(MessageStatus.EXPORTED.value))
            self._done(
                f"已导出{result.count}条短信（批次{result.batch}）到 {result.path}。请交短信平台导入"
                "发送，发送后读回平台的结果文件；文件含手机号码，用后请删除。"
            )

        Operation(
            self,
            lambda _p: message_files.export_messages(
                ctx.db, ctx.actor, path, fmt=fmt, today=today, force=path.exists()
            ),
        ).success(done).refused(self._refused).disabling(self.export_button).run_in_background()

    def read_results(self) -> None:
        path = ask_open_path(
            self, "message_results", "读回短信平台的发送结果", "结果文件 (*.xlsx *.csv)"
        )
        if path is None:
            return
        self.read_results_from(path)

    def read_results_from(self, path: Path) -> None:
        ctx = self.ctx

        def done(read: ResultsRead) -> None:
            self.status.setCurrentIndex(0)
            self._done(
                f"批次{read.batch}：已发送{read.sent}条，发送失败{read.failed}条，已记入各案督促记录。"
                + ("发送失败的可修改号码或内容后重新审核、导出。" if read.failed else "")
            )
            self.changed.emit()

        Operation(self, lambda _p: message_files.read_results(ctx.db, ctx.actor, path)).success(
            done
        ).refused(self._refused).disabling(self.results_button).run_in_background()
