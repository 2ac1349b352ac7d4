"""Hand-over lists as clerks really have them: saved by LibreOffice (.xlsx) and in Excel 97-2003
format (.xls, as court case systems and WPS export), read with the same checks and limits and
imported all or nothing. The fixtures were written by LibreOffice (workbooks/make_workbooks.py)."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY
from tests.services.workbooks.make_workbooks import good_rows, write
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake import import_xls
from zhiqian_desktop.services.intake.docket import find_case
from zhiqian_desktop.services.intake.import_plan import read_workbook
from zhiqian_desktop.services.intake.importing import import_cases
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase

WORKBOOKS = Path(__file__).resolve().parent / "workbooks"
GOOD_XLS = WORKBOOKS / "移交清单-LibreOffice.xls"
BAD_XLS = WORKBOOKS / "移交清单-有误-LibreOffice.xls"
GOOD_XLSX = WORKBOOKS / "移交清单-LibreOffice.xlsx"


def _count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(SupervisionCase)) or 0


def _case_data(path: Path) -> list[tuple[object, ...]]:
    plan = read_workbook(path, today=TODAY)
    assert plan.ok, [str(p) for p in plan.problems]
    return [
        (
            c.data.original_case_no,
            c.data.cause,
            c.data.effective_date,
            c.data.performance_deadline,
            c.data.received_date,
            c.data.amount_due,
            [(p.role, p.kind, p.name, p.id_number, p.phones) for p in c.data.parties],
        )
        for c in plan.cases
    ]


def test_fixtures_are_what_libreoffice_wrote() -> None:
    assert GOOD_XLS.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE: Excel 97-2003
    with zipfile.ZipFile(GOOD_XLSX) as zf:
        assert b"<Application>LibreOffice/" in zf.read("docProps/app.xml")


@pytest.mark.parametrize("fixture", [GOOD_XLS, GOOD_XLSX], ids=["xls", "libreoffice-xlsx"])
def test_workbook_saved_by_libreoffice_reads_as_the_openpyxl_original(
    fixture: Path, tmp_path: Path
) -> None:
    original = write(tmp_path / "original.xlsx", good_rows())
    assert _case_data(fixture) == _case_data(original)
    first = _case_data(fixture)[0]
    assert first[0] == "（2026）内0221民初1号"
    assert first[2:6] == (
        date(2026, 11, 1),
        date(2026, 11, 15),
        date(2026, 11, 20),
        Decimal("12345.67"),
    )
    assert first[6][1][3] == "150221198503120015"  # an 18-digit ID stays text, not 1.5e17


def test_xls_imports_every_case(tmp_path: Path, db: Database, admin: Actor) -> None:
    # Where a clerk keeps it: a folder with a space and Chinese characters.
    path = tmp_path / "移交 清单" / GOOD_XLS.name
    path.parent.mkdir()
    shutil.copy(GOOD_XLS, path)
    report = import_cases(db, admin, path, today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert [c.original_case_no for c in report.created] == [
        "（2026）内0221民初1号",
        "（2026）内0221民初2号",
    ]
    with db.reader() as s:
        case = find_case(s, report.created[1].case_no)
        assert case.amount_due == Decimal("8000")
        assert [p.name for p in case.parties] == ["李某", "张 三"]
        assert case.parties[1].phones == "0472-8812345"


def test_bad_xls_reports_every_problem_where_it_is_and_writes_nothing(
    db: Database, admin: Actor
) -> None:
    report = import_cases(db, admin, BAD_XLS, today=TODAY)
    assert not report.ok
    where = {(p.row, p.column) for p in report.problems}
    assert (3, "证件号码") in where  # wrong check digit
    assert (4, "标的金额") in where  # "一万元"
    assert (4, "文书类型") in where  # merged B4:B5
    assert all(p.sheet == "案件" for p in report.problems)
    assert _count(db) == 0


def test_xls_row_limit_is_the_xlsx_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_xls, "MAX_DATA_ROWS", 1)
    monkeypatch.setattr(import_xls, "BLANK_TAIL", 0)
    with pytest.raises(UserError, match="1 行的上限") as caught:
        read_workbook(GOOD_XLS, today=TODAY)
    assert "未导入任何案件" in caught.value.message


def test_damaged_xls_is_refused_with_one_message(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    path = tmp_path / "清单.xls"
    path.write_bytes(GOOD_XLS.read_bytes()[:3000])
    with pytest.raises(UserError) as caught:
        import_cases(db, admin, path, today=TODAY)
    message = caught.value.message
    assert "清单.xls" in message and "未导入任何案件" in message and "\n" not in message
    assert _count(db) == 0
