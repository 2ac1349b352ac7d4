"""执行前保全 on the command line: `zhiqian preservation list|apply|rule|measure|release|print|
release-print` (release --print: the release with its ruling and notices).

A case is named by its number, a ruling by its own (……号之一), a measure by its place in the
ruling's list (1, 2 …, as `list` shows it)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import (
    Command,
    dump,
    iso,
    option_day,
    print_table,
    with_database,
)
from zhiqian_desktop.cli.values import add_force_argument, enum_choices, enum_member
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import (
    DocumentKind,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
)
from zhiqian_desktop.domain.money import format_amount, parse_amount

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.services.supervision.preservation import ApplicationRow, MeasureRow
    from zhiqian_desktop.store.database import Database

ACTIONS = ("list", "apply", "rule", "measure", "release", "print", "release-print")


def _amount(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return parse_amount(text)
    except UserError as exc:
        raise UserError(f"{option}：{exc.message}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=ACTIONS,
        help=(
            "list 列出；apply 登记申请；rule 登记裁定；measure 登记措施；release 解除；print 打印；"
            "release-print 打印已登记解除的解除保全裁定书和协助执行通知书"
        ),
    )
    parser.add_argument(
        "number",
        metavar="CASE_NO|RULING_NO",
        help="list、apply、rule：本院案号；其余：保全裁定书案号（……号之一）",
    )
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="申请、裁定、采取措施或解除的日期（默认今天）"
    )
    parser.add_argument("--applicant", help="apply：申请保全的申请人（案件只有一名申请人时可省略）")
    parser.add_argument(
        "--amount",
        help="apply：申请保全的数额；rule：裁定保全的数额（默认同申请）；measure：该项措施的数额",
    )
    parser.add_argument("--clues", help="apply：被保全财产的信息或线索")
    parser.add_argument(
        "--reason",
        help="apply：申请理由（情况紧急的事实）；release：解除理由 " + enum_choices(ReleaseReason),
    )
    parser.add_argument("--judge", help="rule：签署裁定的审判员")
    parser.add_argument("--kind", help=f"measure：财产类型 {enum_choices(PreservationKind)}")
    parser.add_argument(
        "--measure", dest="measure_kind", help=f"measure：措施 {enum_choices(PreservationMeasure)}"
    )
    parser.add_argument("--property", help="measure：被保全的财产（账户、车辆、房产坐落等）")
    parser.add_argument("--holder", help="measure：协助执行单位（开户银行、不动产登记机构等）")
    parser.add_argument(
        "--until", metavar="YYYY-MM-DD", help="measure：保全期限届满日（默认法定最长期限）"
    )
    parser.add_argument(
        "--item",
        type=int,
        metavar="N",
        help=(
            "release、print：裁定的第N项措施（print 时打印其协助执行通知书）；"
            "release-print：与第N项一并解除的各项措施（必填）"
        ),
    )
    parser.add_argument("--note", help="release：解除说明")
    parser.add_argument(
        "--print",
        dest="print_release",
        action="store_true",
        help="release：同时出具解除保全裁定书和各项措施的协助执行通知书（保存到当前文件夹）",
    )
    parser.add_argument("-o", "--output", metavar="FILE.pdf", help="print：另存PDF到此文件")
    add_force_argument(parser)
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _writes(args: argparse.Namespace) -> bool:
    return bool(args.action != "list")


def _measure_json(m: MeasureRow) -> dict[str, Any]:
    return {
        "item": m.seq,
        "kind": m.kind.value,
        "kind_label": m.kind.label,
        "measure": m.measure.value if m.measure else None,
        "measure_label": m.measure.label if m.measure else None,
        "property": m.description,
        "holder": m.holder or None,
        "taken_on": m.taken_on.isoformat(),
        "expires_on": iso(m.expires_on),
        "amount": None if m.amount is None else str(m.amount),
        "released_on": iso(m.released_on),
        "release_reason": m.release_reason.value if m.release_reason else None,
        "release_note": m.release_note or None,
    }


def _row_json(row: ApplicationRow) -> dict[str, Any]:
    return {
        "applicant": row.applicant,
        "applied_on": row.applied_on.isoformat(),
        "amount": str(row.amount),
        "clues": row.clues,
        "reason": row.reason,
        "ruling_no": row.ruling_no,
        "ruled_on": iso(row.ruled_on),
        "ruled_amount": None if row.ruled_amount is None else str(row.ruled_amount),
        "judge": row.judge or None,
        "state": row.state,
        "measures": [_measure_json(m) for m in row.measures],
    }


def _show(rows: list[ApplicationRow]) -> None:
    print_table(
        ["裁定书案号", "申请人", "申请日期", "申请数额", "裁定日期", "裁定数额", "状态"],
        [
            [
                r.ruling_no or "（待裁定）",
                r.applicant,
                r.applied_on.isoformat(),
                format_amount(r.amount),
                iso(r.ruled_on) or "",
                format_amount(r.ruled_amount) if r.ruled_amount is not None else "",
                r.state,
            ]
            for r in rows
        ],
    )
    for r in rows:
        for m in r.measures:
            what = f"{m.measure.label if m.measure else ''}{m.kind.label}（{m.description}）"
            print(
                f"  {r.ruling_no} 第{m.seq}项 {what} 协助：{m.holder or '—'} "
                f"{m.taken_on.isoformat()} 至 {iso(m.expires_on) or '—'} {m.state}"
            )


def _item(row: ApplicationRow, n: int | None) -> MeasureRow | None:
    if n is None:
        return None
    for m in row.measures:
        if m.seq == n:
            return m
    raise UserError(
        f"{row.ruling_no}没有第{n}项措施；共{len(row.measures)}项（zhiqian preservation list 可查）"
    )


def cmd_preservation(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.supervision import preservation

    today = CLOCK.today()
    on = option_day(args.date, "--date") or today
    if args.action in ("list", "apply", "rule"):
        case_id = preservation.case_id_of(db, args.number)
        if args.action == "apply":
            preservation.apply_preservation(
                db,
                actor,
                case_id,
                applicant_id=args.applicant,
                applied_on=on,
                amount=_amount(args.amount, "--amount") or Decimal("0.00"),
                clues=args.clues or "",
                reason=args.reason or "",
                today=today,
            )
        elif args.action == "rule":
            preservation.rule_preservation(
                db,
                actor,
                case_id,
                ruled_on=on,
                amount=_amount(args.amount, "--amount"),
                judge=args.judge or "",
                today=today,
            )
        rows = preservation.case_preservations(db, case_id)
        if args.json:
            dump([_row_json(r) for r in rows])
        elif not rows:
            print("本案没有执行前保全申请；用 zhiqian preservation apply 案号 登记")
        else:
            _show(rows if args.action == "list" else rows[-1:])
        return 0
    row = preservation.find_ruling(db, args.number)
    if args.action == "measure":
        if not args.kind or not args.measure_kind:
            raise UserError(
                f"measure 须用 --kind 写明财产类型（{enum_choices(PreservationKind)}），"
                f"用 --measure 写明措施（{enum_choices(PreservationMeasure)}）"
            )
        row = preservation.add_measure(
            db,
            actor,
            row.id,
            kind=cast(PreservationKind, enum_member(PreservationKind, args.kind, "--kind")),
            measure=cast(
                PreservationMeasure,
                enum_member(PreservationMeasure, args.measure_kind, "--measure"),
            ),
            description=args.property or "",
            holder=args.holder or "",
            taken_on=on,
            expires_on=option_day(args.until, "--until"),
            amount=_amount(args.amount, "--amount"),
            today=today,
        )
    elif args.action == "release-print" or (args.action == "release" and args.print_release):
        return _release_print(db, actor, args, row)
    elif args.action == "release":
        if not args.reason:
            raise UserError(f"release 须用 --reason 写明解除理由：{enum_choices(ReleaseReason)}")
        chosen = _item(row, args.item)
        row = preservation.release_measures(
            db,
            actor,
            row.id,
            measure_ids=(chosen.id,) if chosen else (),
            released_on=on,
            reason=cast(ReleaseReason, enum_member(ReleaseReason, args.reason, "--reason")),
            note=args.note or "",
            today=today,
        )
    else:
        return _print(db, actor, args, row, _item(row, args.item))
    if args.json:
        dump(_row_json(row))
    else:
        _show([row])
    return 0


def _print(
    db: Database,
    actor: Actor,
    args: argparse.Namespace,
    row: ApplicationRow,
    measure: MeasureRow | None,
) -> int:
    from zhiqian_desktop.services.supervision.notices import issue_notice_to_file
    from zhiqian_desktop.services.supervision.preservation import case_no_of

    if args.output and Path(args.output).suffix.lower() != ".pdf":
        raise UserError(f"输出文件“{args.output}”应以 .pdf 结尾")
    kind = DocumentKind.ASSISTANCE_NOTICE if measure else DocumentKind.PRESERVATION_RULING
    issued, output = issue_notice_to_file(
        db,
        actor,
        case_no_of(db, row.case_id),
        kind,
        today=CLOCK.today(),
        output=Path(args.output) if args.output else None,
        force=args.force,
        record_id=measure.id if measure else row.id,
    )
    if args.json:
        dump({"doc_no": issued.doc_no, "kind": kind.value, "output": str(output)})
    else:
        print(f"已出具{kind.label}：{issued.doc_no}，已保存到 {output}")
    return 0


def _release_print(
    db: Database, actor: Actor, args: argparse.Namespace, row: ApplicationRow
) -> int:
    from zhiqian_desktop.services.supervision.release_documents import release_documents_to_folder

    chosen = _item(row, args.item)
    release = None
    if args.action == "release":
        if not args.reason:
            raise UserError(f"release 须用 --reason 写明解除理由：{enum_choices(ReleaseReason)}")
        reason = cast(ReleaseReason, enum_member(ReleaseReason, args.reason, "--reason"))
        release = (option_day(args.date, "--date") or CLOCK.today(), reason, args.note or "")
    elif chosen is None:
        raise UserError(
            "release-print 须用 --item N 指明已解除的措施（zhiqian preservation list 可查）"
        )
    done = release_documents_to_folder(
        db, actor, row.id, measure_id=chosen.id if chosen else None, release=release,
        today=CLOCK.today(), folder=Path.cwd(), force=args.force,
    )  # fmt: skip
    if args.json:
        dump([{"doc_no": d.doc_no, "kind": d.kind.value, "output": str(p)} for d, p in done])
    else:
        for d, p in done:
            print(f"已出具{d.kind.label}：{d.doc_no}，已保存到 {p}")
    return 0


COMMANDS = (
    Command(
        "preservation",
        "执行前保全：登记申请、裁定（……号之一）、保全措施、解除，打印裁定书、解除保全裁定书和协助执行通知书",
        add_arguments,
        with_database(cmd_preservation, write=_writes),
    ),
)
