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

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from zhiqian_desktop import __version__
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.transfer import Sheet, SheetRenderer
from zhiqian_desktop.services.closing.outcomes import (
    transfer_case,
)
from zhiqian_desktop.services.closing.transfer_data import (
    ATTACHMENTS_DIR,
    DOCUMENTS_DIR,
    INDEX_NAME,
    LETTER_NAME,
    MANIFEST,
    PAYMENTS_NAME,
    PROPERTY_NAME,
    RECORD_NAME,
    SCHEMA,
    SIGNATURE,
    SUMMARY_NAME,
    CaseRecords,
    PackedFile,
    attachment_source,
    collect_records,
    document_title,
    font_settings,
    manifest_case,
)
from zhiqian_desktop.services.closing.transfer_sheets import (
    index_sheet,
    payments_sheet,
    pdf_pages,
    property_sheet,
    record_sheet,
    summary_sheet,
)
from zhiqian_desktop.services.core import signing
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.archives import (
    FolderSink,
    Sink,
    ZipSink,
    check_destination,
    clean_leftovers,
    fsync_dir,
    partial_prefix,
    safe_name,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.outputs import place

ProgressFn = Callable[[int, int, str], None]


# --- building -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    path: str
    kind: str
    title: str
    produce: Callable[[], bytes | Path]
    source_id: str | None = None


def _plan(
    db: Database, session: Session, data: CaseRecords, letter_id: str, reason: str, today: date
) -> list[_Planned]:
    renderer = SheetRenderer(load_print_fonts(*font_settings(session)))
    urging = notices.urging_period_end(session, data.case.id)
    plan: list[_Planned] = []

    def sheet(path: str, kind: str, title: str, make: Callable[[], Sheet]) -> None:
        plan.append(_Planned(path, kind, title, lambda: renderer.render(make())[0]))

    def document_pdf(doc_id: str) -> Callable[[], bytes]:
        def produce() -> bytes:
            try:
                return notices.stored_pdf(session, doc_id)
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
        title = document_title(d)
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
                attachment_source(store, session, a),
                a.id,
            )
        )
    return plan


def _report(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


def signing_note(key_fingerprint: str) -> str:
    """The line on the transfer letter by which the filing desk checks the package's signature."""
    return (
        f"（随函移送材料的清单 manifest.json 已由本院电子签名，签名公钥指纹：{key_fingerprint}；"
        "可用 zhiqian verify-package 核对）"
    )


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
    clean_leftovers(dest)
    # Before the transfer's transaction: on a court server making the key is a write of its own.
    key = signing.court_signing_key(db)
    key_fingerprint = signing.fingerprint(key.public_key())
    tmp = dest.parent / f"{partial_prefix(dest)}{uuid.uuid4().hex[:8]}"
    placed = False
    with db.sessions() as session:
        tx = session.begin()
        sink: Sink | None = None
        try:
            _report(progress, 0, 0, "正在登记移送执行…")
            transfer_case(session, actor, case_id, transferred_on=today, reason=reason, today=today)
            letter = notices.issue_notice(
                session,
                actor,
                case_id,
                DocumentKind.TRANSFER_LETTER,
                today=today,
                notes=[signing_note(key_fingerprint)],
            )
            data = collect_records(session, case_id)
            plan = _plan(db, session, data, letter.id, reason.strip(), today)
            total = len(plan) + 3
            sink = ZipSink(tmp) if as_zip else FolderSink(tmp)
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
                load_print_fonts(*font_settings(session))
            ).render(index_sheet(data, packed))
            sha, size = sink.add_bytes(INDEX_NAME, index_pdf)
            packed.insert(0, PackedFile(INDEX_NAME, "index", "卷内目录", sha, size, index_pages))
            _report(progress, len(plan) + 1, total, "正在写入 manifest.json")
            manifest = {
                "schema": SCHEMA,
                "generator": f"zhiqian-desktop {__version__}",
                "created_at": datetime.now(UTC).astimezone(data.zone).isoformat(timespec="seconds"),
                "court": {"name": data.court_name, "code": data.court_code},
                "transfer": {
                    "transferred_on": today.isoformat(),
                    "reason": reason.strip(),
                    "by": actor.display_name,
                    "letter_document_id": letter.id,
                    "letter_doc_no": letter.doc_no,
                },
                "case": manifest_case(data, session, today),
                "signature": {
                    "algorithm": signing.ALGORITHM,
                    "key_fingerprint": key_fingerprint,
                    "signed_by": {"username": actor.username, "name": actor.display_name},
                    "signed_at": datetime.now(UTC)
                    .astimezone(data.zone)
                    .isoformat(timespec="seconds"),
                },
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
            raw_manifest = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            sink.add_bytes(MANIFEST, raw_manifest)
            signature = {
                "algorithm": signing.ALGORITHM,
                "key_fingerprint": key_fingerprint,
                "signature": signing.sign(key, raw_manifest),
            }
            sink.add_bytes(SIGNATURE, (json.dumps(signature, indent=1) + "\n").encode("ascii"))
            _report(progress, len(plan) + 2, total, "正在保存移送材料")
            sink.finish()
            db.check_same_file()
            if as_zip:
                place(tmp, dest, force=force)
            else:
                renames.rename(tmp, dest)  # a folder: refused if the name was taken meanwhile
            placed = True
            fsync_dir(dest.parent)
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
