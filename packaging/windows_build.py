"""What build.spec needs for Windows: one view of PySide6's two folder layouts, the program's
version resource, and the icon file.

PySide6 keeps Qt's files under ``PySide6/Qt/`` on Linux and macOS (``PySide6/Qt/plugins/…``,
``PySide6/Qt/translations/…``) but directly under ``PySide6/`` on Windows (``PySide6/plugins/…``).
build.spec's trimming rules are written for the first; ``unified`` maps the second onto it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ICON = ROOT / "packaging" / "zhiqian.ico"
"""The program icon for zhiqian.exe (drawn by packaging/make_icon.py)."""

QT_FOLDERS = ("plugins", "translations", "qml", "resources", "libexec")
_WINDOWS_LAYOUT = re.compile(r"(^|/)PySide6/(" + "|".join(QT_FOLDERS) + r")/")


def unified(dest: str) -> str:
    """A bundle path with forward slashes and Qt's files under ``PySide6/Qt/``, whichever
    layout it came from (a path starting with ``PySide6/`` gets a ``/`` in front, as the rules
    look for ``/Qt/…/``)."""
    d = dest.replace("\\", "/")
    d = _WINDOWS_LAYOUT.sub(lambda m: f"{m.group(1)}PySide6/Qt/{m.group(2)}/", d)
    return d if d.startswith("/") else "/" + d


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` (pyproject's version) as the four numbers of a Windows version resource."""
    a, b, c, d = [*(int(p) for p in re.findall(r"\d+", version)[:4]), 0, 0, 0, 0][:4]
    return a, b, c, d


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    if found is None:
        raise ValueError("pyproject.toml has no version")
    return found.group(1)


def version_strings(version: str) -> dict[str, str]:
    """The text of the version resource (Explorer's Properties → Details; also what an antivirus
    or a software inventory reads)."""
    return {
        "CompanyName": "执前督促 Zhiqian Desktop",
        "FileDescription": "执前督促 — 执行前督促程序案件管理",
        "FileVersion": version,
        "InternalName": "zhiqian",
        "LegalCopyright": "Copyright (c) the Zhiqian Desktop authors. All rights reserved.",
        "OriginalFilename": "zhiqian.exe",
        "ProductName": "执前督促",
        "ProductVersion": version,
    }


def version_info(version: str | None = None) -> Any:
    """The version resource of zhiqian.exe as PyInstaller's VSVersionInfo (Windows builds)."""
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    version = version or project_version()
    numbers = version_numbers(version)
    strings = version_strings(version)
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers, OS=0x40004, fileType=0x1),
        kids=[
            # 0804 = Chinese (PRC), 04B0 = Unicode.
            StringFileInfo(
                [StringTable("080404B0", [StringStruct(k, v) for k, v in strings.items()])]
            ),
            VarFileInfo([VarStruct("Translation", [0x0804, 1200])]),
        ],
    )
