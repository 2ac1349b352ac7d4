"""Spreadsheet exports: the docket as xlsx, and the cell guard every export uses against formula injection."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import DueItem
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.docket import DocketQuery, DocketRow, count_cases, list_cases
from zhiqian_desktop.store.outputs import check_output_file, place

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
BATCH_SIZE = 2000

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
"""A text starting with one of these could be taken for a formula (or DDE) by a spreadsheet."""

ProgressCallback = Callable[[int, int], None]


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_TRIGGERS)


def csv_safe(text: str) -> str:
    """For CSV, where there is no cell type: a leading apostrophe keeps the text from being a formula."""
    return "'" + text if is_formula_like(text) else text


def safe_cell_value(
    sheet: Worksheet | WriteOnlyWorksheet, value: Any, *, number_format: str | None = None
) -> WriteOnlyCell:
    """A cell for ``sheet.append`` that holds `value` as data, never as a formula.

    Text (a party's name, an address, a note typed by anyone) that begins with = + - @, a tab, CR
    or NUL is stored as a string cell; characters XML cannot hold are dropped rather than failing
    the whole export. Decimals become numbers, dates become dates; `number_format` formats them.
    """
    if isinstance(value, Decimal):
        value = float(value)  # exact to the fen for any amount the docket accepts (< 10^12)
    guarded = False
    if isinstance(value, str):
        guarded = is_formula_like(value)
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if guarded:
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


# (header, column width, how to get the value from a row, number format)
_DOCKET_COLUMNS: list[tuple[str, int, Callable[[DocketRow], Any], str | None]] = [
    ("案号", 24, lambda r: r.case_no, None),
    ("原审案号", 26, lambda r: r.original_case_no, None),
    ("案由", 18, lambda r: r.cause, None),
    ("被申请人", 20, lambda r: r.obligor_names, None),
    ("标的金额（元）", 16, lambda r: r.amount_due, AMOUNT_FORMAT),
    ("已履行（元）", 16, lambda r: r.amount_paid, AMOUNT_FORMAT),
    (
        "未履行（元）",
        16,
        lambda r: max(r.amount_due - r.amount_paid, Decimal("0.00")),
        AMOUNT_FORMAT,
    ),
    ("状态", 12, lambda r: r.status.label, None),
    ("承办人", 10, lambda r: r.handler_name, None),
    ("督促天数", 10, lambda r: r.days_in_supervision, "0"),
    ("下次到期", 12, lambda r: r.next_due_date, DATE_FORMAT),
    ("涉民生", 8, lambda r: "是" if r.livelihood else "", None),
]

DOCKET_HEADERS = [c[0] for c in _DOCKET_COLUMNS]


def iter_docket_rows(
    session: Session, query: DocketQuery, today: date, *, batch_size: int = BATCH_SIZE
) -> Iterator[DocketRow]:
    """Every row matching `query`, in its sort order, fetched a batch at a time."""
    offset = 0
    while True:
        batch = list_cases(session, query, today=today, offset=offset, limit=batch_size)
        yield from batch
        if len(batch) < batch_size:
            return
        offset += batch_size


def export_docket_xlsx(
    session: Session,
    query: DocketQuery,
    path: Path,
    today: date,
    *,
    on_progress: ProgressCallback | None = None,
    force: bool = False,
) -> int:
    """Write every case matching `query` (the docket's current view) to `path`; returns the row count.

    The workbook is streamed (write-only) into a temporary file beside `path` and moved into place
    only when complete, so a failed export never leaves half a file under the chosen name.
    """
    path = check_output_file(path, force=force)
    total = count_cases(session, query)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件台账")
    ws.freeze_panes = "A2"
    for i, (_h, width, _get, _fmt) in enumerate(_DOCKET_COLUMNS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    headers = []
    for title, *_ in _DOCKET_COLUMNS:
        cell = safe_cell_value(ws, title)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        headers.append(cell)
    ws.append(headers)
    written = 0
    for row in iter_docket_rows(session, query, today):
        ws.append(
            [
                safe_cell_value(ws, get(row), number_format=fmt)
                for _h, _w, get, fmt in _DOCKET_COLUMNS
            ]
        )
        written += 1
        if on_progress is not None and written % 500 == 0:
            on_progress(written, total)
    save_workbook(wb, path, force=force)
    if on_progress is not None:
        on_progress(written, total)
    return written


def save_workbook(wb: Workbook, path: Path, *, force: bool = False) -> None:
    """Write an xlsx under a temporary name beside `path`, then rename it into place: a crash or
    a full disk never leaves half a workbook, and a file open in Excel gets a clear message.
    `path` must be a place outputs may go (store/outputs.py); an existing file is replaced only
    with `force`."""
    path = check_output_file(path, force=force)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.part", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp_name)
        place(Path(tmp_name), path, force=force)
    except PermissionError as exc:
        raise UserError(
            f"无法写入“{path}”：文件可能正在 Excel 中打开，请关闭后重试或另存为其他文件名"
        ) from exc
    except OSError as exc:
        raise UserError(f"无法写入“{path}”：{exc.strerror}；请检查磁盘空间和权限") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)


def export_due_list_xlsx(
    items: Sequence[DueItem], path: Path, on: date, *, force: bool = False
) -> int:
    """The due-list of `on` as shown (its order and filters), formula-safe; returns the row count."""
    path = check_output_file(path, force=force)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"今日待办{on.isoformat()}")
    ws.freeze_panes = "A2"
    headers = ["分组", "案号", "被申请人", "事项", "到期日", "逾期天数", "承办人", "应办", "说明"]
    for i, width in enumerate((8, 26, 20, 18, 12, 9, 10, 16, 50)):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.append([safe_cell_value(ws, h) for h in headers])
    for item in items:
        row = [
            item.group.label,
            item.case_no + ("（民生）" if item.livelihood else ""),
            item.obligor_names,
            item.kind.label,
            item.due_date,
            item.days_overdue,
            item.handler_name,
            item.action.label,
            item.detail,
        ]
        ws.append(
            [
                safe_cell_value(ws, v, number_format=DATE_FORMAT if isinstance(v, date) else None)
                for v in row
            ]
        )
    save_workbook(wb, path, force=force)
    return len(items)
