"""Draws the program icon (resources/icons/zhiqian-*.png, and packaging/zhiqian.ico for the Windows
program): the character 执 in white on court red.

Run once after changing the design: python packaging/make_icon.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import struct

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPen

ROOT = Path(__file__).resolve().parents[1]
SIZES = (48, 256)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
"""What Explorer and the taskbar ask for at 100-200 % scaling."""


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


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """An .ico file of PNG-compressed images (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, payload = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + entries + payload


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
    target = ROOT / "packaging" / "zhiqian.ico"
    target.write_bytes(ico({size: png_bytes(draw(size, family)) for size in ICO_SIZES}))
    print(target)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
