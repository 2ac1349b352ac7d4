"""`run_self_test()` passes on a working install and names the check that fails otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A fresh process: the self-test creates its own QApplication and sets its own data folder.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZHIQIAN_DATA_DIR=str(tmp_path / "home"))
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_self_test_passes_and_reports_each_check(tmp_path: Path) -> None:
    done = _run(
        "import sys; from zhiqian_desktop.selftest import run_self_test; sys.exit(run_self_test())",
        tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for check in (
        "fonts, forms and templates",
        "migrations",
        "register a case",
        "notice to PDF",
        "encrypted database",
        "main window",
        "fonts on screen and Chinese sorting",
        "preview and print a PDF to a file",
    ):
        assert any(line.startswith("ok ") and check in line for line in lines), done.stdout
    assert "执前督1号" in done.stdout
    from zhiqian_desktop.store import cipher

    encrypted = "reopened with the passphrase" if cipher.available() else "skipped: sqlcipher3"
    assert encrypted in done.stdout
    assert "pinyin order" in done.stdout and "printed on A4" in done.stdout
    assert lines[-1].startswith("self-test passed")
    # Nothing was left in the user's data folder: the test works in a folder of its own.
    assert not (tmp_path / "home" / "zhiqian.db").exists()


def test_self_test_fails_with_the_failing_check(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import zhiqian_desktop.resources_access as r\n"
        "r.bundled_font_paths = lambda: []\n"
        "from zhiqian_desktop.selftest import run_self_test\n"
        "sys.exit(run_self_test())\n"
    )
    done = _run(code, tmp_path)
    assert done.returncode == 1
    assert "FAIL bundled fonts, forms and templates" in done.stdout
    assert "wqy-microhei.ttc" in done.stdout
    assert "main window" not in done.stdout
