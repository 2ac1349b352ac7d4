"""The transfer package (移送执行): one folder or zip with the whole dossier of a failed case.

``build_transfer_package`` marks the case 已移送执行, issues the 移送执行函 and writes the package;
``verify_package`` checks a package against its ``manifest.json`` (schema in
docs/transfer-package.md). Both work on a zip or a folder.

Atomicity: the package is built under a hidden temporary name next to the destination, every file
and folder fsynced, then moved into place with ``os.replace``; the database transaction that
changes the case status commits only after that. Any failure (including a cancel, raised from the
progress callback) removes the temporary package and rolls the transaction back, so it leaves
neither a package nor a status change. If the commit itself fails, the placed package is removed.
The transaction holds SQLite's write lock while the package is written (a few seconds); other
writers wait on busy_timeout rather than fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop import __version__
from zhiqian_desktop.domain.dues import COURT_TZ
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PartyRole
from zhiqian_desktop.domain.money import capital_amount, format_amount
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.transfer import Sheet, SheetRenderer, SheetSection, SheetTable
from zhiqian_desktop.services import notices
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.docket import get_case
from zhiqian_desktop.services.outcomes import (
    installment_status,
    performed_percent,
    transfer_case,
)
from zhiqian_desktop.services.settings import get_settings
from zhiqian_desktop.store import bounded_json
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.files import FileStore
from zhiqian_desktop.store.models import (
    Attachment,
    ContactLog,
    Document,
    Payment,
    Preservation,
    Service,
    Settlement,
    SupervisionCase,
    User,
)
from zhiqian_desktop.store.outputs import check_output_file, check_output_folder, place

SCHEMA = "zhiqian.transfer/1"
MANIFEST = "manifest.json"

INDEX_NAME = "00-卷内目录.pdf"
LETTER_NAME = "01-移送执行函.pdf"
SUMMARY_NAME = "02-案件情况摘要.pdf"
RECORD_NAME = "03-督促过程记录.pdf"
DOCUMENTS_DIR = "04-文书及送达回证"
PAYMENTS_NAME = "05-履行款及和解情况.pdf"
PROPERTY_NAME = "06-保全措施及财产线索.pdf"
ATTACHMENTS_DIR = "07-附件"

# Limits for reading a package that came from outside (a zip bomb or a hostile archive).
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 16 * 1024**3
MAX_MANIFEST_BYTES = 64 * 1024**2
MAX_RATIO = 200
CHUNK = 1 << 20

PROPERTY_WORDS = re.compile(
    r"财产|房产|房屋|车辆|存款|账户|工资|收入|股权|土地|厂房|设备|租金|应收"
)
_COMPRESSED = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".zip",
    ".rar",
    ".7z",
    ".mp3",
    ".mp4",
    ".m4a",
    ".amr",
    ".heic",
    ".webp",
    ".docx",
    ".xlsx",
    ".gz",
}

ProgressFn = Callable[[int, int, str], None]


# --- file names -----------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_name(name: str, limit: int = 80) -> str:
    """A file name that is valid on Windows and in a zip: no separators, no reserved names."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or _RESERVED.match(name):
        name = f"_{name}" if name else "未命名"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: limit - len(ext) - 1] + "." + ext
        else:
            name = name[:limit]
    return name


_DRIVE = re.compile(r"^[A-Za-z]:")


def member_name_problem(name: str) -> str | None:
    """Why a path inside a package is not acceptable, or None when it is."""
    if not name:
        return "文件名为空"
    if "\x00" in name:
        return "文件名含空字符"
    if "\\" in name:
        return "文件名含反斜杠"
    if name.startswith("/"):
        return "绝对路径"
    if _DRIVE.match(name):
        return "含盘符的路径"
    parts = name.rstrip("/").split("/")
    if any(p == ".." for p in parts):
        return "含“..”的路径（指向包外）"
    if any(p in ("", ".") for p in parts):
        return "路径含空的或“.”的一级"
    return None


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


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


class _Sink:
    """Where package files go while the package is built (a temporary folder or zip)."""

    def add_bytes(self, path: str, data: bytes) -> tuple[str, int]:
        raise NotImplementedError

    def add_file(self, path: str, source: Path) -> tuple[str, int]:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _FolderSink(_Sink):
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.dirs = {root}

    def _target(self, path: str) -> Path:
        target = self.root.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.dirs.add(target.parent)
        return target

    def add_bytes(self, path: str, data: bytes) -> tuple[str, int]:
        with self._target(path).open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return hashlib.sha256(data).hexdigest(), len(data)

    def add_file(self, path: str, source: Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, self._target(path).open("xb") as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        return digest.hexdigest(), size

    def finish(self) -> None:
        for d in sorted(self.dirs, key=lambda p: len(p.parts), reverse=True):
            _fsync_dir(d)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class _ZipSink(_Sink):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: IO[bytes] = path.open("xb")
        self.zf = zipfile.ZipFile(self.fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6)

    def _info(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=datetime.now(COURT_TZ).timetuple()[:6])
        stored = PurePosixPath(path).suffix.lower() in _COMPRESSED
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        return info

    def add_bytes(self, path: str, data: bytes) -> tuple[str, int]:
        self.zf.writestr(self._info(path), data)
        return hashlib.sha256(data).hexdigest(), len(data)

    def add_file(self, path: str, source: Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, self.zf.open(self._info(path), "w", force_zip64=True) as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def finish(self) -> None:
        self.zf.close()
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # the file is deleted right after
            self.zf.close()
        self.fh.close()
        self.path.unlink(missing_ok=True)


def _partial_prefix(dest: Path) -> str:
    return f".{dest.name}.partial-"


def _clean_leftovers(dest: Path) -> None:
    """Remove temporary packages a crash left beside this destination."""
    prefix = _partial_prefix(dest)
    for p in dest.parent.glob(f"{glob_escape(prefix)}*"):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def check_destination(dest: Path, *, as_zip: bool, force: bool = False) -> Path:
    """Where a package may be written (store/outputs.py): a zip file (an existing one replaced
    only with ``force``) or a new folder; returns the absolute path."""
    if as_zip:
        if dest.suffix.lower() != ".zip":
            raise UserError(f"压缩包文件名“{dest.name}”应以 .zip 结尾")
        return check_output_file(dest, force=force)
    return check_output_folder(dest, new=True, what="移送材料")


# --- the data -----------------------------------------------------------------------------------


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _t(value: datetime | None) -> str | None:
    return value.astimezone(COURT_TZ).isoformat() if value else None


def _local(value: datetime) -> str:
    return value.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M")


def _m(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else ""


def _code(value: Any) -> dict[str, str] | None:
    return None if value is None else {"code": value.value, "label": value.label}


@dataclass
class _Data:
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
    receipts_for: dict[str, list[Document]] = field(default_factory=dict)
    served_on: dict[str, date | None] = field(default_factory=dict)
    """Per document, the day its last addressee was served (notices.document_served_on)."""


def _collect(session: Session, case_id: str) -> _Data:
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
    return _Data(
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
        served_on={d.id: notices.document_served_on(session, d) for d in documents},
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


def _issued_day(d: Document) -> str:
    """The date the document bears (its issue date as printed), else when it was made."""
    try:
        return notices.issued_on(d).isoformat()
    except (UserError, KeyError, TypeError, ValueError):
        return d.issued_at.astimezone(COURT_TZ).date().isoformat()


def _doc_title(d: Document) -> str:
    try:
        return notices.stored_content(d).title or d.kind.label
    except (UserError, KeyError, TypeError, ValueError):
        return d.kind.label


def manifest_case(data: _Data, session: Session, today: date) -> dict[str, Any]:
    """The case data of the manifest (schema zhiqian.transfer/1, see docs/transfer-package.md)."""
    c = data.case
    parties = {p.id: p.name for p in c.parties}
    contacts_by_id = {x.id: x for x in data.contacts}
    return {
        "id": c.id,
        "case_no": c.case_no,
        "status": _code(c.status),
        "source": _code(c.source),
        "original_case_no": c.original_case_no,
        "original_doc_type": c.original_doc_type,
        "cause": c.cause,
        "effective_date": _d(c.effective_date),
        "performance_deadline": _d(c.performance_deadline),
        "final_installment_date": _d(c.final_installment_date),
        "application_received_on": _d(c.application_received_on),
        "act_performed_on": _d(c.act_performed_on),
        "department": c.department,
        "trial_judge": c.trial_judge,
        "received_date": _d(c.received_date),
        "closed_date": _d(c.closed_date),
        "close_reason": c.close_reason,
        "handler": data.handler or None,
        "tribunal": c.tribunal.name if c.tribunal else None,
        "livelihood": c.livelihood,
        "livelihood_kind": c.livelihood_kind,
        "amount_due": _m(c.amount_due),
        "amount_paid": _m(c.amount_paid),
        "amount_outstanding": _m(max(c.amount_due - c.amount_paid, Decimal("0.00"))),
        "performed_percent": str(performed_percent(c)),
        "obligation_act": c.obligation_act,
        "notes": c.notes,
        "parties": [
            {
                "id": p.id,
                "role": _code(p.role),
                "kind": _code(p.kind),
                "name": p.name,
                "id_number": p.id_number,
                "phones": [x for x in (p.phones or "").split("、") if x],
                "address": p.address,
                "legal_representative": p.legal_representative,
                "registered_capital": _m(p.registered_capital),
                "licence_status": _code(p.licence_status),
            }
            for p in c.parties
        ],
        "contacts": [
            {
                "id": x.id,
                "kind": _code(x.kind),
                "contacted_at": _t(x.contacted_at),
                "handler": data.names.get(x.handler_id or "") or None,
                "contact_name": x.contact_name,
                "number_or_place": x.number_or_place,
                "reached": x.reached,
                "summary": x.summary,
                "promise_amount": _m(x.promise_amount),
                "promise_date": _d(x.promise_date),
                "next_follow_up": _d(x.next_follow_up),
                "others_present": x.others_present,
                "corrects_id": x.corrects_id if x.corrects_id in contacts_by_id else None,
            }
            for x in data.contacts
        ],
        "documents": [
            {
                "id": d.id,
                "kind": _code(d.kind),
                "doc_no": d.doc_no,
                "title": _doc_title(d),
                "issued_at": _t(d.issued_at),
                "pdf_sha256": d.pdf_sha256,
                "voided": d.voided,
                "services": [
                    {
                        "id": s.id,
                        "party_id": s.party_id,
                        "addressee": parties.get(s.party_id or ""),
                        "method": _code(s.method),
                        "served_on": _d(s.served_on),
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
                "paid_on": _d(p.paid_on),
                "amount": _m(p.amount),
                "method": _code(p.method),
                "payer": p.payer,
                "note": p.note,
                "overpayment_confirmed": p.overpayment_confirmed,
            }
            for p in data.payments
        ],
        "settlements": [
            {
                "id": s.id,
                "signed_on": _d(s.signed_on),
                "terms": s.terms,
                "default_clause": s.default_clause,
                "guarantee": s.guarantee,
                "total_amount": _m(s.total_amount),
                "status": _code(s.status),
                "installments": [
                    {
                        "seq": st.seq,
                        "due_date": _d(st.due_date),
                        "amount": _m(st.amount),
                        "paid": _m(st.paid),
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
                "kind": _code(p.kind),
                "description": p.description,
                "frozen_on": _d(p.frozen_on),
                "expires_on": _d(p.expires_on),
                "amount": _m(p.amount),
            }
            for p in data.preservations
        ],
    }


# --- the sheets ---------------------------------------------------------------------------------


def _parties_table(c: SupervisionCase) -> SheetTable:
    return SheetTable(
        ("诉讼地位", "姓名/名称", "证件号码", "联系电话", "住址"),
        [
            (p.role.label, p.name, p.id_number or "", p.phones or "", p.address or "")
            for p in c.parties
        ],
        (1.1, 2, 2.4, 1.8, 3),
    )


def summary_sheet(data: _Data, reason: str, urging_end: date | None) -> Sheet:
    c = data.case
    outstanding = max(c.amount_due - c.amount_paid, Decimal("0.00"))
    served = [d for d in data.documents if d.kind is not DocumentKind.SERVICE_RECEIPT]
    n_served = sum(1 for d in served if data.served_on.get(d.id))
    reached = sum(1 for x in data.contacts if x.reached)
    sections = [
        SheetSection(
            "一、案件基本情况",
            fields=[
                ("本院案号", c.case_no),
                ("原审案号", f"{c.original_case_no}（{c.original_doc_type}）"),
                ("案由", c.cause),
                ("生效日期", _d(c.effective_date) or ""),
                ("履行期限", _d(c.performance_deadline) or ""),
                ("最后一期履行期限", _d(c.final_installment_date) or ""),
                ("申请执行书收到日期", _d(c.application_received_on) or ""),
                ("原审部门 / 审判员", " / ".join(x for x in (c.department, c.trial_judge) if x)),
                ("收案日期", _d(c.received_date) or ""),
                ("承办人", data.handler),
                ("涉民生", (c.livelihood_kind or "是") if c.livelihood else "否"),
            ],
        ),
        SheetSection("二、当事人", table=_parties_table(c)),
        SheetSection(
            "三、履行义务及履行情况",
            fields=[
                (
                    "给付金额",
                    f"{format_amount(c.amount_due)}（{capital_amount(c.amount_due)}）",
                ),
                ("非金钱义务", c.obligation_act or "无"),
                ("已履行", f"{format_amount(c.amount_paid)}（{len(data.payments)}笔）"),
                ("尚欠金额", f"{format_amount(outstanding)}（{capital_amount(outstanding)}）"),
                ("履行比例", f"{performed_percent(c)}%"),
                (
                    "和解协议",
                    "；".join(
                        f"{s.signed_on.isoformat()}签订，{format_amount(s.total_amount)}，"
                        f"{len(s.installments)}期，{s.status.label}"
                        for s in data.settlements
                    )
                    or "无",
                ),
            ],
        ),
        SheetSection(
            "四、督促经过",
            fields=[
                ("催告期届满", _d(urging_end) or "未送达催告书"),
                ("督促记录", f"{len(data.contacts)}次（联系上{reached}次）"),
                ("出具文书", f"{len(served)}份（已送达{n_served}份）"),
                ("保全措施", f"{len(data.preservations)}项"),
                ("附件", f"{sum(1 for a in data.attachments if a.owner_kind != 'document')}个"),
            ],
        ),
        SheetSection(
            "五、移送执行",
            fields=[
                ("移送日期", _d(c.closed_date) or ""),
                ("督促不成理由", reason),
            ],
        ),
    ]
    return Sheet(data.court_name, "执前督促案件情况摘要", c.case_no, sections)


def record_sheet(data: _Data) -> Sheet:
    """Every event of the case in date order: receipt, calls, documents, services, payments…"""
    # (day, time of day or "" for date-only events, order within the same moment, what, text)
    events: list[tuple[str, str, int, str, str]] = []
    c = data.case
    parties = {p.id: p.name for p in c.parties}

    def at(moment: datetime) -> tuple[str, str]:
        local = moment.astimezone(COURT_TZ)
        return local.date().isoformat(), local.strftime("%H:%M")

    events.append((c.received_date.isoformat(), "", 0, "收案", f"收案登记，案号{c.case_no}"))
    for x in data.contacts:
        who = x.contact_name or ""
        bits = [
            x.kind.label,
            f"承办人{data.names.get(x.handler_id or '', '')}" if x.handler_id else "",
            f"对象{who}" if who else "",
            x.number_or_place or "",
            "已联系上" if x.reached else "未联系上",
        ]
        text = "，".join(b for b in bits if b) + "。" + (x.summary or "")
        if x.promise_amount or x.promise_date:
            promise = " ".join(v for v in (_money(x.promise_amount), _d(x.promise_date)) if v)
            text += f"（承诺：{promise}）"
        if x.corrects_id:
            text += "（更正此前记录）"
        events.append((*at(x.contacted_at), 1, "督促记录", text))
    for d in data.documents:
        mark = "（已作废）" if d.voided else ""
        # A service receipt is made out after the service it proves, on the same day.
        order = 4 if d.kind is DocumentKind.SERVICE_RECEIPT else 2
        events.append(
            (_issued_day(d), "", order, "出具文书", f"{_doc_title(d)}，编号{d.doc_no}{mark}")
        )
        for s in data.services.get(d.id, []):
            detail = f"{_doc_title(d)}（{d.doc_no}）{s.method.label}，送达人{s.server}"
            addressee = parties.get(s.party_id or "")
            if addressee:
                detail += f"，受送达人{addressee}"
            if s.recipient and s.recipient != addressee:
                detail += f"，签收人{s.recipient}"
            if s.substitute_reason:
                detail += f"，{s.substitute_reason}"
            events.append((s.served_on.isoformat(), "", 3, "送达", detail))
    for p in data.payments:
        text = f"{p.method.label} {format_amount(p.amount)}"
        if p.payer:
            text += f"，付款人{p.payer}"
        if p.overpayment_confirmed:
            text += "（确认超额履行）"
        if p.note:
            text += f"，{p.note}"
        events.append((p.paid_on.isoformat(), "", 4, "履行", text))
    for st in data.settlements:
        events.append(
            (
                st.signed_on.isoformat(),
                "",
                5,
                "和解",
                f"签订和解协议，和解金额{format_amount(st.total_amount)}，"
                f"分{len(st.installments)}期履行：{st.terms}",
            )
        )
    for pr in data.preservations:
        events.append(
            (pr.frozen_on.isoformat(), "", 6, "保全", f"{pr.kind.label}：{pr.description}")
        )
    if c.closed_date:
        # The transfer is the last event of its day.
        events.append(
            (c.closed_date.isoformat(), "~", 9, "移送执行", f"督促不成，移送执行：{c.close_reason}")
        )
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    rows = [
        (str(i), day + (f" {time}" if time and time != "~" else ""), kind, text)
        for i, (day, time, _, kind, text) in enumerate(events, start=1)
    ]
    return Sheet(
        data.court_name,
        "执前督促过程记录",
        c.case_no,
        [
            SheetSection(
                f"共{len(rows)}项，按时间先后排列",
                table=SheetTable(("序号", "时间", "事项", "内容"), rows, (0.6, 1.7, 1.1, 6.6)),
            )
        ],
    )


def payments_sheet(session: Session, data: _Data, today: date) -> Sheet:
    c = data.case
    total = sum((p.amount for p in data.payments), Decimal("0.00"))
    sections = [
        SheetSection(
            "一、履行款",
            paragraphs=[
                f"应履行{format_amount(c.amount_due)}，已履行{format_amount(total)}，"
                f"尚欠{format_amount(max(c.amount_due - total, Decimal('0.00')))}。"
            ],
            table=SheetTable(
                ("序号", "付款日期", "金额", "方式", "付款人", "备注"),
                [
                    (
                        str(i),
                        p.paid_on.isoformat(),
                        format_amount(p.amount),
                        p.method.label,
                        p.payer or "",
                        (p.note or "") + ("（确认超额履行）" if p.overpayment_confirmed else ""),
                    )
                    for i, p in enumerate(data.payments, start=1)
                ],
                (0.6, 1.3, 1.4, 1.6, 1.6, 3),
                empty_text="无履行款记录。",
            ),
        )
    ]
    if not data.settlements:
        sections.append(SheetSection("二、和解协议", paragraphs=["本案未达成和解协议。"]))
    for n, s in enumerate(data.settlements, start=1):
        states = installment_status(session, s.id, today)
        sections.append(
            SheetSection(
                f"二、和解协议（{n}）",
                fields=[
                    ("签订日期", s.signed_on.isoformat()),
                    (
                        "和解金额",
                        f"{format_amount(s.total_amount)}（{capital_amount(s.total_amount)}）",
                    ),
                    ("主要条款", s.terms),
                    ("违约条款", s.default_clause or "无"),
                    ("担保", s.guarantee or "无"),
                    ("履行状态", s.status.label),
                ],
                table=SheetTable(
                    ("期次", "履行期限", "金额", "已付", f"截至{today.isoformat()}"),
                    [
                        (
                            str(st.seq),
                            st.due_date.isoformat(),
                            format_amount(st.amount),
                            format_amount(st.paid),
                            st.label,
                        )
                        for st in states
                    ],
                    (0.8, 1.5, 1.5, 1.5, 2.5),
                ),
            )
        )
    return Sheet(data.court_name, "履行款及和解情况", c.case_no, sections)


def property_sheet(data: _Data) -> Sheet:
    c = data.case
    clues = [
        (_local(x.contacted_at), x.kind.label, x.summary)
        for x in data.contacts
        if PROPERTY_WORDS.search(x.summary or "")
    ]
    companies = [
        (p.name, _money(p.registered_capital), p.licence_status.label if p.licence_status else "")
        for p in c.parties
        if p.role is PartyRole.OBLIGOR and p.registered_capital is not None
    ]
    sections = [
        SheetSection(
            "一、已采取的保全措施",
            table=SheetTable(
                ("序号", "财产类型", "财产", "保全日期", "到期日", "金额"),
                [
                    (
                        str(i),
                        pr.kind.label,
                        pr.description,
                        pr.frozen_on.isoformat(),
                        _d(pr.expires_on) or "",
                        _money(pr.amount),
                    )
                    for i, pr in enumerate(data.preservations, start=1)
                ],
                (0.6, 1.3, 3.5, 1.3, 1.3, 1.4),
                empty_text="本案未采取保全措施。",
            ),
        ),
        SheetSection(
            "二、督促中了解的财产线索",
            paragraphs=["以下摘自督促记录中涉及财产、收入情况的内容，供执行立案及查控参考。"],
            table=SheetTable(
                ("时间", "方式", "内容"),
                clues,
                (1.6, 1.2, 6.5),
                empty_text="督促记录中未发现财产线索。",
            ),
        ),
    ]
    if companies:
        sections.append(
            SheetSection(
                "三、被申请人登记信息",
                table=SheetTable(("名称", "注册资本", "登记状态"), companies, (3, 2, 1.5)),
            )
        )
    return Sheet(data.court_name, "保全措施及财产线索", c.case_no, sections)


def index_sheet(data: _Data, files: list[PackedFile]) -> Sheet:
    rows = [
        (
            str(i),
            f.title,
            f.path,
            str(f.pages) if f.pages is not None else "—",
            _size_text(f.size),
        )
        for i, f in enumerate(files, start=1)
    ]
    return Sheet(
        data.court_name,
        "卷内目录",
        data.case.case_no,
        [
            SheetSection(
                "移送执行材料",
                table=SheetTable(
                    ("序号", "材料名称", "文件", "页数", "大小"), rows, (0.6, 3, 4.2, 0.7, 1.1)
                ),
            )
        ],
        footnote=(
            f"共{len(rows)}个文件。各文件的 SHA-256 校验值见 {MANIFEST}（格式 {SCHEMA}）；"
            "可用“zhiqian verify-package”核对材料是否完整、未被改动。"
        ),
    )


def _size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


_PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(payload: bytes) -> int | None:
    """Page count of a PDF when it can be read cheaply (object streams hide it: None)."""
    if not payload.startswith(b"%PDF"):
        return None
    n = len(_PAGE_RE.findall(payload))
    return n or None


# --- building -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    path: str
    kind: str
    title: str
    produce: Callable[[], bytes | Path]
    source_id: str | None = None


def _plan(
    db: Database, session: Session, data: _Data, letter_id: str, reason: str, today: date
) -> list[_Planned]:
    renderer = SheetRenderer(load_print_fonts(*_font_settings(session)))
    urging = notices.urging_period_end(session, data.case.id)
    plan: list[_Planned] = []

    def sheet(path: str, kind: str, title: str, make: Callable[[], Sheet]) -> None:
        plan.append(_Planned(path, kind, title, lambda: renderer.render(make())[0]))

    def document_pdf(doc_id: str) -> Callable[[], bytes]:
        def produce() -> bytes:
            try:
                return notices.stored_pdf(db, session, doc_id)
            except UserError:
                # The stored PDF is missing or altered: draw it again from its stored text.
                return notices.render_document(session, doc_id)

        return produce

    plan.append(
        _Planned(LETTER_NAME, "transfer_letter", "移送执行函", document_pdf(letter_id), letter_id)
    )
    sheet(
        SUMMARY_NAME,
        "summary",
        "执前督促案件情况摘要",
        lambda: summary_sheet(data, reason, urging.end if urging else None),
    )
    sheet(RECORD_NAME, "record", "执前督促过程记录", lambda: record_sheet(data))
    n = 0
    for d in data.documents:
        if d.voided or d.id == letter_id or d.kind is DocumentKind.SERVICE_RECEIPT:
            continue
        n += 1
        title = _doc_title(d)
        plan.append(
            _Planned(
                f"{DOCUMENTS_DIR}/{n:02d}-{safe_name(d.doc_no)}-{safe_name(title)}.pdf",
                "document",
                f"{title}（{d.doc_no}）",
                document_pdf(d.id),
                d.id,
            )
        )
        for r in data.receipts_for.get(d.id, []):
            if r.voided:
                continue
            n += 1
            plan.append(
                _Planned(
                    f"{DOCUMENTS_DIR}/{n:02d}-{safe_name(r.doc_no)}-送达回证.pdf",
                    "service_receipt",
                    f"送达回证（{title}，{r.doc_no}）",
                    document_pdf(r.id),
                    r.id,
                )
            )
    # Receipts whose document is not in the case (or not recorded) still belong in the dossier.
    listed = {d.id for d in data.documents}
    for target, receipts in data.receipts_for.items():
        if target in listed:
            continue
        for r in receipts:
            if r.voided:
                continue
            n += 1
            plan.append(
                _Planned(
                    f"{DOCUMENTS_DIR}/{n:02d}-{safe_name(r.doc_no)}-送达回证.pdf",
                    "service_receipt",
                    f"送达回证（{r.doc_no}）",
                    document_pdf(r.id),
                    r.id,
                )
            )
    sheet(
        PAYMENTS_NAME, "payments", "履行款及和解情况", lambda: payments_sheet(session, data, today)
    )
    sheet(PROPERTY_NAME, "property", "保全措施及财产线索", lambda: property_sheet(data))
    store = db.files
    for i, a in enumerate((a for a in data.attachments if a.owner_kind != "document"), start=1):
        plan.append(
            _Planned(
                f"{ATTACHMENTS_DIR}/{i:03d}-{safe_name(a.filename)}",
                "attachment",
                f"附件：{a.filename}",
                _attachment_source(store, session, a),
                a.id,
            )
        )
    return plan


def _font_settings(session: Session) -> tuple[str | None, str | None]:
    s = get_settings(session)
    return s.print_font_body, s.print_font_title


def _attachment_source(
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


def _report(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


def build_transfer_package(
    db: Database,
    actor: Actor,
    case_id: str,
    reason: str,
    dest: Path,
    *,
    as_zip: bool,
    progress: ProgressFn | None = None,
    today: date,
    dry_run: bool = False,
    force: bool = False,
) -> Path:
    """Transfer the case to enforcement and write its package at ``dest`` (zip or folder).

    ``progress(done, total, message)`` is called before each file; raising from it (a cancel)
    abandons the package and the status change. ``dry_run`` writes the package but rolls the
    status change back (benchmarks, a preview for the filing desk). ``dest`` is checked before
    anything is written (``check_destination``); an existing zip is replaced only with ``force``.
    """
    if not (reason or "").strip():
        raise UserError("移送执行必须填写督促不成的理由", field="reason")
    dest = check_destination(Path(dest), as_zip=as_zip, force=force)
    _clean_leftovers(dest)
    tmp = dest.parent / f"{_partial_prefix(dest)}{uuid.uuid4().hex[:8]}"
    placed = False
    with db.sessions() as session:
        tx = session.begin()
        sink: _Sink | None = None
        try:
            _report(progress, 0, 0, "正在登记移送执行…")
            transfer_case(session, actor, case_id, transferred_on=today, reason=reason, today=today)
            letter = notices.issue_notice(
                db, session, actor, case_id, DocumentKind.TRANSFER_LETTER, today=today
            )
            data = _collect(session, case_id)
            plan = _plan(db, session, data, letter.id, reason.strip(), today)
            total = len(plan) + 3
            sink = _ZipSink(tmp) if as_zip else _FolderSink(tmp)
            packed: list[PackedFile] = []
            for done, item in enumerate(plan):
                _report(progress, done, total, f"正在写入{item.title}")
                produced = item.produce()
                if isinstance(produced, Path):
                    sha, size = sink.add_file(item.path, produced)
                    pages = (
                        pdf_pages(produced.read_bytes())
                        if item.path.lower().endswith(".pdf") and size < 50 * 1024**2
                        else None
                    )
                else:
                    sha, size = sink.add_bytes(item.path, produced)
                    pages = pdf_pages(produced)
                packed.append(
                    PackedFile(item.path, item.kind, item.title, sha, size, pages, item.source_id)
                )
            _report(progress, len(plan), total, "正在编制卷内目录")
            index_pdf, index_pages = SheetRenderer(
                load_print_fonts(*_font_settings(session))
            ).render(index_sheet(data, packed))
            sha, size = sink.add_bytes(INDEX_NAME, index_pdf)
            packed.insert(0, PackedFile(INDEX_NAME, "index", "卷内目录", sha, size, index_pages))
            _report(progress, len(plan) + 1, total, "正在写入 manifest.json")
            manifest = {
                "schema": SCHEMA,
                "generator": f"zhiqian-desktop {__version__}",
                "created_at": datetime.now(UTC).astimezone(COURT_TZ).isoformat(timespec="seconds"),
                "court": {"name": data.court_name, "code": data.court_code},
                "transfer": {
                    "transferred_on": today.isoformat(),
                    "reason": reason.strip(),
                    "by": actor.display_name,
                    "letter_document_id": letter.id,
                    "letter_doc_no": letter.doc_no,
                },
                "case": manifest_case(data, session, today),
                "files": [
                    {
                        "path": f.path,
                        "kind": f.kind,
                        "title": f.title,
                        "sha256": f.sha256,
                        "size": f.size,
                        "pages": f.pages,
                        "source_id": f.source_id,
                    }
                    for f in sorted(packed, key=lambda f: f.path)
                ],
            }
            sink.add_bytes(
                MANIFEST,
                json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
            )
            _report(progress, len(plan) + 2, total, "正在保存移送材料")
            sink.finish()
            db.check_same_file()
            if as_zip:
                place(tmp, dest, force=force)
            else:
                os.rename(tmp, dest)  # a folder: refused if the name was taken meanwhile
            placed = True
            _fsync_dir(dest.parent)
            if dry_run:
                tx.rollback()
            else:
                tx.commit()
        except BaseException:
            if tx.is_active:
                tx.rollback()
            if sink is not None and not placed:
                sink.discard()
            if placed:
                _remove(dest)
            raise
    _report(progress, total, total, "移送材料已生成")
    return dest


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# --- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: str
    problem: str
    """missing, altered, extra, unreadable or refused"""
    detail: str


@dataclass
class VerifyReport:
    path: Path
    schema: str | None = None
    case_no: str | None = None
    files_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    refused: str | None = None
    """Why the package was not read at all (a hostile or malformed archive), if it was not."""

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.findings

    def lines(self) -> list[str]:
        if self.refused:
            return [f"拒绝读取：{self.refused}"]
        out = [f"{LABELS.get(f.problem, f.problem)}：{f.path}（{f.detail}）" for f in self.findings]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "schema": self.schema,
            "case_no": self.case_no,
            "files_checked": self.files_checked,
            "refused": self.refused,
            "findings": [
                {"path": f.path, "problem": f.problem, "detail": f.detail} for f in self.findings
            ],
        }


LABELS = {
    "missing": "缺少文件",
    "altered": "文件被改动",
    "extra": "多出文件",
    "unreadable": "无法读取",
    "refused": "拒绝",
}


class _Refused(Exception):
    pass


class _Reader:
    def names(self) -> list[str]:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _FolderReader(_Reader):
    def __init__(self, root: Path) -> None:
        self.root = root
        self._names: list[str] = []
        self.links: list[str] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            base = Path(dirpath)
            for d in list(dirnames):
                if (base / d).is_symlink():
                    self.links.append((base / d).relative_to(root).as_posix())
                    dirnames.remove(d)
            for f in filenames:
                p = base / f
                rel = p.relative_to(root).as_posix()
                if p.is_symlink() or not p.is_file():
                    self.links.append(rel)
                else:
                    self._names.append(unicodedata.normalize("NFC", rel))
            if len(self._names) > MAX_MEMBERS:
                raise _Refused(f"文件数超过{MAX_MEMBERS}个")

    def names(self) -> list[str]:
        return self._names

    def size(self, name: str) -> int:
        return self.root.joinpath(*name.split("/")).stat().st_size

    def open(self, name: str) -> IO[bytes]:
        return self.root.joinpath(*name.split("/")).open("rb")


class _ZipReader(_Reader):
    def __init__(self, path: Path) -> None:
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
            # Zips made by Explorer on Chinese Windows carry GBK names without the UTF-8 flag.
            if any(not i.flag_bits & 0x800 and not i.filename.isascii() for i in infos):
                self.zf.close()
                self.zf = zipfile.ZipFile(path, metadata_encoding="gbk")
                infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError) as exc:
            raise _Refused(f"不是有效的 zip 文件（{exc}）") from exc
        if len(infos) > MAX_MEMBERS:
            self.zf.close()
            raise _Refused(f"压缩包内文件数 {len(infos)} 超过上限 {MAX_MEMBERS}")
        seen: dict[str, str] = {}
        total = 0
        self.infos: dict[str, zipfile.ZipInfo] = {}
        try:
            for info in infos:
                name = info.filename
                problem = member_name_problem(name)
                if problem:
                    raise _Refused(f"压缩包内的“{name}”是{problem}，可能是恶意构造的压缩包")
                folded = _fold(name.rstrip("/"))
                if folded in seen:
                    raise _Refused(f"压缩包内有重复的文件名“{name}”")
                seen[folded] = name
                if info.is_dir():
                    continue
                if info.flag_bits & 0x1:
                    raise _Refused(f"压缩包内的“{name}”已加密，无法核对")
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    raise _Refused("压缩包解压后总大小超过上限")
                if info.file_size > CHUNK and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise _Refused(f"压缩包内的“{name}”压缩比异常（疑似压缩炸弹）")
                self.infos[unicodedata.normalize("NFC", name)] = info
        except _Refused:
            self.zf.close()
            raise

    def names(self) -> list[str]:
        return list(self.infos)

    def size(self, name: str) -> int:
        return self.infos[name].file_size

    def open(self, name: str) -> IO[bytes]:
        return self.zf.open(self.infos[name])

    def close(self) -> None:
        self.zf.close()


def _hash_member(reader: _Reader, name: str, limit: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with reader.open(name) as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            size += len(chunk)
            if size > limit:
                raise _Refused(f"“{name}”的实际大小超过登记的大小")
            digest.update(chunk)
    return digest.hexdigest(), size


def _read_manifest(reader: _Reader) -> dict[str, Any]:
    if MANIFEST not in reader.names():
        raise _Refused(f"包内没有 {MANIFEST}，不是本系统生成的移送材料")
    if reader.size(MANIFEST) > MAX_MANIFEST_BYTES:
        raise _Refused(f"{MANIFEST} 过大")
    with reader.open(MANIFEST) as fh:
        raw = fh.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _Refused(f"{MANIFEST} 过大")
    try:
        manifest = bounded_json.loads(raw)
    except ValueError as exc:  # not UTF-8, nested too deep, not JSON
        raise _Refused(f"{MANIFEST} 无法解析（{exc}）") from exc
    if not isinstance(manifest, dict):
        raise _Refused(f"{MANIFEST} 格式不正确")
    schema = manifest.get("schema")
    if not isinstance(schema, str) or not schema.startswith("zhiqian.transfer/"):
        raise _Refused(f"{MANIFEST} 的格式标识“{schema}”不是移送材料")
    if schema != SCHEMA:
        raise _Refused(f"移送材料格式版本“{schema}”不受本程序支持（支持 {SCHEMA}）；请升级程序")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _Refused(f"{MANIFEST} 缺少文件清单")
    return manifest


def verify_package(path: Path) -> VerifyReport:
    """Check every file against the manifest: missing, altered and extra files are all reported.

    A zip is read member by member, streamed, never extracted; hostile names (``..``, absolute
    paths, backslashes, drive letters, duplicates) and oversized or over-compressed members make
    the whole package refused before anything is read.
    """
    path = Path(path)
    report = VerifyReport(path)
    reader: _Reader | None = None
    try:
        if path.is_dir():
            reader = _FolderReader(path)
        elif path.is_file():
            reader = _ZipReader(path)
        else:
            raise _Refused(f"“{path}”不存在")
        manifest = _read_manifest(reader)
        report.schema = manifest["schema"]
        case = manifest.get("case")
        report.case_no = case.get("case_no") if isinstance(case, dict) else None
        present = set(reader.names())
        expected: dict[str, dict[str, Any]] = {}
        for entry in manifest["files"]:
            name = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(name, str) or member_name_problem(name):
                raise _Refused(f"{MANIFEST} 中的文件路径“{name}”不合法")
            if not isinstance(entry.get("sha256"), str) or not isinstance(entry.get("size"), int):
                raise _Refused(f"{MANIFEST} 中“{name}”缺少校验值或大小")
            name = unicodedata.normalize("NFC", name)
            if name in expected or name == MANIFEST:
                raise _Refused(f"{MANIFEST} 中“{name}”重复")
            expected[name] = entry
        for name, entry in sorted(expected.items()):
            if name not in present:
                report.findings.append(Finding(name, "missing", "清单中登记的文件不在包内"))
                continue
            report.files_checked += 1
            try:
                sha, size = _hash_member(reader, name, max(entry["size"], 0) + 1)
            except _Refused:
                report.findings.append(Finding(name, "altered", "文件大小与清单不符"))
                continue
            except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
                report.findings.append(Finding(name, "unreadable", f"读取失败：{exc}"))
                continue
            if size != entry["size"]:
                report.findings.append(
                    Finding(name, "altered", f"大小 {size} 字节，清单登记 {entry['size']} 字节")
                )
            elif sha != entry["sha256"]:
                report.findings.append(Finding(name, "altered", "SHA-256 校验值与清单不符"))
        for name in sorted(present - set(expected) - {MANIFEST}):
            report.findings.append(Finding(name, "extra", "清单中没有登记的文件"))
        if isinstance(reader, _FolderReader):
            for name in reader.links:
                report.findings.append(Finding(name, "extra", "符号链接或特殊文件，未读取"))
    except _Refused as exc:
        report.refused = str(exc)
    finally:
        if reader is not None:
            reader.close()
    return report


# Public names for the other readers and writers of packages (services/sync.py: offline kits and
# change packages), so that every file from outside goes through the same checks.
PackageRefused = _Refused
ZipReader = _ZipReader
ZipSink = _ZipSink
hash_member = _hash_member
