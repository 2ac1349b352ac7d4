"""The in-app PDF preview: pages drawn by PDFium, navigation, zoom, printing through QPrinter."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from tests.printing.helpers import FACTS, flat, pdf_text
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.gui.pdf_view import PdfPages, PdfPreviewDialog, PdfView, print_pages
from zhiqian_desktop.printing.documents import build_content
from zhiqian_desktop.printing.renderer import NoticeRenderer

pytestmark = pytest.mark.gui

ISSUED = date(2026, 11, 25)


def _trip_pdf(tmp_path: Path, cases: int = 3) -> Path:
    """A real trip PDF: ``cases`` urging notices, each followed by its receipt."""
    contents = []
    for n in range(1, cases + 1):
        facts = replace(FACTS, case_no=f"（2026）内0221执前督{n}号")
        doc_id = f"0b8e2f0e-1111-4222-8333-{n:012d}"
        contents.append(
            build_content(
                DocumentKind.URGING, facts, doc_id=doc_id, doc_no=f"催-{n}", issued_on=ISSUED
            )[1]
        )
    path = tmp_path / "trip.pdf"
    path.write_bytes(NoticeRenderer().build(contents))
    return path


def _not_blank(image: QImage) -> bool:
    """Some pixels are dark (text), not only white paper."""
    dark = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            if image.pixelColor(x, y).lightness() < 128:
                dark += 1
                if dark > 50:
                    return True
    return False


def _drawn_to_fit(view: PdfView, index: int) -> bool:
    image = view.cached_page(index)
    return image is not None and image.width() >= view.page_rects[index].width() - 1


@pytest.fixture
def trip(tmp_path: Path) -> Path:
    return _trip_pdf(tmp_path)


def test_viewer_shows_page_count_navigates_and_draws_pages(
    qtbot: QtBot, trip: Path, tmp_path: Path
) -> None:
    expected = len(pypdf.PdfReader(trip).pages)
    assert expected >= 3
    dialog = PdfPreviewDialog(trip)
    qtbot.addWidget(dialog)
    view = dialog.view
    dialog.show()
    # Drawn once the window has its size (fit width), off the GUI thread.
    qtbot.waitUntil(lambda: _drawn_to_fit(view, 0), timeout=10000)
    assert view.page_count() == expected
    assert view.page_total.text() == f"共 {expected} 页"
    assert view.current_page() == 1 and view.page_box.value() == 1
    assert not view.prev_button.isEnabled() and view.next_button.isEnabled()
    image = view.cached_page(0)
    assert image is not None and _not_blank(image)

    view.next_button.click()
    assert view.current_page() == 2 and view.page_box.value() == 2
    qtbot.waitUntil(lambda: view.cached_page(1) is not None, timeout=10000)
    view.area.setFocus()
    qtbot.keyClick(view.area, Qt.Key.Key_PageDown)
    assert view.current_page() == 3
    qtbot.keyClick(view.area, Qt.Key.Key_End)
    assert view.current_page() == expected and not view.next_button.isEnabled()
    qtbot.keyClick(view.area, Qt.Key.Key_PageUp)
    assert view.current_page() == expected - 1
    view.page_box.setValue(2)
    assert view.current_page() == 2

    fitted = view.zoom
    view.zoom_in_button.click()
    assert view.zoom > fitted and not view.fit_button.isChecked()
    assert view.current_page() == 2, "zooming keeps the page in view"
    view.fit_button.click()
    assert view.fit_button.isChecked() and view.zoom == pytest.approx(fitted)
    dialog.close()


def test_a_long_trip_opens_without_drawing_every_page(qtbot: QtBot, tmp_path: Path) -> None:
    trip = _trip_pdf(tmp_path, cases=40)
    view = PdfView()
    qtbot.addWidget(view)
    view.resize(800, 900)
    view.show()
    with qtbot.waitSignal(view.pageRendered, timeout=10000):
        view.load(trip)
    assert view.page_count() == len(pypdf.PdfReader(trip).pages)
    view.go_to_page(view.page_count())
    qtbot.waitUntil(lambda: view.cached_page(view.page_count() - 1) is not None, timeout=10000)
    assert len(view._cache) <= 4, "only the pages in view are drawn"


def test_a_damaged_file_is_reported_in_the_view(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a PDF")
    view = PdfView()
    qtbot.addWidget(view)
    view.load(bad)
    assert view.page_count() == 0
    assert "无法打开PDF文件" in view.message.text() and "重新生成" in view.message.text()
    assert not view.print_button.isEnabled()


def test_printing_to_a_pdf_printer_prints_every_page(
    qtbot: QtBot, trip: Path, tmp_path: Path
) -> None:
    view = PdfView()
    qtbot.addWidget(view)
    view.load(trip)
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    with qtbot.waitSignal(view.printed, timeout=30000) as printed:
        assert view.print_to(printer)
    pages = len(pypdf.PdfReader(trip).pages)
    assert printed.args == [pages]
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == pages
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842), "printed on A4 like the document"
    # The printed pages are pictures of the document: render one back and look for ink.
    back = PdfPages(out)
    try:
        image = back.render(0, 40)
        assert image is not None and _not_blank(image)
    finally:
        back.close()


def test_printing_a_page_range(qtbot: QtBot, trip: Path, tmp_path: Path) -> None:
    pages = PdfPages(trip)
    out = tmp_path / "range.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(100)
    try:
        assert print_pages(printer, pages, 2, 3) == 2
    finally:
        pages.close()
    assert len(pypdf.PdfReader(out).pages) == 2


def test_print_button_goes_through_the_print_dialog(
    qtbot: QtBot, trip: Path, tmp_path: Path
) -> None:
    view = PdfView()
    qtbot.addWidget(view)
    view.load(trip)
    out = tmp_path / "dialog.pdf"
    seen: list[tuple[int, int]] = []

    class FakeDialog:
        def __init__(self, printer: QPrinter, _parent: object) -> None:
            self.printer = printer

        def setWindowTitle(self, _t: str) -> None:
            pass

        def setMinMax(self, low: int, high: int) -> None:
            seen.append((low, high))

        def setOption(self, *_a: object) -> None:
            pass

        def exec(self) -> int:
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(out))
            self.printer.setResolution(100)
            self.printer.setPrintRange(QPrinter.PrintRange.PageRange)
            self.printer.setFromTo(1, 1)
            return 1

    view.print_dialog_factory = FakeDialog  # type: ignore[assignment]
    view.print_button.click()
    assert seen == [(1, view.page_count())]
    assert len(pypdf.PdfReader(out).pages) == 1


def test_open_in_system_viewer_is_the_fallback(qtbot: QtBot, trip: Path) -> None:
    view = PdfView()
    qtbot.addWidget(view)
    opened: list[Path] = []
    view.external_opener = lambda p: opened.append(p) or True
    view.load(trip)
    view.external_button.click()
    assert opened == [trip]
    view.external_opener = lambda p: False
    view.external_button.click()
    assert str(trip) in view.message.text()


def test_pdf_text_of_printout_source_is_the_notice(trip: Path, tmp_path: Path) -> None:
    # The file the viewer shows is the notice itself (sanity for the fixture above).
    assert "自动履行催告书" in flat(pdf_text(trip.read_bytes(), tmp_path))


def test_every_page_in_view_is_drawn_and_a_reload_keeps_the_place(qtbot: QtBot, trip: Path) -> None:
    view = PdfView()
    qtbot.addWidget(view)
    view.resize(700, 900)
    view.show()
    view.load(trip)
    view.set_zoom(0.5)  # several pages in view at once
    in_view = [
        i
        for i, rect in enumerate(view.page_rects)
        if rect.top() < view.area.viewport().height() + view.area.verticalScrollBar().value()
    ]
    assert len(in_view) >= 2
    qtbot.waitUntil(lambda: all(view.cached_page(i) is not None for i in in_view), timeout=10000)

    view.go_to_page(3)
    qtbot.waitUntil(lambda: view.cached_page(2) is not None, timeout=10000)
    place = view.area.verticalScrollBar().value()
    view.load(trip.read_bytes(), keep_position=True)
    assert view.area.verticalScrollBar().value() == place and view.current_page() == 3
    assert view.stand_in(2) is not None, "the old drawing stays until the page is drawn again"
    qtbot.waitUntil(lambda: view.cached_page(2) is not None, timeout=10000)
