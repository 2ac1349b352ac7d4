"""The PyInstaller one-folder build starts and passes `--self-test` (slow; needs PyInstaller)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (pip install '.[build]')")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

FORBIDDEN = ("QtWebEngine", "Qt6WebEngine", "Qt6Quick", "Qt6Qml", "tkinter", "_tkinter")


def _cli_has_self_test() -> bool:
    from zhiqian_desktop.cli.main import build_parser

    return "--self-test" in build_parser().format_help()


def test_build_runs_self_test(tmp_path: Path) -> None:
    if not _cli_has_self_test():
        pytest.skip("zhiqian_desktop/cli/main.py does not offer --self-test yet")
    dist, work = tmp_path / "dist", tmp_path / "build"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    folder = dist / "zhiqian"
    exe = folder / ("zhiqian.exe" if sys.platform == "win32" else "zhiqian")
    assert exe.is_file()

    internal = folder / "_internal"
    for part in (
        "zhiqian_desktop/ui/main_window.ui",
        "zhiqian_desktop/resources/fonts/uming.ttc",
        "zhiqian_desktop/resources/templates/urging.toml",
        "zhiqian_desktop/db/env.py",
        "zhiqian_desktop/db/versions/0001_baseline.py",
    ):
        assert (internal / part).is_file(), part
    # The preview's PDFium library (loaded by ctypes, so collected by build.spec itself).
    assert [p for p in internal.rglob("*pdfium*") if p.suffix in (".so", ".dll", ".dylib")], (
        "PDFium was not bundled"
    )
    names = [p.name for p in folder.rglob("*")]
    assert not [n for n in names if n.startswith(FORBIDDEN)], "unused Qt modules were bundled"

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZHIQIAN_DATA_DIR=str(tmp_path / "home"))
    run = subprocess.run(
        [str(exe), "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "self-test passed" in run.stdout
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 2**20  # symlinked libraries once
    assert size_mb < 250, f"the build folder grew to {size_mb:.0f} MB"
