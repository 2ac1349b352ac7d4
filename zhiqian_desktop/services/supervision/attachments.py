"""Files kept with a record (photos of a service, scans): stored once by content, listed per owner.

The bytes go to the same content-addressed store as the issued PDFs (``db.files``, in the
caller's transaction when the store is the database); this module adds the ``Attachment`` row and
the audit event, and hands out copies to open in the system viewer.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.store.database import database_of
from zhiqian_desktop.store.models import Attachment, Document, Service

SERVICE_OWNER = "service"
MAX_FILE_BYTES = 50 * 1024 * 1024
"""A phone photo is a few MB; 50 MB leaves room for a scanned multi-page receipt."""


@writes
def attach_file(
    session: Session,
    actor: Actor,
    *,
    case_id: str,
    owner_kind: str,
    owner_id: str,
    source: Path,
) -> Attachment:
    """Store ``source`` by its SHA-256 and record it as an attachment of the owner."""
    db = database_of(session)
    if not source.is_file():
        raise UserError(f"文件“{source}”不存在或不是文件；请重新选择", field="photos")
    size = source.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(f"文件“{source.name}”超过50MB；请压缩后再添加", field="photos")
    try:
        payload = source.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取“{source}”（{exc.strerror}）", field="photos") from None
    sha = db.files.put_bytes(session, payload)
    att = Attachment(
        case_id=case_id,
        owner_kind=owner_kind,
        owner_id=owner_id,
        sha256=sha,
        filename=source.name[:255],
        media_type=mimetypes.guess_type(source.name)[0] or "application/octet-stream",
        size=len(payload),
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "attachment", att, case_id=case_id)
    return att


@writes
def attach_service_photos(
    session: Session, actor: Actor, service_id: str, sources: Iterable[Path]
) -> list[Attachment]:
    """Photos taken at a service (the door, the receipt signed or refused) kept with its record."""
    service = session.get(Service, service_id)
    document = session.get(Document, service.document_id) if service is not None else None
    if service is None or document is None or service.deleted_at is not None:
        raise NotFound("送达记录不存在；请刷新文书列表")
    case = get_case(session, document.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    return [
        attach_file(
            session,
            actor,
            case_id=case.id,
            owner_kind=SERVICE_OWNER,
            owner_id=service.id,
            source=path,
        )
        for path in sources
    ]


def attachments_of(session: Session, owner_kind: str, owner_id: str) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_kind == owner_kind,
                Attachment.owner_id == owner_id,
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.filename)
        )
    )


@reads
def viewable_copy(session: Session, attachment_id: str) -> Path:
    """A copy of the attachment to open in the system viewer (a private folder removed when the
    program exits); the stored content is checked against its SHA-256 first."""
    db = database_of(session)
    att = session.get(Attachment, attachment_id)
    if att is None or att.deleted_at is not None:
        raise NotFound("附件不存在或已被删除；请刷新后重试")
    store = db.files
    path = store.viewable_copy(session, att.sha256, att.filename)
    if path is None:
        raise UserError(
            f"附件“{att.filename}”的文件（{store.where(att.sha256)}）不存在；请从备份恢复附件"
        )
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != att.sha256:
        path.unlink(missing_ok=True)
        raise UserError(
            f"附件“{att.filename}”的文件（{store.where(att.sha256)}）与登记的校验值不符，"
            "可能已被改动；请从备份恢复附件"
        )
    return path
