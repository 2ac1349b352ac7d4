"""Offline tribunal kits (离线包) and merging a tribunal's changes back into the court database.

Court → laptop: ``export_kit`` reserves a block of case numbers and writes a zip holding a trimmed
copy of the database (the tribunal's cases and everything needed to work on them), the files
they refer to and the court key (the court's own document templates are rows of that database). ``open_kit`` turns the zip into the
database of a fresh install; case numbers then come from the block only
(services/case_numbers.py).

Laptop → court: ``export_changes`` writes every record changed or created since the kit was made,
with the kit's original values, the new files and the laptop's audit events, signed with the
court key. ``import_changes`` verifies everything before writing anything, then merges by record
id and version: a record changed on one side only is taken; a record changed on both sides is
kept as a ``MergeConflict`` for a person to decide field by field (``resolve_conflict``).

Formats, limits and rules: docs/offline-kit.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, String, insert, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhiqian_desktop import __version__
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services import audit
from zhiqian_desktop.services.actor import SYSTEM, Actor
from zhiqian_desktop.services.contacts import MAX_ATTACHMENT_BYTES
from zhiqian_desktop.services.docket import refresh_derived
from zhiqian_desktop.services.document_templates import take_in_court_files
from zhiqian_desktop.services.maintenance import open_app_database, record_head, take_backup
from zhiqian_desktop.services.notices import files_dir
from zhiqian_desktop.services.packages import (
    PackageRefused,
    ZipReader,
    ZipSink,
    check_destination,
    hash_member,
    safe_name,
)
from zhiqian_desktop.services.settings import court_secret, get_settings
from zhiqian_desktop.store import bounded_json, cipher
from zhiqian_desktop.store.backup import backup_to
from zhiqian_desktop.store.database import Database, file_engine, open_database, sqlite_url
from zhiqian_desktop.store.files import FileStore, FolderStore
from zhiqian_desktop.store.locations import attachments_dir, backups_dir
from zhiqian_desktop.store.models import (
    AuditEvent,
    Base,
    CaseNumberBlock,
    CaseNumberCounter,
    ChangeImport,
    KitRecordState,
    MergeConflict,
    OfflineKit,
    SupervisionCase,
    Tribunal,
    User,
)
from zhiqian_desktop.store.outputs import check_output_folder, place
from zhiqian_desktop.store.types import AwareDateTime, CodeEnum, Money, new_id, utcnow

ProgressFn = Callable[[int, int, str], None]

KIT_SCHEMA = "zhiqian.kit/1"
CHANGES_SCHEMA = "zhiqian.changes/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.hmac"
KIT_DB = "kit.db"
COURT_KEY = "court.key"
CHANGES = "changes.json"

MAX_PACKAGE_BYTES = 2 * 1024**3
"""A change package larger than this (the zip file) is refused before it is opened."""
MAX_PACKAGE_UNPACKED = 4 * 1024**3
"""…and one whose members add up to more than this once unpacked."""
MAX_KIT_BYTES = 16 * 1024**3
"""An offline kit (it carries the tribunal's attachments) larger than this is refused."""
MAX_JSON_BYTES = 512 * 1024**2
MAX_BLOCK = 10_000

MERGED_TABLES = (
    "supervision_case",
    "party",
    "document",
    "service",
    "contact_log",
    "payment",
    "settlement",
    "installment",
    "preservation",
    "attachment",
)
"""What comes back from a laptop, in foreign-key order. Users, settings, tribunals, the holiday
table and the number blocks belong to the court: the laptop's copies are never merged back."""

APPEND_ONLY = frozenset({"contact_log", "payment"})
NOT_COMPARED = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "updated_by",
        "version",
        # Kept by the services from the case's records; recomputed after a merge.
        "amount_paid",
        "next_due_date",
        "obligor_names",
        "search_text",
    }
)
COURT = "court"
TRIBUNAL = "tribunal"

_SHA = re.compile(r"^[0-9a-f]{64}$")
_FILE_MEMBER = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{64})$")
_MODELS: dict[str, Any] = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}


def _report(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


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
            assert key is not None
            return key
    path = court_key_path(db)
    return read_court_key(path) or write_court_key(path, os.urandom(32))


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"zhiqian-court-key:" + key).hexdigest()[:16]


def _sign(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


# --- values in JSON ------------------------------------------------------------------------------


def _enc(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot encode {type(value).__name__}")


class _Invalid(Exception):
    pass


def _dec(column: Column[Any], value: Any) -> Any:
    """A JSON value back into the column's Python type; anything malformed is refused."""
    if value is None:
        return None
    kind = column.type
    try:
        if isinstance(kind, Money):
            return Decimal(str(value)).quantize(Decimal("0.01"))
        if isinstance(kind, AwareDateTime):
            moment = datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                raise _Invalid
            return moment
        if isinstance(kind, Date):
            return date.fromisoformat(str(value))
        if isinstance(kind, CodeEnum):
            return kind.enum_cls(value)
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise _Invalid
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise _Invalid
            return value
        if isinstance(kind, String):  # Text is a String too
            if not isinstance(value, str):
                raise _Invalid
            if kind.length is not None and len(value) > kind.length:
                raise _Invalid
            return value
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise _Invalid from exc
    raise _Invalid


def _columns(table_name: str) -> dict[str, Column[Any]]:
    return {c.name: c for c in Base.metadata.tables[table_name].columns}


def _compared(table_name: str) -> list[str]:
    return [name for name in _columns(table_name) if name not in NOT_COMPARED]


def _encode_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _enc(v) for k, v in row.items()}


def _orm_values(record: Any) -> dict[str, Any]:
    return {name: _enc(getattr(record, name)) for name in _columns(record.__tablename__)}


def _read_rows(conn: Connection, table_name: str) -> dict[str, dict[str, Any]]:
    """Every row of a merged table (soft-deleted ones too), decoded by the column types."""
    table = Base.metadata.tables[table_name]
    present = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table_name})")}
    cols = [c for c in table.columns if c.name in present]
    return {row["id"]: dict(row) for row in conn.execute(select(*cols)).mappings()}


# --- exporting a kit -----------------------------------------------------------------------------


def _require_file(db: Database) -> Path:
    path = db.path
    if path is None:
        raise UserError("变更包只能从离线包打开的本机数据库导出")
    return path


def _snapshot_to_file(db: Database, target: Path) -> None:
    """A copy of the whole database as an SQLite file, to be trimmed into a kit: the online
    backup of a database file, or every row of a court server (checked as copy-database checks
    them; the files go into the kit from the server's store, not through this copy)."""
    path = db.path
    if path is not None:
        backup_to(path, target)
        return
    from zhiqian_desktop.services.transfer_db import copy_rows

    copy = open_app_database(sqlite_url(target))
    try:
        copy_rows(db, copy)
    finally:
        copy.dispose()


def _kit_cases(session: Session, tribunal_id: str | None, handler_id: str | None) -> list[str]:
    stmt = select(SupervisionCase.id).where(SupervisionCase.deleted_at.is_(None))
    if tribunal_id is not None:
        stmt = stmt.where(SupervisionCase.tribunal_id == tribunal_id)
    else:
        stmt = stmt.where(SupervisionCase.handler_id == handler_id)
    return list(session.scalars(stmt))


def _reserve_block(
    session: Session, actor: Actor, year: int, size: int, holder: str, tribunal_id: str | None
) -> CaseNumberBlock:
    """The next `size` numbers above everything issued or reserved in `year` (under the write
    lock of the caller's transaction, so no allocation or other kit can take them meanwhile)."""
    counter = session.get(CaseNumberCounter, year, with_for_update=True)
    last_issued = counter.last_seq if counter is not None else 0
    reserved = session.scalars(
        select(CaseNumberBlock.last_seq).where(CaseNumberBlock.year == year)
    ).all()
    first = max([last_issued or 0, *reserved]) + 1
    block = CaseNumberBlock(
        year=year,
        first_seq=first,
        last_seq=first + size - 1,
        holder=holder[:100],
        tribunal_id=tribunal_id,
        updated_by=actor.username,
    )
    block.id = new_id()
    session.add(block)
    session.flush()
    return block


def _trim_kit_database(
    path: Path,
    *,
    case_ids: list[str],
    login_user_ids: set[str],
    kit_row: dict[str, Any],
    block_row: dict[str, Any],
) -> None:
    """Reduce a copy of the court database to what the tribunal needs, and mark it as a kit.

    Rows of other cases go, and so — through SQLite's own foreign-key check, repeated until
    clean — does every row that refers to them, in whatever table (including tables added later).
    The audit trail starts afresh on the laptop (the court keeps the full one); users not working
    from the kit keep their names for the records but cannot log in.
    """
    engine = file_engine(path)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            conn.exec_driver_sql("CREATE TEMP TABLE keep_case (id TEXT PRIMARY KEY)")
            if case_ids:
                conn.execute(
                    text("INSERT INTO keep_case (id) VALUES (:id)"), [{"id": i} for i in case_ids]
                )
            conn.exec_driver_sql(
                "DELETE FROM supervision_case WHERE id NOT IN (SELECT id FROM keep_case)"
            )
            # The due-list's stored deadlines: a table without rowid, which the loop below
            # cannot delete from by rowid, so the rows of the cases left out go here.
            conn.exec_driver_sql(
                "DELETE FROM due_item WHERE case_id NOT IN (SELECT id FROM keep_case)"
            )
            for _ in range(50):
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                doomed = [(t, rowid) for t, rowid, parent, _fk in broken if parent != "app_user"]
                if not doomed:
                    break
                for table_name, rowid in doomed:
                    conn.exec_driver_sql(f'DELETE FROM "{table_name}" WHERE rowid = ?', (rowid,))
            for table_name in (
                "audit_event",
                "offline_kit",
                "change_import",
                "kit_record_state",
                "merge_conflict",
                "case_number_block",
                # The kit carries the files as members, unpacked into the laptop's folder; the
                # court's secrets stay at the court. (The court's document templates,
                # court_template, refer to no case and stay: the laptop prints the same wording.)
                "stored_file",
                "court_secret",
            ):
                conn.exec_driver_sql(f"DELETE FROM {table_name}")
            referenced = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT handler_id FROM supervision_case UNION SELECT handler_id FROM contact_log"
                    " UNION SELECT issued_by FROM document"
                )
                if r[0]
            }
            users = {r[0] for r in conn.exec_driver_sql("SELECT id FROM app_user")}
            for uid in users - referenced - login_user_ids:
                conn.exec_driver_sql("DELETE FROM app_user WHERE id = ?", (uid,))
            conn.exec_driver_sql("UPDATE app_user SET failed_logins = 0, locked_until = NULL")
            for uid in (users & referenced) - login_user_ids:
                conn.exec_driver_sql(
                    "UPDATE app_user SET password_hash = NULL, active = 0 WHERE id = ?", (uid,)
                )
            conn.execute(insert(Base.metadata.tables["case_number_block"]).values(**block_row))
            conn.execute(insert(Base.metadata.tables["offline_kit"]).values(**kit_row))
            left = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if left:
                raise UserError(
                    f"离线包数据库仍有{len(left)}处引用不完整（{left[0][0]}）；请联系技术人员"
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Deleted rows stay readable in free pages until the file is rebuilt.
            conn.exec_driver_sql("VACUUM")
    finally:
        engine.dispose()


def _stored_shas(conn: Connection) -> set[str]:
    rows = conn.exec_driver_sql(
        "SELECT sha256 FROM attachment UNION SELECT pdf_sha256 FROM document"
    ).fetchall()
    return {r[0] for r in rows if r[0] and _SHA.match(r[0])}


def _place(sink: ZipSink, tmp: Path, dest: Path, *, force: bool) -> None:
    sink.finish()
    place(tmp, dest, force=force)


def _partial(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.partial-{uuid.uuid4().hex[:8]}")


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


def _seal_kit(plain_zip: Path, dest: Path, key: str) -> None:
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


def _unseal_kit(kit: Path, passphrase: str, dest: Path) -> str:
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


def kit_manifest(path: Path, passphrase: str | None = None) -> dict[str, Any]:
    """The manifest of a kit (plain or encrypted), for showing what it holds."""
    path = Path(path)
    if is_encrypted_kit(path):
        if passphrase is None:
            raise KitPassphraseRequired(path)
        work = path.with_name(f".{path.name}.read-{uuid.uuid4().hex[:8]}")
        try:
            _unseal_kit(path, passphrase, work)
            return kit_manifest(work)
        finally:
            work.unlink(missing_ok=True)
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.getinfo(MANIFEST).file_size > MAX_JSON_BYTES:
                raise ValueError(f"{MANIFEST} 过大")
            data = bounded_json.loads(zf.read(MANIFEST))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserError(f"无法读取离线包“{path}”：{exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"无法读取离线包“{path}”：{MANIFEST} 格式不正确")
    return data


def export_kit(
    db: Database,
    actor: Actor,
    *,
    tribunal_id: str | None = None,
    handler_id: str | None = None,
    year: int,
    block_size: int = 100,
    dest: Path,
    users: Iterable[str] = (),
    progress: ProgressFn | None = None,
    passphrase: str | None = None,
    force: bool = False,
) -> Path:
    """Write an offline kit for a tribunal (or one handler) to ``dest`` (a .zip; an existing
    file is replaced only with ``force``, store/outputs.py).

    With ``passphrase`` the kit is encrypted (see is_encrypted_kit); a kit of an encrypted court
    database must be.

    The block of ``block_size`` case numbers of ``year`` is recorded at the court in the same
    transaction that writes the kit: if anything fails, neither the kit nor the block remains.
    ``users`` names further users (usernames) who may log in on the laptop; the handlers of the
    exported cases always may.
    """
    actor.require_lead()
    dest = check_destination(Path(dest), as_zip=True, force=force)
    if (tribunal_id is None) == (handler_id is None):
        raise UserError("请选择离线包所属的法庭，或所属的承办人（二者选一）")
    if not 2000 <= year <= 2099:
        raise UserError(f"预留案号的年份“{year}”不正确")
    if not 1 <= block_size <= MAX_BLOCK:
        raise UserError(f"预留案号数量应在1至{MAX_BLOCK}之间")
    court_encrypted = db.path is not None and not cipher.is_plain(db.path)
    if court_encrypted and passphrase is None:
        raise UserError("本院数据库已加密，离线包也必须加密；请为离线包设定口令")
    kit_key = cipher.new_key(passphrase) if passphrase is not None else None
    if kit_key is not None:
        cipher.dbapi()
    key = ensure_court_key(db)
    store = db.files
    _report(progress, 0, 0, "正在预留案号")
    tmp_zip = _partial(dest)
    # Beside the database file (same disk), or for a server beside the kit; removed whatever
    # happens.
    work = (db.path or dest).parent / f".kit-{uuid.uuid4().hex[:8]}"
    placed = False
    try:
        with db.unit_of_work() as session:
            settings = get_settings(session)
            tribunal = session.get(Tribunal, tribunal_id) if tribunal_id else None
            handler = session.get(User, handler_id) if handler_id else None
            if tribunal_id and (tribunal is None or tribunal.deleted_at is not None):
                raise NotFound("所选法庭不存在；请刷新后重试")
            if handler_id and (handler is None or handler.deleted_at is not None):
                raise NotFound("所选承办人不存在；请刷新后重试")
            origin = (
                tribunal.name if tribunal is not None else (handler.display_name if handler else "")
            )
            case_ids = _kit_cases(session, tribunal_id, handler_id)
            login = (
                {
                    h
                    for h in session.scalars(
                        select(SupervisionCase.handler_id).where(SupervisionCase.id.in_(case_ids))
                    )
                    if h
                }
                if case_ids
                else set()
            )
            if handler_id:
                login.add(handler_id)
            for username in users:
                user = session.scalars(
                    select(User).where(User.username == username, User.deleted_at.is_(None))
                ).first()
                if user is None:
                    raise NotFound(f"用户“{username}”不存在")
                login.add(user.id)
            if not login:
                raise UserError(
                    f"“{origin}”的案件没有承办人，离线包里没有能登录的用户；请指定使用离线包的用户"
                )
            block = _reserve_block(session, actor, year, block_size, origin, tribunal_id)
            kit = OfflineKit(
                role=COURT,
                court_id=settings.id,
                origin=origin[:64],
                tribunal_id=tribunal_id,
                handler_id=handler_id,
                year=year,
                block_id=block.id,
                created_by=actor.username,
                base_audit_seq=0,
            )
            kit.id = new_id()
            session.add(kit)
            session.flush()
            head = audit.head(session)
            audit.record_event(
                session,
                actor,
                "export_kit",
                "offline_kit",
                kit.id,
                after={
                    "origin": origin,
                    "cases": len(case_ids),
                    "year": year,
                    "block": f"{block.first_seq}-{block.last_seq}",
                },
            )
            kit_row = {c.name: getattr(kit, c.key) for c in OfflineKit.__table__.columns} | {
                "role": "laptop"
            }
            block_row = {c.name: getattr(block, c.key) for c in CaseNumberBlock.__table__.columns}
            login_names = sorted(session.scalars(select(User.username).where(User.id.in_(login))))

            _report(progress, 1, 0, "正在复制数据库")
            work.mkdir()
            kit_db = work / KIT_DB
            _snapshot_to_file(db, kit_db)
            _trim_kit_database(
                kit_db,
                case_ids=case_ids,
                login_user_ids=login,
                kit_row=kit_row,
                block_row=block_row,
            )
            engine = file_engine(kit_db)
            try:
                with engine.connect() as conn:
                    records = {
                        t: {i: int(r["version"]) for i, r in _read_rows(conn, t).items()}
                        for t in MERGED_TABLES
                    }
                    shas = _stored_shas(conn)
            finally:
                engine.dispose()
            if kit_key is not None:
                cipher.convert(kit_db, kit_key)
            elif court_encrypted:  # pragma: no cover - refused above
                raise UserError("本院数据库已加密，离线包也必须加密")

            # An encrypted kit's zip is put together on the court's disk, never in plain on
            # the stick; only the sealed file goes there.
            inner_zip = work / "kit.zip" if kit_key is not None else tmp_zip
            sink = ZipSink(inner_zip)
            try:
                files: list[dict[str, Any]] = []

                def add(name: str, source: Path | bytes) -> None:
                    if isinstance(source, bytes):
                        sha, size = sink.add_bytes(name, source)
                    else:
                        sha, size = sink.add_file(name, source)
                    files.append({"path": name, "sha256": sha, "size": size})

                add(KIT_DB, kit_db)
                key_file = work / COURT_KEY
                key_file.write_text(key.hex() + "\n", encoding="ascii")
                add(COURT_KEY, key_file)
                missing: list[str] = []
                todo = sorted(shas)
                for n, sha in enumerate(todo, 1):
                    source = store.source(session, sha)
                    if source is not None:
                        add(f"files/{sha[:2]}/{sha}", source)
                    else:
                        missing.append(sha)
                    _report(progress, n, len(todo), "正在打包附件和文书")
                manifest = {
                    "schema": KIT_SCHEMA,
                    "kit_id": kit.id,
                    "created_at": utcnow().isoformat(timespec="seconds"),
                    "created_by": actor.username,
                    "app_version": __version__,
                    "court": {
                        "id": settings.id,
                        "name": settings.court_name,
                        "code": settings.court_code,
                        "key_id": _key_id(key),
                    },
                    "source_db": {
                        "file": db.path.name if db.path else make_url(db.url).database,
                        "audit_head": list(head) if head else None,
                    },
                    "origin": origin,
                    "tribunal": {"id": tribunal.id, "name": tribunal.name} if tribunal else None,
                    "handler": (
                        {"id": handler.id, "name": handler.display_name} if handler else None
                    ),
                    "block": {
                        "id": block.id,
                        "year": year,
                        "first_seq": block.first_seq,
                        "last_seq": block.last_seq,
                    },
                    "cases": len(case_ids),
                    "login_users": login_names,
                    "records": records,
                    "missing_files": missing,
                    "files": files,
                }
                raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                sink.add_bytes(MANIFEST, raw)
                sink.add_bytes(SIGNATURE, (_sign(key, raw) + "\n").encode("ascii"))
                if kit_key is not None:
                    sink.finish()
                    _report(progress, 1, 0, "正在加密离线包")
                    _seal_kit(inner_zip, tmp_zip, kit_key)
                    db.check_same_file()
                    place(tmp_zip, dest, force=force)
                else:
                    db.check_same_file()
                    _place(sink, tmp_zip, dest, force=force)
                placed = True
            except BaseException:
                if not placed:
                    sink.discard()
                raise
    except BaseException:
        if placed:
            dest.unlink(missing_ok=True)
        raise
    finally:
        if kit_key is not None:
            cipher.forget(work / KIT_DB)
        shutil.rmtree(work, ignore_errors=True)
        for suffix in ("", "-journal"):
            Path(f"{tmp_zip}{suffix}").unlink(missing_ok=True)
    record_head(db, "export", dest)
    _report(progress, 1, 1, "离线包已生成")
    return dest


# --- reading a package ---------------------------------------------------------------------------


@dataclass
class _Package:
    path: Path
    reader: ZipReader
    manifest: dict[str, Any]
    raw_manifest: bytes
    files: dict[str, dict[str, Any]]
    sha256: str


def _read_member(reader: ZipReader, name: str, limit: int) -> bytes:
    if name not in reader.names():
        raise PackageRefused(f"包内缺少 {name}")
    if reader.size(name) > limit:
        raise PackageRefused(f"包内的 {name} 过大")
    with reader.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise PackageRefused(f"包内的 {name} 过大")
    return data


def _files_into_database(
    store: FileStore,
    session: Session,
    reader: ZipReader,
    listed: Mapping[str, Mapping[str, Any]],
    names: list[str],
    report: MergeReport,
    progress: ProgressFn | None,
) -> None:
    """Store a change package's files in a database that keeps its files inside itself."""
    for n, name in enumerate(names, 1):
        sha = str(listed[name]["sha256"])
        if store.size_of(session, sha) is None:
            try:
                payload = _read_member(reader, name, MAX_ATTACHMENT_BYTES)
                if hashlib.sha256(payload).hexdigest() != sha:
                    raise PackageRefused(f"“{name}”在读取时与清单不符")
            except PackageRefused as exc:
                raise _refuse(exc, "变更包") from exc
            store.put_bytes(session, payload)
        report.files += 1
        _report(progress, n, len(names), "正在复制附件和文书")


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_package(
    path: Path, *, schema: str, max_bytes: int, max_unpacked: int, key: bytes | None
) -> _Package:
    """Open and check a kit or change package completely before anything is taken from it.

    Hostile member names, size and ratio caps (services/packages.py), the HMAC over the manifest
    (with ``key``, or for a kit with the court key it carries), and every file's size and SHA-256.
    Raises PackageRefused; the caller closes ``reader``.
    """
    what = "离线包" if schema == KIT_SCHEMA else "变更包"
    if not path.is_file():
        raise PackageRefused(f"“{path}”不存在或不是文件")
    size = path.stat().st_size
    if size > max_bytes:
        raise PackageRefused(f"{what}大小 {size // 1024**2} MB 超过上限 {max_bytes // 1024**2} MB")
    sha = _file_sha(path)
    reader = ZipReader(path)
    try:
        if sum(reader.size(n) for n in reader.names()) > max_unpacked:
            raise PackageRefused(f"{what}解压后总大小超过上限 {max_unpacked // 1024**2} MB")
        raw = _read_member(reader, MANIFEST, MAX_JSON_BYTES)
        signature = _read_member(reader, SIGNATURE, 200).decode("ascii", "replace").strip()
        try:
            manifest = bounded_json.loads(raw)
        except ValueError as exc:  # not UTF-8, nested too deep, not JSON
            raise PackageRefused(f"{MANIFEST} 无法解析（{exc}）") from exc
        if not isinstance(manifest, dict) or manifest.get("schema") != schema:
            found = manifest.get("schema") if isinstance(manifest, dict) else None
            raise PackageRefused(f"不是本系统的{what}（格式标识“{found}”，应为 {schema}）")
        entries = manifest.get("files")
        if not isinstance(entries, list):
            raise PackageRefused(f"{MANIFEST} 缺少文件清单")
        files: dict[str, dict[str, Any]] = {}
        for entry in entries:
            name = entry.get("path") if isinstance(entry, dict) else None
            if (
                not isinstance(name, str)
                or name in files
                or name in (MANIFEST, SIGNATURE)
                or not isinstance(entry.get("sha256"), str)
                or not isinstance(entry.get("size"), int)
            ):
                raise PackageRefused(f"{MANIFEST} 中的文件条目“{name}”不合法")
            files[name] = entry
        if key is None:  # a kit carries the key it is signed with (it checks integrity only)
            if COURT_KEY not in files:
                raise PackageRefused(f"离线包内缺少 {COURT_KEY}")
            data = _read_member(reader, COURT_KEY, 1000)
            if hashlib.sha256(data).hexdigest() != files[COURT_KEY]["sha256"]:
                raise PackageRefused(f"离线包内的 {COURT_KEY} 与清单不符")
            try:
                key = bytes.fromhex(data.decode("ascii").strip())
            except (UnicodeDecodeError, ValueError) as exc:
                raise PackageRefused(f"离线包内的 {COURT_KEY} 格式不正确") from exc
        if not hmac.compare_digest(_sign(key, raw), signature):
            raise PackageRefused(
                f"{what}的签名不符：包被改动过，或不是本院离线包产生的{what}；未导入任何数据"
            )
        present = set(reader.names())
        extra = present - set(files) - {MANIFEST, SIGNATURE}
        if extra:
            raise PackageRefused(f"{what}内有清单中没有登记的文件“{sorted(extra)[0]}”")
        for name, entry in files.items():
            if name not in present:
                raise PackageRefused(f"{what}内缺少清单中登记的文件“{name}”")
            got_sha, got_size = hash_member(reader, name, max(entry["size"], 0))
            if got_size != entry["size"] or got_sha != entry["sha256"]:
                raise PackageRefused(f"{what}内的“{name}”与清单不符（被改动或损坏）")
    except PackageRefused:
        reader.close()
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        reader.close()  # a truncated or corrupt member
        raise PackageRefused(f"{what}已损坏，无法读取（{exc}）") from exc
    return _Package(path, reader, manifest, raw, files, sha)


def _refuse(exc: PackageRefused, what: str) -> UserError:
    return UserError(f"{what}被拒绝：{exc}")


def _copy_member(reader: ZipReader, name: str, target: Path, sha: str | None = None) -> None:
    """Stream one member to ``target`` through a temporary name, checking its SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".incoming-{uuid.uuid4().hex[:8]}")
    digest = hashlib.sha256()
    try:
        with reader.open(name) as src, tmp.open("xb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if sha is not None and digest.hexdigest() != sha:
            raise PackageRefused(f"“{name}”在读取时与清单不符")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


# --- opening a kit on the laptop -----------------------------------------------------------------

KIT_FOLDER = "kit"
BASE_DB = "base.db"
DB_NAME = "zhiqian.db"


def kit_folder(database: Path) -> Path:
    """Where a kit database keeps the kit's original copy (the merge base) and its manifest."""
    return attachments_dir(database) / KIT_FOLDER


def check_kit_folder(dest_dir: Path, *, force: bool = False) -> Path:
    """Where a kit may be opened: a new or empty folder, not one of the app's own (with
    ``force`` a folder holding other files); its absolute path."""
    return check_output_folder(dest_dir, force=force, what="离线包")


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


def _open_kit_into(
    kit: Path, dest_dir: Path, *, progress: ProgressFn | None, passphrase: str | None
) -> Path:
    if kit.is_file() and is_encrypted_kit(kit):
        if passphrase is None:
            raise KitPassphraseRequired(kit)
        dest_dir.mkdir(exist_ok=True)
        inner = dest_dir / f".kit-unsealed-{uuid.uuid4().hex[:8]}.zip"
        try:
            key = _unseal_kit(kit, passphrase, inner)
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
    unpacked = [p for p in folder.glob("??/*") if p.is_file() and _SHA.match(p.name)]
    for path in unpacked:
        store.put_bytes(session, path.read_bytes())
    session.flush()
    for path in unpacked:
        path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()


def _open_kit(kit: Path, dest_dir: Path, *, progress: ProgressFn | None, key: str | None) -> Path:
    dest_dir.mkdir(exist_ok=True)
    database = dest_dir / DB_NAME
    if database.exists() or attachments_dir(database).exists():
        raise UserError(f"“{dest_dir}”中已有数据库；离线包只能在新的空文件夹中打开")
    _report(progress, 0, 0, "正在核对离线包")
    try:
        package = _open_package(
            kit, schema=KIT_SCHEMA, max_bytes=MAX_KIT_BYTES, max_unpacked=MAX_KIT_BYTES, key=None
        )
    except PackageRefused as exc:
        raise _refuse(exc, "离线包") from exc
    work = dest_dir / f".kit-partial-{uuid.uuid4().hex[:8]}"
    try:
        work.mkdir()
        files = work / attachments_dir(database).name
        names = sorted(package.files)
        for n, name in enumerate(names, 1):
            sha = package.files[name]["sha256"]
            if name == KIT_DB:
                _copy_member(package.reader, name, work / DB_NAME, sha)
                # The kit as it came from the court: the base a change package is measured from.
                (files / KIT_FOLDER).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / DB_NAME, files / KIT_FOLDER / BASE_DB)
            elif name == COURT_KEY:
                _copy_member(package.reader, name, files / COURT_KEY, sha)
            elif m := _FILE_MEMBER.match(name):
                if m[2] != sha or m[1] != sha[:2]:
                    raise PackageRefused(f"“{name}”的名称与其校验值不符")
                _copy_member(package.reader, name, files / m[1] / m[2], sha)
            elif name.startswith("templates/") and name.count("/") == 1:
                # A kit from an earlier version, when the court's templates were files.
                leaf = safe_name(name.split("/", 1)[1])
                _copy_member(package.reader, name, files / KIT_FOLDER / "templates" / leaf, sha)
            else:
                raise PackageRefused(f"离线包内有不认识的文件“{name}”")
            _report(progress, n, len(names), "正在解开离线包")
        (files / KIT_FOLDER).mkdir(parents=True, exist_ok=True)
        (files / KIT_FOLDER / MANIFEST).write_bytes(package.raw_manifest)
        os.replace(work / DB_NAME, database)
        os.replace(files, attachments_dir(database))
    except PackageRefused as exc:
        database.unlink(missing_ok=True)
        raise _refuse(exc, "离线包") from exc
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
    opened = open_database(sqlite_url(database), backup_dir=backups_dir(database))
    try:
        with opened.unit_of_work() as session:
            _take_in_kit_files(session, opened.files, database)
            row = _laptop_kit(session)
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
    _report(progress, 1, 1, "离线包已打开")
    return database


def _laptop_kit(session: Session) -> OfflineKit:
    row = session.scalars(select(OfflineKit).where(OfflineKit.role == "laptop").limit(1)).first()
    if row is None:
        raise UserError("本数据库不是离线工作包；只有从离线包打开的数据库才能导出变更包")
    return row


def is_kit_database(session: Session) -> bool:
    return (
        session.scalar(select(OfflineKit.id).where(OfflineKit.role == "laptop").limit(1))
        is not None
    )


# --- exporting the laptop's changes --------------------------------------------------------------


def export_changes(
    kit_db: Database,
    dest: Path,
    *,
    actor: Actor | None = None,
    progress: ProgressFn | None = None,
    force: bool = False,
) -> Path:
    """Write the change package: every record created or changed since the kit was made (with
    the kit's values as its base), the files they added and the laptop's audit events. An
    existing file at ``dest`` is replaced only with ``force`` (store/outputs.py)."""
    path = _require_file(kit_db)
    dest = check_destination(Path(dest), as_zip=True, force=force)
    with kit_db.reader() as session:
        _laptop_kit(session)  # the court's own database has no changes to carry back
    key = read_court_key(court_key_path(kit_db))
    if key is None:
        raise UserError(f"找不到法院密钥“{court_key_path(kit_db)}”；该离线包不完整，无法导出变更包")
    base_path = kit_folder(path) / BASE_DB
    if not base_path.is_file():
        raise UserError(f"找不到离线包的原始数据“{base_path}”；无法确定哪些记录有改动")
    _report(progress, 0, 0, "正在查找改动")
    with kit_db.reader() as session:
        kit = _laptop_kit(session)
        kit_id, court_id, origin, base_seq = kit.id, kit.court_id, kit.origin, kit.base_audit_seq
        conn = session.connection()
        current = {t: _read_rows(conn, t) for t in MERGED_TABLES}
        events = [
            {
                "id": ev.id,
                "seq": ev.seq,
                "at": _enc(ev.at),
                "actor": ev.actor,
                "action": ev.action,
                "entity": ev.entity,
                "entity_id": ev.entity_id,
                "case_id": ev.case_id,
                "before": json.loads(ev.before_json) if ev.before_json else None,
                "after": json.loads(ev.after_json) if ev.after_json else None,
                "hash": ev.hash,
            }
            for ev in session.scalars(
                select(AuditEvent).where(AuditEvent.seq > base_seq).order_by(AuditEvent.seq)
            )
        ]
    base_engine = file_engine(base_path, read_only=True)
    try:
        with base_engine.connect() as conn:
            base = {t: _read_rows(conn, t) for t in MERGED_TABLES}
            base_shas = _stored_shas(conn)
    finally:
        base_engine.dispose()
    records: list[dict[str, Any]] = []
    new_shas: set[str] = set()
    for table_name in MERGED_TABLES:
        for rid, row in current[table_name].items():
            old = base[table_name].get(rid)
            if old is not None and old.get("version") == row["version"]:
                continue
            records.append(
                {
                    "entity": table_name,
                    "id": rid,
                    "version": row["version"],
                    "base_version": old.get("version") if old else None,
                    "values": _encode_row(row),
                    "base": _encode_row(old) if old else None,
                }
            )
            for column in ("sha256", "pdf_sha256"):
                sha = row.get(column)
                if isinstance(sha, str) and _SHA.match(sha) and sha not in base_shas:
                    new_shas.add(sha)
    store = kit_db.files
    changes = json.dumps(
        {"records": records, "audit": events}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    tmp = _partial(dest)
    sink = ZipSink(tmp)
    placed = False
    try:
        files: list[dict[str, Any]] = []
        sha, size = sink.add_bytes(CHANGES, changes)
        files.append({"path": CHANGES, "sha256": sha, "size": size})
        todo = sorted(new_shas)
        missing = []
        with kit_db.reader() as session:
            for n, sha in enumerate(todo, 1):
                source = store.source(session, sha)
                if source is not None:
                    name = f"files/{sha[:2]}/{sha}"
                    if isinstance(source, bytes):
                        got, size = sink.add_bytes(name, source)
                    else:
                        got, size = sink.add_file(name, source)
                    files.append({"path": name, "sha256": got, "size": size})
                else:
                    missing.append(sha)
                _report(progress, n, len(todo), "正在打包新增的附件和文书")
        manifest = {
            "schema": CHANGES_SCHEMA,
            "package_id": new_id(),
            "kit_id": kit_id,
            "court_id": court_id,
            "key_id": _key_id(key),
            "origin": origin,
            "created_at": utcnow().isoformat(timespec="seconds"),
            "created_by": actor.username if actor else None,
            "app_version": __version__,
            "counts": {"records": len(records), "audit": len(events), "files": len(files) - 1},
            "missing_files": missing,
            "files": files,
        }
        raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        sink.add_bytes(MANIFEST, raw)
        sink.add_bytes(SIGNATURE, (_sign(key, raw) + "\n").encode("ascii"))
        _place(sink, tmp, dest, force=force)
        placed = True
    except BaseException:
        if not placed:
            sink.discard()
        raise
    finally:
        tmp.unlink(missing_ok=True)
    record_head(kit_db, "export", dest)
    _report(progress, 1, 1, "变更包已生成")
    return dest


# --- importing at the court ----------------------------------------------------------------------


@dataclass
class MergeReport:
    package: Path
    package_id: str
    kit_id: str
    origin: str
    already_imported: bool = False
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    audit_events: int = 0
    files: int = 0
    backup: Path | None = None

    @property
    def open_conflicts(self) -> int:
        return len(self.conflicts) - len(self.resolved)

    def lines(self) -> list[str]:
        if self.already_imported:
            return [f"变更包（{self.origin}）已于此前导入，本次未作任何改动"]
        out = [
            f"来自“{self.origin}”的变更包已导入：新增{sum(self.inserted.values())}条记录，"
            f"更新{sum(self.updated.values())}条，审计记录{self.audit_events}条，文件{self.files}个"
        ]
        if self.conflicts:
            out.append(
                f"有{len(self.conflicts)}条记录在法院和法庭两边都被修改，"
                f"其中{self.open_conflicts}条待人工逐项选择（合并冲突）"
            )
        if self.backup is not None:
            out.append(f"导入前已备份：{self.backup}")
        return out


@dataclass
class _Change:
    entity: str
    id: str
    version: int
    values: dict[str, Any]
    """decoded Python values"""
    encoded: dict[str, Any]
    base: dict[str, Any] | None
    """encoded base values, or None for a record created on the laptop"""


@dataclass
class _Event:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    case_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _str(value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _Invalid
    return value


def _parse_changes(raw: bytes) -> tuple[list[_Change], list[_Event]]:
    try:
        data = bounded_json.loads(raw)
        if not isinstance(data, dict):
            raise _Invalid
        records = data.get("records")
        events = data.get("audit")
        if not isinstance(records, list) or not isinstance(events, list):
            raise _Invalid
        changes: list[_Change] = []
        seen: set[tuple[str, str]] = set()
        for item in records:
            if not isinstance(item, dict):
                raise _Invalid
            entity = item.get("entity")
            if entity not in MERGED_TABLES:
                raise _Invalid
            columns = _columns(entity)
            rid = _str(item.get("id"), 36)
            values = item.get("values")
            base = item.get("base")
            version = item.get("version")
            if (
                not isinstance(values, dict)
                or values.get("id") != rid
                or not isinstance(version, int)
                or (base is not None and not isinstance(base, dict))
                or (entity, rid) in seen
            ):
                raise _Invalid
            seen.add((entity, rid))
            if set(values) - set(columns) or (base and set(base) - set(columns)):
                raise _Invalid
            decoded = {k: _dec(columns[k], v) for k, v in values.items()}
            if base:
                for k, v in base.items():
                    _dec(columns[k], v)
            changes.append(_Change(entity, rid, version, decoded, values, base))
        parsed: list[_Event] = []
        for ev in events:
            if not isinstance(ev, dict):
                raise _Invalid
            at = datetime.fromisoformat(_str(ev.get("at"), 40))
            if at.tzinfo is None:
                raise _Invalid
            before, after = ev.get("before"), ev.get("after")
            if not isinstance(before, dict | None) or not isinstance(after, dict | None):
                raise _Invalid
            case_id = ev.get("case_id")
            if case_id is not None:
                case_id = _str(case_id, 36)
            parsed.append(
                _Event(
                    at,
                    _str(ev.get("actor"), 64),
                    _str(ev.get("action"), 32),
                    _str(ev.get("entity"), 32),
                    _str(ev.get("entity_id"), 36),
                    case_id,
                    before,
                    after,
                )
            )
    except (_Invalid, ValueError, UnicodeDecodeError, TypeError) as exc:
        raise PackageRefused(f"{CHANGES} 的内容不合法（{type(exc).__name__}）") from exc
    return changes, parsed


def _verify_change_package(db: Database, session: Session, path: Path) -> _Package:
    key = court_key(db)
    if key is None:
        raise PackageRefused("本院尚未导出过离线包（没有法院密钥），不能导入变更包")
    package = _open_package(
        path,
        schema=CHANGES_SCHEMA,
        max_bytes=MAX_PACKAGE_BYTES,
        max_unpacked=MAX_PACKAGE_UNPACKED,
        key=key,
    )
    try:
        manifest = package.manifest
        settings = get_settings(session)
        if manifest.get("court_id") != settings.id:
            raise PackageRefused("变更包不属于本院的离线包")
        kit = session.get(OfflineKit, str(manifest.get("kit_id")))
        if kit is None or kit.role != COURT:
            raise PackageRefused("变更包所属的离线包不是本院导出的（或已被删除）")
        if not isinstance(manifest.get("package_id"), str) or CHANGES not in package.files:
            raise PackageRefused(f"{MANIFEST} 缺少变更包编号或 {CHANGES}")
        for name in package.files:
            if name != CHANGES and not _FILE_MEMBER.match(name):
                raise PackageRefused(f"变更包内有不认识的文件“{name}”")
            m = _FILE_MEMBER.match(name)
            if m and package.files[name]["sha256"] != m[2]:
                raise PackageRefused(f"“{name}”的名称与其校验值不符")
    except PackageRefused:
        package.reader.close()
        raise
    return package


MAX_RESOLUTIONS_BYTES = 10 * 1024 * 1024


def read_resolutions(path: Path) -> dict[str, dict[str, str]]:
    """A file of choices for merge conflicts: {"record id": {"field": "court" | "tribunal"}}."""
    shape = '冲突选择文件格式应为 {"记录id": {"字段": "court" 或 "tribunal"}}'
    try:
        if path.stat().st_size > MAX_RESOLUTIONS_BYTES:
            raise UserError(f"冲突选择文件“{path}”过大；{shape}")
        data = bounded_json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UserError(f"无法读取冲突选择文件“{path}”：{exc}；{shape}") from exc
    ok = isinstance(data, dict) and all(
        isinstance(v, dict) and all(c in ("court", "tribunal") for c in v.values())
        for v in data.values()
    )
    if not ok:
        raise UserError(shape)
    return {str(k): {str(f): str(c) for f, c in v.items()} for k, v in data.items()}


def import_changes(
    db: Database,
    actor: Actor,
    package: Path,
    *,
    resolutions: Mapping[str, Mapping[str, str]] | None = None,
    progress: ProgressFn | None = None,
) -> MergeReport:
    """Merge a tribunal's change package into the court database.

    Nothing is written unless the whole package checks out (signature, every file, every
    record). The merge is one transaction: a failure part-way leaves the database as it was.
    ``resolutions`` (record id → field → "court" | "tribunal") settles conflicts found now;
    the others stay open in ``merge_conflict`` for ``resolve_conflict``.
    """
    actor.require_lead()
    package = Path(package)
    _report(progress, 0, 0, "正在核对变更包")
    with db.reader() as session:
        try:
            checked = _verify_change_package(db, session, package)
        except PackageRefused as exc:
            raise _refuse(exc, "变更包") from exc
    try:
        manifest = checked.manifest
        report = MergeReport(
            package, manifest["package_id"], manifest["kit_id"], str(manifest.get("origin", ""))
        )
        try:
            changes, events = _parse_changes(_read_member(checked.reader, CHANGES, MAX_JSON_BYTES))
        except PackageRefused as exc:
            raise _refuse(exc, "变更包") from exc
        with db.reader() as session:
            if session.get(ChangeImport, report.package_id) is not None:
                report.already_imported = True
                return report
            kit = session.get(OfflineKit, report.kit_id)
            assert kit is not None
            report.origin = kit.origin
        if db.path is not None:
            report.backup = take_backup(db, label="before-import")
        store = db.files
        file_names = [n for n in checked.files if n != CHANGES]
        if isinstance(store, FolderStore):
            for n, name in enumerate(file_names, 1):
                sha = checked.files[name]["sha256"]
                target = store.path(sha)
                # Content-addressed: a file already there is the same file; one left by an import
                # that failed later is harmless and reused.
                if not (target.is_file() and _file_sha(target) == sha):
                    try:
                        _copy_member(checked.reader, name, target, sha)
                    except PackageRefused as exc:
                        raise _refuse(exc, "变更包") from exc
                report.files += 1
                _report(progress, n, len(file_names), "正在复制附件和文书")
        try:
            with db.unit_of_work() as session:
                if not isinstance(store, FolderStore):
                    # Into the database in the merge's own transaction: a refused merge keeps
                    # none of the package's files.
                    _files_into_database(
                        store, session, checked.reader, checked.files, file_names, report, progress
                    )
                _merge(
                    session,
                    actor,
                    kit_id=report.kit_id,
                    changes=changes,
                    events=events,
                    report=report,
                    resolutions=resolutions or {},
                    progress=progress,
                )
                session.add(
                    ChangeImport(
                        id=report.package_id,
                        kit_id=report.kit_id,
                        package_sha256=checked.sha256,
                        imported_by=actor.username,
                        summary_json=json.dumps(
                            {
                                "inserted": report.inserted,
                                "updated": report.updated,
                                "conflicts": len(report.conflicts),
                                "audit_events": report.audit_events,
                            },
                            ensure_ascii=False,
                        ),
                    )
                )
                audit.record_event(
                    session,
                    actor,
                    "import_changes",
                    "offline_kit",
                    report.kit_id,
                    after={
                        "package_id": report.package_id,
                        "origin": report.origin,
                        "inserted": sum(report.inserted.values()),
                        "updated": sum(report.updated.values()),
                        "conflicts": len(report.conflicts),
                    },
                )
        except IntegrityError as exc:
            raise UserError(
                f"变更包中的记录与法院数据库不一致（{exc.orig}）；未导入任何数据，请联系技术人员"
            ) from exc
    finally:
        checked.reader.close()
    record_head(db, "merge", package)
    _report(progress, 1, 1, "变更包已导入")
    return report


def _state(session: Session, kit_id: str, entity: str, rid: str) -> KitRecordState | None:
    return session.get(KitRecordState, (kit_id, entity, rid))


def _save_state(
    session: Session,
    kit_id: str,
    entity: str,
    rid: str,
    version: int,
    tribunal: Mapping[str, Any],
    court: Mapping[str, Any],
) -> None:
    row = _state(session, kit_id, entity, rid)
    if row is None:
        row = KitRecordState(kit_id=kit_id, entity=entity, record_id=rid)
        session.add(row)
    row.tribunal_version = version
    row.tribunal_json = json.dumps(dict(tribunal), ensure_ascii=False, sort_keys=True)
    row.court_json = json.dumps(dict(court), ensure_ascii=False, sort_keys=True)


def _case_of(session: Session, entity: str, values: Mapping[str, Any]) -> str | None:
    if entity == "supervision_case":
        return str(values["id"])
    if values.get("case_id"):
        return str(values["case_id"])
    if entity == "service" and values.get("document_id"):
        doc = session.get(_MODELS["document"], values["document_id"])
        return doc.case_id if doc is not None else None
    if entity == "installment" and values.get("settlement_id"):
        s = session.get(_MODELS["settlement"], values["settlement_id"])
        return s.case_id if s is not None else None
    return None


def _merge(
    session: Session,
    actor: Actor,
    *,
    kit_id: str,
    changes: list[_Change],
    events: list[_Event],
    report: MergeReport,
    resolutions: Mapping[str, Mapping[str, str]],
    progress: ProgressFn | None,
) -> None:
    kit = session.get(OfflineKit, kit_id)
    assert kit is not None
    origin = kit.origin
    touched: set[str] = set()
    order = {t: i for i, t in enumerate(MERGED_TABLES)}
    # Parents before children; a correction after the contact log it corrects.
    changes = sorted(
        changes, key=lambda c: (order[c.entity], str(c.encoded.get("created_at") or ""))
    )
    for n, change in enumerate(changes, 1):
        _apply_change(session, actor, kit_id, origin, change, report, resolutions, touched)
        if n % 200 == 0:
            _report(progress, n, len(changes), "正在合并记录")
    for ev in events:
        audit.record_event(
            session,
            Actor(None, ev.actor, ev.actor, Role.READONLY),
            ev.action,
            ev.entity,
            ev.entity_id,
            case_id=ev.case_id,
            before=ev.before,
            after=ev.after,
            origin=origin,
            at=ev.at,
        )
        report.audit_events += 1
    _refresh_cases(session, touched)


def _refresh_cases(session: Session, case_ids: Iterable[str]) -> None:
    ids = sorted(set(case_ids))
    if not ids:
        return
    session.flush()
    session.expire_all()  # relationships loaded before rows were added under them
    limit = get_settings(session).supervision_limit_days
    for cid in ids:
        case = session.get(SupervisionCase, cid)
        if case is not None:
            with session.no_autoflush:
                refresh_derived(session, case, limit_days=limit)
    session.flush()


def _apply_change(
    session: Session,
    actor: Actor,
    kit_id: str,
    origin: str,
    change: _Change,
    report: MergeReport,
    resolutions: Mapping[str, Mapping[str, str]],
    touched: set[str],
) -> None:
    model = _MODELS[change.entity]
    compared = [c for c in _compared(change.entity) if c in change.encoded]
    current = session.get(model, change.id)
    state = _state(session, kit_id, change.entity, change.id)
    if state is not None and state.tribunal_version == change.version:
        report.unchanged += 1  # merged from an earlier package of this kit
        return
    if current is None:
        record = model()
        for name, value in change.values.items():
            setattr(record, name, value)
        record.version = 1
        session.add(record)
        session.flush()
        report.inserted[change.entity] = report.inserted.get(change.entity, 0) + 1
        after = _orm_values(record)
        _save_state(
            session, kit_id, change.entity, change.id, change.version, change.encoded, after
        )
        case_id = _case_of(session, change.entity, change.values)
        if case_id:
            touched.add(case_id)
        audit.record_event(
            session,
            actor,
            "merge_create",
            change.entity,
            change.id,
            case_id=case_id,
            after=audit.snapshot(record),
        )
        return
    court_now = _orm_values(current)
    if state is not None:
        tribunal_base = json.loads(state.tribunal_json)
        court_base = json.loads(state.court_json)
    elif change.base is not None:
        tribunal_base = court_base = change.base
    else:  # created on the laptop, yet already here without a record of it: compare only
        tribunal_base = court_base = {}
    differing = [f for f in compared if change.encoded.get(f) != court_now.get(f)]
    tribunal_changed = {f for f in compared if change.encoded.get(f) != tribunal_base.get(f)}
    court_changed = {f for f in compared if court_now.get(f) != court_base.get(f)}
    case_id = _case_of(session, change.entity, court_now)
    if not differing or not tribunal_changed:
        report.unchanged += 1
        _save_state(
            session, kit_id, change.entity, change.id, change.version, change.encoded, court_now
        )
        return
    if not court_changed:
        _take(session, actor, current, change, differing, change.values.get("updated_by"))
        report.updated[change.entity] = report.updated.get(change.entity, 0) + 1
        _save_state(
            session,
            kit_id,
            change.entity,
            change.id,
            change.version,
            change.encoded,
            _orm_values(current),
        )
        if case_id:
            touched.add(case_id)
        return
    conflict = session.scalars(
        select(MergeConflict).where(
            MergeConflict.kit_id == kit_id,
            MergeConflict.entity == change.entity,
            MergeConflict.record_id == change.id,
            MergeConflict.status == "open",
        )
    ).first()
    if conflict is None:
        conflict = MergeConflict(kit_id=kit_id, entity=change.entity, record_id=change.id)
        conflict.id = new_id()
        session.add(conflict)
    conflict.import_id = report.package_id
    conflict.origin = origin
    conflict.case_id = case_id
    conflict.fields_json = json.dumps(differing)
    conflict.base_json = json.dumps(
        {f: tribunal_base.get(f) for f in compared}, ensure_ascii=False, sort_keys=True
    )
    conflict.court_json = json.dumps(
        {f: court_now.get(f) for f in compared}, ensure_ascii=False, sort_keys=True
    )
    conflict.tribunal_json = json.dumps(
        {f: change.encoded.get(f) for f in compared}, ensure_ascii=False, sort_keys=True
    )
    conflict.tribunal_version = change.version
    conflict.tribunal_updated_by = change.values.get("updated_by")
    conflict.status = "open"
    session.flush()
    report.conflicts.append(conflict.id)
    audit.record_event(
        session,
        actor,
        "merge_conflict",
        change.entity,
        change.id,
        case_id=case_id,
        after={"fields": differing, "origin": origin, "conflict_id": conflict.id},
    )
    if change.id in resolutions:
        resolve_conflict(session, actor, conflict.id, resolutions[change.id])
        report.resolved.append(conflict.id)
        if case_id:
            touched.add(case_id)


def _take(
    session: Session,
    actor: Actor,
    record: Any,
    change: _Change,
    fields: Iterable[str],
    updated_by: str | None,
) -> None:
    before = audit.snapshot(record)
    for name in fields:
        setattr(record, name, change.values[name])
    record.updated_by = updated_by or actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "merge_update",
        change.entity,
        change.id,
        case_id=_case_of(session, change.entity, _orm_values(record)),
        before=before,
        after=audit.snapshot(record),
    )


# --- conflicts -----------------------------------------------------------------------------------

ENTITY_LABELS = {
    "supervision_case": "案件",
    "party": "当事人",
    "document": "文书",
    "service": "送达",
    "contact_log": "督促记录",
    "payment": "履行款",
    "settlement": "和解协议",
    "installment": "分期",
    "preservation": "保全措施",
    "attachment": "附件",
}
FIELD_LABELS = {
    "original_case_no": "原审案号",
    "cause": "案由",
    "received_date": "收案日期",
    "effective_date": "生效日期",
    "performance_deadline": "履行期限",
    "final_installment_date": "最后一期履行期限",
    "application_received_on": "申请执行书收到日期",
    "act_performed_on": "行为义务履行日期",
    "amount_due": "标的金额",
    "obligation_act": "行为义务",
    "original_doc_type": "生效文书类型",
    "department": "审判部门",
    "trial_judge": "审判人员",
    "livelihood": "涉民生",
    "livelihood_kind": "民生类别",
    "handler_id": "承办人",
    "tribunal_id": "法庭",
    "status": "状态",
    "closed_date": "结案日期",
    "close_reason": "结案理由",
    "notes": "备注",
    "source": "来源",
    "case_no": "案号",
    "name": "姓名或名称",
    "role": "诉讼地位",
    "kind": "类型",
    "id_number": "证件号码",
    "phones": "电话",
    "address": "地址",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资本",
    "licence_status": "营业执照状态",
    "position": "排序",
    "deleted_at": "删除时间",
    "summary": "内容摘要",
    "amount": "金额",
    "paid_on": "付款日期",
    "method": "方式",
    "payer": "付款人",
    "note": "备注",
    "terms": "和解条款",
    "total_amount": "和解总额",
    "signed_on": "签订日期",
    "due_date": "到期日",
    "description": "说明",
    "expires_on": "到期日",
    "frozen_on": "保全日期",
    "voided": "已作废",
    "served_on": "送达日期",
    "recipient": "签收人",
    "server": "送达人",
    "remarks": "备注",
    "party_id": "受送达人",
    "witness": "见证人",
    "process_recorded": "已拍照、录像记录送达过程",
}


@dataclass(frozen=True)
class FieldChoice:
    field: str
    label: str
    base: str
    court: str
    tribunal: str
    default: str | None
    """COURT or TRIBUNAL when only that side changed the field; None: a person must choose."""


@dataclass(frozen=True)
class ConflictView:
    id: str
    entity: str
    entity_label: str
    record_id: str
    case_no: str | None
    origin: str
    tribunal_updated_by: str | None
    created_at: datetime
    status: str
    fields: tuple[FieldChoice, ...]


def _display(entity: str, name: str, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    column = _columns(entity).get(name)
    if column is not None and isinstance(column.type, CodeEnum):
        with contextlib.suppress(ValueError):
            return str(getattr(column.type.enum_cls(value), "label", value))
    if column is not None and isinstance(column.type, AwareDateTime):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(str(value)).astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)


def _current_values(session: Session, conflict: MergeConflict) -> dict[str, Any]:
    record = session.get(_MODELS[conflict.entity], conflict.record_id)
    if record is None:
        raise NotFound("冲突涉及的记录已不存在；请刷新")
    return _orm_values(record)


def _default(
    field_name: str, base: Mapping[str, Any], court: Mapping[str, Any], tribunal: Mapping[str, Any]
) -> str | None:
    court_changed = court.get(field_name) != base.get(field_name)
    tribunal_changed = tribunal.get(field_name) != base.get(field_name)
    if tribunal_changed and not court_changed:
        return TRIBUNAL
    if court_changed and not tribunal_changed:
        return COURT
    return None


def conflict_view(session: Session, conflict_id: str) -> ConflictView:
    conflict = session.get(MergeConflict, conflict_id)
    if conflict is None:
        raise NotFound("该合并冲突不存在；请刷新")
    base = json.loads(conflict.base_json)
    tribunal = json.loads(conflict.tribunal_json)
    court = (
        _current_values(session, conflict)
        if conflict.status == "open"
        else json.loads(conflict.court_json)
    )
    fields = [f for f in json.loads(conflict.fields_json)]
    if conflict.status == "open":  # the court may have changed more since the import
        fields += [f for f in tribunal if f not in fields and court.get(f) != tribunal.get(f)]
    case_no = None
    if conflict.case_id:
        case = session.get(SupervisionCase, conflict.case_id)
        case_no = case.case_no if case is not None else None
    choices = tuple(
        FieldChoice(
            f,
            FIELD_LABELS.get(f, f),
            _display(conflict.entity, f, base.get(f)),
            _display(conflict.entity, f, court.get(f)),
            _display(conflict.entity, f, tribunal.get(f)),
            _default(f, base, court, tribunal),
        )
        for f in fields
    )
    return ConflictView(
        conflict.id,
        conflict.entity,
        ENTITY_LABELS.get(conflict.entity, conflict.entity),
        conflict.record_id,
        case_no,
        conflict.origin,
        conflict.tribunal_updated_by,
        conflict.created_at,
        conflict.status,
        choices,
    )


def list_conflicts(session: Session, *, open_only: bool = True) -> list[ConflictView]:
    stmt = select(MergeConflict.id).order_by(MergeConflict.created_at, MergeConflict.id)
    if open_only:
        stmt = stmt.where(MergeConflict.status == "open")
    return [conflict_view(session, cid) for cid in session.scalars(stmt)]


def open_conflict_count(session: Session) -> int:
    return len(
        session.scalars(select(MergeConflict.id).where(MergeConflict.status == "open")).all()
    )


def resolve_conflict(
    session: Session, actor: Actor, conflict_id: str, choices: Mapping[str, str]
) -> MergeConflict:
    """Apply a person's choice, field by field ("court" keeps the court's value, "tribunal"
    takes the laptop's). A field only one side changed may be left out: that side's value
    stands. A field both sides changed must be chosen."""
    actor.require_lead()
    conflict = session.get(MergeConflict, conflict_id)
    if conflict is None:
        raise NotFound("该合并冲突不存在；请刷新")
    if conflict.status != "open":
        raise UserError("该合并冲突已经处理过")
    view = conflict_view(session, conflict_id)
    known = {f.field for f in view.fields}
    unknown = set(choices) - known
    if unknown:
        raise UserError(f"“{sorted(unknown)[0]}”不是该冲突中的字段")
    final: dict[str, str] = {}
    for f in view.fields:
        choice = choices.get(f.field) or f.default
        if choice not in (COURT, TRIBUNAL):
            raise UserError(f"请为“{f.label}”选择采用法院的值还是法庭的值")
        final[f.field] = choice
    record = session.get(_MODELS[conflict.entity], conflict.record_id)
    assert record is not None
    columns = _columns(conflict.entity)
    tribunal = json.loads(conflict.tribunal_json)
    before = audit.snapshot(record)
    taken = [f for f, c in final.items() if c == TRIBUNAL]
    for name in taken:
        setattr(record, name, _dec(columns[name], tribunal.get(name)))
    record.updated_by = actor.username
    session.flush()
    conflict.status = "resolved"
    conflict.resolved_at = utcnow()
    conflict.resolved_by = actor.username
    conflict.choices_json = json.dumps(final, ensure_ascii=False, sort_keys=True)
    _save_state(
        session,
        conflict.kit_id,
        conflict.entity,
        conflict.record_id,
        conflict.tribunal_version,
        tribunal,
        _orm_values(record),
    )
    audit.record_event(
        session,
        actor,
        "resolve_conflict",
        conflict.entity,
        conflict.record_id,
        case_id=conflict.case_id,
        before=before,
        after=audit.snapshot(record) | {"choices": final, "origin": conflict.origin},
    )
    if conflict.case_id:
        _refresh_cases(session, [conflict.case_id])
    return conflict


# --- what the court has issued -------------------------------------------------------------------


@dataclass(frozen=True)
class KitInfo:
    id: str
    origin: str
    year: int
    first_seq: int | None
    last_seq: int | None
    created_at: datetime
    created_by: str
    imports: int


def list_kits(session: Session) -> list[KitInfo]:
    out = []
    for kit in session.scalars(
        select(OfflineKit).where(OfflineKit.role == COURT).order_by(OfflineKit.created_at.desc())
    ):
        block = session.get(CaseNumberBlock, kit.block_id) if kit.block_id else None
        imports = len(
            session.scalars(select(ChangeImport.id).where(ChangeImport.kit_id == kit.id)).all()
        )
        out.append(
            KitInfo(
                kit.id,
                kit.origin,
                kit.year,
                block.first_seq if block else None,
                block.last_seq if block else None,
                kit.created_at,
                kit.created_by,
                imports,
            )
        )
    return out
