"""The service of documents (送达): whom a document is served on, the services recorded for
it, and recording one (each addressee apart, on a receipt of their own)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.issuing import addressee_roles, served_on, service_problem
from zhiqian_desktop.domain.kinds import DocumentKind, ServiceMethod
from zhiqian_desktop.printing.documents import (
    NoticeContent,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.supervision.attachments import (
    attach_service_photos,
)
from zhiqian_desktop.store.models import (
    Document,
    Party,
    Service,
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


@reads
def services_of(session: Session, document_id: str) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.document_id == document_id, Service.deleted_at.is_(None))
            .order_by(Service.served_on)
        )
    )


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
    party_id: str | None = None,
    recipient: str | None = None,
    address: str | None = None,
    substitute_reason: str | None = None,
    remarks: str | None = None,
    witness: str | None = None,
    process_recorded: bool = False,
    today: date,
    photos: Sequence[Path] = (),
) -> Service:
    """Record how and when a document was served on one of its addressees (``party_id``; may be
    left out when there is only one), with the photos taken at the service. The urging notice's
    service starts the urging period."""
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
    audit.add_record(session, actor, "serve", "service", service, case_id=case.id)
    attach_service_photos(session, actor, service.id, photos)
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


@dataclass(frozen=True)
class ScannedDocument:
    """The document a scanned code names, as the 扫码登记送达 dialog needs it."""

    id: str
    doc_no: str
    case_id: str
    voided: bool
    party_id: str | None
    """The addressee a scanned 送达回证 names (None for the document's own code, or for a receipt
    made before receipts were per addressee)."""
    addressees: list[AddresseeService]


def receipt_target(receipt: Document) -> tuple[str | None, str | None]:
    """The document a 送达回证 was issued for and the addressee it names (kept in its stored
    data; a receipt made before receipts were per addressee names no party)."""
    try:
        data = json.loads(receipt.data_json or "{}")
    except ValueError:
        return None, None
    served = data.get("served_document_id")
    party = data.get("recipient_party_id")
    return (str(served) if served else None), (str(party) if party else None)


@reads
def scanned_document(session: Session, code: str) -> ScannedDocument:
    """The document whose service a scanned code records: the document itself, or for a
    receipt's own code the document that receipt serves, on the addressee it names."""
    document = find_document_by_code(session, code)
    party_id: str | None = None
    if document.kind is DocumentKind.SERVICE_RECEIPT:
        served_id, party_id = receipt_target(document)
        if served_id is None:
            raise UserError(
                f"{document.doc_no}是送达回证，未记载它所送达的文书；请扫描被送达文书上的二维码"
            )
        document = find_document_by_code(session, served_id)
    return ScannedDocument(
        document.id,
        document.doc_no,
        document.case_id,
        document.voided,
        party_id,
        service_status(session, document),
    )


@dataclass(frozen=True)
class ServiceRecorded:
    """What `zhiqian serve` reports: the service, whom it reached, who is still waiting."""

    service_id: str
    doc_no: str
    addressee: str
    waiting: list[str]


@writes
def serve_by_code(
    session: Session,
    actor: Actor,
    code: str,
    method: ServiceMethod,
    served_on: date,
    server: str,
    *,
    to: str = "",
    today: date,
    recipient: str | None = None,
    address: str | None = None,
    substitute_reason: str | None = None,
    remarks: str | None = None,
    witness: str | None = None,
    process_recorded: bool = False,
) -> ServiceRecorded:
    """`zhiqian serve`: record the service of the document numbered (or coded) ``code`` on the
    addressee named ``to`` (may be left out when there is only one), as ``record_service``."""
    document = find_document_by_code(session, code)
    status = service_status(session, document)
    party_id: str | None = None
    if to:
        matches = [a for a in status if a.name == to]
        if not matches:
            names = "、".join(a.name for a in status) or "无"
            raise UserError(f"“{to}”不是文书{document.doc_no}的受送达人；受送达人：{names}")
        party_id = matches[0].party_id
    service = record_service(
        session,
        actor,
        document.id,
        method,
        served_on,
        server,
        party_id=party_id,
        recipient=recipient,
        address=address,
        substitute_reason=substitute_reason,
        remarks=remarks,
        witness=witness,
        process_recorded=process_recorded,
        today=today,
    )
    addressee = next(a.name for a in status if a.party_id == service.party_id)
    waiting = [a.name for a in status if a.service is None and a.party_id != service.party_id]
    return ServiceRecorded(service.id, document.doc_no, addressee, waiting)


@dataclass(frozen=True)
class DocumentToServe:
    """What the 记录送达 dialog shows of a document: its number, date, title and addressees."""

    doc_no: str
    issued_on: date
    title: str
    addressees: list[AddresseeService]


@reads
def document_to_serve(session: Session, document_id: str) -> DocumentToServe:
    document = find_document_by_code(session, document_id)
    return DocumentToServe(
        document.doc_no,
        issued_on(document),
        stored_content(document).title,
        service_status(session, document),
    )
