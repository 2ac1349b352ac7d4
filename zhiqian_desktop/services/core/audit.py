"""The audit trail: every change as an append-only event chained by HMAC-SHA-256.

The chain is keyed with a court secret kept in a file beside the database (never inside it): a
person who edits the database file with another tool cannot recompute the links without it.
A database whose chain was started before keys existed keeps its plain SHA-256 chain.

On a court server (PostgreSQL) there is no file beside the database, and a key stored in the
database would not stop anyone who can edit it: the chain is unkeyed SHA-256 there, and the
server's permissions protect it (the desks' role may only insert and read audit events; see
docs/postgresql.md). Appends are serialised by a transaction-level advisory lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, event, inspect, select, text
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.store.engine import WRITE_LOCK_KEY, sqlite_file
from zhiqian_desktop.store.locations import audit_key_path
from zhiqian_desktop.store.models import AuditEvent, Base, Record
from zhiqian_desktop.store.private import write_once
from zhiqian_desktop.store.seals import mark_appended
from zhiqian_desktop.store.types import new_id, utcnow

GENESIS = "0" * 64
SKIP = frozenset({"search_text", "updated_at", "created_at"})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(record: Base) -> dict[str, Any]:
    """The record's column values as JSON-ready data (what an audit event stores)."""
    mapper = inspect(record).mapper
    return {
        attr.key: _plain(getattr(record, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SKIP
    }


def fill_defaults(record: Base) -> None:
    """Give a record not yet flushed the column defaults its INSERT would (ids, times, version),
    so that its snapshot is the row as it will be written, without a flush of its own."""
    mapper = inspect(record).mapper
    for attr in mapper.column_attrs:
        default = attr.columns[0].default
        if default is None or getattr(record, attr.key) is not None:
            continue
        if default.is_scalar:
            setattr(record, attr.key, default.arg)
        elif default.is_callable:
            setattr(record, attr.key, default.arg(None))


def database_file(session: Session) -> Path | None:
    """The SQLite file the session works on (None for a server or an in-memory database)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return sqlite_file(engine.url.render_as_string(hide_password=False))


_keys: dict[Path, bytes] = {}


def read_key(database: Path) -> bytes | None:
    """The court secret for the database file, or None when there is none (an unkeyed chain)."""
    path = audit_key_path(database).resolve()
    if path in _keys:
        return _keys[path]
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    if len(key) < 16:
        return None
    _keys[path] = key
    return key


def create_key(database: Path, key: bytes | None = None) -> bytes:
    """Write a new secret (only for a chain that has no event yet); never overwrites one.

    Returns the key now on disk: another process's, if it created one first."""
    path = audit_key_path(database)
    key = key or os.urandom(32)
    write_once(path, (key.hex() + "\n").encode("ascii"))  # another process's key stands
    _keys.pop(path.resolve(), None)
    existing = read_key(database)
    if existing is None:
        raise RuntimeError(f"the audit key beside {database} could not be read back")
    return existing


def chain_key(session: Session) -> bytes | None:
    path = database_file(session)
    return read_key(path) if path is not None else None


_PENDING_KEY = "zhiqian_pending_audit_key"


def _write_pending_key(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if pending is None:
        return
    path, key = pending
    if create_key(path, key) != key:
        raise UserError("审计密钥刚被另一个程序创建；本次操作未保存，请重试")


def _key_for_new_event(session: Session, head: str | None) -> bytes | None:
    """The key for the next event. The first event of a chain makes the key; it is written to
    disk just before that transaction commits, so a rolled-back first change leaves no file."""
    path = database_file(session)
    if path is None:
        return None
    pending = session.info.get(_PENDING_KEY)
    if pending is not None:
        return bytes(pending[1])
    key = read_key(path)
    if key is None and head is None:
        key = os.urandom(32)
        session.info[_PENDING_KEY] = (path, key)
        event.listen(session, "before_commit", _write_pending_key, once=True)
    return key


def canonical_time(moment: datetime) -> datetime:
    """The instant as the chain hashes it: UTC, whole seconds. The database keeps times in UTC,
    so an event given with another offset (a laptop's +08:00) or with microseconds would be
    read back as a different string from the one hashed: normalised before hashing, the same
    instant is always the same text."""
    return moment.astimezone(UTC).replace(microsecond=0)


def _digest(prev: str, ev: Any, key: bytes | None = None) -> str:
    """The chain's digest of an event (an AuditEvent or a row with its columns)."""
    body = json.dumps(
        [
            prev,
            ev.id,
            canonical_time(ev.at).isoformat(),
            ev.actor,
            ev.action,
            ev.entity,
            ev.entity_id,
            ev.case_id,
            ev.before_json,
            ev.after_json,
            ev.origin,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if key is None:
        return hashlib.sha256(body.encode("utf-8")).hexdigest()
    return hmac.digest(key, body.encode("utf-8"), "sha256").hex()


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str,
    *,
    case_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    origin: str = "court",
    at: datetime | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Append one event after the current head of the chain (inside the caller's transaction).

    ``at`` keeps the time of an event that happened elsewhere (a tribunal's laptop, merged back).
    ``flush=False`` leaves the event to the caller's next flush (an import writes its thousands of
    cases and events a few hundred at a time; events are inserted in the order they were added, so
    the chain's order is kept)."""
    head = _chain_head(session)
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)} | {"id"}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    ev = AuditEvent(
        at=canonical_time(at or utcnow()),
        actor=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        case_id=case_id,
        before_json=json.dumps(before, ensure_ascii=False, sort_keys=True) if before else None,
        after_json=json.dumps(after, ensure_ascii=False, sort_keys=True) if after else None,
        origin=origin,
        prev_hash=head or GENESIS,
    )
    ev.id = new_id()
    ev.hash = _digest(ev.prev_hash, ev, _key_for_new_event(session, head))
    session.add(ev)
    if flush:
        session.flush()
    session.info[_HEAD_KEY] = ev.hash
    mark_appended(session)
    return ev


_HEAD_KEY = "zhiqian.audit_head"


def add_record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    record: Record,
    *,
    case_id: str | None = None,
) -> None:
    """Add a new ``record`` (it gets its id on flush) and the audit event of its creation, with
    the record as it was written."""
    session.add(record)
    session.flush()
    record_event(
        session,
        actor,
        action,
        entity,
        record.id,
        case_id=case_id,
        after=snapshot(cast(Base, record)),
    )


def _forget_head(session: Session, *_: object) -> None:
    session.info.pop(_HEAD_KEY, None)


def _chain_head(session: Session) -> str | None:
    """The newest event's hash. A batch (an import) appends many events in one transaction, so
    the head is remembered for the rest of that transaction; a rollback or commit forgets it."""
    cached = session.info.get(_HEAD_KEY)
    if isinstance(cached, str):
        return cached
    # Another writer may append once this transaction ends, so the memory lasts one transaction.
    for name in ("after_soft_rollback", "after_commit"):
        if not event.contains(session, name, _forget_head):
            event.listen(session, name, _forget_head)
    if session.get_bind().dialect.name == "postgresql":
        # Held until the transaction ends, so no other desk appends between this read of the
        # head and the commit (a fork of the chain); normally already held since BEGIN.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
    head = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    if head is not None:
        session.info[_HEAD_KEY] = head
    return head


@dataclass(frozen=True)
class ChainReport:
    events: int
    first_broken_seq: int | None
    reason: str | None
    keyed: bool = False
    head_seq: int | None = None
    head_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order; report the first event whose link or content does not match."""
    key = chain_key(session)
    keyed = key is not None
    prev = GENESIS
    count = 0
    last_seq: int | None = None
    # Plain rows, not AuditEvent objects: the same attributes at a third of the cost (100,000
    # events of a large docket in `zhiqian check`).
    events = select(AuditEvent.__table__).order_by(AuditEvent.seq)
    for ev in session.execute(events).yield_per(5000):
        count += 1
        if ev.prev_hash != prev:
            return ChainReport(count, ev.seq, "链接断开：上一条记录被删除、插入或调换", keyed)
        if _digest(prev, ev, key) != ev.hash:
            if count == 1 and key is None:
                path = database_file(session)
                where = f"“{audit_key_path(path)}”" if path else ""
                reason = (
                    f"审计密钥文件{where}缺失，无法核对哈希链；"
                    "如数据库是从其他电脑复制来的，请把原电脑上数据库旁的附件文件夹（含 audit.key）一并复制过来"
                )
            elif count == 1:
                reason = "第一条记录与审计密钥不符：记录被改动，或密钥文件不属于这个数据库"
            else:
                reason = "内容被改动：记录与其哈希不符"
            return ChainReport(count, ev.seq, reason, keyed)
        prev = ev.hash
        last_seq = ev.seq
    return ChainReport(count, None, None, keyed, last_seq, prev if last_seq is not None else None)


def head(session: Session) -> tuple[int, str] | None:
    """The newest event's sequence number and hash (what a backup or export anchors)."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else None


def history(session: Session, case_id: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        )
    )
