"""Conflicts of a merge, as a person sees them: each field with both values in words, and the
choice that resolves it (``resolve_conflict``)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import court_time
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import court_zone
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.exchange.records import (
    COURT,
    MODELS,
    TRIBUNAL,
    columns_of,
    decode_value,
    record_values,
    refresh_cases,
    save_state,
)
from zhiqian_desktop.store.models import (
    MergeConflict,
    SupervisionCase,
)
from zhiqian_desktop.store.types import AwareDateTime, CodeEnum, utcnow

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
    "preservation_application": "保全申请及裁定",
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


def _display(entity: str, name: str, value: Any, zone: tzinfo) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    column = columns_of(entity).get(name)
    if column is not None and isinstance(column.type, CodeEnum):
        with contextlib.suppress(ValueError):
            return str(getattr(column.type.enum_cls(value), "label", value))
    if column is not None and isinstance(column.type, AwareDateTime):
        with contextlib.suppress(ValueError):
            return court_time(datetime.fromisoformat(str(value)), zone)
    return str(value)


def _current_values(session: Session, conflict: MergeConflict) -> dict[str, Any]:
    record = session.get(MODELS[conflict.entity], conflict.record_id)
    if record is None:
        raise NotFound("冲突涉及的记录已不存在；请刷新")
    return record_values(record)


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
    zone = court_zone(session)
    case_no = None
    if conflict.case_id:
        case = session.get(SupervisionCase, conflict.case_id)
        case_no = case.case_no if case is not None else None
    choices = tuple(
        FieldChoice(
            f,
            FIELD_LABELS.get(f, f),
            _display(conflict.entity, f, base.get(f), zone),
            _display(conflict.entity, f, court.get(f), zone),
            _display(conflict.entity, f, tribunal.get(f), zone),
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


@reads
def list_conflicts(session: Session, *, open_only: bool = True) -> list[ConflictView]:
    stmt = select(MergeConflict.id).order_by(MergeConflict.created_at, MergeConflict.id)
    if open_only:
        stmt = stmt.where(MergeConflict.status == "open")
    return [conflict_view(session, cid) for cid in session.scalars(stmt)]


def open_conflict_count(session: Session) -> int:
    return len(
        session.scalars(select(MergeConflict.id).where(MergeConflict.status == "open")).all()
    )


@writes
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
    record = session.get(MODELS[conflict.entity], conflict.record_id)
    if record is None:
        raise UserError("这处冲突所涉的记录已不在数据库中（可能已被删除），无需再处理；请刷新列表")
    columns = columns_of(conflict.entity)
    tribunal = json.loads(conflict.tribunal_json)
    before = audit.snapshot(record)
    taken = [f for f, c in final.items() if c == TRIBUNAL]
    for name in taken:
        setattr(record, name, decode_value(columns[name], tribunal.get(name)))
    record.updated_by = actor.username
    session.flush()
    conflict.status = "resolved"
    conflict.resolved_at = utcnow()
    conflict.resolved_by = actor.username
    conflict.choices_json = json.dumps(final, ensure_ascii=False, sort_keys=True)
    save_state(
        session,
        conflict.kit_id,
        conflict.entity,
        conflict.record_id,
        conflict.tribunal_version,
        tribunal,
        record_values(record),
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
        refresh_cases(session, [conflict.case_id])
    return conflict
