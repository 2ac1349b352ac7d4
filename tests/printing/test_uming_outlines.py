"""The bundled AR PL UMing is Debian's four faces with every glyph and character but without the
bitmap strikes, carries the notice the Arphic Public License asks of a modified font, and its tool
(zhiqian_desktop.tools.uming_outlines) rebuilds it byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont
from fontTools.ttLib.tables.DefaultTable import DefaultTable

from zhiqian_desktop.printing.fonts import UMING_FILE, fonts_dir
from zhiqian_desktop.tools.uming_outlines import BITMAP_TABLES, NOTICE, VERSION_SUFFIX, build

DEBIAN_UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
"""Where Debian's fonts-arphic-uming 0.2.20080216.2-11 installs the source of the bundled file."""

FACES = {  # PostScript name: (full name, characters mapped), as in Debian's file
    "UMingCN": ("AR PL UMing CN", 24232),
    "UMingHK": ("AR PL UMing HK", 26804),
    "UMingTW": ("AR PL UMing TW", 24493),
    "UMingTWMBE": ("AR PL UMing TW MBE", 24494),
}


def test_bundled_uming_has_debians_faces_and_glyphs_and_no_bitmaps() -> None:
    found = {}
    with TTCollection(str(fonts_dir() / UMING_FILE), lazy=True) as collection:
        for font in collection.fonts:
            names = font["name"]
            found[names.getDebugName(6)] = (names.getDebugName(4), len(font.getBestCmap()))
            assert font["maxp"].numGlyphs == 27123
            assert not set(BITMAP_TABLES) & set(font.reader.keys())
            assert {"glyf", "loca", "cmap", "hmtx", "GSUB", "vmtx"} <= set(font.reader.keys())
            assert names.getDebugName(10) == NOTICE
            assert names.getDebugName(5) == "Version 0.2.20080216.1" + VERSION_SUFFIX
    assert found == FACES
    # The faces share one set of outlines, as in Debian's file: about 18 MB, not four times it.
    assert (fonts_dir() / UMING_FILE).stat().st_size < 18_500_000


def _face(folder: Path, family: str) -> Path:
    """A small TrueType face with bitmap tables beside its outlines (their content is not read)."""
    pen = TTGlyphPen(None)
    for point in ((100, 0), (100, 700), (500, 700), (500, 0)):
        (pen.lineTo if pen.points else pen.moveTo)(point)
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "uni738B"])
    builder.setupCharacterMap({0x738B: "uni738B"})
    builder.setupGlyf({".notdef": pen.glyph(), "uni738B": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (600, 100), "uni738B": (600, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable(
        {
            "familyName": family,
            "styleName": "Light",
            "psName": family.replace(" ", ""),
            "version": "Version 1.0",
        }
    )
    builder.setupOS2()
    builder.setupPost()
    for tag in BITMAP_TABLES:
        table = DefaultTable(tag)
        table.data = tag.encode() * 64
        builder.font[tag] = table
    path = folder / f"{family}.ttf"
    builder.save(str(path))
    return path


def _collection(folder: Path, *fonts: TTFont) -> Path:
    collection = TTCollection()
    collection.fonts = list(fonts)
    path = folder / "source.ttc"
    collection.save(str(path))
    return path


def test_the_tool_drops_only_the_bitmaps_marks_each_face_and_is_reproducible(
    tmp_path: Path,
) -> None:
    source = _collection(
        tmp_path, TTFont(_face(tmp_path, "Test Ming CN")), TTFont(_face(tmp_path, "Test Ming TW"))
    )
    first, second = tmp_path / "first.ttc", tmp_path / "second.ttc"
    assert build(source, first)["faces"] == 2
    build(source, second)
    assert first.read_bytes() == second.read_bytes()
    with (
        TTCollection(str(source), lazy=True) as before,
        TTCollection(str(first), lazy=True) as after,
    ):
        for old, new in zip(before.fonts, after.fonts, strict=True):
            assert set(old.reader.keys()) - set(new.reader.keys()) == set(BITMAP_TABLES)
            for tag in ("glyf", "loca", "cmap", "hmtx", "OS/2", "post"):
                assert new.reader[tag] == old.reader[tag], tag
            for name_id in (1, 2, 4, 6):
                assert new["name"].getDebugName(name_id) == old["name"].getDebugName(name_id)
            assert new["name"].getDebugName(10) == NOTICE
            assert new["name"].getDebugName(5) == "Version 1.0" + VERSION_SUFFIX


def test_the_tool_refuses_a_face_without_the_bitmaps(tmp_path: Path) -> None:
    plain = TTFont(_face(tmp_path, "Test Ming"))
    del plain["EBDT"]
    with pytest.raises(SystemExit, match="not Debian's AR PL UMing"):
        build(_collection(tmp_path, plain), tmp_path / "out.ttc")


@pytest.mark.skipif(not DEBIAN_UMING.is_file(), reason="fonts-arphic-uming is not installed")
def test_debians_file_rebuilds_the_bundled_one_byte_for_byte(tmp_path: Path) -> None:
    build(DEBIAN_UMING, tmp_path / UMING_FILE)
    assert (tmp_path / UMING_FILE).read_bytes() == (fonts_dir() / UMING_FILE).read_bytes()
