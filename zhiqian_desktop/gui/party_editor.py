"""The party editor of the case form: one applicant or obligor, a person or an organisation,
with the identity checks of the form as it is typed."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from importlib.resources import files
from typing import TypeVar, cast

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, Signal
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.cjk import expand_code_escapes
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.identity import parse_resident_id
from zhiqian_desktop.domain.kinds import LicenceStatus, PartyKind, PartyRole
from zhiqian_desktop.domain.money import parse_amount
from zhiqian_desktop.gui.form_fields import (
    HINT_COLOUR,
    DateLineEdit,
    NameLineEdit,
    set_error,
    with_error,
)
from zhiqian_desktop.services.intake.docket import (
    PartyInput,
    Problem,
)

W = TypeVar("W", bound=QObject)


def load_form(name: str, parent: QWidget) -> QWidget:
    """Load a Qt Designer form shipped in the package's ui/ folder."""
    loader = QUiLoader()
    loader.registerCustomWidget(DateLineEdit)
    data = files("zhiqian_desktop.ui").joinpath(name).read_bytes()
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    widget = loader.load(buffer, parent)
    buffer.close()
    if widget is None:
        raise RuntimeError(f"cannot load {name}: {loader.errorString()}")
    return widget


E = TypeVar("E", bound=StrEnum)


def enum_member(enum_cls: type[E], code: object) -> E:
    """The enum member a combo box holds by its code (Qt hands enums back as plain strings)."""
    return cast(E, enum_cls._value2member_map_[str(code)])


def combo_line(combo: QComboBox) -> QLineEdit:
    edit = combo.lineEdit()
    if edit is None:
        raise ValueError("the combo box is not editable")
    return edit


def child_widget(root: QWidget, cls: type[W], name: str) -> W:
    found = root.findChild(cls, name)
    if found is None:
        raise RuntimeError(f"case_form.ui has no {cls.__name__} named {name}")
    return found


def set_combo_data(combo: QComboBox, value: object) -> None:
    """Select the item holding `value` (enums are held by their code), else the first item."""
    if isinstance(value, StrEnum):
        value = value.value
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def set_combo_text(combo: QComboBox, text: str | None) -> None:
    combo.setCurrentText(text or "")


class PartyEditor(QGroupBox):
    """One party's sub-form; the reason a field is wrong shows under it as the clerk types."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, role: PartyRole, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.party_id: str | None = None
        self.touched: set[str] = set()
        self.role = QComboBox()
        for r in PartyRole:
            self.role.addItem(r.label, r.value)
        set_combo_data(self.role, role)
        self.kind = QComboBox()
        for k in PartyKind:
            self.kind.addItem(k.label, k.value)
        self.remove = QPushButton("删除")
        self.remove.setAutoDefault(False)
        self.remove.setToolTip("删除这名当事人")
        self.name = NameLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(24)
        self.phones = QLineEdit()
        self.phones.setPlaceholderText("多个号码用顿号或逗号隔开，如 13912345678、0471-1234567")
        self.address = QLineEdit()
        self.legal_representative = QLineEdit()
        self.registered_capital = QLineEdit()
        self.registered_capital.setPlaceholderText("如 500万 请写 5,000,000")
        self.licence_status = QComboBox()
        self.licence_status.addItem("（未填写）", None)
        for s in LicenceStatus:
            self.licence_status.addItem(s.label, s.value)

        head = QWidget()
        head_layout = QHBoxLayout(head)
        head_layout.setContentsMargins(0, 0, 0, 0)
        head_layout.addWidget(self.role, 1)
        head_layout.addWidget(self.kind, 1)
        head_layout.addWidget(self.remove)

        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(6)
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self._row("诉讼地位", "head", head)
        name_box, self.errors["name"] = with_error(self.name)
        name_layout = cast(QVBoxLayout, name_box.layout())
        name_layout.insertWidget(1, self.name.preview)
        self._row("姓名", "name", name_box)
        id_box, self.errors["id_number"] = with_error(self.id_number)
        self.id_hint = QLabel()
        self.id_hint.setStyleSheet(f"color: {HINT_COLOUR};")
        id_layout = cast(QVBoxLayout, id_box.layout())
        id_layout.insertWidget(1, self.id_hint)
        self.id_hint.hide()
        self._row("身份证号码", "id_number", id_box)
        self._row("联系电话", "phones", self.phones, error=True)
        self._row("住址", "address", self.address)
        self._row("法定代表人", "legal_representative", self.legal_representative)
        capital_row = QWidget()
        capital_layout = QHBoxLayout(capital_row)
        capital_layout.setContentsMargins(0, 0, 0, 0)
        capital_layout.addWidget(self.registered_capital, 2)
        capital_layout.addWidget(QLabel("登记状态"))
        capital_layout.addWidget(self.licence_status, 1)
        capital_box, self.errors["registered_capital"] = with_error(capital_row)
        self._row("注册资本", "registered_capital", capital_box)

        for edit in (
            self.name,
            self.id_number,
            self.phones,
            self.address,
            self.legal_representative,
            self.registered_capital,
        ):
            edit.textChanged.connect(self.changed)
        self.name.textEdited.connect(lambda: self._touch("name"))
        self.id_number.textEdited.connect(lambda: self._touch("id_number"))
        self.phones.textEdited.connect(lambda: self._touch("phones"))
        self.registered_capital.textEdited.connect(lambda: self._touch("registered_capital"))
        self.role.currentIndexChanged.connect(self._kind_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.licence_status.currentIndexChanged.connect(self.changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self._kind_changed()

    def _row(self, text: str, key: str, widget: QWidget, *, error: bool = False) -> None:
        if error:
            widget, self.errors[key] = with_error(widget)
        label = QLabel(text)
        self.labels[key] = label
        self.form.addRow(label, widget)

    def _touch(self, key: str) -> None:
        self.touched.add(key)

    @property
    def party_role(self) -> PartyRole:
        return enum_member(PartyRole, self.role.currentData())

    @property
    def party_kind(self) -> PartyKind:
        return enum_member(PartyKind, self.kind.currentData())

    def set_number(self, n: int) -> None:
        self.setTitle(f"当事人{n} · {self.party_role.label}")
        self._number = n

    def _kind_changed(self) -> None:
        person = self.party_kind is PartyKind.PERSON
        self.labels["name"].setText("姓名" if person else "名称")
        self.labels["id_number"].setText("身份证号码" if person else "统一社会信用代码")
        self.id_number.setPlaceholderText(
            "18位，末位可为X" if person else "18位，如 91150200MA0N1234XX"
        )
        self.labels["address"].setText("住址" if person else "住所地")
        rep = "法定代表人" if self.party_kind is PartyKind.LEGAL_PERSON else "负责人"
        self.labels["legal_representative"].setText(rep)
        self.form.setRowVisible(self.labels["legal_representative"], not person)
        self.form.setRowVisible(self.labels["registered_capital"], not person)
        if hasattr(self, "_number"):
            self.set_number(self._number)
        self.changed.emit()

    def tab_chain(self) -> list[QWidget]:
        return [
            self.role,
            self.kind,
            self.name,
            self.id_number,
            self.phones,
            self.address,
            self.legal_representative,
            self.registered_capital,
            self.licence_status,
            self.remove,
        ]

    def load(self, p: PartyInput) -> None:
        self.party_id = p.id
        set_combo_data(self.role, p.role)
        set_combo_data(self.kind, p.kind)
        self.name.setText(p.name)
        self.id_number.setText(p.id_number or "")
        self.phones.setText(p.phones or "")
        self.address.setText(p.address or "")
        self.legal_representative.setText(p.legal_representative or "")
        capital = p.registered_capital
        self.registered_capital.setText(f"{capital:,}" if capital is not None else "")
        set_combo_data(self.licence_status, p.licence_status)

    def _name_text(self, index: int, problems: list[Problem]) -> str:
        try:
            return expand_code_escapes(self.name.text())
        except UserError as exc:
            problems.append(Problem(f"parties[{index}].name", exc.message))
            return self.name.text()

    def to_input(self, index: int) -> tuple[PartyInput, list[Problem]]:
        problems: list[Problem] = []
        person = self.party_kind is PartyKind.PERSON
        capital: Decimal | None = None
        if not person and self.registered_capital.text().strip():
            try:
                capital = parse_amount(self.registered_capital.text())
            except UserError as exc:
                problems.append(Problem(f"parties[{index}].registered_capital", exc.message))
        licence = self.licence_status.currentData() if not person else None
        data = PartyInput(
            role=self.party_role,
            name=self._name_text(index, problems),
            kind=self.party_kind,
            id_number=self.id_number.text().strip() or None,
            phones=self.phones.text().strip() or None,
            address=self.address.text().strip() or None,
            legal_representative=(self.legal_representative.text().strip() or None)
            if not person
            else None,
            registered_capital=capital,
            licence_status=enum_member(LicenceStatus, licence) if licence else None,
            id=self.party_id,
        )
        return data, problems

    def show_problems(self, messages: dict[str, str], show_all: bool) -> None:
        # The service names the party in its messages; beside the party's own field that is noise.
        prefixes = tuple(f"{who}：" for who in (self.name.text(), self.party_role.label) if who)
        for key, label in self.errors.items():
            message = messages.get(key)
            if message and message.startswith(prefixes):
                message = message.split("：", 1)[1]
            set_error(label, message if (show_all or key in self.touched) else None)
        hint = ""
        if self.party_kind is PartyKind.PERSON and "id_number" not in messages:
            text = self.id_number.text().strip()
            if text:
                try:
                    rid = parse_resident_id(text)
                    b = rid.birth_date
                    hint = f"出生日期 {b.year}年{b.month}月{b.day}日 · {rid.sex}"
                except UserError:
                    hint = ""
        self.id_hint.setText(hint)
        self.id_hint.setVisible(bool(hint))

    def first_error_widget(self, messages: dict[str, str]) -> QWidget | None:
        widgets = {
            "name": self.name,
            "id_number": self.id_number,
            "phones": self.phones,
            "registered_capital": self.registered_capital,
        }
        for key, widget in widgets.items():
            if key in messages:
                return widget
        return None


# Fields of the case itself, in form order: problem field name → widget name in case_form.ui.
