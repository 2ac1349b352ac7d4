"""The court PC's own faces: found by family name in the font folders, TrueType only, per role."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

from tests.printing.helpers import DOC_ID, FACTS, fonts_of, pdf_fonts
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import build_content, document_number
from zhiqian_desktop.printing.font_finder import (
    FONT_DIRS_ENV,
    find_faces,
    normalise,
    system_font_dirs,
)
from zhiqian_desktop.printing.fonts import SONG, WQY_FILE, fonts_dir, load_print_fonts
from zhiqian_desktop.printing.renderer import NoticeRenderer


def _rename(font: TTFont, family: str, postscript: str) -> None:
    table = font["name"]
    table.names = [r for r in table.names if r.nameID not in (1, 3, 4, 6, 16, 17)]
    for name_id, text in ((1, family), (4, family), (6, postscript)):
        table.setName(text, name_id, 3, 1, 0x804 if name_id != 6 else 0x409)


@pytest.fixture(scope="module")
def court_fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like C:\\Windows\\Fonts: a TrueType face whose family is 仿宋 (made from the bundled
    WenQuanYi face), and a CFF/OpenType face called 黑体 that cannot be embedded."""
    folder = tmp_path_factory.mktemp("court-fonts")
    face = TTFont(str(fonts_dir() / WQY_FILE), fontNumber=0)
    _rename(face, "仿宋", "FangSong-Court")
    face.save(str(folder / "simfang.ttf"))

    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "uni9ED1"])
    builder.setupCharacterMap({0x9ED1: "uni9ED1"})
    pen = T2CharStringPen(500, None)
    pen.moveTo((100, 0))
    pen.lineTo((400, 0))
    pen.lineTo((400, 700))
    pen.closePath()
    box = pen.getCharString()
    builder.setupCFF("HeiTi-CFF", {"FullName": "HeiTi"}, {".notdef": box, "uni9ED1": box}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 100), "uni9ED1": (500, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "黑体", "styleName": "Regular", "psName": "HeiTi-CFF"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(folder / "heiti.otf"))
    return folder


def _urging(fonts_folder: Path) -> bytes:
    _ctx, content = build_content(
        DocumentKind.URGING,
        FACTS,
        doc_id=DOC_ID,
        doc_no=document_number(FACTS.case_no, DocumentKind.URGING, 1),
        issued_on=FACTS.effective_date,
    )
    return NoticeRenderer(load_print_fonts(font_dirs=[fonts_folder])).render(content)


def test_a_face_named_fangsong_sets_the_body_of_the_notice(
    court_fonts: Path, tmp_path: Path
) -> None:
    pdf = _urging(court_fonts)
    names = [row[0] for row in pdf_fonts(pdf, tmp_path)]
    assert any(n.endswith("FangSong-Court") for n in names), names
    # The body paragraph is set in it; the title (小标宋 role, none installed) stays bundled.
    body = {n.split("+")[-1] for n in fonts_of(pdf, "为保障申请人的合法权益")}
    assert body == {"FangSong-Court"}
    title = {n.split("+")[-1] for n in fonts_of(pdf, "自动履行催告书")}
    assert len(title) == 1 and title.pop().startswith("UMingCN")


def test_a_cff_face_is_skipped_with_a_message_and_the_role_falls_back(
    court_fonts: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        found = find_faces([court_fonts, court_fonts / "."])
        fonts = load_print_fonts(font_dirs=[court_fonts, court_fonts / "."])
    assert found.roles["heading"] is None
    assert [f.path.name for f in found.skipped] == ["heiti.otf"]
    assert any("heiti.otf" in r.getMessage() and "CFF" in r.getMessage() for r in caplog.records)
    heading = dict(fonts.describe())["一级标题（黑体）"]
    assert heading.startswith("随软件提供") and "文泉驿" in heading
    body = dict(fonts.describe())["正文（仿宋）"]
    assert body.startswith("本机字体") and "simfang.ttf" in body


def test_no_system_faces_means_the_bundled_faces_for_every_role(tmp_path: Path) -> None:
    fonts = load_print_fonts(font_dirs=[tmp_path])
    assert fonts.body == fonts.title == fonts.kai == fonts.song == SONG
    assert all(line.startswith("随软件提供") for _role, line in fonts.describe())


def test_a_configured_file_wins_over_the_system_face(court_fonts: Path) -> None:
    configured = str(fonts_dir() / WQY_FILE)
    fonts = load_print_fonts(body_path=configured, font_dirs=[court_fonts])
    assert dict(fonts.describe())["正文（仿宋）"] == f"法院配置：{configured}"


def test_family_names_match_in_chinese_and_english_whatever_the_spelling() -> None:
    assert normalise("FangSong_GB2312") == normalise("fangsong gb2312")
    assert normalise("仿宋_GB2312") == normalise("仿宋GB2312") != normalise("仿宋")


def test_system_font_folders_per_platform(tmp_path: Path) -> None:
    windows = system_font_dirs(
        {"WINDIR": r"C:\Windows", "LOCALAPPDATA": r"C:\Users\clerk\AppData\Local"}, "win32"
    )
    assert [str(p).replace("/", "\\") for p in windows] == [
        r"C:\Windows\Fonts",
        r"C:\Users\clerk\AppData\Local\Microsoft\Windows\Fonts",
    ]
    linux = system_font_dirs({"HOME": "/home/clerk"}, "linux")
    assert [str(p) for p in linux] == [
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        "/home/clerk/.local/share/fonts",
        "/home/clerk/.fonts",
    ]
    assert system_font_dirs({FONT_DIRS_ENV: f"{tmp_path}"}, "linux") == [tmp_path]


def test_first_level_headings_are_set_in_the_heiti_face(tmp_path: Path) -> None:
    """GB/T 9704 §7.3.3: 一、 headings in 黑体 (here the bundled 黑体-style face, WenQuanYi)."""
    _ctx, content = build_content(
        DocumentKind.RISK_NOTICE,
        FACTS,
        doc_id=DOC_ID,
        doc_no=document_number(FACTS.case_no, DocumentKind.RISK_NOTICE, 1),
        issued_on=FACTS.effective_date,
    )
    pdf = NoticeRenderer(load_print_fonts(font_dirs=[tmp_path])).render(content)
    heading = {n.split("+")[-1] for n in fonts_of(pdf, "一、生效法律文书确定的义务应当自动履行。")}
    assert len(heading) == 1 and heading.pop().startswith("WenQuanYi")
    body = {n.split("+")[-1] for n in fonts_of(pdf, "被申请人在本院督促期间自动履行完毕的")}
    assert len(body) == 1 and body.pop().startswith("UMingCN")
