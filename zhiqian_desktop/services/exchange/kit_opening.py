"""Opening an offline kit on the tribunal's laptop: the kit's database becomes the laptop's, its
files go into the laptop's store, and case numbers then come from the kit's block only
(services/intake/case_numbers.py)."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import audit, signing
from zhiqian_desktop.services.core.actor import SYSTEM
from zhiqian_desktop.services.exchange.package_reader import copy_member, open_package, refusal
from zhiqian_desktop.services.exchange.records import (
    FILE_MEMBER,
    KIT_DB,
    KIT_KEY,
    KIT_SCHEMA,
    MANIFEST,
    MAX_KIT_BYTES,
    SHA256_HEX,
    ProgressFn,
    report_progress,
)
from zhiqian_desktop.services.exchange.sealed_kits import (
    KitPassphraseRequired,
    is_encrypted_kit,
    unseal_kit,
)
from zhiqian_desktop.services.supervision.templates import take_in_court_files
from zhiqian_desktop.store import cipher, renames
from zhiqian_desktop.store.archives import PackageRefused, safe_name
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.files import FileStore, FolderStore
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.models import (
    OfflineKit,
)
from zhiqian_desktop.store.outputs import check_output_folder
from zhiqian_desktop.store.private import DIR_MODE
from zhiqian_desktop.store.seals import reseal_all

# --- opening a kit on the laptop -----------------------------------------------------------------

KIT_FOLDER = "kit"
BASE_DB = "base.db"
DB_NAME = "zhiqian.db"


def kit_folder(database: Path) -> Path:
    """Where a kit database keeps the kit's original copy (the merge base) and its manifest."""
    return attachments_dir(database) / KIT_FOLDER


def open_kit(
    kit: Path,
    dest_dir: Path,
    *,
    progress: ProgressFn | None = None,
    passphrase: str | None = None,
    force: bool = False,
) -> Path:
    """Unpack an offline kit into ``dest_dir`` as the database of a fresh install; returns the
    database path. Everything is checked first and unpacked under a temporary name, so a refused
    or broken kit leaves nothing behind.

    ``dest_dir`` is a new or empty folder; with ``force`` a folder holding other files will do
    (a database already there is never replaced). An encrypted kit needs ``passphrase``
    (KitPassphraseRequired without, WrongPassphrase for a wrong one); its database stays
    encrypted under the same passphrase."""
    kit = Path(kit)
    dest_dir = check_kit_folder(dest_dir, force=force)
    created = not dest_dir.exists()
    try:
        return _open_kit_into(kit, dest_dir, progress=progress, passphrase=passphrase)
    except BaseException:
        # A refused kit leaves nothing behind, not even the folder made for it.
        if created and dest_dir.is_dir() and not any(dest_dir.iterdir()):
            dest_dir.rmdir()
        raise


def check_kit_folder(dest_dir: Path, *, force: bool = False) -> Path:
    """Where a kit may be opened: a new or empty folder, not one of the app's own (with
    ``force`` a folder holding other files); its absolute path."""
    return check_output_folder(dest_dir, force=force, what="离线包")


def _open_kit_into(
    kit: Path, dest_dir: Path, *, progress: ProgressFn | None, passphrase: str | None
) -> Path:
    if kit.is_file() and is_encrypted_kit(kit):
        if passphrase is None:
            raise KitPassphraseRequired(kit)
        dest_dir.mkdir(mode=DIR_MODE, exist_ok=True)
        inner = dest_dir / f".kit-unsealed-{uuid.uuid4().hex[:8]}.zip"
        try:
            key = unseal_kit(kit, passphrase, inner)
            return _open_kit(inner, dest_dir, progress=progress, key=key)
        finally:
            inner.unlink(missing_ok=True)
    return _open_kit(kit, dest_dir, progress=progress, key=None)


def _take_in_kit_files(session: Session, store: FileStore, database: Path) -> None:
    """An encrypted laptop database keeps its files inside itself (store/files.py): move the
    kit's files out of the folder they were unpacked to, so none stays readable on the disk."""
    if isinstance(store, FolderStore):
        return
    folder = attachments_dir(database)
    unpacked = [p for p in folder.glob("??/*") if p.is_file() and SHA256_HEX.match(p.name)]
    for path in unpacked:
        store.put_bytes(session, path.read_bytes())
    session.flush()
    for path in unpacked:
        path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()


def _open_kit(kit: Path, dest_dir: Path, *, progress: ProgressFn | None, key: str | None) -> Path:
    dest_dir.mkdir(mode=DIR_MODE, exist_ok=True)
    database = dest_dir / DB_NAME
    if database.exists() or attachments_dir(database).exists():
        raise UserError(f"“{dest_dir}”中已有数据库；离线包只能在新的空文件夹中打开")
    report_progress(progress, 0, 0, "正在核对离线包")
    try:
        package = open_package(
            kit,
            schema=KIT_SCHEMA,
            max_bytes=MAX_KIT_BYTES,
            max_unpacked=MAX_KIT_BYTES,
            key=_stated_court_key,
        )
    except PackageRefused as exc:
        raise refusal(exc, "离线包") from exc
    work = dest_dir / f".kit-partial-{uuid.uuid4().hex[:8]}"
    try:
        work.mkdir(mode=DIR_MODE)
        files = work / attachments_dir(database).name
        names = sorted(package.files)
        for n, name in enumerate(names, 1):
            sha = package.files[name]["sha256"]
            if name == KIT_DB:
                copy_member(package.reader, name, work / DB_NAME, sha)
                # The kit as it came from the court: the base a change package is measured from.
                (files / KIT_FOLDER).mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                shutil.copyfile(work / DB_NAME, files / KIT_FOLDER / BASE_DB)
            elif name == KIT_KEY:
                copy_member(package.reader, name, files / KIT_KEY, sha)
            elif m := FILE_MEMBER.match(name):
                if m[2] != sha or m[1] != sha[:2]:
                    raise PackageRefused(f"“{name}”的名称与其校验值不符")
                copy_member(package.reader, name, files / m[1] / m[2], sha)
            elif name.startswith("templates/") and name.count("/") == 1:
                # A kit from an earlier version, when the court's templates were files.
                leaf = safe_name(name.split("/", 1)[1])
                copy_member(package.reader, name, files / KIT_FOLDER / "templates" / leaf, sha)
            else:
                raise PackageRefused(f"离线包内有不认识的文件“{name}”")
            report_progress(progress, n, len(names), "正在解开离线包")
        (files / KIT_FOLDER).mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        (files / KIT_FOLDER / MANIFEST).write_bytes(package.raw_manifest)
        renames.replace(work / DB_NAME, database)
        renames.replace(files, attachments_dir(database))
    except PackageRefused as exc:
        database.unlink(missing_ok=True)
        raise refusal(exc, "离线包") from exc
    except BaseException:
        database.unlink(missing_ok=True)
        raise
    finally:
        package.reader.close()
        shutil.rmtree(work, ignore_errors=True)
    if key is not None:
        cipher.remember(database, key)
    elif not cipher.is_plain(database):
        database.unlink(missing_ok=True)
        shutil.rmtree(attachments_dir(database), ignore_errors=True)
        raise UserError("离线包内的数据库已加密，但离线包本身未加密；请让法院重新导出")
    opened = open_app_database(sqlite_url(database))
    try:
        with opened.engine.begin() as conn:
            reseal_all(conn)
        with opened.unit_of_work() as session:
            _take_in_kit_files(session, opened.files, database)
            row = laptop_kit(session)
            audit.record_event(
                session,
                SYSTEM,
                "open_kit",
                "offline_kit",
                row.id,
                after={"origin": row.origin, "kit_id": row.id},
                origin=row.origin,
            )
        take_in_court_files(opened, kit_folder(database) / "templates")
    finally:
        opened.dispose()
    report_progress(progress, 1, 1, "离线包已打开")
    return database


def _stated_court_key(manifest: dict[str, Any]) -> Ed25519PublicKey | None:
    """The court's public key as the kit states it: enough to tell a kit damaged or edited on
    its way (whoever rewrote it could state another key; the court checks what comes back
    against the kit's own key, which it knows)."""
    court = manifest.get("court")
    stated = court.get("public_key") if isinstance(court, dict) else None
    return signing.public_from_hex(stated) if isinstance(stated, str) else None


def kit_signing_key(database: Path) -> Ed25519PrivateKey:
    """The kit's own private key, beside the laptop's database: it signs the change packages."""
    path = attachments_dir(database) / KIT_KEY
    key = signing.read_key_file(path)
    if key is None:
        raise UserError(
            f"找不到离线包的密钥“{path}”；该离线包不完整，无法导出变更包。"
            "请在法院用本版本重新导出离线包"
        )
    return key


def laptop_kit(session: Session) -> OfflineKit:
    row = session.scalars(select(OfflineKit).where(OfflineKit.role == "laptop").limit(1)).first()
    if row is None:
        raise UserError("本数据库不是离线工作包；只有从离线包打开的数据库才能导出变更包")
    return row


def is_kit_database(session: Session) -> bool:
    return (
        session.scalar(select(OfflineKit.id).where(OfflineKit.role == "laptop").limit(1))
        is not None
    )
