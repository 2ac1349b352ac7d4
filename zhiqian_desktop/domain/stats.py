"""What the team's statistics mean: periods, outcome buckets, rates, the median, and their definitions.

The team is assessed on these numbers, so every figure has one precise definition, written here once
in Chinese (shown next to the number on the page, in the report and in the CLI) and implemented once
in ``services/reporting/stats.py``.

Two kinds of figure, both over a period [from, to] (both days included):

* Intake figures (收案口径) follow the cases *received* in the period and sort them by what they are
  now (their current status): 自动履行, 和解, 督促不成/移送执行, 撤回/不宜督促, 在办. The five add up
  to the cases taken in, so 化解率 and 自动履行率 can never exceed 100%. A case that is reopened is
  督促中 again and counts as 在办; a settlement that later fails counts as 督促不成/移送执行, not 和解.
* Flow and stock figures follow their own dates: 结案 (closing date in the period), 到位金额
  (payments dated in the period), 期末未结 and 超期未结 (open at the end of the period).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import LabelledEnum
from zhiqian_desktop.domain.workflow import CaseStatus

HUNDREDTH = Decimal("0.01")
NO_VALUE = "—"
"""Shown for a rate or an average that has no cases to be computed from."""


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UserError(
                f"统计期间的结束日期{self.end.isoformat()}早于开始日期{self.start.isoformat()}；"
                "请重新选择"
            )

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[Period]:
        """The calendar months the period touches, each clipped to the period."""
        out: list[Period] = []
        cursor = self.start
        while cursor <= self.end:
            last = date(
                cursor.year, cursor.month, calendar.monthrange(cursor.year, cursor.month)[1]
            )
            out.append(Period(cursor, min(last, self.end)))
            cursor = last + timedelta(days=1)
        return out

    def clip(self, other: Period) -> Period | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start <= end else None


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_period(key: str) -> Period:
    """``"2026-03"`` as the whole month."""
    try:
        year, month = (int(x) for x in key.split("-"))
        last = calendar.monthrange(year, month)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise UserError(f"“{key}”不是有效的月份，应写成 2026-03") from None
    return Period(date(year, month, 1), date(year, month, last))


def this_week(today: date) -> Period:
    """Monday to Sunday of the week holding ``today`` (a 周报 covers a calendar week)."""
    start = today - timedelta(days=today.weekday())
    return Period(start, start + timedelta(days=6))


def this_month(today: date) -> Period:
    return month_period(month_key(today))


def this_year(today: date) -> Period:
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


# --- outcome buckets of the intake figures ---------------------------------------------------


class Outcome(LabelledEnum):
    PERFORMED = "performed", "自动履行"
    SETTLED = "settled", "和解"
    TRANSFERRED = "transferred", "督促不成/移送执行"
    WITHDRAWN = "withdrawn", "撤回/不宜督促"
    PENDING = "pending", "在办"


OUTCOME_OF_STATUS: Mapping[CaseStatus, Outcome] = {
    CaseStatus.REGISTERED: Outcome.PENDING,
    CaseStatus.SUPERVISING: Outcome.PENDING,
    CaseStatus.SETTLED: Outcome.SETTLED,
    CaseStatus.SETTLEMENT_PERFORMED: Outcome.SETTLED,
    CaseStatus.PERFORMED: Outcome.PERFORMED,
    CaseStatus.FAILED: Outcome.TRANSFERRED,
    CaseStatus.TRANSFERRED: Outcome.TRANSFERRED,
    CaseStatus.WITHDRAWN: Outcome.WITHDRAWN,
    CaseStatus.UNSUITABLE: Outcome.WITHDRAWN,
}
"""Every status but 已归档; an archived case is sorted by the outcome it was archived with."""


def archived_outcome(
    *, settlement_performed: bool, amount_due: Decimal, amount_paid: Decimal
) -> Outcome:
    """The outcome of an archived case, which keeps no status of its own before archiving.

    Only performed, settlement-performed, withdrawn and unsuitable cases can be archived: one
    with a performed settlement was settled, one whose money obligation is paid in full was
    performed, any other was withdrawn or unsuitable.
    """
    if settlement_performed:
        return Outcome.SETTLED
    if amount_due > 0 and amount_paid >= amount_due:
        return Outcome.PERFORMED
    return Outcome.WITHDRAWN


def outcome_of(
    status: CaseStatus,
    *,
    settlement_performed: bool = False,
    amount_due: Decimal = Decimal(0),
    amount_paid: Decimal = Decimal(0),
) -> Outcome:
    if status is CaseStatus.ARCHIVED:
        return archived_outcome(
            settlement_performed=settlement_performed,
            amount_due=amount_due,
            amount_paid=amount_paid,
        )
    return OUTCOME_OF_STATUS[status]


# --- numbers ---------------------------------------------------------------------------------


def rate(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` in percent, 2 decimals rounded half up; None when nothing to divide."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(HUNDREDTH, ROUND_HALF_UP)


def resolution_rate(performed: int, settled: int, cases: int) -> Decimal | None:
    """化解率 = (自动履行 + 和解) / 收案."""
    return rate(performed + settled, cases)


def performance_rate(performed: int, cases: int) -> Decimal | None:
    """自动履行率 = 自动履行 / 收案."""
    return rate(performed, cases)


def median_of_counts(histogram: Mapping[int, int]) -> Decimal | None:
    """The median of values given as {value: how many times}; the mean of the middle two if even."""
    total = sum(n for n in histogram.values() if n > 0)
    if total == 0:
        return None
    ordered = sorted((v, n) for v, n in histogram.items() if n > 0)

    def nth(index: int) -> int:  # 0-based
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        raise AssertionError("index beyond the histogram")

    if total % 2:
        return Decimal(nth(total // 2)).quantize(HUNDREDTH)
    low, high = nth(total // 2 - 1), nth(total // 2)
    return (Decimal(low + high) / 2).quantize(HUNDREDTH, ROUND_HALF_UP)


def median(values: Iterable[int]) -> Decimal | None:
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    return median_of_counts(histogram)


def mean(total: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(HUNDREDTH, ROUND_HALF_UP)


def format_rate(value: Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value}%"


def format_days(value: Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value}"


# --- the figures and their definitions --------------------------------------------------------


@dataclass(frozen=True)
class FigureDef:
    key: str
    label: str
    definition: str
    kind: str = "count"  # count | money | rate | days
    lists_cases: bool = True
    """Whether clicking the number lists the cases behind it."""


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("cases", "收案", "统计期间内收案（收案日期在期间内）的案件数。"),
    FigureDef(
        "performed",
        "自动履行",
        "期间内收案的案件中，目前状态为“自动履行完毕”的案件数（已归档案件按归档前结果计）。",
    ),
    FigureDef(
        "settled",
        "和解",
        "期间内收案的案件中，已达成和解且未违约的案件数：状态为“和解履行中”或“和解履行完毕”；"
        "和解后违约转为督促不成的，不计入和解。",
    ),
    FigureDef(
        "transferred",
        "督促不成/移送执行",
        "期间内收案的案件中，目前状态为“督促不成”或“已移送执行”的案件数（含和解后违约的案件）。",
    ),
    FigureDef(
        "withdrawn",
        "撤回/不宜督促",
        "期间内收案的案件中，目前状态为“撤回”或“不宜督促”的案件数。",
    ),
    FigureDef(
        "pending",
        "在办",
        "期间内收案的案件中，目前仍为“已收案”或“督促中”的案件数（重新开启的案件计入在办）。"
        "自动履行、和解、督促不成/移送执行、撤回/不宜督促、在办五项之和等于收案数。",
    ),
    FigureDef(
        "resolution_rate",
        "化解率",
        "化解率 =（自动履行 + 和解）÷ 收案 × 100%，保留两位小数；收案为0时不计算（显示“—”）。",
        kind="rate",
        lists_cases=False,
    ),
    FigureDef(
        "performance_rate",
        "自动履行率",
        "自动履行率 = 自动履行 ÷ 收案 × 100%，保留两位小数；收案为0时不计算（显示“—”）。",
        kind="rate",
        lists_cases=False,
    ),
    FigureDef(
        "closed",
        "结案",
        "结案日期在统计期间内的案件数（不论何时收案）；重新开启的案件不再计为结案。",
    ),
    FigureDef(
        "open_at_end",
        "期末未结",
        "截至期间最后一日已收案、尚未结案（无结案日期或结案日期晚于该日）的案件数；"
        "督促不成待移送的案件计入未结。",
    ),
    FigureDef(
        "over_limit",
        "超期未结",
        "期末未结的案件中，自收案日至期间最后一日已超过督促期限（设置中的天数）的案件数。",
    ),
    FigureDef(
        "amount_due",
        "收案标的额",
        "期间内收案案件的给付金额合计（元）。",
        kind="money",
    ),
    FigureDef(
        "amount_received",
        "到位金额",
        "付款日期在统计期间内的履行款合计（元），包括部分履行和分期履行的款项。",
        kind="money",
    ),
    FigureDef(
        "avg_days",
        "平均结案天数",
        "期间内结案案件自收案日至结案日的天数的平均值。",
        kind="days",
    ),
    FigureDef(
        "median_days",
        "结案天数中位数",
        "期间内结案案件自收案日至结案日的天数的中位数（偶数个时取中间两数的平均）。",
        kind="days",
    ),
)

FIGURE_BY_KEY: Mapping[str, FigureDef] = {f.key: f for f in FIGURES}
COUNT_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.kind == "count")


class GroupBy(LabelledEnum):
    MONTH = "month", "月份"
    HANDLER = "handler", "承办人"
    DEPARTMENT = "department", "审判庭（移交部门）"
    JUDGE = "judge", "原审承办法官"
    TRIBUNAL = "tribunal", "法庭/团队"
    CAUSE = "cause", "案由"
    LIVELIHOOD = "livelihood", "是否涉民生"


GROUP_NOTE = (
    "按月份分组时，收案类数字按收案月份、结案按结案月份、到位金额按付款月份归组，"
    "期末未结、超期未结为各月最后一日的数字；其他分组按案件的当前承办人、审判庭、法官、法庭、"
    "案由或涉民生标记归组。"
)

UNFILLED = "（未填写）"
