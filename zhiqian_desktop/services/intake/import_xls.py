"""Excel 97-2003 workbooks (.xls), which court case systems and WPS still export, read with xlrd
and offered to the import in the shape of openpyxl's streamed workbook, so the same checks, limits
and all-or-nothing rule apply as to an .xlsx.

Differences that follow from the format: xlrd reads the value Excel saved for a formula cell (the
text the clerk sees), not the formula, so a formula is imported as its value rather than refused;
a date is a number with a date format, turned into a date here as openpyxl does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlrd
from openpyxl.utils import get_column_letter

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.intake.import_checks import damaged, refusal, too_many_rows
from zhiqian_desktop.services.intake.import_columns import (
    BLANK_TAIL,
    HEADER_ROW,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
)


@dataclass(frozen=True)
class XlsCell:
    """What the import reads of an openpyxl cell: the value and its type letter."""

    value: Any
    data_type: str


_EMPTY = XlsCell(None, "n")


class XlsSheet:
    def __init__(self, book: xlrd.book.Book, sheet: xlrd.sheet.Sheet) -> None:
        self._book = book
        self._sheet = sheet
        self.title: str = sheet.name
        self.merged_refs: list[str] = [
            f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1)}{r1}"
            for r0, r1, c0, c1 in sheet.merged_cells
        ]

    def iter_rows(
        self, min_row: int, max_row: int, max_col: int, values_only: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        last = min(max_row, self._sheet.nrows)
        for r in range(min_row - 1, last):
            width = min(max_col, self._sheet.row_len(r))
            cells = [self._cell(r, c) for c in range(width)]
            cells += [_EMPTY] * (max_col - width)
            yield tuple(c.value for c in cells) if values_only else tuple(cells)

    def _cell(self, r: int, c: int) -> XlsCell:
        cell = self._sheet.cell(r, c)
        kind, value = cell.ctype, cell.value
        if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return _EMPTY
        if kind == xlrd.XL_CELL_TEXT:
            return XlsCell(value, "s")
        if kind == xlrd.XL_CELL_NUMBER:
            number = int(value) if float(value).is_integer() and abs(value) < 1e15 else value
            return XlsCell(number, "n")
        if kind == xlrd.XL_CELL_DATE:
            try:
                moment: datetime = xlrd.xldate.xldate_as_datetime(value, self._book.datemode)
            except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                return XlsCell(value, "n")  # reported as "a number, not a date" by the import
            return XlsCell(moment, "d")
        if kind == xlrd.XL_CELL_BOOLEAN:
            return XlsCell(bool(value), "b")
        if kind == xlrd.XL_CELL_ERROR:
            return XlsCell(xlrd.error_text_from_code.get(value, "#错误"), "e")
        return XlsCell(str(value), "s")


class XlsWorkbook:
    """The few parts of openpyxl's read-only Workbook the import uses."""

    def __init__(self, book: xlrd.book.Book) -> None:
        self._book = book
        self.sheetnames: list[str] = book.sheet_names()

    def __getitem__(self, name: str) -> XlsSheet:
        return XlsSheet(self._book, self._book.sheet_by_name(name))

    def close(self) -> None:
        self._book.release_resources()


def open_xls(path: Path) -> XlsWorkbook:
    """Open an .xls, refusing an encrypted, damaged or oversized one with one clerk's message."""
    try:
        data = path.read_bytes()  # check_container has capped the size
        if len(data) > MAX_FILE_BYTES:
            raise refusal(path, "文件超过大小上限")
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=False, logfile=_Silent()
        )
    except UserError:
        raise
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise refusal(
                path,
                "工作簿设置了打开密码（已加密）；请在 Excel 中打开后取消密码，另存为 .xlsx 后再导入",
            ) from exc
        raise refusal(
            path,
            f"这不是可读取的 Excel 97-2003 工作簿（{exc}）；请在 Excel 中另存为 .xlsx 后再导入",
        ) from exc
    except Exception as exc:  # any failure to parse an outside file means it is damaged
        raise damaged(path, exc, "打开并另存为 .xlsx 后再导入") from exc
    limit = HEADER_ROW + MAX_DATA_ROWS + BLANK_TAIL
    for sheet in book.sheets():
        if sheet.nrows > limit:
            book.release_resources()
            raise too_many_rows(path, sheet.nrows - HEADER_ROW, MAX_DATA_ROWS)
    return XlsWorkbook(book)


class _Silent:
    """xlrd writes warnings about odd records to a log file; a clerk's import has no use for them."""

    def write(self, _text: str) -> int:
        return 0
