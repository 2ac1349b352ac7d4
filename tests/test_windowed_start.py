"""The windowed desktop build (Windows, ``console=False``) starts with ``sys.stdout`` and
``sys.stderr`` set to None: main() must run, its output and errors must reach the log, and a
failure to start the desktop app must reach the clerk in a message box."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from zhiqian_desktop.cli.main import main
from zhiqian_desktop.store.log_file import log_file_path

WITHOUT_STREAMS = (
    "import sys; sys.stdout = None; sys.stderr = None; "
    "from zhiqian_desktop.cli.main import main; sys.exit(main({argv!r}))"
)


def _run_without_streams(argv: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZHIQIAN_DATA_DIR=str(home))
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_STREAMS.format(argv=argv)],
        cwd=home.parent,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


def _log(home: Path) -> str:
    return (home / "logs" / "zhiqian.log").read_text(encoding="utf-8")


def test_the_self_test_runs_without_console_streams_and_reports_to_the_log(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    done = _run_without_streams(["--self-test"], home)
    assert done.returncode == 0, done.stdout + done.stderr + _log(home)
    log = _log(home)
    assert "ok   main window" in log
    assert "self-test passed" in log


def test_a_failing_command_without_console_streams_writes_its_error_to_the_log(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    missing = tmp_path / "没有的文件夹" / "zhiqian.db"
    done = _run_without_streams(["cases", "--db", str(missing)], home)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    log = _log(home)
    assert "zhiqian：错误：" in log
    assert "没有的文件夹" in log


def test_the_desktop_app_started_without_console_shows_why_it_cannot_start(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    shown: list[str] = []

    def close_the_box() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                shown.append(widget.text())
                widget.accept()
                return
        QTimer.singleShot(20, close_the_box)

    QTimer.singleShot(0, close_the_box)
    assert main(["gui", "--database-url", "mysql://court-server/zhiqian"]) == 1
    assert len(shown) == 1
    assert "不支持" in shown[0]
    assert "不支持" in log_file_path().read_text(encoding="utf-8")
