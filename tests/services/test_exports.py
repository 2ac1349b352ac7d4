"""The docket export: every matching row in view order, typed cells, no formula injection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.workbooks import csv_safe
from zhiqian_desktop.services.intake.docket import DocketQuery, list_cases, register_case
from zhiqian_desktop.services.reporting.exports import (
    DOCKET_HEADERS,
    export_docket_xlsx,
    iter_docket_rows,
)
from zhiqian_desktop.store.database import Database

HOSTILE = '=HYPERLINK("http://evil.example/","点此")'


@pytest.fixture
def three_cases(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1, obligor="张三", amount="100.50"), today=TODAY)
        register_case(
            s, admin, make_case_input(2, obligor=HOSTILE, amount="123456.78"), today=TODAY
        )
        register_case(
            s,
            admin,
            make_case_input(3, obligor="@SUM(1+1)", amount="9.99", livelihood=True),
            today=TODAY,
        )


def _read(path: Path) -> list[list[object]]:
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.usefixtures("three_cases")
def test_export_writes_every_row_in_view_order(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    query = DocketQuery(sort="amount_due", descending=False)
    with db.reader() as s:
        n = export_docket_xlsx(s, query, out, TODAY)
        expected = list_cases(s, query, today=TODAY)
    assert n == 3
    rows = _read(out)
    assert rows[0] == DOCKET_HEADERS
    assert [r[0] for r in rows[1:]] == [e.case_no for e in expected]
    assert [r[3] for r in rows[1:]] == ["@SUM(1+1)", "张三", HOSTILE]
    assert [r[4] for r in rows[1:]] == [pytest.approx(9.99), pytest.approx(100.50), 123456.78]
    assert [r[11] for r in rows[1:]] == ["是", None, None]  # only case 3 is a livelihood case
    first = rows[1]
    assert first[7] == "已收案"
    assert isinstance(first[10], dt.datetime)  # next due date stored as an Excel date
    assert first[10].date() == expected[0].next_due_date
    assert not list(tmp_path.glob("*.part"))  # the temporary file was moved into place


@pytest.mark.usefixtures("three_cases")
def test_formula_like_text_is_stored_as_text(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    with db.reader() as s:
        export_docket_xlsx(s, DocketQuery(), out, TODAY)
    ws = load_workbook(out).active
    assert ws is not None
    cells = {c.value: c for c in ws["D"][1:]}
    assert cells[HOSTILE].data_type == "s"
    assert cells["@SUM(1+1)"].data_type == "s"
    amount = ws["E"][1]
    assert amount.data_type == "n"
    assert amount.number_format == "#,##0.00"


@pytest.mark.usefixtures("three_cases")
def test_export_follows_the_filter(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    with db.reader() as s:
        n = export_docket_xlsx(s, DocketQuery(text="张三"), out, TODAY)
    rows = _read(out)
    assert n == 1
    assert [r[3] for r in rows[1:]] == ["张三"]


def test_batches_cover_every_row_once(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        for i in range(7):
            register_case(s, admin, make_case_input(i + 1, phone=None), today=TODAY)
    with db.reader() as s:
        got = [r.case_no for r in iter_docket_rows(s, DocketQuery(), TODAY, batch_size=3)]
        want = [r.case_no for r in list_cases(s, DocketQuery(), today=TODAY)]
    assert got == want
    assert len(set(got)) == 7


def test_missing_folder_is_a_user_error(db: Database, tmp_path: Path) -> None:
    with db.reader() as s, pytest.raises(UserError, match="不存在"):
        export_docket_xlsx(s, DocketQuery(), tmp_path / "nope" / "x.xlsx", TODAY)


def test_csv_guard() -> None:
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("\t=1") == "'\t=1"
    assert csv_safe("王某某") == "王某某"
