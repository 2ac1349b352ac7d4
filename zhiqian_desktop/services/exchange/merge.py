"""Merging a tribunal's change package at the court. ``import_changes`` verifies everything before
writing anything, then merges by record id and version: a record changed on one side only is
taken; a record changed on both sides is kept as a ``MergeConflict`` for a person to decide."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.admin.maintenance import record_head, take_backup
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.exchange.conflicts import resolve_conflict
from zhiqian_desktop.services.exchange.court_key import court_key
from zhiqian_desktop.services.exchange.package_reader import (
    OpenedPackage,
    copy_member,
    file_sha256,
    open_package,
    read_member,
    refusal,
)
from zhiqian_desktop.services.exchange.records import (
    CHANGES,
    CHANGES_SCHEMA,
    COURT,
    FILE_MEMBER,
    MANIFEST,
    MAX_JSON_BYTES,
    MERGED_TABLES,
    MODELS,
    InvalidValue,
    ProgressFn,
    columns_of,
    compared_columns,
    decode_value,
    record_state,
    record_values,
    refresh_cases,
    report_progress,
    save_state,
)
from zhiqian_desktop.services.supervision.contacts import MAX_ATTACHMENT_BYTES
from zhiqian_desktop.store import bounded_json
from zhiqian_desktop.store.archives import PackageRefused, ZipReader
from zhiqian_desktop.store.database import Database, database_of
from zhiqian_desktop.store.files import FileStore, FolderStore
from zhiqian_desktop.store.models import (
    ChangeImport,
    MergeConflict,
    OfflineKit,
)
from zhiqian_desktop.store.types import new_id

MAX_PACKAGE_BYTES = 2 * 1024**3
"""A change package larger than this (the zip file) is refused before it is opened."""
MAX_PACKAGE_UNPACKED = 4 * 1024**3
"""…and one whose members add up to more than this once unpacked."""


def _kit(session: Session, kit_id: str) -> OfflineKit:
    kit = session.get(OfflineKit, kit_id)
    if kit is None:
        raise UserError("本院没有导出过这个变更包所属的离线包；请确认变更包来自本院导出的离线包")
    return kit


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
                payload = read_member(reader, name, MAX_ATTACHMENT_BYTES)
                if hashlib.sha256(payload).hexdigest() != sha:
                    raise PackageRefused(f"“{name}”在读取时与清单不符")
            except PackageRefused as exc:
                raise refusal(exc, "变更包") from exc
            store.put_bytes(session, payload)
        report.files += 1
        report_progress(progress, n, len(names), "正在复制附件和文书")


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
        raise InvalidValue
    return value


def _parse_changes(raw: bytes) -> tuple[list[_Change], list[_Event]]:
    try:
        data = bounded_json.loads(raw)
        if not isinstance(data, dict):
            raise InvalidValue
        records = data.get("records")
        events = data.get("audit")
        if not isinstance(records, list) or not isinstance(events, list):
            raise InvalidValue
        changes: list[_Change] = []
        seen: set[tuple[str, str]] = set()
        for item in records:
            if not isinstance(item, dict):
                raise InvalidValue
            entity = item.get("entity")
            if entity not in MERGED_TABLES:
                raise InvalidValue
            columns = columns_of(entity)
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
                raise InvalidValue
            seen.add((entity, rid))
            if set(values) - set(columns) or (base and set(base) - set(columns)):
                raise InvalidValue
            decoded = {k: decode_value(columns[k], v) for k, v in values.items()}
            if base:
                for k, v in base.items():
                    decode_value(columns[k], v)
            changes.append(_Change(entity, rid, version, decoded, values, base))
        parsed: list[_Event] = []
        for ev in events:
            if not isinstance(ev, dict):
                raise InvalidValue
            at = datetime.fromisoformat(_str(ev.get("at"), 40))
            if at.tzinfo is None:
                raise InvalidValue
            before, after = ev.get("before"), ev.get("after")
            if not isinstance(before, dict | None) or not isinstance(after, dict | None):
                raise InvalidValue
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
    except (InvalidValue, ValueError, UnicodeDecodeError, TypeError) as exc:
        raise PackageRefused(f"{CHANGES} 的内容不合法（{type(exc).__name__}）") from exc
    return changes, parsed


def _verify_change_package(session: Session, path: Path) -> OpenedPackage:
    db = database_of(session)
    key = court_key(db)
    if key is None:
        raise PackageRefused("本院尚未导出过离线包（没有法院密钥），不能导入变更包")
    package = open_package(
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
            if name != CHANGES and not FILE_MEMBER.match(name):
                raise PackageRefused(f"变更包内有不认识的文件“{name}”")
            m = FILE_MEMBER.match(name)
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
    report_progress(progress, 0, 0, "正在核对变更包")
    with db.reader() as session:
        try:
            checked = _verify_change_package(session, package)
        except PackageRefused as exc:
            raise refusal(exc, "变更包") from exc
    try:
        manifest = checked.manifest
        report = MergeReport(
            package, manifest["package_id"], manifest["kit_id"], str(manifest.get("origin", ""))
        )
        try:
            changes, events = _parse_changes(read_member(checked.reader, CHANGES, MAX_JSON_BYTES))
        except PackageRefused as exc:
            raise refusal(exc, "变更包") from exc
        with db.reader() as session:
            if session.get(ChangeImport, report.package_id) is not None:
                report.already_imported = True
                return report
            kit = _kit(session, report.kit_id)
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
                if not (target.is_file() and file_sha256(target) == sha):
                    try:
                        copy_member(checked.reader, name, target, sha)
                    except PackageRefused as exc:
                        raise refusal(exc, "变更包") from exc
                report.files += 1
                report_progress(progress, n, len(file_names), "正在复制附件和文书")
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
    report_progress(progress, 1, 1, "变更包已导入")
    return report


def _case_of(session: Session, entity: str, values: Mapping[str, Any]) -> str | None:
    if entity == "supervision_case":
        return str(values["id"])
    if values.get("case_id"):
        return str(values["case_id"])
    if entity == "service" and values.get("document_id"):
        doc = session.get(MODELS["document"], values["document_id"])
        return doc.case_id if doc is not None else None
    if entity == "installment" and values.get("settlement_id"):
        s = session.get(MODELS["settlement"], values["settlement_id"])
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
    kit = _kit(session, kit_id)
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
            report_progress(progress, n, len(changes), "正在合并记录")
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
    refresh_cases(session, touched)


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
    model = MODELS[change.entity]
    compared = [c for c in compared_columns(change.entity) if c in change.encoded]
    current = session.get(model, change.id)
    state = record_state(session, kit_id, change.entity, change.id)
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
        after = record_values(record)
        save_state(session, kit_id, change.entity, change.id, change.version, change.encoded, after)
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
    court_now = record_values(current)
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
        save_state(
            session, kit_id, change.entity, change.id, change.version, change.encoded, court_now
        )
        return
    if not court_changed:
        _take(session, actor, current, change, differing, change.values.get("updated_by"))
        report.updated[change.entity] = report.updated.get(change.entity, 0) + 1
        save_state(
            session,
            kit_id,
            change.entity,
            change.id,
            change.version,
            change.encoded,
            record_values(current),
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
        case_id=_case_of(session, change.entity, record_values(record)),
        before=before,
        after=audit.snapshot(record),
    )
