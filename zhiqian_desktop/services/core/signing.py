"""The court's signing key (Ed25519): it signs what leaves the court as evidence — the manifest
of a transfer package, the manifest of an offline kit — so that whoever holds the court's public
key can tell the court's package from an edited one.

The private key never leaves the court's data: beside a database file it is ``signing.key`` in the
folder of files (0600, like ``audit.key``); on a court server it is a secret in the database, which
every desk needs to sign with. The public key is exported with ``zhiqian export-public-key`` and
its fingerprint is printed on every transfer letter.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.settings import court_secret
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.outputs import write_output
from zhiqian_desktop.store.private import write_once

ALGORITHM = "Ed25519"
KEY_FILE = "signing.key"
SECRET_NAME = "signing_key"
"""The signing key's name among the secrets of a court server (services/core/settings.py)."""


def key_path(database: Path) -> Path:
    return attachments_dir(database) / KEY_FILE


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_pem(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"签名密钥“{where}”已损坏；请从备份中取回数据库旁的附件文件夹，或联系技术人员"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"“{where}”不是本系统的签名密钥；请联系技术人员")
    return key


def read_key_file(path: Path) -> Ed25519PrivateKey | None:
    """A private key kept in a file (the court's beside its database, a kit's on the laptop)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(f"签名密钥“{path}”无法读取（{exc}）；请检查该文件的权限") from exc
    return load_private_pem(data, str(path))


def write_key_file(path: Path, key: Ed25519PrivateKey) -> Ed25519PrivateKey:
    """Write a key once (0600); if another process wrote one first, that one stands."""
    write_once(path, private_pem(key))
    stored = read_key_file(path)
    if stored is None:
        raise UserError(f"签名密钥“{path}”未能写入；请检查磁盘空间和权限")
    return stored


def signing_key(db: Database, *, create: bool = False) -> Ed25519PrivateKey | None:
    """The court's private key; ``create`` makes it on first use. None when there is none yet."""
    path = db.path
    if path is not None:
        key = read_key_file(key_path(path))
        if key is None and create:
            key = write_key_file(key_path(path), Ed25519PrivateKey.generate())
        return key
    if create:
        with db.unit_of_work() as session:
            seed = court_secret(session, SECRET_NAME, create=True)
    else:
        with db.reader() as session:
            seed = court_secret(session, SECRET_NAME)
    if seed is None:
        return None
    return Ed25519PrivateKey.from_private_bytes(seed[:32])


def court_signing_key(db: Database) -> Ed25519PrivateKey:
    """The court's private key, made on first use."""
    key = signing_key(db, create=True)
    if key is None:
        raise RuntimeError("the court's signing key was not created")
    return key


@dataclass(frozen=True)
class ExportedKey:
    pem: bytes
    fingerprint: str
    path: Path | None
    """Where it was written (None: the caller shows ``pem``)."""


def export_public_key(db: Database, dest: Path | None, *, force: bool = False) -> ExportedKey:
    """The court's public key (made on first use) as PEM, written to ``dest`` when given, as
    every output is written (store/outputs.py: never onto a database or the app's folders; an
    existing file only with ``force``)."""
    public = court_signing_key(db).public_key()
    pem = public_pem(public)
    written = write_output(dest, pem, force=force) if dest is not None else None
    return ExportedKey(pem, fingerprint(public), written)


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def court_public_key(db: Database) -> Ed25519PublicKey | None:
    key = signing_key(db)
    return key.public_key() if key is not None else None


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_hex(key: Ed25519PublicKey) -> str:
    return raw_public(key).hex()


def public_from_hex(text: str) -> Ed25519PublicKey | None:
    """A public key as stored in a row or a manifest; None when it is not one."""
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except (ValueError, TypeError):
        return None


def seed_hex(key: Ed25519PrivateKey) -> str:
    """The private key as a court server keeps it among its secrets."""
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return raw.hex()


def load_public_pem(data: bytes, where: str) -> Ed25519PublicKey:
    """A public key file as ``export-public-key`` writes it; UserError for anything else."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"“{where}”不是公钥文件；请用法院 zhiqian export-public-key 导出的文件"
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise UserError(f"“{where}”不是本系统的公钥（应为 Ed25519）；请用法院导出的公钥文件")
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """What a person compares: SHA-256 of the raw public key, 32 hex digits in groups of four."""
    digest = hashlib.sha256(raw_public(key)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify(key: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
