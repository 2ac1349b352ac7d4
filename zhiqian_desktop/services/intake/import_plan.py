"""Reading a hand-over list into a plan: the sheet streamed row by row (``read_only=True``, stopping
at the row limit), rows grouped into cases, every cell converted and checked, and every problem
reported with its row and column. Nothing is written."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
from openpyxl.utils import get_column_letter, range_boundaries
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.case_numbers import validate_original_case_number
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import CaseSource, LicenceStatus, PartyKind, PartyRole
from zhiqian_desktop.services.core.staff import handler_choices, tribunal_choices
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, check_case
from zhiqian_desktop.services.intake.import_cells import (
    DATE_HINT,
    cell_text,
    normalise_header,
    normalise_original_case_no,
    parse_amount_cell,
    parse_date_cell,
)
from zhiqian_desktop.services.intake.import_checks import (
    XLS,
    check_container,
    damaged,
    refusal,
    require_defusedxml,
    too_many_rows,
)
from zhiqian_desktop.services.intake.import_columns import (
    BLANK_TAIL,
    CASE_COLUMNS,
    COLUMN_BY_HEADER,
    COLUMN_BY_KEY,
    COLUMNS,
    EXAMPLE_NOTE,
    FALSE_WORDS,
    HEADER_ROW,
    HEADERS,
    IGNORED_HEADERS,
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    PARTY_COLUMNS,
    ROLE_WORDS,
    SHEET_NAME,
    TRUE_WORDS,
    Column,
)
from zhiqian_desktop.services.intake.import_xls import open_xls
from zhiqian_desktop.store.models import SupervisionCase, User

# --- problems, plan and report -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong in the workbook, located as Excel shows it (row number, column header)."""

    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"第{self.row}行 " if self.row else ""
        column = f"列{self.column}：" if self.column else ""
        return f"工作表 {self.sheet} {where}{column}{self.reason}"


@dataclass
class PlanRow:
    """One non-empty data row: its Excel row number and the text of each template column."""

    row: int
    texts: dict[str, str]
    case_index: int | None = None


@dataclass
class PlannedCase:
    first_row: int
    rows: list[int]
    data: CaseInput
    party_rows: list[int] = field(default_factory=list)


@dataclass
class ImportPlan:
    path: Path
    sheet: str
    headers: list[str]
    rows: list[PlanRow]
    cases: list[PlannedCase]
    problems: list[ImportProblem]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.cases)


@dataclass(frozen=True)
class ImportedCase:
    case_no: str
    original_case_no: str
    first_row: int


@dataclass
class ImportReport:
    path: Path
    dry_run: bool
    case_count: int
    row_count: int
    problems: list[ImportProblem]
    created: list[ImportedCase]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "ok": self.ok,
            "dry_run": self.dry_run,
            "cases": self.case_count,
            "rows": self.row_count,
            "created": [
                {"case_no": c.case_no, "original_case_no": c.original_case_no, "row": c.first_row}
                for c in self.created
            ],
            "problems": [
                {"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.reason}
                for p in self.problems
            ],
        }


@dataclass
class Directory:
    """What the rows are checked against in the database: people, tribunals, registered cases."""

    handlers: dict[str, list[str]] = field(default_factory=dict)
    tribunals: dict[str, str] = field(default_factory=dict)
    registered: dict[str, str] = field(default_factory=dict)  # normalised original no → case no
    checked: bool = False

    @classmethod
    def load(cls, session: Session) -> Directory:
        handlers: dict[str, list[str]] = {}
        usernames = dict(session.execute(select(User.id, User.username)).tuples().all())
        for choice in handler_choices(session):
            for name in {choice.name, usernames.get(choice.id, "")} - {""}:
                handlers.setdefault(name, []).append(choice.id)
        tribunals = {t.name: t.id for t in tribunal_choices(session)}
        registered: dict[str, str] = {}
        rows = session.execute(
            select(SupervisionCase.original_case_no, SupervisionCase.case_no).where(
                SupervisionCase.deleted_at.is_(None)
            )
        )
        for original, case_no in rows:
            registered.setdefault(normalise_original_case_no(original), case_no)
        return cls(handlers, tribunals, registered, True)


class _Collector:
    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.problems: list[ImportProblem] = []
        self.bad_cells: set[tuple[int, str]] = set()

    def add(self, row: int, column: str, reason: str) -> None:
        self.bad_cells.add((row, column))
        self.problems.append(ImportProblem(self.sheet, row, column, reason))


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


@dataclass(frozen=True)
class SheetScan:
    rows: int
    merged: list[str]


def _scan_sheet(zf: zipfile.ZipFile, member: str) -> SheetScan:
    """Count row elements and collect mergeCell refs by a streaming byte scan.

    openpyxl parses a whole sheet just to size it when the sheet has no <dimension>, so a sheet
    of a million rows must be refused from this cheap count, before openpyxl sees it.
    """
    rows = 0
    ranges: list[str] = []
    tail = b""
    row_tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            # A tag cut by the chunk boundary is counted once: matches in the carried-over bytes
            # alone were counted with the previous chunk.
            joined = row_tail + chunk
            rows += len(_ROW_TAG.findall(joined)) - len(_ROW_TAG.findall(row_tail))
            row_tail = chunk[-64:]
            data = tail + chunk
            last_end = 0
            for m in _MERGE.finditer(data):
                ranges.append(m[1].decode("ascii"))
                last_end = m.end()
            tail = data[max(last_end, len(data) - 256) :]
    return SheetScan(rows, ranges)


def _scan_worksheets(path: Path) -> dict[str, SheetScan]:
    """Every worksheet part, refused if it has more rows than any import may have."""
    scans: dict[str, SheetScan] = {}
    limit = HEADER_ROW + MAX_DATA_ROWS + BLANK_TAIL
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    scan = _scan_sheet(zf, name)
                    if scan.rows > limit:
                        raise too_many_rows(path, scan.rows - HEADER_ROW, MAX_DATA_ROWS)
                    scans[name] = scan
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise refusal(
            path, f"工作簿已损坏或不完整（{exc}）；请在 Excel 中打开并重新保存后再导入"
        ) from exc
    return scans


def _raw_rows(ws: Any, ncols: int) -> Generator[tuple[Any, ...], None, None]:
    """Rows from the streamed sheet; gaps come back as empty rows so the index is the Excel row."""
    yield from ws.iter_rows(min_row=1, max_row=1_048_576, max_col=ncols)


def _is_empty(cells: Sequence[Any]) -> bool:
    return all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells)


@reads
def case_directory(session: Session) -> Directory:
    """What a workbook's rows are checked against: the court's people, tribunals and cases."""
    return Directory.load(session)


def read_workbook(
    path: Path,
    *,
    today: date,
    session: Session | None = None,
    directory: Directory | None = None,
) -> ImportPlan:
    """Read and check every row of the 案件 sheet; hostile or broken files raise one UserError.

    Problems in the rows are collected, never raised, so the clerk sees all of them at once. With
    a `session` (or a loaded `directory`) handler and tribunal names are resolved and original case
    numbers are checked against the cases already registered.
    """
    path = Path(path)
    require_defusedxml()
    if check_container(path) == XLS:
        wb: Any = open_xls(path)
        scans: dict[str, SheetScan] = {}
    else:
        wb = None
        scans = _scan_worksheets(path)
    if directory is None:
        directory = Directory.load(session) if session is not None else Directory()
    try:
        if wb is None:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except UserError:
        raise
    except Exception as exc:  # any failure to parse an outside file means it is damaged
        raise damaged(path, exc) from exc
    try:
        return _read_sheet(path, wb, today, directory, scans)
    finally:
        wb.close()


def _pick_sheet(path: Path, wb: Any) -> Any:
    if SHEET_NAME in wb.sheetnames:
        return wb[SHEET_NAME]
    for name in wb.sheetnames:
        ws = wb[name]
        if not hasattr(ws, "iter_rows"):
            continue
        try:
            first = next(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True))
        except StopIteration:
            continue
        if any(normalise_header(v) == "原审案号" for v in first if v is not None):
            return ws
    raise refusal(
        path, f"找不到工作表“{SHEET_NAME}”（也没有以“原审案号”为列标题的工作表）；请使用导入模板"
    )


def _read_sheet(
    path: Path, wb: Any, today: date, directory: Directory, scans: dict[str, SheetScan]
) -> ImportPlan:
    try:
        ws = _pick_sheet(path, wb)
        sheet = ws.title
        merged = getattr(ws, "merged_refs", None)  # an .xls sheet knows its merged cells
        if merged is None:
            scan = scans.get(ws._worksheet_path.lstrip("/"))
            merged = scan.merged if scan is not None else []
        for ref in merged:
            _min_col, min_row, _max_col, _max_row = range_boundaries(ref)
            if min_row is not None and min_row <= HEADER_ROW:
                raise refusal(
                    path,
                    f"工作表 {sheet} 的列标题有合并单元格 {ref}；请取消合并，每列一个标题（可复制导入模板的标题行）",
                )
        rows = _raw_rows(ws, MAX_COLUMNS)
        try:
            header_cells = next(rows, ())
            return _read_rows(path, sheet, header_cells, rows, merged, today, directory)
        finally:
            rows.close()  # a refusal mid-sheet must not leave the zip member open
    except UserError:
        raise
    except Exception as exc:  # a damaged part discovered while streaming the rows
        raise damaged(path, exc) from exc


def _read_rows(
    path: Path,
    sheet: str,
    header_cells: Sequence[Any],
    rows: Iterator[Sequence[Any]],
    merged: list[str],
    today: date,
    directory: Directory,
) -> ImportPlan:
    out = _Collector(sheet)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        if getattr(cell, "data_type", None) == "f":
            raise refusal(
                path,
                f"工作表 {sheet} 的列标题 {get_column_letter(index + 1)}1 是公式；请粘贴为数值",
            )
        header = normalise_header(cell.value) if cell.value is not None else ""
        if not header:
            continue
        if header in positions:
            raise refusal(
                path, f"工作表 {sheet} 的列标题“{header}”出现了两次；每列标题只能出现一次"
            )
        if header not in COLUMN_BY_HEADER:
            if header not in IGNORED_HEADERS:
                out.add(
                    HEADER_ROW,
                    header,
                    f"不认识的列标题（{get_column_letter(index + 1)}1）；请使用导入模板的列标题，或删除此列",
                )
            continue
        positions[header] = index
    missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
    if not positions:
        raise refusal(
            path, f"工作表 {sheet} 第{HEADER_ROW}行没有列标题；请使用导入模板（第1行为列标题）"
        )
    if missing:
        raise refusal(
            path, f"工作表 {sheet} 缺少必填列“{'、'.join(missing)}”；请使用导入模板的列标题"
        )
    width = max(positions.values()) + 1

    for ref in merged:
        min_col, min_row, _max_col, _max_row = range_boundaries(ref)
        if min_row is not None and min_row > HEADER_ROW:
            column = _header_at(positions, (min_col or 1) - 1)
            out.add(min_row, column, f"合并单元格 {ref}；请取消合并并在每一行填写")

    plan_rows: list[PlanRow] = []
    values_by_row: dict[int, dict[str, Any]] = {}
    last_allowed = HEADER_ROW + MAX_DATA_ROWS
    for excel_row, cells in enumerate(rows, start=HEADER_ROW + 1):
        cells = cells[:width]
        if excel_row > last_allowed:
            if not _is_empty(cells):
                raise refusal(
                    path,
                    f"工作表 {sheet} 的数据超过 {MAX_DATA_ROWS:,} 行的上限（第{excel_row}行仍有内容）；"
                    "请分成几个文件分别导入",
                )
            if excel_row > last_allowed + BLANK_TAIL:
                raise refusal(
                    path,
                    f"工作表 {sheet} 超过 {MAX_DATA_ROWS:,} 行的上限（第{excel_row}行之后仍有行）；"
                    "请删除多余的空行，或分成几个文件分别导入",
                )
            continue
        if _is_empty(cells):
            continue
        values: dict[str, Any] = {}
        texts: dict[str, str] = {}
        for header, index in positions.items():
            cell = cells[index] if index < len(cells) else None
            value = None if cell is None else cell.value
            data_type = getattr(cell, "data_type", None)
            if data_type == "f":
                ref = f"{get_column_letter(index + 1)}{excel_row}"
                out.add(
                    excel_row, header, f"单元格 {ref} 是公式“{value}”；请复制后选择性粘贴为数值"
                )
                texts[header] = str(value)
                continue
            if data_type == "e":
                out.add(excel_row, header, f"单元格是错误值 {value}；请改正或粘贴为数值")
                texts[header] = str(value)
                continue
            if isinstance(value, str):
                value = value.strip() or None
            values[header] = value
            texts[header] = cell_text(value)
        plan_rows.append(PlanRow(excel_row, texts))
        values_by_row[excel_row] = values

    if not plan_rows:
        raise refusal(
            path, f"工作表 {sheet} 没有数据行；请从第{HEADER_ROW + 1}行起每名当事人填写一行"
        )
    cases = _build_cases(out, plan_rows, values_by_row, today, directory)
    out.problems.sort(key=lambda p: (p.row, HEADERS.index(p.column) if p.column in HEADERS else -1))
    return ImportPlan(
        path, sheet, [h for h in HEADERS if h in positions], plan_rows, cases, out.problems
    )


def _header_at(positions: dict[str, int], index: int) -> str:
    for header, i in positions.items():
        if i == index:
            return header
    return str(get_column_letter(index + 1))


_PROBLEM_FIELDS = {
    "original_case_no": "原审案号",
    "cause": "案由",
    "received_date": "收案日期",
    "effective_date": "生效日期",
    "performance_deadline": "履行期限",
    "final_installment_date": "最后一期履行期限",
    "application_received_on": "申请执行书收到日期",
    "amount_due": "标的金额",
    "parties": "当事人地位",
}
_PARTY_FIELD = re.compile(r"parties\[(\d+)\]\.(\w+)")


def _build_cases(
    out: _Collector,
    plan_rows: list[PlanRow],
    values_by_row: dict[int, dict[str, Any]],
    today: date,
    directory: Directory,
) -> list[PlannedCase]:
    groups: list[list[PlanRow]] = []
    seen_original: dict[str, int] = {}  # normalised original case no → first row
    current_original: str | None = None
    for row in plan_rows:
        raw = cell_text(values_by_row[row.row].get("原审案号"))
        original = normalise_original_case_no(raw) if raw else ""
        if not original:
            if not groups:
                out.add(
                    row.row,
                    "原审案号",
                    "原审案号不能为空（第一个案件的第一行必须填写），如（2026）内0221民初123号",
                )
                continue
            groups[-1].append(row)
        elif original == current_original and groups:
            groups[-1].append(row)
        elif original in seen_original:
            out.add(
                row.row,
                "原审案号",
                f"原审案号“{raw}”已在第{seen_original[original]}行出现；"
                "同一案件的各行必须相邻，不同案件不能使用同一原审案号",
            )
            current_original = None
            groups.append([row])  # checked on its own so its other problems are shown too
        else:
            seen_original[original] = row.row
            current_original = original
            groups.append([row])
        row.case_index = len(groups) - 1

    cases: list[PlannedCase] = []
    for group in groups:
        planned = _build_case(out, group, values_by_row, today, directory)
        if planned is not None:
            for r in group:
                r.case_index = len(cases)
            cases.append(planned)
    return cases


def _convert(out: _Collector, row: int, col: Column, value: Any, directory: Directory) -> Any:
    """One cell to its typed value; a problem (and None) when it cannot be read."""
    header = col.header
    try:
        if col.kind == "date":
            return parse_date_cell(value)
        if col.kind == "amount":
            return parse_amount_cell(value)
    except UserError as exc:
        out.add(row, header, exc.message)
        return None
    if value is None:
        return None
    if (
        col.key == "id_number"
        and isinstance(value, int | float)
        and (isinstance(value, float) or len(str(value)) > 15)
    ):
        out.add(
            row,
            header,
            f"证件号码被 Excel 存成了数字（{value}），末几位可能已丢失；请把该列设为文本格式后重新填写",
        )
        return None
    text = cell_text(value)
    if col.kind == "text":
        if col.max_len and len(text) > col.max_len:
            out.add(row, header, f"内容过长（{len(text)}字）；最多{col.max_len}字")
            return None
        return text
    if col.kind == "bool":
        word = text.upper()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        out.add(row, header, f"“{text}”无法识别；请填写“是”或“否”")
        return None
    if col.kind == "role":
        role = ROLE_WORDS.get(text)
        if role is None:
            out.add(row, header, f"“{text}”无法识别；请填写申请人、被申请人或第三人")
        return role
    enum_kinds: dict[str, Any] = {
        "party_kind": PartyKind,
        "source": CaseSource,
        "licence": LicenceStatus,
    }
    if col.kind in enum_kinds:
        enum = enum_kinds[col.kind]
        try:
            return enum.from_label(text)
        except ValueError:
            choices = "、".join(m.label for m in enum)
            out.add(row, header, f"“{text}”无法识别；请填写{choices}之一")
            return None
    if col.key == "handler_id":
        if not directory.checked:
            return None
        ids = directory.handlers.get(text, [])
        if not ids:
            out.add(
                row,
                header,
                f"系统中没有可承办案件的用户“{text}”；请填写用户的姓名或用户名，或先在“人员”中添加",
            )
            return None
        if len(set(ids)) > 1:
            out.add(row, header, f"有多名用户叫“{text}”；请改填用户名以区分")
            return None
        return ids[0]
    if col.key == "tribunal_id":
        if not directory.checked:
            return None
        tribunal_id = directory.tribunals.get(text)
        if tribunal_id is None:
            out.add(row, header, f"系统中没有法庭“{text}”；请核对名称，或先在设置中添加该法庭")
        return tribunal_id
    raise AssertionError(col.kind)  # pragma: no cover - every kind is handled above


def _build_case(
    out: _Collector,
    group: list[PlanRow],
    values_by_row: dict[int, dict[str, Any]],
    today: date,
    directory: Directory,
) -> PlannedCase | None:
    first = group[0].row
    first_values = values_by_row[first]
    case_values: dict[str, Any] = {}
    for col in CASE_COLUMNS:
        if col.header in first_values:
            case_values[col.key] = _convert(out, first, col, first_values[col.header], directory)
    if first_values.get("备注") == EXAMPLE_NOTE:
        out.add(first, "备注", "这是导入模板中的示例案件；导入前请删除示例的两行")
    # Later rows may repeat the case columns (filled down) but must not contradict the first row.
    for row in group[1:]:
        values = values_by_row[row.row]
        for col in CASE_COLUMNS:
            if col.key == "original_case_no" or values.get(col.header) is None:
                continue
            if (row.row, col.header) in out.bad_cells:
                continue
            probe = _Collector(out.sheet)
            later = _convert(probe, row.row, col, values[col.header], directory)
            if probe.problems:
                out.problems.extend(probe.problems)
                out.bad_cells |= probe.bad_cells
            elif later != case_values.get(col.key):
                has_no = values.get("原审案号") is not None
                hint = (
                    "同一案件的案件信息只需填在第一行，其余行留空或保持一致"
                    if has_no
                    else "如果这是另一个案件，请填写它的原审案号"
                )
                out.add(
                    row.row,
                    col.header,
                    f"与本案第一行（第{first}行）的“{col.header}”不一致；{hint}",
                )

    parties: list[PartyInput] = []
    party_rows: list[int] = []
    seen_parties: dict[tuple[PartyRole, str], int] = {}
    for row in group:
        values = values_by_row[row.row]
        pv: dict[str, Any] = {}
        for col in PARTY_COLUMNS:
            pv[col.key] = _convert(out, row.row, col, values.get(col.header), directory)
        role, name = pv["role"], pv["name"]
        if values.get("当事人地位") is None:
            out.add(row.row, "当事人地位", "当事人地位不能为空；请填写申请人、被申请人或第三人")
        if not name and (row.row, "当事人名称") not in out.bad_cells:
            out.add(row.row, "当事人名称", "当事人名称不能为空；请填写姓名或单位全称")
        if role is None or not name:
            continue
        key = (role, name)
        if key in seen_parties:
            out.add(
                row.row,
                "当事人名称",
                f"{role.label}“{name}”在本案中已出现（第{seen_parties[key]}行）；请删除重复的行",
            )
            continue
        seen_parties[key] = row.row
        party_rows.append(row.row)
        parties.append(
            PartyInput(
                role=role,
                name=name,
                kind=pv["kind"] or PartyKind.PERSON,
                id_number=pv["id_number"] or None,
                phones=pv["phones"] or None,
                address=pv["address"] or None,
                legal_representative=pv["legal_representative"] or None,
                registered_capital=pv["registered_capital"],
                licence_status=pv["licence_status"],
            )
        )

    original = case_values.get("original_case_no")
    if not original:
        return None
    original = normalise_original_case_no(original)
    try:
        original = validate_original_case_number(original)
    except UserError as exc:
        out.add(first, "原审案号", exc.message)
    registered = directory.registered.get(original)
    if registered:
        out.add(
            first, "原审案号", f"原审案号“{original}”已登记为{registered}；同一生效文书不能重复登记"
        )
    received = case_values.get("received_date")
    if received is None and (first, "收案日期") not in out.bad_cells:
        out.add(first, "收案日期", f"收案日期不能为空；请填写如 {DATE_HINT}")
    data = CaseInput(
        original_case_no=original,
        cause=case_values.get("cause") or "",
        received_date=received or today,
        parties=parties,
        amount_due=case_values.get("amount_due") or Decimal("0.00"),
        obligation_act=case_values.get("obligation_act") or None,
        original_doc_type=case_values.get("original_doc_type") or "判决书",
        effective_date=case_values.get("effective_date"),
        performance_deadline=case_values.get("performance_deadline"),
        final_installment_date=case_values.get("final_installment_date"),
        application_received_on=case_values.get("application_received_on"),
        department=case_values.get("department") or None,
        trial_judge=case_values.get("trial_judge") or None,
        livelihood=bool(case_values.get("livelihood")),
        livelihood_kind=case_values.get("livelihood_kind") or None,
        handler_id=case_values.get("handler_id"),
        tribunal_id=case_values.get("tribunal_id"),
        source=case_values.get("source") or CaseSource.HANDOVER,
        notes=case_values.get("notes") or None,
    )
    for problem in check_case(data, today):
        at_row, column = locate_problem(problem.field, first, party_rows)
        if (at_row, column) in out.bad_cells:
            continue  # the cell could not be read; its own problem says why
        if column == "标的金额" and (first, "非金钱义务") in out.bad_cells:
            continue
        if problem.field == "cause" and (first, "案由") in out.bad_cells:
            continue
        if problem.field == "parties" and len(parties) < len(group):
            continue  # a party row was unreadable; its problem is already listed
        out.add(at_row, column, problem.message)
    return PlannedCase(first, [r.row for r in group], data, party_rows)


def locate_problem(field_name: str, first: int, party_rows: list[int]) -> tuple[int, str]:
    match = _PARTY_FIELD.fullmatch(field_name)
    if match:
        index, key = int(match[1]), match[2]
        row = party_rows[index] if index < len(party_rows) else first
        return row, COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else "当事人名称"
    return first, _PROBLEM_FIELDS.get(field_name, "原审案号")
