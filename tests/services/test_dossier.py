"""The archive dossier (归档卷宗): one PDF in binding order with cover, index and merged parts."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import fonts_not_embedded, pdf_text
from zhiqian_desktop.cli.dossier import cmd_dossier
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PaymentMethod, ServiceMethod
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.transfer import SheetRenderer
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.closing.dossier import build_archive_dossier
from zhiqian_desktop.services.closing.transfer_data import collect_records
from zhiqian_desktop.services.closing.transfer_sheets import (
    payments_sheet,
    property_sheet,
    record_sheet,
)
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import attachments, notices, service_records
from zhiqian_desktop.store.database import Database

MARKER = "MERGED ATTACHMENT MARKER"


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def text_of(path: Path) -> str:
    return pdf_text(path, by_position=True)


def make_pdf(path: Path, pages: int) -> Path:
    canvas = Canvas(str(path))
    for n in range(pages):
        canvas.drawString(72, 720, f"{MARKER} page {n + 1}")
        canvas.showPage()
    canvas.save()
    return path


def open_case(db: Database, admin: Actor) -> tuple[str, str, str]:
    """A case with an urging notice, its service receipt and a full payment (not yet closed)."""
    with db.unit_of_work() as s:
        c = register_case(
            s, admin, make_case_input(amount="3000.00", received=date(2026, 11, 2)), today=TODAY
        )
        cid, case_no = c.id, c.case_no
    with db.unit_of_work() as s:
        urging = notices.issue_notice(s, admin, cid, DocumentKind.URGING, today=date(2026, 11, 3))
        urging_id = urging.id
    with db.unit_of_work() as s:
        service_records.record_service(
            s, admin, urging_id, ServiceMethod.DIRECT, date(2026, 11, 4), "张书记员", today=TODAY
        )
        notices.issue_notice(
            s,
            admin,
            cid,
            DocumentKind.SERVICE_RECEIPT,
            today=date(2026, 11, 4),
            served_document_id=urging_id,
        )
    with db.unit_of_work() as s:
        outcomes.record_payment(
            s,
            admin,
            cid,
            paid_on=date(2026, 11, 10),
            amount=Decimal("3000.00"),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            today=TODAY,
        )
    return cid, case_no, urging_id


def test_closed_case_dossier_binds_cover_index_documents_and_attachments(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    cid, case_no, _ = open_case(db, admin)
    scan = make_pdf(tmp_path / "和解协议扫描件.pdf", 2)
    photo = tmp_path / "现场照片.png"
    Image.new("RGB", (1200, 500), (200, 30, 30)).save(photo)
    with db.unit_of_work() as s:
        for source in (scan, photo):
            attachments.attach_file(
                s, admin, case_id=cid, owner_kind="case", owner_id=cid, source=source
            )
        outcomes.close_case(
            s,
            admin,
            cid,
            CaseStatus.PERFORMED,
            closed_on=date(2026, 11, 20),
            reason="被申请人已全部履行",
            today=TODAY,
        )
    dest = tmp_path / "卷宗.pdf"
    with db.reader() as s:
        out = build_archive_dossier(s, cid, dest, today=TODAY)
        # The expected parts, counted independently of the dossier.
        data = collect_records(s, cid)
        renderer = SheetRenderer(load_print_fonts())
        docs = [d for d in data.documents if not d.voided]
        doc_pages = sum(pages_of(notices.stored_pdf(s, d.id)) for d in docs)
        sheet_pages = sum(
            renderer.render(sheet)[1]
            for sheet in (record_sheet(data), payments_sheet(s, data, TODAY), property_sheet(data))
        )
    assert out == dest
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert len(docs) == 2  # the urging notice and its receipt
    total = pages_of(dest.read_bytes())
    cover, index = 1, 1
    assert total == cover + index + doc_pages + sheet_pages + 2 + 1

    text = text_of(dest)
    pages = text.split("\f")
    assert "执前督促案件卷宗" in pages[0]
    assert case_no in pages[0]
    assert "民间借贷纠纷" in pages[0]
    assert "自动履行完毕" in pages[0]
    assert "2026-11-20" in pages[0]
    assert f"{total}页" in pages[0]
    assert "卷内目录" in pages[1]
    for entry in ("执前督促过程记录", "履行款及和解情况", "送达回证", "和解协议扫描件.pdf"):
        assert entry in pages[1], entry
    assert "现场照片.png" in pages[1]
    # The last index entry (the image) ends on the last page.
    assert str(total) in pages[1].split("现场照片.png")[1].split("\n")[0]
    assert f"{MARKER} page 1" in pages[total - 3]
    assert f"{MARKER} page 2" in pages[total - 2]
    assert "现场照片.png" in pages[total - 1]
    assert len(PdfReader(str(dest)).pages[total - 1].images) == 1
    # Every font of the pages the app lays out is embedded (the merged scan is the court's own).
    assert fonts_not_embedded(dest, first=1, last=total - 3) == []
    # 卷内页码: every page carries its place in the dossier, on a line of its own at the top.
    for n, page in enumerate(pages[:total], start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert str(n) in lines[:3], (n, lines[:3])


def test_open_case_is_refused(db: Database, admin: Actor, tmp_path: Path) -> None:
    cid, _, _ = open_case(db, admin)
    out = tmp_path / "out"
    out.mkdir()
    with db.reader() as s, pytest.raises(UserError, match="尚未结案"):
        build_archive_dossier(s, cid, out / "卷宗.pdf", today=TODAY)
    assert list(out.iterdir()) == []


def test_cli_dossier_writes_the_pdf(
    db: Database, admin: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cid, case_no, _ = open_case(db, admin)
    with db.unit_of_work() as s:
        outcomes.close_case(
            s,
            admin,
            cid,
            CaseStatus.PERFORMED,
            closed_on=date(2026, 11, 20),
            reason="被申请人已全部履行",
            today=TODAY,
        )
    dest = tmp_path / "卷宗.pdf"
    args = argparse.Namespace(case_no=case_no, output=str(dest), json=True)
    assert cmd_dossier(db, admin, args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pages"] == pages_of(dest.read_bytes()) and result["case_no"] == case_no
    with pytest.raises(UserError, match=r"\.pdf"):
        cmd_dossier(db, admin, argparse.Namespace(case_no=case_no, output="x.zip", json=False))
