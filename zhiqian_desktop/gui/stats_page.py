"""The 统计 page: figures for a period and grouping, charts, the cases behind any number, reports
(周报/月报), the 诚信履行名单 and the 执破衔接 screening. All figures come from services.reporting.stats."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.stats import (
    FIGURES,
    GROUP_NOTE,
    GroupBy,
    Outcome,
    Period,
    this_month,
    this_week,
    this_year,
)
from zhiqian_desktop.gui.charts import HorizontalBarChart, LineChart, Series, StackedBarChart
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.file_choice import ask_save_path
from zhiqian_desktop.gui.mediation_stats import MediationStatsView
from zhiqian_desktop.gui.suggestions_page import SuggestionsView
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.intake.docket import DocketRow
from zhiqian_desktop.services.reporting.bankruptcy import (
    ReferralCandidate,
    bankruptcy_screening,
    export_screening_xlsx,
)
from zhiqian_desktop.services.reporting.honest_list import save_honest_list
from zhiqian_desktop.services.reporting.stats import (
    StatsResult,
    cases_behind,
    stats_overview,
)
from zhiqian_desktop.services.supervision.mediation import MediationStats, mediation_stats

PERIOD_CHOICES = ("本周", "本月", "本年", "自定义")
GROUP_CHOICES: list[tuple[str, GroupBy | None]] = [
    ("不分组", None),
    *[(g.label, g) for g in GroupBy],
]
COLUMNS = [f for f in FIGURES]
OUTCOME_SERIES = [
    Outcome.PERFORMED,
    Outcome.SETTLED,
    Outcome.TRANSFERRED,
    Outcome.WITHDRAWN,
    Outcome.PENDING,
]
GROUP_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
FIGURE_ROLE = Qt.ItemDataRole.UserRole + 2
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 3
TOTAL_KEY = "\x00total"


@dataclass
class PageData:
    """What one refresh computes off the GUI thread."""

    period: Period
    table: StatsResult
    months: StatsResult
    handlers: StatsResult
    mediation: MediationStats


def _item(table: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    item = table.item(row, col)
    if item is None:
        raise LookupError(f"no cell {row},{col}")
    return item


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class CasesDialog(QDialog):
    """The cases behind a number; double-click (or Enter) opens a case."""

    caseActivated = Signal(str)

    def __init__(
        self, title: str, rows: list[DocketRow], user: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{title}：共 {len(rows)} 件（双击打开案件）"))
        headers = ["案号", "原审案号", "案由", "被申请人", "标的金额", "已履行", "状态", "承办人"]
        self.table = QTableWidget(len(rows), len(headers), self)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.memory = TableMemory(self.table, user, "drilldown")
        for r, row in enumerate(rows):
            values = [
                row.case_no,
                row.original_case_no,
                row.cause,
                row.obligor_names,
                format_amount(row.amount_due),
                format_amount(row.amount_paid),
                row.status.label,
                row.handler_name,
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(CASE_ID_ROLE, row.id)
                if c in (4, 5):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.memory.arrange()
        self.table.cellDoubleClicked.connect(self._activate)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def case_ids(self) -> list[str]:
        return [
            str(_item(self.table, r, 0).data(CASE_ID_ROLE)) for r in range(self.table.rowCount())
        ]

    def _activate(self, row: int, _col: int) -> None:
        self.caseActivated.emit(str(_item(self.table, row, 0).data(CASE_ID_ROLE)))


class ScreeningDialog(QDialog):
    """执破衔接 candidates with the cases as evidence, and export to xlsx."""

    caseActivated = Signal(str)

    def __init__(
        self,
        year: int,
        candidates: list[ReferralCandidate],
        user: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.year = year
        self.candidates = candidates
        self.setWindowTitle(f"{year}年执破衔接筛查")
        self.resize(960, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"符合执破衔接条件的企业被申请人 {len(candidates)} 家（当年金钱案件10件以上且标的合计"
                "超过注册资本；营业执照吊销或注销；此前案件因无财产终本）。选中一家查看案件。"
            )
        )
        self.list = QTableWidget(len(candidates), 5, self)
        self.list.setHorizontalHeaderLabels(
            ["企业名称", "统一社会信用代码", "当年案件", "注册资本", "符合的条件"]
        )
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.verticalHeader().setVisible(False)
        for r, c in enumerate(candidates):
            cap = (
                format_amount(c.registered_capital)
                if c.registered_capital is not None
                else "未登记"
            )
            for col, v in enumerate(
                [c.name, c.id_number or "", str(c.cases_in_year), cap, c.reason_text]
            ):
                self.list.setItem(r, col, QTableWidgetItem(v))
        self.list.horizontalHeader().setStretchLastSection(True)
        TableMemory(self.list, user, "screening").arrange()
        self.evidence = QTableWidget(0, 5, self)
        self.evidence.setHorizontalHeaderLabels(
            ["案号", "收案日期", "标的金额", "状态", "结案/移送理由"]
        )
        self.evidence.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.evidence.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.evidence.verticalHeader().setVisible(False)
        self.evidence.horizontalHeader().setStretchLastSection(True)
        self.evidence_memory = TableMemory(self.evidence, user, "screening-cases")
        self.evidence.cellDoubleClicked.connect(
            lambda r, _c: self.caseActivated.emit(
                str(_item(self.evidence, r, 0).data(CASE_ID_ROLE))
            )
        )
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.evidence)
        layout.addWidget(split)
        self.list.currentCellChanged.connect(lambda r, *_: self.show_evidence(r))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("导出Excel…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(lambda: self.export())
        self.export_button.setEnabled(bool(candidates))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if candidates:
            self.list.selectRow(0)

    def show_evidence(self, row: int) -> None:
        if not 0 <= row < len(self.candidates):
            return
        cases = self.candidates[row].cases
        self.evidence.setRowCount(len(cases))
        for r, e in enumerate(cases):
            values = [
                e.case_no,
                e.received_date.isoformat(),
                format_amount(e.amount_due),
                e.status.label,
                e.close_reason or "",
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(CASE_ID_ROLE, e.case_id)
                self.evidence.setItem(r, c, item)
        self.evidence_memory.arrange()

    def export(self, path: Path | None = None) -> Path | None:
        if path is None:
            chosen = ask_save_path(
                self,
                "statistics",
                "导出执破衔接筛查名单",
                f"{self.year}年执破衔接筛查.xlsx",
                "Excel 工作簿 (*.xlsx)",
            )
            if chosen is None:
                return None
            name = str(chosen)
            path = Path(name)
        try:
            export_screening_xlsx(self.candidates, self.year, path, force=True)
        except UserError as exc:
            QMessageBox.warning(self, "导出失败", exc.message)
            return None
        return path


class StatsPage(QWidget):
    open_cases = Signal(list)
    """Case ids the user asked to open (a double-click in a list of cases)."""
    refreshed = Signal()
    casesShown = Signal(object)
    """The CasesDialog just opened (for tests and the main window)."""
    exported = Signal(str)
    statusMessage = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsPage")
        self.ctx = ctx
        self._today = ctx.clock.today
        self.data: PageData | None = None
        self._task: Task | None = None
        self._pending = False
        self.dialogs: list[QDialog] = []

        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计期间"))
        self.period_combo = QComboBox()
        self.period_combo.addItems(PERIOD_CHOICES)
        self.period_combo.setCurrentIndex(2)
        bar.addWidget(self.period_combo)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        bar.addWidget(self.from_edit)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.to_edit)
        bar.addSpacing(12)
        bar.addWidget(QLabel("分组"))
        self.group_combo = QComboBox()
        for label, _g in GROUP_CHOICES:
            self.group_combo.addItem(label)
        self.group_combo.setCurrentIndex(1)  # 月份
        bar.addWidget(self.group_combo)
        self.refresh_button = QPushButton("刷新")
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        root.addLayout(bar)
        # The period's figures in a line of their own: beside the period fields they pushed
        # the page wider than a 1024-wide screen.
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        root.addWidget(self.status_label)

        # Reports in one row, lists in the next: six buttons in one row need more than a
        # 1024-wide screen leaves beside the navigation.
        actions = QHBoxLayout()
        lists = QHBoxLayout()
        self.week_pdf_button = QPushButton("导出周报 PDF")
        self.week_xlsx_button = QPushButton("导出周报 Excel")
        self.month_pdf_button = QPushButton("导出月报 PDF")
        self.month_xlsx_button = QPushButton("导出月报 Excel")
        self.honest_button = QPushButton("诚信履行名单…")
        self.honest_button.setToolTip(
            "统计期间内自动履行或和解履行完毕的被申请人，导出为Excel（证件号码默认打码）"
        )
        self.screening_button = QPushButton("执破衔接筛查…")
        self.screening_button.setToolTip("统计期间结束日所在年度符合执破衔接条件的企业被申请人")
        for b in (
            self.week_pdf_button,
            self.week_xlsx_button,
            self.month_pdf_button,
            self.month_xlsx_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        root.addLayout(actions)
        lists.addWidget(self.honest_button)
        lists.addWidget(self.screening_button)
        lists.addStretch(1)
        root.addLayout(lists)

        self.tabs = QTabWidget()
        table_tab = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, len(COLUMNS) + 1)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table_memory = TableMemory(self.table, ctx.actor.username, "stats")
        self.table.setToolTip("单击数字查看其所含案件")
        table_tab.addWidget(self.table)
        self.definitions = QTextBrowser()
        self.definitions.setHtml(self._definitions_html())
        self.definitions.setMinimumWidth(220)
        table_tab.addWidget(self.definitions)
        table_tab.setStretchFactor(0, 4)
        table_tab.setStretchFactor(1, 1)
        self.tabs.addTab(table_tab, "统计表")

        charts = QWidget()
        grid = QGridLayout(charts)
        self.month_chart = StackedBarChart("各月收案及结果（件）")
        self.rate_chart = LineChart("化解率、自动履行率（按收案月份）")
        self.handler_chart = HorizontalBarChart("各承办人收案及化解（件）")
        grid.addWidget(self.month_chart, 0, 0)
        grid.addWidget(self.rate_chart, 0, 1)
        grid.addWidget(self.handler_chart, 1, 0, 1, 2)
        self.tabs.addTab(charts, "图表")
        self.mediation_view = MediationStatsView()
        self.tabs.addTab(self.mediation_view, "委托调解")
        self.suggestions_view = SuggestionsView(ctx)
        self.tabs.addTab(self.suggestions_view, "司法建议")
        root.addWidget(self.tabs, 1)

        self.period_combo.currentIndexChanged.connect(self._period_changed)
        self.group_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.from_edit.dateChanged.connect(self._custom_changed)
        self.to_edit.dateChanged.connect(self._custom_changed)
        self.table.cellClicked.connect(self._cell_clicked)
        self.month_chart.activated.connect(lambda g, s: self.show_cases(s, GroupBy.MONTH, g))
        self.rate_chart.activated.connect(lambda g, s: self.show_cases(s, GroupBy.MONTH, g))
        self.handler_chart.activated.connect(
            lambda g, s: self.show_cases(s, GroupBy.HANDLER, None if g == "" else g)
        )
        self.week_pdf_button.clicked.connect(lambda: self.export_report("week", "pdf"))
        self.week_xlsx_button.clicked.connect(lambda: self.export_report("week", "xlsx"))
        self.month_pdf_button.clicked.connect(lambda: self.export_report("month", "pdf"))
        self.month_xlsx_button.clicked.connect(lambda: self.export_report("month", "xlsx"))
        self.honest_button.clicked.connect(lambda: self.export_honest_list())
        self.screening_button.clicked.connect(lambda: self.show_screening())
        self._period_changed(self.period_combo.currentIndex(), refresh=False)

    # --- state ----------------------------------------------------------------------------

    def period(self) -> Period:
        return Period(_pydate(self.from_edit.date()), _pydate(self.to_edit.date()))

    def group_by(self) -> GroupBy | None:
        return GROUP_CHOICES[self.group_combo.currentIndex()][1]

    def set_period(self, period: Period) -> None:
        """Choose a custom period (and refresh)."""
        self.period_combo.blockSignals(True)
        self.period_combo.setCurrentIndex(PERIOD_CHOICES.index("自定义"))
        self.period_combo.blockSignals(False)
        self._set_dates(period)
        self.from_edit.setEnabled(True)
        self.to_edit.setEnabled(True)
        self.refresh()

    def set_group_by(self, by: GroupBy | None) -> None:
        index = [g for _l, g in GROUP_CHOICES].index(by)
        if index == self.group_combo.currentIndex():
            self.refresh()
        else:
            self.group_combo.setCurrentIndex(index)

    def _set_dates(self, period: Period) -> None:
        for edit, d in ((self.from_edit, period.start), (self.to_edit, period.end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(d))
            edit.blockSignals(False)

    def _period_changed(self, index: int, refresh: bool = True) -> None:
        today = self._today()
        presets = {0: this_week, 1: this_month, 2: this_year}
        custom = index not in presets
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)
        if not custom:
            self._set_dates(presets[index](today))
        if refresh:
            self.refresh()

    def _custom_changed(self) -> None:
        if self.to_edit.date() >= self.from_edit.date():
            self.refresh()

    # --- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute the figures off the GUI thread; a refresh asked for meanwhile runs after."""
        if self._task is not None and not self._task.done:
            self._pending = True
            return
        try:
            period = self.period()
        except UserError as exc:
            self.status_label.setText(exc.message)
            return
        by = self.group_by()
        db = self.ctx.db

        def work(_progress: Progress) -> PageData:
            overview = stats_overview(db, period, by)
            mediated = mediation_stats(db, period)
            return PageData(period, overview.table, overview.months, overview.handlers, mediated)

        self.status_label.setText("正在统计…")
        self.refresh_button.setEnabled(False)
        self._task = run_in_background(work, on_success=self._loaded, on_failure=self._failed)

    def _finish_task(self) -> None:
        self.refresh_button.setEnabled(True)
        self._task = None
        if self._pending:
            self._pending = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.status_label.setText(exc.message)
            self._finish_task()
            return
        self._finish_task()
        sys.excepthook(type(exc), exc, exc.__traceback__)

    def _loaded(self, data: PageData) -> None:
        self.data = data
        self._fill_table(data.table)
        self._fill_charts(data)
        self.mediation_view.show_stats(data.mediation)
        self.suggestions_view.refresh()
        self.status_label.setText(
            f"{data.period.label}　收案{data.table.total.cases}件　化解率{data.table.total.display('resolution_rate')}"
        )
        self._finish_task()
        if self._task is None:
            self.refreshed.emit()

    def _fill_table(self, result: StatsResult) -> None:
        headers = [result.by.label if result.by else "范围", *(f.label for f in COLUMNS)]
        self.table.clearContents()
        self.table.setColumnCount(len(headers))
        for c, text in enumerate(headers):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setToolTip(COLUMNS[c - 1].definition)
            self.table.setHorizontalHeaderItem(c, item)
        rows: list[tuple[str, str | None, Any]] = [
            (g.label, g.key, g.figures) for g in result.groups
        ]
        rows.append(("合计", TOTAL_KEY, result.total))
        self.table.setRowCount(len(rows))
        for r, (label, key, figures) in enumerate(rows):
            head = QTableWidgetItem(label)
            head.setData(GROUP_KEY_ROLE, key)
            if key == TOTAL_KEY:
                font = head.font()
                font.setBold(True)
                head.setFont(font)
            self.table.setItem(r, 0, head)
            for c, f in enumerate(COLUMNS, start=1):
                item = QTableWidgetItem(figures.display(f.key))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(GROUP_KEY_ROLE, key)
                item.setData(FIGURE_ROLE, f.key)
                item.setToolTip(f"{f.label}：{f.definition}\n单击查看其所含案件")
                if key == TOTAL_KEY:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table_memory.arrange(max_width=400)

    def _fill_charts(self, data: PageData) -> None:
        months = data.months.groups
        keys = [g.key or "" for g in months]
        labels = [g.label for g in months]
        self.month_chart.set_data(
            keys,
            labels,
            [
                Series(o.value, o.label, [float(getattr(g.figures, o.value)) for g in months])
                for o in OUTCOME_SERIES
            ],
            unit="件",
        )

        def rate_series(key: str, label: str) -> Series:
            values = [g.figures.value(key) for g in months]
            return Series(
                key,
                label,
                [float(v) if v is not None else math.nan for v in values],
                text=[g.figures.display(key) for g in months],
            )

        self.rate_chart.set_data(
            keys,
            labels,
            [
                rate_series("resolution_rate", "化解率"),
                rate_series("performance_rate", "自动履行率"),
            ],
        )
        handlers = data.handlers.groups
        self.handler_chart.set_data(
            [g.key or "" for g in handlers],
            [g.label for g in handlers],
            [
                Series("cases", "收案", [float(g.figures.cases) for g in handlers]),
                Series(
                    "resolution_rate",
                    "自动履行+和解",
                    [float(g.figures.performed + g.figures.settled) for g in handlers],
                ),
            ],
            unit="件",
        )
        self.handler_chart.updateGeometry()

    def figure_text(self, group_label: str, figure: str) -> str:
        """The number shown in the table for (row label, figure key) — for tests and checks."""
        col = 1 + [f.key for f in COLUMNS].index(figure)
        for r in range(self.table.rowCount()):
            if _item(self.table, r, 0).text() == group_label:
                return _item(self.table, r, col).text()
        raise KeyError(group_label)

    # --- the cases behind a number ----------------------------------------------------------

    def _cell_clicked(self, row: int, col: int) -> None:
        if col == 0 or self.data is None:
            return
        item = _item(self.table, row, col)
        key = item.data(GROUP_KEY_ROLE)
        figure = item.data(FIGURE_ROLE)
        by = self.data.table.by
        if key == TOTAL_KEY:
            self.show_cases(figure, None, None)
        else:
            self.show_cases(figure, by, key)

    def show_cases(self, figure: str, by: GroupBy | None, key: str | None) -> None:
        if self.data is None:
            return
        period = self.data.period
        db = self.ctx.db
        today = self._today()
        label = next((f.label for f in FIGURES if f.key == figure), figure)
        if figure == "resolution_rate":
            label = "自动履行+和解（化解率分子）"
        elif figure == "performance_rate":
            label = "自动履行（自动履行率分子）"
        group_label = "合计"
        sources = {GroupBy.MONTH: self.data.months, GroupBy.HANDLER: self.data.handlers}
        source = sources.get(by, self.data.table) if by is not None else self.data.table
        if by is not None:
            group_label = next(
                (g.label for g in source.groups if g.key == key), key or "（未填写）"
            )
        title = f"{period.label} · {group_label} · {label}"

        def work(_progress: Progress) -> list[DocketRow]:
            return cases_behind(db, period, figure, by=by, key=key, today=today)

        run_in_background(
            work,
            on_success=lambda rows: self._show_cases_dialog(title, rows),
            on_failure=self._warn,
        )

    def _show_cases_dialog(self, title: str, rows: list[DocketRow]) -> None:
        dialog = CasesDialog(title, rows, self.ctx.actor.username, self)
        dialog.caseActivated.connect(lambda case_id: self.open_cases.emit([case_id]))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.casesShown.emit(dialog)

    def _warn(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QMessageBox.warning(self, "统计", exc.message)
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)

    # --- reports and lists ------------------------------------------------------------------

    def _save_path(self, title: str, suggested: str, filt: str) -> Path | None:
        return ask_save_path(self, "statistics", title, suggested, filt)

    def export_report(self, kind: str, fmt: str, path: Path | None = None) -> None:
        """周报 (the current week) or 月报 (the current month), or the chosen period if custom."""
        from zhiqian_desktop.services.reporting.reports import (
            REPORT_KINDS,
            build_report,
            export_report_pdf,
            export_report_xlsx,
        )

        today = self._today()
        period = self.period() if self.period_combo.currentText() == "自定义" else None
        if period is None:
            period = this_week(today) if kind == "week" else this_month(today)
        name = f"执前督促{REPORT_KINDS[kind]}_{period.start.isoformat()}_{period.end.isoformat()}.{fmt}"
        if path is None:
            filt = "PDF 文件 (*.pdf)" if fmt == "pdf" else "Excel 工作簿 (*.xlsx)"
            path = self._save_path(f"导出{REPORT_KINDS[kind]}", name, filt)
            if path is None:
                return
        db = self.ctx.db
        target = path

        def work(_progress: Progress) -> str:
            report = build_report(db, kind, period, today=today)
            (export_report_pdf if fmt == "pdf" else export_report_xlsx)(report, target, force=True)
            return str(target)

        self.status_label.setText(f"正在导出{REPORT_KINDS[kind]}…")
        run_in_background(work, on_success=self._exported, on_failure=self._warn)

    def _exported(self, path: str) -> None:
        self.status_label.setText(f"已导出：{path}")
        self.statusMessage.emit(f"已导出：{path}")
        self.exported.emit(path)

    def export_honest_list(self, path: Path | None = None, unmasked: bool | None = None) -> None:
        period = self.period()
        if unmasked is None:
            unmasked = False
            if self.ctx.actor.role in (Role.ADMIN, Role.LEAD):
                answer = QMessageBox.question(
                    self,
                    "诚信履行名单",
                    "名单中的证件号码默认打码（保留前6位和后4位）。\n"
                    "是否导出完整证件号码？（仅在对方确需完整号码时选择“是”，导出将记入审计日志）",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                unmasked = answer == QMessageBox.StandardButton.Yes
        if path is None:
            path = self._save_path(
                "导出诚信履行名单",
                f"诚信履行名单_{period.start.isoformat()}_{period.end.isoformat()}.xlsx",
                "Excel 工作簿 (*.xlsx)",
            )
            if path is None:
                return
        db, actor, target, full = self.ctx.db, self.ctx.actor, path, unmasked

        def work(_progress: Progress) -> str:
            save_honest_list(db, actor, period, target, unmasked=full, force=True)
            return str(target)

        run_in_background(work, on_success=self._exported, on_failure=self._warn)

    def show_screening(self) -> None:
        year = self.period().end.year
        db = self.ctx.db

        def work(_progress: Progress) -> list[ReferralCandidate]:
            return bankruptcy_screening(db, year)

        def shown(candidates: list[ReferralCandidate]) -> None:
            dialog = ScreeningDialog(year, candidates, self.ctx.actor.username, self)
            dialog.caseActivated.connect(lambda case_id: self.open_cases.emit([case_id]))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            self.casesShown.emit(dialog)

        self.status_label.setText("正在筛查…")
        run_in_background(work, on_success=shown, on_failure=self._warn)

    @staticmethod
    def _definitions_html() -> str:
        items = "".join(f"<p><b>{f.label}</b>：{f.definition}</p>" for f in FIGURES)
        return f"<h3>统计口径</h3>{items}<p><b>分组</b>：{GROUP_NOTE}</p>"
