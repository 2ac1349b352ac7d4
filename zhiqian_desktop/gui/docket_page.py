"""The 案件台账 page: quick search, filters, the lazily paged case table, and export to Excel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.workflow import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.docket_model import (
    CASE_ID_ROLE,
    COL_CASE_NO,
    COLUMNS,
    DocketModel,
)
from zhiqian_desktop.gui.file_choice import ask_save_path, file_name
from zhiqian_desktop.gui.table_state import PagedRows
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.core.staff import tribunals
from zhiqian_desktop.services.core.users import list_users
from zhiqian_desktop.services.intake.docket import DocketQuery

SEARCH_DEBOUNCE_MS = 150
_COLUMN_WIDTHS = (214, 168, 108, 136, 104, 92, 84, 66, 66, 92)

# The status filter's choices: (label, statuses); an empty set means every status.
_STATUS_CHOICES: list[tuple[str, frozenset[CaseStatus]]] = [
    ("全部状态", frozenset()),
    ("办理中", OPEN_STATUSES),
    ("已结案", CLOSED_STATUSES),
    *[(s.label, frozenset({s})) for s in CaseStatus],
]

_LIVELIHOOD_CHOICES: list[tuple[str, bool | None]] = [
    ("全部案件", None),
    ("仅涉民生", True),
    ("非涉民生", False),
]


class DocketPage(QWidget):
    """Search and filter the docket; double-click (or Enter) opens a case."""

    caseActivated = Signal(str)
    statusMessage = Signal(str)
    exportFinished = Signal(object)  # the number of rows written, or the exception

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("docketPage")
        self.ctx = ctx
        self.export_task: Task | None = None

        self.model = DocketModel(ctx, parent=self)
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._wire()
        self.reload_choices()
        self.apply_filters()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)

        title_row = QHBoxLayout()
        title = QLabel("案件台账")
        title.setObjectName("pageTitle")
        title_row.addWidget(title)
        title_row.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        title_row.addWidget(self.count_label)
        outer.addLayout(title_row)

        search_row = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("quickSearch")
        self.search_edit.setPlaceholderText(
            "快速搜索：案号、原审案号、当事人姓名或名称、身份证号、电话（Ctrl+F）"
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(280)
        search_row.addWidget(self.search_edit, 1)
        self.reset_button = QPushButton("清除筛选")
        search_row.addWidget(self.reset_button)
        self.export_button = QPushButton("导出Excel")
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip("把当前筛选、排序下的全部案件导出为 Excel 表格")
        search_row.addWidget(self.export_button)
        outer.addLayout(search_row)

        filters = QFrame()
        filters.setObjectName("filterBar")
        # Two rows: in one the filters need 1,019 px, more than a 1024-wide screen leaves.
        rows = QVBoxLayout(filters)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(6)
        dates = QHBoxLayout()
        dates.setSpacing(6)
        rows.addLayout(row)
        rows.addLayout(dates)
        self.status_combo = QComboBox()
        for label, statuses in _STATUS_CHOICES:
            self.status_combo.addItem(label, statuses)
        self.handler_combo = QComboBox()
        self.handler_combo.setMinimumWidth(110)
        self.tribunal_combo = QComboBox()
        self.tribunal_combo.setMinimumWidth(120)
        self.livelihood_combo = QComboBox()
        for label, value in _LIVELIHOOD_CHOICES:
            self.livelihood_combo.addItem(label, value)
        self.date_check = QCheckBox("收案日期")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        today = self.ctx.clock.today()
        self.date_from.setDate(QDate(today.year, 1, 1))
        self.date_to.setDate(QDate(today.year, today.month, today.day))
        self.overdue_check = QCheckBox("仅看逾期")
        self.overdue_check.setToolTip("下次到期日已过的案件")
        for label, widget in (
            ("状态", self.status_combo),
            ("承办人", self.handler_combo),
            ("法庭", self.tribunal_combo),
            ("涉民生", self.livelihood_combo),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
            row.addSpacing(6)
        row.addStretch(1)
        dates.addWidget(self.date_check)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.date_to)
        dates.addSpacing(6)
        dates.addWidget(self.overdue_check)
        dates.addStretch(1)
        outer.addWidget(filters)

        self.table = QTableView()
        self.table.setObjectName("docketTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view never has to measure (and so read) rows it does not show.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(28)
        self.row_lines = PagedRows(self.table)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate(_COLUMN_WIDTHS[: len(COLUMNS)]):
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(COL_CASE_NO, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        outer.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.hint_label = QLabel("双击案件打开详情 · 红色日期表示已逾期 · “民”表示涉民生案件")
        self.hint_label.setObjectName("hintLabel")
        bottom.addWidget(self.hint_label)
        bottom.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        bottom.addWidget(self.progress)
        outer.addLayout(bottom)

    def _wire(self) -> None:
        self.search_edit.textEdited.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self.apply_filters)
        self.search_edit.textChanged.connect(self._on_text_changed)
        for combo in (
            self.status_combo,
            self.handler_combo,
            self.tribunal_combo,
            self.livelihood_combo,
        ):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.date_check.toggled.connect(self._on_date_toggled)
        self.date_from.dateChanged.connect(self._on_date_changed)
        self.date_to.dateChanged.connect(self._on_date_changed)
        self.overdue_check.toggled.connect(self.apply_filters)
        self.reset_button.clicked.connect(self.reset_filters)
        self.export_button.clicked.connect(self._choose_export_file)
        self.table.doubleClicked.connect(self._on_double_clicked)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self.open_current)
        self.model.modelReset.connect(self._update_count)

    # --- filters --------------------------------------------------------------------------

    def reload_choices(self) -> None:
        """Fill the handler and tribunal filters from the database, keeping the current choice."""
        users = [(u.display_name, u.id) for u in list_users(self.ctx.db)]
        courts = [(t.name, t.id) for t in tribunals(self.ctx.db)]
        for combo, everyone, items in (
            (self.handler_combo, "全部承办人", users),
            (self.tribunal_combo, "全部法庭", courts),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for name, ident in items:
                combo.addItem(name, ident)
            found = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)

    def current_query(self) -> DocketQuery:
        """The filters on screen (the sort is the model's)."""
        statuses = self.status_combo.currentData()
        query = DocketQuery(
            text=self.search_edit.text().strip(),
            statuses=statuses if isinstance(statuses, frozenset) else frozenset(),
            handler_id=self.handler_combo.currentData(),
            tribunal_id=self.tribunal_combo.currentData(),
            livelihood=self.livelihood_combo.currentData(),
            overdue_on=self.ctx.clock.today() if self.overdue_check.isChecked() else None,
        )
        if self.date_check.isChecked():
            query.received_from = self.date_from.date().toPython()  # type: ignore[assignment]
            query.received_to = self.date_to.date().toPython()  # type: ignore[assignment]
        return query

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def reset_filters(self) -> None:
        widgets: list[Any] = [
            self.search_edit,
            self.status_combo,
            self.handler_combo,
            self.tribunal_combo,
            self.livelihood_combo,
            self.date_check,
            self.overdue_check,
        ]
        for w in widgets:
            w.blockSignals(True)
        self.search_edit.clear()
        for combo in widgets[1:5]:
            combo.setCurrentIndex(0)
        self.date_check.setChecked(False)
        self._on_date_toggled(False, apply=False)
        self.overdue_check.setChecked(False)
        for w in widgets:
            w.blockSignals(False)
        self.apply_filters()

    def refresh(self) -> None:
        """F5 / after a save: new handlers and tribunals, new counts, fresh pages."""
        self.reload_choices()
        selected = self.selected_case_id()
        self.model.set_query(self.current_query())
        if selected:
            self.select_case(selected)

    def cases_changed(self, _change: object = None) -> None:
        """A commit changed cases (here, an import, a merge, another desk): the counts and the
        rows as they are now, the selection kept on its case when it is still listed."""
        selected = self.selected_case_id()
        row = self.table.currentIndex().row()
        self.model.refresh_in_place()
        self._update_count()
        if selected:
            found = self.model.row_of_case(selected, near=row)
            if found is not None and found != row:
                self.table.selectRow(found)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _on_text_changed(self, text: str) -> None:
        # The clear button and programmatic changes do not emit textEdited.
        if not text:
            self._search_timer.start()

    def _on_date_toggled(self, on: bool, apply: bool = True) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        if apply:
            self.apply_filters()

    def _on_date_changed(self) -> None:
        if self.date_check.isChecked():
            self.apply_filters()

    def _update_count(self) -> None:
        total = self.model.total()
        filtered = self.current_query() != DocketQuery()
        self.count_label.setText(f"{'符合条件' if filtered else '共'} {total:,} 件")

    # --- opening cases --------------------------------------------------------------------

    def selected_case_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = self.model.data(index, CASE_ID_ROLE)
        return value if isinstance(value, str) else None

    def select_case(self, case_id: str) -> bool:
        row = self.model.row_of_case(case_id, near=max(self.table.currentIndex().row(), 0))
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def open_current(self) -> None:
        case_id = self.selected_case_id()
        if case_id:
            self.caseActivated.emit(case_id)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        value = self.model.data(index, CASE_ID_ROLE)
        if isinstance(value, str):
            self.caseActivated.emit(value)

    # --- export ---------------------------------------------------------------------------

    def _choose_export_file(self) -> None:
        status = self.status_combo.currentText()
        name = file_name(
            "案件台账",
            self.ctx.settings.court_name,
            None if status == "全部状态" else status,
            self.ctx.clock.today().isoformat(),
            suffix=".xlsx",
        )
        path = ask_save_path(self, "docket", "导出案件台账", name, "Excel 工作簿 (*.xlsx)")
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> Task:
        """Export every case of the current view (not just the loaded pages) in the background."""
        from zhiqian_desktop.services.reporting.exports import (
            export_docket_xlsx,  # openpyxl: on first use
        )

        query = self.model.query
        db, today = self.ctx.db, self.ctx.clock.today()
        total = self.model.total()

        def work(progress: Progress) -> int:
            return export_docket_xlsx(
                db,
                query,
                path,
                today,
                on_progress=lambda done, all_: progress.report(done, all_, "正在导出"),
                force=True,  # the save dialog asked before replacing a file
            )

        def done(count: object) -> None:
            self._export_ended()
            self.statusMessage.emit(f"已导出 {count} 件案件到 {path}")
            self.exportFinished.emit(count)

        def failed(exc: BaseException) -> None:
            self._export_ended()
            self.exportFinished.emit(exc)
            if isinstance(exc, UserError):
                box = QMessageBox(QMessageBox.Icon.Warning, "导出失败", exc.message, parent=self)
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.open()
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)

        self.export_button.setEnabled(False)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat("导出中 %v / %m")
        self.progress.setVisible(True)
        self.statusMessage.emit(f"正在导出 {total} 件案件……")
        self.export_task = run_in_background(
            work,
            on_success=done,
            on_failure=failed,
            on_progress=lambda done_, _total, _text: self.progress.setValue(done_),
        )
        return self.export_task

    def _export_ended(self) -> None:
        self.export_button.setEnabled(True)
        self.progress.setVisible(False)
