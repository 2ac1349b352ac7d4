"""Tables that fit their content and keep each user's column widths and sort order.

Columns start as wide as their header and the rows already read (capped: a company name of 40
characters must not push the next columns off the screen; the cell's tooltip has the whole
text). A clerk's own widths and sort are kept per user of the app, not per PC, since a desk is
shared between a handler and a lead.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QTableView

from zhiqian_desktop.store.locations import data_dir

PADDING = 24
MAX_WIDTH = 320


def _settings() -> QSettings:
    return QSettings(str(data_dir() / "tables.ini"), QSettings.Format.IniFormat)


def _key(user: str, table: str) -> str:
    return f"{table}/{user or '-'}"


def fit_columns(view: QTableView, rows: int = 200, max_width: int = MAX_WIDTH) -> None:
    """Each column as wide as its header and its text in the first ``rows`` rows (at most
    ``max_width``), read from the model without waiting for the view to paint."""
    model = view.model()
    metrics = view.fontMetrics()
    header = view.horizontalHeader()
    bold = header.font()
    bold.setBold(True)
    header_metrics = type(metrics)(bold)
    count = min(model.rowCount(), rows)
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = header_metrics.horizontalAdvance(title)
        for row in range(count):
            text = model.index(row, column).data()
            if text:
                width = max(width, metrics.horizontalAdvance(str(text)))
        view.setColumnWidth(column, min(width + PADDING, max_width))


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
