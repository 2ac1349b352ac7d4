"""Batch printing for a service trip: issue one kind of document for many cases in one PDF.

Every document is numbered and stored exactly as ``notices.issue_notice`` does for a single one;
with receipts, each is followed by a 送达回证 for each of its addressees (itself a numbered
document pointing at it; a record or a letter to the filing division has none). The
trip PDF holds them in case order, each with its own page numbering. The whole batch is one unit of
work: a failure or a cancel leaves no document, no number used and no trip file behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import RECORD_DOCUMENTS
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.printing.documents import NoticeContent, check_kind
from zhiqian_desktop.printing.render_pool import FontFiles, RenderPool, worker_count
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.intake.docket import DocketQuery, list_cases
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.services.supervision.templates import renderer_for
from zhiqian_desktop.store.database import Database, database_of
from zhiqian_desktop.store.files import (
    sync_files,
    viewing_dir,
    write_atomically,
    write_for_viewer,
)
from zhiqian_desktop.store.locations import data_dir
from zhiqian_desktop.store.models import Attachment, Document, SupervisionCase
from zhiqian_desktop.store.outputs import check_output_file, write_output

MAX_BATCH = 1000
"""More than a day's trip; a larger batch is more likely a wrong filter than a plan."""

BATCH_KINDS = tuple(
    k for k in DocumentKind if k is not DocumentKind.SERVICE_RECEIPT and k not in RECORD_DOCUMENTS
)
"""A receipt is printed with the document it serves, never on its own in a batch; a ruling or a
协助执行通知书 from the record it is about."""
RECEIPT_ALONE = "送达回证随被送达的文书一起打印；请选择要送达的文书种类，并勾选“附送达回证”"


class BatchProgress(Protocol):
    """What the batch reports to and asks of its caller (gui.worker.Progress fits)."""

    def report(self, done: int, total: int = 0, text: str = "") -> None: ...

    def check(self) -> None: ...


class _Silent:
    def report(self, done: int, total: int = 0, text: str = "") -> None:
        pass

    def check(self) -> None:
        pass


@dataclass(frozen=True)
class BatchCase:
    """A case offered for the trip, as the chooser lists it."""

    id: str
    case_no: str
    obligors: str
    handler: str
    reason: str = ""


@dataclass(frozen=True)
class SkippedCase:
    """A case left out of a batch, and why (a clerk's sentence naming the case)."""

    case: BatchCase
    reason: str


@dataclass(frozen=True)
class BatchResult:
    pdf_path: Path
    documents: tuple[notices.IssuedDocument, ...]
    receipts: tuple[notices.IssuedDocument, ...]
    kind: DocumentKind
    skipped: tuple[SkippedCase, ...] = ()
    """Cases of a due-list batch left out because the document cannot be issued for them."""

    @property
    def case_count(self) -> int:
        return len(self.documents)


# --- choosing the cases --------------------------------------------------------------------------


@reads
def cases_from_due_list(
    session: Session,
    on: date,
    *,
    handler_id: str | None = None,
    tribunal_id: str | None = None,
) -> list[BatchCase]:
    """The cases on the due-list of ``on`` (each once, most urgent first), with why they are due."""
    seen: dict[str, BatchCase] = {}
    for item in due_list(session, on, handler_id=handler_id, tribunal_id=tribunal_id):
        if item.case_id in seen:
            continue
        seen[item.case_id] = BatchCase(
            item.case_id, item.case_no, item.obligor_names, item.handler_name, item.kind.label
        )
    return list(seen.values())


@reads
def cases_from_docket(
    session: Session, query: DocketQuery, *, today: date, limit: int = MAX_BATCH
) -> list[BatchCase]:
    """The cases the docket shows for ``query`` (its filter and sort), at most ``limit``."""
    return [
        BatchCase(r.id, r.case_no, r.obligor_names, r.handler_name)
        for r in list_cases(session, query, today=today, limit=limit)
    ]


@reads
def cases_by_id(session: Session, case_ids: Iterable[str]) -> list[BatchCase]:
    """The given cases in the given order (rows selected in the docket); unknown ids are skipped."""
    wanted = list(dict.fromkeys(case_ids))
    rows = {
        c.id: c
        for c in session.scalars(
            select(SupervisionCase).where(
                SupervisionCase.id.in_(wanted), SupervisionCase.deleted_at.is_(None)
            )
        )
    }
    out = []
    for case_id in wanted:
        case = rows.get(case_id)
        if case is not None:
            handler = case.handler.display_name if case.handler else ""
            out.append(BatchCase(case.id, case.case_no, case.obligor_names or "", handler))
    return out


@reads
def issuable_cases(
    session: Session, cases: Sequence[BatchCase], kind: DocumentKind, *, today: date
) -> tuple[list[BatchCase], list[SkippedCase]]:
    """Split ``cases`` into those that may get ``kind`` on ``today`` and those that may not, with
    the reason: the case's status or its facts (domain.issuing.issue_refusal: a certificate for a
    case not fully performed, a warning before the urging notice was served, a mediation letter
    after the mediation period ran out …) — the checks issuing would refuse on."""
    if kind is DocumentKind.SERVICE_RECEIPT:
        raise UserError(RECEIPT_ALONE)
    settings = get_settings(session)
    rows = {
        c.id: c
        for c in session.scalars(
            select(SupervisionCase).where(SupervisionCase.id.in_([c.id for c in cases]))
        )
    }
    ok: list[BatchCase] = []
    skipped: list[SkippedCase] = []
    for case in cases:
        row = rows.get(case.id)
        if row is None or row.deleted_at is not None:
            skipped.append(SkippedCase(case, f"案件{case.case_no}已被删除"))
            continue
        refusal = None
        try:
            check_kind(kind, notices.case_facts(session, row, settings), None, today)
        except UserError as exc:
            refusal = exc.message
        if refusal is None:
            ok.append(case)
        else:
            skipped.append(SkippedCase(case, refusal))
    return ok, skipped


# --- where trip files go -------------------------------------------------------------------------


def printouts_dir() -> Path:
    """Files written to be opened in the PDF viewer and printed (copies; the originals are kept)."""
    path = data_dir() / "printouts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def printout_path(name: str) -> Path:
    """A file in the printouts folder, its name made safe for every file system."""
    return printouts_dir() / re.sub(r'[\\/:*?"<>|\s]+', "_", name)


def default_batch_path(kind: DocumentKind, count: int, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return printout_path(f"批量打印-{kind.label}-{count}件-{stamp}.pdf")


def viewer_path(db: Database, name: str) -> Path:
    """Where a copy of a document goes to be opened in the system viewer: the printouts folder,
    or, for a database that keeps its files inside itself (a court server, an encrypted file), a
    private folder removed when the program exits, so no copies pile up on the desk PC."""
    if db.files.in_database:
        return viewing_dir() / re.sub(r'[\\/:*?"<>|\s]+', "_", name)
    return printout_path(name)


@reads
def document_printout(session: Session, document_id: str) -> Path:
    """The issued PDF copied out as <文书编号>.pdf (``viewer_path``), for the system viewer."""
    db = database_of(session)
    document = session.get(Document, document_id)
    payload = notices.stored_pdf(session, document_id)
    name = document.doc_no if document is not None else document_id
    return write_for_viewer(viewer_path(db, f"{name}.pdf"), payload)


@reads
def redrawn_printout(session: Session, document_id: str) -> Path:
    """The document drawn again from the data stored when it was issued (重新打印), written as
    <文书编号>.pdf (``viewer_path``) for the viewer."""
    db = database_of(session)
    document = session.get(Document, document_id)
    name = document.doc_no if document is not None else document_id
    return write_for_viewer(
        viewer_path(db, f"{name}.pdf"), notices.render_document(session, document_id)
    )


# --- the batch -----------------------------------------------------------------------------------


def _in_case(case: BatchCase, exc: UserError) -> UserError:
    """In a batch the clerk must learn which case stopped it."""
    if case.case_no in exc.message:
        return exc
    return type(exc)(f"案件{case.case_no}：{exc.message}", field=exc.field)


def _font_files(session: Session) -> FontFiles:
    settings = get_settings(session)
    return (settings.print_font_body, settings.print_font_title)


def _issue_all(
    session: Session,
    actor: Actor,
    cases: Sequence[BatchCase],
    kind: DocumentKind,
    *,
    receipts: bool,
    today: date,
    progress: BatchProgress,
    issued_all: list[notices.IssuedDocument],
) -> tuple[list[notices.IssuedDocument], list[notices.IssuedDocument], bytes]:
    """Number every document, draw them (in worker processes where that pays), store them with
    their audit events, and draw the trip PDF; all in the caller's transaction. The notices are
    drawn and stored first (a receipt names the stored notice it serves); the trip PDF is drawn
    here while the workers draw the receipts."""
    fonts = _font_files(session)
    total = len(cases) + 1
    prepared: list[notices.PreparedDocument] = []
    for n, case in enumerate(cases):
        progress.check()
        progress.report(n, total, f"正在出具 {n + 1}/{len(cases)}：{case.case_no}")
        try:
            prepared.append(notices.prepare_document(session, actor, case.id, kind, today=today))
        except UserError as exc:
            raise _in_case(case, exc) from exc
    # The pool is sized for the notices and their receipts (about one each: one per addressee,
    # none for a record or a letter to the filing division).
    with RenderPool(worker_count(len(prepared) * (2 if receipts else 1))) as pool:
        progress.check()
        progress.report(len(cases), total, f"正在生成{len(prepared)}份{kind.label}")
        pdfs = pool.render(fonts, [p.data["content"] for p in prepared])
        documents = []
        for p, pdf in zip(prepared, pdfs, strict=True):
            documents.append(notices.store_document(session, actor, p, pdf, sync=False))
            issued_all.append(documents[-1])
        receipt_of: dict[str, list[notices.PreparedDocument]] = {}
        for case, issued in zip(cases, documents, strict=True):
            progress.check()
            try:
                receipt_of[issued.id] = (
                    notices.prepare_receipts(session, actor, issued.id, today=today)
                    if receipts
                    else []
                )
            except UserError as exc:
                raise _in_case(case, exc) from exc
        pending = [r for rs in receipt_of.values() for r in rs]
        drawing = pool.submit(fonts, [r.data["content"] for r in pending])
        progress.check()
        progress.report(len(cases), total, f"正在合成PDF（{len(prepared) + len(pending)}份文书）")
        trip = [
            NoticeContent.from_dict(d.data["content"])
            for p in prepared
            for d in (p, *receipt_of[p.id])
        ]
        pdf = renderer_for(get_settings(session)).build(trip)
        receipt_docs = []
        for r, receipt_pdf in zip(pending, drawing.result(), strict=True):
            receipt_docs.append(notices.store_document(session, actor, r, receipt_pdf, sync=False))
            issued_all.append(receipt_docs[-1])
    return documents, receipt_docs, pdf


def _forget_files(db: Database, issued: Sequence[notices.IssuedDocument]) -> None:
    """Remove the PDFs written for a batch that was rolled back, unless a kept record uses them."""
    if not issued:
        return
    shas = {d.pdf_sha256 for d in issued}
    with db.reader() as session:
        kept = set(
            session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(list(shas))))
        )
    for d in issued:
        # A store inside the database lost them with the rollback; a folder keeps files.
        if d.pdf_sha256 not in kept and d.pdf_path is not None:
            d.pdf_path.unlink(missing_ok=True)


def issue_batch(
    db: Database,
    actor: Actor,
    case_ids: Sequence[str],
    kind: DocumentKind,
    *,
    receipts: bool,
    today: date,
    output: Path | None = None,
    progress: BatchProgress | None = None,
    force: bool = False,
    printout_name: str | None = None,
) -> BatchResult:
    """Issue ``kind`` for every case (and its receipt) and write the trip PDF; all or nothing.

    ``progress.check()`` is called between cases; whatever it raises (a cancel) rolls the whole
    batch back. ``output`` the clerk chose is checked before anything is issued (an existing
    file is replaced only with ``force``); the trip PDF is written before the commit, and a
    file that cannot be written cancels the batch. Without ``output`` the PDF goes to the
    printouts folder, named ``printout_name`` or after the kind and the count.
    """
    progress = progress or _Silent()
    if kind is DocumentKind.SERVICE_RECEIPT:
        raise UserError(RECEIPT_ALONE)
    if not case_ids:
        raise UserError("没有选择案件；请先从待办清单或台账选择要送达的案件")
    if len(case_ids) > MAX_BATCH:
        raise UserError(f"一次最多批量打印{MAX_BATCH}件；请缩小范围后分批打印")
    actor.require_write()
    if output is not None:
        if output.suffix.lower() != ".pdf":
            raise UserError(f"输出文件“{output}”应以 .pdf 结尾")
        output = check_output_file(output, force=force)
    issued_all: list[notices.IssuedDocument] = []
    total = len(case_ids) + 1
    written: Path | None = None
    try:
        with db.unit_of_work() as session:
            cases = cases_by_id(session, case_ids)
            if len(cases) != len(set(case_ids)):
                raise UserError("所选案件中有的已被删除；请刷新后重新选择")
            documents, receipt_docs, pdf = _issue_all(
                session,
                actor,
                cases,
                kind,
                receipts=receipts,
                today=today,
                progress=progress,
                issued_all=issued_all,
            )
            progress.check()
            target = output or (
                printout_path(printout_name)
                if printout_name
                else default_batch_path(kind, len(cases))
            )
            # Written inside the unit of work: a file that cannot be written cancels the batch.
            try:
                if output is not None:
                    written = write_output(target, pdf, force=force)
                else:
                    write_atomically(target, pdf, sync=False)
                    written = target
            except (OSError, UserError) as exc:
                reason = exc.message if isinstance(exc, UserError) else exc.strerror
                raise UserError(
                    f"无法写入“{target}”（{reason}）；本批文书未出具，请另选保存位置后重试"
                ) from None
            # The stored PDFs were written without fsync; make them durable before the commit.
            sync_files(d.pdf_path for d in issued_all if d.pdf_path is not None)
    except BaseException:
        _forget_files(db, issued_all)
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    progress.report(total, total, f"已出具{len(documents)}件")
    return BatchResult(target, tuple(documents), tuple(receipt_docs), kind)
