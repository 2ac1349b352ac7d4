"""Copies of documents left in the temporary folder by a program that was killed (or whose user
logged off) are removed at the next start; the folder of a program still running is not."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zhiqian_desktop.store.temp_folders import make_temp_folder, remove_left_behind

HOLDER = (
    "import sys; from zhiqian_desktop.store.temp_folders import make_temp_folder; "
    "folder = make_temp_folder('zhiqian-view-'); "
    "(folder / '（2026）内0221执前督1号.pdf').write_bytes(b'%PDF plain text of a document'); "
    "print(folder, flush=True); sys.stdin.read()"
)


def later() -> float:
    return time.time() + 3600


def test_a_folder_left_by_a_killed_program_is_removed_and_a_running_ones_is_kept(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, TMPDIR=str(tmp_path), TEMP=str(tmp_path), TMP=str(tmp_path))
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "env": env}
    with (
        subprocess.Popen([sys.executable, "-c", HOLDER], **pipes) as running,  # type: ignore[call-overload]
        subprocess.Popen([sys.executable, "-c", HOLDER], **pipes) as killed,  # type: ignore[call-overload]
    ):
        kept = Path(running.stdout.readline().decode().strip())
        left = Path(killed.stdout.readline().decode().strip())
        killed.kill()
        killed.wait(timeout=30)
        assert left.is_dir()

        assert remove_left_behind(tmp_path, now=later()) == [left]
        assert not left.exists()
        assert (kept / "（2026）内0221执前督1号.pdf").is_file()
        running.stdin.close()
        running.wait(timeout=30)
    assert remove_left_behind(tmp_path, now=later()) == [kept]  # once its program has ended


def test_old_folders_of_any_kind_go_and_others_and_new_ones_stay(tmp_path: Path) -> None:
    old = []
    for name in ("zhiqian-view-x1", "zhiqian-demo-x2", "zhiqian-selftest-x3"):
        folder = tmp_path / name
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "demo.db").write_bytes(b"SQLite format 3\0")
        old.append(folder)
    other = tmp_path / "someone-elses-folder"
    other.mkdir()
    fresh = tmp_path / "zhiqian-view-just-made"  # its program may not have marked it yet
    fresh.mkdir()
    now = time.time()
    for folder in (*old, other):
        os.utime(folder, (now - 7200, now - 7200))
    assert sorted(remove_left_behind(tmp_path, now=now)) == sorted(old)
    assert other.is_dir() and fresh.is_dir()


def test_this_programs_own_folder_is_kept(tmp_path: Path) -> None:
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp_path)
    try:
        own = make_temp_folder("zhiqian-view-")
    finally:
        tempfile.tempdir = saved
    assert remove_left_behind(tmp_path, now=later()) == []
    assert own.is_dir()
