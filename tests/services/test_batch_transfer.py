"""Batch transfer: one package per case, a case that cannot go is reported, the list shows all."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import TODAY, make_case_input
from tests.pdf_text import pdf_text
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.closing.batch_transfer import transfer_many
from zhiqian_desktop.services.closing.transfer_verify import verify_package
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.signing import court_public_key
from zhiqian_desktop.services.intake.docket import get_case, register_case
from zhiqian_desktop.services.supervision import notices
from zhiqian_desktop.store.database import Database

REASON = "经多次督促，被申请人仍未履行"


@pytest.fixture
def three_cases(db: Database, admin: Actor) -> list[str]:
    """Two cases under supervision and one already withdrawn (cannot be transferred)."""
    ids = []
    for n, obligor in enumerate(["王某某", "=HYPERLINK(1)", "赵某某"], start=1):
        with db.unit_of_work() as s:
            c = register_case(
                s,
                admin,
                make_case_input(n, obligor=obligor, received=date(2026, 11, 2)),
                today=TODAY,
            )
            ids.append(c.id)
        with db.unit_of_work() as s:
            notices.issue_notice(s, admin, c.id, DocumentKind.URGING, today=date(2026, 11, 3))
    with db.unit_of_work() as s:
        outcomes.close_case(
            s,
            admin,
            ids[1],
            CaseStatus.WITHDRAWN,
            closed_on=date(2026, 11, 10),
            reason="申请人撤回督促申请",
            today=TODAY,
        )
    return ids


def test_batch_transfers_the_others_and_lists_all(
    db: Database, admin: Actor, three_cases: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    seen: list[str] = []
    report = transfer_many(
        db,
        admin,
        three_cases,
        REASON,
        out,
        today=TODAY,
        progress=lambda d, t, m: seen.append(m),
    )
    assert [i.ok for i in report.items] == [True, False, True]
    assert report.items[1].error and "撤回" in report.items[1].outcome
    assert len(report.transferred) == 2
    packages = sorted(p for p in out.iterdir() if p.name.endswith("-移送执行.zip"))
    assert packages == sorted(i.package for i in report.transferred if i.package)
    for p in packages:
        assert verify_package(p, court_public_key(db)).ok
    with db.reader() as s:
        statuses = [get_case(s, cid).status for cid in three_cases]
    assert statuses == [CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN, CaseStatus.TRANSFERRED]
    assert seen and seen[-1] == "批量移送完成"
    # No temporary leftovers.
    assert not [p for p in out.iterdir() if p.name.startswith(".")]

    assert report.summary_xlsx is not None and report.summary_pdf is not None
    wb = load_workbook(report.summary_xlsx)
    rows = list(wb.active.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == [i.case_no for i in report.items]
    assert rows[0][8] == "已移送执行"
    assert rows[1][8].startswith("未移送：")
    assert rows[2][8] == "已移送执行"
    # A party name that looks like a formula stays text.
    cell = wb.active.cell(row=4, column=6)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"

    text = pdf_text(report.summary_pdf)
    text = "".join(text.split())  # a long case number wraps inside its cell
    assert "移送执行案件清单" in text
    assert "共3件，移送2件" in text
    for item in report.items:
        assert item.case_no in text
    assert text.count("已移送执行") >= 2 and "未移送" in text


def test_refusals_before_anything(db: Database, admin: Actor, tmp_path: Path) -> None:
    with pytest.raises(UserError):
        transfer_many(db, admin, ["x"], " ", tmp_path, today=TODAY)
    with pytest.raises(UserError):
        transfer_many(db, admin, [], REASON, tmp_path, today=TODAY)
    with pytest.raises(UserError):
        transfer_many(db, admin, ["x"], REASON, tmp_path / "missing", today=TODAY)
