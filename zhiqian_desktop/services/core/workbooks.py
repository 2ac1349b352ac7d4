"""Spreadsheets written safely, for every export and the import template: a cell holds its value
as data, never as a formula (text from anyone may begin with =), and a workbook is written under a
temporary name and moved into place, so a failed export never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
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

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.outputs import check_output_file, place

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
"""A text starting with one of these could be taken for a formula (or DDE) by a spreadsheet."""


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


def save_export(wb: Workbook, path: Path, *, force: bool = False) -> None:
    """Write beside ``path`` and move into place: a failed export never leaves half a file."""
    save_workbook(wb, Path(path), force=force)


def write_sheet(
    wb: Workbook,
    title: str,
    headers: list[tuple[str, int]],
    rows: list[list[Any]],
    formats: list[str | None] | None = None,
    caption: str | None = None,
) -> None:
    """A write-only sheet: optional caption line, bold header, formula-safe cells."""
    ws = wb.create_sheet(title)
    for i, (_h, width) in enumerate(headers):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    if caption:
        cell = safe_cell_value(ws, caption)
        cell.font = Font(bold=True, size=13)
        ws.append([cell])
    head = []
    for h, _w in headers:
        cell = safe_cell_value(ws, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        head.append(cell)
    ws.append(head)
    fmts = formats or [None] * len(headers)
    for row in rows:
        ws.append([safe_cell_value(ws, v, number_format=f) for v, f in zip(row, fmts, strict=True)])
