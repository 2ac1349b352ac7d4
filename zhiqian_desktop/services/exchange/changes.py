"""The laptop's change package: every record changed or created since the kit was made, with the
kit's original values, the new files and the laptop's audit events, signed with the court key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from zhiqian_desktop import __version__
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.maintenance import record_head
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.exchange.court_key import (
    court_key_path,
    key_id,
    read_court_key,
    sign_manifest,
)
from zhiqian_desktop.services.exchange.kit_opening import BASE_DB, kit_folder, laptop_kit
from zhiqian_desktop.services.exchange.kits import (
    partial_path,
    place_package,
    require_file,
    stored_shas,
)
from zhiqian_desktop.services.exchange.records import (
    CHANGES,
    CHANGES_SCHEMA,
    MANIFEST,
    MERGED_TABLES,
    SHA256_HEX,
    SIGNATURE,
    ProgressFn,
    encode_row,
    encode_value,
    read_rows,
    report_progress,
)
from zhiqian_desktop.store.archives import ZipSink, check_destination
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import file_engine
from zhiqian_desktop.store.models import (
    AuditEvent,
)
from zhiqian_desktop.store.types import new_id, utcnow

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
    path = require_file(kit_db)
    dest = check_destination(Path(dest), as_zip=True, force=force)
    with kit_db.reader() as session:
        laptop_kit(session)  # the court's own database has no changes to carry back
    key = read_court_key(court_key_path(kit_db))
    if key is None:
        raise UserError(f"找不到法院密钥“{court_key_path(kit_db)}”；该离线包不完整，无法导出变更包")
    base_path = kit_folder(path) / BASE_DB
    if not base_path.is_file():
        raise UserError(f"找不到离线包的原始数据“{base_path}”；无法确定哪些记录有改动")
    report_progress(progress, 0, 0, "正在查找改动")
    with kit_db.reader() as session:
        kit = laptop_kit(session)
        kit_id, court_id, origin, base_seq = kit.id, kit.court_id, kit.origin, kit.base_audit_seq
        conn = session.connection()
        current = {t: read_rows(conn, t) for t in MERGED_TABLES}
        events = [
            {
                "id": ev.id,
                "seq": ev.seq,
                "at": encode_value(ev.at),
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
            base = {t: read_rows(conn, t) for t in MERGED_TABLES}
            base_shas = stored_shas(conn)
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
                    "values": encode_row(row),
                    "base": encode_row(old) if old else None,
                }
            )
            for column in ("sha256", "pdf_sha256"):
                sha = row.get(column)
                if isinstance(sha, str) and SHA256_HEX.match(sha) and sha not in base_shas:
                    new_shas.add(sha)
    store = kit_db.files
    changes = json.dumps(
        {"records": records, "audit": events}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    tmp = partial_path(dest)
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
                report_progress(progress, n, len(todo), "正在打包新增的附件和文书")
        manifest = {
            "schema": CHANGES_SCHEMA,
            "package_id": new_id(),
            "kit_id": kit_id,
            "court_id": court_id,
            "key_id": key_id(key),
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
        sink.add_bytes(SIGNATURE, (sign_manifest(key, raw) + "\n").encode("ascii"))
        place_package(sink, tmp, dest, force=force)
        placed = True
    except BaseException:
        if not placed:
            sink.discard()
        raise
    finally:
        tmp.unlink(missing_ok=True)
    record_head(kit_db, "export", dest)
    report_progress(progress, 1, 1, "变更包已生成")
    return dest
