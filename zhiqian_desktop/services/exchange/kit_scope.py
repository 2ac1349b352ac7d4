"""What a tribunal's change package may change at the court: only the kit's own cases and the new
cases numbered from its reserved block, the records that belong to them, written by the kit's
users, with audit events of those users dated within the kit's life. A package that steps outside
is refused as a whole, before anything is written (merge.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from zhiqian_desktop.services.exchange.records import MODELS
from zhiqian_desktop.store.archives import PackageRefused
from zhiqian_desktop.store.models import CaseNumberBlock, OfflineKit

CLOCK_SLACK = timedelta(minutes=10)
"""A laptop's clock may run a little ahead of the court's."""
SYSTEM_ACTIONS = frozenset({"open_kit"})
"""What the laptop records as the system rather than as a clerk."""


@dataclass
class Change:
    """One record of a change package, decoded."""

    entity: str
    id: str
    version: int
    values: dict[str, Any]
    """decoded Python values"""
    encoded: dict[str, Any]
    base: dict[str, Any] | None
    """encoded base values, or None for a record created on the laptop"""


@dataclass
class Event:
    """One audit event of a change package, decoded."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    case_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


PARENTS = {"service": ("document", "document_id"), "installment": ("settlement", "settlement_id")}


def _scope(kit: OfflineKit) -> tuple[set[str], dict[str, str]]:
    try:
        data = json.loads(kit.scope_json or "{}")
        cases = {str(c) for c in data.get("cases", [])}
        users = {str(k): str(v) for k, v in dict(data.get("users", {})).items()}
    except (ValueError, TypeError, AttributeError):
        raise PackageRefused("本院记录的该离线包范围已损坏；请联系技术人员") from None
    return cases, users


def _new_cases(
    session: Session, kit: OfflineKit, changes: Sequence[Change], kit_cases: set[str]
) -> set[str]:
    """Cases created on the laptop: unknown at the court, numbered from the kit's block."""
    block = session.get(CaseNumberBlock, kit.block_id) if kit.block_id else None
    created = set()
    for change in changes:
        if change.entity != "supervision_case" or change.id in kit_cases:
            continue
        if session.get(MODELS["supervision_case"], change.id) is not None:
            raise PackageRefused(
                f"变更包修改了不属于该离线包的案件“{change.values.get('case_no')}”；未导入任何数据"
            )
        year, seq = change.values.get("case_year"), change.values.get("case_seq")
        if (
            block is None
            or year != block.year
            or not isinstance(seq, int)
            or not block.first_seq <= seq <= block.last_seq
        ):
            raise PackageRefused(
                f"变更包中新案件“{change.values.get('case_no')}”的案号不在该离线包预留的案号段内"
                "；未导入任何数据"
            )
        created.add(change.id)
    return created


def _case_of(session: Session, change: Change, in_package: Mapping[tuple[str, str], Change]) -> Any:
    if "case_id" in change.values:
        return change.values.get("case_id")
    entity, column = PARENTS[change.entity]
    parent_id = change.values.get(column)
    parent = in_package.get((entity, str(parent_id)))
    if parent is not None:
        return parent.values.get("case_id")
    stored = session.get(MODELS[entity], parent_id) if parent_id else None
    return stored.case_id if stored is not None else None


def check_scope(
    session: Session,
    kit: OfflineKit,
    changes: Sequence[Change],
    events: Sequence[Event],
    now: datetime,
) -> None:
    """Refuse (PackageRefused) a package that reaches outside what ``kit`` may change."""
    kit_cases, users = _scope(kit)
    allowed = kit_cases | _new_cases(session, kit, changes, kit_cases)
    names = set(users.values())
    in_package = {(c.entity, c.id): c for c in changes}
    for change in changes:
        if change.entity != "supervision_case":
            case_id = _case_of(session, change, in_package)
            stored = session.get(MODELS[change.entity], change.id)
            if stored is not None:
                held = Change(change.entity, change.id, 0, _values_of(stored), {}, None)
                stored_case = _case_of(session, held, {})
                if stored_case not in allowed:
                    case_id = stored_case
            if case_id not in allowed:
                raise PackageRefused(
                    f"变更包中的记录（{change.entity} {change.id}）不属于该离线包的案件；未导入任何数据"
                )
        by = change.values.get("updated_by")
        kept = change.base is not None and change.base.get("updated_by") == by
        if by is not None and by not in names and not kept:
            raise PackageRefused(
                f"变更包中的记录由“{by}”修改，该用户不在这个离线包的使用人之列；未导入任何数据"
            )
    start = kit.created_at.replace(microsecond=0)  # events are kept to the second
    for ev in events:
        if not (ev.actor in names or (ev.actor == "system" and ev.action in SYSTEM_ACTIONS)):
            raise PackageRefused(
                f"变更包中的审计记录以“{ev.actor}”的名义记录，该用户不在这个离线包的使用人之列"
                "；未导入任何数据"
            )
        if not start <= ev.at <= now + CLOCK_SLACK:
            raise PackageRefused(
                f"变更包中的审计记录时间（{ev.at.isoformat()}）不在该离线包的使用期间内"
                f"（{start:%Y-%m-%d %H:%M} 导出之后、导入之前）；未导入任何数据"
            )
        if ev.case_id is not None and ev.case_id not in allowed:
            raise PackageRefused("变更包中的审计记录涉及不属于该离线包的案件；未导入任何数据")


def _values_of(record: Any) -> dict[str, Any]:
    return {c.key: getattr(record, c.key) for c in record.__table__.columns}
