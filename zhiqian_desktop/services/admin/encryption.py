"""Encryption at rest: unlocking an encrypted database, encrypting, decrypting, a new passphrase."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import record_event
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import encrypted_url, file_engine, is_encrypted_url, sqlite_url
from zhiqian_desktop.store.files import FileStore, FolderStore, file_store_for
from zhiqian_desktop.store.models import StoredFile

MIN_PASSPHRASE = cipher.MIN_PASSPHRASE
LOST_PASSPHRASE = cipher.LOST_PASSPHRASE
PassphraseRequired = cipher.PassphraseRequired
WrongPassphrase = cipher.WrongPassphrase
check_passphrase = cipher.check_passphrase
available = cipher.available


RECENT_BACKUPS = 5


def unlock(path: Path, passphrase: str) -> None:
    """Check the passphrase of the encrypted database at `path` and keep its key for this run;
    WrongPassphrase (a UserError) when it opens neither the file nor its recent backups (a
    passphrase that opens only a backup means the file is damaged: opening it then says so)."""
    from zhiqian_desktop.store.backup import list_backups
    from zhiqian_desktop.store.locations import backups_dir

    cipher.dbapi()
    recent = [b.path for b in list_backups(backups_dir(path))[:RECENT_BACKUPS]]
    cipher.unlock(path, passphrase, backups=recent)


def is_encrypted(db: Database) -> bool:
    return is_encrypted_url(db.url)


def _file(db: Database) -> Path:
    path = db.path
    if path is None:
        raise UserError("加密只适用于本机数据库文件；服务器数据库的加密请由信息技术人员配置")
    return path


def encrypt_new_database(db: Database, passphrase: str) -> Database:
    """First start: the just-created database becomes an encrypted one before anything of the
    court is written into it. `db` is closed; the returned database is open on the same file."""
    from zhiqian_desktop.services.admin.maintenance import open_app_database

    cipher.dbapi()
    key = cipher.new_key(passphrase)
    path = _file(db)
    db.dispose()
    cipher.convert(path, key)
    return open_app_database(encrypted_url(path))


def change_encryption(db: Database, actor: Actor, passphrase: str | None) -> tuple[Database, Path]:
    """Encrypt the database with `passphrase` (also: give an encrypted one a new passphrase),
    or decrypt it (`passphrase` None). An administrator's action.

    A verified backup is taken first (in the database's current form: an encrypted database's
    backup stays encrypted with the old passphrase). Returns the reopened database and that
    backup's path. `db` is closed.

    An encrypted database keeps its attachments and issued PDFs inside itself, a plain file in
    the folder beside it (store/files.py): they move into (or out of) the converted copy before
    it takes the database's place, so a conversion interrupted at any moment leaves the old
    database with its files or the new one with its files.
    """
    from zhiqian_desktop.services.admin.maintenance import open_app_database, take_backup
    from zhiqian_desktop.services.admin.server_copy import named_files

    actor.require_admin()
    cipher.dbapi()
    path = _file(db)
    key = cipher.new_key(passphrase) if passphrase is not None else None
    if key is None and not is_encrypted(db):
        raise UserError(f"数据库“{path}”没有加密，无需解密")
    before = db.files
    new_url = encrypted_url(path) if key is not None else sqlite_url(path)
    after = file_store_for(new_url)
    moving: list[str] = []
    if before.in_database != after.in_database:
        _check_files(db, before)
        with db.reader() as session:
            moving = named_files(session)
    safety = take_backup(db, label="before-encryption")
    action = "encrypt" if key is not None else "decrypt"
    db.dispose()
    moved: list[int] = []
    cipher.convert(
        path, key, prepare=lambda copy: moved.append(_carry(copy, moving, before, after))
    )
    reopened = open_app_database(new_url)
    with reopened.unit_of_work() as session:
        record_event(
            session,
            actor,
            action,
            "database",
            "database",
            after={"file": reopened.location, "files_moved": sum(moved)},
        )
    if isinstance(before, FolderStore):
        # Inside the encrypted database now: the plain copies beside it go.
        for sha in moving:
            before.path(sha).unlink(missing_ok=True)
    return reopened, safety


def _check_files(db: Database, store: FileStore) -> None:
    """Every file to be moved is readable and intact, before anything is converted."""
    from zhiqian_desktop.services.admin.server_copy import named_files

    with db.reader() as session:
        for sha in named_files(session):
            payload = store.read(session, sha)
            if payload is not None and hashlib.sha256(payload).hexdigest() != sha:
                raise UserError(
                    f"附件或文书文件 {store.where(sha)} 与其校验值不符（已被改动或损坏），"
                    "数据库未作任何改动；请先从备份找回该文件后重试"
                )


def _carry(copy: Path, shas: list[str], before: FileStore, after: FileStore) -> int:
    """Move the files named by the database from where it kept them (`before`) to where the
    converted copy at `copy` keeps them (`after`): into its file table, or out of it into the
    folder (written and flushed before the copy takes the database's place), each checked by
    its SHA-256. Returns how many were moved; a file already missing stays missing."""
    from zhiqian_desktop.services.admin.server_copy import copy_files

    if not shas:
        return 0
    engine = file_engine(copy)
    try:
        with engine.begin() as conn, Session(bind=conn) as session:
            copied = copy_files(session, shas, before, conn, after, [], lambda _n, _t: None)
            if before.in_database:
                conn.execute(delete(StoredFile))
    finally:
        engine.dispose()
    return copied.rows
