"""The Excel import wizard: choose a hand-over list, preview it with every problem, import all or none."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.file_choice import ask_save_path, file_name
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.intake.import_columns import MAX_DATA_ROWS
from zhiqian_desktop.services.intake.import_plan import (
    ImportPlan,
    ImportProblem,
    ImportReport,
    case_directory,
    read_workbook,
)
from zhiqian_desktop.services.intake.import_template import write_import_template
from zhiqian_desktop.services.intake.importing import import_cases

ERROR_COLOUR = "#c0392b"
PROBLEM_FILL = QColor("#f9d6d2")
SHOWN_PROBLEMS = 2000
"""Problems listed in the table; the count above it always gives the full number."""

_Index = QModelIndex | QPersistentModelIndex


class PreviewModel(QAbstractTableModel):
    """The parsed rows as the clerk typed them; cells with a problem are red with the reason as tip."""

    def __init__(self, plan: ImportPlan | None = None) -> None:
        super().__init__()
        self._plan: ImportPlan | None = None
        self._headers: list[str] = []
        self._reasons: dict[tuple[int, str], list[str]] = {}
        self._row_reasons: dict[int, list[str]] = {}
        if plan is not None:
            self.set_plan(plan)

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.beginResetModel()
        self._plan = plan
        self._headers = ["行号", *(plan.headers if plan else [])]
        self._reasons = {}
        self._row_reasons = {}
        if plan is not None:
            for p in plan.problems:
                self._row_reasons.setdefault(p.row, []).append(f"{p.column}：{p.reason}")
                self._reasons.setdefault((p.row, p.column), []).append(p.reason)
        self.endResetModel()

    def row_for_excel_row(self, excel_row: int) -> int | None:
        if self._plan is None:
            return None
        for i, r in enumerate(self._plan.rows):
            if r.row == excel_row:
                return i
        return None

    def column_for_header(self, header: str) -> int:
        return self._headers.index(header) if header in self._headers else 0

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._plan is None else len(self._plan.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._plan is None or not index.isValid():
            return None
        row = self._plan.rows[index.row()]
        header = self._headers[index.column()]
        if index.column() == 0:
            reasons = self._row_reasons.get(row.row, [])
        else:
            reasons = self._reasons.get((row.row, header), [])
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row.row) if index.column() == 0 else row.texts.get(header, "")
        if role == Qt.ItemDataRole.BackgroundRole and reasons:
            return QBrush(PROBLEM_FILL)
        if role == Qt.ItemDataRole.ToolTipRole and reasons:
            return "\n".join(reasons)
        return None


class FilePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("选择移交清单")
        self.setSubTitle(
            "请选择按导入模板填写的 Excel 文件（.xlsx，或 Excel 97-2003 的 .xls）。每名当事人一行，"
            f"一次最多 {MAX_DATA_ROWS:,} 行。下一步会逐行检查，导入前可预览。"
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Excel 文件（.xlsx 或 .xls）")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        self.template_button = QPushButton("保存导入模板…")
        self.template_button.clicked.connect(self._save_template)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.path_edit.textChanged.connect(self.completeChanged)

    def path(self) -> Path:
        return Path(self.path_edit.text().strip())

    def isComplete(self) -> bool:
        text = self.path_edit.text().strip()
        return bool(text) and Path(text).is_file()

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "选择移交清单", str(self.path().parent), "Excel 工作簿 (*.xlsx *.xls)"
        )
        if name:
            self.path_edit.setText(name)

    def _save_template(self) -> None:
        path = ask_save_path(
            self,
            "import_template",
            "保存导入模板",
            file_name("执前督促-案件导入模板", suffix=".xlsx"),
            "Excel 工作簿 (*.xlsx)",
        )
        if path is not None:
            self.save_template(path)

    def save_template(self, path: Path) -> None:
        try:
            write_import_template(path, force=True)  # the save dialog asked first
        except UserError as exc:
            self._show(exc.message, error=True)
        else:
            self._show(f"导入模板已保存到 {path}；请按其中“说明”工作表填写。")

    def _show(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self.message.setText(text)


class PreviewPage(QWizardPage):
    previewReady = Signal(object)

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("预览与检查")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "导入")
        self.plan: ImportPlan | None = None
        self.task: Task | None = None
        self._generation = 0
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = PreviewModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.problem_table = QTableWidget(0, 3)
        self.problem_table.setHorizontalHeaderLabels(["行", "列", "原因"])
        self.problem_table.horizontalHeader().setStretchLastSection(True)
        self.problem_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problem_table.cellClicked.connect(self._go_to_problem)
        self._shown_problems: list[ImportProblem] = []
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.problem_table)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def initializePage(self) -> None:
        self.plan = None
        self.model.set_plan(None)
        self._fill_problems([])
        self.summary.setStyleSheet("")
        path = self._wizard.file_page.path()
        self.summary.setText(f"正在检查“{path.name}”……")
        db, today = self._wizard.ctx.db, self._wizard.today

        def work(progress: Progress) -> ImportPlan:
            return read_workbook(path, today=today, directory=case_directory(db))

        self._generation += 1
        generation = self._generation

        def ready(plan: ImportPlan) -> None:
            if generation == self._generation:  # not a preview the clerk has since left
                self._ready(plan)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._failed(exc)

        self.task = run_in_background(work, on_success=ready, on_failure=failed)
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        self._generation += 1
        if self.task is not None and not self.task.done:
            self.task.cancel()

    def isComplete(self) -> bool:
        return self.plan is not None and self.plan.ok

    def _ready(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.model.set_plan(plan)
        self.table.resizeColumnsToContents()
        self._fill_problems(plan.problems)
        cases = f"工作表“{plan.sheet}”共 {len(plan.rows)} 行、{len(plan.cases)} 个案件"
        if plan.problems:
            self.summary.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.summary.setText(
                f"{cases}；发现 {len(plan.problems)} 处问题（红色单元格，鼠标停留可看原因）。"
                "只要有一处问题就不会导入任何案件：请在 Excel 中改正后返回上一步重新选择文件。"
            )
        else:
            self.summary.setText(f"{cases}；检查无误。点击“导入”登记全部案件。")
        self.completeChanged.emit()
        self.previewReady.emit(plan)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            sys.excepthook(type(exc), exc, exc.__traceback__)
            return
        self.summary.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.summary.setText(exc.message)
        self.completeChanged.emit()
        self.previewReady.emit(exc)

    def _fill_problems(self, problems: list[ImportProblem]) -> None:
        shown = problems[:SHOWN_PROBLEMS]
        self._shown_problems = shown
        self.problem_table.setRowCount(len(shown))
        for i, p in enumerate(shown):
            for c, text in enumerate((str(p.row) if p.row else "", p.column, p.reason)):
                self.problem_table.setItem(i, c, QTableWidgetItem(text))
        self.problem_table.setVisible(bool(problems))

    def _go_to_problem(self, row: int, _column: int) -> None:
        p = self._shown_problems[row]
        model_row = self.model.row_for_excel_row(p.row)
        if model_row is not None:
            index = self.model.index(model_row, self.model.column_for_header(p.column))
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)


class ResultPage(QWizardPage):
    importFinished = Signal(object)

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("导入")
        self.report: ImportReport | None = None
        self.task: Task | None = None
        self._complete = False
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.case_list = QListWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.case_list, 1)

    def initializePage(self) -> None:
        self.report = None
        self._complete = False
        self.case_list.clear()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setStyleSheet("")
        self.status.setText("正在登记案件……")
        w = self._wizard
        path, db, actor, today = w.file_page.path(), w.ctx.db, w.ctx.actor, w.today

        def work(progress: Progress) -> ImportReport:
            return import_cases(
                db,
                actor,
                path,
                today=today,
                on_progress=lambda done, total: progress.report(done, total),
            )

        self.task = run_in_background(
            work,
            on_success=self._done,
            on_failure=self._failed,
            on_progress=self._on_progress,
        )

    def isComplete(self) -> bool:
        return self._complete

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _done(self, report: ImportReport) -> None:
        self.report = report
        self.progress.setVisible(False)
        if report.problems:
            self.status.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.status.setText("未导入任何案件：" + "；".join(str(p) for p in report.problems))
        else:
            self.status.setText(f"已登记 {len(report.created)} 个案件：")
            for c in report.created:
                self.case_list.addItem(f"{c.case_no}　←　原审案号 {c.original_case_no}")
        self._finish(report)

    def _failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        if not isinstance(exc, UserError):
            sys.excepthook(type(exc), exc, exc.__traceback__)
        else:
            self.status.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.status.setText("未导入任何案件：" + exc.message)
        self._finish(exc)

    def _finish(self, outcome: object) -> None:
        self._complete = True
        self.completeChanged.emit()
        self.importFinished.emit(outcome)


class ImportWizard(QWizard):
    """从 Excel 导入案件: the menu item opens this; emits `imported` with the new case numbers."""

    imported = Signal(list)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = ctx.clock.today()
        self.setWindowTitle("从 Excel 导入案件")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.file_page = FilePage()
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage(self)
        self.addPage(self.file_page)
        self.addPage(self.preview_page)
        self.addPage(self.result_page)
        self.result_page.importFinished.connect(self._announce)
        self.resize(1000, 680)

    def _announce(self, outcome: object) -> None:
        if isinstance(outcome, ImportReport) and outcome.created:
            self.imported.emit([c.case_no for c in outcome.created])
