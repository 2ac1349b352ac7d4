"""Issuing printed notices (文书) for a case, keeping their PDFs, and recording their service (送达).

A document is numbered, rendered from the court's templates (its own versions are rows of the
database, services/document_templates.py), and stored twice over: the data it was made from
(``Document.data_json``: the placeholder values and the complete resolved text) and the PDF,
kept once under its SHA-256 in the database's file store (store/files.py). Re-rendering uses the
stored text, so a later template edit never changes a document already issued. The service date
of the urging notice starts the urging period (催告期), counted under Civil Procedure Law art. 85.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import PeriodEnd, period_end_days
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.issuing import addressee_roles, served_on, service_problem
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
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.renderer import NoticeRenderer
from zhiqian_desktop.services import audit
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.calendar import load_calendar
from zhiqian_desktop.services.docket import get_case
from zhiqian_desktop.services.document_templates import template_for
from zhiqian_desktop.services.settings import get_settings
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.files import FolderStore, files_dir_for_url
from zhiqian_desktop.store.models import (
    Attachment,
    CourtSettings,
    Document,
    Party,
    Payment,
    Service,
    Settlement,
    SupervisionCase,
    User,
)
from zhiqian_desktop.store.outputs import check_output_file, check_output_folder, write_output
from zhiqian_desktop.store.types import new_id, utcnow

PDF_MEDIA_TYPE = "application/pdf"

CLOSED_CASE_KINDS = DOCUMENTS_AFTER_CLOSING
"""Documents that may still be issued once a case is closed (not archived)."""


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
        status=case.status,
        act_performed_on=case.act_performed_on,
        urging_served=end is not None,
        livelihood_kind=case.livelihood_kind,
        application_received_on=case.application_received_on,
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


def renderer_for(settings: CourtSettings) -> NoticeRenderer:
    return NoticeRenderer(load_print_fonts(settings.print_font_body, settings.print_font_title))


def addressees_of(session: Session, document: Document) -> list[Party]:
    """The parties a document is served on, one 送达回证 each (none for a record or a letter)."""
    case = get_case(session, document.case_id)
    return [
        p
        for role in addressee_roles(document.kind)
        for p in case.parties
        if p.role is role and p.deleted_at is None
    ]


@dataclass(frozen=True)
class AddresseeService:
    """One addressee of a document and its service, if recorded."""

    party_id: str
    name: str
    address: str | None
    service: Service | None
    """The record that served this addressee: its own, or one made for the whole document
    before receipts were per addressee."""


def service_status(session: Session, document: Document) -> list[AddresseeService]:
    """Each addressee of the document with the service that reached them (None: not yet)."""
    services = services_of(session, document.id)
    whole = next((s for s in services if s.party_id is None), None)
    own = {s.party_id: s for s in reversed(services) if s.party_id is not None}
    return [
        AddresseeService(p.id, p.name, p.address, own.get(p.id, whole))
        for p in addressees_of(session, document)
    ]


@dataclass(frozen=True)
class ServiceSummary:
    """How far a document's service has got: each addressee and the day it counts as served."""

    addressees: tuple[AddresseeService, ...]
    served_on: date | None

    @property
    def reached(self) -> int:
        return sum(1 for a in self.addressees if a.service is not None)

    @property
    def records(self) -> list[Service]:
        """The service records behind it, each once."""
        found = {a.service.id: a.service for a in self.addressees if a.service is not None}
        return list(found.values())

    def lines(self) -> list[str]:
        return [
            f"{a.name}：{a.service.served_on.isoformat()} {a.service.method.label}"
            if a.service is not None
            else f"{a.name}：未送达"
            for a in self.addressees
        ]


def service_summary(session: Session, document: Document) -> ServiceSummary:
    return ServiceSummary(
        tuple(service_status(session, document)), document_served_on(session, document)
    )


def document_served_on(session: Session, document: Document) -> date | None:
    """The day the document counts as served: its last addressee's service (domain rule)."""
    return served_on(
        [p.id for p in addressees_of(session, document)],
        [(s.party_id, s.served_on) for s in services_of(session, document.id)],
    )


def _served_facts(
    session: Session, case_id: str, served_document_id: str | None, party_id: str | None
) -> ServedFacts:
    if not served_document_id:
        raise UserError("送达回证需要指明所送达的文书；请选择要送达的文书")
    target = session.get(Document, served_document_id)
    if target is None or target.case_id != case_id or target.deleted_at is not None:
        raise NotFound("要送达的文书不存在或不属于本案；请刷新文书列表")
    if target.kind is DocumentKind.SERVICE_RECEIPT:
        raise UserError("送达回证本身不需要另开送达回证；请选择被送达的文书")
    if target.voided:
        raise UserError(f"文书{target.doc_no}已作废，不能再出具送达回证")
    parties = addressees_of(session, target)
    if not parties:
        raise UserError(f"{target.kind.label}没有受送达人（不向当事人送达），不出具送达回证")
    if party_id is None:
        if len(parties) > 1:
            names = "、".join(p.name for p in parties)
            raise UserError(
                f"{target.kind.label}{target.doc_no}有{len(parties)}名受送达人（{names}），"
                "每人一份送达回证；请指明受送达人"
            )
        party = parties[0]
    else:
        found = [p for p in parties if p.id == party_id]
        if not found:
            raise UserError(f"所选当事人不是{target.kind.label}{target.doc_no}的受送达人")
        party = found[0]
    content = stored_content(target)
    return ServedFacts(
        title=content.title, doc_no=target.doc_no, recipient=party.name, address=party.address
    )


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


def issue_notice(
    db: Database,
    session: Session,
    actor: Actor,
    case_id: str,
    kind: DocumentKind,
    *,
    today: date,
    served_document_id: str | None = None,
    recipient_party_id: str | None = None,
    sync: bool = True,
) -> IssuedDocument:
    """Number, render and store one document for a case (PDF + data + audit event).

    With ``sync=False`` the stored PDF is not yet fsynced: the caller must ``sync_files`` it before
    committing (a batch does so once for all its documents)."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    _check_case_state(case, kind)
    settings = get_settings(session)
    renderer = renderer_for(settings)
    facts = case_facts(session, case, settings)
    served = (
        _served_facts(session, case.id, served_document_id, recipient_party_id)
        if kind is DocumentKind.SERVICE_RECEIPT
        else None
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
        "recipient_party_id": recipient_party_id if served else None,
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


def issue_receipts(
    db: Database,
    session: Session,
    actor: Actor,
    document_id: str,
    *,
    today: date,
    sync: bool = True,
) -> list[IssuedDocument]:
    """One 送达回证 for each addressee of the document (none for a document with no addressee)."""
    document = _document(session, document_id)
    return [
        issue_notice(
            db,
            session,
            actor,
            document.case_id,
            DocumentKind.SERVICE_RECEIPT,
            today=today,
            served_document_id=document.id,
            recipient_party_id=party.id,
            sync=sync,
        )
        for party in addressees_of(session, document)
    ]


def issue_notice_to_file(
    db: Database,
    actor: Actor,
    case_id: str,
    kind: DocumentKind,
    *,
    today: date,
    output: Path | None = None,
    force: bool = False,
    served_document_id: str | None = None,
    recipient_party_id: str | None = None,
) -> tuple[IssuedDocument, Path]:
    """Issue a document and save a copy of its PDF as one action: ``output``, or <文书编号>.pdf in
    the current folder. The place is checked before the document is numbered, and the file is
    written before the commit: a document that cannot be saved is not issued, and a document
    whose commit fails leaves no file behind (store/outputs.py)."""
    if output is not None:
        output = check_output_file(output, force=force)
    else:
        check_output_folder(Path.cwd(), force=True, what="文书")
    written: Path | None = None
    try:
        with db.unit_of_work() as session:
            issued = issue_notice(
                db,
                session,
                actor,
                case_id,
                kind,
                today=today,
                served_document_id=served_document_id,
                recipient_party_id=recipient_party_id,
            )
            target = output or Path.cwd() / f"{_safe_filename(issued.doc_no)}.pdf"
            written = write_output(target, issued.pdf, force=force)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return issued, written


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


def stored_pdf(db: Database, session: Session, document_id: str) -> bytes:
    """The PDF as issued, checked against its SHA-256."""
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


def list_documents(session: Session, case_id: str) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.case_id == case_id, Document.deleted_at.is_(None))
            .order_by(Document.issued_at, Document.doc_no)
        )
    )


def services_of(session: Session, document_id: str) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.document_id == document_id, Service.deleted_at.is_(None))
            .order_by(Service.served_on)
        )
    )


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


def record_service(
    session: Session,
    actor: Actor,
    document_id: str,
    method: ServiceMethod,
    served_on: date,
    server: str,
    *,
    party_id: str | None = None,
    recipient: str | None = None,
    address: str | None = None,
    substitute_reason: str | None = None,
    remarks: str | None = None,
    witness: str | None = None,
    process_recorded: bool = False,
    today: date | None = None,
) -> Service:
    """Record how and when a document was served on one of its addressees (``party_id``; may be
    left out when there is only one). The urging notice's service starts the urging period."""
    today = today or date.today()
    document = _document(session, document_id)
    case = get_case(session, document.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if document.voided:
        raise UserError(f"文书{document.doc_no}已作废，不能登记送达")
    addressee = _addressee_to_serve(session, document, party_id)
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
    witness = (witness or "").strip() or None
    problem = service_problem(method, recipient, reason, witness, process_recorded)
    if problem is not None:
        raise UserError(problem[1], field=problem[0])
    if method is ServiceMethod.DIRECT and not recipient:
        recipient = addressee.name
    service = Service(
        document_id=document.id,
        party_id=addressee.party_id,
        method=method,
        served_on=served_on,
        server=server,
        recipient=recipient,
        address=(address or "").strip() or None,
        substitute_reason=reason,
        remarks=(remarks or "").strip() or None,
        witness=witness,
        process_recorded=process_recorded,
        updated_by=actor.username,
    )
    session.add(service)
    session.flush()
    audit.record_event(
        session,
        actor,
        "serve",
        "service",
        service.id,
        case_id=case.id,
        after=audit.snapshot(service),
    )
    return service


def _addressee_to_serve(
    session: Session, document: Document, party_id: str | None
) -> AddresseeService:
    """The addressee a new service record is for, or why none may be recorded."""
    status = service_status(session, document)
    if not status:
        raise UserError(
            f"{document.kind.label}{document.doc_no}不向当事人送达（没有受送达人），不登记送达"
        )
    if party_id is None:
        waiting = [a for a in status if a.service is None]
        if len(status) > 1 and len(waiting) != 1:
            names = "、".join(a.name for a in (waiting or status))
            raise UserError(
                f"{document.kind.label}{document.doc_no}有{len(status)}名受送达人，每人分别"
                f"登记送达；请选择本次送达的受送达人（{names}）",
                field="party",
            )
        chosen = waiting[0] if waiting else status[0]
    else:
        found = [a for a in status if a.party_id == party_id]
        if not found:
            raise UserError(
                f"所选当事人不是{document.kind.label}{document.doc_no}的受送达人", field="party"
            )
        chosen = found[0]
    if chosen.service is not None:
        raise UserError(
            f"文书{document.doc_no}已于{chosen.service.served_on.isoformat()}向{chosen.name}"
            "登记过送达；如登记有误，请先撤销原送达记录",
            field="party",
        )
    return chosen


def urging_period_end(session: Session, case_id: str) -> PeriodEnd | None:
    """The end of the urging period: settings.urging_days from the day the first urging notice
    was served on every obligor it names (the period has then begun for each of them)."""
    urging = session.scalars(
        select(Document).where(
            Document.case_id == case_id,
            Document.kind == DocumentKind.URGING,
            Document.voided.is_(False),
            Document.deleted_at.is_(None),
        )
    )
    days = [d for d in (document_served_on(session, u) for u in urging) if d is not None]
    if not days:
        return None
    settings = get_settings(session)
    return period_end_days(min(days), settings.urging_days, load_calendar(session))
