"""`zhiqian stats [--from D] [--to D] [--by month|handler|department|tribunal|…] [--json]`."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, with_database
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.stats import FIGURES, GroupBy, Period

if TYPE_CHECKING:
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database

BY_CHOICES = [g.value for g in GroupBy]


def add_stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="from_date", metavar="YYYY-MM-DD", help="统计期间开始（默认本年1月1日）"
    )
    parser.add_argument(
        "--to", dest="to_date", metavar="YYYY-MM-DD", help="统计期间结束（默认今天）"
    )
    parser.add_argument(
        "--by",
        choices=BY_CHOICES,
        help="分组：month 月份、handler 承办人、department 审判庭、tribunal 法庭…",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def _day(text: str | None, option: str, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{option} “{text}”不是有效日期；请写成 YYYY-MM-DD，如 2026-11-25"
        ) from None


def cmd_stats(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Print the figures for the period (JSON keys: see ``Figures.as_json``). Bad dates exit 1."""
    import json
    import sys

    from zhiqian_desktop.services.reporting.stats import compute_stats

    today = CLOCK.today()
    start = _day(getattr(args, "from_date", None), "--from", date(today.year, 1, 1))
    end = _day(getattr(args, "to_date", None), "--to", today)
    period = Period(start, end)
    by = cast(GroupBy, GroupBy.from_label(args.by)) if getattr(args, "by", None) else None
    result = compute_stats(db, period, by)
    if getattr(args, "json", False):
        json.dump(result.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"统计期间 {period.label}（督促期限{result.limit_days}日）")
    _print_figures(result.total, "合计")
    for g in result.groups:
        print()
        _print_figures(g.figures, g.label)
    return 0


def _print_figures(figures: Any, title: str) -> None:
    print(f"【{title}】")
    for f in FIGURES:
        print(f"  {f.label}：{figures.display(f.key)}")


COMMANDS = (
    Command(
        "stats",
        "统计：收案、自动履行、和解、化解率等（可按月份、承办人、审判庭、法庭分组）",
        add_stats_arguments,
        with_database(cmd_stats, write=False),
    ),
)
