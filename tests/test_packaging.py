"""The built wheel carries the forms, fonts, templates, manual and migrations the app finds at run
time, its build log is free of warnings, and pyproject's package list names every package."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
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
    # Byte-compiling off (as PYTHONDONTWRITEBYTECODE asks) is the one line setuptools prints as a
    # "warning" that says nothing about the project.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--verbose",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(src),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = built.stdout + built.stderr
    assert built.returncode == 0, log[-3000:]
    assert "running bdist_wheel" in log  # the backend's own output is in the log
    warnings = [line for line in log.splitlines() if re.search(r"warn|deprecat", line, re.I)]
    assert not warnings, "\n".join(warnings)
    (wheel,) = out.glob("zhiqian_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "zhiqian_desktop/db/env.py" in names
    assert "zhiqian_desktop/db/versions/0001_baseline.py" in names
    assert "zhiqian_desktop/db/script.py.mako" in names
    assert any(n.startswith("zhiqian_desktop/ui/") and n.endswith(".ui") for n in names)
    fonts = {n for n in names if n.startswith("zhiqian_desktop/resources/fonts/")}
    assert any(n.endswith((".ttc", ".ttf")) for n in fonts)
    # Every file of the mapped folders is in the wheel: a pattern missing from package-data
    # leaves an installed app without it (the rare-character face once went missing so).
    for folder, package in (("resources", "resources"), ("ui", "ui"), ("db", "db")):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                inside = path.relative_to(ROOT / folder).as_posix()
                assert f"zhiqian_desktop/{package}/{inside}" in names, inside
    licences = ("LICENSE", "LICENCE", "COPYING", "COPYRIGHT")
    assert any(word in n.upper() for n in fonts for word in licences)
    entry = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "zhiqian = zhiqian_desktop.cli.launch:run" in entry
    assert "zhiqian_desktop/resources/icons/zhiqian-256.png" in names
    assert "zhiqian_desktop/resources/manual/index.html" in names
    assert any(n.startswith("zhiqian_desktop/resources/manual/images/") for n in names)
    metadata = (
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    )
    assert "License-Expression: LicenseRef-Proprietary AND " in metadata
    assert "License-File: LICENSE" in metadata


def _declared() -> tuple[set[str], dict[str, str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    return set(setuptools["packages"]), setuptools["package-dir"]


def test_every_package_and_data_folder_is_declared() -> None:
    declared, package_dir = _declared()
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "zhiqian_desktop").rglob("__init__.py")
    }
    for package, folder in package_dir.items():
        for sub in (ROOT / folder).rglob("*"):
            if sub.is_dir() and sub.name != "__pycache__" and any(sub.iterdir()):
                found.add(".".join([package, *sub.relative_to(ROOT / folder).parts]))
        found.add(package)
    assert found - declared == set(), "folders missing from [tool.setuptools] packages"
    assert declared - found == set(), "packages listed that do not exist"
