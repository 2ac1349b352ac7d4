"""The docket table model: knows the row count, fetches 200-row pages from the docket service on demand.

The view asks only for the rows it shows, so only those pages are read; pages are cached (a bounded
number of them) until the query, the sort or the data changes. Filtering and sorting happen in SQL.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPixmap

from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.services.intake.docket import (
    SORT_KEYS,
    DocketQuery,
    DocketRow,
    count_cases,
    list_cases,
)

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50  # 10,000 rows at most in memory, however far the clerk scrolls

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS: tuple[str, ...] = (
    "案号",
    "原审案号",
    "案由",
    "被申请人",
    "标的金额",
    "已履行",
    "状态",
    "承办人",
    "督促天数",
    "下次到期",
)

COL_CASE_NO, COL_ORIGINAL, COL_CAUSE, COL_OBLIGOR, COL_DUE, COL_PAID = range(6)
COL_STATUS, COL_HANDLER, COL_DAYS, COL_NEXT_DUE = range(6, 10)

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
OVERDUE_COLOR = QColor("#c62828")
LIVELIHOOD_COLOR = QColor("#d84315")

_badge: QPixmap | None = None


def livelihood_badge() -> QPixmap:
    """A small red “民” seal drawn once, shown beside the case number of a livelihood case."""
    global _badge
    if _badge is None:
        size = 18
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(LIVELIHOOD_COLOR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(0, 0, size, size, 4, 4)
        font = QFont()
        font.setPixelSize(12)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, "民")
        painter.end()
        _badge = pix
    return _badge


def _display(row: DocketRow, column: int) -> str:
    if column == COL_CASE_NO:
        return row.case_no
    if column == COL_ORIGINAL:
        return row.original_case_no
    if column == COL_CAUSE:
        return row.cause
    if column == COL_OBLIGOR:
        return row.obligor_names
    if column == COL_DUE:
        return format_amount(row.amount_due)
    if column == COL_PAID:
        return format_amount(row.amount_paid)
    if column == COL_STATUS:
        return row.status.label
    if column == COL_HANDLER:
        return row.handler_name
    if column == COL_DAYS:
        return str(row.days_in_supervision)
    if column == COL_NEXT_DUE:
        return row.next_due_date.isoformat() if row.next_due_date else ""
    return ""


_Index = QModelIndex | QPersistentModelIndex


class DocketModel(QAbstractTableModel):
    """Rows of ``list_cases`` for one DocketQuery, read a page at a time."""

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._query = DocketQuery()
        self._count = 0
        self._pages: OrderedDict[int, list[DocketRow]] = OrderedDict()
        self._bold: QFont | None = None
        self.pages_fetched = 0
        """How many pages were read from the database since the last reset (tests, bench)."""

    # --- the query ------------------------------------------------------------------------

    @property
    def query(self) -> DocketQuery:
        """A copy of the current query (filters and sort) — what an export of this view uses."""
        return replace(self._query)

    def set_query(self, query: DocketQuery) -> None:
        """Show the cases matching `query`, keeping the current sort."""
        self._reset(replace(query, sort=self._query.sort, descending=self._query.descending))

    def refresh(self) -> None:
        """Re-read the count and drop cached pages (after a save, or F5)."""
        self._reset(self._query)

    def _reset(self, query: DocketQuery) -> None:
        self.beginResetModel()
        self._query = query
        self._pages.clear()
        self.pages_fetched = 0
        self._count = count_cases(self._ctx.db, query)
        self.endResetModel()

    def total(self) -> int:
        return self._count

    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    def cached_pages(self) -> list[int]:
        return sorted(self._pages)

    # --- rows, read a page at a time ------------------------------------------------------

    def _page(self, number: int) -> list[DocketRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = list_cases(
            self._ctx.db,
            self._query,
            today=self._ctx.clock.today(),
            offset=number * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        self.pages_fetched += 1
        self._pages[number] = page
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return page

    def row_at(self, row: int) -> DocketRow | None:
        if not 0 <= row < self._count:
            return None
        page = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        # The table may have changed under us (another clerk deleted a case): an empty cell
        # until the next refresh, never an exception in paint code.
        return page[offset] if offset < len(page) else None

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (
                COL_DUE,
                COL_PAID,
                COL_DAYS,
            ):
                return _RIGHT
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == CASE_ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_DUE, COL_PAID, COL_DAYS):
                return _RIGHT
            if column in (COL_STATUS, COL_NEXT_DUE):
                return _CENTER
            return _LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_NEXT_DUE and self.is_overdue(row):
                return QBrush(OVERDUE_COLOR)
            return None
        if role == Qt.ItemDataRole.FontRole:
            if (column == COL_NEXT_DUE and self.is_overdue(row)) or (
                column == COL_OBLIGOR and row.livelihood
            ):
                return self._bold_font()
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if column == COL_CASE_NO and row.livelihood:
                return livelihood_badge()
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_CASE_NO and row.livelihood:
                return "涉民生案件，优先办理"
            if column == COL_NEXT_DUE and row.next_due_date is not None and self.is_overdue(row):
                days = (self._ctx.clock.today() - row.next_due_date).days
                return f"已逾期{days}天"
            return None
        return None

    def is_overdue(self, row: DocketRow) -> bool:
        return row.next_due_date is not None and row.next_due_date < self._ctx.clock.today()

    def _bold_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self._query.sort == SORT_KEYS[column] and self._query.descending == descending:
            return
        self._reset(replace(self._query, sort=SORT_KEYS[column], descending=descending))

    def sort_column(self) -> int:
        return SORT_KEYS.index(self._query.sort)

    def row_of_case(self, case_id: str) -> int | None:
        """The row of a case among the pages already read (to reselect it after a refresh)."""
        for number, page in self._pages.items():
            for i, row in enumerate(page):
                if row.id == case_id:
                    return number * PAGE_SIZE + i
        return None
