"""短信发件箱 on the command line: `zhiqian messages draft|remind|list|edit|approve|discard|export|
results`. Nothing is sent from here: the exported file goes to the court's SMS platform."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import (
    Command,
    database_options,
    dump,
    print_table,
    with_database,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MessageStatus
from zhiqian_desktop.domain.messages import sms_parts

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.services.supervision.messages import MessageRow
    from zhiqian_desktop.store.database import Database

STATUSES = "、".join(f"{s.value} {s.label}" for s in MessageStatus)


def add_messages_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = database_options()

    def action(name: str, help_: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_, description=help_, parents=[common])
        sub.add_argument("--json", action="store_true", help="输出 JSON")
        return sub

    draft = action("draft", "起草进展回告：按案件现状给申请人的手机起草一条短信")
    draft.add_argument("case_no", metavar="CASE_NO", help="本院案号，如（2026）内0221执前督12号")
    remind = action(
        "remind", "起草履行提醒：分期或承诺履行日在设置的提前天数内的，给被申请人起草短信"
    )
    remind.add_argument("case_no", metavar="CASE_NO", nargs="?", help="只起草这一件案件的")
    listing = action("list", "列出发件箱中的短信")
    listing.add_argument("--status", help=f"只列出这一状态的：{STATUSES}")
    listing.add_argument("--case", metavar="CASE_NO", help="只列出这一件案件的")
    edit = action("edit", "修改短信内容或号码（已审核或发送失败的退回草稿，须重新审核）")
    edit.add_argument("id", metavar="ID", help="短信编号（list 中的“编号”）")
    edit.add_argument("--text", required=True, help="新的短信内容")
    edit.add_argument("--phone", help="新的手机号码")
    approve = action("approve", "审核短信（承办人或团队负责人），审核后才能导出")
    approve.add_argument("ids", metavar="ID", nargs="+", help="短信编号，可写多个")
    discard = action("discard", "作废不再发送的短信（同一笔履行不再起草提醒）")
    discard.add_argument("id", metavar="ID", help="短信编号")
    export = action("export", "把已审核的短信导出为一个文件，交短信平台导入发送")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="保存为的文件")
    export.add_argument(
        "--format", choices=("csv", "xlsx"), help="文件格式（默认按文件名的扩展名，否则 csv）"
    )
    export.add_argument("--force", action="store_true", help="覆盖已有的文件")
    results = action("results", "读回短信平台的发送结果文件，登记每条短信已发送或发送失败")
    results.add_argument("file", metavar="FILE", help="结果文件（.csv 或 .xlsx）")


def _writes(args: argparse.Namespace) -> bool:
    return bool(args.action != "list")


def _json(row: MessageRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "ref": row.ref or None,
        "case_no": row.case_no,
        "kind": row.kind.value,
        "kind_label": row.kind.label,
        "name": row.name,
        "phone": row.phone,
        "text": row.text,
        "parts": sms_parts(row.text),
        "for_date": row.for_date.isoformat(),
        "status": row.status.value,
        "status_label": row.status.label,
        "approved_by": row.approved_by or None,
        "batch": row.batch or None,
        "result_note": row.result_note or None,
    }


def _show(rows: list[MessageRow], args: argparse.Namespace, empty: str) -> None:
    if args.json:
        dump([_json(r) for r in rows])
        return
    if not rows:
        print(empty)
        return
    print_table(
        ["编号", "案号", "类别", "收信人", "手机号码", "日期", "状态", "内容"],
        [
            [
                r.ref or r.id[:8],
                r.case_no,
                r.kind.label,
                r.name,
                r.phone,
                r.for_date.isoformat(),
                r.status.label + (f"（{r.result_note}）" if r.result_note else ""),
                r.text.replace("\n", " ")[:40],
            ]
            for r in rows
        ],
    )


def _case_id(db: Database, case_no: str) -> str:
    from zhiqian_desktop.services.intake.docket import find_case

    with db.reader() as session:
        return find_case(session, case_no).id


def _status(text: str) -> MessageStatus:
    try:
        return cast(MessageStatus, MessageStatus.from_label(text.strip()))
    except ValueError:
        raise UserError(f"--status “{text}”不正确；可选：{STATUSES}") from None


def cmd_messages(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision import message_files, messages

    today = CLOCK.today()
    if args.action == "draft":
        rows = messages.draft_progress(db, actor, _case_id(db, args.case_no), today=today)
        _show(rows, args, "")
    elif args.action == "remind":
        case_id = _case_id(db, args.case_no) if args.case_no else None
        run = messages.draft_reminders(db, actor, today=today, case_id=case_id)
        if args.json:
            dump({"drafted": [_json(r) for r in run.drafted], "skipped": run.skipped})
        else:
            _show(run.drafted, args, "没有需要起草的履行提醒（或都已起草过）")
            for line in run.skipped:
                print(f"未起草：{line}")
    elif args.action == "list":
        status = _status(args.status) if args.status else None
        case_id = _case_id(db, args.case) if args.case else None
        _show(messages.outbox(db, status=status, case_id=case_id), args, "发件箱中没有短信")
    elif args.action in ("edit", "discard"):
        found = messages.find_message(db, args.id)
        if args.action == "edit":
            row = messages.edit_message(
                db,
                actor,
                found.id,
                text=args.text,
                phone=args.phone,
                expected_version=found.version,
            )
        else:
            row = messages.discard_message(db, actor, found.id, expected_version=found.version)
        _show([row], args, "")
    elif args.action == "approve":
        ids = [messages.find_message(db, key).id for key in args.ids]
        messages.approve_messages(db, actor, ids)
        _show([messages.find_message(db, i) for i in ids], args, "")
    elif args.action == "export":
        path = Path(args.output)
        fmt = args.format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        done = message_files.export_messages(
            db, actor, path, fmt=fmt, today=today, force=args.force
        )
        if args.json:
            dump({"batch": done.batch, "count": done.count, "path": str(done.path)})
        else:
            print(
                f"已导出{done.count}条短信（批次{done.batch}）到 {done.path}；"
                "文件含手机号码，请只交短信平台使用，用后删除"
            )
    else:
        read = message_files.read_results(db, actor, Path(args.file))
        if args.json:
            dump({"batch": read.batch, "sent": read.sent, "failed": read.failed})
        else:
            print(
                f"批次{read.batch}：已发送{read.sent}条，发送失败{read.failed}条；已记入各案督促记录"
            )
    return 0


COMMANDS = (
    Command(
        "messages",
        "短信发件箱：起草进展回告和履行提醒、审核、导出给短信平台、读回发送结果",
        add_messages_arguments,
        with_database(cmd_messages, write=_writes),
    ),
)
