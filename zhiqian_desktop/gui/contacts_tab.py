"""The 督促记录 tab of the case page: the chronological log, corrections, the applicant notice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.kinds import MESSAGE_LOGS
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.gui.contact_dialog import ContactDialog
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.contacts import ContactEntry

HEADERS = (
    "时间",
    "方式",
    "承办人",
    "联系对象",
    "号码/地点",
    "接通",
    "情况",
    "承诺",
    "下次跟进",
    "附件",
    "备注",
)
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _promise(e: ContactEntry) -> str:
    if e.promise_date is None:
        return ""
    amount = format_amount(e.promise_amount) if e.promise_amount is not None else "履行"
    return f"{e.promise_date.isoformat()}前 {amount}"


class ApplicantNoticeDialog(QDialog):
    """Shows the drafted 执行信息回告 for editing, copying, and logging as sent."""

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("执行信息回告")
        self.ctx, self.case_id = ctx, case_id
        draft = contacts.draft_applicant_notice(ctx.db, case_id, today=ctx.clock.today())
        self.banner = Banner(self)
        self.text = QPlainTextEdit(self)
        self.text.setPlainText(draft)
        self.text.setMinimumSize(560, 320)
        copy = QPushButton("复制(&C)", self)
        copy.clicked.connect(self.copy)
        self.log_button = log = QPushButton("复制并记录为已回告(&L)", self)
        log.setDefault(True)
        log.clicked.connect(self.log_sent)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch()
        for b in (copy, log, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("回告内容（可修改）：", self))
        layout.addWidget(self.banner)
        layout.addWidget(self.text)
        layout.addLayout(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def log_sent(self) -> None:
        self.copy()
        ctx, case_id, text = self.ctx, self.case_id, self.text.toPlainText()
        Operation(
            self, lambda _progress: contacts.log_applicant_notice(ctx.db, ctx.actor, case_id, text)
        ).success(lambda _log: self.accept()).refused(
            lambda exc: self.banner.show_message(exc.message)
        ).disabling(self.log_button).run_in_background()


class ContactsTab(QWidget):
    """The case's contact log; ``changed`` fires after anything was written."""

    changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactsTab")
        self.ctx = ctx
        self.case_id: str | None = None
        self.entries: list[ContactEntry] = []
        self.dialog: QDialog | None = None

        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((118, 76, 64, 84, 104, 40, 220, 130, 84, 90)):
            self.table.setColumnWidth(col, width)
        self.memory = TableMemory(self.table, ctx.actor.username, "contacts")

        self.add_button = QPushButton("记录督促(&N)", self)
        self.add_button.clicked.connect(self.log_contact)
        self.correct_button = QPushButton("更正(&E)", self)
        self.correct_button.clicked.connect(self.correct_selected)
        self.notice_button = QPushButton("起草回告(&A)", self)
        self.notice_button.setToolTip(
            "按案件进展起草执行信息回告，复制后发送给申请人，并记入督促记录"
        )
        self.notice_button.clicked.connect(self.draft_notice)
        self.count = QLabel(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        for b in (self.add_button, self.correct_button, self.notice_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def show_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        if self.case_id is None:
            return
        self.entries = contacts.list_contacts(self.ctx.db, self.case_id)
        by_id = {e.id: e for e in self.entries}
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            note = ""
            if e.superseded:
                note = "已被更正"
            elif e.corrects_id and e.corrects_id in by_id:
                note = f"更正 {by_id[e.corrects_id].local_time} 的记录"
            values = (
                e.local_time,
                e.kind.label,
                e.handler_name,
                e.contact_name,
                e.number_or_place,
                "是" if e.reached else "否",
                e.summary,
                _promise(e),
                e.next_follow_up.isoformat() if e.next_follow_up else "",
                "、".join(a.filename for a in e.attachments),
                note,
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(ID_ROLE, e.id)
                if e.superseded:
                    font = item.font()
                    font.setStrikeOut(True)
                    item.setFont(font)
                    item.setForeground(QBrush(QColor("#8a8a8a")))
                elif e.corrects_id:
                    font = QFont(item.font())
                    font.setItalic(col == len(values) - 1)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.memory.arrange(fit=False)
        live = sum(1 for e in self.entries if not e.superseded)
        self.count.setText(
            f"共{live}条督促记录" + ("（含更正）" if live < len(self.entries) else "")
        )
        self._selection_changed()

    def selected_entry(self) -> ContactEntry | None:
        row = self.table.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        sent = entry is not None and entry.kind in MESSAGE_LOGS
        self.correct_button.setEnabled(entry is not None and not entry.superseded and not sent)
        self.correct_button.setToolTip(
            f"{entry.kind.label}按发出的内容记录，不能更正" if entry is not None and sent else ""
        )
        enabled = self.case_id is not None
        self.add_button.setEnabled(enabled)
        self.notice_button.setEnabled(enabled)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.accepted.connect(self._written)
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _written(self) -> None:
        self.refresh()
        if self.case_id:
            self.changed.emit(self.case_id)

    def log_contact(self) -> None:
        if self.case_id:
            self._open(ContactDialog(self.ctx, self.case_id, parent=self))

    def correct_selected(self) -> None:
        entry = self.selected_entry()
        if self.case_id and entry is not None and not entry.superseded:
            self._open(ContactDialog(self.ctx, self.case_id, corrects_id=entry.id, parent=self))

    def draft_notice(self) -> None:
        if self.case_id:
            self._open(ApplicantNoticeDialog(self.ctx, self.case_id, parent=self))
