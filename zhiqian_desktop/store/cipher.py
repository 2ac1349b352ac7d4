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
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

from zhiqian_desktop.domain.errors import UserError

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


def forget_all() -> None:
    with _lock:
        _keys.clear()


def file_header(path: Path) -> bytes:
    try:
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
        size = path.stat().st_size
    except OSError:
        return False
    if size < 512 or size % 512:
        return False
    try:
        with path.open("rb") as fh:
            page = fh.read(4096)
    except OSError:
        return False
    if page.startswith(SQLITE_MAGIC):
        return False
    # Encrypted pages look random: no 16-byte piece of the first page repeats. Text, a zeroed
    # or truncated file and most other formats repeat themselves long before that.
    pieces = [page[i : i + 16] for i in range(0, len(page), 16)]
    return len(set(pieces)) == len(pieces)


def _file_uri(path: Path, *, read_only: bool) -> str:
    # quote() keeps "/" and escapes "#", "?" and "%", which a file: URI would otherwise misread.
    uri = f"file:{quote(Path(path).resolve().as_posix())}"
    return uri + ("?mode=ro" if read_only else "")


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


def unlock(path: Path, passphrase: str) -> str:
    """Check `passphrase` against the encrypted file and remember its key; WrongPassphrase if
    it does not open it."""
    path = Path(path)
    header = file_header(path)
    if len(header) < SALT_BYTES:
        raise WrongPassphrase(path)
    key = derive_key(passphrase, header[:SALT_BYTES])
    if not key_opens(path, key):
        raise WrongPassphrase(path)
    remember(path, key)
    return key


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
