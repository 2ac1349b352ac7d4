"""The ruling that releases a pre-enforcement preservation (解除保全裁定) and the 协助执行通知书
telling the holder of the property to lift the measure: the ground each recorded release reason
rests on, the ruling's number and when neither document may be made.

The rules (docs/documents.md gives the text of each):

- 民诉法第一百五十七条第一款第四项: 保全 is decided by a ruling; only the rulings of items one
  to three may be appealed (第二款), so the release ruling takes effect when served
  (第一百五十八条).
- 民诉法第一百零七条: in a property dispute the court releases the preservation when the person
  whose property is preserved provides security.
- 解释第一百六十三条: the creditor did not apply for enforcement within five days after the
  performance period ended — the court must release.
- 解释第一百六十六条第一款: the court rules to release when the applicant withdraws the
  application (第二项) or on other grounds it finds the release due (第四项: the obligation
  performed, the parties settled); 财产保全规定第二十三条: on the applicant's application, the
  ruling follows within five days. 第一百六十五条: only the court that ruled releases a measure,
  and 第一百六十六条第二款: a measure carried out through a registry is lifted by a
  协助执行通知书 to it (the notice goes to every holder here, as the measure was notified).
- A reason recorded as “其他” names no legal ground: no ruling is printed from it.

The release ruling is a further ruling of the same case: its number is the case number with the
next 之N after every ruling the case has had (保全 or release), never one given before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from zhiqian_desktop.domain.kinds import ReleaseReason
from zhiqian_desktop.domain.preservation import next_ruling_seq, release_due, ruling_number

CPL = "《中华人民共和国民事诉讼法》"
INTERPRETATION = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》"
PROVISIONS = "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》"
RULING_ARTICLE = f"{CPL}第一百五十七条第一款第四项"


@dataclass(frozen=True)
class ReleaseGround:
    """Why the court releases, as the ruling states it, and the articles it rests on."""

    finding: str
    articles: str


RELEASE_GROUNDS: dict[ReleaseReason, ReleaseGround | None] = {
    ReleaseReason.NO_ENFORCEMENT: ReleaseGround(
        "申请人在法律文书指定的履行期间届满后五日内未向本院申请执行，应当解除保全。",
        f"{RULING_ARTICLE}，{INTERPRETATION}第一百六十三条",
    ),
    ReleaseReason.WITHDRAWN: ReleaseGround(
        "申请人向本院申请解除保全，应予准许。",
        f"{RULING_ARTICLE}，{INTERPRETATION}第一百六十六条第一款第二项，{PROVISIONS}第二十三条",
    ),
    ReleaseReason.SECURITY: ReleaseGround(
        "本案系财产纠纷，被申请人已提供担保，应当解除保全。",
        f"{CPL}第一百零七条、第一百五十七条第一款第四项",
    ),
    ReleaseReason.PERFORMED: ReleaseGround(
        "被申请人已履行生效法律文书确定的义务，保全措施应当解除。",
        f"{RULING_ARTICLE}，{INTERPRETATION}第一百六十六条第一款第四项",
    ),
    ReleaseReason.SETTLED: ReleaseGround(
        "申请人与被申请人已就生效法律文书的履行达成和解，保全措施应当解除。",
        f"{RULING_ARTICLE}，{INTERPRETATION}第一百六十六条第一款第四项",
    ),
    ReleaseReason.OTHER: None,
}
"""The ground of each recorded release reason (None: no article supports a printed ruling)."""

NOTICE_ARTICLES = f"{INTERPRETATION}第一百六十五条、第一百六十六条"
"""What the release notice rests on: the releasing court lifts the measure through its holder."""

_MAX_SEQ = 999


def ruling_seq_of(case_no: str, number: str) -> int | None:
    """The 之N place of a ruling number of the case (None: not one of its rulings)."""
    for n in range(1, _MAX_SEQ + 1):
        if ruling_number(case_no, n) == number:
            return n
    return None


def release_ruling_number(case_no: str, taken: Iterable[str]) -> str:
    """The release ruling's number: the case's next 之N after every ruling number it has had
    (``taken``: the rulings' and the documents' numbers, voided or removed ones too)."""
    seqs = (ruling_seq_of(case_no, t) for t in taken)
    return ruling_number(case_no, next_ruling_seq(s for s in seqs if s is not None))


def release_ruling_refusal(
    *,
    ruling_no: str | None,
    released_on: date | None,
    reason: ReleaseReason | None,
    issued: str | None,
    deadline: date,
    application_received_on: date | None,
    taken_on: date,
) -> str | None:
    """Why no release ruling may be printed for a measure's recorded release, or None.

    ``issued``: the number of a release ruling already printed (not voided) for that release."""
    if ruling_no is None:
        return "该保全申请尚未裁定，没有可解除的保全裁定"
    if released_on is None or reason is None:
        return (
            "该保全措施尚未登记解除；请先在“解除保全”中登记解除的理由和日期，再打印解除保全裁定书"
        )
    if issued is not None:
        return f"该次解除已出具解除保全裁定书{issued}，不能重复裁定；需要再打印时请在文书列表中打开该文书"
    if RELEASE_GROUNDS[reason] is None:
        return (
            "解除理由登记为“其他”，没有可援引的解除保全的法定情形，不能生成解除保全裁定书；"
            "请按实际情形选择解除理由（申请人申请解除、被申请人提供担保等），或由审判员另行制作裁定书"
        )
    if reason is ReleaseReason.NO_ENFORCEMENT and not (
        released_on > deadline and release_due(application_received_on, deadline, taken_on)
    ):
        return (
            f"解除理由为“{reason.label}”，但申请执行的期限至{deadline.isoformat()}，"
            f"解除日期为{released_on.isoformat()}，或申请人已按期申请执行；"
            "依民诉法解释第一百六十三条此时不能以此为由解除，请核对解除理由和日期"
        )
    return None


def release_notice_refusal(
    *, released_on: date | None, ruling: str | None, holder: str | None
) -> str | None:
    """Why no release 协助执行通知书 may be issued for a measure, or None (``ruling``: the
    number of the release ruling in force for its release)."""
    if released_on is None:
        return "该保全措施尚未解除，不能出具解除保全的协助执行通知书"
    if ruling is None:
        return "该次解除还没有有效的解除保全裁定书（未出具或已作废）；请先打印解除保全裁定书"
    if not holder:
        return "该保全措施没有登记协助执行单位（开户银行、不动产登记机构等）；请先补充"
    return None
