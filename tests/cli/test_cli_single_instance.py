"""The commands that replace the database file (restore, encrypt, decrypt) take the desktop app's
single-instance lock before opening it: on Windows the file of a database a window has open
cannot be replaced. The window's lock is the app's own (QLockFile); a lock left by a killed
program is taken over; a replacement Windows refuses names who holds the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.app import lock_database
from zhiqian_desktop.services.admin import encryption, maintenance
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store import cipher, renames
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.instance_lock import DatabaseInUse, holding_database, lock_path

pytestmark = pytest.mark.gui


@pytest.fixture
def saved(sqlite_db: Database, admin: Actor, tmp_path: Path) -> Path:
    with sqlite_db.unit_of_work() as session:
        register_case(session, admin, make_case_input(), today=TODAY)
    backup = maintenance.take_backup(sqlite_db, tmp_path / "copy.db")
    sqlite_db.dispose()
    return backup


def test_restore_and_encrypt_are_refused_while_a_window_has_the_database(
    run: Any, saved: Path, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sqlite_db.path
    assert path is not None
    before = path.read_bytes()
    window = lock_database(path)
    try:
        code, _out, err = run("restore", saved, "--db", path)
        assert code == 1
        assert "正被" in err and f"进程 {os.getpid()}" in err and "关闭" in err
        monkeypatch.setenv("ZHIQIAN_NEW_PASSPHRASE", "长城-correct-horse")
        code, _out, err = run("encrypt", "--db", path)
        assert code == 1 and "正被" in err
    finally:
        window.unlock()
    assert path.read_bytes() == before
    assert run("restore", saved, "--db", path)[0] == 0  # once the window has closed
    assert not lock_path(path).exists()


def test_the_window_is_refused_while_a_command_holds_the_database(tmp_path: Path) -> None:
    path = tmp_path / "zhiqian.db"
    with holding_database(path):
        with pytest.raises(UserError, match="已在另一个窗口中打开"):
            lock_database(path)
        with pytest.raises(DatabaseInUse), holding_database(path):
            pass
    lock_database(path).unlock()


def test_a_lock_left_by_a_killed_window_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "zhiqian.db"
    code = (
        "import sys; from pathlib import Path; from PySide6.QtCore import QLockFile; "
        f"lock = QLockFile({str(lock_path(path))!r}); lock.setStaleLockTime(0); "
        "assert lock.tryLock(100); print('locked', flush=True); sys.stdin.read()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as window:
        assert window.stdout is not None
        assert window.stdout.readline().strip() == b"locked"
        with pytest.raises(DatabaseInUse), holding_database(path):
            pass
        window.kill()
        window.wait(timeout=30)
    assert lock_path(path).exists()  # left behind by the killed window
    with holding_database(path):
        pass


def test_a_replacement_windows_refuses_names_who_holds_the_file(
    sqlite_db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sqlite_db.path
    assert path is not None
    window = lock_database(path)
    monkeypatch.setattr(renames, "PAUSES", (0.001,))
    real = os.replace

    def refuse_onto_database(src: Any, dst: Any) -> None:
        if Path(dst) == path:
            exc = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。")
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        real(src, dst)

    monkeypatch.setattr(os, "replace", refuse_onto_database)
    try:
        with pytest.raises(UserError) as refused:
            encryption.change_encryption(sqlite_db, admin, "长城-correct-horse")
    finally:
        window.unlock()
        cipher.forget_all()
    message = refused.value.message
    assert f"进程 {os.getpid()}" in message and "原数据库未改动" in message
    assert cipher.is_plain(path)
    assert not Path(str(path) + ".converting").exists()
