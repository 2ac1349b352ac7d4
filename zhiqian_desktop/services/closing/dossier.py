"""The archive dossier (归档卷宗): one printable PDF of a closed case, in binding order.

Order: 卷宗封面 (cover), 卷内目录 (index with the page range of every item), then the issued
documents in the order they were made, each followed by its 送达回证, the chronological
supervision record, payments and settlement, preservation and property clues, and the case's
attachments — PDF attachments merged in page by page, JPEG/PNG images each on an A4 page scaled
to fit. An attachment that cannot be bound (another format, an encrypted or damaged PDF, an image
that cannot be decoded) gets one placeholder page saying so, so the index still accounts for it.

The sheets come from the same builders and renderer as the transfer package (services/closing/transfer_package.py,
printing/transfer.py); cover and index are ``Sheet`` objects set by that renderer (print fonts,
GB/T 9704 page). The PDF is written under a temporary name next to ``dest``, fsynced, then moved
into place with ``os.replace``: a failure leaves no partial dossier. Nothing in the database changes.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PartyRole
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.workflow import CaseAction, check_action
from zhiqian_desktop.printing.fonts import PrintFonts, load_print_fonts
from zhiqian_desktop.printing.geometry import GB9704, MM
from zhiqian_desktop.printing.transfer import Sheet, SheetRenderer, SheetSection, SheetTable
from zhiqian_desktop.services.closing.transfer_data import (
    CaseRecords,
    attachment_source,
    collect_records,
    document_title,
    font_settings,
)
from zhiqian_desktop.services.closing.transfer_sheets import (
    payments_sheet,
    property_sheet,
    record_sheet,
)
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.store.database import database_of
from zhiqian_desktop.store.models import Attachment, Document
from zhiqian_desktop.store.outputs import check_output_file, place

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
MAX_INDEX_PASSES = 5


@dataclass(frozen=True)
class DossierPart:
    """One item of the dossier: its title, its PDF and a note for the index."""

    title: str
    pdf: bytes
    pages: int
    note: str = ""


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _document_pdf(session: Session, d: Document) -> bytes:
    try:
        return notices.stored_pdf(session, d.id)
    except UserError:
        # The stored PDF is missing or altered: draw it again from its stored text.
        return notices.render_document(session, d.id)


def _notice_page(renderer: SheetRenderer, data: CaseRecords, title: str, text: str) -> bytes:
    sheet = Sheet(
        data.court_name,
        "附件说明",
        data.case.case_no,
        [SheetSection(title, paragraphs=[text])],
    )
    return renderer.render(sheet)[0]


def image_pages(source: Path | bytes, caption: str, fonts: PrintFonts) -> bytes:
    """The image on one A4 page, scaled to fit the type area and centred, with its file name."""
    g = GB9704
    image = ImageReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    iw, ih = image.getSize()
    if iw <= 0 or ih <= 0:
        raise ValueError("empty image")
    caption_room = 10 * MM
    box_w, box_h = g.block_width, g.block_height - caption_room
    scale = min(box_w / iw, box_h / ih)
    w, h = iw * scale, ih * scale
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(g.page_width, g.page_height), invariant=1)
    x = g.left + (box_w - w) / 2
    y = g.bottom + caption_room + (box_h - h) / 2
    canvas.drawImage(image, x, y, width=w, height=h, preserveAspectRatio=True)
    size = 9.0
    text = caption.replace("〔", "(").replace("〕", ")")
    runs = []
    for ch in text:
        font = fonts.font_for(ch, fonts.body)
        runs.append((font, ch) if font else (fonts.body, "?"))
    width = sum(canvas.stringWidth(c, f, size) for f, c in runs)
    cursor = g.page_width / 2 - width / 2
    for font, chunk in runs:
        canvas.setFont(font, size)
        canvas.drawString(cursor, g.bottom + 2 * MM, chunk)
        cursor += canvas.stringWidth(chunk, font, size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _attachment_part(
    session: Session, renderer: SheetRenderer, data: CaseRecords, a: Attachment, n: int
) -> DossierPart:
    db = database_of(session)
    title = f"附件{n}：{a.filename}"
    path = attachment_source(db.files, session, a)()
    name = a.filename.lower()
    problem = ""
    if name.endswith(".pdf") or a.media_type == "application/pdf":
        try:
            reader = PdfReader(io.BytesIO(path) if isinstance(path, bytes) else str(path))
            if reader.is_encrypted and not reader.decrypt(""):
                raise PyPdfError("encrypted")
            out = io.BytesIO()
            writer = PdfWriter()
            writer.append(reader)
            writer.write(out)
            pdf = out.getvalue()
            return DossierPart(title, pdf, page_count(pdf), "PDF附件并入")
        except (PyPdfError, OSError, ValueError, KeyError):
            problem = "该PDF文件已加密或已损坏，无法并入卷宗"
    elif name.endswith(IMAGE_SUFFIXES) or a.media_type in ("image/jpeg", "image/png"):
        try:
            pdf = image_pages(path, a.filename, renderer.fonts)
            return DossierPart(title, pdf, 1, "图片附件")
        except (OSError, ValueError, SyntaxError):
            problem = "该图片文件无法读取，无法并入卷宗"
    else:
        problem = "该文件不是PDF或图片，不能装订入卷"
    text = f"{problem}。原件“{a.filename}”（SHA-256 {a.sha256}）保存在附件库中。"
    pdf = _notice_page(renderer, data, title, text)
    return DossierPart(title, pdf, page_count(pdf), "未并入，见说明页")


def _parts(
    session: Session, data: CaseRecords, renderer: SheetRenderer, today: date
) -> list[DossierPart]:
    parts: list[DossierPart] = []

    def add(title: str, pdf: bytes, note: str = "") -> None:
        parts.append(DossierPart(title, pdf, page_count(pdf), note))

    listed = {d.id for d in data.documents}
    for d in data.documents:
        if d.voided or d.kind is DocumentKind.SERVICE_RECEIPT:
            continue
        title = document_title(d)
        add(f"{title}（{d.doc_no}）", _document_pdf(session, d))
        for r in data.receipts_for.get(d.id, []):
            if not r.voided:
                add(f"送达回证（{title}，{r.doc_no}）", _document_pdf(session, r))
    for target, receipts in data.receipts_for.items():
        if target in listed:
            continue
        for r in receipts:
            if not r.voided:
                add(f"送达回证（{r.doc_no}）", _document_pdf(session, r))
    add("执前督促过程记录", renderer.render(record_sheet(data))[0])
    add("履行款及和解情况", renderer.render(payments_sheet(session, data, today))[0])
    add("保全措施及财产线索", renderer.render(property_sheet(data))[0])
    bound = (a for a in data.attachments if a.owner_kind != "document")
    for n, a in enumerate(bound, start=1):
        parts.append(_attachment_part(session, renderer, data, a, n))
    return parts


def _names(data: CaseRecords, role: PartyRole) -> str:
    return "、".join(p.name for p in data.case.parties if p.role is role)


def cover_sheet(data: CaseRecords, total_pages: int) -> Sheet:
    c = data.case
    return Sheet(
        data.court_name,
        "执前督促案件卷宗",
        c.case_no,
        [
            SheetSection(
                "卷宗封面",
                fields=[
                    ("法院", data.court_name),
                    ("案号", c.case_no),
                    ("原审案号", f"{c.original_case_no}（{c.original_doc_type}）"),
                    ("案由", c.cause),
                    ("申请人", _names(data, PartyRole.APPLICANT)),
                    ("被申请人", _names(data, PartyRole.OBLIGOR)),
                    ("承办人", data.handler),
                    ("收案日期", c.received_date.isoformat()),
                    ("结案日期", c.closed_date.isoformat() if c.closed_date else ""),
                    ("结案方式", c.status.label),
                    ("结案理由", c.close_reason or ""),
                    ("应履行金额", format_amount(c.amount_due)),
                    ("已履行金额", format_amount(c.amount_paid)),
                    ("本卷共", f"{total_pages}页"),
                ],
            )
        ],
    )


def _page_range(start: int, pages: int) -> str:
    return str(start) if pages == 1 else f"{start}-{start + pages - 1}"


def index_sheet(
    data: CaseRecords, entries: list[tuple[str, int, str]], cover_pages: int, index_pages: int
) -> Sheet:
    rows: list[tuple[str, ...]] = [
        ("1", "卷宗封面", _page_range(1, cover_pages), ""),
        ("2", "卷内目录", _page_range(1 + cover_pages, index_pages), ""),
    ]
    page = 1 + cover_pages + index_pages
    for n, (title, pages, note) in enumerate(entries, start=3):
        rows.append((str(n), title, _page_range(page, pages), note))
        page += pages
    return Sheet(
        data.court_name,
        "卷内目录",
        data.case.case_no,
        [
            SheetSection(
                "", table=SheetTable(("序号", "题名", "页次", "备注"), rows, (0.7, 6, 1.3, 2))
            )
        ],
    )


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@reads
def build_archive_dossier(
    session: Session, case_id: str, dest: Path, *, today: date, force: bool = False
) -> Path:
    """Write the archive dossier of the closed case ``case_id`` to ``dest`` (one PDF); an
    existing file is replaced only with ``force`` (store/outputs.py)."""
    case = get_case(session, case_id)
    check_action(case.status, CaseAction.ARCHIVE_DOSSIER, case.case_no)
    dest = check_output_file(dest, force=force)
    data = collect_records(session, case_id)
    renderer = SheetRenderer(load_print_fonts(*font_settings(session)))
    parts = _parts(session, data, renderer, today)
    entries = [(p.title, p.pages, p.note) for p in parts]
    body_pages = sum(p.pages for p in parts)

    # The page ranges depend on how long the cover and the index are; settle them by iteration.
    cover_pages, index_pages = 1, 1
    for _ in range(MAX_INDEX_PASSES):
        total = cover_pages + index_pages + body_pages
        cover_pdf, new_cover = renderer.render(cover_sheet(data, total))
        index_pdf, new_index = renderer.render(index_sheet(data, entries, new_cover, index_pages))
        if (new_cover, new_index) == (cover_pages, index_pages):
            break
        cover_pages, index_pages = new_cover, new_index
    else:  # pragma: no cover - a layout that never settles
        raise UserError("卷内目录页数无法确定；请联系管理员")

    writer = PdfWriter()
    for pdf in (cover_pdf, index_pdf, *(p.pdf for p in parts)):
        writer.append(PdfReader(io.BytesIO(pdf)))
    _stamp_dossier_page_numbers(writer, renderer.fonts)
    writer.add_metadata(
        {
            "/Title": f"{case.case_no} 归档卷宗",
            "/Author": data.court_name,
            "/Creator": "执前督促 Zhiqian Desktop",
        }
    )
    tmp = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "wb") as fh:
            writer.write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        place(tmp, dest, force=force)
    except OSError as exc:
        raise UserError(f"无法写入“{dest}”（{exc.strerror}）；请检查磁盘空间和写入权限") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_dir(dest.parent)
    return dest


def _stamp_dossier_page_numbers(writer: PdfWriter, fonts: PrintFonts) -> None:
    """卷内页码: every page numbered continuously in its top right corner, as archives number a
    bound file, so the index's page ranges can be found (each part keeps its own footer)."""
    total = len(writer.pages)
    size = 14 * MM
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size * 2, size), invariant=1, initialFontName=fonts.body)
    for n in range(1, total + 1):
        canvas.setFont(fonts.body, 12)
        canvas.drawRightString(size * 2, size / 2, str(n))
        canvas.showPage()
    canvas.save()
    stamps = PdfReader(io.BytesIO(buffer.getvalue())).pages
    for page, stamp in zip(writer.pages, stamps, strict=True):
        box = page.mediabox
        page.merge_translated_page(
            stamp, float(box.right) - size * 2 - 12 * MM, float(box.top) - size - 6 * MM
        )
