"""`zhiqian cases` and `zhiqian show`: the docket and one case on the command line."""

from __future__ import annotations

import argparse
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zhiqian_desktop.cli import common
from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import MAX_LIMIT, Command, clip, dump, iso, money, print_table
from zhiqian_desktop.cli.values import bounded
from zhiqian_desktop.domain.errors import UserError

if TYPE_CHECKING:
    from zhiqian_desktop.store.database import Database
    from zhiqian_desktop.store.models import SupervisionCase


def add_cases_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status", metavar="S", help="状态代码或名称，多个用逗号分隔，如 supervising,督促不成"
    )
    parser.add_argument("--handler", metavar="NAME", help="承办人用户名或姓名")
    parser.add_argument(
        "--search", metavar="TEXT", help="按案号、原审案号、当事人、证件号、电话查找"
    )
    parser.add_argument(
        "--limit",
        type=bounded(0, MAX_LIMIT, "0 表示全部"),
        default=100,
        metavar="N",
        help="最多列出的件数（默认 100，0 为全部）",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _parse_statuses(text: str) -> frozenset[Any]:
    from zhiqian_desktop.domain.workflow import CaseStatus

    found = set()
    for word in re.split(r"[,，、\s]+", text.strip()):
        if not word:
            continue
        match = next((s for s in CaseStatus if word in (s.value, s.label)), None)
        if match is None:
            known = "、".join(f"{s.value}（{s.label}）" for s in CaseStatus)
            raise UserError(f"案件状态“{word}”无法识别；可用：{known}")
        found.add(match)
    return frozenset(found)


def _find_handler(db: Database, name: str) -> str:
    from zhiqian_desktop.services.core.users import list_users

    users = list_users(db)
    match = [u for u in users if name.strip() in (u.username, u.display_name)]
    if not match:
        known = "、".join(f"{u.display_name}（{u.username}）" for u in users) or "无"
        raise UserError(f"没有承办人“{name}”；现有用户：{known}")
    return match[0].id


def cmd_cases(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.intake.docket import DocketQuery, docket_page

    query = DocketQuery(text=args.search or "")
    if args.status:
        query.statuses = _parse_statuses(args.status)
    today = CLOCK.today()
    with common.opened(args, check=False) as db:
        if args.handler:
            query.handler_id = _find_handler(db, args.handler)
        page = docket_page(db, query, today=today, limit=args.limit)
    total, rows = page.total, page.rows
    if args.json:
        dump(
            {
                "total": total,
                "count": len(rows),
                "cases": [
                    {
                        "case_no": r.case_no,
                        "original_case_no": r.original_case_no,
                        "cause": r.cause,
                        "obligors": r.obligor_names,
                        "amount_due": str(r.amount_due),
                        "amount_paid": str(r.amount_paid),
                        "status": r.status.value,
                        "status_label": r.status.label,
                        "handler": r.handler_name or None,
                        "days_in_supervision": r.days_in_supervision,
                        "next_due_date": iso(r.next_due_date),
                        "livelihood": r.livelihood,
                    }
                    for r in rows
                ],
            }
        )
        return 0
    if not rows:
        print("没有符合条件的案件。")
        return 0
    print_table(
        [
            "案号",
            "案由",
            "被申请人",
            "标的额（元）",
            "已履行（元）",
            "状态",
            "承办人",
            "天数",
            "下次到期",
        ],
        [
            [
                r.case_no + ("（民生）" if r.livelihood else ""),
                r.cause,
                clip(r.obligor_names, 16),
                money(r.amount_due),
                money(r.amount_paid),
                r.status.label,
                r.handler_name,
                str(r.days_in_supervision),
                iso(r.next_due_date) or "",
            ]
            for r in rows
        ],
        right=frozenset({3, 4, 7}),
    )
    more = f"，仅列出前 {len(rows)} 件（用 --limit 0 列出全部）" if len(rows) < total else ""
    print(f"\n共 {total} 件{more}。")
    return 0


def _case_json(case: SupervisionCase) -> dict[str, Any]:
    return {
        "case_no": case.case_no,
        "year": case.case_year,
        "seq": case.case_seq,
        "status": case.status.value,
        "status_label": case.status.label,
        "source": case.source.value,
        "source_label": case.source.label,
        "original_case_no": case.original_case_no,
        "original_doc_type": case.original_doc_type,
        "cause": case.cause,
        "effective_date": iso(case.effective_date),
        "performance_deadline": iso(case.performance_deadline),
        "final_installment_date": iso(case.final_installment_date),
        "application_received_on": iso(case.application_received_on),
        "act_performed_on": iso(case.act_performed_on),
        "received_date": iso(case.received_date),
        "department": case.department,
        "trial_judge": case.trial_judge,
        "amount_due": str(case.amount_due),
        "amount_paid": str(case.amount_paid),
        "amount_outstanding": str(max(case.amount_due - case.amount_paid, Decimal("0.00"))),
        "obligation_act": case.obligation_act,
        "livelihood": case.livelihood,
        "livelihood_kind": case.livelihood_kind,
        "handler": case.handler.display_name if case.handler else None,
        "tribunal": case.tribunal.name if case.tribunal else None,
        "next_due_date": iso(case.next_due_date),
        "closed_date": iso(case.closed_date),
        "close_reason": case.close_reason,
        "notes": case.notes,
        "version": case.version,
        "parties": [
            {
                "role": p.role.value,
                "role_label": p.role.label,
                "kind": p.kind.value,
                "kind_label": p.kind.label,
                "name": p.name,
                "id_number": p.id_number,
                "phones": [x for x in (p.phones or "").split("、") if x],
                "address": p.address,
                "legal_representative": p.legal_representative,
                "registered_capital": None
                if p.registered_capital is None
                else str(p.registered_capital),
                "licence_status": p.licence_status.value if p.licence_status else None,
            }
            for p in case.parties
        ],
    }


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_no", metavar="CASE_NO", help="案号，如 （2026）内0221执前督12号")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_show(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.intake.docket import find_case

    with common.opened(args, check=False) as db:
        data = _case_json(find_case(db, args.case_no))
    if args.json:
        dump(data)
        return 0
    due = Decimal(data["amount_due"])
    fields = [
        ("案号", data["case_no"]),
        ("状态", data["status_label"]),
        ("案件来源", data["source_label"]),
        ("原审案号", f"{data['original_case_no']}（{data['original_doc_type']}）"),
        (
            "案由",
            data["cause"]
            + (f"（涉民生：{data['livelihood_kind'] or '是'}）" if data["livelihood"] else ""),
        ),
        ("生效日期", data["effective_date"]),
        ("履行期限", data["performance_deadline"]),
        ("最后一期履行期限", data["final_installment_date"]),
        ("申请执行书收到日期", data["application_received_on"]),
        ("行为义务履行日期", data["act_performed_on"]),
        ("收案日期", data["received_date"]),
        ("审判庭 / 审判员", " / ".join(x for x in (data["department"], data["trial_judge"]) if x)),
        ("承办人", data["handler"]),
        ("法庭", data["tribunal"]),
        ("给付金额", f"{money(due)} 元" if due else ""),
        ("已履行", f"{money(Decimal(data['amount_paid']))} 元" if due else ""),
        ("未履行", f"{money(Decimal(data['amount_outstanding']))} 元" if due else ""),
        ("行为义务", data["obligation_act"]),
        ("下次到期", data["next_due_date"]),
        ("结案日期", data["closed_date"]),
        ("结案情况", data["close_reason"]),
        ("备注", data["notes"]),
    ]
    label_width = max(common.text_width(k) for k, _ in fields)
    for key, value in fields:
        if value:
            print(f"{common.pad(key, label_width, False)}  {value}")
    print()
    print_table(
        ["当事人", "类型", "名称", "证件号码", "电话", "地址"],
        [
            [
                p["role_label"],
                p["kind_label"],
                p["name"],
                p["id_number"] or "",
                "、".join(p["phones"]),
                p["address"] or "",
            ]
            for p in data["parties"]
        ],
    )
    return 0


COMMANDS = (
    Command("cases", "列出案件台账", add_cases_arguments, cmd_cases),
    Command("show", "显示一件案件的详情", add_show_arguments, cmd_show),
)
