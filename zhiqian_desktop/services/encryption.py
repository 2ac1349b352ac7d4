"""Encryption at rest: unlocking an encrypted database, encrypting, decrypting, a new passphrase."""

from __future__ import annotations

from pathlib import Path

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.database import Database, encrypted_url, is_encrypted_url, sqlite_url

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
    from zhiqian_desktop.services.maintenance import open_app_database

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
    """
    from zhiqian_desktop.services.audit import record_event
    from zhiqian_desktop.services.maintenance import open_app_database, take_backup

    actor.require_admin()
    cipher.dbapi()
    path = _file(db)
    key = cipher.new_key(passphrase) if passphrase is not None else None
    if key is None and not is_encrypted(db):
        raise UserError(f"数据库“{path}”没有加密，无需解密")
    safety = take_backup(db, label="before-encryption")
    action = "encrypt" if key is not None else "decrypt"
    db.dispose()
    cipher.convert(path, key)
    reopened = open_app_database(encrypted_url(path) if key is not None else sqlite_url(path))
    with reopened.unit_of_work() as session:
        record_event(session, actor, action, "database", "database", after={"file": path.name})
    return reopened, safety
