"""The 文书 tab of the case page: issued documents, issuing a new one, previewing, printing, service.

A document opens in the app's own preview (gui/pdf_view.py), which prints through the system print
dialog and can hand the file to the system's PDF viewer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import RECORD_DOCUMENTS
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import HINT_COLOUR, Banner
from zhiqian_desktop.gui.pdf_view import PdfPreviewDialog, show_pdf
from zhiqian_desktop.gui.service_dialog import ServiceDialog
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.closing import batch_print
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.services.supervision.notices import DocumentRow

HEADERS = ("文书编号", "文书", "出具日期", "送达", "送达方式", "送达日期", "签收人", "照片")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class IssueDialog(QDialog):
    """出具文书: which document, whether its 送达回证 comes with it, whether to open it after."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("出具文书")
        self.kind = QComboBox(self)
        for kind in DocumentKind:
            if kind is not DocumentKind.SERVICE_RECEIPT and kind not in RECORD_DOCUMENTS:
                self.kind.addItem(kind.label, kind.value)
        self.with_receipt = QCheckBox("同时出具送达回证（每名受送达人一份，排在文书之后）", self)
        self.with_receipt.setChecked(True)
        self.open_after = QCheckBox("出具后预览，以便核对和打印", self)
        self.open_after.setChecked(True)
        note = QLabel("文书出具后即编号存档；以后修改模板不影响已出具的文书。", self)
        note.setStyleSheet(f"color: {HINT_COLOUR};")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("文书种类", self.kind)
        form.addRow("", self.with_receipt)
        form.addRow("", self.open_after)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("出具", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def chosen_kind(self) -> DocumentKind:
        value = self.kind.currentData()
        return next(k for k in DocumentKind if k.value == value)

    def set_kind(self, kind: DocumentKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))


class DocumentsTab(QWidget):
    """The case's documents; ``changed`` fires after a document was issued or served."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentsTab")
        self.ctx = ctx
        self.case_id: str | None = None
        self.rows: list[DocumentRow] = []
        self.dialog: QDialog | None = None
        self.task: Task | None = None
        self.preview: PdfPreviewDialog | None = None
        self.opener: Callable[[Path], bool] = self.show_preview
        """Replaced in some tests, which only check what would be shown."""

        self.banner = Banner(self)
        self.urging_label = QLabel(self)
        self.urging_label.setObjectName("urgingPeriod")
        self.urging_label.setStyleSheet("font-size: 11pt; color: #1d4f7a;")
        self.urging_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((250, 150, 90, 80, 150, 90, 90)):
            self.table.setColumnWidth(col, width)
        self.memory = TableMemory(self.table, ctx.actor.username, "documents")
        self.empty = QLabel(
            "尚未出具文书。点“出具文书”制作催告书、通知书等，并可同时打印送达回证。"
        )
        self.empty.setStyleSheet(f"color: {HINT_COLOUR}; padding: 6px;")

        self.issue_button = QPushButton("出具文书(&I)…", self)
        self.open_button = QPushButton("预览/打印(&O)", self)
        self.open_button.setToolTip("在本软件中预览已出具的文书，可打印或用系统程序打开")
        self.serve_button = QPushButton("记录送达(&S)…", self)
        self.reprint_button = QPushButton("重新打印(&R)", self)
        self.reprint_button.setToolTip(
            "按出具时保存的内容重新生成PDF并预览（存档文件缺失时也可用）"
        )
        for button, slot in (
            (self.issue_button, self.issue),
            (self.open_button, self.open_selected),
            (self.serve_button, self.record_service),
            (self.reprint_button, self.reprint_selected),
        ):
            button.clicked.connect(slot)
        buttons = QHBoxLayout()
        buttons.addWidget(self.urging_label, 1)
        for b in (self.issue_button, self.open_button, self.serve_button, self.reprint_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self._selection_changed()

    @property
    def today(self) -> date:
        return self.ctx.clock.today()

    # --- showing --------------------------------------------------------------------------

    def show_case(self, case_id: str) -> None:
        if case_id != self.case_id:
            # The same case shown again (the page refreshing after our own change) keeps the
            # message about what was just issued or served.
            self.banner.clear_message()
            self.table.clearSelection()
        self.case_id = case_id
        self.refresh()

    def refresh(self, select_id: str | None = None) -> None:
        if self.case_id is None:
            return
        current = self.selected()
        select_id = select_id or (current.id if current else None)
        documents = notices.case_documents(self.ctx.db, self.case_id)
        rows, end = documents.rows, documents.urging_end
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            state = row.state
            values = (
                row.doc_no,
                row.kind.label,
                row.issued_on.isoformat(),
                state,
                row.method,
                row.served_on.isoformat() if row.served_on else row.dates,
                row.recipient,
                f"{row.photos}张" if row.photos else "",
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, row.id)
                if row.detail:
                    item.setToolTip(row.detail)
                if c == 3 and row.can_serve:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.memory.arrange(fit=False)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if end is None:
            self.urging_label.setText("")
        else:
            rolled = f"（{end.rolled_from.isoformat()}为节假日，顺延）" if end.rolled_from else ""
            check = "；节假日数据不全，请人工核对" if not end.calendar_complete else ""
            self.urging_label.setText(
                f"催告书{end.start.isoformat()}送达，催告期{end.days}日，"
                f"至{end.end.isoformat()}届满{rolled}{check}"
            )
        if select_id:
            for r, row in enumerate(rows):
                if row.id == select_id:
                    self.table.selectRow(r)
                    break
        self._selection_changed()

    def selected(self) -> DocumentRow | None:
        items = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not items:
            return None
        r = items[0].row()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def select_document(self, document_id: str) -> None:
        for r, row in enumerate(self.rows):
            if row.id == document_id:
                self.table.selectRow(r)
                return

    def _selection_changed(self) -> None:
        row = self.selected()
        self.issue_button.setEnabled(self.case_id is not None and self.task is None)
        self.open_button.setEnabled(row is not None)
        self.reprint_button.setEnabled(row is not None)
        self.serve_button.setEnabled(row is not None and row.can_serve)
        if row is not None and row.kind is DocumentKind.SERVICE_RECEIPT:
            self.serve_button.setToolTip("送达回证本身不登记送达；请选择被送达的文书")
        elif row is not None and not row.addressees:
            self.serve_button.setToolTip("该文书不向当事人送达，不登记送达")
        elif row is not None and not row.can_serve and not row.voided:
            self.serve_button.setToolTip("该文书已向每名受送达人登记送达")
        else:
            self.serve_button.setToolTip(
                "登记送达方式、日期、送达人、签收人和照片（每名受送达人分别登记）"
            )

    # --- issuing --------------------------------------------------------------------------

    def issue(self) -> IssueDialog | None:
        if self.case_id is None:
            return None
        dialog = IssueDialog(self)
        dialog.accepted.connect(
            lambda: self.issue_kind(
                dialog.chosen_kind(),
                with_receipt=dialog.with_receipt.isChecked(),
                open_after=dialog.open_after.isChecked(),
            )
        )
        self._open_dialog(dialog)
        return dialog

    def issue_kind(
        self, kind: DocumentKind, *, with_receipt: bool = True, open_after: bool = True
    ) -> Task | None:
        """Issue ``kind`` (and its receipt) off the GUI thread; the PDF opens when asked."""
        case_id = self.case_id
        if case_id is None or self.task is not None:
            return None
        db, actor, today = self.ctx.db, self.ctx.actor, self.today

        def work(progress: Progress) -> batch_print.BatchResult:
            case_no = batch_print.cases_by_id(db, [case_id])[0].case_no
            name = f"{case_no}-{kind.label}.pdf"
            return batch_print.issue_batch(
                db,
                actor,
                [case_id],
                kind,
                receipts=with_receipt,
                today=today,
                printout_name=name,
                progress=progress,
            )

        def done(result: batch_print.BatchResult) -> None:
            issued = result.documents[0]
            extra = (
                f"及送达回证{'、'.join(r.doc_no for r in result.receipts)}"
                if result.receipts
                else ""
            )
            self.banner.show_message(
                f"已出具{kind.label}{issued.doc_no}{extra}，已编号存档。"
                + ("" if open_after else "可点“预览/打印”核对和打印。"),
                "success",
            )
            self.refresh(select_id=issued.id)
            self.changed.emit()
            if open_after:
                self._open_path(result.pdf_path)

        self.banner.show_message(f"正在出具{kind.label}…", "info")
        self.task = run_in_background(
            work, on_success=done, on_failure=self._failed, on_finished=self._task_finished
        )
        self._selection_changed()
        return self.task

    def _task_finished(self) -> None:
        self.task = None
        self._selection_changed()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.banner.show_message(exc.message)
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)

    # --- opening and printing -------------------------------------------------------------

    def show_preview(self, path: Path) -> bool:
        """The in-app preview window (one at a time: a new document replaces the last)."""
        if self.preview is not None:
            self.preview.close()
        self.preview = show_pdf(path, self)
        self.preview.finished.connect(lambda _r, d=self.preview: self._preview_closed(d))
        return True

    def _preview_closed(self, dialog: PdfPreviewDialog) -> None:
        if self.preview is dialog:
            self.preview = None

    def _open_path(self, path: Path) -> None:
        if not self.opener(path):
            self.banner.show_message(
                f"无法预览文件；文件保存在：{path}，请用系统的PDF阅读器打开后打印", "warning"
            )

    def open_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            path = batch_print.document_printout(self.ctx.db, row.id)
        except UserError as exc:
            self.banner.show_message(exc.message)
            return
        self._open_path(path)

    def reprint_selected(self) -> None:
        """Draw the document again from the data stored when it was issued, then open it."""
        row = self.selected()
        if row is None:
            return
        try:
            path = batch_print.redrawn_printout(self.ctx.db, row.id)
        except UserError as exc:
            self.banner.show_message(exc.message)
            return
        except OSError as exc:
            self.banner.show_message(f"无法写入打印文件（{exc.strerror}）；请检查磁盘空间和权限")
            return
        self._open_path(path)

    # --- service --------------------------------------------------------------------------

    def record_service(self) -> ServiceDialog | None:
        row = self.selected()
        if row is None or not row.can_serve:
            return None
        try:
            dialog = ServiceDialog(self.ctx, row.id, self)
        except UserError as exc:
            self.banner.show_message(exc.message)
            return None
        dialog.saved.connect(lambda _sid: self._served(row.id))
        self._open_dialog(dialog)
        return dialog

    def _served(self, document_id: str) -> None:
        self.refresh(select_id=document_id)
        self.banner.show_message("已登记送达。", "success")
        self.changed.emit()

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
