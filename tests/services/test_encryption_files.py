"""Encrypting or decrypting a database moves its attachments and issued PDFs with it: inside the
encrypted database (none left readable beside it), back to the folder when decrypted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.services.admin import encryption
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import attachments, notices
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.files import FolderStore
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.models import StoredFile

pytest.importorskip("sqlcipher3", reason="encryption needs the sqlcipher extra")

PASSPHRASE = "长城-correct-horse"
SECRET = b"%PDF-1.4 bank statement of the obligor, account 6222 0212 3456 7890 " * 20


@pytest.fixture(autouse=True)
def _no_keys() -> Iterator[None]:
    cipher.forget_all()
    yield
    cipher.forget_all()


def with_files(db: Database, admin: Actor, tmp_path: Path) -> list[str]:
    scan = tmp_path / "statement.pdf"
    scan.write_bytes(SECRET)
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        attachments.attach_file(
            s, admin, case_id=case_id, owner_kind="case", owner_id=case_id, source=scan
        )
        issued = notices.issue_notice(s, admin, case_id, DocumentKind.URGING, today=TODAY)
    return [hashlib.sha256(SECRET).hexdigest(), issued.pdf_sha256]


def stored_rows(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(StoredFile)) or 0)


def test_encrypting_moves_the_files_inside_and_decrypting_moves_them_back(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    shas = with_files(sqlite_db, admin, tmp_path)
    path = sqlite_db.path
    assert path is not None
    folder = FolderStore(attachments_dir(path))
    assert all(folder.path(sha).is_file() for sha in shas)

    encrypted, _backup = encryption.change_encryption(sqlite_db, admin, PASSPHRASE)
    try:
        assert encrypted.files.in_database
        with encrypted.reader() as s:
            assert encrypted.files.read(s, shas[0]) == SECRET
            assert encrypted.files.read(s, shas[1]) is not None
        assert stored_rows(encrypted) == 2
        assert not any(folder.path(sha).exists() for sha in shas)
        for leftover in attachments_dir(path).rglob("*"):
            if leftover.is_file():
                assert SECRET[:40] not in leftover.read_bytes(), leftover
        assert SECRET[:40] not in path.read_bytes()

        plain, _ = encryption.change_encryption(encrypted, admin, None)
    finally:
        encrypted.dispose()
    try:
        assert not plain.files.in_database
        assert folder.path(shas[0]).read_bytes() == SECRET
        assert folder.path(shas[1]).is_file()
        assert stored_rows(plain) == 0
    finally:
        plain.dispose()


def test_a_damaged_file_stops_the_encryption_before_anything_changes(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    shas = with_files(sqlite_db, admin, tmp_path)
    path = sqlite_db.path
    assert path is not None
    FolderStore(attachments_dir(path)).path(shas[0]).write_bytes(b"tampered")
    with pytest.raises(UserError, match="校验值不符"):
        encryption.change_encryption(sqlite_db, admin, PASSPHRASE)
    assert cipher.is_plain(path)
