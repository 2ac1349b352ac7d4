"""Encrypted databases (SQLCipher): created, reopened, refused with a wrong passphrase, backed up
encrypted, restored; backups into awkward folder names; leftovers of a killed backup."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.conftest import SETUP, TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.backup import backup_name, backup_to, remove_leftovers, restore_from
from zhiqian_desktop.store.database import Database, open_database
from zhiqian_desktop.store.engine import DamagedDatabase, encrypted_url, sqlite_url
from zhiqian_desktop.store.locations import backups_dir
from zhiqian_desktop.store.models import SupervisionCase

pytest.importorskip("sqlcipher3", reason="encryption needs the sqlcipher extra")

PASSPHRASE = 'court "secret" 口令'
OBLIGOR = "乌兰巴特尔"


@pytest.fixture(autouse=True)
def _no_keys() -> Iterator[None]:
    cipher.forget_all()
    yield
    cipher.forget_all()


def create_encrypted(path: Path, cases: int = 3) -> Database:
    cipher.remember(path, cipher.new_key(PASSPHRASE))
    db = maintenance.open_app_database(encrypted_url(path))
    with db.unit_of_work() as s:
        settings_service.initialize(s, SETUP)
    with db.reader() as s:
        admin = default_actor(s)
    with db.unit_of_work() as s:
        for n in range(1, cases + 1):
            register_case(s, admin, make_case_input(n, obligor=OBLIGOR), today=TODAY)
    return db


def case_count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(SupervisionCase)) or 0)


def assert_unreadable(path: Path) -> None:
    raw = path.read_bytes()
    assert b"SQLite format 3" not in raw
    assert OBLIGOR.encode() not in raw
    assert SETUP.court_name.encode() not in raw


def test_an_encrypted_database_reveals_nothing_and_reopens_with_its_passphrase(
    tmp_path: Path,
) -> None:
    path = tmp_path / "docket.db"
    db = create_encrypted(path)
    assert db.url.startswith("sqlite+pysqlcipher:///")
    assert db.engine.url.get_driver_name() == "pysqlcipher"
    with db.reader() as s:
        # The pragmas of a plain file apply equally.
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2
        assert s.execute(text("PRAGMA cipher_version")).scalar()
    db.dispose()
    for companion in (path, Path(f"{path}-wal")):
        if companion.exists():
            assert_unreadable(companion)
    # The plain SQLite driver cannot read it.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()

    cipher.forget_all()
    with pytest.raises(cipher.PassphraseRequired):
        open_database(sqlite_url(path))
    with pytest.raises(cipher.WrongPassphrase, match="口令不正确"):
        cipher.unlock(path, PASSPHRASE.upper())
    cipher.unlock(path, PASSPHRASE)
    reopened = maintenance.open_app_database(sqlite_url(path))
    try:
        assert reopened.url == encrypted_url(path)
        assert case_count(reopened) == 3
    finally:
        reopened.dispose()


def test_the_passphrase_and_its_key_appear_in_no_url_or_message(tmp_path: Path) -> None:
    path = tmp_path / "docket.db"
    db = create_encrypted(path, cases=0)
    key = cipher.key_for(path)
    assert key is not None
    hexpart = key[2:-1]
    shown = [db.url, db.location, str(db.engine.url), repr(db.engine.url), repr(db)]
    shown.append(db.engine.url.render_as_string(hide_password=False))
    for text_ in shown:
        assert PASSPHRASE not in text_ and hexpart not in text_
    db.dispose()
    cipher.forget_all()
    with pytest.raises(cipher.WrongPassphrase) as refused:
        cipher.unlock(path, "wrong passphrase")
    assert refused.value.message and "wrong passphrase" not in refused.value.message


def test_a_wrong_passphrase_is_not_called_damage_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "docket.db"
    create_encrypted(path, cases=1).dispose()
    before = path.read_bytes()
    cipher.forget_all()
    cipher.remember(path, cipher.derive_key("not the passphrase", before[:16]))
    with pytest.raises(cipher.WrongPassphrase) as caught:
        maintenance.open_app_database(sqlite_url(path))
    assert not isinstance(caught.value, DamagedDatabase)
    assert "恢复" in caught.value.message  # names the way out if the passphrase is certain
    assert path.read_bytes() == before


def test_a_random_file_is_still_damaged_not_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"\x00" * 8192)
    with pytest.raises(DamagedDatabase):
        open_database(sqlite_url(path))


def test_backups_of_an_encrypted_database_are_encrypted_verified_and_restore(
    tmp_path: Path,
) -> None:
    path = tmp_path / "docket.db"
    db = create_encrypted(path, cases=2)
    backup = maintenance.take_backup(db)
    assert_unreadable(backup)
    # The same passphrase opens the backup (same key and salt), in any SQLCipher tool.
    conn = cipher.connect(backup, cipher.derive_key(PASSPHRASE, backup.read_bytes()[:16]))
    assert conn.execute("SELECT count(*) FROM supervision_case").fetchone()[0] == 2
    conn.close()

    with db.reader() as s:
        admin = default_actor(s)
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(9, obligor=OBLIGOR), today=TODAY)
    assert case_count(db) == 3
    safety = maintenance.restore(db, backup)
    assert_unreadable(safety)
    reopened = maintenance.open_app_database(db.url)
    try:
        assert case_count(reopened) == 2
        assert maintenance.check(reopened).ok
    finally:
        reopened.dispose()
    assert_unreadable(path)


def test_a_damaged_encrypted_database_is_replaced_by_its_newest_good_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "docket.db"
    db = create_encrypted(path, cases=2)
    maintenance.take_backup(db)
    db.dispose()
    good = maintenance.newest_good_backup(path)
    assert good is not None
    aside = maintenance.restore_damaged(path, good.path)
    assert aside.exists()
    reopened = maintenance.open_app_database(sqlite_url(path))
    try:
        assert case_count(reopened) == 2
    finally:
        reopened.dispose()
    assert_unreadable(path)


def test_an_encrypted_backup_is_refused_for_a_plain_database_and_the_reverse(
    tmp_path: Path,
) -> None:
    encrypted = create_encrypted(tmp_path / "secret.db", cases=1)
    secret_backup = maintenance.take_backup(encrypted, tmp_path / "secret-backup.db")
    plain = maintenance.open_app_database(sqlite_url(tmp_path / "plain.db"))
    plain_backup = maintenance.take_backup(plain, tmp_path / "plain-backup.db")
    with pytest.raises(UserError, match="没有加密"):
        restore_from(secret_backup, tmp_path / "plain.db")
    with pytest.raises(UserError, match="没有加密"):
        restore_from(plain_backup, tmp_path / "secret.db")
    encrypted.dispose()
    plain.dispose()


def test_a_backup_of_another_passphrase_is_refused(tmp_path: Path) -> None:
    first = create_encrypted(tmp_path / "a.db", cases=1)
    backup = maintenance.take_backup(first, tmp_path / "a-backup.db")
    first.dispose()
    cipher.forget_all()
    other_path = tmp_path / "b.db"
    cipher.remember(other_path, cipher.new_key("another passphrase"))
    other = maintenance.open_app_database(encrypted_url(other_path))
    with pytest.raises(UserError, match="口令"):
        maintenance.restore(other, backup)
    other.dispose()


@pytest.mark.parametrize("folder", ["备份#1", "what?", "100%", "a b#c?d%e"])
def test_backup_and_restore_in_folders_with_uri_characters(tmp_path: Path, folder: str) -> None:
    base = tmp_path / folder
    base.mkdir()
    source = base / "docket.db"
    db = maintenance.open_app_database(sqlite_url(tmp_path / "start.db"))
    with db.unit_of_work() as s:
        settings_service.initialize(s, SETUP)
    db.dispose()
    restore_from(
        backup_to(tmp_path / "start.db", base / "first.db"), source
    )  # restore into such a folder
    dest = backup_to(source, base / "backups" / backup_name(datetime(2026, 11, 25, 9)))
    assert dest.exists() and dest.read_bytes()[:16] == b"SQLite format 3\x00"
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT court_name FROM court_settings").fetchone()[0] == SETUP.court_name
    conn.close()
    target = base / "restored.db"
    restore_from(dest, target)
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT court_code FROM court_settings").fetchone()[0] == SETUP.court_code
    conn.close()


def test_encrypted_backup_in_a_folder_with_uri_characters(tmp_path: Path) -> None:
    base = tmp_path / "卷#1%"  # "?" cannot be in a database URL at all (SQLAlchemy)
    base.mkdir()
    db = create_encrypted(base / "docket.db", cases=1)
    written = maintenance.take_backup(db)
    assert written.parent == backups_dir(base / "docket.db")
    assert_unreadable(written)
    db.dispose()


def test_leftovers_of_a_killed_backup_are_removed_by_the_next_one(tmp_path: Path) -> None:
    db = maintenance.open_app_database(sqlite_url(tmp_path / "docket.db"))
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = backup_name(datetime(2026, 11, 24, 9), "auto") + ".part"
    leftovers = [folder / stale, folder / (stale + "-journal")]
    for leftover in leftovers:
        leftover.write_bytes(b"half a backup")
    old = (datetime.now() - timedelta(hours=2)).timestamp()
    import os

    for leftover in leftovers:
        os.utime(leftover, (old, old))
    fresh = folder / (backup_name(datetime(2026, 11, 25, 9), "auto") + ".part-journal")
    fresh.write_bytes(b"a backup being written right now")
    unrelated = folder / "notes.part-journal"
    unrelated.write_bytes(b"not ours")
    os.utime(unrelated, (old, old))

    written = maintenance.take_backup(db, folder)
    assert written.exists()
    assert not any(p.exists() for p in leftovers)
    assert fresh.exists() and unrelated.exists()
    assert remove_leftovers(folder, older_than=timedelta(0)) == [fresh]
    db.dispose()


def test_without_sqlcipher3_an_encrypted_database_gets_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "docket.db"
    create_encrypted(path, cases=0).dispose()
    cipher.forget_all()
    real_import = builtins.__import__

    def no_sqlcipher(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("sqlcipher3"):
            raise ImportError("No module named 'sqlcipher3'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(cipher, "_module", None)
    monkeypatch.setattr(builtins, "__import__", no_sqlcipher)
    assert not cipher.available()
    with pytest.raises(UserError, match="sqlcipher3") as caught:
        maintenance.open_app_database(sqlite_url(path))
    assert not isinstance(caught.value, DamagedDatabase)
    assert "加密" in caught.value.message
    with pytest.raises(UserError, match="sqlcipher3"):
        cipher.new_key(PASSPHRASE) and maintenance.open_app_database(
            encrypted_url(tmp_path / "new.db")
        )


def test_converting_a_database_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "docket.db"
    db = maintenance.open_app_database(sqlite_url(path))
    with db.unit_of_work() as s:
        settings_service.initialize(s, SETUP)
    with db.reader() as s:
        admin = default_actor(s)
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1, obligor=OBLIGOR), today=TODAY)
    db.dispose()
    assert OBLIGOR.encode() in path.read_bytes()  # dispose() checkpointed the WAL
    cipher.convert(path, cipher.new_key(PASSPHRASE))
    assert not Path(f"{path}-wal").exists()
    assert_unreadable(path)
    cipher.forget_all()
    cipher.unlock(path, PASSPHRASE)
    reopened = maintenance.open_app_database(sqlite_url(path))
    assert case_count(reopened) == 1
    assert maintenance.check(reopened).ok
    reopened.dispose()
    cipher.convert(path, None)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    plain = maintenance.open_app_database(sqlite_url(path))
    assert plain.url.startswith("sqlite:///")
    assert case_count(plain) == 1
    plain.dispose()


def test_passphrase_rules() -> None:
    with pytest.raises(UserError, match="至少"):
        cipher.check_passphrase("short")
    with pytest.raises(UserError, match="空格"):
        cipher.check_passphrase(" leading space")
    cipher.check_passphrase("八个汉字的口令啊")


def test_an_older_encrypted_database_is_backed_up_encrypted_and_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.store.test_migrations import install_newer_scripts
    from zhiqian_desktop.store import migrations
    from zhiqian_desktop.store.backup import list_backups

    path = tmp_path / "older.db"
    create_encrypted(path, cases=1).dispose()
    old_head = install_newer_scripts(tmp_path, monkeypatch)
    cipher.forget_all()
    cipher.unlock(path, PASSPHRASE)
    db = maintenance.open_app_database(sqlite_url(path))
    try:
        assert migrations.current_revision(db.engine) == "9000_add_note_column"
        assert case_count(db) == 1
    finally:
        db.dispose()
    assert_unreadable(path)
    (taken,) = list_backups(backups_dir(path))
    assert taken.path.name.endswith("-before-migration.db")
    assert_unreadable(taken.path)
    conn = cipher.connect(taken.path, cipher.derive_key(PASSPHRASE, taken.path.read_bytes()[:16]))
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(old_head,)]
    finally:
        conn.close()


@pytest.mark.parametrize("keep_salt", [True, False], ids=["page-damaged", "salt-damaged"])
def test_a_passphrase_that_opens_only_the_backups_means_the_file_is_damaged(
    tmp_path: Path, keep_salt: bool
) -> None:
    from zhiqian_desktop.services.admin import encryption

    path = tmp_path / "docket.db"
    db = create_encrypted(path, cases=2)
    maintenance.take_backup(db)
    db.dispose()
    raw = bytearray(path.read_bytes())
    start = 16 if keep_salt else 0
    raw[start:4096] = bytes(4096 - start)
    path.write_bytes(bytes(raw))
    cipher.forget_all()

    with pytest.raises(cipher.WrongPassphrase):
        encryption.unlock(path, "not the passphrase")
    encryption.unlock(path, PASSPHRASE)
    with pytest.raises(DamagedDatabase, match="备份"):
        maintenance.open_app_database(sqlite_url(path))
    good = maintenance.newest_good_backup(path)
    assert good is not None
    maintenance.restore_damaged(path, good.path)
    reopened = maintenance.open_app_database(sqlite_url(path))
    try:
        assert case_count(reopened) == 2
    finally:
        reopened.dispose()
