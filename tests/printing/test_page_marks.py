"""Page numbers and the 落款 measured in the PDF (PDFium's glyph boxes), as GB/T 9704-2012 sets them."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from tests.printing.helpers import DOC_ID, FACTS, text_chars
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import build_content, document_number
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.geometry import GB9704, MM
from zhiqian_desktop.printing.renderer import NoticeRenderer

G = GB9704


def _render(facts: object) -> bytes:
    _ctx, content = build_content(
        DocumentKind.URGING,
        facts,  # type: ignore[arg-type]
        doc_id=DOC_ID,
        doc_no=document_number(FACTS.case_no, DocumentKind.URGING, 1),
        issued_on=FACTS.effective_date,
    )
    return NoticeRenderer(load_print_fonts(font_dirs=[])).render(content)


@pytest.fixture(scope="module")
def urging() -> bytes:
    return _render(FACTS)


def _page_number(pdf: bytes, page: int) -> list[tuple[str, str, float, float, float, float]]:
    marks = [c for c in text_chars(pdf, page) if c[3] < G.bottom and not c[0].isspace()]
    assert "".join(c[0] for c in marks) == f"—{page + 1}—"
    return marks


def test_page_numbers_sit_7mm_below_the_block_outer_side_in_song(urging: bytes) -> None:
    odd, even = _page_number(urging, 0), _page_number(urging, 1)
    for marks in (odd, even):
        dash = marks[0]
        # The dash's top is 7 mm below the text block's lower edge.
        assert math.isclose(dash[5], G.bottom - 7 * MM, abs_tol=0.3), dash
        # 4号 (14 pt) digits, set in the 宋体 face.
        assert all(c[1].split("+")[-1].startswith("UMingCN") for c in marks)
        digit = marks[1]
        assert 8 < digit[5] - digit[3] < 14
    one_char = G.page_number_size
    # Odd page: right, one character in; even page: left, one character in (ink within 1.5 pt).
    assert math.isclose(odd[-1][4], G.left + G.block_width - one_char, abs_tol=1.5)
    assert math.isclose(even[0][2], G.left + one_char, abs_tol=1.5)


@pytest.mark.parametrize("court", [FACTS.court_name, "内蒙古自治区包头市土默特右旗人民法院"])
def test_the_date_is_four_characters_in_and_the_court_name_centred_over_it(court: str) -> None:
    """Whether the court's name is shorter or longer than the date, the date stays four
    characters in and the name is centred over it."""
    pdf = _render(replace(FACTS, court_name=court))
    chars = [c for c in text_chars(pdf, 1) if not c[0].isspace()]
    text = "".join(c[0] for c in chars)
    name_at = text.rfind(court)
    date_at = text.find("二〇二六年十一月一日", name_at)
    assert name_at >= 0 and date_at > name_at
    name = chars[name_at : name_at + len(court)]
    day = chars[date_at : date_at + len("二〇二六年十一月一日")]
    right = G.left + G.block_width
    # The last character's cell ends four cells from the right edge (compared by glyph centres).
    assert math.isclose((day[-1][2] + day[-1][4]) / 2, right - 4.5 * G.char_pitch, abs_tol=1.0)

    def middle(run: list[tuple[str, str, float, float, float, float]]) -> float:
        return ((run[0][2] + run[0][4]) / 2 + (run[-1][2] + run[-1][4]) / 2) / 2

    assert math.isclose(middle(name), middle(day), abs_tol=1.0)
    # Two blank lines above the name: a 42 mm seal centred on name and date, with them below
    # its centre, reaches to within one line of the text above.
    above = [c for c in chars[:name_at] if c[3] > name[0][5]]
    last_text_bottom = min(c[3] for c in above[-5:])
    gap = last_text_bottom - max(c[5] for c in name)
    assert 1.9 * G.leading < gap < 2.6 * G.leading
    seal_top = (name[0][3] + name[0][5]) / 2 + 21 * MM
    assert seal_top - last_text_bottom < G.leading
