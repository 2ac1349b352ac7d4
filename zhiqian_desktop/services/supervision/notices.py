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
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import PeriodEnd, period_end_days
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.kinds import DocumentKind, LicenceStatus, PartyRole
from zhiqian_desktop.domain.workflow import DOCUMENTS_AFTER_CLOSING, document_refusal
from zhiqian_desktop.printing.documents import (
    CONTENT_SCHEMA,
    CaseFacts,
    Installment,
    MediationFacts,
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
from zhiqian_desktop.services.intake.docket import find_case, get_case
from zhiqian_desktop.services.supervision.attachments import (
    SERVICE_OWNER,
    attachments_of,
)
from zhiqian_desktop.services.supervision.mediation import pending_mediation
from zhiqian_desktop.services.supervision.preservation import preservation_facts
from zhiqian_desktop.services.supervision.service_records import (
    _document,
    addressees_of,
    document_served_on,
    find_document_by_code,
    issued_on,
    service_summary,
    stored_content,
)
from zhiqian_desktop.services.supervision.templates import renderer_for, template_for
from zhiqian_desktop.store.database import Database, database_of
from zhiqian_desktop.store.files import FolderStore, files_dir_for_url
from zhiqian_desktop.store.models import (
    Attachment,
    CourtSettings,
    Document,
    Payment,
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
        mediation=_mediation(session, case.id),
    )


def _mediation(session: Session, case_id: str) -> MediationFacts | None:
    """The case's entrustment still waiting for its result (the 委托调解函 is about it)."""
    row = pending_mediation(session, case_id)
    if row is None:
        return None
    return MediationFacts(row.mediator, row.entrusted_on, row.period_days, row.ends_on, row.matters)


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


_RESERVED = "zhiqian.reserved_doc_nos"
"""session.info: numbers given to prepared documents not yet stored (doc_no → case id, kind)."""


def _next_doc_no(session: Session, case: SupervisionCase, kind: DocumentKind) -> str:
    pending = session.info.get(_RESERVED, {})
    reserved = {no for no, owner in pending.items() if owner == (case.id, kind)}
    taken = set(session.scalars(select(Document.doc_no).where(Document.case_id == case.id)))
    seq = (
        sum(
            1
            for _ in session.scalars(
                select(Document.id).where(Document.case_id == case.id, Document.kind == kind)
            )
        )
        + len(reserved)
        + 1
    )
    while document_number(case.case_no, kind, seq) in taken | reserved:
        seq += 1
    return document_number(case.case_no, kind, seq)


def _ruling_doc_no(session: Session, ruling_no: str) -> str:
    """A ruling is printed under its own number, once (a later copy is printed from the list)."""
    if session.scalar(select(Document.id).where(Document.doc_no == ruling_no)) is not None:
        raise UserError(f"裁定书{ruling_no}已出具；需要再打印时请在文书列表中打开该文书")
    return ruling_no


def _check_case_state(case: SupervisionCase, kind: DocumentKind) -> None:
    refusal = document_refusal(case.status, kind, case.case_no)
    if refusal is not None:
        raise UserError(refusal)


# --- use cases -----------------------------------------------------------------------------------


@dataclass
class PreparedDocument:
    """A document numbered and its text resolved, not yet drawn or stored: what a renderer needs
    (``content``, plain values) and what ``store_document`` writes once the PDF exists."""

    id: str
    doc_no: str
    kind: DocumentKind
    case_id: str
    case_no: str
    content: NoticeContent
    data: dict[str, Any]
    """The stored ``Document.data_json``: the placeholder values and the resolved text."""


@writes
def issue_notice(
    session: Session,
    actor: Actor,
    case_id: str,
    kind: DocumentKind,
    *,
    today: date,
    served_document_id: str | None = None,
    recipient_party_id: str | None = None,
    sync: bool = True,
    notes: Sequence[str] = (),
    record_id: str | None = None,
) -> IssuedDocument:
    """Number, render and store one document for a case (PDF + data + audit event).

    ``record_id``: the record a preservation document is about (the ruling's application, or
    the measure a 协助执行通知书 is for). With ``sync=False`` the stored PDF is not yet fsynced:
    the caller must ``sync_files`` it before committing (a batch does so once for all its
    documents)."""
    prepared = prepare_document(
        session,
        actor,
        case_id,
        kind,
        today=today,
        served_document_id=served_document_id,
        recipient_party_id=recipient_party_id,
        notes=notes,
        record_id=record_id,
    )
    pdf = renderer_for(get_settings(session)).render(prepared.content)
    return store_document(session, actor, prepared, pdf, sync=sync)


@writes
def prepare_document(
    session: Session,
    actor: Actor,
    case_id: str,
    kind: DocumentKind,
    *,
    today: date,
    served_document_id: str | None = None,
    recipient_party_id: str | None = None,
    notes: Sequence[str] = (),
    record_id: str | None = None,
) -> PreparedDocument:
    """The checks, the number and the resolved text of a document ``issue_notice`` issues; nothing
    is written (a batch draws many prepared documents at once, then stores them)."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if kind is DocumentKind.RELEASE_RULING:
        actor.require_lead()  # a ruling is the judge's, as the preservation ruling (rule_preservation)
    _check_case_state(case, kind)
    settings = get_settings(session)
    renderer = renderer_for(settings)
    facts = case_facts(session, case, settings)
    served = (
        _served_facts(session, case.id, served_document_id, recipient_party_id)
        if kind is DocumentKind.SERVICE_RECEIPT
        else None
    )
    facts = replace(facts, preservation=preservation_facts(session, case, kind, record_id))
    doc_id = new_id()
    doc_no = _next_doc_no(session, case, kind)
    if kind is DocumentKind.PRESERVATION_RULING and facts.preservation is not None:
        doc_no = _ruling_doc_no(session, facts.preservation.ruling_no)
    if kind is DocumentKind.RELEASE_RULING and facts.release is not None:
        doc_no = facts.release.ruling_no
    context, content = build_content(
        kind,
        facts,
        doc_id=doc_id,
        doc_no=doc_no,
        issued_on=today,
        served=served,
        template=template_for(session, kind),
    )
    content.notes.extend(notes)  # lines the use case adds below the template's own
    check_glyphs(context, renderer.fonts())
    session.info.setdefault(_RESERVED, {})[doc_no] = (case.id, kind)
    data = {
        "schema": CONTENT_SCHEMA,
        "issued_on": today.isoformat(),
        "served_document_id": served_document_id if served else None,
        "recipient_party_id": recipient_party_id if served else None,
        "record_id": record_id,
        "context": context,
        "content": content.to_dict(),
    }
    return PreparedDocument(doc_id, doc_no, kind, case.id, case.case_no, content, data)


@writes
def store_document(
    session: Session, actor: Actor, prepared: PreparedDocument, pdf: bytes, *, sync: bool = True
) -> IssuedDocument:
    """Keep a prepared document's PDF and data, with its attachment row and audit event."""
    session.info.get(_RESERVED, {}).pop(prepared.doc_no, None)
    store = database_of(session).files
    sha = store.put_bytes(session, pdf, sync=sync)
    path = store.path(sha) if isinstance(store, FolderStore) else None
    doc_id, doc_no, kind = prepared.id, prepared.doc_no, prepared.kind
    document = Document(
        id=doc_id,
        case_id=prepared.case_id,
        kind=kind,
        doc_no=doc_no,
        issued_at=utcnow(),
        issued_by=actor.user_id,
        data_json=json.dumps(prepared.data, ensure_ascii=False, sort_keys=True),
        pdf_sha256=sha,
        updated_by=actor.username,
    )
    session.add(document)
    session.add(
        Attachment(
            case_id=prepared.case_id,
            owner_kind="document",
            owner_id=doc_id,
            sha256=sha,
            filename=safe_filename(f"{doc_no}.pdf"),
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
        case_id=prepared.case_id,
        after={
            "kind": kind.value,
            "doc_no": doc_no,
            "pdf_sha256": sha,
            "issued_on": prepared.data["issued_on"],
        },
    )
    return IssuedDocument(
        id=doc_id,
        doc_no=doc_no,
        kind=kind,
        case_id=prepared.case_id,
        case_no=prepared.case_no,
        pdf_sha256=sha,
        pdf_path=path,
        pdf=pdf,
        size=len(pdf),
    )


@writes
def issue_receipts(
    session: Session,
    actor: Actor,
    document_id: str,
    *,
    today: date,
    sync: bool = True,
) -> list[IssuedDocument]:
    """One 送达回证 for each addressee of the document (none for a document with no addressee)."""
    renderer = renderer_for(get_settings(session))
    return [
        store_document(session, actor, p, renderer.render(p.content), sync=sync)
        for p in prepare_receipts(session, actor, document_id, today=today)
    ]


@writes
def prepare_receipts(
    session: Session, actor: Actor, document_id: str, *, today: date
) -> list[PreparedDocument]:
    """The receipts ``issue_receipts`` issues, numbered and resolved, not yet drawn or stored."""
    document = _document(session, document_id)
    return [
        prepare_document(
            session,
            actor,
            document.case_id,
            DocumentKind.SERVICE_RECEIPT,
            today=today,
            served_document_id=document.id,
            recipient_party_id=party.id,
        )
        for party in addressees_of(session, document)
    ]


def issue_notice_to_file(
    db: Database,
    actor: Actor,
    case_no: str,
    kind: DocumentKind,
    *,
    today: date,
    output: Path | None = None,
    force: bool = False,
    serves: str = "",
    to: str = "",
    record_id: str | None = None,
) -> tuple[IssuedDocument, Path]:
    """`zhiqian notice`: issue a document for the case numbered ``case_no`` (a 送达回证: for the
    document numbered ``serves``, to the addressee named ``to``, as ``issue_for_case_no``) and
    save a copy of its PDF as one action: ``output``, or <文书编号>.pdf in the current folder.
    The place is checked before the document is numbered, and the file is written before the
    commit: a document that cannot be saved is not issued, and a document whose commit fails
    leaves no file behind (store/outputs.py)."""
    if output is not None:
        output = check_output_file(output, force=force)
    else:
        check_output_folder(Path.cwd(), force=True, what="文书")
    written: Path | None = None
    try:
        with db.unit_of_work() as session:
            issued = issue_for_case_no(
                session, actor, case_no, kind, today=today, serves=serves, to=to,
                record_id=record_id,
            )  # fmt: skip
            target = output or Path.cwd() / f"{safe_filename(issued.doc_no)}.pdf"
            written = write_output(target, issued.pdf, force=force)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return issued, written


def safe_filename(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)


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


@dataclass(frozen=True)
class DocumentRow:
    """One document as the case page lists it, with its service."""

    id: str
    doc_no: str
    kind: DocumentKind
    issued_on: date
    voided: bool
    served_on: date | None
    """The day its last addressee was served (None while any is waiting)."""
    method: str
    recipient: str
    photos: int
    addressees: int = 0
    """How many parties it is served on, each with a receipt and a service record of their own."""
    reached: int = 0
    """How many of them have been served."""
    detail: str = ""
    dates: str = ""
    """The days of the services recorded so far (all of them, while some addressee waits)."""

    @property
    def served(self) -> bool:
        return self.served_on is not None

    @property
    def can_serve(self) -> bool:
        return not self.voided and self.reached < self.addressees

    @property
    def state(self) -> str:
        if self.voided:
            return "已作废"
        if not self.addressees:
            return "—"
        if self.reached == self.addressees:
            return "已送达"
        return f"已送达{self.reached}/{self.addressees}" if self.reached else "未送达"


@dataclass(frozen=True)
class CaseDocuments:
    rows: list[DocumentRow]
    urging_end: PeriodEnd | None


@reads
def case_documents(session: Session, case_id: str) -> CaseDocuments:
    """The case's documents with their service and photos, and the end of its urging period."""
    rows: list[DocumentRow] = []
    for d in list_documents(session, case_id):
        try:
            issued = issued_on(d)
        except UserError:
            issued = d.issued_at.date()
        summary = service_summary(session, d)
        photos = sum(len(attachments_of(session, SERVICE_OWNER, r.id)) for r in summary.records)
        rows.append(
            DocumentRow(
                d.id,
                d.doc_no,
                d.kind,
                issued,
                d.voided,
                summary.served_on,
                "、".join(dict.fromkeys(r.method.label for r in summary.records)),
                "、".join(dict.fromkeys(r.recipient for r in summary.records if r.recipient)),
                photos,
                addressees=len(summary.addressees),
                reached=summary.reached,
                detail="\n".join(summary.lines()),
                dates="、".join(sorted({r.served_on.isoformat() for r in summary.records})),
            )
        )
    return CaseDocuments(rows, urging_period_end(session, case_id))


# --- the command line's `notice --serves` and `serve`: documents named by their numbers ----------


@writes
def issue_for_case_no(
    session: Session,
    actor: Actor,
    case_no: str,
    kind: DocumentKind,
    *,
    today: date,
    serves: str = "",
    to: str = "",
    record_id: str | None = None,
) -> IssuedDocument:
    """`zhiqian notice`: issue ``kind`` for the case numbered ``case_no``. A 送达回证 names the
    document it serves by its number (``serves``) and, for one with several addressees, the
    addressee it goes to by name (``to``)."""
    case = find_case(session, case_no)
    served_id: str | None = None
    party_id: str | None = None
    if serves:
        served = find_document_by_code(session, serves)
        if served.case_id != case.id:
            raise UserError(f"文书{served.doc_no}不属于案件{case.case_no}；请核对文书编号")
        served_id = served.id
        if to:
            addressees = addressees_of(session, served)
            matches = [p for p in addressees if p.name == to]
            if not matches:
                names = "、".join(p.name for p in addressees) or "无"
                raise UserError(f"“{to}”不是文书{served.doc_no}的受送达人；受送达人：{names}")
            party_id = matches[0].id
    return issue_notice(
        session,
        actor,
        case.id,
        kind,
        today=today,
        served_document_id=served_id,
        recipient_party_id=party_id,
        record_id=record_id,
    )
