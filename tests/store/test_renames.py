"""Antivirus on a Windows desk holds a freshly written file for a moment, so a rename of it fails
now and then with WinError 5 or 32. The failures are injected here as Windows raises them (an
OSError carrying ``winerror``); every writer puts its files in place through store/renames.py,
which waits them out a few times and then gives up."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.services.admin import encryption
from zhiqian_desktop.services.admin.maintenance import open_app_database, take_backup
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store import cipher, renames
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.files import store_bytes, write_atomically
from zhiqian_desktop.store.models import SupervisionCase
from zhiqian_desktop.store.outputs import write_output


def held(winerror: int) -> OSError:
    exc = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。")
    exc.winerror = winerror  # type: ignore[attr-defined]  # set by Python on Windows only
    return exc


class Scanner:
    """Holds every destination for its first ``holds`` renames onto it."""

    def __init__(self, holds: int) -> None:
        self.holds = holds
        self.refused: Counter[str] = Counter()

    def wrap(self, real: Callable[..., None]) -> Callable[..., None]:
        def move(src: object, dst: object, *args: object, **kwargs: object) -> None:
            name = os.fspath(dst)  # type: ignore[call-overload]
            if self.refused[name] < self.holds:
                self.refused[name] += 1
                raise held(32 if self.refused[name] % 2 else 5)
            real(src, dst, *args, **kwargs)

        return move


@pytest.fixture
def scanner(monkeypatch: pytest.MonkeyPatch) -> Iterator[Scanner]:
    monkeypatch.setattr(renames, "PAUSES", (0.001,) * len(renames.PAUSES))
    found = Scanner(holds=2)
    monkeypatch.setattr(os, "replace", found.wrap(os.replace))
    monkeypatch.setattr(os, "rename", found.wrap(os.rename))
    yield found
    cipher.forget_all()


def test_a_held_file_is_renamed_once_the_scanner_lets_go(scanner: Scanner, tmp_path: Path) -> None:
    target = tmp_path / "通知书.pdf"
    write_atomically(target, b"%PDF-1.7 contents")
    assert target.read_bytes() == b"%PDF-1.7 contents"
    assert scanner.refused[str(target)] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["通知书.pdf"]  # no temporary file left


def test_a_file_held_for_good_fails_after_the_bounded_retries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(renames, "PAUSES", (0.001,) * len(renames.PAUSES))
    always = Scanner(holds=1000)
    monkeypatch.setattr(os, "replace", always.wrap(os.replace))
    target = tmp_path / "held.pdf"
    with pytest.raises(PermissionError) as raised:
        renames.replace(tmp_path / "new.pdf", target)
    assert renames.held_by_another_program(raised.value)
    assert always.refused[str(target)] == len(renames.PAUSES) + 1


def test_other_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[object] = []

    def missing(src: object, dst: object) -> None:
        calls.append(dst)
        raise FileNotFoundError(2, "No such file")

    monkeypatch.setattr(os, "replace", missing)
    with pytest.raises(FileNotFoundError):
        renames.replace(tmp_path / "a", tmp_path / "b")
    assert len(calls) == 1


def test_stored_files_outputs_backups_and_encryption_get_through_a_scanner(
    scanner: Scanner, sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    with sqlite_db.unit_of_work() as session:
        register_case(session, admin, make_case_input(), today=TODAY)
    database = sqlite_db.path
    assert database is not None
    root = tmp_path / "files"
    _sha, stored = store_bytes(root, b"attachment")
    assert stored.read_bytes() == b"attachment"
    exported = write_output(tmp_path / "导出.csv", b"a,b\n", force=True)
    assert exported.read_bytes() == b"a,b\n"
    backup = take_backup(sqlite_db, label="manual")
    assert backup.is_file()
    encrypted, _safety = encryption.change_encryption(sqlite_db, admin, "口令 correct horse")
    try:
        with encrypted.reader() as session:
            assert session.scalar(select(func.count()).select_from(SupervisionCase)) == 1
    finally:
        encrypted.dispose()
    held_targets = {Path(name).name for name in scanner.refused}
    assert {stored.name, "导出.csv", backup.name, database.name} <= held_targets
    reopened = open_app_database(encrypted.url)
    reopened.dispose()
