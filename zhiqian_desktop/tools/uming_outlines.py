"""Build resources/fonts/uming.ttc, the bundled 宋体-style print face, from Debian's AR PL UMing.

Debian's `uming.ttc` (package fonts-arphic-uming) carries, besides the outlines, embedded bitmap
strikes of every glyph at a few small screen sizes (the EBDT and EBLC tables, 2.9 MB of its 21 MB)
and each face's BDF properties. Printing never reads them (ReportLab embeds the outlines) and the
screen does not need them (the interface face is WenQuanYi Micro Hei), so the bundled copy leaves
them out. Everything else is kept as Debian ships it: the four faces (CN, HK, TW, TW MBE) with
their names, every glyph and outline, the character maps, metrics and layout tables.

The Arphic Public License allows modified versions under the same licence provided each modified
file carries a notice of how and when it was changed: the notice goes into every face's
description and version string. The date is fixed here, so the file is rebuilt byte for byte.

    apt-get install fonts-arphic-uming
    python -m zhiqian_desktop.tools.uming_outlines /usr/share/fonts/truetype/arphic/uming.ttc
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTCollection

from zhiqian_desktop.printing.fonts import UMING_FILE, fonts_dir

BITMAP_TABLES = ("EBDT", "EBLC", "BDF ")
"""Embedded bitmap strikes (EBDT, EBLC) and the BDF properties FontForge stored with them."""
MODIFIED = "2026-12-02"
NOTICE = (
    f"Modified on {MODIFIED} for Zhiqian Desktop: the embedded bitmap strikes and BDF properties "
    "(the EBDT, EBLC and BDF tables) were removed; the outlines, glyphs, character maps and names "
    "are unchanged. Distributed under the ARPHIC PUBLIC LICENSE."
)
VERSION_SUFFIX = f"; bitmaps removed {MODIFIED} (Zhiqian Desktop)"
DESCRIPTION, VERSION = 10, 5
"""Name table record IDs."""


def _mark(names: Any) -> None:
    """The licence's notice, in English on both the Windows and the Macintosh platform."""
    version = names.getDebugName(VERSION).rstrip()
    for platform, encoding, language in ((3, 1, 0x409), (1, 0, 0)):
        names.setName(NOTICE, DESCRIPTION, platform, encoding, language)
        names.setName(version + VERSION_SUFFIX, VERSION, platform, encoding, language)


def build(source: Path, target: Path) -> dict[str, int]:
    """Write the outline-only collection; returns its faces, glyphs and size in bytes."""
    with TTCollection(
        str(source), lazy=True, recalcBBoxes=False, recalcTimestamp=False
    ) as collection:
        for font in collection.fonts:
            if any(tag not in font for tag in BITMAP_TABLES):
                raise SystemExit(f"{source}: not Debian's AR PL UMing (a bitmap table is missing)")
            for tag in BITMAP_TABLES:
                del font[tag]
            _mark(font["name"])
        collection.save(str(target), shareTables=True)
        faces, glyphs = len(collection.fonts), collection.fonts[0]["maxp"].numGlyphs
    return {"faces": faces, "glyphs": glyphs, "bytes": target.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the bundled AR PL UMing without bitmaps.")
    parser.add_argument("source", type=Path, help="Debian's uming.ttc (package fonts-arphic-uming)")
    parser.add_argument("-o", "--output", type=Path, default=fonts_dir() / UMING_FILE)
    args = parser.parse_args()
    print(build(args.source, args.output))


if __name__ == "__main__":
    main()
