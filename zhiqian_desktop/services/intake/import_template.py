"""The import workbook a court fills in: the headers with their notes and checks, one example case,
and the 说明 sheet explaining the layout and the limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zhiqian_desktop.domain.kinds import CaseSource, LicenceStatus, PartyKind, PartyRole
from zhiqian_desktop.services.core.workbooks import save_workbook
from zhiqian_desktop.services.intake.docket import CaseInput
from zhiqian_desktop.services.intake.import_columns import (
    COLUMNS,
    EXAMPLE_NOTE,
    HEADER_ROW,
    HEADERS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    NOTES_SHEET,
    SHEET_NAME,
)
from zhiqian_desktop.store.outputs import check_output_file

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
    ws = wb.worksheets[0]
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
