"""Finding the court PC's own typefaces: the system font folders searched by family name.

GB/T 9704-2012 and the courts' document styles set the title in 小标宋, the body in 仿宋, first-level
headings in 黑体 and second-level ones in 楷体. Court PCs have these faces (Windows: simfang.ttf,
simhei.ttf, simkai.ttf, simsun.ttc, often 方正小标宋简体; 统信 UOS and 麒麟 Kylin install theirs in
the Linux folders), so each role is looked up by the family names those faces carry, in Chinese
and English. Only TrueType (glyf) outlines can be embedded by ReportLab: a CFF/OpenType face is
skipped with a logged message and the next candidate is tried.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

log = logging.getLogger(__name__)

FONT_DIRS_ENV = "ZHIQIAN_FONT_DIRS"
"""Folders (separated like PATH) searched instead of the system's: a court that keeps its
licensed fonts in a shared folder names it here."""

TITLE, BODY, HEADING, KAI, SONG = "title", "body", "heading", "kai", "song"

ROLE_LABELS: dict[str, str] = {
    TITLE: "标题（小标宋）",
    BODY: "正文（仿宋）",
    HEADING: "一级标题（黑体）",
    KAI: "二级标题（楷体）",
    SONG: "页码（宋体）",
}

ROLE_FAMILIES: dict[str, tuple[str, ...]] = {
    TITLE: (
        "方正小标宋简体",
        "FZXiaoBiaoSong-B05S",
        "方正小标宋_GBK",
        "FZXiaoBiaoSong-B05",
        "方正小标宋",
        "小标宋",
        "华文中宋",
        "STZhongsong",
    ),
    BODY: (
        "仿宋_GB2312",
        "FangSong_GB2312",
        "仿宋",
        "FangSong",
        "方正仿宋_GBK",
        "FZFangSong-Z02",
        "方正仿宋简体",
        "FZFangSong-Z02S",
        "华文仿宋",
        "STFangsong",
    ),
    HEADING: (
        "黑体",
        "SimHei",
        "方正黑体_GBK",
        "FZHei-B01",
        "方正黑体简体",
        "FZHei-B01S",
        "华文黑体",
        "STHeiti",
    ),
    KAI: (
        "楷体_GB2312",
        "KaiTi_GB2312",
        "楷体",
        "KaiTi",
        "方正楷体_GBK",
        "FZKai-Z03",
        "方正楷体简体",
        "FZKai-Z03S",
        "华文楷体",
        "STKaiti",
    ),
    SONG: (
        "宋体",
        "SimSun",
        "新宋体",
        "NSimSun",
        "方正书宋_GBK",
        "FZShuSong-Z01",
        "方正书宋简体",
        "FZShuSong-Z01S",
        "华文宋体",
        "STSong",
    ),
}
"""Family names per role, best first: the GB2312-era names courts' templates use come before
the newer faces of the same style."""

EXTENSION_FAMILIES: tuple[str, ...] = (
    "SimSun-ExtG",
    "SimSun-ExtB",
    "MingLiU-ExtB",
    "BabelStone Han",
    "HanaMinA",
    "HanaMinB",
    "花園明朝A",
    "花園明朝B",
)
"""Faces that carry the CJK extensions (B and beyond): Windows' SimSun-ExtB/ExtG, Debian's
fonts-babelstone-han and fonts-hanazono. They are tried, in this order, for a character the
role's face lacks, before the bundled fallback."""

_FONT_SUFFIXES = frozenset({".ttf", ".ttc", ".otf", ".otc"})


@dataclass(frozen=True)
class SystemFace:
    """One face in one font file: ``index`` is its place in a .ttc collection (0 otherwise)."""

    path: Path
    index: int
    family: str
    names: frozenset[str]
    postscript: str
    truetype: bool

    @property
    def label(self) -> str:
        return f"{self.family}（{self.path}）"


def system_font_dirs(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> list[Path]:
    """The folders fonts are installed in on this system, or those named by ZHIQIAN_FONT_DIRS."""
    env = os.environ if environ is None else environ
    configured = env.get(FONT_DIRS_ENV)
    if configured is not None:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    home = Path(env.get("HOME") or Path.home())
    if (platform or sys.platform).startswith("win"):
        windir = Path(env.get("WINDIR") or env.get("SystemRoot") or r"C:\Windows")
        local = env.get("LOCALAPPDATA")
        dirs = [windir / "Fonts"]
        if local:
            # Fonts installed "for this user only" (Windows 10 1809 and later).
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    if (platform or sys.platform) == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        data_home / "fonts",
        home / ".fonts",
    ]


def normalise(name: str) -> str:
    """Family names compare without case, spaces, hyphens or underscores (仿宋_GB2312 = 仿宋GB2312)."""
    return "".join(ch for ch in name.casefold() if ch not in " -_")


def _names(font: TTFont) -> tuple[str, frozenset[str], str]:
    table = font["name"]
    family = ""
    names: set[str] = set()
    postscript = ""
    for record in table.names:
        if record.nameID not in (1, 4, 6, 16):
            continue
        try:
            text = record.toUnicode().strip()
        except UnicodeDecodeError:
            continue
        if not text:
            continue
        names.add(normalise(text))
        if record.nameID == 6 and not postscript:
            postscript = text
        # Prefer the Chinese family name for display (the court knows 仿宋, not FangSong).
        if record.nameID in (1, 16) and (
            not family or any("\u4e00" <= c <= "\u9fff" for c in text)
        ):
            family = text
    return family or postscript, frozenset(names), postscript


def read_faces(path: Path) -> list[SystemFace]:
    """The faces of one font file (several for a .ttc), or none if it cannot be read."""
    faces: list[SystemFace] = []
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
            handle.seek(0)
            fonts: list[TTFont]
            if magic == b"ttcf":
                fonts = list(TTCollection(handle, lazy=True).fonts)
            else:
                fonts = [TTFont(handle, lazy=True)]
            for index, font in enumerate(fonts):
                family, names, postscript = _names(font)
                faces.append(SystemFace(path, index, family, names, postscript, "glyf" in font))
    except (OSError, TTLibError, KeyError, AssertionError, ValueError, IndexError) as exc:
        log.info("字体文件无法读取，已跳过：%s（%s）", path, exc)
        return []
    return faces


def _font_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, _dirs, names in os.walk(folder):
            files += [
                Path(root) / n for n in sorted(names) if Path(n).suffix.lower() in _FONT_SUFFIXES
            ]
    return files


@dataclass(frozen=True)
class FoundFaces:
    """What the search found: a face per role (None where the system has none), the faces that
    carry the CJK extensions, and the matching faces skipped because they cannot be embedded."""

    roles: dict[str, SystemFace | None]
    extensions: tuple[SystemFace, ...]
    skipped: tuple[SystemFace, ...]


def match_faces(faces: Sequence[SystemFace]) -> FoundFaces:
    by_name: dict[str, list[SystemFace]] = {}
    for face in faces:
        for name in face.names:
            by_name.setdefault(name, []).append(face)
    skipped: dict[tuple[Path, int], SystemFace] = {}

    def first_truetype(families: Iterable[str]) -> list[SystemFace]:
        out: list[SystemFace] = []
        for family in families:
            for face in by_name.get(normalise(family), []):
                if not face.truetype:
                    if (face.path, face.index) not in skipped:
                        log.warning(
                            "字体“%s”（%s）是 PostScript/CFF 轮廓，无法嵌入 PDF，已跳过",
                            face.family,
                            face.path,
                        )
                    skipped[(face.path, face.index)] = face
                    continue
                if face not in out:
                    out.append(face)
        return out

    roles: dict[str, SystemFace | None] = {}
    for role, families in ROLE_FAMILIES.items():
        found = first_truetype(families)
        roles[role] = found[0] if found else None
    extensions = tuple(first_truetype(EXTENSION_FAMILIES))
    return FoundFaces(roles, extensions, tuple(skipped.values()))


_lock = threading.Lock()
_found: dict[tuple[Path, ...], FoundFaces] = {}


def find_faces(dirs: Sequence[Path] | None = None) -> FoundFaces:
    """The faces for every role in ``dirs`` (the system's font folders by default).

    The folders are read once per process: fonts installed while the app runs are seen after a
    restart, like in every other program.
    """
    key = tuple(system_font_dirs() if dirs is None else dirs)
    with _lock:
        found = _found.get(key)
        if found is None:
            faces = [face for path in _font_files(key) for face in read_faces(path)]
            found = _found[key] = match_faces(faces)
    return found
