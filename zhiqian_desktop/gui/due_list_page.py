"""The 今日待办 page: the due-list for a date, filtered by handler, tribunal and kind.

Rows come most urgent first (overdue, today, next 3 days, early warnings; livelihood cases
first in each group); overdue rows are red. Enter on a row opens the contact dialog; an item
leaves the list when the data behind it changes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.dues import DueGroup, DueItem, DueKind
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.file_choice import ask_save_path, file_name
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.table_state import PagedRows, fit_columns
from zhiqian_desktop.gui.worker import Progress, Task
from zhiqian_desktop.services.core.case_changes import CaseChanges
from zhiqian_desktop.services.core.staff import handler_choices, tribunal_choices
from zhiqian_desktop.services.supervision.dues import daily_summary, due_list, merge_due_items
from zhiqian_desktop.services.supervision.suggestions import overdue_suggestions

if TYPE_CHECKING:
    # Loaded when a call is first logged from the list, not while the window opens.
    from zhiqian_desktop.gui.contact_dialog import ContactDialog

OVERDUE_COLOUR = "#c62828"
WARNING_COLOUR = "#8a5a00"
HEADERS = ("分组", "案号", "被申请人", "事项", "到期日", "逾期", "承办人", "应办", "说明")
COL_GROUP, COL_CASE, COL_OBLIGOR, COL_KIND, COL_DUE, COL_OVERDUE = range(6)
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = "__all__"
MINE = "__mine__"

Index = QModelIndex | QPersistentModelIndex
_ANSWERED_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        ITEM_ROLE,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    )
)


class DueListModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[DueItem] = []

    def set_items(self, items: list[DueItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Painting asks for about ten roles per cell; most are none of ours.
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        item = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, col)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.group is DueGroup.OVERDUE:
                return QBrush(QColor(OVERDUE_COLOUR))
            if not item.calendar_complete and col == COL_DUE:
                return QBrush(QColor(WARNING_COLOUR))
        if role == Qt.ItemDataRole.FontRole and item.livelihood and col == COL_CASE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.detail
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._text(item, col)
        return None

    @staticmethod
    def _text(item: DueItem, col: int) -> str:
        if col == COL_GROUP:
            return item.group.label
        if col == COL_CASE:
            return ("★民生 " if item.livelihood else "") + item.case_no
        if col == COL_OBLIGOR:
            return item.obligor_names
        if col == COL_KIND:
            return item.kind.label
        if col == COL_DUE:
            flag = "" if item.calendar_complete else " ⚠"
            return item.due_date.isoformat() + flag
        if col == COL_OVERDUE:
            return f"{item.days_overdue}天" if item.days_overdue else ""
        if col == 6:
            return item.handler_name
        if col == 7:
            return item.action.label
        return item.detail


class DueListPage(QWidget):
    """今日待办. ``open_case`` asks the main window to show a case; ``refreshed`` carries the
    number of rows after each load."""

    open_case = Signal(str)
    refreshed = Signal(int)
    contact_logged = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueListPage")
        self.ctx = ctx
        self.contact_dialog: ContactDialog | None = None
        self._task: Task | None = None
        self._pending = False
        self.started = False
        """Whether the list has been loaded: not before the page is first shown (a clerk who
        opens the docket first does not wait for, or hold in memory, the day's whole list)."""
        self.fit_on_load = False

        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.set_date(ctx.clock.today())
        self.handler_combo = QComboBox(self)
        self.tribunal_combo = QComboBox(self)
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem("全部事项", ALL)
        for kind in DueKind:
            self.kind_combo.addItem(kind.label, kind)
        self._fill_people()

        refresh = QPushButton("刷新(F5)", self)
        refresh.clicked.connect(self.refresh)
        summary = QPushButton("日督办…", self)
        summary.setToolTip("生成今日工作小结（通话、约谈、回款、结案、移送），复制后粘贴到工作群")
        summary.clicked.connect(self.show_daily_summary)

        filters = QHBoxLayout()
        for label, widget in (
            ("日期", self.date_edit),
            ("承办人", self.handler_combo),
            ("法庭", self.tribunal_combo),
            ("事项", self.kind_combo),
        ):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        export = QPushButton("导出Excel", self)
        export.setToolTip("把当前列表（按现在的筛选和顺序）导出为 Excel")
        export.clicked.connect(lambda: self.export_xlsx())
        filters.addStretch()

        self.log_button = QPushButton("记录督促(Enter)", self)
        self.log_button.clicked.connect(self.log_contact_for_selected)
        self.open_button = QPushButton("打开案件(Ctrl+O)", self)
        self.open_button.clicked.connect(self.open_selected_case)
        QShortcut(QKeySequence("Ctrl+O"), self, self.open_selected_case)
        self.counts = QLabel(self)
        # The list's buttons beside its counts, not after the filters: one row of both needs more
        # than a 1024-wide screen.
        self.counts.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.counts, 1)
        for button in (self.log_button, self.open_button, refresh, summary, export):
            actions.addWidget(button)

        self.model = DueListModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.row_lines = PagedRows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((72, 230, 130, 130, 100, 56, 80, 120)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(lambda _i: self.log_contact_for_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.log_contact_for_selected)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)

        # 司法建议 whose reply period ran out: the drafter's and the lead's to follow up.
        self.suggestion_reminder = QLabel(self)
        self.suggestion_reminder.setWordWrap(True)
        self.suggestion_reminder.setStyleSheet(f"color: {OVERDUE_COLOUR};")
        self.suggestion_reminder.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.suggestion_reminder)
        layout.addWidget(self.table, 1)

        self.date_edit.dateChanged.connect(self.refresh)
        self.handler_combo.currentIndexChanged.connect(self.refresh)
        self.tribunal_combo.currentIndexChanged.connect(self.refresh)
        self.kind_combo.currentIndexChanged.connect(self.refresh)

    # --- filters -----------------------------------------------------------------------------

    def _fill_people(self) -> None:
        handlers = handler_choices(self.ctx.db)
        tribunals = tribunal_choices(self.ctx.db)
        self.handler_combo.addItem("我的案件", MINE)
        self.handler_combo.addItem("全部承办人", ALL)
        for choice in handlers:
            if choice.id != self.ctx.actor.user_id:
                self.handler_combo.addItem(choice.name, choice.id)
        # A handler starts on their own cases; a lead or administrator on the whole team.
        self.handler_combo.setCurrentIndex(0 if self.ctx.actor.role is Role.HANDLER else 1)
        self.tribunal_combo.addItem("全部法庭", ALL)
        for choice in tribunals:
            self.tribunal_combo.addItem(choice.name, choice.id)

    def set_date(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def on_date(self) -> date:
        d = self.date_edit.date()
        return date(d.year(), d.month(), d.day())

    def _handler_id(self) -> str | None:
        value = self.handler_combo.currentData()
        if value == MINE:
            return self.ctx.actor.user_id or "-"
        return None if value in (ALL, None) else str(value)

    # --- loading -----------------------------------------------------------------------------

    def export_xlsx(self, path: Path | None = None) -> Path | None:
        """The list as shown, to xlsx (a few thousand rows at most: written on the spot)."""
        from zhiqian_desktop.services.reporting.exports import export_due_list_xlsx

        on = self.on_date()
        if path is None:
            handler = self.handler_combo.currentText()
            name = file_name("今日待办", handler, on.isoformat(), suffix=".xlsx")
            path = ask_save_path(self, "due_list", "导出今日待办", name, "Excel 工作簿 (*.xlsx)")
            if path is None:
                return None
        try:
            export_due_list_xlsx(self.model.items, path, on, force=True)
        except UserError as exc:
            QMessageBox.warning(self, "导出今日待办", exc.message)
            return None
        return path

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.started:
            # After the events already queued: a window that opens here and goes straight on
            # to another page (the docket) does not start the list at all.
            QTimer.singleShot(0, self, self._first_load)

    def _first_load(self) -> None:
        if not self.started and self.isVisible():
            self.started = True
            self._load(None)

    def refresh(self) -> None:
        """Reload the list off the GUI thread; a refresh asked for while loading runs after it.
        Before the page was first shown there is nothing to reload: it loads when shown."""
        if self.started:
            self._load(None)

    def cases_changed(self, change: CaseChanges) -> None:
        """Cases changed: only their items are read again, unless the change moves every case's
        deadlines (the holiday table, the periods)."""
        if self.started:
            self._load(None if change.everything else change.case_ids)

    def _load(self, case_ids: frozenset[str] | None) -> None:
        if self._task is not None and not self._task.done:
            self._pending = True
            return
        on = self.on_date()
        handler_id = self._handler_id()
        tribunal = self.tribunal_combo.currentData()
        tribunal_id = None if tribunal in (ALL, None) else str(tribunal)
        kind = self.kind_combo.currentData()
        kinds = None if kind in (ALL, None) else [kind]
        db = self.ctx.db

        def work(_progress: Progress) -> list[DueItem]:
            return due_list(
                db,
                on,
                handler_id=handler_id,
                tribunal_id=tribunal_id,
                kinds=kinds,
                case_ids=case_ids,
            )

        def loaded(items: list[DueItem]) -> None:
            if case_ids is not None:
                items = merge_due_items(self.model.items, case_ids, items)
            self._loaded(items)

        if case_ids is None:
            self.counts.setText("正在计算待办…")
        # An Operation: a page closed meanwhile gets no delivery (the merge needs the page).
        self._task = Operation(self, work).success(loaded).failure(self._failed).run_in_background()

    def _loaded(self, items: list[DueItem]) -> None:
        selected = self.selected_item()
        self.model.set_items(items)
        if self.fit_on_load and items:
            self.fit_on_load = False
            fit_columns(self.table)
        groups = {g: 0 for g in DueGroup}
        for item_group, n in Counter(item.group for item in items).items():
            groups[item_group] = n
        parts = "，".join(f"{g.label}{n}" for g, n in groups.items())
        self.counts.setText(f"共{len(items)}项：{parts}" if items else "没有到期或逾期的事项")
        row = 0
        if selected is not None:
            for i, item in enumerate(items):
                if (item.case_id, item.kind) == (selected.case_id, selected.kind):
                    row = i
                    break
        if items:
            self.table.selectRow(min(row, len(items) - 1))
        self._remind_suggestions()
        self._finish()
        self.refreshed.emit(len(items))

    def _remind_suggestions(self) -> None:
        actor = self.ctx.actor
        mine = None if actor.role in (Role.ADMIN, Role.LEAD) else actor.user_id
        overdue = overdue_suggestions(self.ctx.db, self.on_date(), user_id=mine)
        if actor.role is Role.READONLY or not overdue:
            self.suggestion_reminder.hide()
            return
        listed = "；".join(f"{r.doc_no} 致{r.recipient}（{r.reply_due}届满）" for r in overdue[:3])
        more = f"等{len(overdue)}件" if len(overdue) > 3 else ""
        self.suggestion_reminder.setText(
            f"司法建议逾期未回复：{listed}{more}。请联系被建议单位跟踪问效，"
            "收到回复后在“统计 → 司法建议”中登记。"
        )
        self.suggestion_reminder.show()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.counts.setText(f"待办计算失败：{exc}")
        self.refreshed.emit(-1)

    def _finish(self) -> None:
        self._task = None
        if self._pending:
            self._pending = False
            self.refresh()

    # --- row actions -------------------------------------------------------------------------

    def selected_item(self) -> DueItem | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        item = self.model.data(index, ITEM_ROLE)
        return item if isinstance(item, DueItem) else None

    def log_contact_for_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        from zhiqian_desktop.gui.contact_dialog import ContactDialog

        dialog = ContactDialog(self.ctx, item.case_id, parent=self)
        self.contact_dialog = dialog
        dialog.accepted.connect(lambda: self._after_contact(item.case_id))
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        if self.contact_dialog is not None:
            self.contact_dialog.deleteLater()
        self.contact_dialog = None
        self.table.setFocus()

    def _after_contact(self, case_id: str) -> None:
        self.contact_logged.emit(case_id)
        self.refresh()

    def open_selected_case(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_case.emit(item.case_id)

    def summary_text(self) -> str:
        return daily_summary(self.ctx.db, self.on_date(), handler_id=self._handler_id())

    def show_daily_summary(self) -> None:
        text = self.summary_text()
        QGuiApplication.clipboard().setText(text)
        box = QMessageBox(self)
        box.setWindowTitle("日督办")
        box.setText(text + "\n\n（已复制，可直接粘贴到工作群）")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
