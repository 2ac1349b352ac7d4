"""Spreadsheet exports: the docket and the due-list as xlsx (cells guarded by core/workbooks.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import DueItem
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.core.workbooks import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    safe_cell_value,
    save_workbook,
)
from zhiqian_desktop.services.intake.docket import DocketQuery, DocketRow, count_cases, list_cases
from zhiqian_desktop.store.outputs import check_output_file

BATCH_SIZE = 2000

ProgressCallback = Callable[[int, int], None]


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


@reads
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
