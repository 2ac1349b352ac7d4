"""Encryption at rest with SQLCipher: keys derived from the passphrase, kept in memory only.

The passphrase is never stored. From it and the salt in the file's first 16 bytes the key is
derived exactly as SQLCipher 4 derives it (PBKDF2-HMAC-SHA512, 256 000 rounds, 32 bytes), so the
file also opens with the passphrase in any SQLCipher 4 tool. The app hands SQLCipher the raw key
with its salt (``x'…'``, hex only): no quoting problem whatever the passphrase holds, the slow
derivation runs once per opening instead of once per connection, and every copy (backup, export)
keyed with it gets the same salt, so the same passphrase opens it.

Keys are remembered per database file for the life of the process (``remember``); a backup or
copy written from a database is opened with the key of the database it came from (``key_for``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.file_uri import absolute, sqlite_file_uri
from zhiqian_desktop.store.instance_lock import replace_error

CIPHER_DRIVER = "pysqlcipher"
SQLITE_MAGIC = b"SQLite format 3\x00"
SALT_BYTES = 16
KDF_ITER = 256_000  # SQLCipher 4's default; changing it would lock out other SQLCipher tools
MIN_PASSPHRASE = 8

MISSING_MODULE = (
    "本机的执前督促系统没有安装数据库加密组件（sqlcipher3），无法打开或创建加密数据库；"
    '请安装带加密支持的版本（pip install "zhiqian-desktop[sqlcipher]"）后重试，'
    "或改用未加密的数据库"
)
LOST_PASSPHRASE = "口令遗失后任何人（包括信息技术人员）都无法解开数据库，请妥善保管"


class PassphraseRequired(UserError):
    """The database is encrypted and its passphrase has not been given in this process."""

    def __init__(self, path: Path, message: str | None = None) -> None:
        super().__init__(
            message
            or f"数据库“{path}”已加密，需要输入口令才能打开；"
            "命令行可设置环境变量 ZHIQIAN_PASSPHRASE，或在终端中运行以便输入口令"
        )
        self.path = path


class WrongPassphrase(UserError):
    """The passphrase does not open the file (or the file is not an encrypted database at all)."""

    def __init__(self, path: Path, message: str | None = None) -> None:
        super().__init__(
            message
            or f"口令不正确，无法打开加密数据库“{path}”；请重新输入（注意大小写、全角半角和输入法）。"
            "若确认口令无误，该文件可能已损坏，请从最近的备份恢复"
        )
        self.path = path


_module: ModuleType | None = None
_keys: dict[str, str] = {}
_lock = threading.Lock()


def dbapi() -> ModuleType:
    """The sqlcipher3 module, or a UserError telling the clerk how to get it."""
    global _module
    if _module is None:
        try:
            import sqlcipher3
        except ImportError as exc:
            raise UserError(MISSING_MODULE) from exc
        # SQLCipher writes its own errors (a wrong key: "hmac check failed") to stderr; the app
        # reports them itself, once, in Chinese.
        conn = sqlcipher3.connect(":memory:")
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
        finally:
            conn.close()
        _module = sqlcipher3
    return _module


def available() -> bool:
    try:
        dbapi()
    except UserError:
        return False
    return True


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect anything (the rule the dialogs and CLI share)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"口令至少 {MIN_PASSPHRASE} 个字符；请换一个更长的口令")
    if passphrase != passphrase.strip():
        raise UserError("口令的开头或结尾不能是空格；请重新输入")


def derive_key(passphrase: str, salt: bytes) -> str:
    """The SQLCipher key specification for `passphrase` and `salt` (hex; contains no quotes)."""
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITER, 32)
    return f"x'{key.hex()}{salt.hex()}'"


def new_key(passphrase: str) -> str:
    """A key with a fresh random salt, for a database about to be created."""
    check_passphrase(passphrase)
    return derive_key(passphrase, secrets.token_bytes(SALT_BYTES))


def _norm(path: Path) -> str:
    return os.path.normcase(str(Path(path).resolve()))


def remember(path: Path, key: str) -> None:
    with _lock:
        _keys[_norm(path)] = key


def forget(path: Path) -> None:
    with _lock:
        _keys.pop(_norm(path), None)
        _damaged.discard(_norm(path))


def forget_all() -> None:
    with _lock:
        _keys.clear()
        _damaged.clear()


def file_header(path: Path) -> bytes:
    """The first 16 bytes of a regular file (a pipe or a device is never opened: it may block)."""
    try:
        if not Path(path).is_file():
            return b""
        with Path(path).open("rb") as fh:
            return fh.read(16)
    except OSError:
        return b""


def is_plain(path: Path) -> bool:
    return file_header(path) == SQLITE_MAGIC


def looks_encrypted(path: Path) -> bool:
    """Could this be an SQLCipher database: whole pages, no SQLite header, a salt that is not
    looking random. A text file, a zeroed or a patterned file is "not a database" instead."""
    path = Path(path)
    try:
        if not path.is_file():
            return False
        size = path.stat().st_size
    except OSError:
        return False
    if size < 512 or size % 512:
        return False
    try:
        with path.open("rb") as fh:
            pages = [fh.read(4096) for _ in range(4)]
    except OSError:
        return False
    if pages[0].startswith(SQLITE_MAGIC):
        return False
    # Encrypted pages look random: no 16-byte piece of a page repeats. Text, a zeroed or
    # patterned file and most other formats repeat themselves long before that. One of the first
    # pages is enough, so an encrypted file whose first page was damaged is still recognised.
    for page in pages:
        pieces = [page[i : i + 16] for i in range(0, len(page), 16)]
        if len(pieces) >= 32 and len(set(pieces)) == len(pieces):
            return True
    return False


def _file_uri(path: Path, *, read_only: bool) -> str:
    return sqlite_file_uri(absolute(Path(path)), read_only=read_only)


def connect(path: Path, key: str, *, read_only: bool = False, timeout: float = 15) -> Any:
    """A raw sqlcipher3 connection to `path`, keyed (nothing is read yet)."""
    module = dbapi()
    conn = module.connect(_file_uri(path, read_only=read_only), uri=True, timeout=timeout)
    conn.execute(f'PRAGMA key = "{key}"')
    return conn


def key_opens(path: Path, key: str) -> bool:
    """Whether `key` decrypts the file (its first page holds the schema)."""
    module = dbapi()
    try:
        conn = connect(path, key, read_only=True)
    except module.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.DatabaseError as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            return False
        raise
    finally:
        conn.close()
    return True


def key_for(path: Path) -> str | None:
    """The key remembered for `path`, else a remembered key that opens it (a backup or copy of
    an open encrypted database carries its key and salt)."""
    with _lock:
        exact = _keys.get(_norm(path))
        others = [k for k in dict.fromkeys(_keys.values()) if k != exact]
    if exact is not None:
        return exact
    if not looks_encrypted(Path(path)):
        return None
    for key in others:
        if key_opens(path, key):
            return key
    return None


_damaged: set[str] = set()


def unlock(path: Path, passphrase: str, *, backups: Iterable[Path] = ()) -> str:
    """Check `passphrase` against the encrypted file and remember its key; WrongPassphrase if
    it opens neither the file nor any of its `backups`.

    A passphrase that opens a backup but not the file itself is right, and the file is damaged
    (its first page, or the salt in it): the key is remembered and `known_damaged` says so, so
    the clerk is offered the backup instead of being told the passphrase is wrong.
    """
    path = Path(path)
    own_salt = file_header(path)[:SALT_BYTES]
    # Only a backup made under the file's current key (same salt) vouches for the passphrase: a
    # backup from before a change of passphrase opens with the old one, which is wrong now. A
    # salt that is no longer random (zeroed by the damage) cannot be compared.
    blank = len(set(own_salt)) < 4
    others = [
        Path(b)
        for b in backups
        if Path(b).is_file() and (blank or file_header(Path(b))[:SALT_BYTES] == own_salt)
    ]
    salts: list[bytes] = []
    for candidate in (path, *others):
        salt = file_header(candidate)[:SALT_BYTES]
        if len(salt) == SALT_BYTES and salt not in salts:
            salts.append(salt)
    keys = [derive_key(passphrase, salt) for salt in salts[:3]]  # backups share the salt
    for key in keys:
        if key_opens(path, key):
            remember(path, key)
            return key
    for other in others:
        for key in keys:
            if key_opens(other, key):
                remember(path, key)
                with _lock:
                    _damaged.add(_norm(path))
                return key
    raise WrongPassphrase(path)


def known_damaged(path: Path) -> bool:
    """Whether the passphrase was confirmed by a backup because the file itself did not open."""
    with _lock:
        return _norm(path) in _damaged


def open_file(path: Path, *, read_only: bool = True, key: str | None = None) -> Any:
    """A DB-API connection to a database file, plain (sqlite3) or encrypted (sqlcipher3, with the
    remembered key). An encrypted file whose key is unknown raises PassphraseRequired."""
    path = Path(path)
    if path.exists() and not is_plain(path) and looks_encrypted(path):
        key = key or key_for(path)
        if key is None:
            raise PassphraseRequired(path)
        return connect(path, key, read_only=read_only)
    if key is not None:
        return connect(path, key, read_only=read_only)
    return sqlite3.connect(_file_uri(path, read_only=read_only), uri=True, timeout=15)


def database_errors() -> tuple[type[BaseException], ...]:
    """The DatabaseError classes of both drivers (sqlcipher3 has its own hierarchy)."""
    errors: list[type[BaseException]] = [sqlite3.DatabaseError]
    if _module is not None:
        errors.append(_module.DatabaseError)
    return tuple(errors)


def operational_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    if _module is not None:
        errors.append(_module.OperationalError)
    return tuple(errors)


# --- converting a database between plain and encrypted ------------------------------------------


def _counts(conn: Any, schema: str) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            # Virtual tables (full-text search) have no pages of their own: their shadow
            # tables, which hold the data, are counted instead.
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND rootpage > 0 "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {
        n: int(conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0]) for n in names
    }


def export_copy(source: Path, dest: Path, *, source_key: str | None, dest_key: str | None) -> None:
    """Write a copy of the database `source` to the new file `dest`, encrypted with `dest_key`
    (None: plain), through SQLCipher's sqlcipher_export; every table's row count and the copy's
    integrity are checked before returning. `dest` must not exist; on failure it is removed."""
    module = dbapi()
    if dest.exists():
        raise UserError(f"文件“{dest}”已存在；请另选位置")
    conn = (
        connect(source, source_key)
        if source_key
        else module.connect(_file_uri(source, read_only=False), uri=True, timeout=15)
    )
    try:
        try:
            conn.execute("ATTACH DATABASE ? AS target KEY ?", (str(dest), dest_key or ""))
            conn.execute("SELECT sqlcipher_export('target')")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA target.user_version = {int(version)}")
            expected, copied = _counts(conn, "main"), _counts(conn, "target")
            conn.execute("DETACH DATABASE target")
        finally:
            conn.close()
        if expected != copied:
            raise UserError(
                f"复制数据库时各表行数不一致（{expected} ≠ {copied}），原数据库未作改动"
            )
        check = open_file(dest, read_only=True, key=dest_key)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        finally:
            check.close()
        if not result or result[0] != "ok":
            raise UserError("复制出的数据库未通过完整性检查，原数据库未作改动；请检查磁盘后重试")
    except BaseException:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(dest) + suffix).unlink(missing_ok=True)
        raise


def _close_wal(path: Path, key: str | None) -> None:
    """Fold the WAL into the file and leave rollback mode, so no -wal belongs to it any more."""
    conn = open_file(path, read_only=False, key=key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def convert(
    path: Path, new_key: str | None, *, prepare: Callable[[Path], None] | None = None
) -> None:
    """Re-write the database at `path` encrypted with `new_key` (None: decrypted). The copy is
    made and verified beside it, then moved into place; no connection may be open on `path`.
    `prepare(copy)` finishes the copy before it takes the database's place (the copy is keyed
    with `new_key` meanwhile), so what it does happens with the conversion or not at all.

    Used to encrypt a database, to decrypt it, and to change its passphrase."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"数据库文件“{path}”不存在")
    old_key = None if is_plain(path) else key_for(path)
    if old_key is None and not is_plain(path):
        raise PassphraseRequired(path)
    _close_wal(path, old_key)
    tmp = path.with_name(path.name + ".converting")
    for suffix in ("", "-journal"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    export_copy(path, tmp, source_key=old_key, dest_key=new_key)
    if prepare is not None:
        if new_key is not None:
            remember(tmp, new_key)
        try:
            prepare(tmp)
        except BaseException:
            for suffix in ("", "-journal"):
                Path(str(tmp) + suffix).unlink(missing_ok=True)
            raise
        finally:
            forget(tmp)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    try:
        renames.replace(tmp, path)
    except OSError as exc:
        # Windows: a connection or another program still has the database open.
        forget(tmp)
        for suffix in ("", "-journal"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        raise replace_error(path, exc) from exc
    forget(path)
    if new_key is not None:
        remember(path, new_key)
