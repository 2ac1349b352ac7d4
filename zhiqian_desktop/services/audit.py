"""The audit trail: every change as an append-only event chained by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.store.models import AuditEvent, Base
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


def _digest(prev: str, ev: AuditEvent) -> str:
    body = json.dumps(
        [
            prev,
            ev.id,
            ev.at.isoformat(),
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
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


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
) -> AuditEvent:
    """Append one event after the current head of the chain (inside the caller's transaction)."""
    head = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)} | {"id"}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    ev = AuditEvent(
        at=utcnow().replace(microsecond=0),
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
    ev.hash = _digest(ev.prev_hash, ev)
    session.add(ev)
    session.flush()
    return ev


@dataclass(frozen=True)
class ChainReport:
    events: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order; report the first event whose link or content does not match."""
    prev = GENESIS
    count = 0
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(5000):
        count += 1
        if ev.prev_hash != prev:
            return ChainReport(count, ev.seq, "链接断开：上一条记录被删除、插入或调换")
        if _digest(prev, ev) != ev.hash:
            return ChainReport(count, ev.seq, "内容被改动：记录与其哈希不符")
        prev = ev.hash
    return ChainReport(count, None, None)


def history(session: Session, case_id: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        )
    )
