"""统计 › 委托调解: each mediator's entrustments in the period, their results and success rate."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.services.supervision.mediation import MediationStats

HEADERS = ["调解员", "委托", "调解成功", "调解不成", "撤回", "调解中", "成功率"]


class MediationStatsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
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
            cells = (
                t.mediator,
                str(t.entrusted),
                str(t.settled),
                str(t.failed),
                str(t.withdrawn),
                str(t.pending),
                "—" if t.rate is None else f"{t.rate}%",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
