"""Working sheets of a transfer package: case summary, chronological record, payments, index.

These are internal dossier sheets, not documents served on a party, so they are set as tables in
a smaller type on the GB/T 9704 page rather than on the 22 × 28 grid. The data is computed by the
packages service; this module only lays it out and returns the PDF bytes with the page count.
Every character is drawn in a face that has its glyph (the print fonts' per-character fallback);
one that no face has is written as its code point, never as a blank box.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from zhiqian_desktop.printing.fonts import PrintFonts, load_print_fonts
from zhiqian_desktop.printing.geometry import GB9704, MM

BODY_SIZE = 10.5
SMALL_SIZE = 9.0


@dataclass(frozen=True)
class SheetTable:
    """Rows under headers; ``widths`` are relative column widths."""

    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    widths: tuple[float, ...] = ()
    empty_text: str = "无"


@dataclass
class SheetSection:
    heading: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    table: SheetTable | None = None


@dataclass
class Sheet:
    court_name: str
    title: str
    case_no: str
    sections: list[SheetSection] = field(default_factory=list)
    footnote: str = ""


def markup(text: str, fonts: PrintFonts, primary: str | None = None) -> str:
    """Paragraph markup of ``text`` with each run in a face that has its glyphs."""
    primary = primary or fonts.body
    out: list[str] = []
    run: list[str] = []
    current: str | None = None

    def flush() -> None:
        if run:
            body = escape("".join(run)).replace("\n", "<br/>")
            out.append(f'<font face="{current or primary}">{body}</font>')
            run.clear()

    for ch in text:
        if ch in "\n\r\t \u3000\u00a0":
            font = current or primary
        else:
            found = fonts.font_for(ch, primary)
            if found is None:
                flush()
                current = primary
                run.append(f"〔U+{ord(ch):04X}〕")
                continue
            font = found
        if font != current:
            flush()
            current = font
        run.append(ch)
    flush()
    return "".join(out)


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped
    """Holds pages until the end so the footer can say 第 N 页 共 M 页."""

    footer_text = ""
    footer_font = "Helvetica"
    fonts: PrintFonts | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.fonts is not None and kwargs.get("initialFontName") is None:
            # Otherwise every page names Helvetica, never embedded (pdffonts: emb = no); the
            # doc template passes initialFontName=None explicitly.
            kwargs["initialFontName"] = self.fonts.body
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        self.page_count = total
        super().save()

    def _footer(self, total: int) -> None:
        g = GB9704
        text = f"{self.footer_text}　第 {self._pageNumber} 页 共 {total} 页"
        fonts = self.fonts
        self.setFillColor(colors.black)
        x = g.page_width / 2
        y = g.bottom - 12 * MM
        if fonts is None:
            self.setFont(self.footer_font, SMALL_SIZE)
            self.drawCentredString(x, y, text)
            return
        runs = list(fonts.runs(text.replace("〔", "(").replace("〕", ")"), fonts.body, "页脚"))
        width = sum(self.stringWidth(chunk, font, SMALL_SIZE) for font, chunk in runs)
        cursor = x - width / 2
        for font, chunk in runs:
            self.setFont(font, SMALL_SIZE)
            self.drawString(cursor, y, chunk)
            cursor += self.stringWidth(chunk, font, SMALL_SIZE)


class SheetRenderer:
    """Lays out a ``Sheet``; override a step (styles, table style) to change one aspect."""

    def __init__(self, fonts: PrintFonts | None = None) -> None:
        self.fonts = fonts or load_print_fonts()
        f = self.fonts
        self.title_style = ParagraphStyle(
            "title", fontName=f.title, fontSize=18, leading=26, alignment=TA_CENTER
        )
        self.court_style = ParagraphStyle(
            "court", fontName=f.title, fontSize=14, leading=20, alignment=TA_CENTER
        )
        self.caseno_style = ParagraphStyle(
            "caseno", fontName=f.body, fontSize=BODY_SIZE, leading=16, alignment=TA_CENTER
        )
        self.heading_style = ParagraphStyle(
            "heading", fontName=f.title, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4
        )
        self.body_style = ParagraphStyle(
            "body", fontName=f.body, fontSize=BODY_SIZE, leading=15, wordWrap="CJK"
        )
        self.cell_style = ParagraphStyle(
            "cell", fontName=f.body, fontSize=SMALL_SIZE, leading=12, wordWrap="CJK"
        )
        self.head_cell_style = ParagraphStyle(
            "headcell",
            fontName=f.title,
            fontSize=SMALL_SIZE,
            leading=12,
            wordWrap="CJK",
            alignment=TA_CENTER,
        )

    def p(self, text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(markup(text, self.fonts, style.fontName), style)

    def heading(self, sheet: Sheet) -> list[Flowable]:
        return [
            self.p(sheet.court_name, self.court_style),
            self.p(sheet.title, self.title_style),
            self.p(sheet.case_no, self.caseno_style),
            Spacer(1, 4 * MM),
        ]

    def table_style(self, header: bool) -> TableStyle:
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            # The cells hold Paragraphs; naming the print font keeps Helvetica out of the PDF.
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.body),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
        else:
            commands.append(("BACKGROUND", (0, 0), (0, -1), colors.Color(0.95, 0.95, 0.95)))
        return TableStyle(commands)

    def fields_table(self, rows: list[tuple[str, str]]) -> Table:
        width = GB9704.block_width
        data = [[self.p(k, self.cell_style), self.p(v or "—", self.cell_style)] for k, v in rows]
        table = Table(data, colWidths=[width * 0.22, width * 0.78])
        table.setStyle(self.table_style(header=False))
        return table

    def rows_table(self, t: SheetTable) -> Flowable:
        if not t.rows:
            return self.p(t.empty_text, self.body_style)
        width = GB9704.block_width
        weights = t.widths or tuple(1.0 for _ in t.headers)
        total = sum(weights)
        col_widths = [width * w / total for w in weights]
        data = [[self.p(h, self.head_cell_style) for h in t.headers]]
        data += [[self.p(cell, self.cell_style) for cell in row] for row in t.rows]
        table = Table(data, colWidths=col_widths, repeatRows=1)
        table.setStyle(self.table_style(header=True))
        return table

    def story(self, sheet: Sheet) -> list[Flowable]:
        story = self.heading(sheet)
        for section in sheet.sections:
            head: list[Flowable] = [self.p(section.heading, self.heading_style)]
            body: list[Flowable] = []
            if section.fields:
                body.append(self.fields_table(section.fields))
            for text in section.paragraphs:
                body.append(self.p(text, self.body_style))
            if section.table is not None:
                body.append(self.rows_table(section.table))
            # A heading never stands alone at the foot of a page.
            story.append(KeepTogether([*head, *body[:1]]))
            story += body[1:]
        if sheet.footnote:
            story += [Spacer(1, 4 * MM), self.p(sheet.footnote, self.cell_style)]
        return story

    def render(self, sheet: Sheet) -> tuple[bytes, int]:
        """The PDF and its number of pages."""
        g = GB9704
        buffer = io.BytesIO()
        frame = Frame(
            g.left,
            g.bottom,
            g.block_width,
            g.block_height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc = BaseDocTemplate(
            buffer,
            pagesize=(g.page_width, g.page_height),
            pageTemplates=[PageTemplate(id="sheet", frames=[frame])],
            title=sheet.title,
            author=sheet.court_name,
            subject=sheet.case_no,
            creator="执前督促 Zhiqian Desktop",
            invariant=1,
        )
        pages: list[int] = []

        class _Canvas(_NumberedCanvas):
            footer_text = f"{sheet.case_no}　{sheet.title}"
            fonts = self.fonts

            def save(self) -> None:
                pages.append(len(self._pages))
                super().save()

        doc.build(self.story(sheet), canvasmaker=_Canvas)
        return buffer.getvalue(), pages[0] if pages else 0


def render_sheet(sheet: Sheet, fonts: PrintFonts | None = None) -> tuple[bytes, int]:
    return SheetRenderer(fonts).render(sheet)
