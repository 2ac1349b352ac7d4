"""司法建议: which cases make a group worth a suggestion, what a suggestion needs before it is
signed and sent, its number, the reply period, and the order of its steps.

When many cases share an obligor (an insurer that pays only when sued, a lender) or a cause
(small loans), the court may send a judicial suggestion to the body that can deal with the cause
— the insurer, the lender, the financial regulator or a government department — and follow up
its reply rather than "send and forget" (the Jiamusi rules, part 6 (1): 办理一案，治理一片;
《最高人民法院关于加强司法建议工作的意见》 法〔2012〕74号; 《最高人民法院关于综合治理类司法建议
工作若干问题的规定》, 2023). A suggestion is drafted (草稿), signed for the court
(已签发: it gets its number, which is never given again), sent (已发出: the reply period runs
from that day, art. 85 reckoning), and replied to (已回复); a draft or a signed one not yet sent
may be cancelled (已作废: its number stays used).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhiqian_desktop.domain.calendar import HolidayCalendar, PeriodEnd, period_end_months
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import SuggestionGrouping, SuggestionStatus
from zhiqian_desktop.domain.money import format_amount

DEFAULT_REPLY_MONTHS = 2
MAX_REPLY_MONTHS = 3
DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 2
MAX_THRESHOLD = 100
MAX_CASES = 500
RECIPIENT_LIMIT = 100
TEXT_LIMIT = 5000

NEXT: dict[SuggestionStatus, frozenset[SuggestionStatus]] = {
    SuggestionStatus.DRAFT: frozenset({SuggestionStatus.APPROVED, SuggestionStatus.CANCELLED}),
    SuggestionStatus.APPROVED: frozenset({SuggestionStatus.SENT, SuggestionStatus.CANCELLED}),
    SuggestionStatus.SENT: frozenset({SuggestionStatus.REPLIED}),
    SuggestionStatus.REPLIED: frozenset(),
    SuggestionStatus.CANCELLED: frozenset(),
}
"""The steps a suggestion may take from each status."""

PRINTABLE = frozenset({SuggestionStatus.APPROVED, SuggestionStatus.SENT, SuggestionStatus.REPLIED})
"""A suggestion is printed once signed: only then has it its number."""

_WHAT = {
    SuggestionStatus.APPROVED: "签发",
    SuggestionStatus.SENT: "登记发出",
    SuggestionStatus.REPLIED: "登记回复",
    SuggestionStatus.CANCELLED: "作废",
}


def check_step(status: SuggestionStatus, to: SuggestionStatus, doc: str) -> None:
    """Raise the clerk's UserError when the suggestion may not take this step now."""
    if to not in NEXT[status]:
        raise UserError(f"司法建议{doc}状态为“{status.label}”，不能{_WHAT[to]}")


def check_editable(status: SuggestionStatus, doc: str) -> None:
    if status is not SuggestionStatus.DRAFT:
        raise UserError(f"司法建议{doc}已{status.label}，不能再修改；只有草稿可以修改")


def suggestion_number(year: int, court_code: str, seq: int) -> str:
    """The number of a signed suggestion, e.g. （2026）黑0881司建3号: the court's code and 司建
    (司法建议), numbered from 1 each year."""
    return f"（{year}）{court_code}司建{seq}号"


def check_reply_months(months: int) -> int:
    if not 1 <= months <= MAX_REPLY_MONTHS:
        raise UserError(
            f"司法建议的回复期限“{months}”个月不正确；应为1至{MAX_REPLY_MONTHS}个月"
            f"（通常为{DEFAULT_REPLY_MONTHS}个月）",
            field="suggestion_reply_months",
        )
    return months


def check_threshold(threshold: int) -> int:
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise UserError(
            f"提出司法建议的类案件数“{threshold}”不正确；应为{MIN_THRESHOLD}至{MAX_THRESHOLD}件",
            field="suggestion_threshold",
        )
    return threshold


def reply_due(sent_on: date, months: int, cal: HolidayCalendar) -> PeriodEnd:
    """The reply period's last day: months from the day after sending, on the corresponding
    date, rolled past rest days (Civil Procedure Law art. 85)."""
    return period_end_months(sent_on, check_reply_months(months), cal)


def is_overdue(status: SuggestionStatus, due: date | None, today: date) -> bool:
    """Sent, not replied, and the reply period's last day has passed (it still counts)."""
    return status is SuggestionStatus.SENT and due is not None and today > due


def check_draft(
    *, recipient: str, problem: str, proposal: str, case_count: int
) -> tuple[str, str, str]:
    """What a draft needs: the body it goes to, the problem found in the cases, the suggestion,
    and the cases it rests on. Returns the three texts stripped."""
    recipient, problem, proposal = recipient.strip(), problem.strip(), proposal.strip()
    if not recipient:
        raise UserError("请填写被建议单位（收文单位的全称）", field="recipient")
    if len(recipient) > RECIPIENT_LIMIT:
        raise UserError(f"被建议单位名称过长（不超过{RECIPIENT_LIMIT}字）", field="recipient")
    if not problem:
        raise UserError("请写明审判执行中发现的问题及其事实依据", field="problem")
    if not proposal:
        raise UserError("请写明改进工作、完善治理的具体建议", field="proposal")
    for text, what, name in ((problem, "发现的问题", "problem"), (proposal, "建议", "proposal")):
        if len(text) > TEXT_LIMIT:
            raise UserError(f"{what}过长（不超过{TEXT_LIMIT}字）；请精简", field=name)
    if case_count < 1:
        raise UserError("司法建议须以案件为依据；请至少选择一件案件", field="cases")
    if case_count > MAX_CASES:
        raise UserError(
            f"所选案件过多（不超过{MAX_CASES}件）；请按被申请人或案由分组", field="cases"
        )
    return recipient, problem, proposal


def check_sent(*, sent_on: date, approved_on: date, today: date) -> None:
    if sent_on > today:
        raise UserError(f"发出日期{sent_on.isoformat()}晚于今天；请填写实际发出的日期")
    if sent_on < approved_on:
        raise UserError(
            f"发出日期{sent_on.isoformat()}早于签发日期{approved_on.isoformat()}；请核对"
        )


def check_reply(*, replied_on: date, sent_on: date, today: date, summary: str) -> str:
    summary = summary.strip()
    if replied_on > today:
        raise UserError(f"回复日期{replied_on.isoformat()}晚于今天；请填写收到回复的日期")
    if replied_on < sent_on:
        raise UserError(
            f"回复日期{replied_on.isoformat()}早于发出日期{sent_on.isoformat()}；请核对"
        )
    if not summary:
        raise UserError("请摘要写明回复内容（采纳、整改措施或不采纳的理由）", field="summary")
    if len(summary) > TEXT_LIMIT:
        raise UserError(f"回复摘要过长（不超过{TEXT_LIMIT}字）；请精简", field="summary")
    return summary


# --- groups of cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCase:
    """One case as the grouping sees it."""

    case_id: str
    cause: str
    obligors: tuple[str, ...]
    outstanding: Decimal
    received: date


@dataclass(frozen=True)
class CaseGroup:
    grouping: SuggestionGrouping
    key: str
    case_ids: tuple[str, ...]
    outstanding: Decimal
    first_received: date
    last_received: date

    @property
    def count(self) -> int:
        return len(self.case_ids)


def group_of(grouping: SuggestionGrouping, key: str, cases: Iterable[GroupCase]) -> CaseGroup:
    """The facts of the given cases (at least one) taken together."""
    cases = list(cases)
    if not cases:
        raise UserError("司法建议须以案件为依据；请至少选择一件案件", field="cases")
    return CaseGroup(
        grouping=grouping,
        key=key,
        case_ids=tuple(c.case_id for c in cases),
        outstanding=sum((max(c.outstanding, Decimal(0)) for c in cases), Decimal("0.00")),
        first_received=min(c.received for c in cases),
        last_received=max(c.received for c in cases),
    )


def propose_groups(
    cases: Iterable[GroupCase], grouping: SuggestionGrouping, threshold: int
) -> list[CaseGroup]:
    """The obligors (or causes) shared by at least ``threshold`` cases, the largest first. A case
    with two obligors counts for each."""
    if grouping is SuggestionGrouping.SELECTED:
        raise UserError("只能按被申请人或按案由分组")
    check_threshold(threshold)
    by_key: dict[str, list[GroupCase]] = {}
    for case in cases:
        keys = case.obligors if grouping is SuggestionGrouping.OBLIGOR else (case.cause,)
        for key in dict.fromkeys(k.strip() for k in keys):
            if key:
                by_key.setdefault(key, []).append(case)
    groups = [group_of(grouping, k, v) for k, v in by_key.items() if len(v) >= threshold]
    groups.sort(key=lambda g: (-g.count, -g.outstanding, g.key))
    return groups


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def group_facts(group: CaseGroup) -> str:
    """The sentence a draft's problem opens with: only what the docket shows of the cases."""
    if group.grouping is SuggestionGrouping.OBLIGOR:
        what = f"以{group.key}为被申请人的"
    elif group.grouping is SuggestionGrouping.CAUSE:
        # A cause is named as the court's list names it (…合同纠纷), or without the word.
        what = group.key if group.key.endswith("纠纷") else f"{group.key}纠纷"
    else:
        what = ""
    if group.first_received == group.last_received:
        span = f"{_day(group.first_received)}"
    else:
        span = f"{_day(group.first_received)}至{_day(group.last_received)}"
    owed = (
        f"尚未履行金额合计{format_amount(group.outstanding).lstrip('¥')}元"
        if group.outstanding
        else "其中无尚未履行的金钱给付"
    )
    return f"{span}，本院执行前督促收案中{what}案件共{group.count}件，{owed}。"
