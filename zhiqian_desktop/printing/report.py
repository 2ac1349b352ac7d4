"""The weekly/monthly report (周报/月报) as PDF: title, period, summary, tables of the figures, the
definitions, court name and date in Chinese numerals. Fonts come from ``printing.fonts``."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhiqian_desktop.printing.fonts import PrintFonts, load_print_fonts
from zhiqian_desktop.printing.geometry import MM


class ReportTable(Protocol):
    """One table of the report: a title, the column headings, the rows as printed."""

    @property
    def title(self) -> str: ...
    @property
    def headers(self) -> list[str]: ...
    @property
    def rows(self) -> list[list[str]]: ...


class ReportData(Protocol):
    """What a report says, as the renderer needs it (services/reporting/reports.py builds one)."""

    @property
    def court_name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def period_text(self) -> str: ...
    @property
    def date_text(self) -> str: ...
    def summary(self) -> str: ...
    def tables(self) -> Sequence[ReportTable]: ...
    def definitions(self) -> list[tuple[str, str]]: ...


def markup(text: str, fonts: PrintFonts, primary: str, field: str) -> str:
    """Paragraph markup switching font per character run (a rare character is never a box)."""
    return "".join(
        f'<font name="{font}">{escape(chunk)}</font>'
        for font, chunk in fonts.runs(text, primary, field)
    )


class ReportRenderer:
    """Renders ``ReportData``; override a step to change one aspect."""

    def __init__(self, fonts: PrintFonts | None = None) -> None:
        self.fonts = fonts or load_print_fonts()
        body = self.fonts.body
        self.styles = {
            "title": ParagraphStyle(
                "title", fontName=self.fonts.title, fontSize=20, leading=28, alignment=TA_CENTER
            ),
            "court": ParagraphStyle(
                "court", fontName=body, fontSize=14, leading=20, alignment=TA_CENTER
            ),
            "sub": ParagraphStyle(
                "sub", fontName=body, fontSize=11, leading=16, alignment=TA_CENTER
            ),
            "h": ParagraphStyle(
                "h", fontName=body, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4
            ),
            "body": ParagraphStyle(
                "body", fontName=body, fontSize=11, leading=17, firstLineIndent=22, wordWrap="CJK"
            ),
            "cell": ParagraphStyle("cell", fontName=body, fontSize=8, leading=10, wordWrap="CJK"),
            "num": ParagraphStyle("num", fontName=body, fontSize=8, leading=10, alignment=TA_RIGHT),
            "def": ParagraphStyle("def", fontName=body, fontSize=9, leading=13, wordWrap="CJK"),
            "sign": ParagraphStyle(
                "sign", fontName=body, fontSize=12, leading=20, alignment=TA_RIGHT
            ),
        }

    def p(self, text: str, style: str, field: str = "报表内容") -> Paragraph:
        st = self.styles[style]
        return Paragraph(markup(text, self.fonts, st.fontName, field), st)

    def table(
        self, headers: list[str], rows: list[list[str]], widths: list[float] | None = None
    ) -> Table:
        width = A4[0] - 36 * MM
        if widths is None:
            # Money needs room for ¥999,999,999.99 and rates for 100.00% on one line at 8 pt.
            fixed = {"到位金额": 27 * MM, "化解率": 13 * MM, "自动履行率": 13 * MM}
            # The judicial suggestions' table: its number, recipient and reply need room too.
            fixed |= {"编号": 28 * MM, "被建议单位": 34 * MM, "回复情况": 34 * MM}
            first = 20 * MM
            free = width - first - sum(fixed.get(h, 0) for h in headers[1:])
            count = sum(1 for h in headers[1:] if h not in fixed) or 1
            widths = [first] + [fixed.get(h, free / count) for h in headers[1:]]
        data = [[self.p(h, "cell") for h in headers]]
        for row in rows:
            data.append([self.p(row[0], "cell")] + [self.p(v, "num") for v in row[1:]])
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.87, 0.9, 0.94)),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return t

    def story(self, report: ReportData) -> list[object]:
        out: list[object] = [
            self.p(report.court_name, "court", "法院名称"),
            self.p(report.title, "title"),
            self.p(report.period_text, "sub"),
            Spacer(1, 4 * MM),
            self.p(report.summary(), "body"),
        ]
        for table in report.tables():
            out.append(self.p(table.title, "h"))
            if len(table.headers) == 2:  # 统计项 and 数值: the totals, 执行前保全
                out.append(self.table(table.headers, table.rows, [60 * MM, 50 * MM]))
            else:
                out.append(self.table(table.headers, table.rows))
        out.append(self.p("附：统计口径", "h"))
        for label, text in report.definitions():
            out.append(self.p(f"{label}：{text}", "def"))
        out += [
            Spacer(1, 10 * MM),
            self.p(report.court_name, "sign", "法院名称"),
            self.p(report.date_text, "sign"),
        ]
        return out

    def page_number(self, canv: Canvas, doc: SimpleDocTemplate) -> None:
        canv.saveState()
        canv.setFont(self.fonts.body, 9)
        canv.drawCentredString(A4[0] / 2, 10 * MM, f"— {doc.page} —")
        canv.restoreState()

    def render(self, report: ReportData) -> bytes:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=18 * MM,
            rightMargin=18 * MM,
            topMargin=20 * MM,
            bottomMargin=20 * MM,
            title=f"{report.court_name}{report.title}",
            author=report.court_name,
        )
        doc.build(self.story(report), onFirstPage=self.page_number, onLaterPages=self.page_number)
        return buf.getvalue()


def render_report(report: ReportData, fonts: PrintFonts | None = None) -> bytes:
    return ReportRenderer(fonts).render(report)
