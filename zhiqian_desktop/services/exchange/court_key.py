"""The court key: it signs offline kits and change packages, so that only a package the court's
own kit produced is merged back. A file beside a database file; a secret in a court server."""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from pathlib import Path

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.settings import court_secret
from zhiqian_desktop.services.exchange.records import COURT_KEY
from zhiqian_desktop.services.supervision.notices import files_dir
from zhiqian_desktop.store.database import Database

# --- the court key -------------------------------------------------------------------------------


def court_key_path(db: Database) -> Path:
    """The court's signing key, in the folder of files beside the database (like audit.key)."""
    return files_dir(db) / COURT_KEY


def read_court_key(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return key if len(key) >= 16 else None


def write_court_key(path: Path, key: bytes) -> bytes:
    """Write a key once; if another process wrote one first, that one stands."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:
        if not path.exists():
            os.replace(tmp, path)
    tmp.unlink(missing_ok=True)
    stored = read_court_key(path)
    if stored is None:
        raise UserError(f"法院密钥文件“{path}”无法读取；请检查该文件或联系技术人员")
    return stored


COURT_KEY_SECRET = "court_key"
"""The court key's name among the secrets of a court server (services/settings.court_secret)."""


def court_key(db: Database) -> bytes | None:
    """The court's signing key: the file beside a database file; on a court server, a secret
    in the database (every desk must check the same signature). None when there is none yet."""
    if db.path is not None:
        return read_court_key(court_key_path(db))
    with db.reader() as session:
        return court_secret(session, COURT_KEY_SECRET)


def ensure_court_key(db: Database) -> bytes:
    if db.path is None:
        with db.unit_of_work() as session:
            key = court_secret(session, COURT_KEY_SECRET, create=True)
            if key is None:
                raise RuntimeError("the court key was not created")
            return key
    path = court_key_path(db)
    return read_court_key(path) or write_court_key(path, os.urandom(32))


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"zhiqian-court-key:" + key).hexdigest()[:16]


def sign_manifest(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()
