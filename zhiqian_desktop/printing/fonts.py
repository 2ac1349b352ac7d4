"""The print fonts: bundled TrueType CJK faces registered with ReportLab, and per-character coverage.

Body (仿宋-style) and title (宋体-style) both come from AR PL UMing unless the court configured its
own font files; WenQuanYi Micro Hei fills in characters the first face lacks. A character no
bundled face has stops the print with a UserError naming it — a party's name must never come out
as a blank box.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.resources_access import resource_path

UMING_FILE = "uming.ttc"
UMING_SUBFONT = "UMingCN"
WQY_FILE = "wqy-microhei.ttc"
WQY_SUBFONT = "WenQuanYiMicroHei"

SONG = "ZQ-Song"
"""ReportLab name of the bundled 宋体-style face (AR PL UMing CN)."""
FALLBACK = "ZQ-Fallback"
"""ReportLab name of the fallback face (WenQuanYi Micro Hei)."""

_IGNORED = frozenset("\n\r\t\u00a0\u3000 ")
"""Whitespace is laid out, never drawn, so it needs no glyph."""


def _utf16_hex(code: int) -> str:
    return chr(code).encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, but with characters beyond the BMP as UTF-16 surrogate pairs.

    ReportLab writes them as five hex digits (<20021>), which viewers cannot read: a rare name
    printed correctly but could not be searched or copied from the PDF.
    """
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}
_face_for: dict[tuple[str, tuple[str, ...], str], str | None] = {}
"""font_for's answers: the same few thousand characters are looked up for every document."""


def _cache_tables(face: ttfonts.TTFontFile) -> None:
    """Keep the font's tables once read. ReportLab copies the whole 'glyf' table (megabytes for a
    CJK face) out of the file data for every subset it embeds, i.e. for every document."""
    tables: dict[str, bytes] = {}
    read = face.get_table

    def get_table(tag: str) -> bytes:
        table = tables.get(tag)
        if table is None:
            table = tables[tag] = read(tag)
        return table

    face.get_table = get_table


def fonts_dir() -> Path:
    return resource_path("fonts")


def _register(name: str, path: Path, subfont: str | int = 0) -> str:
    with _lock:
        if name in _coverage:
            return name
        try:
            font = TTFont(name, str(path), subfontIndex=subfont)
        except (OSError, TTFError) as exc:
            raise UserError(
                f"打印字体文件“{path}”无法使用（{exc}）；请在“设置”中改选 TrueType 字体"
                "（.ttf/.ttc，不支持 PostScript 轮廓的 .otf），或清除该设置使用内置字体"
            ) from exc
        pdfmetrics.registerFont(font)
        _cache_tables(font.face)
        _coverage[name] = frozenset(font.face.charToGlyph)
    return name


def _custom(path_text: str, role: str) -> str:
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise UserError(f"设置中的{role}字体文件“{path}”不存在；请重新选择字体文件或清除该设置")
    digest = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:10]
    return _register(f"ZQ-Court-{digest}", path)


@dataclass(frozen=True)
class PrintFonts:
    """The faces a document prints with; each role has a chain of faces tried per character."""

    body: str
    title: str
    fallbacks: tuple[str, ...]

    def chain(self, primary: str) -> tuple[str, ...]:
        rest = tuple(f for f in (SONG, *self.fallbacks) if f != primary)
        return (primary, *rest)

    def font_for(self, ch: str, primary: str) -> str | None:
        """The first face in ``primary``'s chain that has a glyph for ``ch``, else None."""
        key = (primary, self.fallbacks, ch)
        try:
            return _face_for[key]
        except KeyError:
            pass
        code = ord(ch)
        found = next((name for name in self.chain(primary) if code in _coverage[name]), None)
        _face_for[key] = found
        return found

    def check(self, text: str, field: str, primary: str | None = None) -> None:
        """Raise a UserError naming the first character of ``text`` no print font can draw."""
        for _ in self.runs(text, primary or self.body, field):
            pass

    def runs(self, text: str, primary: str, field: str = "文书内容") -> Iterator[tuple[str, str]]:
        """``text`` cut into (font name, chunk) runs, each chunk drawable in its font."""
        current: str | None = None
        chunk: list[str] = []
        for ch in text:
            if ch in _IGNORED:
                font = current or primary
            else:
                found = self.font_for(ch, primary)
                if found is None:
                    raise missing_glyph(ch, field, text)
                font = found
            if font != current and chunk:
                yield current or primary, "".join(chunk)
                chunk = []
            current = font
            chunk.append(ch)
        if chunk:
            yield current or primary, "".join(chunk)


def missing_glyph(ch: str, field: str, text: str) -> UserError:
    shown = text if len(text) <= 30 else text[:30] + "…"
    return UserError(
        f"{field}“{shown}”中的“{ch}”（U+{ord(ch):04X}）在打印字体中没有字形，打印出来会是空白方框；"
        "请核对该字是否录入正确，或由管理员在“设置”中配置包含该字的字体后再打印",
        field=field,
    )


def has_glyph(font_name: str, ch: str) -> bool:
    return ord(ch) in _coverage.get(font_name, frozenset())


def load_print_fonts(body_path: str | None = None, title_path: str | None = None) -> PrintFonts:
    """Register the bundled faces (once per process) and the court's own files if configured."""
    folder = fonts_dir()
    song = _register(SONG, folder / UMING_FILE, UMING_SUBFONT)
    fallback = _register(FALLBACK, folder / WQY_FILE, WQY_SUBFONT)
    body = _custom(body_path, "正文") if body_path else song
    title = _custom(title_path, "标题") if title_path else song
    return PrintFonts(body=body, title=title, fallbacks=(fallback,))
