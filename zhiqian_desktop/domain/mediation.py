"""委托调解: when a case may be entrusted to a mediator, for how long, how the entrustment ends,
and how the results are counted.

A case being supervised (已收案, 督促中) may be entrusted to a mediator on the court's list —
a specially invited mediator (特邀调解员), a people's mediation committee (人民调解委员会) or a
lawyer — for a period the court sets (the Jiamusi rules' 执行服务中心 arranges mediation before
enforcement; the period follows the practice of entrusted mediation, 30 days unless the court sets
another). One entrustment is pending at a time. It ends with a result: 调解成功 (the parties
reached an agreement: the team records it through the settlement flow), 调解不成 (the case goes
back to supervision), or 撤回委托. The success rate counts settled against settled and failed;
a withdrawn entrustment is not a mediation that failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MediationResult
from zhiqian_desktop.domain.workflow import CaseStatus

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 90
ENTRUSTABLE = frozenset({CaseStatus.REGISTERED, CaseStatus.SUPERVISING})
"""A case is entrusted while it is supervised: not once settled, failed or closed."""


def check_mediator_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("调解员或调解组织的名称不能为空；请填写姓名或组织名称", field="name")
    if len(name) > 100:
        raise UserError("调解员或调解组织的名称过长（不超过100字）", field="name")
    return name


def check_entrustment(
    *,
    case_no: str,
    status: CaseStatus,
    received_date: date,
    entrusted_on: date,
    period_days: int,
    today: date,
    pending: bool,
) -> None:
    """Raise the clerk's UserError when the case may not be entrusted as asked."""
    if status not in ENTRUSTABLE:
        raise UserError(
            f"案件{case_no}状态为“{status.label}”，不能委托调解；只有已收案、督促中的案件可以委托"
        )
    if pending:
        raise UserError(f"案件{case_no}已有未结束的委托调解；请先登记其结果或撤回委托")
    if entrusted_on > today:
        raise UserError(f"委托日期{entrusted_on.isoformat()}晚于今天；请填写实际委托的日期")
    if entrusted_on < received_date:
        raise UserError(
            f"委托日期{entrusted_on.isoformat()}早于收案日期{received_date.isoformat()}；请核对"
        )
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise UserError(
            f"调解期限“{period_days}”日不正确；应为1至{MAX_PERIOD_DAYS}日"
            f"（通常为{DEFAULT_PERIOD_DAYS}日）",
            field="period_days",
        )


def check_result(
    *,
    case_no: str,
    pending: bool,
    entrusted_on: date,
    result_on: date,
    today: date,
) -> None:
    """Raise the clerk's UserError when the result may not be recorded as asked."""
    if not pending:
        raise UserError(f"案件{case_no}的这次委托调解已登记结果；如有误请联系团队负责人")
    if result_on > today:
        raise UserError(f"结果日期{result_on.isoformat()}晚于今天；请填写实际日期")
    if result_on < entrusted_on:
        raise UserError(
            f"结果日期{result_on.isoformat()}早于委托日期{entrusted_on.isoformat()}；请核对"
        )


def success_rate(settled: int, failed: int) -> Decimal | None:
    """Settled among the mediations that ended settled or failed, as a percentage to one place
    (None when none has ended so)."""
    ended = settled + failed
    if ended == 0:
        return None
    return (Decimal(settled) * 100 / ended).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MediatorTally:
    mediator: str
    entrusted: int
    settled: int
    failed: int
    withdrawn: int
    pending: int

    @property
    def rate(self) -> Decimal | None:
        return success_rate(self.settled, self.failed)

    @property
    def rate_text(self) -> str:
        """The rate as a table shows it (66.7%), or — when no mediation has ended so."""
        rate = self.rate
        return "—" if rate is None else f"{rate}%"

    def cells(self) -> tuple[str, ...]:
        """One row of the table by mediator: name, the five counts, the rate."""
        counts = (self.entrusted, self.settled, self.failed, self.withdrawn, self.pending)
        return (self.mediator, *map(str, counts), self.rate_text)


def tally(mediator: str, results: Iterable[MediationResult | None]) -> MediatorTally:
    """Count one mediator's entrustments by result (None: pending)."""
    counts = dict.fromkeys((*MediationResult, None), 0)
    for result in results:
        counts[result] += 1
    return MediatorTally(
        mediator=mediator,
        entrusted=sum(counts.values()),
        settled=counts[MediationResult.SETTLED],
        failed=counts[MediationResult.FAILED],
        withdrawn=counts[MediationResult.WITHDRAWN],
        pending=counts[None],
    )
