"""Drawing documents with ReportLab: a renderer with overridable steps that returns PDF bytes.

Text is set on the GB/T 9704 grid by our own flowables (``GridLine``): each line is broken by
``linebreak`` (避头尾) and every character is placed on its cell, falling back per character to a
face that has the glyph. The page decorations that depend on the page count (page numbers, the QR
code with the document id) are drawn when the PDF is saved.
"""

from __future__ import annotations

import functools
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import qrcode
from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from zhiqian_desktop.printing.documents import NoticeContent
from zhiqian_desktop.printing.fonts import PrintFonts, ink_top, load_print_fonts
from zhiqian_desktop.printing.geometry import GB9704, MM, PageGeometry
from zhiqian_desktop.printing.linebreak import break_lines, text_units, width_units

RED = Color(0.8, 0, 0)

TABLE_LEADING = 0.72
"""A table's lines (and a form's note) as a fraction of the body's leading."""

_FIRST_LEVEL = re.compile(r"[一二三四五六七八九十]+、")
_SECOND_LEVEL = re.compile(r"[（(][一二三四五六七八九十]+[）)]")

_glyph_widths: dict[tuple[str, str], float] = {}


def _glyph_width(font: str, ch: str) -> float:
    """Advance of ``ch`` at 1 pt in ``font`` (cached: stringWidth is slow per character)."""
    key = (font, ch)
    width = _glyph_widths.get(key)
    if width is None:
        width = pdfmetrics.stringWidth(ch, font, 1.0)
        _glyph_widths[key] = width
    return width


class GridLine(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """One line of text on the character grid: ``align`` is left, right, center or justify."""

    def __init__(
        self,
        text: str,
        fonts: PrintFonts,
        geometry: PageGeometry,
        *,
        font: str | None = None,
        size: float | None = None,
        pitch: float | None = None,
        height: float | None = None,
        indent_units: float = 0,
        right_indent_units: float = 0,
        align: str = "left",
        color: Color = black,
        field: str = "文书内容",
        width: float | None = None,
        head: int = 0,
        head_font: str | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.fonts = fonts
        self.geometry = geometry
        self.font = font or fonts.body
        self.size = size or geometry.body_size
        self.pitch = pitch or (
            geometry.char_pitch if self.size == geometry.body_size else self.size
        )
        self.line_height = height or geometry.leading
        self.indent_units = indent_units
        self.right_indent_units = right_indent_units
        self.align = align
        self.color = color
        self.field = field
        self.line_width = width
        # Resolve fonts now so a missing glyph stops the build with the field's name. The first
        # ``head`` characters (a heading's words) are set in ``head_font``.
        head = head if head_font else 0
        self.runs = list(fonts.runs(text[:head], head_font or self.font, field)) + list(
            fonts.runs(text[head:], self.font, field)
        )

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        if self.line_width is None:
            self.line_width = aw
        return self.line_width, self.line_height

    def draw(self) -> None:
        if not self.text:
            return
        half = self.pitch / 2
        width = self.line_width or self.geometry.block_width
        units = text_units(self.text)
        natural = units * half
        start = self.indent_units * half
        extra = 0.0
        available = width - start - self.right_indent_units * half
        if self.align == "right":
            start = width - self.right_indent_units * half - natural
        elif self.align == "center":
            start = start + (available - natural) / 2
        elif self.align == "justify" and len(self.text) > 1 and natural < available:
            extra = (available - natural) / (len(self.text) - 1)
        size = self.size
        baseline = (self.line_height - size) / 2 + 0.12 * size
        tx = self.canv.beginText()
        tx.setFillColor(self.color)
        x = start
        for font, chunk in self.runs:
            group: list[str] = []
            group_key: tuple[float, float] | None = None
            group_x = x
            for ch in chunk:
                cell = width_units(ch) * half + extra
                glyph = _glyph_width(font, ch) * size
                key = (cell, glyph)
                if group and group_key is not None and key != group_key:
                    self._emit(tx, font, group_x, baseline, group, group_key)
                    group, group_x = [], x
                group_key = key
                group.append(ch)
                x += cell
            if group and group_key is not None:
                self._emit(tx, font, group_x, baseline, group, group_key)
        self.canv.drawText(tx)

    def _emit(
        self,
        tx: Any,
        font: str,
        x: float,
        y: float,
        chars: list[str],
        key: tuple[float, float],
    ) -> None:
        cell, glyph = key
        tx.setTextOrigin(x, y)
        tx.setFont(font, self.size)
        tx.setCharSpace(cell - glyph)
        tx.textOut("".join(chars))


class RuleLine(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """An empty line with a thin rule to write on by hand."""

    def __init__(self, geometry: PageGeometry, indent: float = 0) -> None:
        super().__init__()
        self.geometry = geometry
        self.indent = indent

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width_ = aw
        return aw, self.geometry.leading

    def draw(self) -> None:
        self.canv.setLineWidth(0.5)
        self.canv.setStrokeColor(black)
        y = self.geometry.baseline_offset() - 3
        self.canv.line(self.indent, y, self.width_, y)


class RuleFill(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """Ruled lines for handwriting down to the foot of the page, leaving ``reserve`` points free.

    At least ``minimum`` lines are drawn; when fewer fit, the rules move to the next page and fill it.
    """

    def __init__(self, geometry: PageGeometry, minimum: int, reserve: float) -> None:
        super().__init__()
        self.geometry = geometry
        self.minimum = minimum
        self.reserve = reserve
        self.count = minimum

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width_ = aw
        leading = self.geometry.leading
        fit = max(int((ah - self.reserve + 0.05) // leading), 0)
        self.count = fit if fit >= self.minimum else self.minimum
        return aw, self.count * leading

    def draw(self) -> None:
        leading = self.geometry.leading
        self.canv.setLineWidth(0.5)
        self.canv.setStrokeColor(black)
        for i in range(self.count):
            y = (self.count - 1 - i) * leading + self.geometry.baseline_offset() - 3
            self.canv.line(0, y, self.width_, y)


class DocumentStart(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """Zero-size marker: the pages from here on belong to this document (copy)."""

    def __init__(self, key: int, doc_id: str, doc_no: str) -> None:
        super().__init__()
        self.key = key
        self.doc_id = doc_id
        self.doc_no = doc_no

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        canv.zq_doc = (self.key, self.doc_id, self.doc_no)


@functools.lru_cache(maxsize=2048)
def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules for a document id. A fixed mask pattern is as readable as the "best" one
    (the mask is written into the code) and skips scoring all eight: a third of a notice's time.
    Cached because a trip batch draws each document twice (stored copy and trip PDF)."""
    code = qrcode.QRCode(
        border=0, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0
    )
    code.add_data(payload)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


@functools.lru_cache(maxsize=1024)
def qr_path(payload: str, x0: float, y_top: float, size: float) -> PDFPathObject:
    """The QR code as one filled path, built once per document (every page draws the same; the
    path is only read when drawn). About 12 KB each; a batch draws each document twice (stored
    copy and trip PDF), up to MAX_BATCH documents apart."""
    matrix = qr_matrix(payload)
    module = size / len(matrix)
    path = PDFPathObject()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(
                    x0 + start * module, y_top - (r + 1) * module, (c - start) * module, module
                )
            else:
                c += 1
    return path


class DecoratingCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped
    """Keeps each page until the end so that page numbers can know the document's page count."""

    renderer: NoticeRenderer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[dict[str, Any]] = []
        self.zq_doc: tuple[int, str, str] | None = None

    def showPage(self) -> None:
        self._pending.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        counts = Counter(state["zq_doc"][0] for state in self._pending if state["zq_doc"])
        seen: Counter[int] = Counter()
        for state in self._pending:
            self.__dict__.update(state)
            if self.zq_doc is not None:
                key, doc_id, doc_no = self.zq_doc
                seen[key] += 1
                self.renderer.decorate_page(self, doc_id, doc_no, seen[key], counts[key])
            super().showPage()
        super().save()


class NoticeRenderer:
    """Renders ``NoticeContent`` to PDF; subclass and override a step to change one aspect."""

    geometry: PageGeometry = GB9704
    heading_color: Color = black
    """Litigation documents served on parties are printed in black; a red heading is for 红头 letters."""
    qr_size_mm: float = 16.0

    def __init__(self, fonts: PrintFonts | None = None) -> None:
        self._fonts = fonts

    # --- steps --------------------------------------------------------------------------------

    def fonts(self) -> PrintFonts:
        if self._fonts is None:
            self._fonts = load_print_fonts()
        return self._fonts

    def page_template(self) -> PageTemplate:
        g = self.geometry
        # A hair of tolerance so 22 lines fit although floating-point sums of 22 leadings vary.
        frame = Frame(
            g.left,
            g.bottom - 0.01,
            g.block_width,
            g.block_height + 0.02,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="text-block",
        )
        return PageTemplate(id="notice", frames=[frame], pagesize=(g.page_width, g.page_height))

    def line(self, text: str, **kwargs: Any) -> GridLine:
        return GridLine(text, self.fonts(), self.geometry, **kwargs)

    def heading(self, content: NoticeContent, copy_label: str | None) -> list[Flowable]:
        g, fonts = self.geometry, self.fonts()
        items: list[Flowable] = [
            self.line(
                content.court_name,
                font=fonts.title,
                size=g.title_size,
                height=g.leading * 1.25,
                align="center",
                color=self.heading_color,
                field="法院名称",
            ),
            self.line(
                content.title,
                font=fonts.title,
                size=g.title_size,
                height=g.leading * 1.5,
                align="center",
                color=self.heading_color,
                field="文书标题",
            ),
        ]
        if copy_label:
            items.append(self.line(f"（{copy_label}）", align="center", field="联次"))
        if not content.table:
            items.append(self.line(content.case_no, align="right", field="案号"))
        return items

    def heading_font(self, text: str) -> tuple[str | None, int]:
        """GB/T 9704-2012 §7.3.3: a paragraph opening with a first-level ordinal (一、) has its
        heading — up to the first full stop — in 黑体, a second-level one (（一）) in 楷体."""
        fonts = self.fonts()
        if _FIRST_LEVEL.match(text):
            font = fonts.heading
        elif _SECOND_LEVEL.match(text):
            font = fonts.kai
        else:
            return None, 0
        stop = text.find("。")
        return font, (stop + 1 if stop >= 0 else len(text))

    def paragraph(
        self,
        text: str,
        *,
        indent: int = 4,
        field: str = "正文",
        hanging: bool = False,
        height: float | None = None,
    ) -> list[GridLine]:
        """A paragraph broken into grid lines: first-line indent, justified except the last line."""
        g = self.geometry
        lines = break_lines(text, g.line_units, first_indent=indent)
        head_font, head = self.heading_font(text) if field == "正文" else (None, 0)
        out = []
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            out.append(
                self.line(
                    line,
                    indent_units=indent if i == 0 else 0,
                    align="left" if last else "justify",
                    field=field,
                    head=max(head, 0),
                    head_font=head_font,
                    height=height,
                )
            )
            head -= len(line)
        return out

    def table(self, rows: Sequence[tuple[str, str]]) -> Table:
        g, fonts = self.geometry, self.fonts()
        label_chars, pad = 6, 4.0
        label_width = g.char_pitch * label_chars + 2 * pad
        value_width = g.block_width - label_width
        line_height = g.leading * TABLE_LEADING

        def cell(text: str, width: float, align: str, field: str) -> list[Flowable]:
            capacity = int((width - 2 * pad) / g.half_pitch)
            out: list[Flowable] = []
            for part in text.split("\n"):
                for piece in break_lines(part, capacity) or [""]:
                    right = piece.strip("　 ").startswith("年") and piece.endswith("日")
                    out.append(
                        GridLine(
                            piece,
                            fonts,
                            g,
                            height=line_height,
                            align="right" if right else align,
                            right_indent_units=2 if right else 0,
                            field=field,
                            width=width - 2 * pad,
                        )
                    )
            return out

        data = [
            [cell(label, label_width, "center", "栏目"), cell(value, value_width, "left", label)]
            for label, value in rows
        ]
        table = Table(data, colWidths=[label_width, value_width])
        table.setStyle(
            TableStyle(
                [
                    # Table sets each cell's font (Helvetica by default, never embedded).
                    ("FONTNAME", (0, 0), (-1, -1), fonts.body),
                    ("GRID", (0, 0), (-1, -1), 0.75, black),
                    ("BOX", (0, 0), (-1, -1), 1.25, black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def court_signature(self, content: NoticeContent) -> list[Flowable]:
        """The 落款 as GB/T 9704-2012 §7.3.5.1 sets it for a sealed document: the date four
        characters in from the right, the court's name centred over the date, and two blank
        lines above, so that the seal (42 mm) pressed centred on name and date, with them below
        its centre, reaches up to within one line of the text."""
        name_units = text_units(content.court_name)
        date_units = text_units(content.sign_date)
        date_right = 8.0  # four full-width characters, in half-width units
        name_right = max(0.0, date_right + (date_units - name_units) / 2)
        return [
            Spacer(1, self.geometry.leading * 2),
            self.line(
                content.court_name, align="right", right_indent_units=name_right, field="落款"
            ),
            self.line(
                content.sign_date, align="right", right_indent_units=date_right, field="日期"
            ),
        ]

    def story(self, content: NoticeContent, copy_label: str | None = None) -> list[Flowable]:
        g = self.geometry
        story: list[Flowable] = list(self.heading(content, copy_label))
        body: list[Flowable] = []
        if content.addressee:
            body += self.paragraph(content.addressee, indent=0, field="受文人")
        for line in content.header_lines:
            body += self.paragraph(line, indent=0, field="首部")
        for text in content.paragraphs:
            body += self.paragraph(text, field="正文")
        if content.table:
            body.append(self.table(content.table))
        tail: list[Flowable] = []
        for text in content.sign_lines:
            tail += [Spacer(1, g.leading * 0.5), *self.paragraph(text, indent=0, field="签名栏")]
        if content.signature == "court":
            tail += self.court_signature(content)
        # A form (送达回证) is signed and returned as one sheet: its note is set as close as the
        # form's cells, so that it stays under the table instead of spilling onto a second page.
        form = bool(content.table) and content.signature == "none"
        notes: list[Flowable] = []
        for note in content.notes:
            notes += self.paragraph(
                note,
                indent=4 if content.signature == "court" else 0,
                field="附注",
                height=g.leading * TABLE_LEADING if form else None,
            )
        if tail:
            # A footnote belongs under the signature: it never goes to a page of its own.
            tail += notes
            notes = []
        if content.blank_lines:
            reserve = sum(f.wrap(g.block_width, g.block_height)[1] for f in tail) + 1
            # Rules to the foot of this page, then a page of rules ending with the signatures.
            body.append(RuleFill(g, 0, 0))
            body.append(RuleFill(g, content.blank_lines, reserve))
            body.append(KeepTogether(tail))
        elif tail:
            # The signature never stands alone on a page: it keeps the last two body lines.
            keep = 2 if len(body) > 2 else len(body)
            moved, body = body[len(body) - keep :], body[: len(body) - keep]
            body.append(KeepTogether([*moved, *tail]))
        story += body
        story += notes
        return story

    def copies(self, content: NoticeContent) -> list[str | None]:
        return list(content.copies) if content.copies else [None]

    # --- page decoration ----------------------------------------------------------------------

    def decorate_page(self, canv: Canvas, doc_id: str, doc_no: str, page: int, pages: int) -> None:
        self.draw_qr(canv, doc_id, doc_no)
        if pages > 1:
            self.draw_page_number(canv, page)

    def draw_qr(self, canv: Canvas, doc_id: str, doc_no: str) -> None:
        """A small QR code with the document id in the top right corner, the number beneath."""
        g = self.geometry
        size = self.qr_size_mm * MM
        x0 = g.page_width - 12 * MM - size
        y_top = g.page_height - 10 * MM
        canv.saveState()
        canv.setFillColor(black)
        path = qr_path(doc_id, x0, y_top, size)
        canv.drawPath(path, stroke=0, fill=1)
        fonts = self.fonts()
        canv.setFont(fonts.body, 6)
        for font, chunk in fonts.runs(doc_no, fonts.body, "文书编号"):
            canv.setFont(font, 6)
            canv.drawRightString(x0 + size, y_top - size - 7, chunk)
            break
        canv.restoreState()

    def draw_page_number(self, canv: Canvas, page: int) -> None:
        """GB/T 9704-2012 §7.5: 4号 half-width Arabic digits in 宋体 between two 一字线 (— 1 —),
        the dashes' top 7 mm below the text block; odd pages on the right and even pages on the
        left, each one character in from the block's edge."""
        g = self.geometry
        size = g.page_number_size
        fonts = self.fonts()
        runs = list(fonts.runs(f"— {page} —", fonts.song, "页码"))
        width = sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in runs)
        y = g.bottom - g.page_number_gap_mm * MM - ink_top(runs[0][0], "—", size)
        x = g.left + g.block_width - size - width if page % 2 else g.left + size
        for font, chunk in runs:
            canv.setFont(font, size)
            canv.drawString(x, y, chunk)
            x += pdfmetrics.stringWidth(chunk, font, size)

    # --- output -------------------------------------------------------------------------------

    def build(self, contents: Iterable[NoticeContent]) -> bytes:
        """One PDF holding every document in order, each (copy) starting on a new page."""
        story: list[Flowable] = []
        key = 0
        title = author = subject = ""
        for content in contents:
            title = title or content.title
            author = content.court_name
            subject = subject or content.doc_no
            for label in self.copies(content):
                if story:
                    story.append(PageBreak())
                story.append(DocumentStart(key, content.doc_id, content.doc_no))
                story += self.story(content, label)
                key += 1
        buffer = io.BytesIO()
        g = self.geometry
        doc = BaseDocTemplate(
            buffer,
            pagesize=(g.page_width, g.page_height),
            pageTemplates=[self.page_template()],
            title=title,
            author=author,
            subject=subject,
            creator="执前督促 Zhiqian Desktop",
            invariant=1,
            initialFontName=self.fonts().body,
            initialFontSize=self.geometry.body_size,
        )
        renderer = self

        class _Canvas(DecoratingCanvas):
            pass

        _Canvas.renderer = renderer
        doc.build(story, canvasmaker=_Canvas)
        return buffer.getvalue()

    def render(self, content: NoticeContent) -> bytes:
        return self.build([content])


def render_notice(content: NoticeContent, fonts: PrintFonts | None = None) -> bytes:
    return NoticeRenderer(fonts).render(content)
