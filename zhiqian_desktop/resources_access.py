"""Files shipped inside the package (fonts, Qt Designer forms, templates), found via importlib.resources."""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

UI_FONT_FILE = "wqy-microhei.ttc"
"""WenQuanYi Micro Hei: the interface font when the court has not configured its own."""

PRINT_FONT_FILE = "uming.ttc"
"""AR PL UMing: the 宋体-style print font."""

_FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


def _real_path(resource: Traversable) -> Path:
    # Installed normally, editable or from a PyInstaller bundle the resources are plain files; a
    # zip import would need as_file's temporary copy, which we keep for the life of the process.
    if isinstance(resource, Path):
        return resource
    with as_file(resource) as path:
        return Path(path)


def resource_path(*parts: str) -> Path:
    """A file under the top-level ``resources/`` folder, e.g. ``resource_path("fonts", "uming.ttc")``."""
    node: Traversable = files("zhiqian_desktop.resources")
    for part in parts:
        node = node.joinpath(part)
    return _real_path(node)


def ui_path(name: str) -> Path:
    """A Qt Designer form under the top-level ``ui/`` folder, e.g. ``ui_path("main_window.ui")``."""
    return _real_path(files("zhiqian_desktop.ui").joinpath(name))


def bundled_font_paths() -> list[Path]:
    """Every bundled font file, the interface font first."""
    folder = resource_path("fonts")
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in _FONT_SUFFIXES)
    found.sort(key=lambda p: p.name != UI_FONT_FILE)
    return found
