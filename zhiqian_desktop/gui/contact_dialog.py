"""The one short dialog for logging a call or visit (记录督促), or correcting an earlier entry.

Keyboard first: the cursor starts in 情况, every field is one Tab from the last (the date-time
too), Ctrl+Enter saves from anywhere (Enter saves from any single-line field), Esc cancels. Defaults: now, the acting handler, the obligor's first
phone, 电话督促.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MESSAGE_LOGS, ContactKind
from zhiqian_desktop.domain.money import parse_amount
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import Banner, DateLineEdit, TabbingDateTimeEdit
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.worker import Progress
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.contacts import ContactInput

LOGGED_KINDS = [k for k in ContactKind if k not in MESSAGE_LOGS]


class ContactDialog(QDialog):
    """Log one contact for a case; with ``corrects_id``, write a correction of that entry."""

    def __init__(
        self,
        ctx: AppContext,
        case_id: str,
        corrects_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contactDialog")
        self.ctx = ctx
        self.case_id = case_id
        self.corrects_id = corrects_id
        self.saved_id: str | None = None
        self.attachment_paths: list[Path] = []

        opened = contacts.contact_form(ctx.db, ctx.actor, case_id, corrects_id)
        defaults, handlers, original = opened.defaults, opened.handlers, opened.original
        self.parties = defaults.parties
        title = "更正督促记录" if corrects_id else "记录督促"
        self.setWindowTitle(f"{title} — {defaults.case_no}")

        self.banner = Banner(self)
        self.kind_combo = QComboBox(self)
        for kind in LOGGED_KINDS:
            self.kind_combo.addItem(kind.label, kind)
        self.time_edit = TabbingDateTimeEdit(self)
        self.time_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.time_edit.setCalendarPopup(True)
        self.time_edit.setTimeZone(_qt_zone(ctx.clock.zone))
        self.handler_combo = QComboBox(self)
        for choice in handlers:
            self.handler_combo.addItem(choice.name, choice.id)
        if defaults.handler_id and self.handler_combo.findData(defaults.handler_id) < 0:
            self.handler_combo.addItem(ctx.actor.display_name, defaults.handler_id)
        self.party_combo = QComboBox(self)
        for pid, role, name, _phones in self.parties:
            self.party_combo.addItem(f"{name}（{role}）", pid)
        self.party_combo.addItem("其他人员（在下栏填写姓名）", None)
        self.contact_name = QLineEdit(self)
        self.contact_name.setPlaceholderText("其他联系人的姓名，如 村委会主任张某")
        self.number_combo = QComboBox(self)
        self.number_combo.setEditable(True)
        number_line = self.number_combo.lineEdit()
        if number_line is not None:
            number_line.setPlaceholderText("拨打的号码或约谈地点")
        self.reached_check = QCheckBox("已接通 / 已见面(&R)", self)
        self.summary_edit = QPlainTextEdit(self)
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setPlaceholderText("被申请人的答复、履行意愿、财产线索等")
        self.summary_edit.setFixedHeight(80)
        self.promise_amount = QLineEdit(self)
        self.promise_amount.setPlaceholderText("如 5000 或 5,000.00（元）")
        self.promise_date = DateLineEdit(self)
        self.follow_up = DateLineEdit(self)
        self.others = QLineEdit(self)
        self.others.setPlaceholderText("在场人员，如 网格员李某")

        self.files = QListWidget(self)
        self.files.setFixedHeight(56)
        add_file = QPushButton("添加附件(&F)…", self)
        add_file.clicked.connect(self._choose_files)
        drop_file = QPushButton("移除", self)
        drop_file.clicked.connect(self._remove_file)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(add_file)
        file_buttons.addWidget(drop_file)
        file_buttons.addStretch()
        file_row = QHBoxLayout()
        file_row.addWidget(self.files, 1)
        file_row.addLayout(file_buttons)

        form = QFormLayout()
        form.addRow("督促方式(&K)", self.kind_combo)
        form.addRow("时间(&T)", self.time_edit)
        form.addRow("承办人", self.handler_combo)
        form.addRow("联系对象(&P)", self.party_combo)
        form.addRow("", self.contact_name)
        form.addRow("号码/地点(&N)", self.number_combo)
        form.addRow("", self.reached_check)
        form.addRow("情况(&S)", self.summary_edit)
        promise = QHBoxLayout()
        promise.addWidget(self.promise_amount, 1)
        promise.addWidget(QLabel("元，于", self))
        promise.addWidget(self.promise_date, 1)
        promise.addWidget(QLabel("前履行", self))
        form.addRow("承诺履行(&M)", promise)
        form.addRow("下次跟进(&D)", self.follow_up)
        form.addRow("在场人员", self.others)
        form.addRow("附件", file_row)
        self._labels = {
            "summary": self.summary_edit,
            "promise_amount": self.promise_amount,
            "promise_date": self.promise_date,
            "next_follow_up": self.follow_up,
            "contacted_at": self.time_edit,
            "reached": self.reached_check,
            "party_id": self.party_combo,
        }

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("保存(Ctrl+Enter)")
        save.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)

        layout = QVBoxLayout(self)
        if original is not None:
            note = QLabel(
                f"更正 {original.local_time} 的{original.kind.label}记录；原记录保留并以删除线显示。",
                self,
            )
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

        self.party_combo.currentIndexChanged.connect(self._party_changed)
        self._party_changed()
        self._set_defaults(original)
        # A new entry starts where the clerk types (the defaults fit a call); a correction starts
        # at the top, where what is corrected usually is.
        (self.kind_combo if original is not None else self.summary_edit).setFocus()

    # --- defaults and helpers --------------------------------------------------------------

    def _set_defaults(self, original: contacts.ContactEntry | None) -> None:
        if original is None:
            self.set_time(self.ctx.clock.now())
            self.reached_check.setChecked(True)
            index = self.handler_combo.findData(self.ctx.actor.user_id)
            if index >= 0:
                self.handler_combo.setCurrentIndex(index)
            return
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(original.kind)))
        self.set_time(original.contacted_at)
        index = self.handler_combo.findData(original.handler_id)
        if index >= 0:
            self.handler_combo.setCurrentIndex(index)
        party = self.party_combo.findData(original.party_id)
        self.party_combo.setCurrentIndex(party if party >= 0 else self.party_combo.count() - 1)
        self.contact_name.setText(original.contact_name if party < 0 else "")
        self.number_combo.setEditText(original.number_or_place)
        self.reached_check.setChecked(original.reached)
        self.summary_edit.setPlainText(original.summary)
        if original.promise_amount is not None:
            self.promise_amount.setText(f"{original.promise_amount:,.2f}")
        self.promise_date.set_date(original.promise_date)
        self.follow_up.set_date(original.next_follow_up)
        self.others.setText(original.others_present)

    def set_time(self, moment: datetime) -> None:
        self.time_edit.setDateTime(
            QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), _qt_zone(self.ctx.clock.zone))
        )

    def contacted_at(self) -> datetime:
        seconds = self.time_edit.dateTime().toSecsSinceEpoch()
        return datetime.fromtimestamp(seconds, self.ctx.clock.zone)

    def _party_changed(self) -> None:
        index = self.party_combo.currentIndex()
        phones: tuple[str, ...] = self.parties[index][3] if index < len(self.parties) else ()
        self.contact_name.setEnabled(index >= len(self.parties))
        self.number_combo.clear()
        self.number_combo.addItems(list(phones))
        if phones:
            self.number_combo.setCurrentIndex(0)

    def add_attachment_paths(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.attachment_paths:
                self.attachment_paths.append(path)
                self.files.addItem(path.name)

    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "选择附件（照片、录音、扫描件）", "", "所有文件 (*)"
        )
        self.add_attachment_paths([Path(n) for n in names])

    def _remove_file(self) -> None:
        row = self.files.currentRow()
        if row >= 0:
            self.files.takeItem(row)
            del self.attachment_paths[row]

    def form_input(self) -> ContactInput:
        amount_text = self.promise_amount.text().strip()
        amount: Decimal | None = None
        if amount_text:
            try:
                amount = parse_amount(amount_text)
            except UserError as exc:
                raise UserError(exc.message, field="promise_amount") from None
        try:
            promise_date = self.promise_date.date_value()
        except UserError as exc:
            raise UserError(exc.message, field="promise_date") from None
        try:
            follow_up = self.follow_up.date_value()
        except UserError as exc:
            raise UserError(exc.message, field="next_follow_up") from None
        party_id = self.party_combo.currentData()
        return ContactInput(
            kind=self.kind_combo.currentData(),
            contacted_at=self.contacted_at(),
            reached=self.reached_check.isChecked(),
            summary=self.summary_edit.toPlainText(),
            handler_id=self.handler_combo.currentData(),
            party_id=party_id,
            contact_name=self.contact_name.text() if party_id is None else None,
            number_or_place=self.number_combo.currentText(),
            promise_amount=amount,
            promise_date=promise_date,
            next_follow_up=follow_up,
            others_present=self.others.text(),
        )

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        """Validate, then write in one transaction off the GUI thread; on a problem, say what
        and stay open (``saved_id`` is set and the dialog accepted once it is written)."""
        try:
            data = self.form_input()
        except UserError as exc:
            self._refused(exc)
            return
        ctx, case_id, corrects_id = self.ctx, self.case_id, self.corrects_id
        paths = list(self.attachment_paths)

        def work(_progress: Progress) -> str:
            if corrects_id:
                log = contacts.correct_contact(
                    ctx.db, ctx.actor, corrects_id, data, attachments=paths
                )
            else:
                log = contacts.log_contact(ctx.db, ctx.actor, case_id, data, attachments=paths)
            return log.id

        Operation(self, work).success(self._saved).refused(self._refused).disabling(
            self.buttons
        ).run_in_background()

    def _saved(self, log_id: str) -> None:
        self.saved_id = log_id
        self.accept()

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message)
        widget = self._labels.get(exc.field or "")
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)


def _qt_zone(zone: ZoneInfo) -> QTimeZone:
    """The court's zone for the date-time field (its offset today where Qt lacks the name)."""
    named = QTimeZone(zone.key.encode())
    if named.isValid():
        return named
    offset = datetime.now(zone).utcoffset()
    return QTimeZone(int(offset.total_seconds()) if offset else 0)
