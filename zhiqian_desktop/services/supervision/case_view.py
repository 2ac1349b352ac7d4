"""What the case detail page shows: one case with its records, and its audit trail in words."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import court_time
from zhiqian_desktop.domain.kinds import (
    CaseSource,
    ContactKind,
    DocumentKind,
    LabelledEnum,
    LicenceStatus,
    MessageKind,
    MessageStatus,
    PartyKind,
    PartyRole,
    PaymentMethod,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
    Role,
    ServiceMethod,
    SettlementStatus,
)
from zhiqian_desktop.domain.money import capital_amount, format_amount
from zhiqian_desktop.domain.preservation import measure_status
from zhiqian_desktop.domain.workflow import CaseStatus, is_read_only
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.clock import court_zone
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.supervision.service_records import service_summary
from zhiqian_desktop.store.models import (
    Attachment,
    ContactLog,
    Document,
    Installment,
    Payment,
    Preservation,
    Record,
    Settlement,
    Tribunal,
    User,
)

M = TypeVar("M", bound=Record)


def _live(session: Session, model: type[M], *where: Any, order: Any) -> Sequence[M]:
    """The records of ``model`` matching ``where`` that are not deleted, in ``order``."""
    return session.scalars(
        select(model).where(*where, model.deleted_at.is_(None)).order_by(order)
    ).all()


@dataclass(frozen=True)
class PartyView:
    id: str
    role: str
    kind: str
    name: str
    id_number: str
    phones: str
    address: str
    legal_representative: str
    registered_capital: str
    licence_status: str


@dataclass(frozen=True)
class RecordTable:
    """Rows of one kind of record, already in words, for a read-only table."""

    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    wide: int = -1
    """The column of free text that takes the spare width (summary, address); -1 the last."""


@dataclass(frozen=True)
class CaseView:
    id: str
    version: int
    case_no: str
    status: CaseStatus
    read_only: bool
    source: str
    original_case_no: str
    original_doc_type: str
    cause: str
    effective_date: date | None
    performance_deadline: date | None
    final_installment_date: date | None
    application_received_on: date | None
    act_performed_on: date | None
    department: str
    trial_judge: str
    amount_due: Decimal
    amount_paid: Decimal
    outstanding: Decimal
    obligation_act: str
    livelihood: bool
    livelihood_kind: str
    handler: str
    tribunal: str
    received_date: date
    closed_date: date | None
    days_in_supervision: int
    next_due_date: date | None
    notes: str
    obligors: str
    parties: list[PartyView]
    contacts: RecordTable
    documents: RecordTable
    payments: RecordTable
    settlements: RecordTable
    preservations: RecordTable
    attachments: RecordTable

    @property
    def amount_due_text(self) -> str:
        return f"{format_amount(self.amount_due)}（{capital_amount(self.amount_due)}）"

    @property
    def amount_paid_text(self) -> str:
        return f"{format_amount(self.amount_paid)}（{capital_amount(self.amount_paid)}）"

    @property
    def outstanding_text(self) -> str:
        if self.outstanding <= 0:
            return format_amount(max(self.outstanding, Decimal("0.00")))
        return f"{format_amount(self.outstanding)}（{capital_amount(self.outstanding)}）"


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _t(value: datetime | None, zone: tzinfo) -> str:
    return court_time(value, zone) if value else ""


def _money(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else ""


@reads
def case_view(session: Session, case_id: str, *, today: date) -> CaseView:
    """The case and every record the detail page's tabs show, in one read."""
    case = get_case(session, case_id)
    zone = court_zone(session)
    names = {uid: n for uid, n in session.execute(select(User.id, User.display_name))}
    parties = [
        PartyView(
            id=p.id,
            role=p.role.label,
            kind=p.kind.label,
            name=p.name,
            id_number=p.id_number or "",
            phones=p.phones or "",
            address=p.address or "",
            legal_representative=p.legal_representative or "",
            registered_capital=_money(p.registered_capital),
            licence_status=p.licence_status.label if p.licence_status else "",
        )
        for p in case.parties
    ]
    party_names = {p.id: p.name for p in case.parties}
    end = case.closed_date or today
    contacts = RecordTable(
        (
            "时间",
            "方式",
            "承办人",
            "联系对象",
            "号码/地点",
            "是否联系上",
            "内容摘要",
            "承诺",
            "下次跟进",
        ),
        wide=6,
    )
    for c in _live(
        session, ContactLog, ContactLog.case_id == case.id, order=ContactLog.contacted_at
    ):
        promise = " ".join(x for x in (_money(c.promise_amount), _d(c.promise_date)) if x)
        who = c.contact_name or party_names.get(c.party_id or "", "")
        contacts.rows.append(
            (
                _t(c.contacted_at, zone),
                c.kind.label,
                names.get(c.handler_id or "", ""),
                who,
                c.number_or_place or "",
                "是" if c.reached else "否",
                c.summary,
                promise,
                _d(c.next_follow_up),
            )
        )
    documents = RecordTable(("文书编号", "文书", "制作时间", "送达情况", "状态"), wide=3)
    for d in _live(session, Document, Document.case_id == case.id, order=Document.issued_at):
        # Per addressee: each is served apart, on a receipt of their own.
        summary = service_summary(session, d)
        documents.rows.append(
            (
                d.doc_no,
                d.kind.label,
                _t(d.issued_at, zone),
                "；".join(summary.lines()) or "—",
                "已作废" if d.voided else "有效",
            )
        )
    payments = RecordTable(("日期", "金额", "方式", "付款人", "备注"), wide=4)
    for pay in _live(session, Payment, Payment.case_id == case.id, order=Payment.paid_on):
        payments.rows.append(
            (_d(pay.paid_on), _money(pay.amount), pay.method.label, pay.payer or "", pay.note or "")
        )
    settlements = RecordTable(("签订日期", "和解金额", "分期", "状态", "主要条款"))
    for s in _live(session, Settlement, Settlement.case_id == case.id, order=Settlement.signed_on):
        parts = _live(
            session, Installment, Installment.settlement_id == s.id, order=Installment.seq
        )
        plan = "；".join(f"{i.due_date.isoformat()} {_money(i.amount)}" for i in parts)
        settlements.rows.append(
            (_d(s.signed_on), _money(s.total_amount), plan or "一次性", s.status.label, s.terms)
        )
    preservations = RecordTable(("财产类型", "财产", "保全日期", "到期日", "金额", "状态"), wide=1)
    for pr in _live(
        session, Preservation, Preservation.case_id == case.id, order=Preservation.frozen_on
    ):
        preservations.rows.append(
            (
                pr.kind.label,
                pr.description,
                _d(pr.frozen_on),
                _d(pr.expires_on),
                _money(pr.amount),
                measure_status(pr.released_on, pr.release_reason),
            )
        )
    attachments = RecordTable(("文件名", "类型", "大小", "添加时间"), wide=0)
    for a in _live(session, Attachment, Attachment.case_id == case.id, order=Attachment.created_at):
        attachments.rows.append((a.filename, a.media_type, _size(a.size), _t(a.created_at, zone)))
    return CaseView(
        id=case.id,
        version=case.version,
        case_no=case.case_no,
        status=case.status,
        read_only=is_read_only(case.status),
        source=case.source.label,
        original_case_no=case.original_case_no,
        original_doc_type=case.original_doc_type,
        cause=case.cause,
        effective_date=case.effective_date,
        performance_deadline=case.performance_deadline,
        final_installment_date=case.final_installment_date,
        application_received_on=case.application_received_on,
        act_performed_on=case.act_performed_on,
        department=case.department or "",
        trial_judge=case.trial_judge or "",
        amount_due=case.amount_due,
        amount_paid=case.amount_paid,
        outstanding=case.amount_due - case.amount_paid,
        obligation_act=case.obligation_act or "",
        livelihood=case.livelihood,
        livelihood_kind=case.livelihood_kind or "",
        handler=names.get(case.handler_id or "", ""),
        tribunal=case.tribunal.name if case.tribunal else "",
        received_date=case.received_date,
        closed_date=case.closed_date,
        days_in_supervision=max((end - case.received_date).days, 0),
        next_due_date=case.next_due_date,
        notes=case.notes or "",
        obligors=case.obligor_names,
        parties=parties,
        contacts=contacts,
        documents=documents,
        payments=payments,
        settlements=settlements,
        preservations=preservations,
        attachments=attachments,
    )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


# --- the audit trail in words --------------------------------------------------------------------

ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "set": "设置",
    "status": "变更状态",
    "reopen": "重新开启",
    "assign": "分案",
    "import": "导入",
    "merge": "合并",
}
ENTITY_LABELS = {
    "case": "案件",
    "party": "当事人",
    "contact": "督促记录",
    "contact_log": "督促记录",
    "document": "文书",
    "service": "送达",
    "payment": "履行款",
    "settlement": "和解协议",
    "installment": "分期",
    "preservation": "保全",
    "preservation_application": "执行前保全",
    "mediator": "调解员",
    "mediation": "委托调解",
    "outbox_message": "短信",
    "attachment": "附件",
    "tribunal": "法庭",
    "user": "用户",
    "court_settings": "法院设置",
    "calendar_year": "节假日表",
}
FIELD_LABELS = {
    "case_no": "案号",
    "status": "状态",
    "source": "案件来源",
    "original_case_no": "原审案号",
    "original_doc_type": "生效文书",
    "cause": "案由",
    "effective_date": "生效日期",
    "performance_deadline": "履行期限",
    "final_installment_date": "最后一期履行期限",
    "application_received_on": "申请执行书收到日期",
    "act_performed_on": "行为义务履行日期",
    "department": "审判庭",
    "trial_judge": "原审法官",
    "amount_due": "给付金额",
    "amount_paid": "已履行金额",
    "obligation_act": "非金钱义务",
    "livelihood": "涉民生",
    "livelihood_kind": "涉民生类型",
    "handler_id": "承办人",
    "tribunal_id": "法庭",
    "received_date": "收案日期",
    "closed_date": "结案日期",
    "close_reason": "结案理由",
    "notes": "备注",
    "next_due_date": "下一到期日",
    "role": "诉讼地位",
    "kind": "类型",
    "name": "名称",
    "id_number": "证件号码",
    "phones": "联系电话",
    "address": "地址",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资本",
    "licence_status": "登记状态",
    "paid_on": "付款日期",
    "amount": "金额",
    "method": "方式",
    "payer": "付款人",
    "note": "备注",
    "summary": "内容摘要",
    "contacted_at": "时间",
    "reached": "是否联系上",
    "promise_amount": "承诺金额",
    "promise_date": "承诺日期",
    "next_follow_up": "下次跟进",
    "doc_no": "文书编号",
    "filename": "文件名",
    "voided": "作废",
    "display_name": "姓名",
    "username": "用户名",
    "active": "启用",
    "mediator_id": "调解员",
    "entrusted_on": "委托日期",
    "period_days": "调解期限（日）",
    "ends_on": "调解期限届满日",
    "matters": "委托调解事项",
    "result": "调解结果",
    "result_on": "结果日期",
    "result_note": "结果说明",
    "organisation": "所属组织",
    "townships": "辖区乡镇",
    "assignment_rule": "分案规则",
    "assignment_causes": "按案由分案的承办人",
    "phone": "手机号码",
    "text": "短信内容",
    "for_date": "日期",
    "reminder_of": "提醒的履行",
    "approved_by": "审核人",
    "approved_at": "审核时间",
    "batch": "导出批次",
    "ref": "消息编号",
    "exported_at": "导出时间",
    "result_at": "结果读回时间",
    "reminder_lead_days": "履行提醒提前天数",
    "applicant_id": "申请人",
    "applied_on": "申请日期",
    "clues": "财产线索",
    "reason": "申请理由",
    "ruling_no": "裁定书案号",
    "ruling_seq": "裁定序号",
    "ruled_on": "裁定日期",
    "ruled_amount": "裁定保全数额",
    "judge": "审判员",
    "measure": "保全措施",
    "holder": "协助执行单位",
    "description": "财产",
    "frozen_on": "保全日期",
    "expires_on": "保全期限届满日",
    "released_on": "解除日期",
    "release_reason": "解除理由",
    "release_note": "解除说明",
    "application_id": "保全裁定",
}
# Bookkeeping columns that say nothing to a clerk reading the history.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "version",
        "updated_by",
        "deleted_at",
        "case_id",
        "case_year",
        "case_seq",
        "obligor_names",
        "position",
        "created_at",
        "updated_at",
        "password_hash",
        "search_text",
        "contact_log_id",
    }
)
ENUMS: dict[str, tuple[type[LabelledEnum], ...]] = {
    "status": (CaseStatus, SettlementStatus),
    "source": (CaseSource,),
    "role": (PartyRole, Role),
    "kind": (PartyKind, ContactKind, DocumentKind, PreservationKind),
    "licence_status": (LicenceStatus,),
    "method": (PaymentMethod, ServiceMethod),
    "measure": (PreservationMeasure,),
    "release_reason": (ReleaseReason,),
}
ENTITY_ENUMS: dict[str, dict[str, tuple[type[LabelledEnum], ...]]] = {
    "outbox_message": {"status": (MessageStatus,), "kind": (MessageKind,)},
}
"""Where one record's codes would read as another's (a message 发送失败, a case 督促不成)."""
MONEY_FIELDS = frozenset(
    {
        "amount_due",
        "amount_paid",
        "registered_capital",
        "amount",
        "promise_amount",
        "total_amount",
        "ruled_amount",
    }
)


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    who: str
    what: str
    changes: list[Change]


class _Namer:
    def __init__(self, session: Session) -> None:
        self.users_by_id = {i: n for i, n in session.execute(select(User.id, User.display_name))}
        self.users_by_name = {
            u: n for u, n in session.execute(select(User.username, User.display_name))
        }
        self.tribunals = {i: n for i, n in session.execute(select(Tribunal.id, Tribunal.name))}

    def value(self, key: str, value: Any, entity: str = "") -> str:
        if value is None or value == "":
            return "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        if key == "handler_id":
            return str(self.users_by_id.get(value, "（已删除的用户）"))
        if key == "tribunal_id":
            return str(self.tribunals.get(value, "（已删除的法庭）"))
        if key in MONEY_FIELDS:
            try:
                return format_amount(Decimal(str(value)))
            except (InvalidOperation, ValueError):
                return str(value)
        for enum in ENTITY_ENUMS.get(entity, {}).get(key) or ENUMS.get(key, ()):
            member = enum._value2member_map_.get(str(value))
            if isinstance(member, LabelledEnum):
                return member.label
        return str(value)

    def who(self, username: str) -> str:
        if username == "system":
            return "系统"
        name = self.users_by_name.get(username)
        return f"{name}（{username}）" if name and name != username else username


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def _in_form_order(values: dict[str, Any]) -> list[str]:
    """Keys in the order the form shows them (FIELD_LABELS order), unknown keys last."""
    order = {key: i for i, key in enumerate(FIELD_LABELS)}
    return sorted(values, key=lambda k: (order.get(k, len(order)), k))


def _field_changes(
    namer: _Namer,
    before: dict[str, Any],
    after: dict[str, Any],
    prefix: str = "",
    entity: str = "",
) -> list[Change]:
    out: list[Change] = []
    for key in _in_form_order({**before, **after}):
        if key in HIDDEN_FIELDS or key == "parties":
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        out.append(
            Change(
                prefix + _label(key),
                namer.value(key, old, entity) if key in before else "",
                namer.value(key, new, entity) if key in after else "",
            )
        )
    return out


def _party_changes(namer: _Namer, before: list[Any], after: list[Any]) -> list[Change]:
    old = {p.get("id"): p for p in before if isinstance(p, dict)}
    new = {p.get("id"): p for p in after if isinstance(p, dict)}
    out: list[Change] = []
    for pid, p in new.items():
        role = namer.value("role", p.get("role"))
        if pid not in old:
            out.append(Change(f"当事人（{role}）", "", f"新增：{p.get('name', '')}"))
        else:
            prefix = f"{role}{old[pid].get('name', '')}："
            out.extend(_field_changes(namer, old[pid], p, prefix))
    for pid, p in old.items():
        if pid not in new:
            role = namer.value("role", p.get("role"))
            out.append(Change(f"当事人（{role}）", str(p.get("name", "")), "已删除"))
    return out


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


@reads
def readable_history(session: Session, case_id: str) -> list[HistoryEntry]:
    """The case's audit events, oldest first, as who / when / what / before → after in Chinese."""
    namer = _Namer(session)
    zone = court_zone(session)
    entries: list[HistoryEntry] = []
    for ev in audit.history(session, case_id):
        before, after = _load(ev.before_json), _load(ev.after_json)
        what = ACTION_LABELS.get(ev.action, ev.action) + ENTITY_LABELS.get(ev.entity, ev.entity)
        if ev.entity == "case" and ev.action == "create":
            what = f"登记案件 {after.get('case_no', '')}".strip()
            skip = {"parties", "status", "amount_paid", "next_due_date", "case_no"}
            changes = [
                Change(_label(k), "", namer.value(k, after[k]))
                for k in _in_form_order(after)
                if k not in HIDDEN_FIELDS
                and k not in skip
                and after[k] not in (None, "")
                and after[k] is not False
            ]
            for p in after.get("parties", []):
                if isinstance(p, dict):
                    role = namer.value("role", p.get("role"))
                    changes.append(Change(f"当事人（{role}）", "", str(p.get("name", ""))))
        else:
            changes = _field_changes(namer, before, after, entity=ev.entity)
            changes += _party_changes(namer, before.get("parties", []), after.get("parties", []))
        entries.append(
            HistoryEntry(at=_t(ev.at, zone), who=namer.who(ev.actor), what=what, changes=changes)
        )
    return entries
