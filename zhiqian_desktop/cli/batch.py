"""`zhiqian print-batch`: issue one kind of document for many cases into one trip PDF."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, option_day, with_database
from zhiqian_desktop.cli.values import add_force_argument
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind

if TYPE_CHECKING:  # the services (and ReportLab) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database


def _kinds_help() -> str:
    return "、".join(
        f"{k.value}（{k.label}）" for k in DocumentKind if k is not DocumentKind.SERVICE_RECEIPT
    )


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, help=f"文书种类：{_kinds_help()}")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--cases", nargs="+", metavar="CASE_NO", help="案号，可写多个")
    which.add_argument(
        "--due-date", metavar="YYYY-MM-DD", help="取该日待办清单中的案件（每案一份）"
    )
    parser.add_argument(
        "--handler", metavar="NAME", help="与 --due-date 同用：只取该承办人（用户名或姓名）"
    )
    parser.add_argument("--receipts", action="store_true", help="每份文书后附送达回证")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="合并PDF文件")
    add_force_argument(parser)
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="落款日期（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def cmd_batch_print(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Issue the documents (all or none), write the one PDF to -o and say what was issued."""
    from zhiqian_desktop.cli.notices import parse_kind
    from zhiqian_desktop.services.closing import batch_print
    from zhiqian_desktop.services.core.users import list_users
    from zhiqian_desktop.services.intake.docket import find_case

    kind = parse_kind(args.kind)
    today = option_day(getattr(args, "date", None), "--date") or CLOCK.today()
    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise UserError(f"输出文件“{args.output}”应以 .pdf 结尾")
    if args.handler and not args.due_date:
        raise UserError("--handler 只能与 --due-date 一起使用")
    skipped: list[batch_print.SkippedCase] = []
    if args.cases:
        case_ids = [find_case(db, no).id for no in args.cases]
    else:
        on = option_day(args.due_date, "--due-date")
        if on is None:
            raise UserError("--due-date 不能为空；请写成 YYYY-MM-DD，如 2026-11-25")
        handler_id = None
        if args.handler:
            name = args.handler.strip()
            users = [u for u in list_users(db) if name in (u.username, u.display_name)]
            if not users:
                raise UserError(f"没有承办人“{args.handler}”；请核对用户名或姓名")
            handler_id = users[0].id
        due = batch_print.cases_from_due_list(db, on, handler_id=handler_id)
        if not due:
            raise UserError(f"{on.isoformat()}的待办清单中没有案件；未出具文书")
        # The due-list says who needs attention, not who may get this document: leave out
        # (and name) the cases the document cannot be issued for, instead of failing them all.
        chosen, skipped = batch_print.issuable_cases(db, due, kind, today=today)
        if not chosen:
            raise UserError(
                f"{on.isoformat()}待办清单中的{len(due)}件案件都不能出具{kind.label}"
                f"（如：{skipped[0].reason}）；未出具文书"
            )
        case_ids = [c.id for c in chosen]
    if not getattr(args, "json", False):
        for item in skipped:
            print(f"跳过{item.case.case_no}：{item.reason.rstrip('。')}")
    result = batch_print.issue_batch(
        db,
        actor,
        case_ids,
        kind,
        receipts=args.receipts,
        today=today,
        output=output,
        force=getattr(args, "force", False),
    )
    if getattr(args, "json", False):
        print(
            json.dumps(
                {
                    "output": str(result.pdf_path),
                    "kind": kind.value,
                    "documents": [
                        {"document_id": d.id, "doc_no": d.doc_no, "case_no": d.case_no}
                        for d in result.documents
                    ],
                    "receipts": [
                        {"document_id": d.id, "doc_no": d.doc_no} for d in result.receipts
                    ],
                    "skipped": [
                        {"case_no": item.case.case_no, "reason": item.reason} for item in skipped
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        extra = "及送达回证" if result.receipts else ""
        left_out = f"（跳过{len(skipped)}件，见上）" if skipped else ""
        print(
            f"已出具{result.case_count}件{kind.label}{extra}{left_out}，"
            f"合并保存到 {result.pdf_path}"
        )
    return 0


COMMANDS = (
    Command(
        "print-batch",
        "批量出具文书并合并为一个PDF（上门送达，可附送达回证）",
        add_batch_arguments,
        with_database(cmd_batch_print),
    ),
)
