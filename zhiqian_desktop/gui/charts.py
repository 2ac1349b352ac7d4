"""Small charts drawn with QPainter: stacked bars, lines over time, horizontal bars.

Why not Qt Charts: it ships only in the PySide6-Addons wheel, which also carries QtWebEngine
(428 MB unpacked); the project depends on PySide6-Essentials only. These widgets cover what the
statistics page needs — axis labels, a legend, Chinese text, a tooltip with the value under the
mouse, and a click on a bar or point that emits ``activated(group, series)`` so the page can list
the cases behind it. Data in, nothing else: no database, no business rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

PALETTE = (
    QColor("#2e7d32"),  # performed
    QColor("#1565c0"),  # settled
    QColor("#c62828"),  # transferred
    QColor("#9e9e9e"),  # withdrawn
    QColor("#f9a825"),  # pending
    QColor("#6a1b9a"),
    QColor("#00838f"),
)


@dataclass
class Series:
    key: str
    label: str
    values: list[float]
    color: QColor | None = None
    text: list[str] = field(default_factory=list)
    """How each value is shown in the tooltip (defaults to the number)."""

    def shown(self, i: int) -> str:
        if i < len(self.text):
            return self.text[i]
        v = self.values[i]
        return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


@dataclass
class _Hit:
    rect: QRectF
    group: int
    series: int


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` whose quarters are round too."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10):
        if value <= step * exp:
            return float(step * exp)
    return float(10 * exp)


class ChartBase(QWidget):
    """Common parts: title, legend, hit-testing for tooltip and click."""

    activated = Signal(str, str)
    """(group key, series key) of the clicked bar or point."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.groups: list[str] = []
        self.group_labels: list[str] = []
        self.series: list[Series] = []
        self.unit = ""
        self._hits: list[_Hit] = []
        self.setMouseTracking(True)
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(520, 280)

    def set_data(
        self, groups: list[str], labels: list[str], series: list[Series], unit: str = ""
    ) -> None:
        self.groups, self.group_labels, self.unit = groups, labels, unit
        for i, s in enumerate(series):
            if s.color is None:
                s.color = PALETTE[i % len(PALETTE)]
        self.series = series
        self.update()

    def hit_at(self, pos: QPointF) -> _Hit | None:
        for hit in reversed(self._hits):
            if hit.rect.contains(pos):
                return hit
        return None

    def tooltip_for(self, hit: _Hit) -> str:
        s = self.series[hit.series]
        return f"{self.group_labels[hit.group]}\n{s.label}：{s.shown(hit.group)}{self.unit}"

    def event(self, e: object) -> bool:
        if isinstance(e, QHelpEvent):
            hit = self.hit_at(QPointF(e.pos()))
            if hit is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), self.tooltip_for(hit), self)
            return True
        return super().event(e)  # type: ignore[arg-type]

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        hit = self.hit_at(e.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            hit = self.hit_at(e.position())
            if hit is not None:
                self.activated.emit(self.groups[hit.group], self.series[hit.series].key)
                return
        super().mouseReleaseEvent(e)

    def click_group(self, group: str, series: str) -> None:
        """What a click on that bar or point does (for keyboard users and tests)."""
        self.activated.emit(group, series)

    # --- drawing helpers ------------------------------------------------------------------

    def draw_frame(self, p: QPainter) -> QRectF:
        """Title and legend; returns the plot area."""
        fm = QFontMetrics(self.font())
        line = fm.height()
        r = QRectF(self.rect()).adjusted(8, 6, -8, -6)
        p.setPen(self.palette().windowText().color())
        if self.title:
            f = p.font()
            f.setBold(True)
            p.setFont(f)
            p.drawText(
                QRectF(r.left(), r.top(), r.width(), line), Qt.AlignmentFlag.AlignLeft, self.title
            )
            f.setBold(False)
            p.setFont(f)
            r.setTop(r.top() + line + 4)
        x = r.left()
        y = r.top()
        for s in self.series:
            w = fm.horizontalAdvance(s.label) + 26
            if x + w > r.right() and x > r.left():
                x = r.left()
                y += line + 2
            p.fillRect(QRectF(x, y + line / 2 - 5, 12, 10), s.color or PALETTE[0])
            p.setPen(self.palette().windowText().color())
            p.drawText(QPointF(x + 16, y + fm.ascent()), s.label)
            x += w
        r.setTop(y + line + 6)
        return r


class StackedBarChart(ChartBase):
    """One vertical bar per group, the series stacked (cases per month by outcome)."""

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._hits = []
        area = self.draw_frame(p)
        fm = QFontMetrics(self.font())
        totals = [sum(s.values[i] for s in self.series) for i in range(len(self.groups))]
        top = nice_max(max(totals, default=0))
        axis_w = fm.horizontalAdvance(f"{top:g}") + 8
        plot = QRectF(
            area.left() + axis_w, area.top(), area.width() - axis_w, area.height() - fm.height() - 6
        )
        _draw_y_axis(p, plot, top, fm, self)
        n = max(len(self.groups), 1)
        slot = plot.width() / n
        bar_w = max(min(slot * 0.65, 48), 2)
        label_every = max(1, math.ceil(fm.horizontalAdvance("0000年00月") / slot))
        for i, _g in enumerate(self.groups):
            x = plot.left() + slot * i + (slot - bar_w) / 2
            y = plot.bottom()
            for si, s in enumerate(self.series):
                v = s.values[i]
                if v <= 0:
                    continue
                h = v / top * plot.height()
                rect = QRectF(x, y - h, bar_w, h)
                p.fillRect(rect, s.color or PALETTE[0])
                self._hits.append(_Hit(rect, i, si))
                y -= h
            if i % label_every == 0:
                p.setPen(self.palette().windowText().color())
                p.drawText(
                    QRectF(plot.left() + slot * i - slot, plot.bottom() + 3, slot * 3, fm.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    self.group_labels[i],
                )
        p.end()


class LineChart(ChartBase):
    """One line per series over the groups (rates over time), 0–100 % axis."""

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._hits = []
        area = self.draw_frame(p)
        fm = QFontMetrics(self.font())
        top = 100.0
        axis_w = fm.horizontalAdvance("100%") + 8
        plot = QRectF(
            area.left() + axis_w, area.top(), area.width() - axis_w, area.height() - fm.height() - 6
        )
        _draw_y_axis(p, plot, top, fm, self, suffix="%")
        n = max(len(self.groups), 1)
        slot = plot.width() / n
        label_every = max(1, math.ceil(fm.horizontalAdvance("0000年00月") / slot))
        for i in range(len(self.groups)):
            if i % label_every == 0:
                p.setPen(self.palette().windowText().color())
                p.drawText(
                    QRectF(plot.left() + slot * i - slot, plot.bottom() + 3, slot * 3, fm.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    self.group_labels[i],
                )
        for si, s in enumerate(self.series):
            color = s.color or PALETTE[0]
            p.setPen(QPen(color, 2))
            prev: QPointF | None = None
            for i, v in enumerate(s.values):
                if math.isnan(v):
                    prev = None  # no cases taken in: no rate, a gap in the line
                    continue
                pt = QPointF(
                    plot.left() + slot * (i + 0.5), plot.bottom() - v / top * plot.height()
                )
                if prev is not None:
                    p.drawLine(prev, pt)
                prev = pt
            p.setBrush(color)
            for i, v in enumerate(s.values):
                if math.isnan(v):
                    continue
                pt = QPointF(
                    plot.left() + slot * (i + 0.5), plot.bottom() - v / top * plot.height()
                )
                p.drawEllipse(pt, 3.5, 3.5)
                self._hits.append(_Hit(QRectF(pt.x() - 7, pt.y() - 7, 14, 14), i, si))
        p.end()


class HorizontalBarChart(ChartBase):
    """One horizontal bar per group (cases per handler); several series side by side."""

    def sizeHint(self) -> QSize:
        return QSize(520, max(220, 40 + 22 * len(self.groups)))

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._hits = []
        area = self.draw_frame(p)
        fm = QFontMetrics(self.font())
        top = nice_max(max((v for s in self.series for v in s.values), default=0))
        label_w = min(
            max((fm.horizontalAdvance(t) for t in self.group_labels), default=40) + 8,
            area.width() / 3,
        )
        plot = QRectF(
            area.left() + label_w,
            area.top(),
            area.width() - label_w - 8,
            area.height() - fm.height() - 4,
        )
        n = max(len(self.groups), 1)
        slot = plot.height() / n
        k = max(len(self.series), 1)
        bar_h = max(min(slot * 0.8 / k, 16), 1)
        grid = QColor(self.palette().mid().color())
        for t in range(5):
            x = plot.left() + plot.width() * t / 4
            p.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            p.setPen(self.palette().windowText().color())
            p.drawText(
                QRectF(x - 40, plot.bottom() + 2, 80, fm.height()),
                Qt.AlignmentFlag.AlignHCenter,
                f"{top * t / 4:g}",
            )
        for i in range(len(self.groups)):
            y0 = plot.top() + slot * i + (slot - bar_h * k) / 2
            p.setPen(self.palette().windowText().color())
            if slot >= fm.height() * 0.8:
                p.drawText(
                    QRectF(area.left(), plot.top() + slot * i, label_w - 6, slot),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    fm.elidedText(
                        self.group_labels[i], Qt.TextElideMode.ElideRight, int(label_w - 6)
                    ),
                )
            for si, s in enumerate(self.series):
                w = s.values[i] / top * plot.width()
                rect = QRectF(plot.left(), y0 + bar_h * si, max(w, 1), bar_h - 1)
                p.fillRect(rect, s.color or PALETTE[0])
                self._hits.append(_Hit(rect, i, si))
        p.end()


def _draw_y_axis(
    p: QPainter, plot: QRectF, top: float, fm: QFontMetrics, w: QWidget, suffix: str = ""
) -> None:
    grid = QColor(w.palette().mid().color())
    for t in range(5):
        y = plot.bottom() - plot.height() * t / 4
        p.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setPen(w.palette().windowText().color())
        p.drawText(
            QRectF(plot.left() - 200 - 4, y - fm.height() / 2, 200, fm.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"{top * t / 4:g}{suffix}",
        )
    p.setPen(w.palette().windowText().color())
    p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
