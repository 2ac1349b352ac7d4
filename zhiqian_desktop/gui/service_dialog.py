"""记录送达: how, when, by whom and to whom a document was served, with photos kept as attachments."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
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
from zhiqian_desktop.domain.issuing import REASON_REQUIRED
from zhiqian_desktop.domain.kinds import ServiceMethod
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import (
    HINT_COLOUR,
    Banner,
    DateLineEdit,
    FieldError,
    with_error,
)
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.worker import Progress
from zhiqian_desktop.services.supervision import service_records

PHOTO_FILTER = "照片 (*.jpg *.jpeg *.png *.heic *.bmp *.tif *.tiff *.pdf);;所有文件 (*)"

REASON_HINTS = {
    ServiceMethod.SUBSTITUTE: "代收人与受送达人的关系及由其代收的理由（必填）",
    ServiceMethod.LEAVING: "拒收事由和日期（必填）",
    ServiceMethod.PUBLIC_NOTICE: "公告的媒体或地点、公告期间",
    ServiceMethod.POST: "邮件单号",
    ServiceMethod.ELECTRONIC: "送达的号码、邮箱或平台",
    ServiceMethod.GRID: "协助送达的网格员或村（居）委会",
}
RECIPIENT_LABELS = {
    ServiceMethod.SUBSTITUTE: "代收人",
    # The addressee or an adult family member living with them who refused it (art. 89).
    ServiceMethod.LEAVING: "拒收人",
}

ITEM_FLAGS_ROLE = Qt.ItemDataRole.UserRole.value - 1
"""The role a QStandardItemModel keeps an item's flags in (0: shown, not selectable)."""


class ServiceDialog(QDialog):
    """Record the service of one document on one of its addressees (each addressee has a
    送达回证 of their own, so each is recorded apart); ``saved`` carries the new record's id.

    ``party_id`` picks the addressee (a scanned receipt names one): the choice is then fixed."""

    saved = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        document_id: str,
        parent: QWidget | None = None,
        *,
        party_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("serviceDialog")
        self.setWindowTitle("记录送达")
        self.ctx, self.document_id = ctx, document_id
        self.today = ctx.clock.today()
        self.photos: list[Path] = []
        view = service_records.document_to_serve(ctx.db, document_id)
        self.doc_no, self.issued_on, self.title_text = view.doc_no, view.issued_on, view.title
        self.addressees = view.addressees
        if not self.addressees:
            raise UserError(
                f"{self.title_text}{self.doc_no}不向当事人送达（没有受送达人），不登记送达"
            )

        self.banner = Banner(self)
        heading = QLabel(f"{self.title_text}　{self.doc_no}", self)
        heading.setStyleSheet("font-size: 12pt; font-weight: bold; color: #1d3557;")
        sub = QLabel(f"出具日期 {self.issued_on.isoformat()}", self)
        sub.setStyleSheet(f"color: {HINT_COLOUR};")

        self.party = QComboBox(self)
        self.party.setObjectName("serviceParty")
        for a in self.addressees:
            when = f"（已于{a.service.served_on.isoformat()}送达）" if a.service else ""
            self.party.addItem(a.name + when, a.party_id)
            if a.service is not None:
                # Already served: shown for the record, not chosen again. (Through the item's
                # flags role: a QStandardItem taken from the model to disable it would be freed
                # twice when the dialog is deleted.)
                self.party.setItemData(self.party.count() - 1, 0, ITEM_FLAGS_ROLE)
        waiting = [a for a in self.addressees if a.service is None]
        chosen = next((a for a in self.addressees if a.party_id == party_id), None)
        if chosen is None:
            chosen = waiting[0] if waiting else self.addressees[0]
        self.addressee = chosen.name
        self.party.setCurrentIndex(self.party.findData(chosen.party_id))
        self.party.setEnabled(party_id is None and len(waiting) > 1)

        self.method = QComboBox(self)
        for method in ServiceMethod:
            self.method.addItem(method.label, method.value)
        self.served_on = DateLineEdit(self)
        self.served_on.set_date(self.today)
        self.server = QLineEdit(ctx.actor.display_name, self)
        self.server.setPlaceholderText("送达人姓名，两人送达时用顿号分隔")
        self.recipient = QLineEdit(self)
        self.recipient.setPlaceholderText(self.addressee or "签收人姓名")
        self.recipient_label = QLabel("签收人", self)
        self.address = QLineEdit(self)
        self.address.setPlaceholderText("送达地点")
        self.reason = QPlainTextEdit(self)
        self.reason.setFixedHeight(60)
        self.reason_label = QLabel("事由", self)
        self.witness = QLineEdit(self)
        self.witness.setPlaceholderText("到场见证的基层组织或者所在单位代表的姓名、身份")
        self.process_recorded = QCheckBox("已拍照、录像记录送达过程（照片可在下方添加）", self)
        self.remarks = QPlainTextEdit(self)
        self.remarks.setFixedHeight(50)
        self.photo_list = QListWidget(self)
        self.photo_list.setFixedHeight(70)
        self.add_photo_button = QPushButton("添加照片…", self)
        self.add_photo_button.clicked.connect(self.choose_photos)
        self.remove_photo_button = QPushButton("移除", self)
        self.remove_photo_button.clicked.connect(self.remove_photo)

        self.errors: dict[str, FieldError] = {}
        form = QFormLayout()
        box, self.errors["party"] = with_error(self.party, self)
        form.addRow("受送达人", box)
        form.addRow("送达方式", self.method)
        for key, label, field in (
            ("served_on", "送达日期", self.served_on),
            ("server", "送达人", self.server),
        ):
            box, self.errors[key] = with_error(field, self)
            form.addRow(label, box)
        box, self.errors["recipient"] = with_error(self.recipient, self)
        form.addRow(self.recipient_label, box)
        form.addRow("送达地点", self.address)
        box, self.errors["substitute_reason"] = with_error(self.reason, self)
        form.addRow(self.reason_label, box)
        box, self.errors["witness"] = with_error(self.witness, self)
        self.witness_label = QLabel("见证人", self)
        form.addRow(self.witness_label, box)
        form.addRow("", self.process_recorded)
        form.addRow("备注", self.remarks)
        photos = QWidget(self)
        photo_layout = QHBoxLayout(photos)
        photo_layout.setContentsMargins(0, 0, 0, 0)
        photo_layout.addWidget(self.photo_list, 1)
        side = QVBoxLayout()
        side.addWidget(self.add_photo_button)
        side.addWidget(self.remove_photo_button)
        side.addStretch(1)
        photo_layout.addLayout(side)
        box, self.errors["photos"] = with_error(photos, self)
        form.addRow("照片", box)

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(sub)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.party.currentIndexChanged.connect(self._party_changed)
        self._method_changed()
        self._party_changed()
        self.resize(520, self.sizeHint().height())
        done = chosen.service
        if done is not None:
            if len(self.addressees) > 1 and not waiting:
                text = "该文书的各受送达人均已登记送达，不能重复登记"
            else:
                text = (
                    f"{chosen.name}已于{done.served_on.isoformat()}以“{done.method.label}”"
                    "登记送达，不能重复登记"
                )
            self.banner.show_message(text, "warning")
            self.save_button.setEnabled(False)

    # --- state ----------------------------------------------------------------------------

    def current_addressee(self) -> service_records.AddresseeService:
        party_id = self.party.currentData()
        return next(a for a in self.addressees if a.party_id == party_id)

    def set_party(self, party_id: str) -> None:
        self.party.setCurrentIndex(self.party.findData(party_id))

    def _party_changed(self) -> None:
        who = self.current_addressee()
        self.addressee = who.name
        self.address.setPlaceholderText(
            f"送达地点（登记地址：{who.address}）" if who.address else "送达地点"
        )
        self._method_changed()

    def current_method(self) -> ServiceMethod:
        value = self.method.currentData()
        return next(m for m in ServiceMethod if m.value == value)

    def set_method(self, method: ServiceMethod) -> None:
        self.method.setCurrentIndex(self.method.findData(method.value))

    def _method_changed(self) -> None:
        method = self.current_method()
        required = method in REASON_REQUIRED
        self.reason_label.setText(
            {ServiceMethod.SUBSTITUTE: "代收理由", ServiceMethod.LEAVING: "拒收事由"}.get(
                method, "说明"
            )
            + ("＊" if required else "")
        )
        self.reason.setPlaceholderText(REASON_HINTS.get(method, "可不填"))
        label = RECIPIENT_LABELS.get(method, "签收人")
        self.recipient.setPlaceholderText(
            "代收人姓名（必填）"
            if method is ServiceMethod.SUBSTITUTE
            else (self.addressee or "签收人姓名")
        )
        self.recipient_label.setText(label + ("＊" if method is ServiceMethod.SUBSTITUTE else ""))
        # 留置送达 (art. 89): a witness, or the process photographed or filmed at the residence.
        leaving = method is ServiceMethod.LEAVING
        for widget in (self.witness_label, self.witness, self.process_recorded):
            widget.setVisible(leaving)
        for error in self.errors.values():
            error.show_message(None)

    def choose_photos(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "选择送达照片", "", PHOTO_FILTER)
        self.add_photos([Path(n) for n in names])

    def add_photos(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.photos:
                self.photos.append(path)
                self.photo_list.addItem(path.name)

    def remove_photo(self) -> None:
        row = self.photo_list.currentRow()
        if 0 <= row < len(self.photos):
            del self.photos[row]
            self.photo_list.takeItem(row)

    # --- saving ---------------------------------------------------------------------------

    def _show_error(self, exc: UserError) -> None:
        target = self.errors.get(exc.field or "")
        if target is not None:
            target.show_message(exc.message)
        else:
            self.banner.show_message(exc.message)

    def save(self) -> None:
        for error in self.errors.values():
            error.show_message(None)
        self.banner.clear_message()
        try:
            served_on = self.served_on.date_value()
        except UserError as exc:
            self.errors["served_on"].show_message(exc.message)
            return
        if served_on is None:
            self.errors["served_on"].show_message("请填写送达日期")
            return
        ctx, document_id, method = self.ctx, self.document_id, self.current_method()
        leaving = method is ServiceMethod.LEAVING
        party_id = self.current_addressee().party_id
        server, recipient, address = self.server.text(), self.recipient.text(), self.address.text()
        reason, remarks = self.reason.toPlainText(), self.remarks.toPlainText()
        witness = self.witness.text() if leaving else None
        process_recorded = leaving and self.process_recorded.isChecked()
        today, photos = self.today, list(self.photos)

        def work(_progress: Progress) -> str:
            service = service_records.record_service(
                ctx.db,
                ctx.actor,
                document_id,
                method,
                served_on,
                server,
                party_id=party_id,
                recipient=recipient,
                address=address,
                substitute_reason=reason,
                remarks=remarks,
                witness=witness,
                process_recorded=process_recorded,
                today=today,
                photos=photos,
            )
            return service.id

        Operation(self, work).success(self._saved).refused(self._show_error).disabling(
            self.save_button
        ).run_in_background()

    def _saved(self, service_id: str) -> None:
        self.saved.emit(service_id)
        self.accept()
