"""Printing through the real print system: a notice and a service-trip batch go through the app's
own print path (the preview's 打印: the system print dialog, then the pages on the chosen queue) to
a CUPS queue that writes PDF files (cups-pdf). The printed job has every page, on A4, and each page
is the document's page at its full size (the print is a picture of the page, so it is compared
with the document's own rendering, not read as text).

Needs a CUPS queue (ZHIQIAN_TEST_PRINTER, default the system's default queue) whose output lands
in ZHIQIAN_TEST_PRINT_DIR; .ci/run starts cupsd and sets up such a queue. Skipped otherwise."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.gui.pdf_view import PdfPages, PdfView
from zhiqian_desktop.services.closing.batch_print import issue_batch
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision.notices import issue_notice
from zhiqian_desktop.store.database import Database

pytestmark = [pytest.mark.gui, pytest.mark.slow]

PRINTER_ENV = "ZHIQIAN_TEST_PRINTER"
OUTPUT_ENV = "ZHIQIAN_TEST_PRINT_DIR"


@pytest.fixture
def queue() -> tuple[str, Path]:
    names = QPrinterInfo.availablePrinterNames()
    name = os.environ.get(PRINTER_ENV) or QPrinterInfo.defaultPrinterName()
    if not name or name not in names:
        pytest.skip(f"no CUPS print queue{f' {name}' if name else ''} (.ci/run sets one up)")
    output = Path(
        os.environ.get(OUTPUT_ENV, f"/var/spool/cups-pdf/{os.environ.get('USER', 'root')}")
    )
    if not output.is_dir():
        pytest.skip(f"the queue's output folder {output} does not exist ({OUTPUT_ENV})")
    return name, output


def _print_through_the_app(qtbot: QtBot, pdf: Path, queue: str) -> None:
    """The preview's print button: the system dialog (accepted with the queue chosen), then
    the pages on that queue."""
    view = PdfView()
    qtbot.addWidget(view)
    view.load(pdf)
    chosen: list[QPrinter] = []

    def dialog(printer: QPrinter, parent: QWidget) -> QPrintDialog:
        printer.setPrinterName(queue)
        chosen.append(printer)
        real = QPrintDialog(printer, parent)
        QTimer.singleShot(0, real.accept)
        return real

    view.print_dialog_factory = dialog
    assert view.print_document()
    (printer,) = chosen
    assert printer.outputFormat() == QPrinter.OutputFormat.NativeFormat  # a queue, not a file
    assert printer.printerName() == queue


def _files(folder: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime for p in folder.glob("*.pdf")}


def _wait_for_job(folder: Path, before: dict[Path, float], seconds: float = 180) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        for path in folder.glob("*.pdf"):
            # cups-pdf writes the file in place: done when it ends with the PDF trailer.
            new = path not in before or path.stat().st_mtime > before[path]
            if new and b"%%EOF" in path.read_bytes()[-1024:]:
                return path
        time.sleep(0.5)
    raise AssertionError(f"no printed file appeared in {folder} within {seconds:.0f} s")


def _ink_box(image: QImage) -> tuple[float, float, float, float]:
    """Where the page has ink, as fractions of its width and height."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h = gray.width(), gray.height()
    xs, ys = [], []
    bits, stride = gray.constBits(), gray.bytesPerLine()
    for y in range(h):
        row = bits[y * stride : y * stride + w]
        dark = [x for x in range(w) if row[x] < 200]
        if dark:
            xs += (dark[0], dark[-1])
            ys.append(y)
    assert xs and ys, "a blank page"
    return min(xs) / w, min(ys) / h, max(xs) / w, max(ys) / h


def _check_printed(original: Path, printed: Path) -> None:
    sheets = PdfReader(printed).pages
    source = PdfPages(original)
    copy = PdfPages(printed)
    try:
        assert len(sheets) == source.page_count
        for i, sheet in enumerate(sheets):
            size = (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height)))
            assert size == (595, 842), f"page {i + 1} is {size} pt, not A4"
            want = _ink_box(source.render(i, 72))
            got = _ink_box(copy.render(i, 72))
            # Same place, same size on the sheet: not shrunk to fit (a printer's "fit to page"
            # takes 3-6 % off each side), not shifted; the print is a raster, hence 1.2 %.
            assert all(abs(a - b) < 0.012 for a, b in zip(want, got, strict=True)), (i, want, got)
    finally:
        source.close()
        copy.close()


def test_a_notice_and_a_batch_print_on_the_system_queue(
    qtbot: QtBot, tmp_path: Path, db: Database, admin: Actor, queue: tuple[str, Path]
) -> None:
    name, output = queue
    with db.unit_of_work() as s:
        ids = [register_case(s, admin, make_case_input(n), today=TODAY).id for n in (1, 2)]
    notice = tmp_path / "催告书.pdf"
    notice.write_bytes(issue_notice(db, admin, ids[0], DocumentKind.URGING, today=TODAY).pdf)
    batch = issue_batch(
        db,
        admin,
        ids,
        DocumentKind.URGING,
        receipts=True,
        today=TODAY,
        output=tmp_path / "批量.pdf",
    ).pdf_path
    for pdf in (notice, batch):
        before = _files(output)
        _print_through_the_app(qtbot, pdf, name)
        _check_printed(pdf, _wait_for_job(output, before))
