"""Offline tribunal kits (离线包), court to laptop: ``export_kit`` reserves a block of case numbers
and writes a zip holding a trimmed copy of the database (the tribunal's cases and everything
needed to work on them), the files they refer to and the kit's own private key, made for it and
known to the court by its public key (the court's own key never leaves the court); the court's
document templates are rows of that database. ``list_kits`` is what the court has issued.

The way back is in kit_opening.py (the laptop opens the kit), changes.py (the laptop's change
package), merge.py (the court takes it in) and conflicts.py (a person decides what both sides
changed). Formats, limits and rules: docs/offline-kit.md.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from zhiqian_desktop import __version__
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.services.admin.maintenance import open_app_database, record_head
from zhiqian_desktop.services.admin.server_copy import copy_rows
from zhiqian_desktop.services.core import audit, signing
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.exchange.records import (
    COURT,
    KIT_DB,
    KIT_KEY,
    KIT_SCHEMA,
    MANIFEST,
    MAX_BLOCK,
    MERGED_TABLES,
    SHA256_HEX,
    SIGNATURE,
    ProgressFn,
    read_rows,
    report_progress,
)
from zhiqian_desktop.services.exchange.sealed_kits import seal_kit
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.archives import ZipSink, check_destination
from zhiqian_desktop.store.backup import backup_to
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import file_engine, sqlite_url
from zhiqian_desktop.store.models import (
    Base,
    CaseNumberBlock,
    CaseNumberCounter,
    ChangeImport,
    OfflineKit,
    SupervisionCase,
    Tribunal,
    User,
)
from zhiqian_desktop.store.outputs import place
from zhiqian_desktop.store.private import DIR_MODE
from zhiqian_desktop.store.types import new_id, utcnow

# --- exporting a kit -----------------------------------------------------------------------------


def require_file(db: Database) -> Path:
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
                # Sealed with the court's key, which stays at the court: the laptop seals the
                # rows it receives with its own (kit_opening.py).
                "row_seal",
                # The outbox is the court's (its SMS platform is there): the laptop carries no
                # phone numbers of messages and drafts none (supervision/messages.py).
                "outbox_message",
            ):
                conn.exec_driver_sql(f"DELETE FROM {table_name}")
            referenced = {
                user_id
                for user_id in conn.exec_driver_sql(
                    "SELECT handler_id FROM supervision_case UNION SELECT handler_id FROM contact_log"
                    " UNION SELECT issued_by FROM document"
                ).scalars()
                if user_id
            }
            users = set(conn.exec_driver_sql("SELECT id FROM app_user").scalars())
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


def stored_shas(conn: Connection) -> set[str]:
    shas = conn.exec_driver_sql(
        "SELECT sha256 FROM attachment UNION SELECT pdf_sha256 FROM document"
    ).scalars()
    return {sha for sha in shas if sha and SHA256_HEX.match(sha)}


def place_package(sink: ZipSink, tmp: Path, dest: Path, *, force: bool) -> None:
    sink.finish()
    place(tmp, dest, force=force)


def partial_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.partial-{uuid.uuid4().hex[:8]}")


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
    # Before the kit's transaction: on a court server making the key is a write of its own.
    court_signing = signing.court_signing_key(db)
    kit_signing = signing.new_key()
    store = db.files
    report_progress(progress, 0, 0, "正在预留案号")
    tmp_zip = partial_path(dest)
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
                public_key=signing.public_hex(kit_signing.public_key()),
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
            kit.scope_json = json.dumps(
                {
                    "cases": sorted(case_ids),
                    "users": dict(
                        session.execute(select(User.id, User.username).where(User.id.in_(login)))
                        .tuples()
                        .all()
                    ),
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            kit_row["scope_json"] = kit.scope_json

            report_progress(progress, 1, 0, "正在复制数据库")
            work.mkdir(mode=DIR_MODE)
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
                        t: {i: int(r["version"]) for i, r in read_rows(conn, t).items()}
                        for t in MERGED_TABLES
                    }
                    shas = stored_shas(conn)
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
                add(KIT_KEY, signing.private_pem(kit_signing))
                missing: list[str] = []
                todo = sorted(shas)
                for n, sha in enumerate(todo, 1):
                    source = store.source(session, sha)
                    if source is not None:
                        add(f"files/{sha[:2]}/{sha}", source)
                    else:
                        missing.append(sha)
                    report_progress(progress, n, len(todo), "正在打包附件和文书")
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
                        "public_key": signing.public_hex(court_signing.public_key()),
                        "key_fingerprint": signing.fingerprint(court_signing.public_key()),
                    },
                    "kit_public_key": kit.public_key,
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
                sink.add_bytes(SIGNATURE, (signing.sign(court_signing, raw) + "\n").encode("ascii"))
                if kit_key is not None:
                    sink.finish()
                    report_progress(progress, 1, 0, "正在加密离线包")
                    seal_kit(inner_zip, tmp_zip, kit_key)
                    db.check_same_file()
                    place(tmp_zip, dest, force=force)
                else:
                    db.check_same_file()
                    place_package(sink, tmp_zip, dest, force=force)
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
    report_progress(progress, 1, 1, "离线包已生成")
    return dest


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


@reads
def kit_owner(
    session: Session, *, tribunal: str | None = None, handler: str | None = None
) -> tuple[str | None, str | None]:
    """(tribunal id, handler id) of the kit to export, by the tribunal's name or the handler's
    user name as a clerk writes them."""
    if tribunal is not None:
        tribunal_id = session.scalar(
            select(Tribunal.id).where(
                Tribunal.name == tribunal.strip(), Tribunal.deleted_at.is_(None)
            )
        )
        if tribunal_id is None:
            raise UserError(f"没有名为“{tribunal}”的法庭；请核对名称")
        return tribunal_id, None
    handler_id = session.scalar(
        select(User.id).where(User.username == (handler or "").strip(), User.deleted_at.is_(None))
    )
    if handler_id is None:
        raise UserError(f"没有用户名为“{handler}”的用户")
    return None, handler_id
