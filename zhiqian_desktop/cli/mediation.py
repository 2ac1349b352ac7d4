"""委托调解 on the command line: `zhiqian mediators` (the list), `zhiqian mediate` (entrust a
case), `zhiqian mediation-result` (how it ended) and `zhiqian mediation-stats` (by mediator)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import (
    Command,
    choices_text,
    dump,
    enum_option,
    iso,
    option_day,
    print_table,
    with_database,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind
from zhiqian_desktop.domain.mediation import DEFAULT_PERIOD_DAYS
from zhiqian_desktop.domain.stats import Period

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.services.supervision.mediation import MediationRow
    from zhiqian_desktop.store.database import Database


# --- zhiqian mediators -------------------------------------------------------------------------------


def add_mediators_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--add", metavar="名称", help="把一名调解员或一个调解组织加入名单")
    parser.add_argument("--kind", help=f"与 --add 同用：{choices_text(MediatorKind)}")
    parser.add_argument("--organisation", help="与 --add 同用：所属组织，如律师事务所")
    parser.add_argument("--phone", help="与 --add 同用：电话")
    parser.add_argument("--address", help="与 --add 同用：地址")
    parser.add_argument("--disable", metavar="名称", help="停用（不再接受新的委托）")
    parser.add_argument("--enable", metavar="名称", help="重新启用")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _writes_mediators(args: argparse.Namespace) -> bool:
    return bool(args.add or args.disable or args.enable)


def cmd_mediators(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision import mediation

    if args.add is not None:
        if not args.kind:
            raise UserError(f"--add 须同时用 --kind 写明类别：{choices_text(MediatorKind)}")
        kind = cast(MediatorKind, enum_option(MediatorKind, args.kind, "--kind"))
        mediation.add_mediator(
            db,
            actor,
            args.add,
            kind,
            organisation=args.organisation,
            phone=args.phone,
            address=args.address,
        )
    for name, active in ((args.disable, False), (args.enable, True)):
        if name is not None:
            found = mediation.find_mediator(db, name)
            mediation.set_mediator_active(db, actor, found.id, active)
    rows = mediation.mediators(db)
    if args.json:
        dump(
            [
                {
                    "name": m.name,
                    "kind": m.kind.value,
                    "kind_label": m.kind.label,
                    "organisation": m.organisation or None,
                    "phone": m.phone or None,
                    "address": m.address or None,
                    "active": m.active,
                }
                for m in rows
            ]
        )
        return 0
    if not rows:
        print("调解员名单为空；用 zhiqian mediators --add 名称 --kind 类别 添加")
        return 0
    print_table(
        ["名称", "类别", "所属组织", "电话", "状态"],
        [
            [m.name, m.kind.label, m.organisation, m.phone, "在用" if m.active else "停用"]
            for m in rows
        ],
    )
    return 0


# --- zhiqian mediate / mediation-result --------------------------------------------------------------


def _row_json(case_no: str, row: MediationRow) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "mediator": row.mediator,
        "mediator_kind": row.mediator_kind.value,
        "entrusted_on": row.entrusted_on.isoformat(),
        "period_days": row.period_days,
        "ends_on": row.ends_on.isoformat(),
        "matters": row.matters or None,
        "result": row.result.value if row.result else None,
        "result_label": row.state,
        "result_on": iso(row.result_on),
        "result_note": row.result_note or None,
    }


def add_mediate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_no", metavar="CASE_NO", help="本院案号，如（2026）内0221执前督12号")
    parser.add_argument("--mediator", required=True, help="名单中的调解员或调解组织名称")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="委托日期（默认今天）")
    parser.add_argument(
        "--days",
        type=int,
        default=DEFAULT_PERIOD_DAYS,
        help=f"调解期限天数（默认{DEFAULT_PERIOD_DAYS}日）",
    )
    parser.add_argument("--matters", help="委托调解的事项")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_mediate(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.intake.docket import find_case
    from zhiqian_desktop.services.supervision import mediation

    today = CLOCK.today()
    on = option_day(args.date, "--date") or today
    with db.reader() as session:
        case = find_case(session, args.case_no)
        case_id, case_no = case.id, case.case_no
    mediator = mediation.find_mediator(db, args.mediator)
    row = mediation.entrust_case(
        db,
        actor,
        case_id,
        mediator_id=mediator.id,
        entrusted_on=on,
        period_days=args.days,
        matters=args.matters,
        today=today,
    )
    if args.json:
        dump(_row_json(case_no, row))
        return 0
    print(
        f"{case_no} 已委托{row.mediator}调解：{row.entrusted_on.isoformat()} 起 {row.period_days} 日，"
        f"{row.ends_on.isoformat()} 届满（已列入待办）"
    )
    return 0


def add_result_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_no", metavar="CASE_NO", help="本院案号")
    parser.add_argument(
        "--result", required=True, help=f"调解结果：{choices_text(MediationResult)}"
    )
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="结果日期（默认今天）")
    parser.add_argument("--note", help="说明，如调解不成的原因")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_result(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.intake.docket import find_case
    from zhiqian_desktop.services.supervision import mediation

    today = CLOCK.today()
    on = option_day(args.date, "--date") or today
    result = cast(MediationResult, enum_option(MediationResult, args.result, "--result"))
    with db.reader() as session:
        case = find_case(session, args.case_no)
        case_id, case_no = case.id, case.case_no
    pending = mediation.pending_mediation(db, case_id)
    if pending is None:
        raise UserError(f"案件{case_no}没有未结束的委托调解；可用 zhiqian mediate 委托")
    row = mediation.record_mediation_result(
        db, actor, pending.id, result=result, result_on=on, note=args.note, today=today
    )
    if args.json:
        dump(_row_json(case_no, row))
        return 0
    then = {
        MediationResult.SETTLED: "请登记和解协议（和解履行中）",
        MediationResult.FAILED: "案件继续督促",
        MediationResult.WITHDRAWN: "案件继续督促",
    }[result]
    print(f"{case_no} 委托{row.mediator}调解：{row.state}（{on.isoformat()}）；{then}")
    return 0


# --- zhiqian mediation-stats -------------------------------------------------------------------------


def add_stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="from_date", metavar="YYYY-MM-DD", help="委托日期从（默认本年1月1日）"
    )
    parser.add_argument("--to", dest="to_date", metavar="YYYY-MM-DD", help="委托日期到（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_stats(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision.mediation import mediation_stats

    today = CLOCK.today()
    start = option_day(args.from_date, "--from") or date(today.year, 1, 1)
    end = option_day(args.to_date, "--to") or today
    stats = mediation_stats(db, Period(start, end))
    rows = [*stats.by_mediator, stats.total]
    if args.json:
        dump(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "mediators": [
                    {
                        "mediator": t.mediator,
                        "entrusted": t.entrusted,
                        "settled": t.settled,
                        "failed": t.failed,
                        "withdrawn": t.withdrawn,
                        "pending": t.pending,
                        "success_rate": None if t.rate is None else str(t.rate),
                    }
                    for t in rows
                ],
            }
        )
        return 0
    print(
        f"委托调解 {start.isoformat()} 至 {end.isoformat()}（按委托日期；成功率＝成功÷（成功＋不成））"
    )
    print_table(
        ["调解员", "委托", "成功", "不成", "撤回", "调解中", "成功率"],
        [list(t.cells()) for t in rows],
        right=frozenset({1, 2, 3, 4, 5, 6}),
    )
    return 0


COMMANDS = (
    Command(
        "mediators",
        "调解员名单：列出、添加（--add）、停用或启用（团队负责人）",
        add_mediators_arguments,
        with_database(cmd_mediators, write=_writes_mediators),
    ),
    Command(
        "mediate",
        "委托调解：把一件督促中的案件委托名单中的调解员调解（调解期满列入待办）",
        add_mediate_arguments,
        with_database(cmd_mediate),
    ),
    Command(
        "mediation-result",
        "登记委托调解的结果：调解成功、调解不成或撤回委托",
        add_result_arguments,
        with_database(cmd_result),
    ),
    Command(
        "mediation-stats",
        "委托调解统计：按调解员的委托数、成功数和成功率",
        add_stats_arguments,
        with_database(cmd_stats, write=False),
    ),
)
