"""Pages that fit a court's screens: 1024×700, 1366×768 at 100 % and 150 % (911×512 in the
pixels the layout works in), 1920×1080 at 150 %. A page taller than the window scrolls up and
down, never sideways; a side-by-side split stacks when the window is narrow.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QWidget


class VerticalScroller(QScrollArea):
    """``page`` at the window's width, scrolling up and down when the window is shorter than
    the page needs (a 768-high screen at 150 %). The page's own minimum width still holds: it
    is the scroller's, so nothing is cut at the right edge."""

    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(page)

    def minimumSizeHint(self) -> QSize:
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(self.page.minimumSizeHint().width() + bar, 120)


class FoldingSplitter(QSplitter):
    """Side by side on a wide window, one above the other on a narrow one (below ``fold``
    pixels): an editor beside its preview on 1920×1080, above it on 1024×700. Its minimum is
    the stacked one's, so it never holds a window wider than the screen."""

    def __init__(self, fold: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.fold = fold
        self.setChildrenCollapsible(False)

    def minimumSizeHint(self) -> QSize:
        widgets = [self.widget(i) for i in range(self.count())]
        hints = [w.minimumSizeHint() for w in widgets if w is not None]
        handles = self.handleWidth() * max(self.count() - 1, 0)
        return QSize(
            max((h.width() for h in hints), default=0),
            sum(h.height() for h in hints) + handles,
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        wanted = (
            Qt.Orientation.Horizontal
            if event.size().width() >= self.fold
            else Qt.Orientation.Vertical
        )
        if wanted != self.orientation():
            self.setOrientation(wanted)
        super().resizeEvent(event)
