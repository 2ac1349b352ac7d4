"""The print fonts: a TrueType face per role, and per character a chain of faces that have it.

Each role (title 小标宋, body 仿宋, headings 黑体/楷体, page numbers 宋体) uses, in this order: the
font file the court configured, the face the system's font folders hold under the role's family
names (``font_finder``), or the bundled AR PL UMing (WenQuanYi Micro Hei for 黑体). A character the
role's face lacks is drawn from the system's 宋体, then the system faces that carry the CJK
extensions (SimSun-ExtB/ExtG, BabelStone Han, HanaMin), then the bundled faces, the last of which
covers GB 18030-2022 level 2. A character no face has stops the print with a UserError naming it —
a party's name must never come out as a blank box.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.printing.font_finder import (
    BODY,
    HEADING,
    KAI,
    ROLE_LABELS,
    TITLE,
    SystemFace,
    find_faces,
)
from zhiqian_desktop.printing.font_finder import (
    SONG as SONG_ROLE,
)
from zhiqian_desktop.resources_access import resource_path

log = logging.getLogger(__name__)

UMING_FILE = "uming.ttc"
UMING_SUBFONT = "UMingCN"
WQY_FILE = "wqy-microhei.ttc"
WQY_SUBFONT = "WenQuanYiMicroHei"

SONG = "ZQ-Song"
"""ReportLab name of the bundled 宋体-style face (AR PL UMing CN)."""
FALLBACK = "ZQ-Fallback"
"""ReportLab name of the fallback face (WenQuanYi Micro Hei), also the bundled 黑体-style face."""
HAN_FILE = "zq-han-fallback.ttf"
HAN = "ZQ-Han"
"""ReportLab name of the bundled last resort for rare characters: CJK extension A and the
characters of GB 18030-2022 level 2 that the other bundled faces lack (from HanaMin)."""

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
        except (OSError, TTFError, struct.error, KeyError, ValueError, IndexError) as exc:
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


def _system(face: SystemFace) -> str | None:
    """Register a face found in the system folders; None (and a log line) if ReportLab refuses it."""
    digest = hashlib.sha1(f"{face.path.resolve()}#{face.index}".encode()).hexdigest()[:10]
    try:
        return _register(f"ZQ-Sys-{digest}", face.path, face.index)
    except UserError as exc:
        log.warning("系统字体“%s”无法用于打印，已跳过：%s", face.label, exc)
        return None


@dataclass(frozen=True)
class FaceChoice:
    """Which face a role prints with and where it came from, as 设置 and the preview show it."""

    role: str
    font: str
    origin: str
    """"court" (configured in 设置), "system" (found in the font folders) or "bundled"."""
    description: str

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role]


ORIGIN_LABELS = {"court": "法院配置", "system": "本机字体", "bundled": "随软件提供"}


@dataclass(frozen=True)
class PrintFonts:
    """The faces a document prints with; each role has a chain of faces tried per character."""

    body: str
    title: str
    fallbacks: tuple[str, ...]
    heading: str = SONG
    kai: str = SONG
    song: str = SONG
    choices: tuple[FaceChoice, ...] = field(default=(), compare=False)

    def chain(self, primary: str) -> tuple[str, ...]:
        rest = tuple(f for f in self.fallbacks if f != primary)
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

    def describe(self) -> list[tuple[str, str]]:
        """(role, "where the face comes from") lines for 设置 and the print preview."""
        return [(c.label, f"{ORIGIN_LABELS[c.origin]}：{c.description}") for c in self.choices]


def missing_glyph(ch: str, field: str, text: str) -> UserError:
    shown = text if len(text) <= 30 else text[:30] + "…"
    return UserError(
        f"{field}“{shown}”中的“{ch}”（U+{ord(ch):04X}）在打印字体中没有字形，打印出来会是空白方框；"
        "请核对该字是否录入正确，或由管理员在“设置”中配置包含该字的字体后再打印",
        field=field,
    )


def ink_top(font_name: str, ch: str, size: float) -> float:
    """Height above the baseline of the top of ``ch``'s outline in ``font_name`` at ``size``
    (GB/T 9704 measures the page number's dashes from the ink, not the type's em box)."""
    face = pdfmetrics.getFont(font_name).face
    try:
        glyph = face.charToGlyph[ord(ch)]
        table = face.get_table("glyf")
        offset = face.glyphPos[glyph]
        y_max = struct.unpack(">h", table[offset + 8 : offset + 10])[0]
    except (KeyError, IndexError, struct.error):
        return 0.4 * size
    units: int = face.unitsPerEm
    return float(y_max) * size / units


def has_glyph(font_name: str, ch: str) -> bool:
    return ord(ch) in _coverage.get(font_name, frozenset())


_BUNDLED_DESCRIPTIONS = {
    SONG: f"AR PL UMing（{UMING_FILE}，宋体类）",
    FALLBACK: f"文泉驿微米黑（{WQY_FILE}，黑体类）",
}


def load_print_fonts(
    body_path: str | None = None,
    title_path: str | None = None,
    *,
    font_dirs: Sequence[Path] | None = None,
) -> PrintFonts:
    """The faces for every role: the court's configured files, else the system's, else bundled.

    ``font_dirs`` replaces the system font folders (tests pass an empty list for a machine with
    no fonts of its own).
    """
    folder = fonts_dir()
    song = _register(SONG, folder / UMING_FILE, UMING_SUBFONT)
    fallback = _register(FALLBACK, folder / WQY_FILE, WQY_SUBFONT)
    han = _register(HAN, folder / HAN_FILE)
    found = find_faces(font_dirs)
    configured = {BODY: body_path, TITLE: title_path}
    bundled = {TITLE: song, BODY: song, HEADING: fallback, KAI: song, SONG_ROLE: song}
    choices: dict[str, FaceChoice] = {}
    for role, default in bundled.items():
        path_text = configured.get(role)
        if path_text:
            font = _custom(path_text, "标题" if role == TITLE else "正文")
            choices[role] = FaceChoice(role, font, "court", str(Path(path_text).expanduser()))
            continue
        face = found.roles.get(role)
        font_name = _system(face) if face is not None else None
        if face is not None and font_name is not None:
            choices[role] = FaceChoice(role, font_name, "system", face.label)
        else:
            choices[role] = FaceChoice(role, default, "bundled", _BUNDLED_DESCRIPTIONS[default])
    chain: list[str] = []
    if choices[SONG_ROLE].origin == "system":
        # The system's 宋体 (simsun.ttc) carries all of extension A on Windows.
        chain.append(choices[SONG_ROLE].font)
    for face in found.extensions:
        name = _system(face)
        if name is not None:
            chain.append(name)
    chain += [song, fallback, han]
    return PrintFonts(
        body=choices[BODY].font,
        title=choices[TITLE].font,
        fallbacks=tuple(dict.fromkeys(chain)),
        heading=choices[HEADING].font,
        kai=choices[KAI].font,
        song=choices[SONG_ROLE].font,
        choices=tuple(choices.values()),
    )
