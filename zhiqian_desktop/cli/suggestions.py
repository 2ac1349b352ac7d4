"""司法建议 on the command line: `zhiqian suggestion ACTION`, where ACTION is list, groups, draft,
show, sign, sent, reply, cancel or print (docs/cli.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, dump, iso, option_day, print_table, with_database
from zhiqian_desktop.cli.values import add_force_argument, enum_choices, enum_member
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import RecipientKind, SuggestionGrouping, SuggestionStatus

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.services.supervision.suggestions import SuggestionRow
    from zhiqian_desktop.store.database import Database

ACTIONS = ("list", "groups", "draft", "show", "sign", "sent", "reply", "cancel", "print")
WRITING = frozenset({"draft", "sign", "sent", "reply", "cancel"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=ACTIONS,
        metavar="ACTION",
        help="list 列出；groups 类案分组；draft 拟稿；show 查看；sign 签发（团队负责人，给编号）；"
        "sent 登记发出；reply 登记回复；cancel 作废；print 打印司法建议书",
    )
    parser.add_argument("ref", nargs="?", metavar="REF", help="司法建议编号，或草稿的标识（前8位）")
    parser.add_argument("--status", help=f"list：只列此状态：{enum_choices(SuggestionStatus)}")
    parser.add_argument("--overdue", action="store_true", help="list：只列逾期未回复的")
    parser.add_argument("--by", default="obligor", help="groups：obligor 按被申请人、cause 按案由")
    parser.add_argument("--min", type=int, help="groups：至少多少件（默认按设置）")
    parser.add_argument("--to", dest="recipient", help="draft：被建议单位全称")
    parser.add_argument("--kind", help=f"draft：被建议单位类别：{enum_choices(RecipientKind)}")
    parser.add_argument("--obligor", help="draft：以此被申请人的全部案件为依据")
    parser.add_argument("--cause", help="draft：以此案由的全部案件为依据")
    parser.add_argument("--cases", help="draft：以这些案号为依据（用逗号分隔）")
    parser.add_argument("--problem", help="draft：发现的问题（默认为所涉案件的件数、金额和期间）")
    parser.add_argument("--proposal", help="draft：具体建议")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="sent/reply：发出或回复日期（默认今天）"
    )
    parser.add_argument("--summary", help="reply：回复内容摘要")
    parser.add_argument("-o", "--output", metavar="FILE.pdf", help="print：保存到此文件")
    add_force_argument(parser)
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _json(row: SuggestionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "doc_no": row.doc_no or None,
        "status": row.status.value,
        "status_label": row.status.label,
        "recipient": row.recipient,
        "recipient_kind": row.recipient_kind.value,
        "grouping": row.grouping.value,
        "group_key": row.group_key or None,
        "cases": row.case_count,
        "problem": row.problem,
        "proposal": row.proposal,
        "drafted_on": row.drafted_on.isoformat(),
        "drafted_by": row.drafted_by,
        "approved_on": iso(row.approved_on),
        "approved_by": row.approved_by or None,
        "sent_on": iso(row.sent_on),
        "reply_months": row.reply_months,
        "reply_due": iso(row.reply_due),
        "replied_on": iso(row.replied_on),
        "reply_summary": row.reply_summary or None,
        "overdue": row.overdue(CLOCK.today()),
    }


def _need(value: str | None, option: str, action: str) -> str:
    if not value or not value.strip():
        raise UserError(f"zhiqian suggestion {action} 须写明 {option}")
    return value


def _ref(args: argparse.Namespace) -> str:
    if not args.ref:
        raise UserError(
            f"zhiqian suggestion {args.action} 须写明司法建议编号或草稿标识（zhiqian suggestion list 可查）"
        )
    return str(args.ref)


def _list(db: Database, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision import suggestions as sg

    today = CLOCK.today()
    status = enum_member(SuggestionStatus, args.status, "--status") if args.status else None
    rows = sg.suggestions(db, status=status)
    if args.overdue:
        rows = [r for r in rows if r.overdue(today)]
    if args.json:
        dump([_json(r) for r in rows])
        return 0
    if not rows:
        print("没有司法建议；可用 zhiqian suggestion groups 查看类案分组，再用 draft 拟稿")
        return 0
    print_table(
        ["编号或标识", "被建议单位", "状态", "案件", "发出", "回复期限", "回复"],
        [
            [
                r.doc_no or r.id[:8],
                r.recipient,
                r.status.label + ("（逾期）" if r.overdue(today) else ""),
                str(r.case_count),
                iso(r.sent_on) or "",
                iso(r.reply_due) or "",
                iso(r.replied_on) or "",
            ]
            for r in rows
        ],
        right=frozenset({3}),
    )
    return 0


def _groups(db: Database, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision import suggestions as sg

    by = cast(SuggestionGrouping, enum_member(SuggestionGrouping, args.by, "--by"))
    groups = sg.proposed_groups(db, by, threshold=args.min)
    if args.json:
        dump(
            [
                {
                    "grouping": g.group.grouping.value,
                    "key": g.group.key,
                    "cases": list(g.case_nos),
                    "outstanding": str(g.group.outstanding),
                    "facts": g.facts,
                }
                for g in groups
            ]
        )
        return 0
    if not groups:
        print("没有达到设置件数的类案；可用 --min 指定更少的件数")
        return 0
    print_table(
        [
            "被申请人" if by is SuggestionGrouping.OBLIGOR else "案由",
            "件数",
            "未履行金额",
            "收案期间",
        ],
        [
            [
                g.group.key,
                str(g.group.count),
                f"{g.group.outstanding:,.2f}",
                f"{g.group.first_received.isoformat()} 至 {g.group.last_received.isoformat()}",
            ]
            for g in groups
        ],
        right=frozenset({1, 2}),
    )
    return 0


def _draft(db: Database, actor: Actor, args: argparse.Namespace) -> SuggestionRow:
    from zhiqian_desktop.services.supervision import suggestions as sg

    recipient = _need(args.recipient, "--to 被建议单位", "draft")
    kind = cast(
        RecipientKind, enum_member(RecipientKind, _need(args.kind, "--kind", "draft"), "--kind")
    )
    proposal = _need(args.proposal, "--proposal 具体建议", "draft")
    chosen = [x for x in (args.obligor, args.cause, args.cases) if x]
    if len(chosen) != 1:
        raise UserError("draft 须用 --obligor、--cause 或 --cases 中的一项写明所依据的案件")
    if args.cases:
        group = sg.group_for_case_nos(db, [args.cases])
    else:
        by = SuggestionGrouping.OBLIGOR if args.obligor else SuggestionGrouping.CAUSE
        group = sg.group_named(db, by, args.obligor or args.cause)
    return sg.draft_suggestion(
        db,
        actor,
        recipient=recipient,
        recipient_kind=kind,
        case_ids=group.group.case_ids,
        problem=args.problem or group.facts,
        proposal=proposal,
        grouping=group.group.grouping,
        group_key=group.group.key,
        today=CLOCK.today(),
    )


def cmd_suggestion(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision import suggestion_document
    from zhiqian_desktop.services.supervision import suggestions as sg

    if args.action == "list":
        return _list(db, args)
    if args.action == "groups":
        return _groups(db, args)
    today = CLOCK.today()
    if args.action == "draft":
        row = _draft(db, actor, args)
        done = f"已拟稿：致{row.recipient}，依据案件{row.case_count}件（标识 {row.id[:8]}）；待团队负责人签发"
    else:
        found = sg.find_suggestion(db, _ref(args))
        if args.action == "print":
            target = Path(args.output or f"{found.doc_no or found.id[:8]}.pdf")
            if target.suffix.lower() != ".pdf":
                raise UserError(f"输出文件“{target}”应以 .pdf 结尾")
            path = suggestion_document.save_suggestion_pdf(db, found.id, target, force=args.force)
            if args.json:
                dump({**_json(found), "output": str(path)})
            else:
                print(f"已打印司法建议书 {found.doc_no}，已保存到 {path}")
            return 0
        row, done = _step(db, actor, args, found, today)
    if args.json:
        dump(_json(row))
    elif done:
        print(done)
    else:
        _show(db, row)
    return 0


def _step(
    db: Database, actor: Actor, args: argparse.Namespace, found: SuggestionRow, today: Any
) -> tuple[SuggestionRow, str]:
    from zhiqian_desktop.services.supervision import suggestions as sg

    on = option_day(args.date, "--date") or today
    if args.action == "sign":
        row = sg.approve_suggestion(db, actor, found.id, today=today)
        return row, f"已签发：{row.doc_no}（致{row.recipient}）"
    if args.action == "sent":
        row = sg.record_sent(db, actor, found.id, sent_on=on, today=today)
        return row, (
            f"{row.doc_no} 已于{on.isoformat()}发出；请被建议单位在{row.reply_months}个月内回复，"
            f"{iso(row.reply_due)}届满（逾期未回复列入待办）"
        )
    if args.action == "reply":
        summary = _need(args.summary, "--summary 回复摘要", "reply")
        row = sg.record_reply(db, actor, found.id, replied_on=on, summary=summary, today=today)
        return row, f"{row.doc_no} 已登记回复（{on.isoformat()}）"
    if args.action == "cancel":
        row = sg.cancel_suggestion(db, actor, found.id)
        return row, f"已作废：{row.label}" + ("（编号不再使用）" if row.doc_no else "")
    return found, ""


def _show(db: Database, row: SuggestionRow) -> None:
    from zhiqian_desktop.services.supervision import suggestions as sg

    print(f"{row.label}　致{row.recipient}（{row.recipient_kind.label}）　{row.status.label}")
    print(f"拟稿：{row.drafted_on.isoformat()} {row.drafted_by}")
    if row.approved_on:
        print(f"签发：{row.approved_on.isoformat()} {row.approved_by}")
    if row.sent_on:
        print(f"发出：{row.sent_on.isoformat()}，回复期限至 {iso(row.reply_due)}")
    if row.replied_on:
        print(f"回复：{row.replied_on.isoformat()} {row.reply_summary}")
    print(f"发现的问题：{row.problem}")
    print(f"建议：{row.proposal}")
    cases = sg.suggestion_cases(db, row.id)
    print(f"所涉案件（{len(cases)}件）：" + "、".join(c.case_no for c in cases))


COMMANDS = (
    Command(
        "suggestion",
        "司法建议：类案分组、拟稿、签发、登记发出和回复、打印司法建议书",
        add_arguments,
        with_database(cmd_suggestion, write=lambda args: args.action in WRITING),
    ),
)
