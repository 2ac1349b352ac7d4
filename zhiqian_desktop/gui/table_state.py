"""Tables that fit their content, show their whole text and keep each user's column widths and
sort order.

Columns start as wide as their header and the rows already read (capped: a company name of 40
characters must not push the next columns off the screen). Text longer than its column wraps
onto more lines instead of being cut: the rows of a case's records grow to their text; the
docket and the due-list, which page through thousands of rows without measuring them, give each
row two lines when a row read holds a longer text. A clerk's own widths and sort are kept per
user of the app, not per PC, since a desk is shared between a handler and a lead.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTableWidget

from zhiqian_desktop.store.locations import data_dir

PADDING = 24
MAX_WIDTH = 320


def read_only_table(headers: list[str], *, single: bool = True) -> QTableWidget:
    """A small list of rows chosen whole and not edited in place (settings and dialogs)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    return table


def _settings() -> QSettings:
    return QSettings(str(data_dir() / "tables.ini"), QSettings.Format.IniFormat)


def _key(user: str, table: str) -> str:
    return f"{table}/{user or '-'}"


def fit_columns(view: QTableView, rows: int = 200, max_width: int = MAX_WIDTH) -> bool:
    """Each column as wide as its header and its text in the first ``rows`` rows (at most
    ``max_width``), read from the model without waiting for the view to paint; True when a text
    is wider than its column (it wraps)."""
    model = view.model()
    metrics = view.fontMetrics()
    header = view.horizontalHeader()
    bold = header.font()
    bold.setBold(True)
    header_metrics = type(metrics)(bold)
    count = min(model.rowCount(), rows)
    longer = False
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = header_metrics.horizontalAdvance(title)
        for row in range(count):
            index = model.index(row, column)
            text = index.data()
            if text:
                width = max(width, metrics.horizontalAdvance(str(text)) + _mark_width(view, index))
        view.setColumnWidth(column, min(width + PADDING, max_width))
        longer |= width + PADDING > max_width
    return longer


def show_whole_text(view: QTableView) -> None:
    """A text longer than its column wraps onto the next line rather than ending in "…"."""
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideNone)


def line_rows(view: QTableView, lines: int) -> None:
    """Rows of ``lines`` lines of text each (the paged tables, whose rows are never measured)."""
    height = view.fontMetrics().lineSpacing() * lines + 10
    vertical = view.verticalHeader()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(max(height, 28))


def _mark_width(view: QTableView, index: QModelIndex) -> int:
    """The room a cell's icon takes beside its text (the docket's 民 mark)."""
    if index.data(Qt.ItemDataRole.DecorationRole) is None:
        return 0
    return view.iconSize().width() if view.iconSize().isValid() else view.fontMetrics().height() + 6


def longest_lines(view: QTableView, rows: int = 200, *, most: int | None = None) -> int:
    """How many lines the longest text of the first ``rows`` rows takes in its column now
    (counting stops at ``most``). A text too short to fill its column even in the widest
    character of the font, or in the font's height (a Han character is about that wide), is not
    measured."""
    model = view.model()
    metrics = view.fontMetrics()
    widest = max(metrics.maxWidth(), metrics.height())
    lines = 1
    for column in range(model.columnCount()):
        width = view.columnWidth(column) - 12
        for row in range(min(model.rowCount(), rows)):
            index = model.index(row, column)
            text = index.data()
            if not isinstance(text, str) or not text:
                continue
            room = max(width - _mark_width(view, index), 1)
            if len(text) * widest <= room:
                continue
            lines = max(lines, -(-metrics.horizontalAdvance(text) // room))
            if most is not None and lines >= most:
                return lines
    return lines


class PagedRows(QObject):
    """Rows of a paged table (the docket, the due-list) one line tall, or two when a name read
    is longer than its column: the clerk sees it wrapped, never cut."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        show_whole_text(view)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update)
        view.model().modelReset.connect(self._timer.start)
        view.model().layoutChanged.connect(self._timer.start)
        view.horizontalHeader().sectionResized.connect(self._timer.start)

    def update(self) -> None:
        line_rows(self.view, min(longest_lines(self.view, most=2), 2))


class TableMemory(QObject):
    """One table's widths and sort for one user: put back when its rows arrive, kept as soon as
    the user drags a column or sorts (a moment later, once the dragging stops)."""

    def __init__(self, view: QTableView, user: str, name: str) -> None:
        super().__init__(view)
        self.view, self.user, self.name = view, user, name
        self._arranging = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self.save)
        header = view.horizontalHeader()
        header.sectionResized.connect(self._changed)
        header.sortIndicatorChanged.connect(self._changed)
        show_whole_text(view)

    def _key(self) -> str:
        # Tables whose columns vary (the statistics of a period) keep one layout per shape.
        return f"{self.name}-{self.view.model().columnCount()}"

    def _changed(self, *_args: object) -> None:
        if not self._arranging:
            self._timer.start()

    def arrange(self, max_width: int = MAX_WIDTH, *, fit: bool = True) -> None:
        """After the rows are in: the user's widths and sort, else columns fitted to the text
        (``fit``; else the widths the table was laid out with); then each row as tall as its
        text."""
        self._arranging = True
        try:
            if not restore_table(self.view, self.user, self._key()) and fit:
                fit_columns(self.view, max_width=max_width)
            self.view.resizeRowsToContents()
        finally:
            self._arranging = False

    def save(self) -> None:
        self._timer.stop()
        if self.view.model().columnCount():
            save_table(self.view, self.user, self._key())


def restore_table(view: QTableView, user: str, table: str) -> bool:
    """Put back the user's widths and sort of ``table``; False when there are none yet."""
    state = _settings().value(_key(user, table))
    header = view.horizontalHeader()
    if state is None or not header.restoreState(state):
        return False
    if view.isSortingEnabled():
        # restoreState moves the indicator only: the model sorts when told.
        view.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
    return True


def save_table(view: QTableView, user: str, table: str) -> None:
    settings = _settings()
    settings.setValue(_key(user, table), view.horizontalHeader().saveState())
    settings.sync()
