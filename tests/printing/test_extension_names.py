"""Names drawn from every CJK extension block print, from whichever face has them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.printing.helpers import DOC_ID, FACTS, flat, pdf_text
from zhiqian_desktop.domain.cjk import CJK_BLOCKS, GB18030_LEVEL2
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind
from zhiqian_desktop.printing.documents import PartyFacts, build_content, document_number
from zhiqian_desktop.printing.fonts import HAN, load_print_fonts
from zhiqian_desktop.printing.renderer import NoticeRenderer


def _print_name(name: str, font_dirs: list[Path] | None = None) -> bytes:
    facts = replace(FACTS, obligors=(PartyFacts(name, kind=PartyKind.PERSON),))
    _ctx, content = build_content(
        DocumentKind.URGING,
        facts,
        doc_id=DOC_ID,
        doc_no=document_number(FACTS.case_no, DocumentKind.URGING, 1),
        issued_on=FACTS.effective_date,
    )
    return NoticeRenderer(load_print_fonts(font_dirs=font_dirs)).render(content)


@pytest.mark.parametrize("block", [b for b in CJK_BLOCKS if b.key != "URO"], ids=lambda b: b.key)
def test_a_name_from_each_extension_block_prints(block: object, tmp_path: Path) -> None:
    """On this machine's fonts: the bundled faces cover extension A and GB 18030-2022 level 2;
    a block beyond them prints where a system face (fonts-babelstone-han, fonts-hanazono,
    SimSun-ExtB/ExtG) has it, and is skipped, saying so, where none does."""
    fonts = load_print_fonts()
    codes = range(block.first, block.last + 1)  # type: ignore[attr-defined]
    drawable = [chr(c) for c in codes if fonts.font_for(chr(c), fonts.body)]
    if not drawable:
        pytest.skip(f"no face on this machine has a character of {block.label}")  # type: ignore[attr-defined]
    name = "王" + drawable[len(drawable) // 2] + drawable[-1]
    assert name[1:] in flat(pdf_text(_print_name(name), tmp_path))


def test_every_gb18030_level2_character_prints_on_a_machine_without_fonts(tmp_path: Path) -> None:
    fonts = load_print_fonts(font_dirs=[tmp_path])
    assert all(fonts.font_for(chr(c), fonts.body) for c in GB18030_LEVEL2)
    # Extension A as far as Unicode 3.0 set it (U+3400–U+4DB5) is in the bundled faces too.
    assert all(fonts.font_for(chr(c), fonts.body) for c in range(0x3400, 0x4DB6))
    sample = "".join(chr(c) for c in sorted(GB18030_LEVEL2)[::40])
    pdf = _print_name("张" + sample, font_dirs=[tmp_path])
    assert sample in flat(pdf_text(pdf, tmp_path))
    assert fonts.font_for("\U0002c317", fonts.body) == HAN  # 𬌗, a level-2 character
