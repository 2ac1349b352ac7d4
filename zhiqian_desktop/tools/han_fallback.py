"""Build resources/fonts/zq-han-fallback.ttf, the bundled face of last resort for rare characters.

It is HanaMin (花園明朝, GlyphWiki project; Hanazono Font License or SIL OFL 1.1) cut down to the
Han characters the other bundled faces (AR PL UMing, WenQuanYi Micro Hei) lack among: the unified
ideographs, extension A, and the 196 characters GB 18030-2022 adds at implementation level 2. So
with the bundled faces together every character of GB 18030-2022 level 2 that HanaMin draws prints
on a PC with no fonts of its own, in about 3 MB instead of HanaMin's 53 MB. The family is renamed
(the OFL reserves the name HanaMin for the unmodified font) and used under the Hanazono Font
License, which allows modification.

    apt-get install fonts-hanazono
    python -m zhiqian_desktop.tools.han_fallback /usr/share/fonts/truetype/hanazono
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.merge import Options as MergeOptions
from fontTools.ttLib import TTFont

from zhiqian_desktop.domain.cjk import GB18030_LEVEL2
from zhiqian_desktop.printing.fonts import HAN_FILE, UMING_FILE, WQY_FILE, fonts_dir

FAMILY = "Zhiqian Han Fallback"
POSTSCRIPT = "ZhiqianHanFallback"


def bundled_coverage(folder: Path) -> set[int]:
    have: set[int] = set()
    have |= set(TTFont(str(folder / UMING_FILE), fontNumber=0, lazy=True).getBestCmap())
    have |= set(TTFont(str(folder / WQY_FILE), fontNumber=0, lazy=True).getBestCmap())
    return have


def wanted_characters(have: set[int]) -> tuple[list[int], list[int]]:
    """(characters from HanaMinA, characters from HanaMinB) that the bundled faces lack."""
    bmp = [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)]
    return [c for c in bmp if c not in have], sorted(c for c in GB18030_LEVEL2 if c not in have)


def _subset(source: Path, codes: list[int], target: Path) -> None:
    font = TTFont(str(source))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables += ["FFTM", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    font.save(str(target))


def _rename(font: TTFont) -> None:
    table = font["name"]
    table.names = [r for r in table.names if r.nameID not in (1, 3, 4, 6, 16, 17)]
    for name_id, text in (
        (1, FAMILY),
        (3, f"{POSTSCRIPT}-subset-of-HanaMin-20170904"),
        (4, FAMILY),
        (6, POSTSCRIPT),
    ):
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)


def build(hanazono: Path, target: Path) -> dict[str, int]:
    have = bundled_coverage(fonts_dir())
    from_a, from_b = wanted_characters(have)
    with tempfile.TemporaryDirectory() as tmp:
        part_a, part_b = Path(tmp) / "a.ttf", Path(tmp) / "b.ttf"
        _subset(hanazono / "HanaMinA.ttf", from_a, part_a)
        _subset(hanazono / "HanaMinB.ttf", from_b, part_b)
        merged = Merger(MergeOptions(drop_tables=["FFTM", "vhea", "vmtx"])).merge(
            [str(part_a), str(part_b)]
        )
    _rename(merged)
    merged.save(str(target))
    cmap = TTFont(str(target), lazy=True).getBestCmap()
    return {"characters": len(cmap), "bytes": target.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the bundled rare-character print font.")
    parser.add_argument("hanazono", type=Path, help="folder holding HanaMinA.ttf and HanaMinB.ttf")
    parser.add_argument("-o", "--output", type=Path, default=fonts_dir() / HAN_FILE)
    args = parser.parse_args()
    print(build(args.hanazono, args.output))


if __name__ == "__main__":
    main()
