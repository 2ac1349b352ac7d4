"""Encrypted offline kits: an SQLCipher database (keyed from the kit's passphrase) holding the whole
kit zip in 1 MB chunks, so a lost USB stick shows neither the data, the attachments, the court key
nor even the manifest. The kit database inside is encrypted with the same key: the laptop's
database stays encrypted under that passphrase."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.exchange.records import MAX_KIT_BYTES
from zhiqian_desktop.store import cipher

# --- encrypted kits --------------------------------------------------------------------------------
#
# An encrypted kit is an SQLCipher database (keyed from the kit's passphrase) holding the whole
# kit zip in 1 MB chunks, so a lost USB stick shows neither the data, the attachments, the court
# key nor even the manifest. The kit database inside is encrypted with the same key: the laptop's
# database stays encrypted under that passphrase.

ENCRYPTED_KIT_SCHEMA = "zhiqian.kit-encrypted/1"
_CHUNK = 1 << 20


def is_encrypted_kit(path: Path) -> bool:
    return not cipher.file_header(path).startswith(b"PK") and cipher.looks_encrypted(path)


class KitPassphraseRequired(cipher.PassphraseRequired):
    def __init__(self, path: Path) -> None:
        super().__init__(path, f"离线包“{path.name}”已加密，需要输入导出时设定的口令才能打开")


def _wrong_kit_passphrase(path: Path) -> cipher.WrongPassphrase:
    return cipher.WrongPassphrase(
        path,
        f"离线包口令不正确，无法打开“{path.name}”；请重新输入法院导出离线包时设定的口令"
        "（注意大小写）。若确认口令无误，该离线包可能已损坏，请让法院重新导出",
    )


def seal_kit(plain_zip: Path, dest: Path, key: str) -> None:
    """Write `plain_zip` into the new encrypted kit file `dest`."""
    conn = cipher.connect(dest, key)
    try:
        conn.execute("CREATE TABLE kit_vault (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("CREATE TABLE kit_chunk (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        digest = hashlib.sha256()
        size = 0
        with plain_zip.open("rb") as fh:
            for seq, chunk in enumerate(iter(lambda: fh.read(_CHUNK), b"")):
                conn.execute("INSERT INTO kit_chunk (seq, data) VALUES (?, ?)", (seq, chunk))
                digest.update(chunk)
                size += len(chunk)
        conn.executemany(
            "INSERT INTO kit_vault (name, value) VALUES (?, ?)",
            [("schema", ENCRYPTED_KIT_SCHEMA), ("sha256", digest.hexdigest()), ("size", str(size))],
        )
        conn.commit()
    finally:
        conn.close()
    with dest.open("rb+") as fh:
        os.fsync(fh.fileno())


def unseal_kit(kit: Path, passphrase: str, dest: Path) -> str:
    """Write the kit zip held in the encrypted kit `kit` to `dest`; returns the kit's key."""
    module = cipher.dbapi()
    key = cipher.derive_key(passphrase, cipher.file_header(kit)[: cipher.SALT_BYTES])
    if not cipher.key_opens(kit, key):
        raise _wrong_kit_passphrase(kit)
    damaged = f"加密离线包“{kit.name}”已损坏或不完整；请让法院重新导出"
    conn = cipher.connect(kit, key, read_only=True)
    try:
        try:
            meta = dict(conn.execute("SELECT name, value FROM kit_vault").fetchall())
            if meta.get("schema") != ENCRYPTED_KIT_SCHEMA:
                raise UserError(f"“{kit.name}”不是本系统的加密离线包")
            size = int(meta.get("size", "-1"))
            if not 0 < size <= MAX_KIT_BYTES:
                raise UserError(damaged)
            digest = hashlib.sha256()
            written = 0
            rows = conn.execute("SELECT seq, data FROM kit_chunk ORDER BY seq")
            with dest.open("wb") as out:
                for expected, (seq, data) in enumerate(rows):
                    if seq != expected or written + len(data) > size:
                        raise UserError(damaged)
                    out.write(data)
                    digest.update(data)
                    written += len(data)
        except (module.DatabaseError, ValueError) as exc:
            raise UserError(damaged) from exc
    finally:
        conn.close()
    if written != size or digest.hexdigest() != meta.get("sha256"):
        raise UserError(damaged)
    return key
