"""GB/T 9704-2012 geometry: the grid is computed exactly, and the renderer follows it."""

from __future__ import annotations

import math
from pathlib import Path

from reportlab.lib.pagesizes import A4

from tests.printing.helpers import FACTS, pdf_text
from zhiqian_desktop.printing.documents import NoticeContent
from zhiqian_desktop.printing.geometry import GB9704, MM
from zhiqian_desktop.printing.renderer import NoticeRenderer


def test_text_block_sits_on_a4_with_the_standard_margins() -> None:
    g = GB9704
    assert (g.page_width, g.page_height) == A4
    assert math.isclose(g.left, 28 * MM)
    assert math.isclose(g.page_height - g.top, 37 * MM)
    assert math.isclose(g.block_width, 156 * MM)
    assert math.isclose(g.block_height, 225 * MM)
    assert math.isclose(g.bottom, 35 * MM)  # 297 - 37 - 225
    assert math.isclose(g.right_margin, 26 * MM)  # 210 - 28 - 156


def test_28_characters_fill_the_width_and_22_lines_the_height_exactly() -> None:
    g = GB9704
    assert g.body_size == 16 and g.title_size == 22
    assert math.isclose(28 * g.char_pitch, 156 * MM)
    assert math.isclose(22 * g.leading, 225 * MM)
    assert 29 * g.char_pitch > g.block_width and 23 * g.leading > g.block_height
    # 三号 (16 pt) type is a little wider than a cell: the spacing is slightly negative.
    assert math.isclose(g.char_space, 156 * MM / 28 - 16)
    assert -0.3 < g.char_space < 0
    assert math.isclose(g.leading, 225 * MM / 22)  # ≈ 28.99 pt
    assert g.line_units == 56


def test_a_continuation_page_holds_exactly_22_lines_of_28_characters(tmp_path: Path) -> None:
    text = "".join("甲乙丙丁戊己庚辛壬癸"[i % 10] for i in range(28 * 22 * 3))
    content = NoticeContent(
        kind="urging",
        doc_id="x",
        doc_no="编号",
        court_name=FACTS.court_name,
        title="测试文书",
        case_no=FACTS.case_no,
        sign_date="二〇二六年十一月二十二日",
        paragraphs=[text],
        signature="none",
    )
    pdf = NoticeRenderer().render(content)
    page2 = [line for line in pdf_text(pdf, tmp_path, first=2, last=2).splitlines() if line]
    body = [line for line in page2 if "—" not in line and line != "编号"]
    assert len(body) == 22
    assert all(len(line) == 28 for line in body)
