"""批量打印: the cases of a service trip, one kind of document, optional receipts, one PDF.

The cases come from the due-list of a date (for a handler and/or tribunal), from the rows selected
in the docket, or from the docket's current filter. Issuing runs off the GUI thread with a progress
bar; 取消 stops it and nothing of the batch is kept. The trip PDF then opens in the app's preview,
which prints through the system print dialog.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, Role
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import HINT_COLOUR, Banner, DateLineEdit
from zhiqian_desktop.gui.pdf_view import PdfPreviewDialog, show_pdf
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.closing import batch_print
from zhiqian_desktop.services.closing.batch_print import BatchCase, BatchResult
from zhiqian_desktop.services.core.staff import team_choices
from zhiqian_desktop.services.intake.docket import DocketQuery

ALL = "__all__"
HEADERS = ("", "案号", "被申请人", "承办人", "待办事项")


class BatchPrintDialog(QDialog):
    """Choose the trip's cases and document; ``printed`` carries the trip PDF's path."""

    printed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        case_ids: Sequence[str] | None = None,
        docket_query: DocketQuery | None = None,
        due_on: date | None = None,
    ) -> None:
        """``due_on``: opened from 今日待办 — the due-list of that date is where the cases come
        from, whatever was selected in the docket."""
        super().__init__(parent)
        self.setObjectName("batchPrintDialog")
        self.setWindowTitle("批量打印（上门送达）")
        self.ctx = ctx
        actor = ctx.actor
        self.today = ctx.clock.today()
        self.selected_ids = [] if due_on is not None else list(case_ids or [])
        self.docket_query = docket_query
        self.cases: list[BatchCase] = []
        self.task: Task | None = None
        self.last_result: BatchResult | None = None
        self.preview: PdfPreviewDialog | None = None
        self.opener: Callable[[Path], bool] = self.show_preview
        """Replaced in some tests, which only check what would be shown."""

        # --- where the cases come from
        self.from_due = QRadioButton("待办清单", self)
        self.from_selected = QRadioButton(f"台账中选中的案件（{len(self.selected_ids)}件）", self)
        self.from_docket = QRadioButton("台账当前筛选结果", self)
        self.from_selected.setEnabled(bool(self.selected_ids))
        self.from_docket.setEnabled(docket_query is not None)
        (self.from_selected if self.selected_ids else self.from_due).setChecked(True)
        self.due_date = DateLineEdit(self)
        self.due_date.set_date(due_on or self.today)
        self.handler = QComboBox(self)
        self.tribunal = QComboBox(self)
        self.handler.addItem("全部承办人", ALL)
        self.tribunal.addItem("全部法庭", ALL)
        team = team_choices(ctx.db)
        for c in team.handlers:
            self.handler.addItem(c.name, c.id)
        for c in team.tribunals:
            self.tribunal.addItem(c.name, c.id)
        if actor.role is Role.HANDLER and actor.user_id:
            index = self.handler.findData(actor.user_id)
            if index >= 0:
                self.handler.setCurrentIndex(index)
        self.load_button = QPushButton("列出案件", self)
        self.load_button.clicked.connect(lambda: self.load_cases())

        source = QHBoxLayout()
        for w in (self.from_due, self.from_selected, self.from_docket):
            source.addWidget(w)
        source.addStretch(1)
        due = QHBoxLayout()
        due.addWidget(QLabel("日期", self))
        due.addWidget(self.due_date)
        due.addWidget(QLabel("承办人", self))
        due.addWidget(self.handler)
        due.addWidget(QLabel("法庭", self))
        due.addWidget(self.tribunal)
        due.addWidget(self.load_button)
        due.addStretch(1)

        # --- the cases
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((28, 230, 160, 80)):
            self.table.setColumnWidth(col, width)
        self.memory = TableMemory(self.table, ctx.actor.username, "batch-print")
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet(f"color: {HINT_COLOUR};")
        self.all_button = QPushButton("全选", self)
        self.none_button = QPushButton("全不选", self)
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.table.itemChanged.connect(lambda _item: self._update_count())

        # --- what to print
        self.kind = QComboBox(self)
        for kind in batch_print.BATCH_KINDS:
            self.kind.addItem(kind.label, kind.value)
        self.receipts = QCheckBox("每份文书后附送达回证", self)
        self.receipts.setChecked(True)
        what = QFormLayout()
        what.addRow("文书种类", self.kind)
        what.addRow("", self.receipts)

        self.banner = Banner(self)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.progress_text = QLabel(self)
        self.progress_text.setStyleSheet(f"color: {HINT_COLOUR};")
        self.print_button = QPushButton("出具并打印", self)
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("关闭", self)
        self.close_button.clicked.connect(self.reject)

        counts = QHBoxLayout()
        counts.addWidget(self.count_label, 1)
        counts.addWidget(self.all_button)
        counts.addWidget(self.none_button)
        actions = QHBoxLayout()
        actions.addWidget(self.progress_text, 1)
        actions.addWidget(self.print_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(source)
        layout.addLayout(due)
        layout.addWidget(self.table, 1)
        layout.addLayout(counts)
        layout.addLayout(what)
        layout.addWidget(self.banner)
        layout.addWidget(self.progress)
        layout.addLayout(actions)
        for radio in (self.from_due, self.from_selected, self.from_docket):
            radio.toggled.connect(self._source_changed)
        self.resize(820, 560)
        self._source_changed()

    # --- choosing -------------------------------------------------------------------------

    def _source_changed(self) -> None:
        due = self.from_due.isChecked()
        for w in (self.due_date, self.handler, self.tribunal):
            w.setEnabled(due)
        self._set_busy(False)
        self.load_cases()

    def load_cases(self, *, keep_message: bool = False) -> None:
        if not keep_message:
            self.banner.clear_message()
        db = self.ctx.db
        try:
            if self.from_due.isChecked():
                on = self.due_date.date_value() or self.today
                cases = batch_print.cases_from_due_list(
                    db,
                    on,
                    handler_id=self._choice(self.handler),
                    tribunal_id=self._choice(self.tribunal),
                )
            elif self.from_selected.isChecked():
                cases = batch_print.cases_by_id(db, self.selected_ids)
            elif self.docket_query is not None:
                cases = batch_print.cases_from_docket(db, self.docket_query, today=self.today)
            else:
                cases = []
        except UserError as exc:
            self.banner.show_message(exc.message)
            cases = []
        self.show_cases(cases)

    @staticmethod
    def _choice(combo: QComboBox) -> str | None:
        value = combo.currentData()
        return None if value in (ALL, None) else str(value)

    def show_cases(self, cases: list[BatchCase]) -> None:
        self.cases = cases
        self.table.blockSignals(True)
        self.table.setRowCount(len(cases))
        for r, c in enumerate(cases):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(r, 0, check)
            for col, text in enumerate((c.case_no, c.obligors, c.handler, c.reason), start=1):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self.memory.arrange(fit=False)
        self.table.blockSignals(False)
        self._update_count()

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None:
                item.setCheckState(state)
        self.table.blockSignals(False)
        self._update_count()

    def chosen_ids(self) -> list[str]:
        out = []
        for r, case in enumerate(self.cases):
            item = self.table.item(r, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(case.id)
        return out

    def _update_count(self) -> None:
        chosen = len(self.chosen_ids())
        self.count_label.setText(
            f"共{len(self.cases)}件，已选{chosen}件" if self.cases else "没有符合条件的案件"
        )
        if self.task is None:
            self.print_button.setEnabled(chosen > 0)

    def chosen_kind(self) -> DocumentKind:
        value = self.kind.currentData()
        return next(k for k in DocumentKind if k.value == value)

    def set_kind(self, kind: DocumentKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))

    # --- running --------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for w in (
            self.from_due,
            self.from_selected,
            self.from_docket,
            self.load_button,
            self.table,
            self.kind,
            self.receipts,
            self.all_button,
            self.none_button,
            self.close_button,
        ):
            w.setEnabled(not busy)
        self.from_selected.setEnabled(not busy and bool(self.selected_ids))
        self.from_docket.setEnabled(not busy and self.docket_query is not None)
        self.cancel_button.setEnabled(busy)
        self.print_button.setEnabled(not busy and bool(self.chosen_ids()))

    def start(self) -> Task | None:
        ids = self.chosen_ids()
        if not ids or self.task is not None:
            return None
        db, actor, today = self.ctx.db, self.ctx.actor, self.today
        kind, receipts = self.chosen_kind(), self.receipts.isChecked()
        from_due = self.from_due.isChecked()

        def work(progress: Progress) -> BatchResult:
            skipped: list[batch_print.SkippedCase] = []
            chosen = ids
            if from_due:
                # As `print-batch --due-date`: the due-list says who needs attention, not who may
                # get this document; those that may not are left out and named.
                ok, skipped = batch_print.issuable_cases(
                    db, batch_print.cases_by_id(db, ids), kind, today=today
                )
                if not ok:
                    raise UserError(
                        f"所选{len(ids)}件案件都不能出具{kind.label}（如：{skipped[0].reason}）"
                    )
                chosen = [c.id for c in ok]
            result = batch_print.issue_batch(
                db, actor, chosen, kind, receipts=receipts, today=today, progress=progress
            )
            return dataclasses.replace(result, skipped=tuple(skipped))

        self.banner.clear_message()
        self.progress.setRange(0, len(ids) + 1)
        self.progress.setValue(0)
        self.progress.show()
        self.progress_text.setText("正在准备…")
        self.task = run_in_background(
            work,
            on_success=self._done,
            on_failure=self._failed,
            on_progress=self._progress,
            on_cancelled=self._cancelled,
            on_finished=self._finished,
        )
        self._set_busy(True)
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.progress_text.setText("正在取消…")
            self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int, text: str) -> None:
        if total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress_text.setText(text)

    def _done(self, result: BatchResult) -> None:
        self.last_result = result
        pages = "及送达回证" if result.receipts else ""
        left_out = ""
        if result.skipped:
            reasons = [
                s.reason if s.case.case_no in s.reason else f"{s.case.case_no}：{s.reason}"
                for s in result.skipped[:3]
            ]
            more = "；等" if len(result.skipped) > 3 else ""
            left_out = f"跳过{len(result.skipped)}件：" + "；".join(reasons) + more + "。"
        self.banner.show_message(
            f"已出具{result.case_count}件{result.kind.label}{pages}，"
            f"合并为一个PDF：{result.pdf_path}。{left_out}",
            "warning" if result.skipped else "success",
        )
        self.printed.emit(str(result.pdf_path))
        if not self.opener(result.pdf_path):
            self.banner.show_message(
                f"已出具，但无法预览；文件保存在：{result.pdf_path}，请用系统的PDF阅读器打开",
                "warning",
            )
        self.load_cases(keep_message=True)

    def show_preview(self, path: Path) -> bool:
        """The trip PDF in the app's preview, a window of its own (this dialog may be closed)."""
        if self.preview is not None:
            self.preview.close()
        self.preview = show_pdf(path, self.parentWidget(), title=path.name)
        self.preview.finished.connect(lambda _r, d=self.preview: self._preview_closed(d))
        return True

    def _preview_closed(self, dialog: PdfPreviewDialog) -> None:
        if self.preview is dialog:
            self.preview = None

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.banner.show_message(f"{exc.message.rstrip('。')}。本批文书均未出具。")
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)

    def _cancelled(self) -> None:
        self.banner.show_message("已取消：本批文书均未出具，未占用文书编号。", "warning")

    def _finished(self) -> None:
        self.task = None
        self.progress.hide()
        self.progress_text.setText("")
        self._set_busy(False)

    def reject(self) -> None:
        if self.task is not None:
            self.cancel()
            return
        super().reject()
