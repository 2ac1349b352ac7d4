"""`zhiqian assign`: 分案 on the command line — the open cases without a handler assigned by the
court's rule (设置 → 分案), or one case given to a handler."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from zhiqian_desktop.cli.common import Command, dump, print_table, with_database
from zhiqian_desktop.domain.errors import UserError

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.services.intake.assignment import AssignmentOverview, ProposalRow
    from zhiqian_desktop.store.database import Database


def add_assign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="只列出分案建议和各承办人在办案件数，不写入"
    )
    parser.add_argument("--case", metavar="案号", help="只分配（或改派）这一件案件")
    parser.add_argument(
        "--to", metavar="用户名", help="与 --case 同用：承办人的用户名或姓名（写“无”收回）"
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _row_json(row: ProposalRow) -> dict[str, Any]:
    return {
        "case_no": row.case_no,
        "handler": row.handler_name or None,
        "tribunal": row.tribunal_name or None,
        "livelihood": row.livelihood,
        "obligor": row.obligor_names,
        "cause": row.cause,
        "reason": row.reason,
    }


def _print(
    view: AssignmentOverview, rows: list[ProposalRow], added: dict[str, int], *, done: bool
) -> None:
    print(f"分案规则：{view.rule.label}（涉民生案件优先）")
    if not rows:
        print("没有待分配的案件：每件在办案件都有承办人")
    else:
        print_table(
            ["案号", "承办人", "被申请人", "案由", "说明"],
            [
                [
                    ("★" if r.livelihood else "") + r.case_no,
                    r.handler_name or "—",
                    r.obligor_names,
                    r.cause,
                    r.reason or "",
                ]
                for r in rows
            ],
        )
        given = sum(1 for r in rows if r.handler_id)
        left = len(rows) - given
        verb = "已分配" if done else "建议分配"
        print(f"\n{verb} {given} 件" + (f"，{left} 件未能分配（见说明）" if left else ""))
    print(
        "\n各承办人在办案件数"
        + ("（分案后，括号内为本次分配）" if done else "（括号内为建议新增）")
    )
    for w in view.workloads:
        area = f"［{w.tribunal_name}］" if w.tribunal_name else ""
        more = added.get(w.handler_id, 0)
        print(f"  {w.name}{area}  {w.open_cases} 件" + (f"（+{more}）" if more else ""))


def _handler_id(db: Database, view: AssignmentOverview, name: str) -> str | None:
    """The handler a clerk names by display name or user name; 无 takes the case back."""
    from zhiqian_desktop.services.core.staff import staff

    name = name.strip()
    if name in ("无", "none"):
        return None
    allowed = {c.id for c in view.handlers}
    for member in staff(db):
        if member.id in allowed and name in (member.display_name, member.username):
            return member.id
    raise UserError(f"没有名为“{name}”的在岗承办人；请写承办人的姓名或用户名（zhiqian users 可查）")


def cmd_assign(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.intake import assignment
    from zhiqian_desktop.services.intake.docket import find_case

    if (args.case is None) != (args.to is None):
        raise UserError("--case 和 --to 须一起使用：zhiqian assign --case 案号 --to 承办人")
    view = assignment.assignment_overview(db)
    if args.case is not None:
        if args.dry_run:
            raise UserError("--dry-run 不能与 --case 同用：单件分案请直接执行")
        handler_id = _handler_id(db, view, args.to)
        with db.reader() as session:
            case_id = find_case(session, args.case).id
        case = assignment.assign_case(db, actor, case_id, handler_id)
        name = next((c.name for c in view.handlers if c.id == handler_id), None)
        if args.json:
            dump({"case_no": case.case_no, "handler": name})
        else:
            print(f"{case.case_no} 承办人：{name or '无'}")
        return 0
    rows = view.proposals
    if not args.dry_run:
        result = assignment.assign_proposed(db, actor)
        rows = [*result.assigned, *result.left]
        view = assignment.assignment_overview(db)
    added: dict[str, int] = {}
    for r in rows:
        if r.handler_id:
            added[r.handler_id] = added.get(r.handler_id, 0) + 1
    if args.json:
        dump(
            {
                "rule": view.rule.value,
                "rule_label": view.rule.label,
                "assigned": not args.dry_run,
                "cases": [_row_json(r) for r in rows],
                "workloads": [
                    {
                        "handler": w.name,
                        "tribunal": w.tribunal_name or None,
                        "open_cases": w.open_cases,
                        "livelihood_cases": w.livelihood_cases,
                        "added": added.get(w.handler_id, 0),
                    }
                    for w in view.workloads
                ],
            }
        )
        return 0
    _print(view, rows, added, done=not args.dry_run)
    return 0


COMMANDS = (
    Command(
        "assign",
        "分案：按设置的分案规则为无承办人的在办案件分配承办人（--dry-run 只看建议）",
        add_assign_arguments,
        with_database(cmd_assign, write=lambda args: not args.dry_run),
    ),
)
