"""Print fonts: embedded TrueType faces, per-character fallback, and no blank boxes ever."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.printing.fonts import FALLBACK, SONG, has_glyph, load_print_fonts


def test_bundled_faces_are_found_through_the_package_resources() -> None:
    fonts = load_print_fonts(font_dirs=[])
    assert fonts.body == SONG and fonts.title == SONG
    assert has_glyph(SONG, "王") and has_glyph(FALLBACK, "王")


def test_rare_name_character_in_uming_prints_in_the_body_face() -> None:
    fonts = load_print_fonts(font_dirs=[])
    assert list(fonts.runs("王䶮", fonts.body)) == [(SONG, "王䶮")]


def test_character_missing_from_uming_falls_back_to_wenquanyi() -> None:
    fonts = load_print_fonts(font_dirs=[])
    rare = "\u520f"  # 刏: in WenQuanYi Micro Hei, not in AR PL UMing
    assert not has_glyph(SONG, rare) and has_glyph(FALLBACK, rare)
    assert list(fonts.runs(f"张{rare}某", fonts.body)) == [
        (SONG, "张"),
        (FALLBACK, rare),
        (SONG, "某"),
    ]


def test_character_no_bundled_face_has_stops_with_the_character_and_field() -> None:
    fonts = load_print_fonts()
    with pytest.raises(UserError) as err:
        fonts.check("王\U000f0001", "被申请人姓名或名称")
    message = str(err.value)
    assert "被申请人姓名或名称" in message and "\U000f0001" in message and "U+F0001" in message


def test_a_configured_font_that_is_not_truetype_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "fangsong.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(UserError, match="无法使用"):
        load_print_fonts(body_path=str(bogus))
    with pytest.raises(UserError, match="不存在"):
        load_print_fonts(title_path=str(tmp_path / "missing.ttf"))


def test_a_configured_truetype_font_becomes_the_body_face() -> None:
    from zhiqian_desktop.printing.fonts import fonts_dir

    fonts = load_print_fonts(body_path=str(fonts_dir() / "wqy-microhei.ttc"), font_dirs=[])
    assert fonts.body.startswith("ZQ-Court-") and fonts.title == SONG
    # A character the court's face lacks still comes from the bundled faces.
    assert fonts.font_for("䶮", fonts.body) == SONG
