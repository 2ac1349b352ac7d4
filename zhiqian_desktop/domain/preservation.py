"""执行前保全: preserving an obligor's property after the judgment takes effect and before
enforcement is filed — the application, the ruling and its number, the measures and their terms,
the release, and the day by which the law requires the release.

The rules (docs/documents.md gives the text of each):

- 民诉法解释第一百六十三条: after the document takes effect and before enforcement, the creditor
  may apply in an emergency (the obligor moving property away …); the court must release the
  preservation when the creditor does not apply for enforcement within five days after the
  performance period ends.
- 财产保全规定第一条: the application states the amount, the property or the clues to it and the
  reasons; 第九条第二款: at this stage the court may preserve without security from the creditor
  (the Jiamusi rules do so, under a 执前督 number, free of charge).
- 民诉法第一百零五条 (only up to what is claimed), 第一百零六条 (查封、扣押、冻结), 第一百一十一条
  and 解释第一百七十一条 (复议 once, within five days of receiving the ruling).
- 解释第四百八十五条: a freeze of bank deposits lasts at most one year, a seizure of movables two,
  of real property or a freeze of other property rights three.

A ruling is numbered after the case: （2026）内0221执前督12号之一, 之二 … in the order the rulings are
made, each number used once (a court numbers a further ruling in the same case this way).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from zhiqian_desktop.domain.calendar import HolidayCalendar, PeriodEnd, add_months, period_end_days
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import PreservationKind, PreservationMeasure, ReleaseReason
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus

TERM_YEARS: dict[PreservationKind, int] = {
    PreservationKind.BANK_DEPOSIT: 1,
    PreservationKind.MOVABLE: 2,
    PreservationKind.REAL_PROPERTY: 3,
    # 冻结其他财产权 has the same three-year ceiling as real property.
    PreservationKind.OTHER: 3,
}
"""The longest term of a measure, in years, by the kind of property (解释第四百八十五条)."""

MEASURES: dict[PreservationKind, tuple[PreservationMeasure, ...]] = {
    PreservationKind.BANK_DEPOSIT: (PreservationMeasure.FREEZE,),
    PreservationKind.MOVABLE: (PreservationMeasure.SEAL, PreservationMeasure.DETAIN),
    PreservationKind.REAL_PROPERTY: (PreservationMeasure.SEAL,),
    PreservationKind.OTHER: (PreservationMeasure.FREEZE,),
}
"""The measures each kind of property takes: deposits and other property rights are frozen,
movables sealed or taken away, real property sealed (its registration noted)."""

RELEASE_DAYS = 5
"""解释第一百六十三条: enforcement must be applied for within five days after the performance period."""

MAX_TEXT = 2000

_NUMERALS = "〇一二三四五六七八九"


def ordinal(n: int) -> str:
    """之一, 之二 … as in a ruling's number: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五."""
    if not 1 <= n <= 999:
        raise UserError(f"裁定序号“{n}”超出范围（1至999）")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = _NUMERALS[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _NUMERALS[tens]) + "十"
    elif hundreds and units:
        out += "零"
    if units:
        out += _NUMERALS[units]
    return out


def ruling_number(case_no: str, seq: int) -> str:
    """The ruling's number: the case number with 之一, 之二 …"""
    return f"{case_no}之{ordinal(seq)}"


def next_ruling_seq(taken: Iterable[int]) -> int:
    """The next ruling's place in the case: after the highest ever given (never reused, even
    when an earlier ruling's record was removed)."""
    return max(taken, default=0) + 1


def latest_expiry(kind: PreservationKind, start: date) -> date:
    """The last day a measure of ``kind`` taken on ``start`` may run to (the start day is not
    counted: one year from 2026-03-01 ends 2027-03-01)."""
    return add_months(start, 12 * TERM_YEARS[kind])


def release_start(performance_deadline: date | None, effective_date: date) -> date:
    """The day the five days run from: the end of the performance period, or, with none
    recorded, the day the document took effect (it was then performable at once)."""
    return performance_deadline or effective_date


def release_deadline(
    performance_deadline: date | None, effective_date: date, cal: HolidayCalendar
) -> PeriodEnd:
    """The fifth day after the performance period ends (art. 85 reckoning, rest days rolled),
    by which the creditor must apply for enforcement or the preservation is released."""
    return period_end_days(release_start(performance_deadline, effective_date), RELEASE_DAYS, cal)


def release_due(application_received_on: date | None, deadline: date, taken_on: date) -> bool:
    """Whether 解释第一百六十三条 requires releasing a measure taken on ``taken_on``: enforcement
    was not applied for by the fifth day after the performance period — nor, for a measure taken
    only after the applicant had applied (a case the applicant routed through supervision), by
    the day it was taken."""
    return application_received_on is None or application_received_on > max(deadline, taken_on)


def _text(value: str, what: str, hint: str) -> str:
    value = value.strip()
    if not value:
        raise UserError(f"{what}不能为空；{hint}")
    if len(value) > MAX_TEXT:
        raise UserError(f"{what}过长（不超过{MAX_TEXT}字）；请精简")
    return value


def check_application(
    *,
    case_no: str,
    status: CaseStatus,
    effective_date: date | None,
    applied_on: date,
    today: date,
    amount: Decimal,
    outstanding: Decimal,
    clues: str,
    reason: str,
) -> tuple[str, str]:
    """Refuse an application the case or its contents do not allow; the clues and the reason,
    trimmed, when it may be recorded."""
    if status not in OPEN_STATUSES:
        raise UserError(
            f"案件{case_no}状态为“{status.label}”，不能申请执行前保全；已结案或已移送执行的案件"
            "由执行程序采取查封、冻结措施"
        )
    if effective_date is None:
        raise UserError(
            f"案件{case_no}没有登记生效日期；执行前保全须在法律文书生效后申请，请先登记"
        )
    if applied_on > today:
        raise UserError(f"申请日期{applied_on.isoformat()}晚于今天；请填写实际收到申请的日期")
    if applied_on < effective_date:
        raise UserError(
            f"申请日期{applied_on.isoformat()}早于法律文书生效日期{effective_date.isoformat()}；"
            "执行前保全须在法律文书生效后申请"
        )
    if amount <= 0:
        raise UserError("申请保全的数额应大于零；请填写申请保全的金额", field="amount")
    if amount > outstanding:
        raise UserError(
            f"申请保全的数额{format_amount(amount)}超过尚未履行的金额{format_amount(outstanding)}；"
            "保全限于请求的范围（民事诉讼法第一百零五条）",
            field="amount",
        )
    return (
        _text(clues, "财产线索", "请写明被保全财产的信息或具体线索（开户银行、不动产坐落等）"),
        _text(reason, "申请理由", "请写明情况紧急的事实，如被申请人正在转移财产"),
    )


def check_ruling(
    *,
    case_no: str,
    status: CaseStatus,
    pending: bool,
    applied_on: date,
    applied_amount: Decimal,
    ruled_on: date,
    today: date,
    amount: Decimal,
    judge: str,
    deadline: date,
    application_received_on: date | None,
) -> str:
    """Refuse a ruling the application does not support; the judge's name, trimmed."""
    if not pending:
        raise UserError(f"案件{case_no}没有待裁定的保全申请；请先登记申请人的保全申请")
    if status not in OPEN_STATUSES:
        raise UserError(f"案件{case_no}状态为“{status.label}”，不能再作出执行前保全裁定")
    if ruled_on > today:
        raise UserError(f"裁定日期{ruled_on.isoformat()}晚于今天；请填写实际作出裁定的日期")
    if ruled_on < applied_on:
        raise UserError(
            f"裁定日期{ruled_on.isoformat()}早于申请日期{applied_on.isoformat()}；没有申请不能裁定"
        )
    if amount <= 0 or amount > applied_amount:
        raise UserError(
            f"裁定保全的数额应大于零且不超过申请保全的数额{format_amount(applied_amount)}"
            "（民事诉讼法第一百零五条）",
            field="amount",
        )
    if ruled_on > deadline and release_due(application_received_on, deadline, ruled_on):
        raise UserError(
            f"履行期间届满后五日（至{deadline.isoformat()}）已过，申请人尚未申请执行；依民诉法解释"
            "第一百六十三条此时应当解除保全，不能再作出执行前保全裁定。申请人已申请执行的，请先在"
            "案件信息中登记申请执行书的收到日期"
        )
    return _text(judge, "裁定的审判员", "请填写签署裁定的审判员姓名")


def check_measure(
    *,
    ruled_on: date | None,
    released: bool,
    kind: PreservationKind,
    measure: PreservationMeasure,
    taken_on: date,
    today: date,
    expires_on: date,
    amount: Decimal | None,
    preserved: Decimal,
    ruled_amount: Decimal,
    description: str,
) -> str:
    """Refuse a measure the ruling does not support; the property's description, trimmed.

    ``preserved``: what the ruling's other measures already hold (their amounts)."""
    if ruled_on is None:
        raise UserError("保全申请尚未裁定，不能采取保全措施；请先登记财产保全裁定")
    if released:
        raise UserError("该保全裁定的措施已全部解除，不能再依该裁定采取措施；如需保全请重新申请")
    if measure not in MEASURES[kind]:
        allowed = "、".join(m.label for m in MEASURES[kind])
        raise UserError(f"{kind.label}应采取{allowed}措施，不能{measure.label}", field="measure")
    if taken_on > today:
        raise UserError(f"采取措施的日期{taken_on.isoformat()}晚于今天；请填写实际日期")
    if taken_on < ruled_on:
        raise UserError(
            f"采取措施的日期{taken_on.isoformat()}早于裁定日期{ruled_on.isoformat()}；请核对"
        )
    longest = latest_expiry(kind, taken_on)
    if not taken_on < expires_on <= longest:
        raise UserError(
            f"{kind.label}的{measure.label}期限不得超过{TERM_YEARS[kind]}年（民诉法解释第四百八十五条），"
            f"应在{taken_on.isoformat()}之后、不晚于{longest.isoformat()}",
            field="expires_on",
        )
    if amount is not None and (amount <= 0 or preserved + amount > ruled_amount):
        raise UserError(
            f"保全金额合计不得超过裁定保全的数额{format_amount(ruled_amount)}"
            f"（其他措施已保全{format_amount(preserved)}）",
            field="amount",
        )
    return _text(description, "被保全的财产", "请写明财产（账户、车辆、房产坐落等）")


def check_release(
    *,
    released_on: date | None,
    taken_on: date,
    release_on: date,
    today: date,
    reason: ReleaseReason,
    note: str,
) -> str:
    """Refuse a release that was already recorded or is dated wrongly; the note, trimmed."""
    if released_on is not None:
        raise UserError(f"该保全措施已于{released_on.isoformat()}解除，不能重复解除")
    if release_on > today:
        raise UserError(f"解除日期{release_on.isoformat()}晚于今天；请填写实际解除的日期")
    if release_on < taken_on:
        raise UserError(
            f"解除日期{release_on.isoformat()}早于采取措施的日期{taken_on.isoformat()}；请核对"
        )
    note = note.strip()
    if reason is ReleaseReason.OTHER and not note:
        raise UserError("解除理由为“其他”时须写明具体理由", field="note")
    if len(note) > MAX_TEXT:
        raise UserError(f"解除说明过长（不超过{MAX_TEXT}字）；请精简", field="note")
    return note


def assistance_refusal(
    *, ruling_no: str | None, measure_given: bool, holder: str | None, released_on: date | None
) -> str | None:
    """Why no 协助执行通知书 may be issued for a measure, or None: it asks a bank or registry to
    carry out a measure a ruling ordered."""
    if ruling_no is None:
        return "没有财产保全裁定不能出具协助执行通知书；请先登记保全申请并作出裁定"
    if not measure_given:
        return "协助执行通知书须写明所协助的保全措施；请先依裁定登记保全措施，再从该措施出具"
    if not holder:
        return "该保全措施没有登记协助执行单位（开户银行、不动产登记机构等）；请先补充"
    if released_on is not None:
        return f"该保全措施已于{released_on.isoformat()}解除，不能再出具协助执行通知书"
    return None


def measure_status(released_on: date | None, reason: ReleaseReason | None) -> str:
    """A measure's standing as a list or a transfer package says it: 保全中, or when and why it
    was released (a released freeze must never read as one still holding the property)."""
    if released_on is None:
        return "保全中"
    because = f"（{reason.label}）" if reason is not None else ""
    return f"已于{released_on.isoformat()}解除{because}"
