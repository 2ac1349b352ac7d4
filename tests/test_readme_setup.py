"""The README's two set-up commands work as written, on a copy of the source tree, in a virtual
environment they make themselves (slow: they install every dependency, from pip's cache or the
configured index)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- setup-commands:"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(os.name != "posix", reason="the README's commands are for Linux (bash)"),
]


def readme_setup_commands() -> list[str]:
    """The commands of the fenced block after the README's set-up marker (comments dropped)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(MARKER) :]
    block = re.search(r"```bash\n(.*?)```", after, re.S)
    assert block is not None, "no ```bash block after the set-up marker"
    lines = [line.strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _source_copy(tmp_path: Path) -> Path:
    # A path with a space and Chinese characters, as on a clerk's Windows profile.
    src = tmp_path / "下载 目录" / "zhiqian-desktop"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", ".*_cache", "__pycache__"
        ),
    )
    return src


def _fresh_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a new shell: no active virtual environment, no Python path, a data
    folder of its own, Qt drawing offscreen."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    own_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != own_bin)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ZHIQIAN_DATA_DIR=str(tmp_path / "data"),
        PIP_NO_INPUT="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("ZHIQIAN_TEST_PG_URL", None)
    return env


def _wait_for_window(process: subprocess.Popen[bytes], log: Path, limit: float) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if log.is_file():
            for line in log.read_text(encoding="utf-8").splitlines():
                if "主窗口已打开" in line:
                    return line
        if process.poll() is not None:
            break
        time.sleep(0.5)
    return ""


def test_readme_commands_work_as_written(tmp_path: Path) -> None:
    install_and_start, install_and_test = readme_setup_commands()
    assert install_and_start.startswith("python3 -m venv .venv && ")
    assert install_and_start.endswith("zhiqian --demo")
    assert install_and_test.startswith("python3 -m venv .venv && ")
    assert install_and_test.endswith("-m pytest -q")
    if shutil.which("python3") is None:
        pytest.skip("no python3 on PATH")
    src = _source_copy(tmp_path)
    env = _fresh_environment(tmp_path)
    out = tmp_path / "command-1.log"

    # 1. Install and start: the desktop comes up on a demo database; then it is closed.
    with out.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", install_and_start],
            cwd=src,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            shown = _wait_for_window(process, tmp_path / "data" / "logs" / "zhiqian.log", 900)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    printed = out.read_text(encoding="utf-8", errors="replace")
    assert shown, f"the app did not open its window:\n{printed[-3000:]}"
    assert "执前督促" in shown
    assert "Traceback" not in printed, printed[-3000:]
    assert (src / ".venv" / "bin" / "zhiqian").is_file()

    # 2. Install the test extras into the same environment and run the suite: here one test file
    #    (the same command with a path added; CI runs it as written, the whole suite).
    done = subprocess.run(
        ["bash", "-c", install_and_test + " -p no:randomly tests/domain/test_money.py"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert re.search(r"\d+ passed", done.stdout), done.stdout[-2000:]
