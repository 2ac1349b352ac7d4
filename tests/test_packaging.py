"""The built wheel carries the forms, fonts, templates and migrations the app finds at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_package_data(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", ".cache", "__pycache__"
        ),
    )
    out = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("zhiqian_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "zhiqian_desktop/db/env.py" in names
    assert "zhiqian_desktop/db/versions/0001_baseline.py" in names
    assert "zhiqian_desktop/db/script.py.mako" in names
    assert any(n.startswith("zhiqian_desktop/ui/") and n.endswith(".ui") for n in names)
    fonts = {n for n in names if n.startswith("zhiqian_desktop/resources/fonts/")}
    assert any(n.endswith((".ttc", ".ttf")) for n in fonts)
    licences = ("LICENSE", "LICENCE", "COPYING", "COPYRIGHT")
    assert any(word in n.upper() for n in fonts for word in licences)
    entry = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "zhiqian = zhiqian_desktop.cli.main:main" in entry
