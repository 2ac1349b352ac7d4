"""The weekly and monthly report (周报/月报): its data (from ``compute_stats``, the same figures
as the statistics page) and its xlsx and PDF files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import chinese_date
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.stats import FIGURES, GROUP_NOTE, GroupBy, Period, this_month, this_week
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.services.core.workbooks import (
    AMOUNT_FORMAT,
    save_export,
    write_sheet,
)
from zhiqian_desktop.services.reporting.stats import StatsResult, compute_stats
from zhiqian_desktop.services.supervision.preservation import PreservationTally, preservation_tally
from zhiqian_desktop.store.outputs import check_output_file, write_output

REPORT_KINDS = {"week": "周报", "month": "月报"}

GROUP_COLUMNS: tuple[str, ...] = (
    "cases",
    "performed",
    "settled",
    "transferred",
    "withdrawn",
    "pending",
    "resolution_rate",
    "performance_rate",
    "closed",
    "open_at_end",
    "over_limit",
    "amount_received",
)
"""The figures shown per handler / department in the report's tables."""


@dataclass
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    raw: list[list[Any]]
    """The same cells as numbers (for xlsx)."""


@dataclass
class ReportData:
    kind: str
    court_name: str
    period: Period
    made_on: date
    total: StatsResult
    breakdowns: list[StatsResult]
    preservation: PreservationTally

    @property
    def title(self) -> str:
        return f"执前督促工作{REPORT_KINDS[self.kind]}"

    @property
    def period_text(self) -> str:
        s, e = self.period.start, self.period.end
        return f"统计期间：{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"

    @property
    def date_text(self) -> str:
        return chinese_date(self.made_on)

    def summary(self) -> str:
        t = self.total.total
        return (
            f"本期收案{t.cases}件，其中自动履行{t.performed}件、和解{t.settled}件、"
            f"督促不成/移送执行{t.transferred}件、撤回/不宜督促{t.withdrawn}件、在办{t.pending}件；"
            f"化解率{t.display('resolution_rate')}，自动履行率{t.display('performance_rate')}。"
            f"本期结案{t.closed}件，到位金额{t.display('amount_received')}；"
            f"期末未结{t.open_at_end}件，其中超期未结{t.over_limit}件。" + self.preservation_text()
        )

    def preservation_text(self) -> str:
        p = self.preservation
        if not (p.rulings or p.measures or p.released):
            return ""
        return (
            f"执行前保全：本期作出保全裁定{p.rulings}件，裁定保全数额{format_amount(p.amount)}，"
            f"采取保全措施{p.measures}项，解除{p.released}项。"
        )

    def tables(self) -> list[ReportTable]:
        totals = ReportTable(
            "一、总体情况",
            ["统计项", "数值"],
            [[f.label, self.total.total.display(f.key)] for f in FIGURES],
            [[f.label, _raw(self.total.total.value(f.key))] for f in FIGURES],
        )
        p = self.preservation
        out = [
            totals,
            ReportTable(
                "二、执行前保全",
                ["统计项", "数值"],
                [
                    ["保全裁定（件）", str(p.rulings)],
                    ["裁定保全数额", format_amount(p.amount)],
                    ["采取保全措施（项）", str(p.measures)],
                    ["解除保全措施（项）", str(p.released)],
                ],
                [
                    ["保全裁定（件）", p.rulings],
                    ["裁定保全数额", p.amount],
                    ["采取保全措施（项）", p.measures],
                    ["解除保全措施（项）", p.released],
                ],
            ),
        ]
        numerals = "三四五六七"
        for i, result in enumerate(self.breakdowns):
            if result.by is None:
                raise ValueError("a breakdown of the report has no grouping")
            labels = {f.key: f.label for f in FIGURES}
            headers = [result.by.label, *(labels[k] for k in GROUP_COLUMNS)]
            rows = [
                [g.label, *(g.figures.display(k) for k in GROUP_COLUMNS)] for g in result.groups
            ]
            raw = [
                [g.label, *(_raw(g.figures.value(k)) for k in GROUP_COLUMNS)] for g in result.groups
            ]
            rows.append(["合计", *(result.total.display(k) for k in GROUP_COLUMNS)])
            raw.append(["合计", *(_raw(result.total.value(k)) for k in GROUP_COLUMNS)])
            out.append(ReportTable(f"{numerals[i]}、按{result.by.label}", headers, rows, raw))
        return out

    def definitions(self) -> list[tuple[str, str]]:
        return [(f.label, f.definition) for f in FIGURES] + [
            (
                "执行前保全",
                "按日期归入期间：保全裁定按裁定日期（数额为裁定保全的数额），措施按采取日期，"
                "解除按解除日期（民诉法解释第一百六十三条，执前督字案号之一、之二……）。",
            ),
            ("分组说明", GROUP_NOTE),
            ("督促期限", f"超期未结按督促期限{self.total.limit_days}日计算。"),
        ]


def _raw(value: Any) -> Any:
    return value


def report_period(kind: str, today: date) -> Period:
    if kind == "week":
        return this_week(today)
    if kind == "month":
        return this_month(today)
    raise UserError(f"报表类型应为 week（周报）或 month（月报），而不是“{kind}”")


@reads
def build_report(
    session: Session, kind: str, period: Period | None = None, *, today: date
) -> ReportData:
    """The report for ``period`` (default: the current week or month)."""
    if kind not in REPORT_KINDS:
        raise UserError(f"报表类型应为 week（周报）或 month（月报），而不是“{kind}”")
    period = period or report_period(kind, today)
    court = get_settings(session).court_name
    total = compute_stats(session, period)
    groupings = [GroupBy.HANDLER] if kind == "week" else [GroupBy.HANDLER, GroupBy.DEPARTMENT]
    breakdowns = [compute_stats(session, period, by) for by in groupings]
    tally = preservation_tally(session, period)
    return ReportData(kind, court, period, today, total, breakdowns, tally)


def export_report_xlsx(report: ReportData, path: Path, *, force: bool = False) -> None:
    path = check_output_file(path, force=force)
    wb = Workbook(write_only=True)
    for i, table in enumerate(report.tables()):
        formats: list[str | None] = [None] * len(table.headers)
        if i > 0:
            formats[-1] = AMOUNT_FORMAT
        caption = f"{report.court_name}{report.title}（{report.period.label}）" if i == 0 else None
        widths = [(h, 22 if j == 0 else 12) for j, h in enumerate(table.headers)]
        rows = [list(r) for r in table.raw]
        if i == 0:
            # The totals sheet keeps the shown text: rates with %, "—" for no value.
            rows = [list(r) for r in table.rows]
        write_sheet(wb, table.title[2:][:31], widths, rows, formats, caption=caption)
    write_sheet(
        wb,
        "统计口径",
        [("统计项", 16), ("定义", 100)],
        [list(d) for d in report.definitions()],
        caption=f"{report.period_text}　制表日期：{report.date_text}",
    )
    save_export(wb, path, force=force)


def export_report_pdf(report: ReportData, path: Path, *, force: bool = False) -> None:
    from zhiqian_desktop.printing.report import render_report

    path = check_output_file(path, force=force)
    write_output(path, render_report(report), force=force)
