"""Interface fonts: register the bundled CJK fonts with Qt and choose the application font.

A PC without Chinese fonts would show boxes, so the bundled fonts are registered before the first
window. A court may configure its own font file (设置 → 界面字体); if it cannot be loaded the
bundled WenQuanYi Micro Hei is used and the reason is logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from zhiqian_desktop.resources_access import UI_FONT_FILE, bundled_font_paths

log = logging.getLogger(__name__)

UI_FAMILY = "WenQuanYi Micro Hei"
HAN_FALLBACK_FAMILY = "Zhiqian Han Fallback"
"""The bundled face of extension A and GB 18030-2022 level 2 (resources/fonts/zq-han-fallback.ttf):
last in the family list, so a rare character in a name shows in the docket and forms."""
UI_POINT_SIZE = 10

_registered: dict[str, list[str]] = {}
"""Font file path -> the families Qt found in it (each file is registered once per process)."""


def add_font_file(path: Path) -> list[str]:
    """Register one font file with Qt; returns its families (empty if Qt could not load it)."""
    key = str(path)
    if key not in _registered:
        font_id = QFontDatabase.addApplicationFont(key)
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            log.warning("字体文件无法加载：%s", path)
        _registered[key] = list(families)
    return _registered[key]


def register_bundled_fonts() -> list[str]:
    """Register every font in resources/fonts; returns the families now available."""
    families: list[str] = []
    for path in bundled_font_paths():
        families += add_font_file(path)
    return families


def bundled_ui_family() -> str:
    for path in bundled_font_paths():
        if path.name == UI_FONT_FILE:
            families = add_font_file(path)
            if families:
                return UI_FAMILY if UI_FAMILY in families else families[0]
    return UI_FAMILY


def choose_ui_family(configured_file: str | None) -> str:
    """The family of the court's configured font file if it loads, else WenQuanYi Micro Hei."""
    if configured_file:
        path = Path(configured_file)
        if path.is_file():
            families = add_font_file(path)
            if families:
                return families[0]
        else:
            log.warning("设置中的界面字体文件不存在：%s；改用内置字体", path)
    return bundled_ui_family()


def apply_ui_font(configured_file: str | None = None, point_size: int = UI_POINT_SIZE) -> QFont:
    """Register the bundled fonts and make the chosen family the application font."""
    register_bundled_fonts()
    font = QFont(choose_ui_family(configured_file), point_size)
    # Latin text in the bundled font is fine; the fallback list keeps a court font lacking a
    # rare character (生僻字) from showing a box for it.
    font.setFamilies([font.family(), UI_FAMILY, "AR PL UMing CN", HAN_FALLBACK_FAMILY])
    QApplication.setFont(font)
    return font
