"""The facts and the wording of the pre-enforcement preservation documents: the ruling (财产保全
裁定书), the notice asking a bank or registry to assist (协助执行通知书), and their release (解除保全
裁定书 and the notice lifting the measure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhiqian_desktop.domain.calendar import chinese_date
from zhiqian_desktop.domain.kinds import PreservationKind, PreservationMeasure, ReleaseReason
from zhiqian_desktop.domain.money import capital_amount, format_amount
from zhiqian_desktop.domain.preservation import ordinal
from zhiqian_desktop.domain.preservation_release import NOTICE_ARTICLES, RELEASE_GROUNDS

BLANK = "＿＿＿＿＿＿"

PRESERVATION_PLACEHOLDERS: dict[str, str] = {
    "preservation_applicant": "申请保全人",
    "preservation_applied_on": "申请保全的日期",
    "preservation_amount": "裁定保全的数额（大写及¥）",
    "preservation_reason": "申请保全的理由（情况紧急的事实）",
    "preservation_ruling_no": "保全裁定书的案号（……号之一）",
    "preservation_ruled_on": "作出保全裁定的日期",
    "preservation_judge": "签署保全裁定的审判员",
    "preservation_enforcement": "申请执行的期限及逾期不申请执行的后果，或已申请执行",
    "measure_holder": "协助执行单位（开户银行、不动产登记机构等）",
    "measure_action": "保全措施（查封、扣押或冻结）",
    "measure_property": "被保全的财产",
    "measure_amount": "该项措施保全的数额（未限定数额时为空）",
    "measure_from": "保全期限的起始日",
    "measure_until": "保全期限的届满日",
    "release_ruling_no": "解除保全裁定书的案号（……号之二）",
    "release_ruled_on": "作出解除保全裁定的日期",
    "release_ground": "解除保全的理由（依登记的解除理由）",
    "release_articles": "解除保全所依据的条文",
    "release_items": "解除的各项保全措施（每项一行）",
    "release_judge": "签署解除保全裁定的审判员",
    "release_notice_articles": "解除保全的协助执行通知书所依据的条文",
}


@dataclass(frozen=True)
class MeasureFacts:
    """One measure a 协助执行通知书 asks its holder to carry out."""

    kind: PreservationKind
    measure: PreservationMeasure
    description: str
    holder: str
    taken_on: date
    expires_on: date
    amount: Decimal | None = None
    released_on: date | None = None


@dataclass(frozen=True)
class PreservationFacts:
    """A pre-enforcement preservation ruling and, for a 协助执行通知书, the measure it is about."""

    ruling_no: str
    applicant: str
    applied_on: date
    amount: Decimal
    reason: str
    ruled_on: date
    judge: str
    release_deadline: date
    enforcement_applied_on: date | None = None
    """The day the applicant's application for enforcement was received, if it was by then."""
    measure: MeasureFacts | None = None
    release: ReleaseFacts | None = None
    """The release a 解除保全裁定书 or its 协助执行通知书 states."""


@dataclass(frozen=True)
class ReleaseFacts:
    """A release ruling: its number and day, the recorded reason, its judge, the measures it lifts."""

    ruling_no: str
    ruled_on: date
    reason: ReleaseReason
    judge: str
    measures: tuple[MeasureFacts, ...]


def _money(amount: Decimal) -> str:
    return f"{capital_amount(amount)}（{format_amount(amount)}）"


def _enforcement(p: PreservationFacts) -> str:
    applied = p.enforcement_applied_on
    if applied is not None and applied <= max(p.release_deadline, p.ruled_on):
        return f"申请人已于{chinese_date(applied)}向本院申请执行。"
    return (
        f"申请人应当在法律文书指定的履行期间届满后五日内，即{chinese_date(p.release_deadline)}"
        "以前向本院申请执行；逾期不申请执行的，本院将依法解除保全。"
    )


def preservation_context(p: PreservationFacts | None) -> dict[str, str]:
    """The text of the preservation placeholders (blanks when the document is about none)."""
    if p is None:
        return dict.fromkeys(PRESERVATION_PLACEHOLDERS, BLANK)
    m = p.measure
    return {
        "preservation_applicant": p.applicant,
        "preservation_applied_on": chinese_date(p.applied_on),
        "preservation_amount": _money(p.amount),
        "preservation_reason": p.reason.strip().rstrip("。；;，,"),
        "preservation_ruling_no": p.ruling_no,
        "preservation_ruled_on": chinese_date(p.ruled_on),
        "preservation_judge": p.judge,
        "preservation_enforcement": _enforcement(p),
        "measure_holder": m.holder if m else BLANK,
        "measure_action": m.measure.label if m else BLANK,
        "measure_property": (f"{m.kind.label}（{m.description}）" if m else BLANK),
        "measure_amount": (f"，以{_money(m.amount)}为限" if m and m.amount else ""),
        "measure_from": chinese_date(m.taken_on) if m else BLANK,
        "measure_until": chinese_date(m.expires_on) if m else BLANK,
        **_release_context(p.release),
    }


def _item(m: MeasureFacts) -> str:
    limit = f"，以{_money(m.amount)}为限" if m.amount else ""
    return f"解除{m.measure.label}被申请人名下的{m.kind.label}（{m.description}）{limit}"


def _release_context(r: ReleaseFacts | None) -> dict[str, str]:
    ground = RELEASE_GROUNDS[r.reason] if r else None
    if r is None or ground is None:
        return {k: BLANK for k in PRESERVATION_PLACEHOLDERS if k.startswith("release_")}
    many = len(r.measures) > 1
    items = [
        (f"{ordinal(i)}、" if many else "") + _item(m) + ("；" if i < len(r.measures) else "。")
        for i, m in enumerate(r.measures, start=1)
    ]
    return {
        "release_ruling_no": r.ruling_no,
        "release_ruled_on": chinese_date(r.ruled_on),
        "release_ground": ground.finding,
        "release_articles": ground.articles,
        "release_items": "\n".join(items),
        "release_judge": r.judge,
        "release_notice_articles": NOTICE_ARTICLES,
    }
