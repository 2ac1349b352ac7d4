"""Every document renders: text extracted with PDFium, fonts embedded, pages open as PNG."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.pdf_text import needs_poppler
from tests.printing.helpers import (
    DOC_ID,
    FACTS,
    SERVED,
    facts_for,
    flat,
    page_count,
    pdf_fonts,
    pdf_text,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind
from zhiqian_desktop.printing.documents import PartyFacts, build_content, document_number
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.renderer import NoticeRenderer, qr_matrix

ISSUED = date(2026, 11, 22)
WITH_AMOUNT = frozenset(DocumentKind) - {
    DocumentKind.RISK_NOTICE,
    DocumentKind.INTERVIEW_RECORD,
    DocumentKind.SERVICE_RECEIPT,
    DocumentKind.BANKRUPTCY_NOTICE,
}
TITLES = {
    DocumentKind.PRESERVATION_RULING: "民事裁定书",
    DocumentKind.RELEASE_RULING: "民事裁定书",
    DocumentKind.RELEASE_NOTICE: "协助执行通知书",
}


def _render(kind: DocumentKind, facts: object = None, font_dirs: list[Path] | None = None) -> bytes:
    _ctx, content = build_content(
        kind,
        facts or facts_for(kind),  # type: ignore[arg-type]
        doc_id=DOC_ID,
        doc_no=document_number(FACTS.case_no, kind, 1),
        issued_on=ISSUED,
        served=SERVED if kind is DocumentKind.SERVICE_RECEIPT else None,
    )
    return NoticeRenderer(load_print_fonts(font_dirs=font_dirs)).render(content)


@pytest.fixture(scope="module")
def rendered() -> dict[DocumentKind, bytes]:
    return {kind: _render(kind) for kind in DocumentKind}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_prints_its_essentials(
    kind: DocumentKind, rendered: dict[DocumentKind, bytes], tmp_path: Path
) -> None:
    pdf = rendered[kind]
    assert pdf.startswith(b"%PDF")
    text = flat(pdf_text(pdf, tmp_path))
    assert FACTS.court_name in text
    # A ruling is headed as every civil ruling is: 民事裁定书.
    assert TITLES.get(kind, kind.label) in text
    assert FACTS.case_no in text
    obligor = facts_for(kind).obligors[0].name
    assert obligor in text
    if kind is not DocumentKind.SERVICE_RECEIPT:
        assert "李某" in text
    if kind in WITH_AMOUNT:
        assert "¥12,345.67" in text
        # The release ruling runs onto a second page, whose footer may fall inside the words.
        assert "人民币壹万贰仟叁佰肆拾伍元陆角柒分" in re.sub(
            r"（2026）内0221执前督12号-\w+—\d+—", "", text
        )
    if kind not in (
        DocumentKind.SERVICE_RECEIPT,
        DocumentKind.INTERVIEW_RECORD,
        DocumentKind.SETTLEMENT_AGREEMENT,
    ):
        # A ruling is dated the day it was made (helpers.PRESERVATION: 19 November).
        signed = {
            DocumentKind.PRESERVATION_RULING: "二〇二六年十一月十九日",
            DocumentKind.RELEASE_RULING: "二〇二六年十一月二十一日",  # the day of the release
        }.get(kind)
        assert (signed or "二〇二六年十一月二十二日") in text


def test_fonts_are_embedded_truetype_subsets(
    rendered: dict[DocumentKind, bytes], tmp_path: Path
) -> None:
    for kind in (DocumentKind.URGING, DocumentKind.SERVICE_RECEIPT):
        rows = pdf_fonts(rendered[kind], tmp_path)
        assert rows, "no fonts listed"
        for row in rows:
            name, emb = row[0], row[-5]
            assert emb == "yes", (kind, row)
            assert "UMing" in name or "WenQuanYi" in name, row


def test_multi_page_documents_carry_page_numbers(
    rendered: dict[DocumentKind, bytes], tmp_path: Path
) -> None:
    pdf = rendered[DocumentKind.URGING]
    assert page_count(pdf) == 2
    assert "— 1 —" in pdf_text(pdf, tmp_path, first=1, last=1)
    assert "— 2 —" in pdf_text(pdf, tmp_path, first=2, last=2)
    single = rendered[DocumentKind.TRANSFER_LETTER]
    assert page_count(single) == 1 and "— 1 —" not in pdf_text(single, tmp_path)


def test_certificate_prints_three_copies_each_one_page(
    rendered: dict[DocumentKind, bytes], tmp_path: Path
) -> None:
    pdf = rendered[DocumentKind.PERFORMANCE_CERTIFICATE]
    assert page_count(pdf) == 3
    labels = ["被申请人收执联", "民事审判第一庭备案联", "执行立案部门备案联"]
    for page, label in enumerate(labels, start=1):
        text = flat(pdf_text(pdf, tmp_path, first=page, last=page))
        assert label in text and "自动履行证明书" in text and "— " not in text


def test_no_printed_line_starts_with_closing_punctuation(
    rendered: dict[DocumentKind, bytes], tmp_path: Path
) -> None:
    for kind, pdf in rendered.items():
        for line in pdf_text(pdf, tmp_path).splitlines():
            stripped = line.strip()
            assert not stripped or stripped[0] not in "，。、；：！？）」》』】〕", (kind, line)


def test_rendering_is_deterministic(rendered: dict[DocumentKind, bytes]) -> None:
    assert _render(DocumentKind.URGING) == rendered[DocumentKind.URGING]


def test_first_page_opens_as_png(rendered: dict[DocumentKind, bytes], tmp_path: Path) -> None:
    needs_poppler("pdftoppm")
    pdf_path = tmp_path / "urging.pdf"
    pdf_path.write_bytes(rendered[DocumentKind.URGING])
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "p")],
        check=True,
        timeout=30,
    )
    png = next(tmp_path.glob("p*.png")).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 2000


def test_qr_code_carries_the_document_id() -> None:
    matrix = qr_matrix(DOC_ID)
    assert 21 <= len(matrix) <= 41 and all(len(row) == len(matrix) for row in matrix)


def test_rare_name_prints_from_a_fallback_face_or_is_refused(tmp_path: Path) -> None:
    rare = replace(FACTS, obligors=(PartyFacts("王䶮刏", kind=PartyKind.PERSON),))
    # Only the bundled faces (a PC with no fonts of its own): 刏 comes from WenQuanYi.
    pdf = _render(DocumentKind.URGING, rare, font_dirs=[])
    assert "王䶮刏" in flat(pdf_text(pdf, tmp_path))
    names = [row[0] for row in pdf_fonts(pdf, tmp_path)]
    assert any("WenQuanYi" in n for n in names) and any("UMing" in n for n in names)

    # A private-use code point: no face draws it, so the clerk is told before anything prints.
    missing = replace(FACTS, obligors=(PartyFacts("王\U000f0001", kind=PartyKind.PERSON),))
    with pytest.raises(UserError, match="U\\+F0001"):
        _render(DocumentKind.URGING, missing)


def test_a_name_beyond_the_bmp_that_uming_has_is_printed(tmp_path: Path) -> None:
    from zhiqian_desktop.printing.fonts import SONG, has_glyph, load_print_fonts

    load_print_fonts()
    ext_b = next(chr(c) for c in range(0x20001, 0x2A6E0) if has_glyph(SONG, chr(c)))
    facts = replace(FACTS, obligors=(PartyFacts(f"李{ext_b}", kind=PartyKind.PERSON),))
    assert f"李{ext_b}" in flat(pdf_text(_render(DocumentKind.URGING, facts), tmp_path))
