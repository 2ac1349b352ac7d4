"""The outbox's files: one file of the approved messages for the court's SMS platform to import
(CSV or xlsx: 手机号码, 姓名, 短信内容, 消息编号), and the platform's result file read back
(消息编号, 手机号码, 发送状态 成功/失败, 失败原因), each message marked sent or failed and logged on
its case. The formats are described in docs/messages.md.

Both are one transaction: an export marks its messages exported and writes the file (a file
that cannot be written marks nothing); a result file is matched row by row first and refused as a
whole when a row does not belong (domain/messages.match_results), so nothing is half read.

The exported file holds phone numbers (personal information): like every output it is written
private to the clerk's account (0600, store/outputs.py).

Who: the handler of a case or the team lead; a handler's export holds the messages of his own
cases only, and a result file naming another handler's message is refused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Literal

import openpyxl
from openpyxl import Workbook
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import ContactKind, MessageKind, MessageStatus
from zhiqian_desktop.domain.messages import (
    EXPORT_HEADERS,
    Awaiting,
    ResultRow,
    Step,
    batch_code,
    match_results,
    message_ref,
    next_status,
    result_columns,
)
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import writes
from zhiqian_desktop.services.core.workbooks import csv_safe, save_workbook, write_sheet
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.services.intake.import_checks import (
    XLSX,
    ZIP_MAGIC,
    check_container,
    require_defusedxml,
)
from zhiqian_desktop.services.supervision.contacts import log_message_sent
from zhiqian_desktop.services.supervision.messages import (
    change_message,
    message_label,
    refuse_on_a_laptop,
)
from zhiqian_desktop.store.models import OutboxMessage, SupervisionCase
from zhiqian_desktop.store.outputs import check_output_file, write_output
from zhiqian_desktop.store.types import utcnow

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
MAX_RESULT_BYTES = 5 * 1024 * 1024
MAX_RESULT_ROWS = 20_000
LOG_KINDS = {
    MessageKind.PROGRESS: ContactKind.APPLICANT_NOTICE,
    MessageKind.REMINDER: ContactKind.REMINDER,
}


@dataclass(frozen=True)
class ExportDone:
    batch: str
    count: int
    path: Path


def _fmt(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise UserError(f"导出格式“{fmt}”不支持；请选择 csv 或 xlsx")
    return fmt


@writes
def export_messages(
    session: Session,
    actor: Actor,
    path: Path | str,
    *,
    fmt: str,
    today: date,
    force: bool = False,
    now: datetime | None = None,
) -> ExportDone:
    """Write every approved message the user may send (a handler: his cases') to one file for
    the SMS platform, numbered in a new batch, and mark them exported."""
    actor.require_write()
    refuse_on_a_laptop(session)
    fmt = _fmt(fmt)
    target = check_output_file(path, force=force)
    rows = session.execute(
        select(OutboxMessage, SupervisionCase)
        .join(SupervisionCase, SupervisionCase.id == OutboxMessage.case_id)
        .where(
            OutboxMessage.status == MessageStatus.APPROVED.value,
            OutboxMessage.deleted_at.is_(None),
            SupervisionCase.deleted_at.is_(None),
        )
        .order_by(SupervisionCase.case_no, OutboxMessage.created_at)
    ).all()
    mine = [(m, case) for m, case in rows if actor.may_edit_case(case.handler_id)]
    if not mine:
        raise UserError("没有已审核、待导出的短信；请先在发件箱中审核要发送的短信")
    prefix = batch_code(today, 0)[:-2]
    earlier = session.scalar(
        select(func.count(func.distinct(OutboxMessage.batch))).where(
            OutboxMessage.batch.startswith(prefix)
        )
    )
    batch = batch_code(today, (earlier or 0) + 1)
    moment = now or utcnow()
    lines: list[list[str]] = []
    for n, (m, case) in enumerate(mine, start=1):
        status = next_status(Step.EXPORT, m.status, message_label(m, case))
        ref = message_ref(batch, n)
        change_message(
            session, actor, m, case, status=status, batch=batch, ref=ref, exported_at=moment
        )
        lines.append([m.phone, m.name, m.text, ref])
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_HEADERS)
        writer.writerows([[csv_safe(cell) for cell in line] for line in lines])
        written = write_output(target, out.getvalue().encode("utf-8-sig"), force=force)
    else:
        wb = Workbook(write_only=True)
        widths = (16, 14, 80, 18)
        write_sheet(wb, "短信", list(zip(EXPORT_HEADERS, widths, strict=True)), lines)
        save_workbook(wb, target, force=force)
        written = target
    _remove_unless_committed(session, written)
    return ExportDone(batch, len(lines), written)


_WRITTEN = "zhiqian.outbox_files"


def _remove_unless_committed(session: Session, path: Path) -> None:
    """The file holds a batch only this transaction records: if the transaction does not commit,
    the file goes too (its messages stay 已审核 and would go out again with the next export)."""
    session.info.setdefault(_WRITTEN, []).append(path)
    for name, listener in (("after_commit", _committed), ("after_soft_rollback", _rolled_back)):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)


def _committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        return  # a savepoint: the export's own transaction may still commit
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


# --- the platform's result file ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsRead:
    batch: str
    sent: int
    failed: int


def _refuse(path: Path, reason: str) -> UserError:
    return UserError(f"无法读取结果文件“{path.name}”：{reason}；未登记任何结果")


def _read_table(path: Path) -> list[list[str]]:
    """The file's rows as text (CSV in UTF-8, with or without BOM, or GBK as Excel saves it on
    Chinese Windows; or the first sheet of an xlsx)."""
    try:
        if path.exists() and not path.is_file():
            raise _refuse(
                path, "这不是一个文件（是文件夹、设备或管道）；请选择短信平台导出的结果文件"
            )
        size = path.stat().st_size
    except FileNotFoundError:
        raise UserError(f"找不到结果文件“{path}”；请检查文件名和位置") from None
    except OSError as exc:
        raise _refuse(path, f"无法读取文件（{exc.strerror}）") from exc
    if size > MAX_RESULT_BYTES:
        raise _refuse(path, f"文件超过{MAX_RESULT_BYTES // 1024 // 1024}MB，不像短信平台的结果文件")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte sequence
            raise _refuse(path, "文件编码无法识别")
        table = [row for row in csv.reader(io.StringIO(text, newline=""))]
    elif suffix == ".xlsx":
        with path.open("rb") as fh:
            if size and fh.read(4) != ZIP_MAGIC:
                raise _refuse(path, "这不是 Excel 工作簿（.xlsx）；请选择短信平台导出的结果文件")
        if check_container(path, _refuse) != XLSX:
            raise _refuse(path, "这是 Excel 97-2003 文件；请在 Excel 中另存为 .xlsx 或 .csv")
        require_defusedxml()
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
            try:
                sheet = wb.worksheets[0]
                table = [
                    [_cell_text(v) for v in row]
                    for row in islice(sheet.iter_rows(values_only=True), MAX_RESULT_ROWS + 2)
                ]
            finally:
                wb.close()
        except UserError:
            raise
        except Exception as exc:  # a workbook the parser chokes on is damaged, whatever failed
            raise _refuse(path, f"工作簿已损坏或格式不正确（{type(exc).__name__}）") from exc
    else:
        raise _refuse(path, "只能读取 .csv 或 .xlsx 文件")
    table = [row for row in table if any(cell.strip() for cell in row)]
    if len(table) > MAX_RESULT_ROWS + 1:
        raise _refuse(path, f"结果超过{MAX_RESULT_ROWS:,}行")
    if not table:
        raise _refuse(path, "文件是空的")
    return table


def _cell_text(value: object) -> str:
    """A cell as text: a phone number Excel keeps as a number (13800001111.0) loses its .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_result_rows(path: Path) -> list[ResultRow]:
    table = _read_table(path)
    columns = result_columns(table[0], path.name)

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    return [
        ResultRow(n, cell(row, "ref"), cell(row, "phone"), cell(row, "status"), cell(row, "reason"))
        for n, row in enumerate(table[1:], start=2)
    ]


@writes
def read_results(
    session: Session, actor: Actor, path: Path | str, *, now: datetime | None = None
) -> ResultsRead:
    """Mark each message the platform's result file names sent or failed and log it on its
    case; the file is refused as a whole (naming the row) when a row does not match."""
    actor.require_write()
    refuse_on_a_laptop(session)
    path = Path(path)
    rows = read_result_rows(path)
    refs = [row.ref.strip() for row in rows]
    found = {
        m.ref: m
        for m in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.ref.in_(refs), OutboxMessage.deleted_at.is_(None)
            )
        )
        if m.ref
    }
    awaiting = {ref: Awaiting(ref, m.phone, m.batch or "", m.status) for ref, m in found.items()}
    outcomes = match_results(rows, awaiting, path.name)
    moment = now or utcnow()
    sent = 0
    for row, outcome in zip(rows, outcomes, strict=True):
        m = found[outcome.ref]
        case = get_case(session, m.case_id)
        if not actor.may_edit_case(case.handler_id):
            raise UserError(
                f"结果文件“{path.name}”第{row.line}行的短信属于案件{case.case_no}，不是您承办的案件；"
                "请由承办人或团队负责人读回；未登记任何结果"
            )
        step = Step.SENT if outcome.sent else Step.FAILED
        status = next_status(step, m.status, message_label(m, case))
        how = (
            "短信已发送"
            if outcome.sent
            else f"短信发送失败（{outcome.reason or '平台未说明原因'}）"
        )
        log = log_message_sent(
            session,
            actor,
            case,
            kind=LOG_KINDS[m.kind],
            party_id=m.party_id,
            phone=m.phone,
            summary=f"{how}，编号{m.ref}：{m.text}",
            sent=outcome.sent,
            at=moment,
        )
        change_message(
            session,
            actor,
            m,
            case,
            status=status,
            result_note=outcome.reason or None,
            result_at=moment,
            contact_log_id=log.id,
        )
        sent += outcome.sent
    return ResultsRead(found[outcomes[0].ref].batch or "", sent, len(outcomes) - sent)
