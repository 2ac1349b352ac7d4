"""Import of hand-over lists (移交清单) from Excel: the template, the checked reading, the all-or-nothing import.

Layout (documented to the clerk in the template's 说明 sheet): one row per party. A case's own
columns are filled on its first row; the rows below it whose 原审案号 is empty, or the same, are
further parties of that case. Rows of one case must be adjacent, so an original case number that
turns up again further down is a duplicate.

A workbook comes from outside and is treated as hostile: its size, member count and compression
ratio are checked in the zip directory before anything is parsed, XML with a DTD is refused, rows
are streamed (``read_only=True``) and reading stops at the row limit.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import openpyxl
import openpyxl.xml
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.case_numbers import validate_original_case_number
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import CaseSource, LicenceStatus, PartyKind, PartyRole
from zhiqian_desktop.domain.money import parse_amount
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.docket import CaseInput, PartyInput, check_case, register_case
from zhiqian_desktop.services.exports import save_workbook
from zhiqian_desktop.services.maintenance import take_backup
from zhiqian_desktop.services.staff import handler_choices, tribunal_choices
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase, User
from zhiqian_desktop.store.outputs import check_output_file

# --- limits (documented in the 说明 sheet and the user guide) ------------------------------------

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The workbook file itself (a 20,000-row hand-over list is about 2 MB)."""
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
"""Sum of the uncompressed sizes of all zip members, read from the zip directory before loading."""
MAX_MEMBERS = 500
"""Files inside the xlsx zip; Excel writes about a dozen."""
MAX_RATIO = 100
"""Compression ratio allowed for a member larger than RATIO_FLOOR (zip bombs reach thousands)."""
RATIO_FLOOR = 1024 * 1024
MAX_DATA_ROWS = 20_000
"""Rows below the header; a larger list must be split into several files."""
BLANK_TAIL = 1_000
"""Empty (formatted) rows tolerated after the row limit before the sheet is refused."""
MAX_COLUMNS = 64
"""Columns read from the header row; anything to the right is ignored."""
HEADER_ROW = 1
SHEET_NAME = "案件"
NOTES_SHEET = "说明"
EXAMPLE_NOTE = "示例行：导入前请删除本案的两行"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

ProgressCallback = Callable[[int, int], None]

# --- the columns ---------------------------------------------------------------------------------

Kind = Literal["text", "date", "amount", "bool", "role", "party_kind", "source", "licence", "name"]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: Kind
    level: Literal["case", "party"]
    required: bool
    note: str
    width: int = 14
    max_len: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "原审案号",
        "original_case_no",
        "text",
        "case",
        True,
        "生效文书的案号，如（2026）内0221民初123号；半角括号会自动改为全角。同一案件的第二名及以后的当事人行可留空",
        26,
        64,
    ),
    Column(
        "文书类型",
        "original_doc_type",
        "text",
        "case",
        False,
        "判决书、调解书、裁定书等；不填视为“判决书”",
        10,
        16,
    ),
    Column("案由", "cause", "text", "case", True, "如“民间借贷纠纷”", 16, 64),
    Column(
        "生效日期",
        "effective_date",
        "date",
        "case",
        False,
        "日期单元格，或文字 2026-01-05、2026/1/5、2026.1.5、2026年1月5日、20260105",
        12,
    ),
    Column(
        "履行期限",
        "performance_deadline",
        "date",
        "case",
        False,
        "生效文书确定的履行期限届满日；格式同生效日期",
        12,
    ),
    Column(
        "最后一期履行期限",
        "final_installment_date",
        "date",
        "case",
        False,
        "生效文书规定分期履行的，最后一期的履行期限；不分期的不填",
        12,
    ),
    Column(
        "申请执行书收到日期",
        "application_received_on",
        "date",
        "case",
        False,
        "申请人已提交申请执行书的，收到的日期；未提交的不填",
        12,
    ),
    Column(
        "收案日期",
        "received_date",
        "date",
        "case",
        True,
        "本团队收到移交的日期，不能晚于今天；格式同生效日期",
        12,
    ),
    Column(
        "审判庭", "department", "text", "case", False, "作出生效文书的审判庭，如“民一庭”", 12, 64
    ),
    Column("审判员", "trial_judge", "text", "case", False, "原审承办法官姓名", 10, 32),
    Column(
        "标的金额",
        "amount_due",
        "amount",
        "case",
        False,
        "应给付的金额（元），数字或文字如 12345.67、12,345.67、¥12,345.67、12345元，最多两位小数；"
        "没有金钱给付时留空并填写“非金钱义务”",
        14,
    ),
    Column(
        "非金钱义务",
        "obligation_act",
        "text",
        "case",
        False,
        "应履行的行为（如“腾退房屋”）；标的金额与非金钱义务至少填一项",
        20,
    ),
    Column(
        "涉民生", "livelihood", "bool", "case", False, "“是”或“否”，不填为否；涉民生案件优先督促", 8
    ),
    Column(
        "民生类型",
        "livelihood_kind",
        "text",
        "case",
        False,
        "如追索劳动报酬、赡养费、抚养费、交通事故赔偿",
        12,
        32,
    ),
    Column(
        "承办人",
        "handler_id",
        "name",
        "case",
        False,
        "本系统中用户的姓名或用户名；不填则暂不分配",
        10,
    ),
    Column(
        "法庭", "tribunal_id", "name", "case", False, "本系统中已设置的法庭名称；不填则不分配", 12
    ),
    Column(
        "来源",
        "source",
        "source",
        "case",
        False,
        "“审判庭移交”或“申请人同意督促”；不填为审判庭移交",
        14,
    ),
    Column("备注", "notes", "text", "case", False, "任意说明", 20),
    Column(
        "当事人地位",
        "role",
        "role",
        "party",
        True,
        "申请人、被申请人或第三人（也可写申请执行人、被执行人）；每案至少一名申请人和一名被申请人",
        12,
    ),
    Column(
        "当事人类型",
        "kind",
        "party_kind",
        "party",
        False,
        "自然人、法人或非法人组织；不填为自然人",
        12,
    ),
    Column("当事人名称", "name", "text", "party", True, "自然人姓名或单位全称", 20, 200),
    Column(
        "证件号码",
        "id_number",
        "text",
        "party",
        False,
        "自然人填18位公民身份号码，单位填18位统一社会信用代码，均核对校验位；请将该列设为文本格式，"
        "否则 Excel 会把身份证号改成科学计数法并丢失末几位",
        22,
        32,
    ),
    Column(
        "联系电话",
        "phones",
        "text",
        "party",
        False,
        "手机号或带区号的固定电话，多个号码用顿号、逗号或空格分隔",
        18,
        200,
    ),
    Column("地址", "address", "text", "party", False, "住所地或经常居住地", 28, 300),
    Column(
        "法定代表人",
        "legal_representative",
        "text",
        "party",
        False,
        "单位当事人的法定代表人或负责人",
        10,
        64,
    ),
    Column(
        "注册资本",
        "registered_capital",
        "amount",
        "party",
        False,
        "单位当事人的注册资本（元），格式同标的金额",
        14,
    ),
    Column("经营状态", "licence_status", "licence", "party", False, "存续、吊销或注销", 10),
)
HEADERS = tuple(c.header for c in COLUMNS)
_BY_HEADER = {c.header: c for c in COLUMNS}
_BY_KEY = {c.key: c for c in COLUMNS}
CASE_COLUMNS = tuple(c for c in COLUMNS if c.level == "case")
PARTY_COLUMNS = tuple(c for c in COLUMNS if c.level == "party")
_CASE_KEYS = tuple(c.key for c in CASE_COLUMNS)
IGNORED_HEADERS = frozenset({"序号"})

_ROLE_WORDS = {
    **{r.label: r for r in PartyRole},
    "申请执行人": PartyRole.APPLICANT,
    "权利人": PartyRole.APPLICANT,
    "被执行人": PartyRole.OBLIGOR,
    "义务人": PartyRole.OBLIGOR,
}
_TRUE_WORDS = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "✓", "涉民生"})
_FALSE_WORDS = frozenset({"否", "N", "NO", "FALSE", "0", "×", "不涉及", ""})

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


# --- the template --------------------------------------------------------------------------------


def _example_rows() -> list[list[Any]]:
    case: dict[str, Any] = {
        "原审案号": "（2026）内0221民初123号",
        "文书类型": "判决书",
        "案由": "买卖合同纠纷",
        "生效日期": date(2026, 10, 9),
        "履行期限": date(2026, 10, 19),
        "收案日期": date(2026, 11, 2),
        "审判庭": "民一庭",
        "审判员": "赵某某",
        "标的金额": Decimal("12345.67"),
        "涉民生": "否",
        "来源": CaseSource.HANDOVER.label,
        "备注": EXAMPLE_NOTE,
    }
    applicant = {
        "当事人地位": PartyRole.APPLICANT.label,
        "当事人类型": PartyKind.PERSON.label,
        "当事人名称": "李某",
        "证件号码": "150221198503123611",
        "联系电话": "13800138000",
        "地址": "内蒙古自治区包头市土默特右旗萨拉齐镇某街1号",
    }
    obligor = {
        "当事人地位": PartyRole.OBLIGOR.label,
        "当事人类型": PartyKind.LEGAL_PERSON.label,
        "当事人名称": "包头市某某建材有限公司",
        "证件号码": "91150221MA0N0000XC",
        "联系电话": "0472-1234567、13912345678",
        "地址": "内蒙古自治区包头市土默特右旗某工业园区",
        "法定代表人": "王某",
        "注册资本": Decimal("1000000"),
        "经营状态": LicenceStatus.NORMAL.label,
    }
    return [
        [{**case, **applicant}.get(h) for h in HEADERS],
        [obligor.get(h) for h in HEADERS],
    ]


def template_rows(
    data: CaseInput, *, handler: str | None = None, tribunal: str | None = None
) -> list[list[Any]]:
    """The rows a case takes in the import layout (one per party, case columns on the first)."""
    case_values: dict[str, Any] = {
        "original_case_no": data.original_case_no,
        "original_doc_type": data.original_doc_type,
        "cause": data.cause,
        "effective_date": data.effective_date,
        "performance_deadline": data.performance_deadline,
        "final_installment_date": data.final_installment_date,
        "application_received_on": data.application_received_on,
        "received_date": data.received_date,
        "department": data.department,
        "trial_judge": data.trial_judge,
        "amount_due": data.amount_due if data.amount_due else None,
        "obligation_act": data.obligation_act,
        "livelihood": "是" if data.livelihood else "否",
        "livelihood_kind": data.livelihood_kind,
        "handler_id": handler,
        "tribunal_id": tribunal,
        "source": data.source.label,
        "notes": data.notes,
    }
    rows: list[list[Any]] = []
    for i, p in enumerate(data.parties):
        values: dict[str, Any] = dict(case_values) if i == 0 else {}
        values.update(
            role=p.role.label,
            kind=p.kind.label,
            name=p.name,
            id_number=p.id_number,
            phones=p.phones,
            address=p.address,
            legal_representative=p.legal_representative,
            registered_capital=p.registered_capital,
            licence_status=p.licence_status.label if p.licence_status else None,
        )
        rows.append([values.get(c.key) for c in COLUMNS])
    return rows


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # exact to the fen below 10^12
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
        return value  # guarded below as a string cell
    return value


def write_import_template(
    path: Path, rows: Sequence[Sequence[Any]] | None = None, *, force: bool = False
) -> Path:
    """Write the import workbook: sheet 案件 (headers + example case, or `rows`) and sheet 说明.

    Written to a temporary file beside `path` and moved into place when complete; an existing
    file is replaced only with `force` (store/outputs.py).
    """
    path = check_output_file(path, force=force)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME
    required_font = Font(bold=True, color="C0392B")
    plain_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F0")
    ws.append(list(HEADERS))
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i)
        cell.font = required_font if col.required else plain_font
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width + 2
    ws.freeze_panes = "A2"
    number_formats = {"date": "yyyy-mm-dd", "amount": "#,##0.00"}
    text_keys = {"original_case_no", "id_number", "phones"}
    for r, values in enumerate(rows if rows is not None else _example_rows(), start=2):
        for c, (col, value) in enumerate(zip(COLUMNS, values, strict=False), start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(row=r, column=c, value=_cell_value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            if col.kind in number_formats:
                cell.number_format = number_formats[col.kind]
            elif col.key in text_keys:
                cell.number_format = "@"
    last = max(ws.max_row, 2) + MAX_DATA_ROWS
    choices = {
        "role": [r.label for r in PartyRole],
        "party_kind": [k.label for k in PartyKind],
        "source": [s.label for s in CaseSource],
        "licence": [s.label for s in LicenceStatus],
        "bool": ["是", "否"],
    }
    for i, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        if col.kind in choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(choices[col.kind]) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=col.header,
                error="请从下拉列表中选择",
            )
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    _write_notes(wb)
    save_workbook(wb, path, force=force)
    return path


NOTES_INTRO = (
    "怎样填写：",
    "1. 每名当事人占一行。一个案件的案件信息（原审案号至备注）填在该案的第一行；"
    "该案的其他当事人紧接在下面各占一行，原审案号可留空，也可重复填写同一案号，其余案件列留空或与第一行相同。",
    "2. 同一案件的各行必须相邻；原审案号在后面再次出现即视为重复。每个案件至少一名申请人和一名被申请人。",
    "3. 红色列标题为必填项。请不要合并单元格，不要使用公式（如从其他表复制，请“选择性粘贴→数值”），不要改动列标题；"
    "可以保留一列“序号”，其他多余的列会被报告。",
    f"4. 一次最多导入 {MAX_DATA_ROWS:,} 行；文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB"
    f"（解压后不超过 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB）。更多的案件请分成几个文件导入。"
    "不接受设置了打开密码的工作簿和旧版 .xls 文件（请另存为 .xlsx）。",
    "5. 导入时逐行检查，全部无误才会登记；只要有一处问题，就一个案件也不登记，并列出每处问题所在的行和列。"
    "登记成功后每个案件获得本团队案号。原审案号已在系统中登记过的案件不能重复导入。",
    f"6. 第2、3行是示例（备注为“{EXAMPLE_NOTE}”），导入前请删除。",
)


def _write_notes(wb: openpyxl.Workbook) -> None:
    ws = wb.create_sheet(NOTES_SHEET)
    bold = Font(bold=True)
    for line in NOTES_INTRO:
        ws.append([line])
    ws.append([])
    ws.append(["列标题", "是否必填", "级别", "格式与说明"])
    header_row = ws.max_row
    for c in range(1, 5):
        ws.cell(row=header_row, column=c).font = bold
    ws.cell(row=1, column=1).font = bold
    for col in COLUMNS:
        level = "案件（填在该案第一行）" if col.level == "case" else "当事人（每行一名）"
        note = col.note + (f"；最多{col.max_len}字" if col.max_len else "")
        ws.append([col.header, "必填" if col.required else "选填", level, note])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 100
    for row in ws.iter_rows(min_row=header_row + 1):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")


# --- the container checks (before any XML is parsed) --------------------------------------------


def _refuse(path: Path, reason: str) -> UserError:
    return UserError(f"无法导入“{path.name}”：{reason}；未导入任何案件")


def check_container(path: Path) -> None:
    """Refuse what is not a plain, reasonably sized xlsx, looking only at bytes and the zip directory."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():  # a folder, a device, a pipe (never opened)
            raise _refuse(path, "这不是一个文件（是文件夹、设备或管道）；请选择 Excel 移交清单")
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”；请检查文件名和位置") from None
    except OSError as exc:
        raise _refuse(path, f"无法读取文件（{exc.strerror}）") from exc
    if size == 0:
        raise _refuse(path, "文件是空的")
    if size > MAX_FILE_BYTES:
        raise _refuse(
            path,
            f"文件有 {size / 1024 / 1024:.1f} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限；"
            f"请分成几个文件（每个不超过 {MAX_DATA_ROWS:,} 行）",
        )
    if head == OLE_MAGIC:
        if _is_encrypted_ole(path):
            raise _refuse(
                path,
                "工作簿设置了打开密码（已加密）；请在 Excel 中打开后取消密码"
                "（文件→信息→保护工作簿→用密码进行加密，清空密码），另存后再导入",
            )
        raise _refuse(
            path, "这是旧版 Excel 97-2003（.xls）文件；请在 Excel 中“另存为”.xlsx 格式后再导入"
        )
    if head[:4] != ZIP_MAGIC:
        raise _refuse(path, "这不是 Excel 工作簿（.xlsx）文件；请选择用导入模板填写的 .xlsx 文件")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(path, infos)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise _refuse(path, "文件是压缩包但不是 Excel 工作簿；请选择 .xlsx 文件")
            types = zf.read("[Content_Types].xml")
            if b"spreadsheetml" not in types and b"ms-excel" not in types:
                raise _refuse(
                    path,
                    "文件不是 Excel 工作簿（可能是 Word 或其他 Office 文件）；请选择 .xlsx 文件",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _check_prolog(path, zf, info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise _refuse(
            path, f"工作簿已损坏或不完整（{exc}）；请在 Excel 中打开并重新保存后再导入"
        ) from exc


def _is_encrypted_ole(path: Path) -> bool:
    """An encrypted OOXML file is an OLE compound file with an EncryptionInfo stream."""
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES)
    return _ENCRYPTION_STREAM in data


def _check_members(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _refuse(path, f"工作簿内部包含 {len(infos)} 个文件，超过 {MAX_MEMBERS} 个的上限")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse(path, "工作簿内容已加密；请在 Excel 中取消密码并另存后再导入")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                path,
                f"工作簿中的“{info.filename}”压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                "疑似恶意构造的文件",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(
            path,
            f"工作簿解压后有 {total / 1024 / 1024:.0f} MB，超过 "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB 的上限；请删除多余的行、图片或工作表，"
            f"或分成几个文件（每个不超过 {MAX_DATA_ROWS:,} 行）",
        )


_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_prolog(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Excel never writes a DTD; one in a part is an entity attack (billion laughs, external entity)."""
    with zf.open(info) as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if _DTD.search(head):
        raise _refuse(path, f"工作簿中的“{info.filename}”含有 DTD 或实体声明，疑似恶意构造的文件")


def _require_defusedxml() -> None:
    if not openpyxl.xml.DEFUSEDXML:
        raise UserError(
            "本机缺少 defusedxml 组件，无法安全读取 Excel 文件（防范 XML 炸弹）；"
            "请重新安装本系统或执行 pip install defusedxml 后再导入"
        )


# --- reading the sheet ---------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－．／：　", "0123456789-./: ")
_DATE_FORMS = (
    re.compile(
        r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    ),
    re.compile(r"(?P<y>\d{4})年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
DATE_HINT = "2026-01-05、2026/1/5、2026.1.5 或 2026年1月5日"


def parse_date_cell(value: Any) -> date | None:
    """A date cell, or a date typed as text in the usual Chinese forms; None when empty."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise UserError(f"“{value}”不是日期；请填写如 {DATE_HINT}")
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            value = str(int(value))
        else:
            raise UserError(
                f"单元格是数字 {value:g}，不是日期；请将单元格格式设为日期，或写作如 {DATE_HINT}"
            )
    text = str(value).translate(_FULL_WIDTH).strip()
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise UserError(f"“{value}”不是有效日期；请核对月份和日") from None
    raise UserError(f"日期“{value}”无法识别；请填写如 {DATE_HINT}")


def parse_amount_cell(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise UserError(f"“{value}”不是金额")
    if isinstance(value, int):
        return parse_amount(str(value))
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 12345.67, not 12345.6699…
        text = repr(value)
        if "e" in text or "E" in text:
            try:
                text = format(Decimal(text), "f")
            except InvalidOperation:
                raise UserError(f"金额“{value}”无法识别") from None
        return parse_amount(text)
    if isinstance(value, date | datetime):
        raise UserError(f"金额列中是日期“{value}”；请填写金额，如 12345.67")
    text = str(value).strip()
    return parse_amount(text) if text else None


def _text(value: Any) -> str:
    """A cell shown or used as text: numbers without a spurious .0, dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def normalise_original_case_no(text: str) -> str:
    """（2026）内0221民初1号 whether typed with half- or full-width parentheses, spaces dropped."""
    return "".join(text.split()).replace("(", "（").replace(")", "）")


def _normalise_header(text: str) -> str:
    value = "".join(_text(text).split()).strip("*＊")
    return re.sub(r"[（(][^）)]*[）)]$", "", value)


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
                        raise _refuse(
                            path,
                            f"工作表的数据超过 {MAX_DATA_ROWS:,} 行的上限（约{scan.rows - HEADER_ROW:,}行）；"
                            "请删除多余的行，或分成几个文件分别导入",
                        )
                    scans[name] = scan
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise _refuse(
            path, f"工作簿已损坏或不完整（{exc}）；请在 Excel 中打开并重新保存后再导入"
        ) from exc
    return scans


def _raw_rows(ws: Any, ncols: int) -> Generator[tuple[Any, ...], None, None]:
    """Rows from the streamed sheet; gaps come back as empty rows so the index is the Excel row."""
    yield from ws.iter_rows(min_row=1, max_row=1_048_576, max_col=ncols)


def _is_empty(cells: Sequence[Any]) -> bool:
    return all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells)


def read_workbook(
    path: Path,
    *,
    today: date | None = None,
    session: Session | None = None,
    directory: Directory | None = None,
) -> ImportPlan:
    """Read and check every row of the 案件 sheet; hostile or broken files raise one UserError.

    Problems in the rows are collected, never raised, so the clerk sees all of them at once. With
    a `session` (or a loaded `directory`) handler and tribunal names are resolved and original case
    numbers are checked against the cases already registered.
    """
    path = Path(path)
    today = today or date.today()
    _require_defusedxml()
    check_container(path)
    scans = _scan_worksheets(path)
    if directory is None:
        directory = Directory.load(session) if session is not None else Directory()
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except UserError:
        raise
    except Exception as exc:  # any failure to parse an outside file means it is damaged
        raise _refuse(
            path,
            f"工作簿已损坏或格式不正确（{type(exc).__name__}: {exc}）；"
            "请在 Excel 中打开并重新保存后再导入",
        ) from exc
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
        if any(_normalise_header(v) == "原审案号" for v in first if v is not None):
            return ws
    raise _refuse(
        path, f"找不到工作表“{SHEET_NAME}”（也没有以“原审案号”为列标题的工作表）；请使用导入模板"
    )


def _read_sheet(
    path: Path, wb: Any, today: date, directory: Directory, scans: dict[str, SheetScan]
) -> ImportPlan:
    try:
        ws = _pick_sheet(path, wb)
        sheet = ws.title
        scan = scans.get(ws._worksheet_path.lstrip("/"))
        merged = scan.merged if scan is not None else []
        for ref in merged:
            _min_col, min_row, _max_col, _max_row = range_boundaries(ref)
            if min_row is not None and min_row <= HEADER_ROW:
                raise _refuse(
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
        raise _refuse(
            path,
            f"工作簿已损坏或格式不正确（{type(exc).__name__}: {exc}）；"
            "请在 Excel 中打开并重新保存后再导入",
        ) from exc


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
            raise _refuse(
                path,
                f"工作表 {sheet} 的列标题 {get_column_letter(index + 1)}1 是公式；请粘贴为数值",
            )
        header = _normalise_header(cell.value) if cell.value is not None else ""
        if not header:
            continue
        if header in positions:
            raise _refuse(
                path, f"工作表 {sheet} 的列标题“{header}”出现了两次；每列标题只能出现一次"
            )
        if header not in _BY_HEADER:
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
        raise _refuse(
            path, f"工作表 {sheet} 第{HEADER_ROW}行没有列标题；请使用导入模板（第1行为列标题）"
        )
    if missing:
        raise _refuse(
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
                raise _refuse(
                    path,
                    f"工作表 {sheet} 的数据超过 {MAX_DATA_ROWS:,} 行的上限（第{excel_row}行仍有内容）；"
                    "请分成几个文件分别导入",
                )
            if excel_row > last_allowed + BLANK_TAIL:
                raise _refuse(
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
            texts[header] = _text(value)
        plan_rows.append(PlanRow(excel_row, texts))
        values_by_row[excel_row] = values

    if not plan_rows:
        raise _refuse(
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
        raw = _text(values_by_row[row.row].get("原审案号"))
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
    text = _text(value)
    if col.kind == "text":
        if col.max_len and len(text) > col.max_len:
            out.add(row, header, f"内容过长（{len(text)}字）；最多{col.max_len}字")
            return None
        return text
    if col.kind == "bool":
        word = text.upper()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        out.add(row, header, f"“{text}”无法识别；请填写“是”或“否”")
        return None
    if col.kind == "role":
        role = _ROLE_WORDS.get(text)
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
        at_row, column = _locate(problem.field, first, party_rows)
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


def _locate(field_name: str, first: int, party_rows: list[int]) -> tuple[int, str]:
    match = _PARTY_FIELD.fullmatch(field_name)
    if match:
        index, key = int(match[1]), match[2]
        row = party_rows[index] if index < len(party_rows) else first
        return row, _BY_KEY[key].header if key in _BY_KEY else "当事人名称"
    return first, _PROBLEM_FIELDS.get(field_name, "原审案号")


# --- the import ----------------------------------------------------------------------------------


class _CaseRefused(Exception):
    def __init__(self, case: PlannedCase, error: UserError) -> None:
        super().__init__(error.message)
        self.case = case
        self.error = error


_LOOKUP_CHUNK = 500
"""Original case numbers per IN (...) query (well below SQLite's and PostgreSQL's limits)."""


def _check_not_registered(session: Session, cases: Sequence[PlannedCase]) -> None:
    """register_case's duplicate rule for the whole workbook, in the write transaction.

    The workbook was checked against the docket in a reader moments ago; this repeats the check
    where it counts (a colleague may have registered one of the cases meanwhile) with one indexed
    query per few hundred cases instead of one per case, so register_case may skip it."""
    numbers: dict[str, PlannedCase] = {}
    for planned in cases:
        number = planned.data.original_case_no.strip()
        if number in numbers:
            # read_workbook refuses a repeated number; kept as a guard for a hand-built plan.
            _refuse_duplicate(planned, number, "本次导入的另一行")
        numbers[number] = planned
    keys = list(numbers)
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        rows = session.execute(
            select(SupervisionCase.original_case_no, SupervisionCase.case_no)
            .where(
                SupervisionCase.original_case_no.in_(chunk),
                SupervisionCase.deleted_at.is_(None),
            )
            .order_by(SupervisionCase.original_case_no)
        ).all()
        if rows:
            found: dict[str, str] = {no: case_no for no, case_no in rows}
            first = min(numbers[n].first_row for n in found)
            planned = next(p for p in cases if p.first_row == first)
            number = planned.data.original_case_no.strip()
            _refuse_duplicate(planned, number, found[number])


def _refuse_duplicate(planned: PlannedCase, number: str, existing: str) -> None:
    error = UserError(
        f"原审案号“{number}”已登记为{existing}；同一生效文书不能重复登记督促案件",
        field="original_case_no",
    )
    raise _CaseRefused(planned, error)


def import_cases(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    today: date,
    dry_run: bool = False,
    backup: bool = True,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Check the whole workbook, then register every case in one transaction — or none.

    A refused file raises UserError; problems in the rows come back in the report (nothing
    written). `dry_run` only checks. A local database file is backed up before the write.
    """
    path = Path(path)
    if not dry_run:
        actor.require_write()
    with db.reader() as session:
        plan = read_workbook(path, today=today, session=session)
    report = ImportReport(path, dry_run, len(plan.cases), len(plan.rows), list(plan.problems), [])
    if plan.problems or dry_run:
        return report
    if backup and db.path is not None:
        take_backup(db, label="before-import")
    created: list[ImportedCase] = []
    try:
        with db.unit_of_work() as session:
            _check_not_registered(session, plan.cases)
            for i, planned in enumerate(plan.cases):
                try:
                    case = register_case(
                        session, actor, planned.data, today=today, check_duplicate=False
                    )
                except PermissionDenied:
                    raise
                except UserError as exc:
                    raise _CaseRefused(planned, exc) from exc
                created.append(ImportedCase(case.case_no, case.original_case_no, planned.first_row))
                if on_progress is not None and (i + 1) % 100 == 0:
                    on_progress(i + 1, len(plan.cases))
    except _CaseRefused as refused:
        # Checked moments ago, so this is a change made meanwhile (e.g. the same case registered
        # by a colleague); the whole import was rolled back.
        row, column = _locate(
            refused.error.field or "", refused.case.first_row, refused.case.party_rows
        )
        report.problems = [ImportProblem(plan.sheet, row, column, refused.error.message)]
        return report
    if on_progress is not None:
        on_progress(len(plan.cases), len(plan.cases))
    report.created = created
    return report
