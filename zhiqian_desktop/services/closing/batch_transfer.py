"""Batch transfer (批量移送执行): several failed cases in one go, one package each, plus the list.

``transfer_many`` calls ``packages.build_transfer_package`` once per case, then writes the summary
list for the enforcement filing desk (移送清单) as an xlsx and a PDF table in ``dest_dir``.

Atomicity is per case, not per batch: each package is written and its case marked 已移送执行 in
its own transaction, exactly as a single transfer. A case that cannot be transferred (closed,
not the actor's, a missing attachment, the package name taken, …) is reported with its reason,
leaves neither a package nor a status change, and the other cases still go. A batch is not rolled
back as a whole because a transferred case with its package on disk is a complete, correct
result by itself, and the filing desk should not have to wait for the one case that has a problem.
A cancel (the progress callback raising) abandons the case being written (atomically, as above),
skips the rest, and still writes the list so it shows what was and was not transferred.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import PartyRole
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.printing.fonts import load_print_fonts
from zhiqian_desktop.printing.transfer import Sheet, SheetRenderer, SheetSection, SheetTable
from zhiqian_desktop.services.closing.transfer_package import ProgressFn, build_transfer_package
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.workbooks import AMOUNT_FORMAT, safe_cell_value
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.store.archives import safe_name
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.outputs import check_output_folder, place

log = logging.getLogger(__name__)

TRANSFERRED = "已移送执行"
NOT_TRANSFERRED = "未移送"
CANCELLED = "已取消，未移送"


@dataclass
class BatchItem:
    """The outcome for one case of the batch."""

    case_id: str
    case_no: str = ""
    original_case_no: str = ""
    cause: str = ""
    applicants: str = ""
    obligors: str = ""
    outstanding: Decimal | None = None
    handler: str = ""
    status: str = ""
    package: Path | None = None
    sha256: str | None = None
    error: str | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.package is not None and self.error is None

    @property
    def outcome(self) -> str:
        if self.ok:
            return TRANSFERRED
        if self.cancelled:
            return CANCELLED
        return f"{NOT_TRANSFERRED}：{self.error}"


@dataclass
class BatchTransferReport:
    items: list[BatchItem] = field(default_factory=list)
    summary_xlsx: Path | None = None
    summary_pdf: Path | None = None
    cancelled: bool = False

    @property
    def transferred(self) -> list[BatchItem]:
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[BatchItem]:
        return [i for i in self.items if not i.ok]

    def lines(self) -> list[str]:
        out = [f"{i.case_no or i.case_id}\t{i.outcome}" for i in self.items]
        out.append(f"共{len(self.items)}件，移送{len(self.transferred)}件")
        return out


class _Cancelled(Exception):
    """The progress callback raised: the batch stops after the current case."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _describe(db: Database, item: BatchItem) -> None:
    """Fill the case details of ``item`` from the database (as it is now)."""
    with db.reader() as session:
        case = get_case(session, item.case_id)
        item.case_no = case.case_no
        item.original_case_no = case.original_case_no
        item.cause = case.cause
        item.applicants = "、".join(p.name for p in case.parties if p.role is PartyRole.APPLICANT)
        item.obligors = "、".join(p.name for p in case.parties if p.role is PartyRole.OBLIGOR)
        item.outstanding = max(case.amount_due - case.amount_paid, Decimal("0.00"))
        item.handler = case.handler.display_name if case.handler is not None else ""
        item.status = case.status.label


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _free_name(dest_dir: Path, stem: str, suffix: str) -> Path:
    path = dest_dir / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = dest_dir / f"{stem}-{n}{suffix}"
        n += 1
    return path


def _write_atomic(path: Path, write: Callable[[str], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        place(Path(tmp), path, force=False)
    except OSError as exc:
        raise UserError(f"无法写入“{path}”：{exc.strerror}；请检查磁盘空间和权限") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


_COLUMNS: list[tuple[str, int]] = [
    ("序号", 6),
    ("案号", 24),
    ("原审案号", 26),
    ("案由", 16),
    ("申请人", 18),
    ("被申请人", 18),
    ("未履行金额（元）", 16),
    ("承办人", 10),
    ("移送结果", 30),
    ("移送材料", 36),
    ("SHA-256", 66),
]


def write_summary_xlsx(report: BatchTransferReport, path: Path, title: str) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("移送清单")
    ws.freeze_panes = "A3"
    for i, (_h, width) in enumerate(_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([safe_cell_value(ws, title)])
    header = []
    for name, _w in _COLUMNS:
        cell = safe_cell_value(ws, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    for n, item in enumerate(report.items, start=1):
        values = [
            n,
            item.case_no or item.case_id,
            item.original_case_no,
            item.cause,
            item.applicants,
            item.obligors,
            item.outstanding,
            item.handler,
            item.outcome,
            item.package.name if item.package else "",
            item.sha256 or "",
        ]
        ws.append(
            [
                safe_cell_value(ws, v, number_format=AMOUNT_FORMAT if i == 6 else None)
                for i, v in enumerate(values)
            ]
        )
    _write_atomic(path, wb.save)


def summary_sheet(report: BatchTransferReport, court_name: str, today: date) -> Sheet:
    rows = [
        (
            str(n),
            item.case_no or item.case_id,
            item.cause,
            item.obligors,
            format_amount(item.outstanding) if item.outstanding is not None else "",
            item.handler,
            item.outcome,
            item.package.name if item.package else "",
        )
        for n, item in enumerate(report.items, start=1)
    ]
    done = len(report.transferred)
    return Sheet(
        court_name,
        "移送执行案件清单",
        f"{today.isoformat()}　共{len(report.items)}件，移送{done}件",
        [
            SheetSection(
                "",
                table=SheetTable(
                    ("序号", "案号", "案由", "被申请人", "未履行金额", "承办人", "结果", "材料"),
                    rows,
                    (0.6, 2.4, 1.5, 1.5, 1.4, 1.0, 2.2, 2.4),
                ),
            )
        ],
        footnote="各案移送材料均附 manifest.json，可用“zhiqian verify-package 文件名”逐一核验。",
    )


def transfer_many(
    db: Database,
    actor: Actor,
    case_ids: list[str],
    reason: str,
    dest_dir: Path,
    *,
    as_zip: bool = True,
    today: date,
    progress: ProgressFn | None = None,
) -> BatchTransferReport:
    """Transfer each case with ``reason``, one package each in ``dest_dir``, and write the list.

    See the module docstring: each case is atomic on its own; a case that cannot be transferred is
    reported (``BatchItem.error``) and the others still go. Returns the report with the paths of
    the summary list (移送清单-DATE.xlsx / .pdf).
    """
    dest_dir = Path(dest_dir)
    if not (reason or "").strip():
        raise UserError("移送执行必须填写督促不成的理由", field="reason")
    if not dest_dir.is_dir():
        raise UserError(f"文件夹“{dest_dir}”不存在；请先创建或另选保存位置", field="dest")
    # Each package and the list get new names in it (never replacing a file): a folder with
    # other files will do, as long as it is not one of the app's own.
    dest_dir = check_output_folder(dest_dir, force=True, what="移送材料")
    unique = list(dict.fromkeys(case_ids))
    if not unique:
        raise UserError("请至少选择一件要移送的案件")
    report = BatchTransferReport()
    total = len(unique)
    for done, case_id in enumerate(unique):
        item = BatchItem(case_id)
        report.items.append(item)
        if report.cancelled:
            item.cancelled = True
            with contextlib.suppress(UserError):
                _describe(db, item)
            continue
        try:
            _describe(db, item)
        except UserError as exc:
            item.error = str(exc)
            continue
        label = item.case_no

        def step(
            date_text: int, time_text: int, message: str, done: int = done, label: str = label
        ) -> None:
            if progress is not None:
                try:
                    progress(done, total, f"{label}：{message}")
                except BaseException as exc:
                    raise _Cancelled(exc) from exc

        suffix = ".zip" if as_zip else ""
        dest = dest_dir / f"{safe_name(item.case_no)}-移送执行{suffix}"
        try:
            path = build_transfer_package(
                db, actor, case_id, reason, dest, as_zip=as_zip, today=today, progress=step
            )
        except _Cancelled:
            report.cancelled = True
            item.cancelled = True
            continue
        except UserError as exc:
            item.error = str(exc)
            continue
        except Exception as exc:  # a bug in one case must not stop the others
            log.exception("batch transfer of case %s failed", item.case_no)
            item.error = f"内部错误（{type(exc).__name__}：{exc}）"
            continue
        item.package = path
        item.sha256 = _file_sha256(path) if path.is_file() else None
        with contextlib.suppress(UserError):
            _describe(db, item)
    if progress is not None and not report.cancelled:
        progress(total, total + 1, "正在编制移送清单")
    with db.reader() as session:
        court_name = get_settings(session).court_name
        fonts = load_print_fonts(
            get_settings(session).print_font_body, get_settings(session).print_font_title
        )
    stem = f"移送清单-{today.isoformat()}"
    xlsx = _free_name(dest_dir, stem, ".xlsx")
    write_summary_xlsx(report, xlsx, f"{court_name} 移送执行案件清单 {today.isoformat()}")
    report.summary_xlsx = xlsx
    pdf_bytes, _pages = SheetRenderer(fonts).render(summary_sheet(report, court_name, today))
    pdf = _free_name(dest_dir, stem, ".pdf")

    def write_pdf(name: str) -> None:
        Path(name).write_bytes(pdf_bytes)

    _write_atomic(pdf, write_pdf)
    report.summary_pdf = pdf
    if progress is not None and not report.cancelled:
        progress(total + 1, total + 1, "批量移送完成")
    return report
