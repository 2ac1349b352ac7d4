"""The weekly and monthly report (周报/月报): its data (from ``compute_stats``, the same figures
as the statistics page) and its xlsx and PDF files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

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
from zhiqian_desktop.services.supervision.mediation import MediationStats, mediation_stats
from zhiqian_desktop.services.supervision.preservation import PreservationTally, preservation_tally
from zhiqian_desktop.services.supervision.suggestions import (
    SuggestionRow,
    SuggestionTally,
    suggestion_tally,
)
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
    """The period's pre-enforcement preservation (both reports)."""
    mediation: MediationStats | None = None
    """The month's entrusted mediations by mediator (the monthly report only)."""
    suggestions: SuggestionTally | None = None
    """The month's judicial suggestions (the monthly report only)."""

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
            f"期末未结{t.open_at_end}件，其中超期未结{t.over_limit}件。"
            + self.preservation_text()
            + self._mediation_summary()
            + self._suggestion_summary()
        )

    def _mediation_summary(self) -> str:
        if self.mediation is None:
            return ""
        m = self.mediation.total
        return (
            f"本期委托调解{m.entrusted}件，调解成功{m.settled}件、调解不成{m.failed}件、"
            f"撤回委托{m.withdrawn}件、调解中{m.pending}件，成功率{m.rate_text}。"
        )

    def _suggestion_summary(self) -> str:
        if self.suggestions is None:
            return ""
        t = self.suggestions
        overdue = f"，其中逾期未回复{t.overdue}件" if t.overdue else ""
        return (
            f"本期发出司法建议{len(t.sent)}件，收到回复{len(t.replied)}件；"
            f"期末待回复{len(t.awaiting)}件{overdue}。"
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
        numerals = "一二三四五六七八九十"  # each table is numbered by its place
        for result in self.breakdowns:
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
            out.append(
                ReportTable(f"{numerals[len(out)]}、按{result.by.label}", headers, rows, raw)
            )
        if self.mediation is not None:
            out.append(self._mediation_table(numerals[len(out)]))
        if self.suggestions is not None:
            out.append(self._suggestion_table(numerals[len(out)]))
        return out

    def _mediation_table(self, numeral: str) -> ReportTable:
        stats = cast(MediationStats, self.mediation)
        tallies = [*stats.by_mediator, stats.total]
        return ReportTable(
            f"{numeral}、委托调解（按调解员）",
            ["调解员", "委托", "调解成功", "调解不成", "撤回委托", "调解中", "成功率"],
            [list(t.cells()) for t in tallies],
            [
                [t.mediator, t.entrusted, t.settled, t.failed, t.withdrawn, t.pending, t.rate_text]
                for t in tallies
            ],
        )

    def _suggestion_table(self, numeral: str) -> ReportTable:
        tally = cast(SuggestionTally, self.suggestions)
        end = self.period.end
        rows: list[list[str]] = []
        for what, group in (("本期发出", tally.sent), ("本期回复", tally.replied)):
            rows += [_suggestion_cells(what, r, end) for r in group]
        rows += [
            _suggestion_cells("期末待回复", r, end) for r in tally.awaiting if r not in tally.sent
        ]
        return ReportTable(
            f"{numeral}、司法建议",
            ["类别", "编号", "被建议单位", "案件", "发出日期", "回复期限", "回复情况"],
            rows,
            [list(r) for r in rows],
        )

    def definitions(self) -> list[tuple[str, str]]:
        return [(f.label, f.definition) for f in FIGURES] + [
            (
                "执行前保全",
                "按日期归入期间：保全裁定按裁定日期（数额为裁定保全的数额），措施按采取日期，"
                "解除按解除日期（民诉法解释第一百六十三条，执前督字案号之一、之二……）。",
            ),
            ("分组说明", GROUP_NOTE),
            ("督促期限", f"超期未结按督促期限{self.total.limit_days}日计算。"),
            *self._more_definitions(),
        ]

    def _more_definitions(self) -> list[tuple[str, str]]:
        out = []
        if self.mediation is not None:
            out.append(
                (
                    "委托调解",
                    "按委托日期统计期间内委托的案件及其现在的结果；"
                    "成功率＝调解成功÷（调解成功＋调解不成），撤回委托不计入。",
                )
            )
        if self.suggestions is not None:
            out.append(
                (
                    "司法建议",
                    "本期发出、本期回复按发出日期、回复日期统计；期末待回复为期末已发出而"
                    "尚未回复的；回复期限按设置的月数自发出次日起算（民事诉讼法第八十五条），"
                    "期满未回复为逾期。",
                )
            )
        return out


def _suggestion_cells(what: str, r: SuggestionRow, end: date) -> list[str]:
    if r.replied_on is not None and r.replied_on <= end:
        state = f"{r.replied_on.isoformat()}回复：{r.reply_summary}"
    elif r.reply_due is not None and r.reply_due < end:
        state = "逾期未回复"
    else:
        state = "待回复"
    return [
        what,
        r.doc_no,
        r.recipient,
        str(r.case_count),
        r.sent_on.isoformat() if r.sent_on else "",
        r.reply_due.isoformat() if r.reply_due else "",
        state,
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
    if kind == "week":
        return ReportData(kind, court, period, today, total, breakdowns, tally)
    return ReportData(
        kind,
        court,
        period,
        today,
        total,
        breakdowns,
        tally,
        mediation_stats(session, period),
        suggestion_tally(session, period),
    )


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
