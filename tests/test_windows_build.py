"""build.spec on Windows, checked on Linux: its Qt trimming rules applied to PySide6's Windows
folder layout (``PySide6/plugins/…`` rather than ``PySide6/Qt/plugins/…``), the icon and the
version resource of zhiqian.exe. (The Windows build itself is made on Windows; docs/building.md.)"""

from __future__ import annotations

import ast
import importlib.util
import struct
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC_RULES = {
    "KEEP_PLUGIN_DIRS",
    "KEEP_IMAGEFORMATS",
    "DROP_PLATFORMS",
    "DROP_PLUGINS",
    "DROP_LIBS",
}


def windows_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "windows_build", ROOT / "packaging" / "windows_build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spec_keep() -> Any:
    """build.spec's ``_keep`` with its rules, without running PyInstaller."""
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    wanted: list[ast.stmt] = [
        node
        for node in tree.body
        if (isinstance(node, ast.FunctionDef) and node.name == "_keep")
        or (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id in SPEC_RULES for t in node.targets)
        )
    ]
    namespace: dict[str, Any] = {"windows_build": windows_build()}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), "build.spec", "exec"), namespace)
    return namespace["_keep"]


WINDOWS_LAYOUT = [
    ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6\\plugins\\platforms\\qoffscreen.dll", True),
    ("PySide6\\plugins\\platforms\\qdirect2d.dll", False),
    ("PySide6\\plugins\\platforms\\qminimal.dll", False),
    ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
    ("PySide6\\plugins\\printsupport\\windowsprintersupport.dll", True),
    ("PySide6\\plugins\\imageformats\\qico.dll", True),
    ("PySide6\\plugins\\imageformats\\qwebp.dll", False),
    ("PySide6\\plugins\\imageformats\\qsvg.dll", False),
    ("PySide6\\plugins\\sqldrivers\\qsqlite.dll", False),
    ("PySide6\\plugins\\multimedia\\ffmpegmediaplugin.dll", False),
    ("PySide6\\plugins\\tls\\qschannelbackend.dll", False),
    ("PySide6\\translations\\qtbase_zh_CN.qm", True),
    ("PySide6\\translations\\qtbase_de.qm", False),
    ("PySide6\\qml\\QtQuick\\Controls\\qtquickcontrols2plugin.dll", False),
    ("PySide6\\Qt6Core.dll", True),
    ("PySide6\\Qt6Qml.dll", False),
    ("PySide6\\opengl32sw.dll", False),
]
LINUX_LAYOUT = [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qtbase_fr.qm", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
]


@pytest.mark.parametrize(("dest", "kept"), WINDOWS_LAYOUT + LINUX_LAYOUT)
def test_the_qt_trimming_rules_hold_for_both_layouts(dest: str, kept: bool) -> None:
    assert spec_keep()(dest) is kept


def test_the_windows_icon_has_the_sizes_explorer_asks_for() -> None:
    data = (ROOT / "packaging" / "zhiqian.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        width, _h, _c, _r, _planes, bpp, size, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert bpp == 32 and data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + size <= len(data)
        sizes.add(width or 256)
    assert {16, 24, 32, 48, 256} <= sizes
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert "icon=str(windows_build.ICON) if WINDOWS" in spec


def test_the_version_resource_carries_the_project_version() -> None:
    module = windows_build()
    version = module.project_version()
    assert module.version_numbers(version) == (0, 1, 0, 0) or version != "0.1.0"
    assert module.version_numbers("2.10") == (2, 10, 0, 0)
    strings = module.version_strings(version)
    assert strings["ProductVersion"] == strings["FileVersion"] == version
    assert strings["OriginalFilename"] == "zhiqian.exe" and strings["ProductName"] == "执前督促"
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert "version=windows_build.version_info() if WINDOWS" in spec


def test_pyinstaller_takes_the_version_resource() -> None:
    if sys.platform != "win32":
        pytest.skip("PyInstaller's version resources work on Windows only (pywin32-ctypes)")
    from PyInstaller.utils.win32.versioninfo import VSVersionInfo

    module = windows_build()
    info = module.version_info("1.2.3")
    assert isinstance(info, VSVersionInfo)
    assert info.ffi.filevers == (1, 2, 3, 0)
    assert "'ProductVersion', '1.2.3'" in str(info) and "执前督促" in str(info)
