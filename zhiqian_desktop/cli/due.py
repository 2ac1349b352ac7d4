"""`zhiqian due` and `zhiqian deadline`: the due-list (今日待办) and the end of a period on the
command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from zhiqian_desktop.cli import common
from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, dump, iso, option_day, parse_date, with_database
from zhiqian_desktop.domain.dues import DueItem

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database


def add_due_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="计算哪一天的待办（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def item_json(item: DueItem) -> dict[str, Any]:
    return {
        "case_no": item.case_no,
        "kind": item.kind.value,
        "kind_label": item.kind.label,
        "due_date": item.due_date.isoformat(),
        "days_overdue": item.days_overdue,
        "priority": item.priority,
        "detail": item.detail,
        "action": item.action.label,
        "obligor": item.obligor_names,
        "handler": item.handler_name,
        "livelihood": item.livelihood,
        "calendar_complete": item.calendar_complete,
        "rolled_from": item.rolled_from.isoformat() if item.rolled_from else None,
    }


def cmd_due(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Print the due-list for the date (all handlers). A bad --date raises UserError (exit 1)."""
    from zhiqian_desktop.services.supervision.dues import due_list

    on = option_day(getattr(args, "date", None), "--date") or CLOCK.today()
    items = due_list(db, on)
    if getattr(args, "json", False):
        json.dump([item_json(i) for i in items], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not items:
        print(f"{on.isoformat()} 没有到期或逾期的事项")
        _overdue_suggestions(db, on)
        return 0
    print(f"{on.isoformat()} 待办 {len(items)} 项（已逾期、今日、近3日、提前预警；涉民生优先）")
    group = None
    for item in items:
        if item.group is not group:
            group = item.group
            print(f"\n【{group.label}】")
        overdue = f"逾期{item.days_overdue}日" if item.days_overdue else ""
        mark = "★民生 " if item.livelihood else ""
        flag = "" if item.calendar_complete else " ⚠节假日数据缺失"
        print(
            f"  {mark}{item.case_no}  {item.obligor_names}  {item.kind.label}  "
            f"{item.due_date.isoformat()} {overdue}  → {item.action.label}{flag}"
        )
        print(f"      {item.detail}")
    _overdue_suggestions(db, on)
    return 0


def _overdue_suggestions(db: Database, on: date) -> None:
    """Judicial suggestions whose reply period ran out: they belong to no case, so they follow
    the list (zhiqian suggestion list --overdue --json lists them for a script)."""
    from zhiqian_desktop.services.supervision.suggestions import overdue_suggestions

    overdue = overdue_suggestions(db, on)
    if overdue:
        print("\n【司法建议逾期未回复】")
    for r in overdue:
        print(
            f"  {r.doc_no}  致{r.recipient}  {r.reply_due}届满  → 跟踪回复（zhiqian suggestion reply）"
        )


def add_deadline_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("start", metavar="START", help="起算日，如 2025-09-16")
    parser.add_argument("--days", type=int, required=True, metavar="N", help="期间天数")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_deadline(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.core.calendar import deadline

    start = parse_date(args.start, "起算日")
    with common.opened(args, check=False) as db:
        result = deadline(db, start, args.days)
    if args.json:
        dump(
            {
                "start": start.isoformat(),
                "days": args.days,
                "end": result.end.isoformat(),
                "rolled_from": iso(result.rolled_from),
                "calendar_complete": result.calendar_complete,
            }
        )
        return 0
    weekdays = "一二三四五六日"
    print(f"起算日  {start.isoformat()}（当日不计入）")
    print(f"期间    {args.days} 日")
    print(f"届满日  {result.end.isoformat()}（星期{weekdays[result.end.weekday()]}）")
    if result.rolled_from:
        print(
            f"        原届满日 {result.rolled_from.isoformat()} 为法定休息日，顺延至其后第一个工作日"
        )
    if not result.calendar_complete:
        print(
            "注意：期间涉及的年份尚未录入国务院放假安排，届满日按法定节日和周末推算（调休、补假以通知为准），"
            "请人工核对（管理员可在“设置”中录入当年节假日）"
        )
    return 0


COMMANDS = (
    Command(
        "deadline",
        "计算期间届满日（民诉法第85条：起算日不计入，节假日顺延）",
        add_deadline_arguments,
        cmd_deadline,
    ),
    Command(
        "due",
        "今日待办：到期和逾期事项（默认今天）",
        add_due_arguments,
        with_database(cmd_due, write=False),
    ),
)
