"""The case form: register a supervision case or edit one, with its parties and obligation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import StaleEditError, UserError
from zhiqian_desktop.domain.kinds import CaseSource, PartyRole, Role
from zhiqian_desktop.domain.money import capital_amount, parse_amount
from zhiqian_desktop.domain.workflow import CaseAction, available_actions
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import (
    HINT_COLOUR,
    DateLineEdit,
    hide_banner,
    set_error,
    show_banner,
    style_error_label,
)
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.party_editor import (
    PartyEditor,
    child_widget,
    combo_line,
    enum_member,
    load_form,
    set_combo_data,
    set_combo_text,
)
from zhiqian_desktop.gui.worker import Progress
from zhiqian_desktop.services.core.staff import team_choices
from zhiqian_desktop.services.intake.docket import (
    CaseInput,
    PartyInput,
    check_case,
    get_case,
    register_case,
    update_case,
)

DOC_TYPES = ("判决书", "调解书", "裁定书", "支付令", "决定书")
COMMON_CAUSES = (
    "民间借贷纠纷",
    "买卖合同纠纷",
    "追索劳动报酬纠纷",
    "劳务合同纠纷",
    "机动车交通事故责任纠纷",
    "提供劳务者受害责任纠纷",
    "生命权、身体权、健康权纠纷",
    "抚养费纠纷",
    "赡养费纠纷",
    "离婚纠纷",
    "房屋租赁合同纠纷",
    "物业服务合同纠纷",
    "建设工程施工合同纠纷",
    "承揽合同纠纷",
    "金融借款合同纠纷",
    "信用卡纠纷",
    "服务合同纠纷",
    "不当得利纠纷",
    "财产损害赔偿纠纷",
    "土地承包经营权纠纷",
)
DEPARTMENTS = (
    "民事审判第一庭",
    "民事审判第二庭",
    "商事审判庭",
    "速裁庭",
    "立案庭",
)
LIVELIHOOD_KINDS = (
    "追索劳动报酬",
    "农民工工资",
    "抚养费",
    "赡养费",
    "扶养费",
    "交通事故赔偿",
    "人身损害赔偿",
    "医疗损害赔偿",
    "其他",
)

CASE_FIELDS = (
    "original_case_no",
    "original_doc_type",
    "cause",
    "effective_date",
    "performance_deadline",
    "final_installment_date",
    "application_received_on",
    "department",
    "trial_judge",
    "amount_due",
    "obligation_act",
    "received_date",
    "source",
    "handler",
    "tribunal",
    "notes",
)


class CaseFormDialog(QDialog):
    """Register a new case (case_id None) or edit one; refuses to save while anything is wrong."""

    saved = Signal(str)

    def __init__(
        self, ctx: AppContext, case_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.today = ctx.clock.today()
        self.saved_case_id: str | None = None
        self.saved_case_no: str | None = None
        self._version = 0  # of the case being edited (read with it)
        self._touched: set[str] = set()
        self._show_all = False
        self._loading = True
        self._discard_armed = False
        self.parties: list[PartyEditor] = []

        self.setWindowTitle("登记督促案件" if case_id is None else "修改案件信息")
        self.setSizeGripEnabled(True)
        self.form = load_form("case_form.ui", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.form)
        # Fit a 1366×768 court laptop: both columns scroll, so the window may be shorter.
        screen = self.screen().availableGeometry() if self.screen() else None
        height = min(780, screen.height() - 60) if screen and screen.height() > 400 else 780
        width = min(1180, screen.width() - 40) if screen and screen.width() > 800 else 1180
        self.resize(width, height)
        self._bind_widgets()
        self._fill_choices()
        if case_id is None:
            self._new_case_defaults()
        else:
            self._load_case(case_id)
        self._loading = False
        self._fit_columns()
        self._connect()
        self._update_tab_order()
        self.validate()
        self.original_case_no.setFocus()

    # --- building ------------------------------------------------------------------------------

    def _bind_widgets(self) -> None:
        f = self.form
        self.case_no_label = child_widget(f, QLabel, "case_no_label")
        self.case_no_label.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1d3557;")
        self.banner = child_widget(f, QLabel, "message_banner")
        hide_banner(self.banner)
        self.original_case_no = child_widget(f, QLineEdit, "original_case_no")
        self.original_doc_type = child_widget(f, QComboBox, "original_doc_type")
        self.cause = child_widget(f, QComboBox, "cause")
        self.effective_date = child_widget(f, DateLineEdit, "effective_date")
        self.performance_deadline = child_widget(f, DateLineEdit, "performance_deadline")
        self.final_installment_date = child_widget(f, DateLineEdit, "final_installment_date")
        self.application_received_on = child_widget(f, DateLineEdit, "application_received_on")
        self.department = child_widget(f, QComboBox, "department")
        self.trial_judge = child_widget(f, QLineEdit, "trial_judge")
        self.amount_due = child_widget(f, QLineEdit, "amount_due")
        self.amount_hint = child_widget(f, QLabel, "amount_due_hint")
        self.amount_hint.setStyleSheet(f"color: {HINT_COLOUR};")
        self.amount_hint.hide()
        self.obligation_act = child_widget(f, QPlainTextEdit, "obligation_act")
        self.livelihood = child_widget(f, QCheckBox, "livelihood")
        self.livelihood_kind = child_widget(f, QComboBox, "livelihood_kind")
        self.received_date = child_widget(f, DateLineEdit, "received_date")
        self.source = child_widget(f, QComboBox, "source")
        self.handler = child_widget(f, QComboBox, "handler")
        self.tribunal = child_widget(f, QComboBox, "tribunal")
        self.notes = child_widget(f, QPlainTextEdit, "notes")
        self.party_group = child_widget(f, QGroupBox, "party_group")
        self.case_fields = child_widget(f, QWidget, "case_fields")
        self.party_scroll = child_widget(f, QScrollArea, "party_scroll")
        party_container = child_widget(f, QWidget, "party_container")
        self.party_list = cast(QVBoxLayout, party_container.layout())
        self.add_applicant = child_widget(f, QPushButton, "add_applicant")
        self.add_obligor = child_widget(f, QPushButton, "add_obligor")
        self.add_third = child_widget(f, QPushButton, "add_third")
        self.save_button = child_widget(f, QPushButton, "save_button")
        self.cancel_button = child_widget(f, QPushButton, "cancel_button")
        self.keys_hint = child_widget(f, QLabel, "keys_hint")
        self.keys_hint.setStyleSheet(f"color: {HINT_COLOUR};")
        self.save_button.setMinimumWidth(96)
        self.cancel_button.setMinimumWidth(96)
        self.errors: dict[str, QLabel] = {}
        for name in (*CASE_FIELDS, "parties"):
            label = child_widget(f, QLabel, f"{name}_error")
            style_error_label(label)
            self.errors[name] = label
        left = child_widget(f, QScrollArea, "case_scroll")
        # Both columns side by side in a 911-wide window (1366×768 at 150 %), each scrolling up
        # and down only and as wide as its fields need.
        self.case_scroll = left
        for scroll in (left, self.party_scroll):
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            inner = scroll.widget()
            if inner is not None:
                # A hint or an error shown later may widen the fields: the column follows.
                inner.installEventFilter(self)
        self._fit_columns()
        for combo in (self.cause, self.department, self.livelihood_kind):
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)

    def _fill_choices(self) -> None:
        self.original_doc_type.addItems(list(DOC_TYPES))
        self.cause.addItems(list(COMMON_CAUSES))
        self.cause.setCurrentText("")
        combo_line(self.cause).setPlaceholderText("选择或输入案由，如 民间借贷纠纷")
        self.department.addItems(list(DEPARTMENTS))
        self.department.setCurrentText("")
        combo_line(self.department).setPlaceholderText("原审审判庭或派出法庭")
        self.livelihood_kind.addItems(list(LIVELIHOOD_KINDS))
        self.livelihood_kind.setCurrentText("")
        combo_line(self.livelihood_kind).setPlaceholderText("涉民生类型")
        for s in CaseSource:
            self.source.addItem(s.label, s.value)
        self.handler.addItem("（未指定）", None)
        self.tribunal.addItem("（无）", None)
        team = team_choices(self.ctx.db)
        for choice in team.handlers:
            self.handler.addItem(choice.name, choice.id)
        for choice in team.tribunals:
            self.tribunal.addItem(choice.name, choice.id)

    def _new_case_defaults(self) -> None:
        self.received_date.set_date(self.today)
        if self.ctx.actor.role is Role.HANDLER:
            set_combo_data(self.handler, self.ctx.actor.user_id)
        self.add_party(PartyRole.APPLICANT)
        self.add_party(PartyRole.OBLIGOR)
        self.livelihood_kind.setEnabled(False)
        if self.ctx.actor.role is Role.READONLY:
            self._refuse("您的账号为只读权限，不能登记案件。")

    def _load_case(self, case_id: str) -> None:
        case = get_case(self.ctx.db, case_id)
        self._version = case.version
        self.case_no_label.setText(f"案号：{case.case_no}")
        self.original_case_no.setText(case.original_case_no)
        set_combo_text(self.original_doc_type, case.original_doc_type)
        self.original_doc_type.setCurrentIndex(
            max(self.original_doc_type.findText(case.original_doc_type), 0)
        )
        set_combo_text(self.cause, case.cause)
        self.effective_date.set_date(case.effective_date)
        self.performance_deadline.set_date(case.performance_deadline)
        self.final_installment_date.set_date(case.final_installment_date)
        self.application_received_on.set_date(case.application_received_on)
        set_combo_text(self.department, case.department)
        self.trial_judge.setText(case.trial_judge or "")
        self.amount_due.setText(f"{case.amount_due:,}" if case.amount_due else "")
        self.obligation_act.setPlainText(case.obligation_act or "")
        self.livelihood.setChecked(case.livelihood)
        set_combo_text(self.livelihood_kind, case.livelihood_kind)
        self.livelihood_kind.setEnabled(case.livelihood)
        self.received_date.set_date(case.received_date)
        set_combo_data(self.source, case.source)
        if case.handler_id and self.handler.findData(case.handler_id) < 0:
            name = case.handler.display_name if case.handler else "（已停用的用户）"
            self.handler.addItem(name, case.handler_id)
        set_combo_data(self.handler, case.handler_id)
        set_combo_data(self.tribunal, case.tribunal_id)
        self.notes.setPlainText(case.notes or "")
        for p in case.parties:
            editor = self.add_party(p.role)
            editor.load(
                PartyInput(
                    role=p.role,
                    name=p.name,
                    kind=p.kind,
                    id_number=p.id_number,
                    phones=p.phones,
                    address=p.address,
                    legal_representative=p.legal_representative,
                    registered_capital=p.registered_capital,
                    licence_status=p.licence_status,
                    id=p.id,
                )
            )
        status, handler_id, case_no = case.status, case.handler_id, case.case_no
        if CaseAction.EDIT not in available_actions(status):
            self._refuse(f"案件{case_no}已{status.label}，不能修改；如需修改请先重新开启案件。")
        elif not self.ctx.actor.may_edit_case(handler_id) or self.ctx.actor.role is Role.READONLY:
            self._refuse("这不是您承办的案件，只有承办人或团队负责人可以修改。")

    def _refuse(self, message: str) -> None:
        show_banner(self.banner, message, "warning")
        self.save_button.setEnabled(False)

    def _connect(self) -> None:
        line_fields: dict[str, QLineEdit] = {
            "original_case_no": self.original_case_no,
            "effective_date": self.effective_date,
            "performance_deadline": self.performance_deadline,
            "final_installment_date": self.final_installment_date,
            "application_received_on": self.application_received_on,
            "trial_judge": self.trial_judge,
            "amount_due": self.amount_due,
            "received_date": self.received_date,
        }
        for name, edit in line_fields.items():
            edit.textChanged.connect(self.validate)
            edit.textEdited.connect(lambda _t, n=name: self._touch(n))
        for name, combo in (
            ("cause", self.cause),
            ("department", self.department),
            ("livelihood_kind", self.livelihood_kind),
        ):
            combo.currentTextChanged.connect(self.validate)
            combo.currentTextChanged.connect(lambda _t, n=name: self._touch(n))
        for combo in (self.original_doc_type, self.source, self.handler, self.tribunal):
            combo.currentIndexChanged.connect(self.validate)
        self.obligation_act.textChanged.connect(lambda: self._touch("obligation_act"))
        self.obligation_act.textChanged.connect(self.validate)
        self.notes.textChanged.connect(self.validate)
        self.livelihood.toggled.connect(self.livelihood_kind.setEnabled)
        self.livelihood.toggled.connect(self.validate)
        self.add_applicant.clicked.connect(lambda: self._add_and_focus(PartyRole.APPLICANT))
        self.add_obligor.clicked.connect(lambda: self._add_and_focus(PartyRole.OBLIGOR))
        self.add_third.clicked.connect(lambda: self._add_and_focus(PartyRole.THIRD))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self._cancel_clicked)
        for keys in (QKeySequence(QKeySequence.StandardKey.Save), QKeySequence("Ctrl+Return")):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(self.save)

    def _touch(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self._discard_armed = False
        if name == "amount_due":
            self._touched.add("obligation_act")
        elif name == "obligation_act":
            self._touched.add("amount_due")
        self.validate()

    # --- parties -------------------------------------------------------------------------------

    def add_party(self, role: PartyRole) -> PartyEditor:
        editor = PartyEditor(role, self.party_group)
        editor.changed.connect(self.validate)
        editor.remove_requested.connect(self._remove_party)
        self.parties.append(editor)
        self.party_list.insertWidget(self.party_list.count() - 1, editor)
        self._renumber()
        self._fit_columns()
        if not self._loading:
            self._update_tab_order()
            self.validate()
        return editor

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Each column at least as wide as its fields, so that nothing is cut at the right."""
        for scroll in (self.case_scroll, self.party_scroll):
            inner = scroll.widget()
            if inner is not None:
                bar = scroll.verticalScrollBar().sizeHint().width()
                need = inner.minimumSizeHint().width() + bar + 2 * scroll.frameWidth()
                scroll.setMinimumWidth(max(need, 380))

    def _add_and_focus(self, role: PartyRole) -> None:
        editor = self.add_party(role)
        editor.name.setFocus()
        self.party_scroll.ensureWidgetVisible(editor)

    def _remove_party(self, editor: PartyEditor) -> None:
        self.parties.remove(editor)
        self.party_list.removeWidget(editor)
        editor.deleteLater()
        self._renumber()
        self._update_tab_order()
        self._touched.add("parties")
        self.validate()

    def _renumber(self) -> None:
        for i, editor in enumerate(self.parties, start=1):
            editor.set_number(i)

    def _update_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.original_case_no,
            self.original_doc_type,
            self.cause,
            self.effective_date,
            self.performance_deadline,
            self.final_installment_date,
            self.application_received_on,
            self.department,
            self.trial_judge,
            self.amount_due,
            self.obligation_act,
            self.livelihood,
            self.livelihood_kind,
            self.received_date,
            self.source,
            self.handler,
            self.tribunal,
            self.notes,
        ]
        for editor in self.parties:
            chain.extend(editor.tab_chain())
        chain += [
            self.add_applicant,
            self.add_obligor,
            self.add_third,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- validation ----------------------------------------------------------------------------

    def collect(self) -> tuple[CaseInput, dict[str, str]]:
        """The form as a CaseInput, and every problem with it keyed by field (first reason wins)."""
        messages: dict[str, str] = {}

        def date_field(name: str, edit: DateLineEdit) -> date | None:
            try:
                return edit.date_value()
            except UserError as exc:
                messages.setdefault(name, exc.message)
                return None

        received = date_field("received_date", self.received_date)
        if received is None and "received_date" not in messages:
            messages["received_date"] = "收案日期不能为空"
        effective = date_field("effective_date", self.effective_date)
        deadline = date_field("performance_deadline", self.performance_deadline)
        final_installment = date_field("final_installment_date", self.final_installment_date)
        application = date_field("application_received_on", self.application_received_on)
        amount = Decimal("0.00")
        if self.amount_due.text().strip():
            try:
                amount = parse_amount(self.amount_due.text())
            except UserError as exc:
                messages["amount_due"] = exc.message
        party_inputs: list[PartyInput] = []
        for i, editor in enumerate(self.parties):
            p, problems = editor.to_input(i)
            party_inputs.append(p)
            for problem in problems:
                messages.setdefault(problem.field, problem.message)
        source = self.source.currentData()
        data = CaseInput(
            original_case_no=self.original_case_no.text(),
            cause=self.cause.currentText(),
            received_date=received or self.today,
            parties=party_inputs,
            amount_due=amount,
            obligation_act=self.obligation_act.toPlainText().strip() or None,
            original_doc_type=self.original_doc_type.currentText(),
            effective_date=effective,
            performance_deadline=deadline,
            final_installment_date=final_installment,
            application_received_on=application,
            department=self.department.currentText().strip() or None,
            trial_judge=self.trial_judge.text().strip() or None,
            livelihood=self.livelihood.isChecked(),
            livelihood_kind=(self.livelihood_kind.currentText().strip() or None)
            if self.livelihood.isChecked()
            else None,
            handler_id=self.handler.currentData(),
            tribunal_id=self.tribunal.currentData(),
            source=enum_member(CaseSource, source) if source else CaseSource.HANDOVER,
            notes=self.notes.toPlainText().strip() or None,
        )
        for problem in check_case(data, self.today):
            if problem.field == "amount_due" and "amount_due" in messages:
                continue
            messages.setdefault(problem.field, problem.message)
        return data, messages

    def validate(self) -> dict[str, str]:
        """Check the whole form and show each reason beside its field (once touched or saved)."""
        if self._loading:
            return {}
        data, messages = self.collect()
        for name, label in self.errors.items():
            shown = self._show_all or name in self._touched
            set_error(label, messages.get(name) if shown else None)
        for i, editor in enumerate(self.parties):
            prefix = f"parties[{i}]."
            own = {k[len(prefix) :]: v for k, v in messages.items() if k.startswith(prefix)}
            editor.show_problems(own, self._show_all)
        hint = ""
        if "amount_due" not in messages and data.amount_due > 0:
            hint = capital_amount(data.amount_due)
        self.amount_hint.setText(hint)
        self.amount_hint.setVisible(bool(hint))
        return messages

    def _widget_for(self, field: str) -> QWidget | None:
        if field.startswith("parties["):
            index = int(field[len("parties[") : field.index("]")])
            if index < len(self.parties):
                editor = self.parties[index]
                return editor.first_error_widget({field.split(".", 1)[1]: ""}) or editor.name
            return None
        if field == "parties":
            return self.add_obligor
        widget = getattr(self, field, None)
        return widget if isinstance(widget, QWidget) else None

    # --- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        if not self.save_button.isEnabled() or self.save_button.isHidden():
            return
        self._show_all = True
        messages = self.validate()
        if messages:
            lines = [f"• {m}" for m in dict.fromkeys(messages.values())]
            show_banner(
                self.banner,
                f"有{len(messages)}处需要更正，尚未保存：\n"
                + "\n".join(lines[:8])
                + ("\n…" if len(lines) > 8 else ""),
                "error",
            )
            self._focus_field(next(iter(self._ordered(messages))))
            return
        data, _ = self.collect()
        ctx, case_id, version, today = self.ctx, self.case_id, self._version, self.today

        def work(_progress: Progress) -> tuple[str, str]:
            if case_id is None:
                case = register_case(ctx.db, ctx.actor, data, today=today)
            else:
                case = update_case(ctx.db, ctx.actor, case_id, version, data, today=today)
            return case.id, case.case_no

        Operation(self, work).success(lambda saved: self._saved(*saved)).refused(
            self._refused
        ).disabling(self.save_button).run_in_background()

    def _refused(self, exc: UserError) -> None:
        if isinstance(exc, StaleEditError):
            show_banner(self.banner, exc.message, "error")
            return
        show_banner(self.banner, f"未保存：{exc.message}", "error")
        if exc.field:
            if exc.field in self.errors:
                set_error(self.errors[exc.field], exc.message)
            self._focus_field(exc.field)

    def _saved(self, case_id: str, case_no: str) -> None:
        self.saved_case_id = case_id
        self.saved_case_no = case_no
        self.saved.emit(case_id)
        if self.case_id is None:
            self._show_registered(case_no)
        else:
            self.accept()

    def _ordered(self, messages: dict[str, str]) -> list[str]:
        order = {name: i for i, name in enumerate(CASE_FIELDS)}
        return sorted(messages, key=lambda f: (order.get(f, len(order)), f))

    def _focus_field(self, field: str) -> None:
        widget = self._widget_for(field)
        if widget is not None:
            widget.setFocus()
            for scroll in (self.party_scroll, child_widget(self.form, QScrollArea, "case_scroll")):
                inner = scroll.widget()
                if inner is not None and inner.isAncestorOf(widget):
                    scroll.ensureWidgetVisible(widget)

    def _show_registered(self, case_no: str) -> None:
        """The number is issued: show it, freeze the form, leave one way out."""
        self.case_no_label.setText(f"案号：{case_no}")
        show_banner(
            self.banner,
            f"案件已登记，案号为 {case_no}。请将案号记在移交材料上；可在案件页面继续办理。",
            "success",
        )
        self.case_fields.setEnabled(False)
        self.party_group.setEnabled(False)
        # Greyed placeholders read like entered values once the form is frozen.
        for edit in self.form.findChildren(QLineEdit):
            edit.setPlaceholderText("")
        for text in self.form.findChildren(QPlainTextEdit):
            text.setPlaceholderText("")
        self.save_button.hide()
        self.cancel_button.setText("关闭")
        self.cancel_button.setFocus()
        self.setWindowTitle(f"已登记 {case_no}")

    # --- closing -------------------------------------------------------------------------------

    def _dirty(self) -> bool:
        return bool(self._touched) and self.saved_case_id is None

    def _cancel_clicked(self) -> None:
        if self.saved_case_id is not None:
            self.accept()
            return
        if self._dirty() and not self._discard_armed:
            self._discard_armed = True
            show_banner(
                self.banner,
                "已输入的内容尚未保存。再按一次“取消”（或 Esc）放弃输入并关闭。",
                "warning",
            )
            return
        self.reject()

    def reject(self) -> None:
        if self.saved_case_id is not None:
            # A registered case is kept whichever way the window is closed.
            self.accept()
            return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):
                focus.click()
            elif not isinstance(focus, QPlainTextEdit):
                # Enter moves on, as on a paper form; only Ctrl+S or the button saves.
                self.focusNextChild()
            return
        if key == Qt.Key.Key_Escape:
            self._cancel_clicked()
            return
        super().keyPressEvent(event)
