"""What a transfer package (and the archive dossier) says about a case: its records collected once,
the dates and amounts as printed, and the case data of the package's manifest."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import DueKind, court_date, court_time
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MESSAGE_LOGS, DocumentKind
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.transfer import propose_transfer_reason
from zhiqian_desktop.services.closing.outcomes import (
    active_settlement,
    installment_status,
    missed_installments,
    performed_percent,
)
from zhiqian_desktop.services.core.clock import court_zone
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.supervision import service_records
from zhiqian_desktop.store.files import FileStore
from zhiqian_desktop.store.models import (
    Attachment,
    ContactLog,
    Document,
    DueEntry,
    Payment,
    Preservation,
    PreservationApplication,
    Service,
    Settlement,
    SupervisionCase,
    User,
)

SCHEMA = "zhiqian.transfer/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
"""The court's Ed25519 signature over manifest.json (services/core/signing.py)."""

INDEX_NAME = "00-卷内目录.pdf"
LETTER_NAME = "01-移送执行函.pdf"
SUMMARY_NAME = "02-案件情况摘要.pdf"
RECORD_NAME = "03-督促过程记录.pdf"
DOCUMENTS_DIR = "04-文书及送达回证"
PAYMENTS_NAME = "05-履行款及和解情况.pdf"
PROPERTY_NAME = "06-保全措施及财产线索.pdf"
ATTACHMENTS_DIR = "07-附件"
MAX_MANIFEST_BYTES = 64 * 1024**2

PROPERTY_WORDS = re.compile(
    r"财产|房产|房屋|车辆|存款|账户|工资|收入|股权|土地|厂房|设备|租金|应收"
)


# --- writing ---------------------------------------------------------------------------------------


@dataclass
class PackedFile:
    path: str
    kind: str
    title: str
    sha256: str
    size: int
    pages: int | None = None
    source_id: str | None = None


# --- the data -----------------------------------------------------------------------------------


def date_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def time_text(value: datetime | None, zone: tzinfo) -> str | None:
    return value.astimezone(zone).isoformat() if value else None


def local_time_text(value: datetime, zone: tzinfo) -> str:
    return court_time(value, zone)


def money_value(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def money_text(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else ""


def code_value(value: Any) -> dict[str, str] | None:
    return None if value is None else {"code": value.value, "label": value.label}


@dataclass
class CaseRecords:
    """Everything read from the database for one package (read inside the transaction)."""

    court_name: str
    court_code: str
    case: SupervisionCase
    handler: str
    names: dict[str, str]
    contacts: list[ContactLog]
    documents: list[Document]
    services: dict[str, list[Service]]
    payments: list[Payment]
    settlements: list[Settlement]
    preservations: list[Preservation]
    attachments: list[Attachment]
    zone: tzinfo
    """The court's time zone: the day and time each record is shown at."""
    receipts_for: dict[str, list[Document]] = field(default_factory=dict)
    served_on: dict[str, date | None] = field(default_factory=dict)
    """Per document, the day its last addressee was served (service_records.document_served_on)."""


def collect_records(session: Session, case_id: str) -> CaseRecords:
    case = get_case(session, case_id)
    settings = get_settings(session)
    names = {uid: n for uid, n in session.execute(select(User.id, User.display_name))}

    def live(model: Any) -> Any:
        return (model.case_id == case_id, model.deleted_at.is_(None))

    documents = list(
        session.scalars(
            select(Document).where(*live(Document)).order_by(Document.issued_at, Document.doc_no)
        )
    )
    services: dict[str, list[Service]] = {}
    if documents:
        for s in session.scalars(
            select(Service)
            .where(Service.document_id.in_([d.id for d in documents]), Service.deleted_at.is_(None))
            .order_by(Service.served_on)
        ):
            services.setdefault(s.document_id, []).append(s)
    receipts_for: dict[str, list[Document]] = {}
    for d in documents:
        if d.kind is DocumentKind.SERVICE_RECEIPT:
            target = json.loads(d.data_json or "{}").get("served_document_id")
            receipts_for.setdefault(target or "", []).append(d)
    return CaseRecords(
        zone=court_zone(session),
        court_name=settings.court_name,
        court_code=settings.court_code,
        case=case,
        handler=names.get(case.handler_id or "", ""),
        names=names,
        contacts=list(
            session.scalars(
                select(ContactLog)
                .where(*live(ContactLog))
                .order_by(ContactLog.contacted_at, ContactLog.created_at)
            )
        ),
        documents=documents,
        services=services,
        served_on={d.id: service_records.document_served_on(session, d) for d in documents},
        payments=list(
            session.scalars(
                select(Payment).where(*live(Payment)).order_by(Payment.paid_on, Payment.created_at)
            )
        ),
        settlements=list(
            session.scalars(
                select(Settlement).where(*live(Settlement)).order_by(Settlement.signed_on)
            )
        ),
        preservations=list(
            session.scalars(
                select(Preservation).where(*live(Preservation)).order_by(Preservation.frozen_on)
            )
        ),
        attachments=list(
            session.scalars(
                select(Attachment)
                .where(*live(Attachment))
                .order_by(Attachment.created_at, Attachment.filename)
            )
        ),
        receipts_for=receipts_for,
    )


def issued_day(d: Document, zone: tzinfo) -> str:
    """The date the document bears (its issue date as printed), else when it was made."""
    try:
        return service_records.issued_on(d).isoformat()
    except (UserError, KeyError, TypeError, ValueError):
        return court_date(d.issued_at, zone).isoformat()


def document_title(d: Document) -> str:
    try:
        return service_records.stored_content(d).title or d.kind.label
    except (UserError, KeyError, TypeError, ValueError):
        return d.kind.label


def manifest_case(data: CaseRecords, session: Session, today: date) -> dict[str, Any]:
    """The case data of the manifest (schema zhiqian.transfer/1, see docs/transfer-package.md)."""
    c = data.case
    parties = {p.id: p.name for p in c.parties}
    contacts_by_id = {x.id: x for x in data.contacts}
    rulings = {
        a.id: a.ruling_no
        for a in session.scalars(
            select(PreservationApplication).where(PreservationApplication.case_id == c.id)
        )
        if a.ruling_no
    }
    return {
        "id": c.id,
        "case_no": c.case_no,
        "status": code_value(c.status),
        "source": code_value(c.source),
        "original_case_no": c.original_case_no,
        "original_doc_type": c.original_doc_type,
        "cause": c.cause,
        "effective_date": date_text(c.effective_date),
        "performance_deadline": date_text(c.performance_deadline),
        "final_installment_date": date_text(c.final_installment_date),
        "application_received_on": date_text(c.application_received_on),
        "act_performed_on": date_text(c.act_performed_on),
        "department": c.department,
        "trial_judge": c.trial_judge,
        "received_date": date_text(c.received_date),
        "closed_date": date_text(c.closed_date),
        "close_reason": c.close_reason,
        "handler": data.handler or None,
        "tribunal": c.tribunal.name if c.tribunal else None,
        "livelihood": c.livelihood,
        "livelihood_kind": c.livelihood_kind,
        "amount_due": money_value(c.amount_due),
        "amount_paid": money_value(c.amount_paid),
        "amount_outstanding": money_value(max(c.amount_due - c.amount_paid, Decimal("0.00"))),
        "performed_percent": str(performed_percent(c)),
        "obligation_act": c.obligation_act,
        "notes": c.notes,
        "parties": [
            {
                "id": p.id,
                "role": code_value(p.role),
                "kind": code_value(p.kind),
                "name": p.name,
                "id_number": p.id_number,
                "phones": [x for x in (p.phones or "").split("、") if x],
                "address": p.address,
                "legal_representative": p.legal_representative,
                "registered_capital": money_value(p.registered_capital),
                "licence_status": code_value(p.licence_status),
            }
            for p in c.parties
        ],
        "contacts": [
            {
                "id": x.id,
                "kind": code_value(x.kind),
                "contacted_at": time_text(x.contacted_at, data.zone),
                "handler": data.names.get(x.handler_id or "") or None,
                "contact_name": x.contact_name,
                "number_or_place": x.number_or_place,
                "reached": x.reached,
                "summary": x.summary,
                "promise_amount": money_value(x.promise_amount),
                "promise_date": date_text(x.promise_date),
                "next_follow_up": date_text(x.next_follow_up),
                "others_present": x.others_present,
                "corrects_id": x.corrects_id if x.corrects_id in contacts_by_id else None,
            }
            for x in data.contacts
        ],
        "documents": [
            {
                "id": d.id,
                "kind": code_value(d.kind),
                "doc_no": d.doc_no,
                "title": document_title(d),
                "issued_at": time_text(d.issued_at, data.zone),
                "pdf_sha256": d.pdf_sha256,
                "voided": d.voided,
                "services": [
                    {
                        "id": s.id,
                        "party_id": s.party_id,
                        "addressee": parties.get(s.party_id or ""),
                        "method": code_value(s.method),
                        "served_on": date_text(s.served_on),
                        "server": s.server,
                        "recipient": s.recipient,
                        "address": s.address,
                        "substitute_reason": s.substitute_reason,
                        "witness": s.witness,
                        "process_recorded": s.process_recorded,
                        "remarks": s.remarks,
                    }
                    for s in data.services.get(d.id, [])
                ],
            }
            for d in data.documents
        ],
        "payments": [
            {
                "id": p.id,
                "paid_on": date_text(p.paid_on),
                "amount": money_value(p.amount),
                "method": code_value(p.method),
                "payer": p.payer,
                "note": p.note,
                "overpayment_confirmed": p.overpayment_confirmed,
            }
            for p in data.payments
        ],
        "settlements": [
            {
                "id": s.id,
                "signed_on": date_text(s.signed_on),
                "terms": s.terms,
                "default_clause": s.default_clause,
                "guarantee": s.guarantee,
                "total_amount": money_value(s.total_amount),
                "status": code_value(s.status),
                "installments": [
                    {
                        "seq": st.seq,
                        "due_date": date_text(st.due_date),
                        "amount": money_value(st.amount),
                        "paid": money_value(st.paid),
                        "status": st.status.value,
                        "status_label": st.label,
                    }
                    for st in installment_status(session, s.id, today)
                ],
            }
            for s in data.settlements
        ],
        "preservations": [
            {
                "id": p.id,
                "kind": code_value(p.kind),
                "description": p.description,
                "frozen_on": date_text(p.frozen_on),
                "expires_on": date_text(p.expires_on),
                "amount": money_value(p.amount),
                "measure": code_value(p.measure) if p.measure else None,
                "holder": p.holder,
                "ruling_no": rulings.get(p.application_id or ""),
                "released_on": date_text(p.released_on),
                "release_reason": code_value(p.release_reason) if p.release_reason else None,
            }
            for p in data.preservations
        ],
    }


def font_settings(session: Session) -> tuple[str | None, str | None]:
    s = get_settings(session)
    return s.print_font_body, s.print_font_title


def attachment_source(
    store: FileStore, session: Session, a: Attachment
) -> Callable[[], bytes | Path]:
    """The attachment's content when the package is written: a file to stream from (a folder
    store) or its bytes (a store inside the database)."""

    def produce() -> bytes | Path:
        source = store.source(session, a.sha256)
        size = (
            None
            if source is None
            else len(source)
            if isinstance(source, bytes)
            else source.stat().st_size
        )
        if source is None or size != a.size:
            raise UserError(
                f"附件“{a.filename}”的文件在附件库中缺失或大小不符（{store.where(a.sha256)}）；"
                "移送材料必须完整，请从备份恢复附件库后再移送"
            )
        return source

    return produce


@reads
def proposed_transfer_reason(session: Session, case_id: str, today: date) -> str:
    """督促不成的理由 as the case shows it (``domain.transfer.propose_transfer_reason``); the
    reason already given when the case was marked 督促不成, if it was."""
    case = get_case(session, case_id)
    if case.close_reason:
        return case.close_reason
    limit_end = session.scalar(
        select(DueEntry.due_date).where(
            DueEntry.case_id == case_id, DueEntry.kind == DueKind.SUPERVISION_LIMIT.value
        )
    )
    urged = session.scalar(
        select(func.count(ContactLog.id)).where(
            ContactLog.case_id == case_id,
            ContactLog.deleted_at.is_(None),
            ContactLog.corrects_id.is_(None),
            ContactLog.kind.not_in([k.value for k in MESSAGE_LOGS]),
        )
    )
    settlement = active_settlement(session, case_id)
    missed = (
        [(i.seq, i.due_date) for i in missed_installments(session, settlement.id, today)]
        if settlement is not None
        else []
    )
    return propose_transfer_reason(
        today=today,
        limit_end=limit_end,
        urged=int(urged or 0),
        amount_due=case.amount_due,
        amount_paid=case.amount_paid,
        missed=missed,
    )
