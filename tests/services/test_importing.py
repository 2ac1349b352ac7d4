"""Excel import of hand-over lists: good and bad workbooks, hostile files, all-or-nothing, round trip."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.identity import credit_code_check_char, resident_id_check_char
from zhiqian_desktop.domain.kinds import CaseSource, PartyKind, PartyRole, Role
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.intake import (
    import_cells,
    import_checks,
    import_columns,
    import_plan,
    import_template,
    importing,
)
from zhiqian_desktop.services.intake.docket import (
    CaseInput,
    DocketQuery,
    PartyInput,
    find_case,
    register_case,
)
from zhiqian_desktop.services.intake.import_columns import EXAMPLE_NOTE, HEADERS
from zhiqian_desktop.services.intake.import_plan import ImportProblem, read_workbook
from zhiqian_desktop.services.intake.import_template import template_rows, write_import_template
from zhiqian_desktop.services.intake.importing import import_cases
from zhiqian_desktop.services.reporting.exports import export_docket_xlsx
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, SupervisionCase

COL = {h: i for i, h in enumerate(HEADERS)}


def person_id(serial: int, birth: str = "19850312") -> str:
    first = f"150221{birth}{serial % 1000:03d}"
    return first + resident_id_check_char(first)


def credit_code(serial: int) -> str:
    first = f"91150221MA0N{serial % 100000:05d}"
    return first + credit_code_check_char(first)


def case_rows(n: int, **changes: Any) -> list[list[Any]]:
    """Template rows of a valid case: applicant row then obligor row."""
    return template_rows(make_case_input(n, **changes))


def set_cell(rows: list[list[Any]], row: int, header: str, value: Any) -> list[list[Any]]:
    """Set a cell by Excel row number (data starts at row 2)."""
    rows[row - 2][COL[header]] = value
    return rows


def write_rows(path: Path, rows: list[list[Any]], headers: list[str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "案件"
    ws.append(list(headers or HEADERS))
    for r in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in r])
    wb.save(path)
    return path


def count_cases(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(SupervisionCase)) or 0


def locations(problems: list[ImportProblem]) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in problems]


@pytest.fixture
def staffed(db: Database, admin: Actor) -> Database:
    with db.unit_of_work() as s:
        create_user(s, admin, username="zhao", display_name="赵法官", role=Role.HANDLER)
        add_tribunal(s, admin, "沟门法庭")
    return db


# --- the template ------------------------------------------------------------------------------


def test_template_has_headers_notes_and_an_example_that_must_be_deleted(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    path = write_import_template(tmp_path / "模板.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["案件", "说明"]
    ws = wb["案件"]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert ws.cell(2, COL["备注"] + 1).value == EXAMPLE_NOTE
    notes = [row[0] for row in wb["说明"].iter_rows(values_only=True)]
    for header in HEADERS:
        assert header in notes  # every column is explained
    assert not list(tmp_path.glob("*.part"))
    # The example is a valid case apart from being the example.
    report = import_cases(db, admin, path, today=TODAY)
    assert locations(report.problems) == [(2, "备注")]
    assert count_cases(db) == 0


def test_template_example_imports_once_the_note_is_cleared(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    rows = import_template._example_rows()
    rows[0][COL["备注"]] = None
    path = write_import_template(tmp_path / "t.xlsx", rows)
    report = import_cases(db, admin, path, today=TODAY)
    assert report.ok, report.problems
    with db.reader() as s:
        case = find_case(s, report.created[0].case_no)
        assert [p.kind for p in case.parties] == [PartyKind.PERSON, PartyKind.LEGAL_PERSON]
        assert case.parties[1].phones == "0472-1234567、13912345678"
        assert case.parties[1].registered_capital == Decimal("1000000.00")


# --- good and bad workbooks --------------------------------------------------------------------


def _good_two_cases() -> list[list[Any]]:
    return case_rows(1) + case_rows(2, obligor="张三")


def _text_dates() -> list[list[Any]]:
    rows = case_rows(1)
    set_cell(rows, 2, "生效日期", "2026年11月1日")
    set_cell(rows, 2, "履行期限", "2026.11.15")
    set_cell(rows, 2, "收案日期", "2026/11/20")
    return rows + set_cell(case_rows(2), 2, "生效日期", "2026-11-01")


def _yen_amounts() -> list[list[Any]]:
    return (
        set_cell(case_rows(1), 2, "标的金额", "¥12,345.67")
        + set_cell(case_rows(2), 2, "标的金额", "￥1,000元")
        + set_cell(case_rows(3), 2, "标的金额", "12,345.6")
    )


def _continuation_blank_and_filled_down() -> list[list[Any]]:
    rows = case_rows(1)
    rows[1][COL["原审案号"]] = None  # second party: case columns left empty
    third = list(rows[1])
    third[COL["当事人名称"]] = "王某甲"
    third[COL["原审案号"]] = "(2026)内0221民初1号"  # filled down, half-width parentheses
    third[COL["案由"]] = "民间借贷纠纷"  # repeats the first row's value
    return [*rows, third]


GOOD: list[tuple[str, Callable[[], list[list[Any]]], list[tuple[str, str]]]] = [
    ("two cases", _good_two_cases, [("（2026）内0221民初1号", "12345.67")] * 1),
    ("Chinese text dates", _text_dates, [("（2026）内0221民初1号", "12345.67")]),
    ("yen amounts", _yen_amounts, [("（2026）内0221民初2号", "1000.00")]),
    ("party rows", _continuation_blank_and_filled_down, [("（2026）内0221民初1号", "12345.67")]),
]


@pytest.mark.parametrize(("name", "build", "expect"), GOOD, ids=[g[0] for g in GOOD])
def test_good_workbooks_import(
    name: str,
    build: Callable[[], list[list[Any]]],
    expect: list[tuple[str, str]],
    tmp_path: Path,
    db: Database,
    admin: Actor,
) -> None:
    rows = build()
    path = write_rows(tmp_path / "good.xlsx", rows)
    report = import_cases(db, admin, path, today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert len(report.created) == report.case_count == count_cases(db)
    with db.reader() as s:
        by_original = {}
        for c in report.created:
            case = find_case(s, c.case_no)
            assert case.original_case_no == c.original_case_no
            by_original[case.original_case_no] = case
        for original, amount in expect:
            assert by_original[original].amount_due == Decimal(amount)
        if name == "Chinese text dates":
            case = by_original["（2026）内0221民初1号"]
            assert case.effective_date == date(2026, 11, 1)
            assert case.performance_deadline == date(2026, 11, 15)
            assert case.received_date == date(2026, 11, 20)
        if name == "party rows":
            case = by_original["（2026）内0221民初1号"]
            assert [(p.role, p.name) for p in case.parties] == [
                (PartyRole.APPLICANT, "李某"),
                (PartyRole.OBLIGOR, "王某某"),
                (PartyRole.OBLIGOR, "王某甲"),
            ]
    # Case numbers are listed in file order, each with its original case number.
    assert [c.first_row for c in report.created] == sorted(c.first_row for c in report.created)


def _bad(builder: Callable[[list[list[Any]]], Any]) -> Callable[[], list[list[Any]]]:
    def build() -> list[list[Any]]:
        rows = case_rows(1) + case_rows(2)  # rows 2-3 and 4-5
        builder(rows)
        return rows

    return build


def _formula(rows: list[list[Any]]) -> None:
    rows[0][COL["标的金额"]] = "=1000+234.5"


BAD: list[tuple[str, Callable[[], list[list[Any]]], list[tuple[int, str]], str]] = [
    (
        "impossible date",
        _bad(lambda r: set_cell(r, 2, "生效日期", "2026年2月30日")),
        [(2, "生效日期")],
        "不是有效日期",
    ),
    (
        "unreadable date",
        _bad(lambda r: set_cell(r, 4, "履行期限", "下周五")),
        [(4, "履行期限")],
        "无法识别",
    ),
    (
        "date serial number",
        _bad(lambda r: set_cell(r, 2, "收案日期", 46345)),
        [(2, "收案日期")],
        "不是日期",
    ),
    (
        "bad amount",
        _bad(lambda r: set_cell(r, 4, "标的金额", "一万元")),
        [(4, "标的金额")],
        "无法识别",
    ),
    (
        "three decimals",
        _bad(lambda r: set_cell(r, 2, "标的金额", "12.345")),
        [(2, "标的金额")],
        "两位小数",
    ),
    (
        "ID checksum",
        _bad(lambda r: set_cell(r, 3, "证件号码", person_id(7)[:-1] + "0")),
        [(3, "证件号码")],
        "校验位",
    ),
    (
        "ID stored as a number",
        _bad(lambda r: set_cell(r, 3, "证件号码", 150221198503123611)),
        [(3, "证件号码")],
        "文本格式",
    ),
    (
        "credit code checksum",
        _bad(
            lambda r: (
                set_cell(r, 5, "当事人类型", "法人"),
                set_cell(r, 5, "证件号码", credit_code(5)[:-1] + "1"),
            )
        ),
        [(5, "证件号码")],
        "统一社会信用代码",
    ),
    ("bad phone", _bad(lambda r: set_cell(r, 3, "联系电话", "1391234")), [(3, "联系电话")], "电话"),
    ("missing cause", _bad(lambda r: set_cell(r, 4, "案由", None)), [(4, "案由")], "案由不能为空"),
    (
        "missing received date",
        _bad(lambda r: set_cell(r, 2, "收案日期", None)),
        [(2, "收案日期")],
        "收案日期不能为空",
    ),
    (
        "received in the future",
        _bad(lambda r: set_cell(r, 2, "收案日期", TODAY + timedelta(days=1))),
        [(2, "收案日期")],
        "不能晚于今天",
    ),
    (
        "no obligor",
        _bad(lambda r: set_cell(r, 5, "当事人地位", "申请人")),
        [(4, "当事人地位")],
        "至少需要一名被申请人",
    ),
    (
        "unknown role",
        _bad(lambda r: set_cell(r, 5, "当事人地位", "原告")),
        [(5, "当事人地位")],
        "无法识别",
    ),
    (
        "missing party name",
        _bad(lambda r: set_cell(r, 3, "当事人名称", None)),
        [(3, "当事人名称")],
        "不能为空",
    ),
    (
        "neither amount nor act",
        _bad(lambda r: set_cell(r, 2, "标的金额", None)),
        [(2, "标的金额")],
        "非金钱义务",
    ),
    (
        "duplicate within file",
        lambda: case_rows(1) + case_rows(2) + case_rows(1, obligor="赵某"),
        [(6, "原审案号")],
        "已在第2行出现",
    ),
    (
        "duplicate party row",
        lambda: [*case_rows(1), case_rows(1)[1]],
        [(4, "当事人名称")],
        "已出现（第3行）",
    ),
    (
        "new case without original number",
        _bad(lambda r: (set_cell(r, 4, "原审案号", None), set_cell(r, 4, "案由", "劳务合同纠纷"))),
        [(4, "案由"), (4, "当事人名称"), (5, "当事人名称")],
        "请填写它的原审案号",
    ),
    (
        "original number that is not a case number",
        _bad(lambda r: set_cell(r, 4, "原审案号", "not a case number")),
        [(4, "原审案号")],
        "应为（年份）+法院代字+案件类型代字+序号+号，如 （2026）内0221民初123号",
    ),
    (
        "original number without its year",
        _bad(lambda r: set_cell(r, 2, "原审案号", "内0221民初1号")),
        [(2, "原审案号")],
        "不是案号",
    ),
    ("unknown handler", _bad(lambda r: set_cell(r, 2, "承办人", "钱某")), [(2, "承办人")], "钱某"),
    (
        "unknown tribunal",
        _bad(lambda r: set_cell(r, 4, "法庭", "不存在法庭")),
        [(4, "法庭")],
        "没有法庭",
    ),
    # The cell named as Excel shows it (the column moves when the workbook gains columns).
    (
        "formula",
        _bad(_formula),
        [(2, "标的金额")],
        f"{openpyxl.utils.get_column_letter(COL['标的金额'] + 1)}2",
    ),
    ("not yes or no", _bad(lambda r: set_cell(r, 2, "涉民生", "也许")), [(2, "涉民生")], "是"),
    (
        "too long",
        _bad(lambda r: set_cell(r, 2, "审判员", "张" * 40)),
        [(2, "审判员")],
        "最多32字",
    ),
]


@pytest.mark.parametrize(("name", "build", "where", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_rows_are_reported_where_they_are_and_nothing_is_written(
    name: str,
    build: Callable[[], list[list[Any]]],
    where: list[tuple[int, str]],
    reason: str,
    tmp_path: Path,
    staffed: Database,
    admin: Actor,
) -> None:
    path = write_rows(tmp_path / "bad.xlsx", build())
    report = import_cases(staffed, admin, path, today=TODAY)
    assert not report.ok
    assert locations(report.problems) == where, [str(p) for p in report.problems]
    assert reason in report.problems[0].reason
    assert report.problems[0].sheet == "案件"
    assert str(report.problems[0]).startswith(f"工作表 案件 第{where[0][0]}行 列{where[0][1]}：")
    assert report.created == []
    assert count_cases(staffed) == 0


def test_known_handler_and_tribunal_are_assigned(
    tmp_path: Path, staffed: Database, admin: Actor
) -> None:
    rows = case_rows(1)
    set_cell(rows, 2, "承办人", "赵法官")
    set_cell(rows, 2, "法庭", "沟门法庭")
    rows += set_cell(case_rows(2), 2, "承办人", "zhao")  # the username works too
    report = import_cases(staffed, admin, write_rows(tmp_path / "h.xlsx", rows), today=TODAY)
    assert report.ok, report.problems
    with staffed.reader() as s:
        cases = [find_case(s, c.case_no) for c in report.created]
        assert [c.handler.display_name for c in cases if c.handler] == ["赵法官", "赵法官"]
        assert cases[0].tribunal is not None and cases[0].tribunal.name == "沟门法庭"


def test_duplicate_against_the_database_names_the_registered_case(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        existing = register_case(s, admin, make_case_input(2), today=TODAY).case_no
    rows = case_rows(1) + case_rows(2) + case_rows(3)
    rows[2][COL["原审案号"]] = "(2026)内0221民初2号"  # half-width parentheses: still the same case
    report = import_cases(db, admin, write_rows(tmp_path / "d.xlsx", rows), today=TODAY)
    assert locations(report.problems) == [(4, "原审案号")]
    assert existing in report.problems[0].reason
    assert count_cases(db) == 1


def test_every_problem_is_listed_not_only_the_first(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    rows = case_rows(1) + case_rows(2) + case_rows(3)
    set_cell(rows, 2, "生效日期", "2026-13-01")
    set_cell(rows, 5, "联系电话", "123")
    set_cell(rows, 6, "标的金额", "abc")
    report = read_workbook(write_rows(tmp_path / "m.xlsx", rows), today=TODAY)
    assert locations(report.problems) == [(2, "生效日期"), (5, "联系电话"), (6, "标的金额")]
    assert len(report.cases) == 3


def test_unknown_header_is_reported_and_serial_column_is_allowed(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    headers = ["序号", *HEADERS, "说明事项"]
    rows = [[i + 1, *r, None] for i, r in enumerate(case_rows(1))]
    report = read_workbook(write_rows(tmp_path / "h.xlsx", rows, headers), today=TODAY)
    assert locations(report.problems) == [(1, "说明事项")]


def test_merged_data_cells_are_a_problem(tmp_path: Path, db: Database, admin: Actor) -> None:
    path = write_rows(tmp_path / "m.xlsx", case_rows(1))
    wb = load_workbook(path)
    wb["案件"].merge_cells("C2:C3")
    wb.save(path)
    report = import_cases(db, admin, path, today=TODAY)
    assert locations(report.problems) == [(2, "案由")]
    assert "C2:C3" in report.problems[0].reason


def test_a_change_made_meanwhile_rolls_the_whole_import_back(
    tmp_path: Path, db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked clean, then the third case is refused while writing: the first two are undone."""
    path = write_rows(tmp_path / "r.xlsx", case_rows(1) + case_rows(2) + case_rows(3))
    real = importing.register_case
    calls = {"n": 0}

    def flaky(session: Any, actor: Actor, data: CaseInput, *, today: date, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise UserError("原审案号“x”已登记为（2026）内0221执前督9号", field="original_case_no")
        return real(session, actor, data, today=today, **kw)

    monkeypatch.setattr(importing, "register_case", flaky)
    report = import_cases(db, admin, path, today=TODAY)
    assert locations(report.problems) == [(6, "原审案号")]
    assert report.created == []
    assert count_cases(db) == 0


def test_a_case_registered_meanwhile_is_refused_by_the_write_transaction(
    tmp_path: Path, db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook was clean when read; a colleague registers its second case before the write.
    The importer's one duplicate query in the write transaction refuses it; nothing is saved."""
    path = write_rows(tmp_path / "m.xlsx", case_rows(1) + case_rows(2) + case_rows(3))
    real_read = import_plan.read_workbook

    def read_then_colleague(*args: Any, **kw: Any) -> Any:
        plan = real_read(*args, **kw)
        with db.unit_of_work() as session:
            register_case(session, admin, make_case_input(2), today=TODAY)
        return plan

    seen: list[bool] = []
    real_register = importing.register_case

    def spy(*args: Any, **kw: Any) -> Any:
        seen.append(kw.get("check_duplicate", True))
        return real_register(*args, **kw)

    monkeypatch.setattr(importing, "read_workbook", read_then_colleague)
    monkeypatch.setattr(importing, "register_case", spy)
    report = import_cases(db, admin, path, today=TODAY)
    assert locations(report.problems) == [(4, "原审案号")]
    assert "已登记为" in report.problems[0].reason
    assert report.created == [] and seen == []
    assert count_cases(db) == 1


def test_an_import_numbers_cases_in_order_after_existing_ones(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as session:
        first = register_case(session, admin, make_case_input(9), today=TODAY).case_seq
    path = write_rows(tmp_path / "n.xlsx", case_rows(1) + case_rows(2) + case_rows(3))
    report = import_cases(db, admin, path, today=TODAY)
    assert report.ok
    with db.reader() as session:
        seqs = sorted(session.scalars(select(SupervisionCase.case_seq)))
    assert seqs == [first, first + 1, first + 2, first + 3]
    with db.unit_of_work() as session:
        after = register_case(session, admin, make_case_input(10), today=TODAY).case_seq
    assert after == first + 4


def test_dry_run_checks_only(tmp_path: Path, db: Database, admin: Actor) -> None:
    report = import_cases(
        db, admin, write_rows(tmp_path / "d.xlsx", case_rows(1)), today=TODAY, dry_run=True
    )
    assert report.ok and report.dry_run and report.case_count == 1 and report.created == []
    assert count_cases(db) == 0


def test_readonly_user_cannot_import(tmp_path: Path, db: Database, admin: Actor) -> None:
    reader = Actor("x", "viewer", "查看员", Role.READONLY)
    with pytest.raises(UserError, match="只读"):
        import_cases(db, reader, write_rows(tmp_path / "r.xlsx", case_rows(1)), today=TODAY)


# --- hostile and broken files --------------------------------------------------------------------


def _valid_xlsx_bytes(tmp_path: Path) -> bytes:
    return write_rows(tmp_path / "base.xlsx", case_rows(1)).read_bytes()


def _replace_member(
    data: bytes, name: str, content: bytes, *, extra: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = content if info.filename == name else src.read(info)
            dst.writestr(info.filename, body)
        for extra_name, body in (extra or {}).items():
            dst.writestr(extra_name, body)
    return out.getvalue()


BOMB = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def _million_rows_sheet() -> bytes:
    """A sheet of 1,000,000 data rows written as raw XML (openpyxl would take minutes)."""
    header = "".join(
        f'<c r="{openpyxl.utils.get_column_letter(i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(HEADERS, start=1)
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{header}</row>'
    ).encode()
    body = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(2, 1_000_002)
    )
    return head + body + b"</sheetData></worksheet>"


def _ole(encrypted: bool) -> bytes:
    body = bytearray(import_checks.OLE_MAGIC + b"\x00" * 4088)
    if encrypted:
        body[1024 : 1024 + 28] = "EncryptionInfo".encode("utf-16-le")
    return bytes(body)


HOSTILE: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("text renamed .xlsx", lambda t: "原审案号,案由\n1,2\n".encode(), "不是 Excel 工作簿"),
    ("random bytes", lambda t: os.urandom(4096), "不是 Excel 工作簿"),
    ("empty file", lambda t: b"", "文件是空的"),
    ("truncated xlsx", lambda t: _valid_xlsx_bytes(t)[:3000], "已损坏"),
    ("encrypted workbook", lambda t: _ole(True), "打开密码"),
    ("old .xls", lambda t: _ole(False), ".xls"),
    ("zip that is not a workbook", lambda t: _zip({"readme.txt": b"hello"}), "不是 Excel 工作簿"),
    (
        "word document",
        lambda t: _zip({"[Content_Types].xml": b"<Types>wordprocessingml</Types>"}),
        "Word",
    ),
    (
        "XML bomb",
        lambda t: _replace_member(_valid_xlsx_bytes(t), "xl/worksheets/sheet1.xml", BOMB),
        "DTD",
    ),
    (
        "huge member",
        lambda t: _replace_member(
            _valid_xlsx_bytes(t), "", b"", extra={"xl/media/big.bin": b"\0" * (60 * 1024 * 1024)}
        ),
        "压缩比异常",
    ),
    (
        "million rows",
        lambda t: _replace_member(
            _valid_xlsx_bytes(t), "xl/worksheets/sheet1.xml", _million_rows_sheet()
        ),
        "超过 20,000 行的上限（约1,000,000行）",
    ),
    (
        "merged header",
        lambda t: _merged_header(t),
        "列标题有合并单元格 A1:B1",
    ),
    (
        "missing required column",
        lambda t: write_rows(t / "x.xlsx", [], ["原审案号", "案由"]).read_bytes(),
        "缺少必填列",
    ),
    ("no data rows", lambda t: write_rows(t / "x.xlsx", []).read_bytes(), "没有数据行"),
    ("file too large", lambda t: b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024), "超过 20 MB"),
]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def _merged_header(tmp_path: Path) -> bytes:
    path = write_rows(tmp_path / "mh.xlsx", case_rows(1))
    wb = load_workbook(path)
    wb["案件"].merge_cells("A1:B1")
    wb.save(path)
    return path.read_bytes()


@pytest.mark.parametrize(("name", "make", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_or_broken_files_are_refused_with_one_message(
    name: str,
    make: Callable[[Path], bytes],
    message: str,
    tmp_path: Path,
    db: Database,
    admin: Actor,
) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(99), today=TODAY)
    path = tmp_path / "清单.xlsx"
    path.write_bytes(make(tmp_path))
    started = time.perf_counter()
    with pytest.raises(UserError) as caught:
        import_cases(db, admin, path, today=TODAY)
    elapsed = time.perf_counter() - started
    assert message in caught.value.message
    assert "清单.xlsx" in caught.value.message and "未导入任何案件" in caught.value.message
    assert "\n" not in caught.value.message
    assert count_cases(db) == 1
    assert elapsed < 30  # refused early, never after reading everything into memory


def test_defusedxml_is_the_second_guard_against_entities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_replace_member(_valid_xlsx_bytes(tmp_path), "xl/worksheets/sheet1.xml", BOMB))
    monkeypatch.setattr(import_checks, "_check_prolog", lambda *a: None)
    with pytest.raises(UserError, match="已损坏或格式不正确"):
        read_workbook(path, today=TODAY)


def test_import_refused_without_defusedxml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(UserError, match="defusedxml"):
        read_workbook(write_rows(tmp_path / "a.xlsx", case_rows(1)), today=TODAY)


def test_uncompressed_total_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_checks, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    rows = [r for n in range(1, 60) for r in case_rows(n)]
    with pytest.raises(UserError, match="解压后"):
        read_workbook(write_rows(tmp_path / "a.xlsx", rows), today=TODAY)


def test_row_limit_is_enforced_and_trailing_blank_rows_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (import_checks, import_plan):
        monkeypatch.setattr(module, "MAX_DATA_ROWS", 4)
    ok = read_workbook(write_rows(tmp_path / "a.xlsx", case_rows(1) + case_rows(2)), today=TODAY)
    assert ok.ok
    with pytest.raises(UserError, match="4 行的上限（第6行仍有内容）"):
        read_workbook(
            write_rows(tmp_path / "b.xlsx", case_rows(1) + case_rows(2) + case_rows(3)), today=TODAY
        )


# --- round trip ----------------------------------------------------------------------------------

NAMES = ["李某", "王某某", "张三", "赵六", "孙某", "周某某", "吴某"]
CAUSES = ["民间借贷纠纷", "买卖合同纠纷", "劳务合同纠纷", "机动车交通事故责任纠纷"]
_counter = iter(range(1000, 100000))


@st.composite
def parties(draw: st.DrawFn) -> list[PartyInput]:
    out = []
    for role in (PartyRole.APPLICANT, PartyRole.OBLIGOR):
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True))
        for name in names:
            company = draw(st.booleans())
            serial = draw(st.integers(0, 999))
            out.append(
                PartyInput(
                    role=role,
                    name=name + ("有限公司" if company else ""),
                    kind=PartyKind.LEGAL_PERSON if company else PartyKind.PERSON,
                    id_number=draw(
                        st.none() | st.just(credit_code(serial) if company else person_id(serial))
                    ),
                    phones=draw(st.none() | st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)),
                    address=draw(st.none() | st.sampled_from(["萨拉齐镇某街1号", "沟门镇某村"])),
                    registered_capital=(
                        draw(st.none() | st.decimals(0, 10**8, places=2)) if company else None
                    ),
                )
            )
    return out


@st.composite
def cases(draw: st.DrawFn) -> CaseInput:
    effective = draw(st.dates(date(2025, 1, 1), date(2026, 11, 1)))
    received = draw(st.dates(effective, TODAY))
    amount = draw(st.decimals(0, Decimal("999999999.99"), places=2))
    act = draw(st.none() | st.just("腾退房屋")) if amount else "腾退房屋"
    return CaseInput(
        original_case_no=f"（2026）内0221民初{next(_counter)}号",
        cause=draw(st.sampled_from(CAUSES)),
        received_date=received,
        effective_date=effective,
        performance_deadline=draw(st.none() | st.dates(effective, effective + timedelta(days=60))),
        amount_due=amount,
        obligation_act=act,
        livelihood=draw(st.booleans()),
        source=draw(st.sampled_from(list(CaseSource))),
        notes=draw(st.none() | st.sampled_from(["=SUM(A1)", "加急", "@owner"])),
        parties=draw(parties()),
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(cases(), min_size=1, max_size=4))
def test_generated_cases_import_and_export_back_to_the_same_data(
    tmp_path_factory: pytest.TempPathFactory, db: Database, admin: Actor, generated: list[CaseInput]
) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    rows = [r for data in generated for r in template_rows(data)]
    path = write_import_template(folder / "gen.xlsx", rows)
    report = import_cases(db, admin, path, today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert [c.original_case_no for c in report.created] == [g.original_case_no for g in generated]
    with db.reader() as s:
        for created, data in zip(report.created, generated, strict=True):
            case = find_case(s, created.case_no)
            got = {k: getattr(case, k) for k in import_columns._CASE_KEYS}
            want = {k: getattr(data, k) for k in import_columns._CASE_KEYS}
            assert got == want
            assert [
                (p.role, p.kind, p.name, p.id_number, p.phones, p.address, p.registered_capital)
                for p in case.parties
            ] == [
                (p.role, p.kind, p.name, p.id_number, p.phones, p.address, p.registered_capital)
                for p in data.parties
            ]
        # And out through the docket export: same original case numbers and amounts.
        out = folder / "docket.xlsx"
        export_docket_xlsx(s, DocketQuery(), out, TODAY)
    exported = {
        r[0]: (r[1], Decimal(str(r[4])).quantize(Decimal("0.01")))
        for r in load_workbook(out).active.iter_rows(min_row=2, values_only=True)  # type: ignore[union-attr]
    }
    for created, data in zip(report.created, generated, strict=True):
        assert exported[created.case_no] == (data.original_case_no, data.amount_due)


def test_text_date_forms() -> None:
    for text in (
        "2026年1月5日",
        "2026.1.5",
        "2026/1/5",
        "2026-01-05",
        "20260105",
        "２０２６年１月５日",
    ):
        assert import_cells.parse_date_cell(text) == date(2026, 1, 5)
    assert import_cells.parse_date_cell(datetime(2026, 1, 5, 0, 0)) == date(2026, 1, 5)
    assert import_cells.parse_date_cell(20260105) == date(2026, 1, 5)
    assert import_cells.parse_amount_cell(12345.67) == Decimal("12345.67")
    assert import_cells.parse_amount_cell("¥1,234,567.8元") == Decimal("1234567.80")


# --- command line ------------------------------------------------------------------------------


def test_cli_template_and_import(
    tmp_path: Path, db: Database, admin: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse
    import json

    from zhiqian_desktop.cli.importing import cmd_import_cases, cmd_import_template

    assert cmd_import_template(argparse.Namespace(output=str(tmp_path / "t.xlsx"))) == 0
    assert (tmp_path / "t.xlsx").is_file()
    good = write_rows(tmp_path / "g.xlsx", case_rows(1) + case_rows(2))
    args = argparse.Namespace(file=str(good), dry_run=True, json=False)
    assert cmd_import_cases(db, admin, args) == 0
    assert "检查通过：2 个案件" in capsys.readouterr().out
    assert count_cases(db) == 0
    args = argparse.Namespace(file=str(good), dry_run=False, json=True)
    assert cmd_import_cases(db, admin, args) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["case_no"] for c in data["created"]] == [
        "（2026）内0221执前督1号",
        "（2026）内0221执前督2号",
    ]
    bad = write_rows(tmp_path / "b.xlsx", set_cell(case_rows(3), 3, "联系电话", "12"))
    args = argparse.Namespace(file=str(bad), dry_run=False, json=False)
    assert cmd_import_cases(db, admin, args) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("工作表 案件 第3行 列联系电话：")
    assert "未导入任何案件" in err[-1]
    assert count_cases(db) == 2


def test_an_import_flushed_in_batches_audits_each_case_as_written(
    tmp_path: Path, db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The importer writes its cases a few hundred at a time; each case's creation event still
    holds the row as it was stored (ids, defaults, parties), the chain links in order, and
    `check` finds every row sealed."""
    monkeypatch.setattr(importing, "_FLUSH_EVERY", 2)
    rows = [row for n in range(1, 6) for row in case_rows(n)]
    report = import_cases(db, admin, write_rows(tmp_path / "b.xlsx", rows), today=TODAY)
    assert report.ok and len(report.created) == 5
    with db.reader() as session:
        cases = session.scalars(select(SupervisionCase).order_by(SupervisionCase.case_seq)).all()
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity == "case")
            .order_by(AuditEvent.seq)
        ).all()  # fmt: skip
        assert [e.entity_id for e in events] == [c.id for c in cases]
        for case, event in zip(cases, events, strict=True):
            stored = audit.snapshot(case)
            stored["parties"] = [audit.snapshot(p) for p in case.parties]
            assert json.loads(event.after_json or "") == stored
        assert audit.verify_chain(session).ok
    assert maintenance.check(db).ok
