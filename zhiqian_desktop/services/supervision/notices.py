"""Issuing printed notices (文书) for a case, keeping their PDFs, and recording their service (送达).

A document is numbered, rendered from the court's templates (its own versions are rows of the
database, services/supervision/templates.py), and stored twice over: the data it was made from
(``Document.data_json``: the placeholder values and the complete resolved text) and the PDF,
kept once under its SHA-256 in the database's file store (store/files.py). Re-rendering uses the
stored text, so a later template edit never changes a document already issued. The service date
of the urging notice starts the urging period (催告期), counted under Civil Procedure Law art. 85.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import PeriodEnd, period_end_days
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.kinds import DocumentKind, LicenceStatus, PartyRole, ServiceMethod
from zhiqian_desktop.domain.workflow import DOCUMENTS_AFTER_CLOSING, document_refusal
from zhiqian_desktop.printing.documents import (
    CONTENT_SCHEMA,
    CaseFacts,
    Installment,
    NoticeContent,
    PartyFacts,
    ServedFacts,
    SettlementFacts,
    build_content,
    check_glyphs,
    document_number,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.supervision.attachments import (
    SERVICE_OWNER,
    attach_service_photos,
    attachments_of,
)
from zhiqian_desktop.services.supervision.templates import renderer_for, template_for
from zhiqian_desktop.store.database import Database, database_of
from zhiqian_desktop.store.files import FolderStore, files_dir_for_url
from zhiqian_desktop.store.models import (
    Attachment,
    CourtSettings,
    Document,
    Payment,
    Service,
    Settlement,
    SupervisionCase,
    User,
)
from zhiqian_desktop.store.types import new_id, utcnow

PDF_MEDIA_TYPE = "application/pdf"

CLOSED_CASE_KINDS = DOCUMENTS_AFTER_CLOSING
"""Documents that may still be issued once a case is closed (not archived)."""

REASON_REQUIRED = frozenset({ServiceMethod.SUBSTITUTE, ServiceMethod.LEAVING})
RECIPIENT_REQUIRED = frozenset({ServiceMethod.SUBSTITUTE, ServiceMethod.DIRECT, ServiceMethod.GRID})


@dataclass(frozen=True)
class IssuedDocument:
    id: str
    doc_no: str
    kind: DocumentKind
    case_id: str
    case_no: str
    pdf_sha256: str
    pdf_path: Path | None
    """The stored file, when the store is a folder (None: kept inside the database)."""
    pdf: bytes
    size: int


# --- where the PDFs live -------------------------------------------------------------------------


def files_dir(db: Database) -> Path:
    """The folder beside the database file (court key, kit folder); the contents of PDFs and
    attachments go through ``db.files`` (store/files.py), which may keep them in the database."""
    return files_dir_for_url(db.url)


# --- facts from the database ---------------------------------------------------------------------


def _party_facts(case: SupervisionCase, role: PartyRole) -> tuple[PartyFacts, ...]:
    return tuple(
        PartyFacts(
            name=p.name,
            kind=p.kind,
            id_number=p.id_number,
            address=p.address,
            legal_representative=p.legal_representative,
            registered_capital=p.registered_capital,
            licence_revoked=p.licence_status is LicenceStatus.REVOKED,
        )
        for p in case.parties
        if p.role is role and p.deleted_at is None
    )


def _settlement(session: Session, case_id: str) -> SettlementFacts | None:
    s = session.scalars(
        select(Settlement)
        .where(Settlement.case_id == case_id, Settlement.deleted_at.is_(None))
        .order_by(Settlement.signed_on.desc())
        .limit(1)
    ).first()
    if s is None:
        return None
    return SettlementFacts(
        terms=s.terms,
        default_clause=s.default_clause,
        installments=tuple(
            Installment(i.due_date, i.amount) for i in s.installments if i.deleted_at is None
        ),
    )


def _bankruptcy_grounds(obligors: tuple[PartyFacts, ...]) -> tuple[str, ...]:
    grounds = []
    for p in obligors:
        if p.licence_revoked:
            grounds.append(f"{p.name}的营业执照已被吊销")
    return tuple(grounds)


def case_facts(session: Session, case: SupervisionCase, settings: CourtSettings) -> CaseFacts:
    handler = session.get(User, case.handler_id) if case.handler_id else None
    last_paid = session.scalar(
        select(func.max(Payment.paid_on)).where(
            Payment.case_id == case.id, Payment.deleted_at.is_(None)
        )
    )
    end = urging_period_end(session, case.id)
    obligors = _party_facts(case, PartyRole.OBLIGOR)
    return CaseFacts(
        court_name=settings.court_name,
        case_no=case.case_no,
        original_case_no=case.original_case_no,
        original_doc_type=case.original_doc_type,
        cause=case.cause,
        applicants=_party_facts(case, PartyRole.APPLICANT),
        obligors=obligors,
        amount_due=case.amount_due,
        amount_paid=case.amount_paid,
        obligation_act=case.obligation_act,
        effective_date=case.effective_date,
        performance_deadline=case.performance_deadline,
        department=case.department,
        trial_judge=case.trial_judge,
        urging_days=settings.urging_days,
        urging_end=end.end if end else None,
        handler=handler.display_name if handler else None,
        handler_phone=handler.phone if handler else None,
        court_account=settings.court_account,
        court_address=settings.court_address,
        court_phone=settings.court_phone,
        last_payment_date=last_paid,
        settlement=_settlement(session, case.id),
        bankruptcy_grounds=_bankruptcy_grounds(obligors),
    )


def _served_facts(session: Session, case_id: str, served_document_id: str | None) -> ServedFacts:
    if served_document_id:
        target = session.get(Document, served_document_id)
        if target is None or target.case_id != case_id or target.deleted_at is not None:
            raise NotFound("要送达的文书不存在或不属于本案；请刷新文书列表")
    else:
        target = session.scalars(
            select(Document)
            .where(
                Document.case_id == case_id,
                Document.deleted_at.is_(None),
                Document.voided.is_(False),
                Document.kind != DocumentKind.SERVICE_RECEIPT,
            )
            .order_by(Document.issued_at.desc(), Document.doc_no.desc())
            .limit(1)
        ).first()
        if target is None:
            raise UserError("本案还没有出具可送达的文书；请先出具催告书等文书，再打印送达回证")
    if target.kind is DocumentKind.SERVICE_RECEIPT:
        raise UserError("送达回证本身不需要另开送达回证；请选择被送达的文书")
    content = stored_content(target)
    recipient = content.addressee.rstrip("：:") or content.title
    return ServedFacts(title=content.title, doc_no=target.doc_no, recipient=recipient, address=None)


def _next_doc_no(session: Session, case: SupervisionCase, kind: DocumentKind) -> str:
    taken = set(session.scalars(select(Document.doc_no).where(Document.case_id == case.id)))
    seq = (
        sum(
            1
            for _ in session.scalars(
                select(Document.id).where(Document.case_id == case.id, Document.kind == kind)
            )
        )
        + 1
    )
    while document_number(case.case_no, kind, seq) in taken:
        seq += 1
    return document_number(case.case_no, kind, seq)


def _check_case_state(case: SupervisionCase, kind: DocumentKind) -> None:
    refusal = document_refusal(case.status, kind, case.case_no)
    if refusal is not None:
        raise UserError(refusal)


# --- use cases -----------------------------------------------------------------------------------


@writes
def issue_notice(
    session: Session,
    actor: Actor,
    case_id: str,
    kind: DocumentKind,
    *,
    today: date,
    served_document_id: str | None = None,
    sync: bool = True,
) -> IssuedDocument:
    """Number, render and store one document for a case (PDF + data + audit event).

    With ``sync=False`` the stored PDF is not yet fsynced: the caller must ``sync_files`` it before
    committing (a batch does so once for all its documents)."""
    db = database_of(session)
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    _check_case_state(case, kind)
    settings = get_settings(session)
    renderer = renderer_for(settings)
    facts = case_facts(session, case, settings)
    served = (
        _served_facts(session, case.id, served_document_id)
        if kind is DocumentKind.SERVICE_RECEIPT
        else None
    )
    if served is not None and facts.obligors:
        addresses = {p.name: p.address for p in (*facts.obligors, *facts.applicants)}
        served = ServedFacts(
            served.title, served.doc_no, served.recipient, addresses.get(served.recipient)
        )
    doc_id = new_id()
    doc_no = _next_doc_no(session, case, kind)
    context, content = build_content(
        kind,
        facts,
        doc_id=doc_id,
        doc_no=doc_no,
        issued_on=today,
        served=served,
        template=template_for(session, kind),
    )
    check_glyphs(context, renderer.fonts())
    pdf = renderer.render(content)
    store = db.files
    sha = store.put_bytes(session, pdf, sync=sync)
    path = store.path(sha) if isinstance(store, FolderStore) else None
    data = {
        "schema": CONTENT_SCHEMA,
        "issued_on": today.isoformat(),
        "served_document_id": served_document_id if served else None,
        "context": context,
        "content": content.to_dict(),
    }
    document = Document(
        id=doc_id,
        case_id=case.id,
        kind=kind,
        doc_no=doc_no,
        issued_at=utcnow(),
        issued_by=actor.user_id,
        data_json=json.dumps(data, ensure_ascii=False, sort_keys=True),
        pdf_sha256=sha,
        updated_by=actor.username,
    )
    session.add(document)
    session.add(
        Attachment(
            case_id=case.id,
            owner_kind="document",
            owner_id=doc_id,
            sha256=sha,
            filename=_safe_filename(f"{doc_no}.pdf"),
            media_type=PDF_MEDIA_TYPE,
            size=len(pdf),
            updated_by=actor.username,
        )
    )
    session.flush()
    audit.record_event(
        session,
        actor,
        "issue",
        "document",
        doc_id,
        case_id=case.id,
        after={
            "kind": kind.value,
            "doc_no": doc_no,
            "pdf_sha256": sha,
            "issued_on": today.isoformat(),
        },
    )
    return IssuedDocument(
        id=doc_id,
        doc_no=doc_no,
        kind=kind,
        case_id=case.id,
        case_no=case.case_no,
        pdf_sha256=sha,
        pdf_path=path,
        pdf=pdf,
        size=len(pdf),
    )


def _safe_filename(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)


def _document(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        raise NotFound("该文书不存在或已被删除；请刷新文书列表")
    return document


def _data(document: Document) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(document.data_json or "{}")
    if "content" not in data:
        raise UserError(f"文书{document.doc_no}没有保存生成时的数据，无法重新生成")
    return data


def stored_content(document: Document) -> NoticeContent:
    return NoticeContent.from_dict(_data(document)["content"])


def issued_on(document: Document) -> date:
    return date.fromisoformat(_data(document)["issued_on"])


def render_document(session: Session, document_id: str) -> bytes:
    """The document's PDF drawn again from its stored text (the same bytes with the same fonts)."""
    document = _document(session, document_id)
    return renderer_for(get_settings(session)).render(stored_content(document))


@reads
def stored_pdf(session: Session, document_id: str) -> bytes:
    """The PDF as issued, checked against its SHA-256."""
    db = database_of(session)
    document = _document(session, document_id)
    if not document.pdf_sha256:
        raise UserError(f"文书{document.doc_no}没有保存PDF文件")
    store = db.files
    where = store.where(document.pdf_sha256)
    payload = store.read(session, document.pdf_sha256)
    if payload is None:
        raise UserError(
            f"文书{document.doc_no}的PDF文件“{where}”不存在；可用“重新生成”按保存的数据重新生成"
        )
    if hashlib.sha256(payload).hexdigest() != document.pdf_sha256:
        raise UserError(f"文书{document.doc_no}的PDF文件“{where}”与登记的校验值不符，可能已被改动")
    return payload


@reads
def list_documents(session: Session, case_id: str) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.case_id == case_id, Document.deleted_at.is_(None))
            .order_by(Document.issued_at, Document.doc_no)
        )
    )


@reads
def services_of(session: Session, document_id: str) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.document_id == document_id, Service.deleted_at.is_(None))
            .order_by(Service.served_on)
        )
    )


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@reads
def find_document_by_code(session: Session, code: str) -> Document:
    """The document a scanned QR code (its id) or a typed document number refers to."""
    text = code.strip()
    match = _UUID.search(text.lower())
    document: Document | None = None
    if match:
        document = session.get(Document, match.group(0))
    if document is None and text:
        number = text.replace("(", "（").replace(")", "）")
        document = session.scalars(select(Document).where(Document.doc_no == number)).first()
    if document is None or document.deleted_at is not None:
        raise NotFound(f"没有与“{text[:60]}”对应的文书；请重新扫描二维码或核对文书编号")
    return document


@writes
def record_service(
    session: Session,
    actor: Actor,
    document_id: str,
    method: ServiceMethod,
    served_on: date,
    server: str,
    *,
    recipient: str | None = None,
    address: str | None = None,
    substitute_reason: str | None = None,
    remarks: str | None = None,
    today: date,
    photos: Sequence[Path] = (),
) -> Service:
    """Record how and when a document was served, with the photos taken at the service; the
    urging notice's date starts the period."""
    document = _document(session, document_id)
    case = get_case(session, document.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if document.voided:
        raise UserError(f"文书{document.doc_no}已作废，不能登记送达")
    if services_of(session, document.id):
        raise UserError(f"文书{document.doc_no}已登记过送达；如登记有误，请先撤销原送达记录")
    server = (server or "").strip()
    recipient = (recipient or "").strip() or None
    reason = (substitute_reason or "").strip() or None
    if not server:
        raise UserError("请填写送达人", field="server")
    issued = issued_on(document)
    if served_on < issued:
        raise UserError(
            f"送达日期{served_on.isoformat()}早于文书出具日期{issued.isoformat()}；请核对送达日期",
            field="served_on",
        )
    if served_on > today:
        raise UserError(
            f"送达日期{served_on.isoformat()}晚于今天；不能登记尚未发生的送达", field="served_on"
        )
    if method in REASON_REQUIRED and not reason:
        what = (
            "代收人与受送达人的关系及代收理由"
            if method is ServiceMethod.SUBSTITUTE
            else ("拒收事由及见证人")
        )
        raise UserError(f"{method.label}必须写明{what}", field="substitute_reason")
    if method is ServiceMethod.SUBSTITUTE and not recipient:
        raise UserError("代收送达必须填写代收人姓名", field="recipient")
    if method is ServiceMethod.DIRECT and not recipient:
        recipient = stored_content(document).addressee.rstrip("：:") or None
    service = Service(
        document_id=document.id,
        method=method,
        served_on=served_on,
        server=server,
        recipient=recipient,
        address=(address or "").strip() or None,
        substitute_reason=reason,
        remarks=(remarks or "").strip() or None,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "serve", "service", service, case_id=case.id)
    attach_service_photos(session, actor, service.id, photos)
    return service


def urging_period_end(session: Session, case_id: str) -> PeriodEnd | None:
    """The end of the urging period: settings.urging_days from the first urging notice's service."""
    served_on = session.scalar(
        select(func.min(Service.served_on))
        .join(Document, Document.id == Service.document_id)
        .where(
            Document.case_id == case_id,
            Document.kind == DocumentKind.URGING,
            Document.voided.is_(False),
            Document.deleted_at.is_(None),
            Service.deleted_at.is_(None),
        )
    )
    if served_on is None:
        return None
    settings = get_settings(session)
    return period_end_days(served_on, settings.urging_days, load_calendar(session))


@dataclass(frozen=True)
class DocumentRow:
    """One document as the case page lists it, with its service."""

    id: str
    doc_no: str
    kind: DocumentKind
    issued_on: date
    voided: bool
    served_on: date | None
    method: str
    recipient: str
    photos: int

    @property
    def served(self) -> bool:
        return self.served_on is not None


@dataclass(frozen=True)
class CaseDocuments:
    rows: list[DocumentRow]
    urging_end: PeriodEnd | None


@reads
def case_documents(session: Session, case_id: str) -> CaseDocuments:
    """The case's documents with their service and photos, and the end of its urging period."""
    rows: list[DocumentRow] = []
    for d in list_documents(session, case_id):
        services = services_of(session, d.id)
        s = services[0] if services else None
        photos = len(attachments_of(session, SERVICE_OWNER, s.id)) if s else 0
        try:
            issued = issued_on(d)
        except UserError:
            issued = d.issued_at.date()
        rows.append(
            DocumentRow(
                d.id,
                d.doc_no,
                d.kind,
                issued,
                d.voided,
                s.served_on if s else None,
                s.method.label if s else "",
                (s.recipient or "") if s else "",
                photos,
            )
        )
    return CaseDocuments(rows, urging_period_end(session, case_id))


@dataclass(frozen=True)
class ScannedDocument:
    """The document a scanned code names, as the 扫码登记送达 dialog needs it."""

    id: str
    doc_no: str
    case_id: str
    voided: bool
    service: Service | None


def served_document_id(receipt: Document) -> str | None:
    """The id of the document a 送达回证 was issued for (kept in its stored data)."""
    try:
        data = json.loads(receipt.data_json or "{}")
    except ValueError:
        return None
    served = data.get("served_document_id")
    return str(served) if served else None


@reads
def scanned_document(session: Session, code: str) -> ScannedDocument:
    """The document whose service a scanned code records: the document itself, or for a
    receipt's own code the document that receipt serves."""
    document = find_document_by_code(session, code)
    if document.kind is DocumentKind.SERVICE_RECEIPT:
        served_id = served_document_id(document)
        if served_id is None:
            raise UserError(
                f"{document.doc_no}是送达回证，未记载它所送达的文书；请扫描被送达文书上的二维码"
            )
        document = find_document_by_code(session, served_id)
    served = services_of(session, document.id)
    return ScannedDocument(
        document.id,
        document.doc_no,
        document.case_id,
        document.voided,
        served[0] if served else None,
    )
