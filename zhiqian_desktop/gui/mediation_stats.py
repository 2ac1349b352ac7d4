"""统计 › 委托调解: each mediator's entrustments in the period, their results and success rate."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.gui.table_state import read_only_table
from zhiqian_desktop.services.supervision.mediation import MediationStats

HEADERS = ["调解员", "委托", "调解成功", "调解不成", "撤回", "调解中", "成功率"]


class MediationStatsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = read_only_table(HEADERS, single=False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        note = QLabel(
            "按委托日期统计期间内委托的案件。成功率＝调解成功 ÷（调解成功＋调解不成）；"
            "撤回委托和尚在调解中的不计入。"
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)

    def show_stats(self, stats: MediationStats) -> None:
        rows = [*stats.by_mediator, stats.total]
        self.table.setRowCount(len(rows))
        for r, t in enumerate(rows):
            for c, text in enumerate(t.cells()):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
