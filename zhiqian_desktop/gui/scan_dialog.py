"""扫码登记送达: a USB scanner types a returned receipt's QR code (the document id) and Enter.

The code finds the document and opens 记录送达 for it; an unknown code is said in red and the field
is cleared and kept focused, so the clerk can scan the next receipt of the stack straight away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import ERROR_COLOUR, HINT_COLOUR
from zhiqian_desktop.gui.service_dialog import ServiceDialog
from zhiqian_desktop.services.supervision import service_records


class ScanDialog(QDialog):
    """Scan receipts one after another; ``served`` carries the case id after each recorded service."""

    served = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanDialog")
        self.setWindowTitle("扫码登记送达")
        self.ctx = ctx
        self.cases: dict[str, str] = {}
        """The case of each document found, to say which case was served."""
        self.service_dialog: ServiceDialog | None = None

        intro = QLabel("用扫码枪扫描送达回证或文书右上角的二维码；也可输入文书编号后按回车。", self)
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {HINT_COLOUR};")
        self.code = QLineEdit(self)
        self.code.setPlaceholderText("在此扫码…")
        self.code.setClearButtonEnabled(True)
        self.code.setStyleSheet("font-size: 13pt; padding: 4px;")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setObjectName("scanMessage")
        self.done_list = QListWidget(self)
        self.done_list.setMinimumHeight(120)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("本次已登记：", self))
        layout.addWidget(self.done_list, 1)
        layout.addWidget(buttons)
        self.code.returnPressed.connect(self.lookup)
        self.resize(480, 340)
        self.code.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The scanner's Enter, once the code field has used it, must not reach QDialog: it would
        # press the default button of the record-service dialog just opened (our child) and
        # save an empty service.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {ERROR_COLOUR if error else '#1e5b24'};")
        self.message.setText(text)

    def _ready_for_next(self) -> None:
        self.code.clear()
        self.code.setFocus()

    def lookup(self) -> ServiceDialog | None:
        """Find the scanned document and open 记录送达 for it (or say why not)."""
        text = self.code.text().strip()
        if not text:
            return None
        try:
            found = service_records.scanned_document(self.ctx.db, text)
        except UserError as exc:
            self._say(exc.message, error=True)
            self._ready_for_next()
            return None
        doc_id, doc_no = found.id, found.doc_no
        self.cases[doc_id] = found.case_id
        if found.voided:
            self._say(f"文书{doc_no}已作废，不能登记送达", error=True)
            self._ready_for_next()
            return None
        party_id, status = found.party_id, found.addressees
        wanted = [a for a in status if party_id is None or a.party_id == party_id]
        served = [a.service for a in wanted if a.service is not None]
        if wanted and len(served) == len(wanted):
            s = served[0]
            who = (
                f"向{wanted[0].name}"
                if party_id is not None or len(status) == 1
                else "向各受送达人"
            )
            self._say(
                f"文书{doc_no}已于{s.served_on.isoformat()}{who}登记送达（{s.method.label}），"
                "无需重复登记",
                error=True,
            )
            self._ready_for_next()
            return None
        return self._open_for(doc_id, party_id)

    def _open_for(self, document_id: str, party_id: str | None = None) -> ServiceDialog | None:
        try:
            dialog = ServiceDialog(self.ctx, document_id, self, party_id=party_id)
        except UserError as exc:
            self._say(exc.message, error=True)
            self._ready_for_next()
            return None
        self._say(f"已找到文书{dialog.doc_no}（受送达人{dialog.addressee}），请填写送达情况")
        dialog.saved.connect(
            lambda _sid: self._recorded(document_id, f"{dialog.doc_no}　{dialog.addressee}")
        )
        dialog.finished.connect(self._service_closed)
        self.service_dialog = dialog
        dialog.open()
        return dialog

    def _recorded(self, document_id: str, what: str) -> None:
        self.done_list.insertItem(0, what)
        self._say(f"已登记{what}的送达。请扫描下一份。")
        self.served.emit(self.cases[document_id])

    def _service_closed(self) -> None:
        # The closed dialog stays a hidden child of this one until this one closes: deleting it
        # as soon as its background save has closed it crashed Qt now and then (the save's last
        # deliveries and the deferred delete of the dialog race).
        self.service_dialog = None
        self._ready_for_next()
