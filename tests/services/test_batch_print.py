"""Batch printing for a service trip: one PDF, every document numbered and stored, all or nothing."""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.cli.batch import cmd_batch_print
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, MediatorKind, PartyKind, PartyRole
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.printing import render_pool
from zhiqian_desktop.services.closing import batch_print
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import mediation, notices
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Attachment, Document, Party, StoredFile, SupervisionCase


def _cases(db: Database, admin: Actor, count: int) -> list[tuple[str, str]]:
    with db.unit_of_work() as s:
        cases = [
            register_case(s, admin, make_case_input(n, obligor=f"被申请人{n}号"), today=TODAY)
            for n in range(1, count + 1)
        ]
        return [(c.id, c.case_no) for c in cases]


def _pdf_text(path: Path) -> str:
    return "".join(pdf_text(path).split())


def _stored_files(db: Database) -> list[Path]:
    root = notices.files_dir(db)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _nothing_written(db: Database, output: Path, before: list[Path]) -> None:
    assert not output.exists()
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
        assert s.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert _stored_files(db) == before


class Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[int, int, str]] = []
        self.cancel_after = cancel_after

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        self.reports.append((done, total, text))

    def check(self) -> None:
        if self.cancel_after is not None and len(self.reports) >= self.cancel_after:
            raise KeyboardInterrupt("cancelled")  # any exception: the worker raises Cancelled


def test_fifty_cases_make_one_pdf_with_a_receipt_after_each(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    cases = _cases(db, admin, 50)
    output = tmp_path / "trip.pdf"
    progress = Recorder()
    result = batch_print.issue_batch(
        db,
        admin,
        [c for c, _ in cases],
        DocumentKind.URGING,
        receipts=True,
        today=TODAY,
        output=output,
        progress=progress,
    )
    assert result.pdf_path == output and result.case_count == 50 and len(result.receipts) == 50
    text = _pdf_text(output)
    for _, case_no in cases:
        assert case_no in text
    assert text.count("送达回证") >= 50
    assert text.count("自动履行催告书") >= 100  # the notice's title and the receipt's 文书名称
    # Each receipt follows its own notice: the notice numbers appear in case order.
    positions = [text.index(d.doc_no) for d in result.documents]
    assert positions == sorted(positions)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 100
        for d in result.documents[:3]:
            assert notices.stored_pdf(s, d.id) == d.pdf
    assert progress.reports[-1][0] == progress.reports[-1][1] == 51


def test_a_cancelled_batch_writes_nothing(db: Database, admin: Actor, tmp_path: Path) -> None:
    cases = _cases(db, admin, 6)
    before = _stored_files(db)
    output = tmp_path / "trip.pdf"
    with pytest.raises(KeyboardInterrupt):
        batch_print.issue_batch(
            db,
            admin,
            [c for c, _ in cases],
            DocumentKind.URGING,
            receipts=True,
            today=TODAY,
            output=output,
            progress=Recorder(cancel_after=3),
        )
    _nothing_written(db, output, before)
    # The numbers were not used up: the next batch starts at 催告1 again.
    result = batch_print.issue_batch(
        db, admin, [cases[0][0]], DocumentKind.URGING, receipts=False, today=TODAY, output=output
    )
    assert result.documents[0].doc_no.endswith("-催告1")


def test_one_case_that_cannot_have_the_document_stops_the_batch_and_is_named(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    cases = _cases(db, admin, 3)
    with db.unit_of_work() as s:
        archived = s.get(SupervisionCase, cases[1][0])
        assert archived is not None
        archived.status = CaseStatus.ARCHIVED
    with pytest.raises(UserError, match=re.escape(f"案件{cases[1][1]}已归档")):
        batch_print.issue_batch(
            db,
            admin,
            [c for c, _ in cases],
            DocumentKind.URGING,
            receipts=False,
            today=TODAY,
            output=tmp_path / "t.pdf",
        )
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0
    with pytest.raises(UserError, match="已被删除"):
        batch_print.issue_batch(
            db, admin, [cases[0][0] + "x"], DocumentKind.URGING, receipts=False, today=TODAY
        )
    with pytest.raises(UserError, match="送达回证随被送达的文书"):
        batch_print.issue_batch(
            db,
            admin,
            [cases[0][0]],
            DocumentKind.SERVICE_RECEIPT,
            receipts=False,
            today=TODAY,
        )


def test_cases_from_the_due_list_and_the_cli(
    db: Database, admin: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases(db, admin, 3)
    with db.reader() as s:
        due = batch_print.cases_from_due_list(s, TODAY)
    assert {c.case_no for c in due} == {no for _, no in cases}  # new cases: no urging notice yet
    output = tmp_path / "cli.pdf"
    args = argparse.Namespace(
        kind="督促履行通知书",
        cases=None,
        due_date=TODAY.isoformat(),
        handler=None,
        receipts=True,
        output=str(output),
        date=TODAY.isoformat(),
        json=False,
    )
    assert cmd_batch_print(db, admin, args) == 0
    assert "已出具3件督促履行通知书及送达回证" in capsys.readouterr().out
    text = _pdf_text(output)
    assert all(no in text for _, no in cases) and text.count("送达回证") >= 3
    args.due_date, args.cases, args.output = None, [cases[0][1]], str(tmp_path / "x.txt")
    with pytest.raises(UserError, match=r"\.pdf"):
        cmd_batch_print(db, admin, args)


@pytest.mark.usefixtures("sqlite_db")  # the folder store beside the database file
def test_the_batch_syncs_every_stored_pdf_once_before_its_commit(
    db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _cases(db, admin, 3)
    synced: list[Path] = []
    fsyncs: list[int] = []
    real_sync, real_fsync = batch_print.sync_files, os.fsync

    def sync_files(paths: object) -> None:
        listed = list(paths)  # type: ignore[call-overload]
        with db.reader() as s:  # not committed yet: the files are durable before the records
            assert s.scalar(select(func.count()).select_from(Document)) == 0
        synced.extend(listed)
        real_sync(listed)

    def fsync(fd: int) -> None:
        fsyncs.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(batch_print, "sync_files", sync_files)
    monkeypatch.setattr(os, "fsync", fsync)
    result = batch_print.issue_batch(
        db,
        admin,
        [c for c, _ in cases],
        DocumentKind.URGING,
        receipts=True,
        today=TODAY,
        output=tmp_path / "trip.pdf",
    )
    issued = [*result.documents, *result.receipts]
    assert sorted(synced) == sorted(d.pdf_path for d in issued)
    # No fsync while issuing: only the files and their folders, once, at the end, and the trip
    # PDF the clerk asked for.
    assert len(fsyncs) == len(issued) + len({d.pdf_path.parent for d in issued}) + 1


def test_the_due_list_batch_skips_and_names_cases_that_cannot_have_the_document(
    db: Database, admin: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases(db, admin, 3)
    with db.unit_of_work() as s:
        company = s.scalars(
            select(Party).where(Party.case_id == cases[1][0], Party.role == PartyRole.OBLIGOR)
        ).one()
        company.kind = PartyKind.LEGAL_PERSON
    output = tmp_path / "bankruptcy.pdf"
    args = argparse.Namespace(
        kind="bankruptcy_notice",
        cases=None,
        due_date=TODAY.isoformat(),
        handler=None,
        receipts=False,
        output=str(output),
        date=TODAY.isoformat(),
        json=False,
    )
    assert cmd_batch_print(db, admin, args) == 0
    out = capsys.readouterr().out.splitlines()
    skipped = [line for line in out if line.startswith("跳过")]
    assert sorted(skipped) == sorted(
        f"跳过{no}：申请破产审查告知书只适用于被申请人为企业法人的案件（企业破产法第二条）"
        for _, no in (cases[0], cases[2])
    )
    assert "已出具1件申请破产审查告知书（跳过2件，见上）" in out[-1]
    assert cases[1][1] in _pdf_text(output) and cases[0][1] not in _pdf_text(output)

    # --json names them too; and when none may have it, nothing is issued and the reason is given.
    args.json, args.output = True, str(tmp_path / "again.pdf")
    assert cmd_batch_print(db, admin, args) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["case_no"] for d in data["skipped"]} == {cases[0][1], cases[2][1]}
    args.kind = "performance_certificate"
    with pytest.raises(UserError, match=r"都不能出具自动履行证明书.*尚有"):
        cmd_batch_print(db, admin, args)


def test_issuable_cases_names_the_status_that_refuses(db: Database, admin: Actor) -> None:
    cases = _cases(db, admin, 2)
    with db.unit_of_work() as s:
        withdrawn = s.get(SupervisionCase, cases[0][0])
        assert withdrawn is not None
        withdrawn.status = CaseStatus.WITHDRAWN
    with db.reader() as s:
        chosen = batch_print.cases_by_id(s, [c for c, _ in cases])
        ok, skipped = batch_print.issuable_cases(s, chosen, DocumentKind.URGING, today=TODAY)
        assert [c.case_no for c in ok] == [cases[1][1]]
        assert [k.reason for k in skipped] == [
            f"案件{cases[0][1]}已“撤回”，不能再出具自动履行催告书；如需继续督促，请先重新开启案件"
        ]
        # A transfer letter only for a case whose supervision failed.
        ok, skipped = batch_print.issuable_cases(
            s, chosen, DocumentKind.TRANSFER_LETTER, today=TODAY
        )
        assert not ok and all("只有督促不成的案件才能移送执行" in k.reason for k in skipped)


def test_issuable_cases_weighs_the_day_of_issue(db: Database, admin: Actor) -> None:
    """The pre-check is made for the day the batch is issued: a mediation letter the day the
    period ends is fine, the day after it is refused (domain.issuing), as issuing would refuse."""
    cases = _cases(db, admin, 1)
    with db.unit_of_work() as s:
        mediator = mediation.add_mediator(s, admin, "城关人民调解委员会", MediatorKind.COMMITTEE)
        entrusted = mediation.entrust_case(
            s,
            admin,
            cases[0][0],
            mediator_id=mediator.id,
            entrusted_on=TODAY,
            period_days=15,
            today=TODAY,
        )
    with db.reader() as s:
        chosen = batch_print.cases_by_id(s, [c for c, _ in cases])
        ok, skipped = batch_print.issuable_cases(
            s, chosen, DocumentKind.MEDIATION_LETTER, today=entrusted.ends_on
        )
        assert [c.case_no for c in ok] == [cases[0][1]] and not skipped
        ok, skipped = batch_print.issuable_cases(
            s, chosen, DocumentKind.MEDIATION_LETTER, today=entrusted.ends_on + timedelta(days=1)
        )
        assert not ok
        assert [k.reason for k in skipped] == [
            f"案件{cases[0][1]}的委托调解期限已于{entrusted.ends_on.isoformat()}届满，"
            "不能再出具委托调解函；请在“委托调解”页登记调解结果"
        ]


def test_documents_drawn_in_worker_processes_are_the_ones_this_process_draws(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    # 60 cases with a receipt each: 120 documents, enough for a pool of workers on two cores.
    assert render_pool.worker_count(120, cpus=2) == 1
    cases = _cases(db, admin, 60)
    result = batch_print.issue_batch(
        db,
        admin,
        [c for c, _ in cases],
        DocumentKind.SUPERVISION_NOTICE,
        receipts=True,
        today=TODAY,
        output=tmp_path / "trip.pdf",
    )
    with db.reader() as s:
        for d in (*result.documents[::7], *result.receipts[::7]):
            assert notices.render_document(s, d.id) == d.pdf == notices.stored_pdf(s, d.id)
        numbers = list(s.scalars(select(Document.doc_no)))
    assert len(numbers) == len(set(numbers)) == 120
    text = _pdf_text(tmp_path / "trip.pdf")
    positions = [text.index(d.doc_no) for d in (*result.documents, *result.receipts)]
    assert len(positions) == 120


@pytest.mark.parametrize("cancel_after", [61, 62])
def test_a_batch_cancelled_after_its_documents_were_drawn_and_stored_writes_nothing(
    db: Database, admin: Actor, tmp_path: Path, cancel_after: int
) -> None:
    cases = _cases(db, admin, 60)
    before = _stored_files(db)
    output = tmp_path / "trip.pdf"
    # 60 reports while numbering, one before the workers draw the notices: cancelled while the
    # receipts are numbered (the notices drawn and stored), or once every document is stored.
    with pytest.raises(KeyboardInterrupt):
        batch_print.issue_batch(
            db,
            admin,
            [c for c, _ in cases],
            DocumentKind.SUPERVISION_NOTICE,
            receipts=True,
            today=TODAY,
            output=output,
            progress=Recorder(cancel_after=cancel_after),
        )
    _nothing_written(db, output, before)
