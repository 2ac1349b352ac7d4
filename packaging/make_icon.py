"""Draws the program icon (resources/icons/zhiqian-*.png): the character 执 in white on court red.

Run once after changing the design: python packaging/make_icon.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPen

ROOT = Path(__file__).resolve().parents[1]
SIZES = (48, 256)


def draw(size: int, family: str) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.04
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#b3201f"))
    p.drawRoundedRect(box, size * 0.18, size * 0.18)
    inner = box.adjusted(size * 0.07, size * 0.07, -size * 0.07, -size * 0.07)
    p.setPen(QPen(QColor("#f6e7c8"), max(1.0, size * 0.025)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(inner, size * 0.12, size * 0.12)
    font = QFont(family)
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, "执")
    p.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv)
    font_id = QFontDatabase.addApplicationFont(
        str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc")
    )
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    for size in SIZES:
        target = ROOT / "resources" / "icons" / f"zhiqian-{size}.png"
        if not draw(size, family).save(str(target)):
            print(f"cannot write {target}", file=sys.stderr)
            return 1
        print(target)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
