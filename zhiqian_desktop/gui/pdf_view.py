"""Previewing and printing PDFs inside the app: pages drawn by PDFium (pypdfium2), printed by Qt.

PySide6-Essentials has no Qt PDF module, so pages are rasterised by PDFium. Only the pages in view
are drawn, one at a time on a background thread, and only a bounded number of them is kept, so a
trip PDF of several hundred pages opens at once and uses little memory. Printing draws each page
at the printer's resolution (at most ``PRINT_DPI_MAX``) onto the QPrinter chosen in the system print
dialog; opening the file in the system's own viewer stays available as a fallback.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PySide6.QtCore import (
    QEvent,
    QObject,
    QPoint,
    QRect,
    QSize,
    QSizeF,
    Qt,
    QThreadPool,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPaintEvent,
    QShortcut,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.worker import Progress, run_in_background

log = logging.getLogger(__name__)

_PDFIUM_LOCK = threading.Lock()
"""PDFium is not thread-safe: every call into it, from any thread, holds this lock."""

SCREEN_DPI = 96.0
PRINT_DPI_MAX = 300
"""A4 at 300 dpi is 35 MB per page in memory; more adds nothing visible to 16 pt text."""
PAGE_GAP = 12
CACHE_BYTES = 96 * 2**20
"""Rendered pages kept for scrolling back (the pages in view are always kept)."""
ZOOM_STEPS = (0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)


def open_in_system_viewer(path: Path) -> bool:
    """Open a file in the system's PDF viewer (the fallback when in-app preview is not enough)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class PdfPages:
    """An open PDF: page count, page sizes in points, and pages drawn as QImages (any thread).

    The file is read into memory, so the file on disk may be replaced while it is shown."""

    def __init__(self, source: Path | bytes, name: str = "") -> None:
        if isinstance(source, Path):
            name = name or str(source)
            try:
                source = source.read_bytes()
            except OSError as exc:
                raise UserError(
                    f"无法读取PDF文件“{name}”（{exc.strerror}）；请检查文件是否存在"
                ) from None
        self.name = name or "PDF"
        with _PDFIUM_LOCK:
            try:
                self._pdf: pdfium.PdfDocument | None = pdfium.PdfDocument(source)
            except pdfium.PdfiumError as exc:
                raise UserError(
                    f"无法打开PDF文件“{self.name}”（{exc}）；文件可能已损坏，请重新生成"
                ) from None
            self.sizes: list[tuple[float, float]] = [
                self._pdf.get_page_size(i) for i in range(len(self._pdf))
            ]

    @property
    def page_count(self) -> int:
        return len(self.sizes)

    def render(self, index: int, dpi: float) -> QImage | None:
        """Page ``index`` (from 0) at ``dpi``; None once the document was closed."""
        scale = dpi / 72.0
        with _PDFIUM_LOCK:
            if self._pdf is None:
                return None
            page = self._pdf[index]
            try:
                bitmap = page.render(
                    scale=scale,
                    force_bitmap_format=pdfium_c.FPDFBitmap_BGRx,
                    may_draw_forms=False,
                )
                try:
                    # BGRx bytes are QImage's RGB32 on every little-endian machine.
                    return QImage(
                        bitmap.buffer,
                        bitmap.width,
                        bitmap.height,
                        bitmap.stride,
                        QImage.Format.Format_RGB32,
                    ).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with _PDFIUM_LOCK:
            if self._pdf is not None:
                self._pdf.close()
                self._pdf = None


# --- printing ------------------------------------------------------------------------------------


def print_pages(
    printer: QPrinter,
    pages: PdfPages,
    first: int = 1,
    last: int = 0,
    *,
    on_page: Callable[[int, int], bool] | None = None,
) -> int:
    """Draw pages ``first``..``last`` (from 1; 0 = to the end) onto ``printer``; pages printed.

    Each page is drawn at the printer's resolution (capped at PRINT_DPI_MAX) over the whole sheet:
    the PDF already carries the GB/T 9704 margins, so the printer adds none. ``on_page(done,
    total)`` returning False stops (and aborts) the print job."""
    last = min(last or pages.page_count, pages.page_count)
    first = max(first, 1)
    if first > last:
        return 0
    printer.setFullPage(True)
    width, height = pages.sizes[first - 1]
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(width, height), QPageSize.Unit.Point),
            QPageLayout.Orientation.Portrait,
            printer.pageLayout().margins(),
        )
    )
    dpi = min(printer.resolution(), PRINT_DPI_MAX)
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("无法开始打印；请检查打印机是否连接、是否缺纸，或改用“用系统程序打开”打印")
    done = 0
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for number in range(first, last + 1):
            if on_page is not None and not on_page(done, last - first + 1):
                printer.abort()
                break
            if number > first:
                printer.newPage()
            image = pages.render(number - 1, dpi)
            if image is None:
                break
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.x() + (target.width() - scaled.width()) // 2
            y = target.y() + (target.height() - scaled.height()) // 2
            painter.drawImage(QRect(QPoint(x, y), scaled), image)
            done += 1
    finally:
        painter.end()
    return done


# --- the page area -------------------------------------------------------------------------------


class _PageCanvas(QWidget):
    """All pages one under the other at the current zoom; draws what it has, asks for the rest."""

    def __init__(self, view: PdfView) -> None:
        super().__init__()
        self.view = view
        self.setAutoFillBackground(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        return self.view.canvas_size()

    def paintEvent(self, event: QPaintEvent) -> None:
        view = self.view
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor("#7f8790"))
        for index, rect in enumerate(view.page_rects):
            if rect.bottom() < event.rect().top():
                continue
            if rect.top() > event.rect().bottom():
                break
            image = view.cached_page(index)
            if image is None:
                image = view.stand_in(index)
            if image is None:
                painter.fillRect(rect, Qt.GlobalColor.white)
                painter.setPen(QColor("#8a8a8a"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"正在显示第 {index + 1} 页…")
            else:
                painter.drawImage(rect, image)
        painter.end()
        # What is in view, not just what was repainted (one page redrawn must not cancel the rest).
        shown = self.visibleRegion().boundingRect()
        view.want_pages(
            [
                i
                for i, rect in enumerate(view.page_rects)
                if rect.bottom() >= shown.top() and rect.top() <= shown.bottom()
            ]
        )


class PdfView(QWidget):
    """A PDF preview: pages, 上一页/下一页, 第 x 页 共 y 页, zoom and fit width, print, open outside.

    Keys: PageUp/PageDown (page), Home/End, Ctrl++ / Ctrl+- (zoom), Ctrl+0 (fit width), Ctrl+P."""

    pageChanged = Signal(int)  # the page at the top of the view, from 1
    pageRendered = Signal(int)  # a page (from 0) was drawn and is now shown
    printed = Signal(int)  # pages sent to the printer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfView")
        self.pages: PdfPages | None = None
        self.path: Path | None = None
        self.zoom = 1.0
        self.fit_width = True
        self.page_rects: list[QRect] = []
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._stale: dict[int, QImage] = {}
        self._cache_bytes = 0
        self._generation = 0
        self._pending: set[int] = set()
        self._wanted: frozenset[int] = frozenset()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # PDFium is serialised anyway; one thread keeps order
        self.external_opener: Callable[[Path], bool] = open_in_system_viewer
        """Replaced in tests, where no system viewer may start."""
        self.print_dialog_factory: Callable[[QPrinter, QWidget], QPrintDialog] = QPrintDialog
        """Replaced in tests: the system print dialog is modal."""

        self.prev_button = QToolButton(self)
        self.prev_button.setText("上一页")
        self.prev_button.setToolTip("上一页（PageUp）")
        self.next_button = QToolButton(self)
        self.next_button.setText("下一页")
        self.next_button.setToolTip("下一页（PageDown）")
        self.page_box = QSpinBox(self)
        self.page_box.setObjectName("pageBox")
        self.page_box.setKeyboardTracking(False)
        self.page_box.setPrefix("第 ")
        self.page_box.setSuffix(" 页")
        self.page_box.setAccessibleName("当前页")
        self.page_total = QLabel(self)
        self.page_total.setObjectName("pageTotal")
        self.zoom_out_button = QToolButton(self)
        self.zoom_out_button.setText("缩小")
        self.zoom_out_button.setToolTip("缩小（Ctrl+-）")
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(44)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = QToolButton(self)
        self.zoom_in_button.setText("放大")
        self.zoom_in_button.setToolTip("放大（Ctrl++）")
        self.fit_button = QToolButton(self)
        self.fit_button.setText("适合宽度")
        self.fit_button.setToolTip("页面宽度适合窗口（Ctrl+0）")
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.print_button = QPushButton("打印(&P)…", self)
        self.print_button.setToolTip("选择打印机、页码范围和份数后打印（Ctrl+P）")
        self.external_button = QPushButton("用系统程序打开", self)
        self.external_button.setToolTip("用系统的PDF阅读器打开此文件（另存、用其打印功能等）")

        self.prev_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.page_box.valueChanged.connect(self._page_box_changed)
        self.zoom_in_button.clicked.connect(lambda: self.step_zoom(+1))
        self.zoom_out_button.clicked.connect(lambda: self.step_zoom(-1))
        self.fit_button.toggled.connect(self.set_fit_width)
        self.print_button.clicked.connect(self.print_document)
        self.external_button.clicked.connect(self.open_externally)

        self.message = QLabel(self)
        self.message.setObjectName("pdfMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a4262c; padding: 4px;")
        self.message.hide()

        self.canvas = _PageCanvas(self)
        self.area = QScrollArea(self)
        self.area.setWidget(self.canvas)
        self.area.setWidgetResizable(False)
        self.area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.area.setStyleSheet("QScrollArea { background: #7f8790; }")
        self.area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.area.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.area.viewport().installEventFilter(self)

        bar = QHBoxLayout()
        for w in (self.prev_button, self.next_button, self.page_box, self.page_total):
            bar.addWidget(w)
        bar.addSpacing(12)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.external_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.area, 1)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToNextPage, self.next_page),
            (QKeySequence.StandardKey.MoveToPreviousPage, self.previous_page),
            (QKeySequence.StandardKey.ZoomIn, lambda: self.step_zoom(+1)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.step_zoom(-1)),
            (QKeySequence.StandardKey.Print, self.print_document),
            (QKeySequence("Ctrl+0"), lambda: self.set_fit_width(True)),
            (QKeySequence("Home"), lambda: self.go_to_page(1)),
            (QKeySequence("End"), lambda: self.go_to_page(10**9)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
            if keys is QKeySequence.StandardKey.Print:
                self.print_shortcut = shortcut
        self._update_controls()

    def set_printable(self, on: bool) -> None:
        """Offer printing or not (a sample drawing inside the main window, where Ctrl+P is the
        batch print, is not printed)."""
        self.print_button.setVisible(on)
        self.print_shortcut.setEnabled(on)

    # --- the document ---------------------------------------------------------------------

    def load(self, source: Path | bytes, *, name: str = "", keep_position: bool = False) -> None:
        """Show a PDF file or PDF bytes; a file that cannot be opened is reported in the view.

        ``keep_position`` (a new version of the same document, as the template editor draws it)
        keeps the scroll position, and the old pages stay in view until the new ones are drawn."""
        scrolled = self.area.verticalScrollBar().value()
        try:
            pages = PdfPages(source, name)
        except UserError as exc:
            self.show_error(exc.message)
            return
        stale = (
            {i: image for i, image in self._cache.items() if i in self._wanted}
            if keep_position
            else {}
        )
        self.close_document()
        self.pages = pages
        self.path = source if isinstance(source, Path) else None
        self.message.hide()
        self._relayout()
        self._stale = stale
        if keep_position:
            self.area.verticalScrollBar().setValue(scrolled)
        else:
            self.go_to_page(1)
        self._update_controls()

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def close_document(self) -> None:
        self._generation += 1
        self._stale = {}
        self._cache.clear()
        self._cache_bytes = 0
        self._pending.clear()
        if self.pages is not None:
            self.pages.close()
        self.pages = None

    def page_count(self) -> int:
        return self.pages.page_count if self.pages is not None else 0

    # --- layout and zoom ------------------------------------------------------------------

    def _pixels_per_point(self) -> float:
        return self.zoom * SCREEN_DPI / 72.0

    def _fit_zoom(self) -> float:
        if not self.pages or not self.pages.sizes:
            return 1.0
        widest = max(w for w, _h in self.pages.sizes)
        available = self.area.viewport().width() - 2 * PAGE_GAP
        return max(0.2, min(4.0, available / (widest * SCREEN_DPI / 72.0)))

    def _relayout(self) -> None:
        if self.fit_width:
            self.zoom = self._fit_zoom()
        scale = self._pixels_per_point()
        sizes = self.pages.sizes if self.pages is not None else []
        width = int(max((w for w, _h in sizes), default=0) * scale) + 2 * PAGE_GAP
        rects = []
        y = PAGE_GAP
        for w, h in sizes:
            pw, ph = round(w * scale), round(h * scale)
            rects.append(QRect((width - pw) // 2, y, pw, ph))
            y += ph + PAGE_GAP
        self.page_rects = rects
        self._generation += 1
        # The pages in view, drawn at the old size, stand in (scaled) until drawn again.
        self._stale = {i: image for i, image in self._cache.items() if i in self._wanted}
        self._cache.clear()
        self._cache_bytes = 0
        self._pending.clear()
        self.canvas.resize(width, y)
        self.canvas.update()
        self.zoom_label.setText(f"{round(self.zoom * 100)}%")

    def canvas_size(self) -> QSize:
        return self.canvas.size()

    def set_zoom(self, zoom: float) -> None:
        page = self.current_page()
        self.fit_width = False
        self.fit_button.blockSignals(True)
        self.fit_button.setChecked(False)
        self.fit_button.blockSignals(False)
        self.zoom = max(0.2, min(4.0, zoom))
        self._relayout()
        self.go_to_page(page)

    def step_zoom(self, direction: int) -> None:
        if direction > 0:
            bigger = [z for z in ZOOM_STEPS if z > self.zoom + 0.01]
            self.set_zoom(bigger[0] if bigger else ZOOM_STEPS[-1])
        else:
            smaller = [z for z in ZOOM_STEPS if z < self.zoom - 0.01]
            self.set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def set_fit_width(self, on: bool) -> None:
        page = self.current_page()
        self.fit_width = on
        self.fit_button.blockSignals(True)
        self.fit_button.setChecked(on)
        self.fit_button.blockSignals(False)
        self._relayout()
        self.go_to_page(page)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The viewport's own size decides "fit width" (it settles after the view's resize).
        if (
            watched is self.area.viewport()
            and event.type() == QEvent.Type.Resize
            and self.fit_width
            and self.pages is not None
            and abs(self._fit_zoom() - self.zoom) > 0.005
        ):
            page = self.current_page()
            self._relayout()
            self.go_to_page(page)
        return super().eventFilter(watched, event)

    # --- pages ----------------------------------------------------------------------------

    def current_page(self) -> int:
        """The page (from 1) at the top of the view; 0 without a document."""
        if not self.page_rects:
            return 0
        top = self.area.verticalScrollBar().value() + PAGE_GAP
        for index, rect in enumerate(self.page_rects):
            if rect.bottom() + PAGE_GAP >= top:
                return index + 1
        return len(self.page_rects)

    def go_to_page(self, page: int) -> None:
        if not self.page_rects:
            return
        page = max(1, min(page, len(self.page_rects)))
        self.area.verticalScrollBar().setValue(self.page_rects[page - 1].top() - PAGE_GAP)
        self._update_controls()

    def next_page(self) -> None:
        self.go_to_page(self.current_page() + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.current_page() - 1)

    def _page_box_changed(self, value: int) -> None:
        if value != self.current_page():
            self.go_to_page(value)

    def _scrolled(self, _value: int) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        count = self.page_count()
        page = self.current_page()
        self.page_box.blockSignals(True)
        self.page_box.setRange(1 if count else 0, max(count, 1) if count else 0)
        self.page_box.setValue(page)
        self.page_box.blockSignals(False)
        self.page_total.setText(f"共 {count} 页")
        self.prev_button.setEnabled(page > 1)
        self.next_button.setEnabled(0 < page < count)
        for w in (self.page_box, self.zoom_in_button, self.zoom_out_button, self.fit_button):
            w.setEnabled(count > 0)
        self.print_button.setEnabled(count > 0)
        self.external_button.setEnabled(self.path is not None)
        if page:
            self.pageChanged.emit(page)

    # --- drawing pages off the GUI thread -------------------------------------------------

    def cached_page(self, index: int) -> QImage | None:
        image = self._cache.get(index)
        if image is not None:
            self._cache.move_to_end(index)
        return image

    def stand_in(self, index: int) -> QImage | None:
        """The page as drawn before the last zoom or reload, shown until it is drawn again."""
        return self._stale.get(index)

    def want_pages(self, indexes: list[int]) -> None:
        """Called while painting: draw the pages in view that are not drawn yet."""
        self._wanted = frozenset(indexes)
        pages = self.pages
        if pages is None:
            return
        dpi = SCREEN_DPI * self.zoom * self.devicePixelRatioF()
        generation = self._generation
        for index in indexes:
            if index in self._cache or index in self._pending:
                continue
            self._pending.add(index)

            def work(_progress: Progress, index: int = index) -> tuple[int, int, QImage | None]:
                # Skipped when the view moved on (scrolled away, zoomed, closed) meanwhile.
                if generation != self._generation or index not in self._wanted:
                    return generation, index, None
                return generation, index, pages.render(index, dpi)

            run_in_background(
                work, on_success=self._rendered, on_failure=self._render_failed, pool=self.pool
            )

    def _rendered(self, result: object) -> None:
        generation, index, image = cast(tuple[int, int, QImage | None], result)
        if generation != self._generation:
            return
        self._pending.discard(index)
        if image is None:
            return
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self._cache[index] = image
        self._cache_bytes += image.sizeInBytes()
        self._stale.pop(index, None)
        while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
            old = next(iter(self._cache))
            if old in self._wanted:
                self._cache.move_to_end(old)
                if all(i in self._wanted for i in self._cache):
                    break
                continue
            self._cache_bytes -= self._cache.pop(old).sizeInBytes()
        self.canvas.update(self.page_rects[index])
        self.pageRendered.emit(index)

    def _render_failed(self, exc: BaseException) -> None:
        log.warning("PDF page could not be drawn", exc_info=exc)
        self.show_error(f"PDF页面无法显示（{exc}）；可点“用系统程序打开”查看")

    def cached_bytes(self) -> int:
        return self._cache_bytes

    # --- printing and the system viewer ---------------------------------------------------

    def print_document(self) -> bool:
        """The system print dialog (printer, pages, copies), then the pages at printer resolution."""
        if self.pages is None or not self.pages.page_count:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.pages.name)
        dialog = self.print_dialog_factory(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setMinMax(1, self.pages.page_count)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Print to an already configured printer (its page range), with a cancellable progress."""
        if self.pages is None:
            return False
        first, last = 1, self.pages.page_count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage():
            first, last = printer.fromPage(), printer.toPage() or last
        elif printer.printRange() == QPrinter.PrintRange.CurrentPage:
            first = last = self.current_page()
        total = last - first + 1
        progress = QProgressDialog("正在打印…", "取消", 0, total, self)
        progress.setWindowTitle("打印")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(800)

        def on_page(done: int, count: int) -> bool:
            progress.setValue(done)
            progress.setLabelText(f"正在打印第 {done + 1} 页，共 {count} 页…")
            return not progress.wasCanceled()

        try:
            printed = print_pages(printer, self.pages, first, last, on_page=on_page)
        except UserError as exc:
            self.show_error(exc.message)
            return False
        finally:
            progress.close()
            progress.deleteLater()
        self.printed.emit(printed)
        return printed == total

    def open_externally(self) -> bool:
        if self.path is None:
            return False
        if not self.external_opener(self.path):
            self.show_error(f"无法用系统的PDF阅读器打开；文件保存在：{self.path}")
            return False
        return True


class PdfPreviewDialog(QDialog):
    """A window showing one PDF (non-modal, deleted on close)."""

    def __init__(
        self, source: Path | bytes, parent: QWidget | None = None, *, title: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        name = title or (source.name if isinstance(source, Path) else "PDF")
        self.setWindowTitle(f"预览 — {name}")
        self.view = PdfView(self)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(860, 980)
        self.view.load(source, name=name)
        self.finished.connect(lambda _r: self.view.close_document())


_parentless: set[PdfPreviewDialog] = set()
"""Preview windows without a parent, kept alive until they close."""


def show_pdf(path: Path, parent: QWidget | None = None, *, title: str = "") -> PdfPreviewDialog:
    """Open ``path`` in an in-app preview window and return it."""
    dialog = PdfPreviewDialog(path, parent, title=title)
    if parent is None:
        _parentless.add(dialog)
        dialog.finished.connect(lambda _r: _parentless.discard(dialog))
    dialog.show()
    dialog.view.area.setFocus()
    return dialog
