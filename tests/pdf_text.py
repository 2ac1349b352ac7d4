"""Reading a PDF's text in tests the same way on every system: PDFium (pypdfium2, a dependency of
the app) rather than poppler's pdftotext, which a Windows machine does not have. The few checks
that need poppler itself (pdffonts, pdftotext's column layout) skip where it is missing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest


def _page_lines(textpage: pdfium.PdfTextPage) -> list[str]:
    """The page's text runs as lines from top to bottom, each left to right: the reading order
    pdftotext gives, whatever order the PDF draws in (a running header drawn last still comes
    first)."""
    runs = []  # (middle, low, high, left, text)
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        text = text.replace("\r", "").replace("\n", "")
        if text.strip():
            runs.append(((bottom + top) / 2, bottom, top, left, text))
    lines: list[tuple[float, float, list[tuple[float, str]]]] = []  # (low, high, runs)
    for _middle, low, high, left, text in sorted(runs, key=lambda r: (-r[0], r[3])):
        for line_low, line_high, found in lines:
            # One line when they overlap by a third of the smaller (a dash beside a digit, a
            # full-width semicolon drawn low beside the characters).
            overlap = min(high, line_high) - max(low, line_low)
            if overlap > min(high - low, line_high - line_low) / 3:
                found.append((left, text))
                break
        else:
            lines.append((low, high, [(left, text)]))
    return [
        re.sub(" {2,}", " ", "".join(t for _x, t in sorted(found))).strip()
        for _low, _high, found in lines
    ]


def pdf_text(
    source: bytes | Path,
    *,
    first: int | None = None,
    last: int | None = None,
    by_position: bool = False,
) -> str:
    """The text of pages ``first``..``last`` (1-based, inclusive; all by default), with a form
    feed after each page, as pdftotext gives it: in PDFium's reading order (which follows a
    table's cells as pdftotext does), or with ``by_position`` line by line from the top of the
    page (a running header drawn last comes first; a page number at the top is on line one)."""
    pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        pages = []
        for index in range((first or 1) - 1, min(last or len(pdf), len(pdf))):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                if by_position:
                    pages.append("\n".join(_page_lines(textpage)))
                else:
                    text = textpage.get_text_bounded()
                    pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
            finally:
                textpage.close()
                page.close()
        return "".join(text + "\n\f" for text in pages)
    finally:
        pdf.close()


def needs_poppler(*tools: str) -> None:
    """Skip the calling test where poppler's command-line tools are not installed."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"poppler-utils ({', '.join(missing)}) not installed")


def fonts_not_embedded(source: Path, *, first: int = 1, last: int | None = None) -> list[str]:
    """The fonts used on pages ``first``..``last`` whose outlines the PDF does not carry, plus
    any standard-14 font (Helvetica…): what pdffonts reports as ``emb no``."""
    from pypdf import PdfReader

    reader = PdfReader(str(source))
    missing: set[str] = set()
    for page in reader.pages[first - 1 : last]:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for ref in fonts.get_object().values() if fonts is not None else []:
            font = ref.get_object()
            name = str(font.get("/BaseFont", "?"))
            descendants = font.get("/DescendantFonts")
            described = descendants.get_object()[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            if not embedded or "Helvetica" in name:
                missing.add(name)
    return sorted(missing)
