"""What a document may say, to whom, and when: the facts each printed document rests on.

A document is refused (one sentence a clerk can act on) when the case's status or its recorded
facts do not support what the document says. The wording that was retired because it promised or
certified something untrue is listed here too, so a court's own copy of a template that still
carries it is stopped before it is printed. docs/documents.md gives the legal basis of each rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import cast

from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind, PartyRole, ServiceMethod
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.preservation import assistance_refusal
from zhiqian_desktop.domain.workflow import CaseStatus, document_refusal

ZERO = Decimal("0.00")


class Addressees(Enum):
    """Whom a document is served on; each addressee gets a 送达回证 of their own."""

    OBLIGORS = "obligors"
    APPLICANTS = "applicants"
    BOTH = "both"
    NONE = "none"


ADDRESSEES: dict[DocumentKind, Addressees] = {
    DocumentKind.URGING: Addressees.OBLIGORS,
    DocumentKind.SUPERVISION_NOTICE: Addressees.OBLIGORS,
    DocumentKind.RISK_NOTICE: Addressees.BOTH,
    DocumentKind.PRE_FINE: Addressees.OBLIGORS,
    DocumentKind.PRE_DETENTION: Addressees.OBLIGORS,
    DocumentKind.PRE_DISHONEST: Addressees.OBLIGORS,
    DocumentKind.PRE_CONSUMPTION_LIMIT: Addressees.OBLIGORS,
    DocumentKind.PRE_CRIMINAL: Addressees.OBLIGORS,
    DocumentKind.PERFORMANCE_CERTIFICATE: Addressees.OBLIGORS,
    DocumentKind.BANKRUPTCY_NOTICE: Addressees.APPLICANTS,
    # Signed by the parties in person, a record written at the interview, a letter to the
    # court's own filing division, a receipt: nothing to serve, so no receipt either.
    DocumentKind.SETTLEMENT_AGREEMENT: Addressees.NONE,
    DocumentKind.INTERVIEW_RECORD: Addressees.NONE,
    DocumentKind.TRANSFER_LETTER: Addressees.NONE,
    # A letter to the mediator the case is entrusted to, not to a party.
    DocumentKind.MEDIATION_LETTER: Addressees.NONE,
    # The ruling is served on both parties (民诉法第一百零六条: the person whose property is
    # preserved is told at once); the notice goes to the bank or registry that assists.
    DocumentKind.PRESERVATION_RULING: Addressees.BOTH,
    DocumentKind.ASSISTANCE_NOTICE: Addressees.NONE,
    # The release is served on both parties like the ruling it releases; its notice goes to
    # the holder of the property.
    DocumentKind.RELEASE_RULING: Addressees.BOTH,
    DocumentKind.RELEASE_NOTICE: Addressees.NONE,
    DocumentKind.SERVICE_RECEIPT: Addressees.NONE,
}

ADDRESSEE_ROLES: dict[Addressees, tuple[PartyRole, ...]] = {
    Addressees.OBLIGORS: (PartyRole.OBLIGOR,),
    Addressees.APPLICANTS: (PartyRole.APPLICANT,),
    Addressees.BOTH: (PartyRole.APPLICANT, PartyRole.OBLIGOR),
    Addressees.NONE: (),
}
"""The parties of the case a document of each addressee group is served on, in this order."""


def addressee_roles(kind: DocumentKind) -> tuple[PartyRole, ...]:
    """The roles of the parties a document of ``kind`` is served on (none: nothing to serve)."""
    return ADDRESSEE_ROLES[ADDRESSEES[kind]]


SERVED_KINDS: frozenset[DocumentKind] = frozenset(
    k for k, who in ADDRESSEES.items() if who is not Addressees.NONE
)
"""Documents served on a party (a receipt per addressee; the due-list watches their service)."""

RECORD_DOCUMENTS: frozenset[DocumentKind] = frozenset(
    {
        DocumentKind.PRESERVATION_RULING,
        DocumentKind.ASSISTANCE_NOTICE,
        DocumentKind.RELEASE_RULING,
        DocumentKind.RELEASE_NOTICE,
    }
)
"""Documents about one record of the case (a ruling, a measure), issued from that record on the
case's 执行前保全 page (or `zhiqian preservation print`), not from the list of kinds."""

PRE_WARNINGS: frozenset[DocumentKind] = frozenset(
    {
        DocumentKind.PRE_FINE,
        DocumentKind.PRE_DETENTION,
        DocumentKind.PRE_DISHONEST,
        DocumentKind.PRE_CONSUMPTION_LIMIT,
        DocumentKind.PRE_CRIMINAL,
    }
)
"""The graded warnings (预罚款 …): each recites that the obligor was urged and still owes."""

OWING_KINDS: frozenset[DocumentKind] = PRE_WARNINGS | {
    DocumentKind.SUPERVISION_NOTICE,
    DocumentKind.TRANSFER_LETTER,
}
"""Documents that state an amount or act still outstanding."""

SUPPORT_WORDS = ("赡养费", "扶养费", "抚养费")
"""The obligations whose judgments the court itself transfers to enforcement (the SPC 执行工作规定:
法律文书 giving 赡养费、扶养费、抚养费 are transferred by the trial division)."""

_CONTINUING = re.compile(r"每(月|年|季|周|半年)|按(月|年|季|周)|逐月|至.{0,12}(周岁|成年)")
"""Wording of an obligation performed over time (monthly support, yearly payments …)."""


def is_continuing(act: str | None) -> bool:
    """Whether a non-money obligation is performed over time rather than once."""
    return bool(act and _CONTINUING.search(act))


def is_judgment_or_ruling(doc_type: str) -> bool:
    """判决书 and 裁定书 (incl. 司法确认裁定书); a 调解书 is neither (art. 247 para. 2)."""
    return ("判决" in doc_type or "裁定" in doc_type) and "调解" not in doc_type


@dataclass(frozen=True)
class TransferGround:
    """Why the case may go to enforcement: the applicant applied, or the court transfers it."""

    by_application: bool
    application_received_on: date | None = None


def transfer_ground(
    doc_type: str, cause: str, livelihood_kind: str | None, application_received_on: date | None
) -> TransferGround | None:
    """The ground for transferring the case to enforcement, or None when there is none.

    Enforcement starts on the applicant's application; the court transfers a case on its own only
    for judgments and rulings (art. 247 para. 1) of the kinds the SPC provisions name (support).
    """
    if application_received_on is not None:
        return TransferGround(True, application_received_on)
    support = any(w in cause or w in (livelihood_kind or "") for w in SUPPORT_WORDS)
    if support and is_judgment_or_ruling(doc_type):
        return TransferGround(False)
    return None


@dataclass(frozen=True)
class IssueFacts:
    """What the rules need to know about a case, as plain values."""

    case_no: str
    status: CaseStatus
    amount_due: Decimal = ZERO
    amount_paid: Decimal = ZERO
    obligation_act: str | None = None
    act_performed_on: date | None = None
    last_payment_date: date | None = None
    urging_served: bool = False
    original_doc_type: str = "判决书"
    cause: str = ""
    livelihood_kind: str | None = None
    application_received_on: date | None = None
    obligor_kinds: tuple[PartyKind, ...] = ()
    settlement_terms: str | None = None
    settlement_periods: int = 0
    mediation_pending: bool = False
    """The case is entrusted to a mediator and the result is not recorded yet."""
    mediation_ends_on: date | None = None
    """The last day of the pending mediation's period."""
    ruling_no: str | None = None
    """The pre-enforcement preservation ruling a preservation document is about (None: none)."""
    measure_holder: str | None = None
    measure_given: bool = False
    """A 协助执行通知书 names one measure of the ruling (and its holder)."""
    measure_released_on: date | None = None
    release_ruling_no: str | None = None
    """The release ruling a release document states (None: no release resolved for it)."""

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount_due - self.amount_paid, ZERO)

    @property
    def act(self) -> str:
        return (self.obligation_act or "").strip()

    @property
    def act_outstanding(self) -> bool:
        return bool(self.act) and self.act_performed_on is None

    @property
    def owes(self) -> bool:
        """Something is still to be performed: money outstanding or an act not recorded done."""
        return self.outstanding > 0 or self.act_outstanding


def performed_on(facts: IssueFacts) -> date | None:
    """The day the whole obligation was performed, as recorded (None: not all of it recorded)."""
    if facts.owes or (facts.amount_due <= 0 and not facts.act):
        return None
    days = []
    if facts.amount_due > 0:
        if facts.last_payment_date is None:
            return None
        days.append(facts.last_payment_date)
    if facts.act:
        # Not owed (above): an act is recorded as performed, with its day.
        days.append(cast(date, facts.act_performed_on))
    return max(days)


def _certificate_refusal(f: IssueFacts) -> str | None:
    if f.outstanding > 0:
        return (
            f"案件{f.case_no}尚有{format_amount(f.outstanding)}未履行，不能出具自动履行证明书；"
            "请先登记全部履行款项"
        )
    if f.act_outstanding:
        if is_continuing(f.act):
            return (
                f"案件{f.case_no}的义务“{f.act[:30]}”需要持续履行，只有全部履行完毕并登记"
                "履行日期后才能出具自动履行证明书；尚在履行中的，不能证明“履行完毕”"
            )
        return (
            f"案件{f.case_no}的非金钱义务“{f.act[:30]}”尚未登记履行日期，不能出具自动履行"
            "证明书；请在结案（自动履行完毕）时确认该义务已履行并填写履行日期"
        )
    if f.amount_due <= 0 and not f.act:
        return f"案件{f.case_no}没有登记应履行的义务，没有可以证明的履行情况"
    if performed_on(f) is None:
        return f"案件{f.case_no}没有登记履行款的付款日期，不能出具自动履行证明书；请先登记履行款项"
    return None


def _transfer_refusal(f: IssueFacts) -> str | None:
    if f.status not in (CaseStatus.FAILED, CaseStatus.TRANSFERRED):
        return (
            f"案件{f.case_no}为“{f.status.label}”，只有督促不成的案件才能移送执行；"
            "请先将案件标记为督促不成"
        )
    if not f.owes:
        return f"案件{f.case_no}已无未履行的金额或义务，不能移送执行"
    if transfer_ground(f.original_doc_type, f.cause, f.livelihood_kind, f.application_received_on):
        return None
    return (
        f"案件{f.case_no}的生效法律文书为{f.original_doc_type or '判决书'}，须由申请人申请执行"
        "（民事诉讼法第二百四十七条），而本案尚未登记收到申请人的申请执行书；请在案件信息中"
        "登记申请执行书的收到日期后再移送，申请人不申请的，不能移送执行"
    )


_PERIODS = re.compile(r"分\s*([0-9一二两三四五六七八九十百]+)\s*期")
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}


def _count(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _NUMERALS:
            current = _NUMERALS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def settlement_contradiction(terms: str | None, periods: int) -> str | None:
    """Why the free-text terms contradict the installment table (the table is the source)."""
    if not terms or periods <= 0:
        return None
    for match in _PERIODS.finditer(terms):
        stated = _count(match.group(1))
        if stated is not None and stated != periods:
            return (
                f"和解条款写明“{match.group(0)}”，而分期履行表共{periods}期；分期安排以履行表"
                "为准，条款中不要另写期数，或改为与履行表一致"
            )
    return None


def issue_refusal(kind: DocumentKind, f: IssueFacts, on: date | None = None) -> str | None:
    """Why document ``kind`` may not be issued for the case (a clerk's sentence), or None;
    ``on``: the day it would be issued, where that matters."""
    refusal = document_refusal(f.status, kind, f.case_no)
    if refusal is not None:
        return refusal
    if kind is DocumentKind.PERFORMANCE_CERTIFICATE:
        return _certificate_refusal(f)
    if kind is DocumentKind.TRANSFER_LETTER:
        return _transfer_refusal(f)
    if kind in PRE_WARNINGS and not f.urging_served:
        return (
            f"案件{f.case_no}还没有登记自动履行催告书的送达，不能出具{kind.label}"
            "（其正文载明“经本院催告、督促”）；请先送达催告书并登记送达"
        )
    if kind in OWING_KINDS and not f.owes:
        return f"案件{f.case_no}已无未履行的金额或义务，不能出具{kind.label}"
    if kind is DocumentKind.BANKRUPTCY_NOTICE and PartyKind.LEGAL_PERSON not in f.obligor_kinds:
        return "申请破产审查告知书只适用于被申请人为企业法人的案件（企业破产法第二条）"
    if kind is DocumentKind.SETTLEMENT_AGREEMENT:
        return settlement_contradiction(f.settlement_terms, f.settlement_periods)
    if kind is DocumentKind.MEDIATION_LETTER and not f.mediation_pending:
        return (
            f"案件{f.case_no}没有未结束的委托调解，不能出具委托调解函；"
            "请先在案件的“委托调解”页委托调解员"
        )
    if kind is DocumentKind.PRESERVATION_RULING and f.ruling_no is None:
        return "财产保全裁定书须依已作出的保全裁定出具；请先登记保全申请并登记裁定"
    if kind is DocumentKind.ASSISTANCE_NOTICE:
        return assistance_refusal(
            ruling_no=f.ruling_no,
            measure_given=f.measure_given,
            holder=f.measure_holder,
            released_on=f.measure_released_on,
        )
    if kind in (DocumentKind.RELEASE_RULING, DocumentKind.RELEASE_NOTICE) and (
        f.release_ruling_no is None
    ):
        return f"{kind.label}须依已登记的解除出具；请在案件的“执行前保全”页登记解除后打印"
    ended = f.mediation_ends_on
    if kind is DocumentKind.MEDIATION_LETTER and on and ended and on > ended:
        # The letter asks the mediator to report before the period ends (art. 85: its last day
        # counts whole); after that day it would ask the impossible.
        return (
            f"案件{f.case_no}的委托调解期限已于{ended.isoformat()}届满，不能再出具委托调解函；"
            "请在“委托调解”页登记调解结果"
        )
    return None


# --- recording a service ------------------------------------------------------------------------


def served_on(
    addressees: Iterable[str], services: Iterable[tuple[str | None, date]]
) -> date | None:
    """The day a document counts as served: the day its last addressee was served.

    ``addressees`` are the ids of the parties it is served on, ``services`` the recorded services
    as (party id, date). None while any addressee has not been served. A service recorded without
    a party (before receipts were made out per addressee) served the document as a whole, on the
    earliest such date."""
    whole: list[date] = []
    first: dict[str, date] = {}
    for party_id, day in services:
        if party_id is None:
            whole.append(day)
        elif party_id not in first or day < first[party_id]:
            first[party_id] = day
    if whole:
        return min(whole)
    wanted = set(addressees)
    if not wanted or not wanted <= first.keys():
        return None
    return max(first[p] for p in wanted)


REASON_REQUIRED = frozenset({ServiceMethod.SUBSTITUTE, ServiceMethod.LEAVING})


def service_problem(
    method: ServiceMethod,
    recipient: str | None,
    reason: str | None,
    witness: str | None,
    process_recorded: bool,
) -> tuple[str, str] | None:
    """The first thing missing from a service record (form field, message), or None.

    代收 needs who received it and why (art. 88); 留置送达 needs the refusal and either a witness
    who signed or the process recorded by photograph or video at the residence (art. 89)."""
    if method is ServiceMethod.SUBSTITUTE:
        if not reason:
            return "substitute_reason", "代收送达必须写明代收人与受送达人的关系及代收理由"
        if not recipient:
            return "recipient", "代收送达必须填写代收人姓名"
    if method is ServiceMethod.LEAVING:
        if not reason:
            return "substitute_reason", "留置送达必须写明拒收事由和日期"
        if not witness and not process_recorded:
            return (
                "witness",
                "留置送达须有见证人签名或者盖章，或者采用拍照、录像等方式记录送达过程"
                "（民事诉讼法第八十九条）；请填写见证人，或勾选“已拍照、录像记录送达过程”",
            )
    return None


# --- wording retired because it was untrue -------------------------------------------------------

RETIRED_WORDING: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.URGING: ("亦无需负担强制执行程序中产生的执行费用和迟延履行期间的加倍债务利息",),
    DocumentKind.RISK_NOTICE: (
        "也无需负担执行费用和迟延履行期间的加倍债务利息",
        "导致法律文书未能被实际接收的，文书退回之日视为送达之日",
    ),
    DocumentKind.SUPERVISION_NOTICE: ("由此产生的执行费用、迟延履行期间的加倍债务利息",),
    DocumentKind.PRE_FINE: ("本院将依法对你（单位）予以罚款",),
    DocumentKind.PRE_DETENTION: ("予以司法拘留。",),
    DocumentKind.PRE_DISHONEST: ("本院将依法将你（单位）纳入失信被执行人名单",),
    DocumentKind.PRE_CONSUMPTION_LIMIT: (
        "本院将依法对你（单位）采取限制消费措施",
        "高铁、动车组列车一等以上座位",
    ),
    DocumentKind.PRE_CRIMINAL: ("本院将依法把你（单位）涉嫌拒不执行判决、裁定罪的线索",),
    DocumentKind.PERFORMANCE_CERTIFICATE: ("确认已收到{paid_capital}",),
    DocumentKind.INTERVIEW_RECORD: ("如实报告财产状况，听清楚了吗",),
    DocumentKind.BANKRUPTCY_NOTICE: ("企业法人不能清偿到期债务，并且资产不足以清偿全部债务",),
}
"""Sentences of earlier shipped templates that promised or certified something untrue. A court's
own version edited from those templates may still carry them; it is refused until corrected."""


def retired_wording(kind: DocumentKind, text: str) -> str | None:
    """The first retired sentence ``text`` still contains (spaces and line breaks ignored)."""
    flat = "".join(text.split())
    for phrase in RETIRED_WORDING.get(kind, ()):
        if "".join(phrase.split()) in flat:
            return phrase
    return None
