"""The data of each printed document: case facts in, filled wording out (no ReportLab here).

The notice service gathers ``CaseFacts`` from the database; this module turns them into the
template context (every placeholder's text) and a ``NoticeContent`` — the complete, resolved text
of one document, which is what is stored and what the renderer draws.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zhiqian_desktop.domain.calendar import chinese_date
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.issuing import (
    RECORD_DOCUMENTS,
    IssueFacts,
    issue_refusal,
    performed_on,
    transfer_ground,
)
from zhiqian_desktop.domain.kinds import DocumentKind, PartyKind
from zhiqian_desktop.domain.money import capital_amount, format_amount
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.printing.preservation_text import (
    MeasureFacts,
    PreservationFacts,
    ReleaseFacts,
    preservation_context,
)
from zhiqian_desktop.printing.templates import PLACEHOLDERS, DocumentTemplate, load_template

if TYPE_CHECKING:  # the content is plain text; ReportLab loads only to draw it
    from zhiqian_desktop.printing.fonts import PrintFonts

CONTENT_SCHEMA = 1

SHORT_NAMES: dict[DocumentKind, str] = {
    DocumentKind.URGING: "催告",
    DocumentKind.SUPERVISION_NOTICE: "督促",
    DocumentKind.RISK_NOTICE: "风险提示",
    DocumentKind.PRE_FINE: "预罚款",
    DocumentKind.PRE_DETENTION: "预拘留",
    DocumentKind.PRE_DISHONEST: "预失信",
    DocumentKind.PRE_CONSUMPTION_LIMIT: "预限高",
    DocumentKind.PRE_CRIMINAL: "预拒执",
    DocumentKind.PERFORMANCE_CERTIFICATE: "履行证明",
    DocumentKind.SETTLEMENT_AGREEMENT: "和解",
    DocumentKind.INTERVIEW_RECORD: "约谈",
    DocumentKind.SERVICE_RECEIPT: "回证",
    DocumentKind.BANKRUPTCY_NOTICE: "破产告知",
    DocumentKind.TRANSFER_LETTER: "移送",
    DocumentKind.MEDIATION_LETTER: "委调",
    # A ruling is numbered as the court numbers rulings (domain/preservation.ruling_number).
    DocumentKind.PRESERVATION_RULING: "保全裁定",
    DocumentKind.ASSISTANCE_NOTICE: "协执",
    DocumentKind.RELEASE_RULING: "解保裁定",
    DocumentKind.RELEASE_NOTICE: "解保协执",
}
"""The word in a document number after the case number, e.g. （2026）内0221执前督12号-催告1."""

BLANK = "＿＿＿＿＿＿"
"""Printed where a value is unknown, so it can be written in by hand."""
DATE_BLANK = "　　　　年　　月　　日"

_NUMERALS = "〇一二三四五六七八九"


def chinese_count(n: int) -> str:
    """A count of days as written in the text of a document: 3 → 三, 15 → 十五, 30 → 三十, 105 → 一百零五."""
    if not 0 <= n < 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = ""
    if hundreds:
        out = _NUMERALS[hundreds] + "百"
        if rest and tens == 0:
            return out + "零" + _NUMERALS[units]
    if tens:
        out += ("" if tens == 1 and not hundreds else _NUMERALS[tens]) + "十"
    if units or not out:
        out += _NUMERALS[units]
    return out


@dataclass(frozen=True)
class PartyFacts:
    name: str
    kind: PartyKind = PartyKind.PERSON
    id_number: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    registered_capital: Decimal | None = None
    licence_revoked: bool = False


@dataclass(frozen=True)
class Installment:
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class SettlementFacts:
    terms: str = ""
    default_clause: str | None = None
    installments: tuple[Installment, ...] = ()


@dataclass(frozen=True)
class ServedFacts:
    """The document a service receipt (送达回证) is for, and the one addressee it is served on."""

    title: str
    doc_no: str
    recipient: str
    """The person or organisation served (one receipt each), never the document's title."""
    address: str | None = None


@dataclass(frozen=True)
class MediationFacts:
    """The case's pending entrustment to a mediator (委托调解)."""

    mediator: str
    entrusted_on: date
    period_days: int
    ends_on: date
    matters: str = ""


@dataclass(frozen=True)
class CaseFacts:
    """Everything a document may say about a case, as plain values."""

    court_name: str
    case_no: str
    original_case_no: str
    original_doc_type: str
    cause: str
    applicants: tuple[PartyFacts, ...]
    obligors: tuple[PartyFacts, ...]
    amount_due: Decimal
    amount_paid: Decimal = Decimal("0.00")
    obligation_act: str | None = None
    effective_date: date | None = None
    performance_deadline: date | None = None
    department: str | None = None
    trial_judge: str | None = None
    urging_days: int = 15
    urging_end: date | None = None
    handler: str | None = None
    handler_phone: str | None = None
    court_account: str | None = None
    court_address: str | None = None
    court_phone: str | None = None
    last_payment_date: date | None = None
    settlement: SettlementFacts | None = None
    bankruptcy_grounds: tuple[str, ...] = ()
    status: CaseStatus = CaseStatus.SUPERVISING
    mediation: MediationFacts | None = None
    act_performed_on: date | None = None
    urging_served: bool = False
    livelihood_kind: str | None = None
    application_received_on: date | None = None
    preservation: PreservationFacts | None = None
    """The pre-enforcement ruling (and measure) a preservation document is about."""

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount_due - self.amount_paid, Decimal("0.00"))

    def issue_facts(self) -> IssueFacts:
        """The facts the issuing rules (domain/issuing.py) look at."""
        s = self.settlement
        return IssueFacts(
            case_no=self.case_no,
            status=self.status,
            amount_due=self.amount_due,
            amount_paid=self.amount_paid,
            obligation_act=self.obligation_act,
            act_performed_on=self.act_performed_on,
            last_payment_date=self.last_payment_date,
            urging_served=self.urging_served,
            original_doc_type=self.original_doc_type or "判决书",
            cause=self.cause,
            livelihood_kind=self.livelihood_kind,
            application_received_on=self.application_received_on,
            obligor_kinds=tuple(p.kind for p in self.obligors),
            settlement_terms=s.terms if s else None,
            settlement_periods=len(s.installments) if s else 0,
            mediation_pending=self.mediation is not None,
            mediation_ends_on=self.mediation.ends_on if self.mediation else None,
            ruling_no=self.preservation.ruling_no if self.preservation else None,
            measure_holder=m.holder if (m := self.measure) else None,
            measure_given=m is not None,
            measure_released_on=m.released_on if m else None,
            release_ruling_no=r.ruling_no if (r := self.release) else None,
        )

    @property
    def release(self) -> ReleaseFacts | None:
        return self.preservation.release if self.preservation else None

    @property
    def measure(self) -> MeasureFacts | None:
        return self.preservation.measure if self.preservation else None


@dataclass
class NoticeContent:
    """One document's complete text, as drawn; stored with the document so it re-renders the same."""

    kind: str
    doc_id: str
    doc_no: str
    court_name: str
    title: str
    case_no: str
    sign_date: str
    addressee: str = ""
    header_lines: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)
    blank_lines: int = 0
    sign_lines: list[str] = field(default_factory=list)
    signature: str = "court"
    notes: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["table"] = [list(row) for row in self.table]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoticeContent:
        values = dict(data)
        values["table"] = [(str(a), str(b)) for a, b in values.get("table", [])]
        return cls(**values)


def _names(parties: tuple[PartyFacts, ...]) -> str:
    return "、".join(p.name for p in parties)


def _addresses(parties: tuple[PartyFacts, ...]) -> str:
    """The parties' addresses; with more than one party, each says whose it is, so one address is
    never printed as if all of them lived there."""
    if len(parties) <= 1:
        return (parties[0].address if parties else None) or BLANK
    return "；".join(f"{p.address or BLANK}（{p.name}）" for p in parties)


def _date(d: date | None, missing: str = BLANK) -> str:
    return chinese_date(d) if d else missing


def obligation_text(facts: CaseFacts) -> str:
    """What the effective document orders, as one clause: 向申请人李某支付人民币…（¥…）."""
    parts: list[str] = []
    if facts.amount_due > 0:
        parts.append(
            f"向申请人{_names(facts.applicants)}支付{capital_amount(facts.amount_due)}"
            f"（{format_amount(facts.amount_due)}）"
        )
    act = (facts.obligation_act or "").strip().rstrip("。；;，,")
    if act:
        parts.append(act)
    return "，并".join(parts) if parts else "履行该文书确定的义务"


_CLAUSE_MARK = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]?\d+[)）、.．]|第[一二三四五六七八九十\d]+条)\s*"
)


def free_clauses(terms: str) -> list[str]:
    """The clauses of free-text terms, their own numbering (一、 1. （一）) taken off, since the
    agreement numbers all its clauses itself."""
    parts = re.split(r"[；;\n]+", terms)
    out = []
    for part in parts:
        clause = _CLAUSE_MARK.sub("", part).strip().rstrip("。；;，,")
        if clause:
            out.append(clause)
    return out


def settlement_terms_text(facts: CaseFacts) -> str:
    """The agreed terms, one numbered clause per line; blanks to fill in when none are recorded.

    The installment table is the source of the schedule: each installment is a clause of its own,
    and the free-text terms follow (domain.issuing.settlement_contradiction refuses terms that
    state another number of periods)."""
    s = facts.settlement
    if s is None or not (s.terms.strip() or s.installments):
        return "\n".join(
            [
                f"一、被申请人于{DATE_BLANK}前向申请人支付人民币{BLANK}元；",
                f"二、余款人民币{BLANK}元，被申请人按以下方式履行：{BLANK}{BLANK}{BLANK}；",
                f"三、其他约定：{BLANK}{BLANK}{BLANK}{BLANK}。",
            ]
        )
    clauses: list[str] = []
    total = sum((i.amount for i in s.installments), Decimal("0.00"))
    if s.installments:
        clauses.append(
            f"被申请人共向申请人支付{capital_amount(total)}（{format_amount(total)}），"
            f"分{chinese_count(len(s.installments))}期履行"
        )
    for i, inst in enumerate(s.installments, start=1):
        clauses.append(
            f"第{chinese_count(i)}期：被申请人于{chinese_date(inst.due_date)}前向申请人支付"
            f"{capital_amount(inst.amount)}（{format_amount(inst.amount)}）"
        )
    clauses += free_clauses(s.terms)
    if s.default_clause and s.default_clause.strip():
        clauses += free_clauses(s.default_clause)
    lines = []
    for i, clause in enumerate(clauses):
        end = "。" if i == len(clauses) - 1 else "；"
        lines.append(f"{chinese_count(i + 1)}、{clause}{end}")
    return "\n".join(lines)


def _contact(facts: CaseFacts) -> str:
    phone = facts.handler_phone or facts.court_phone
    who = f"承办人{facts.handler}" if facts.handler else "本院执前督促团队"
    return f"{who}，联系电话：{phone}" if phone else who


def you(parties: tuple[PartyFacts, ...]) -> str:
    """How a document addresses its addressees: 你, 你单位, or 你们 for several."""
    if len(parties) > 1:
        return "你们"
    if parties and parties[0].kind is not PartyKind.PERSON:
        return "你单位"
    return "你"


def _detention_subject(obligors: tuple[PartyFacts, ...]) -> str:
    """Who may be fined or detained: a person, or an organisation's responsible persons (art. 114)."""
    orgs = [p for p in obligors if p.kind is not PartyKind.PERSON]
    if not orgs:
        return you(obligors)
    if len(orgs) == len(obligors):
        return f"{you(obligors)}的主要负责人或者直接责任人员"
    return "你们（单位的，为其主要负责人或者直接责任人员）"


def performance_text(facts: CaseFacts) -> str:
    """What the applicant confirmed was performed: the money received and/or the act done."""
    parts = []
    if facts.amount_due > 0:
        parts.append(
            f"已收到{capital_amount(facts.amount_paid)}（{format_amount(facts.amount_paid)}）"
        )
    act = (facts.obligation_act or "").strip().rstrip("。；;，,")
    if act and facts.act_performed_on is not None:
        parts.append(f"被申请人已{act}")
    if not parts:
        return BLANK
    return f"申请人{_names(facts.applicants)}确认" + "，并确认".join(parts)


def unperformed_text(facts: CaseFacts) -> str:
    """What is still to be performed, as the object of 尚有…未履行: the amount, or 上述义务."""
    if facts.outstanding > 0:
        return f"{capital_amount(facts.outstanding)}（{format_amount(facts.outstanding)}）"
    return "上述义务"


def _interviewee_lines(facts: CaseFacts) -> str:
    """The interviewee's lines of the record: a person with ID number, an organisation with its
    credit code, its legal representative and the person actually present (written in by hand)."""
    lines: list[str] = []
    for p in facts.obligors or (PartyFacts(name=BLANK),):
        if p.kind is PartyKind.PERSON:
            lines += [
                f"被约谈人：{p.name}",
                f"身份证号码：{p.id_number or BLANK}",
                f"住址：{p.address or BLANK}",
            ]
        else:
            lines += [
                f"被约谈单位：{p.name}",
                f"统一社会信用代码：{p.id_number or BLANK}",
                f"住所：{p.address or BLANK}",
                f"法定代表人（负责人）：{p.legal_representative or BLANK}",
                f"到场人员：{BLANK}（□法定代表人　□委托代理人，授权委托书□已提交）",
                f"到场人员身份证号码：{BLANK}{BLANK}",
            ]
    return "\n".join(lines)


def _transfer_ground_text(facts: CaseFacts) -> tuple[str, str]:
    """The transfer letter's ground and its attachments (refused earlier when there is none)."""
    ground = transfer_ground(
        facts.original_doc_type or "判决书",
        facts.cause,
        facts.livelihood_kind,
        facts.application_received_on,
    )
    doc_type = facts.original_doc_type or "判决书"
    if ground is None:
        return BLANK, BLANK
    if ground.by_application and ground.application_received_on is not None:
        return (
            f"申请人{_names(facts.applicants)}已于{chinese_date(ground.application_received_on)}"
            "向本院提交申请执行书，申请强制执行",
            "申请人的申请执行书、",
        )
    return (
        f"该{doc_type}具有给付赡养费、扶养费或者抚养费的内容，依照《中华人民共和国民事诉讼法》"
        "第二百四十七条第一款和《最高人民法院关于人民法院执行工作若干问题的规定（试行）》"
        "关于此类法律文书由审判庭移送执行机构执行的规定，由本院移送执行",
        "",
    )


def build_context(
    facts: CaseFacts, *, issued_on: date, served: ServedFacts | None = None
) -> dict[str, str]:
    """The text of every placeholder for this case on this day."""
    obligor = facts.obligors[0] if facts.obligors else PartyFacts(name=BLANK)
    performed = performed_on(facts.issue_facts())
    grounds = f"经本院催告、督促，{_names(facts.obligors) or BLANK}至今尚有{unperformed_text(facts)}未清偿"
    if facts.bankruptcy_grounds:
        grounds += "；本院在督促中还了解到：" + "；".join(facts.bankruptcy_grounds)
    ground, attachments = _transfer_ground_text(facts)
    mediation = facts.mediation
    context = {
        "court_name": facts.court_name,
        "case_no": facts.case_no,
        "original_case_no": facts.original_case_no,
        "original_doc_type": facts.original_doc_type or "判决书",
        "cause": facts.cause,
        "effective_date": _date(facts.effective_date),
        "performance_deadline": _date(facts.performance_deadline),
        "department": facts.department or "审判部门",
        "trial_judge": facts.trial_judge or BLANK,
        "applicant": _names(facts.applicants) or BLANK,
        "applicant_address": _addresses(facts.applicants),
        "obligor": _names(facts.obligors) or BLANK,
        "obligor_address": _addresses(facts.obligors),
        "obligor_id": obligor.id_number or BLANK,
        "obligor_legal_rep": obligor.legal_representative or BLANK,
        "obligor_you": you(facts.obligors),
        "applicant_you": you(facts.applicants),
        "detention_subject": _detention_subject(facts.obligors),
        "interviewee_lines": _interviewee_lines(facts),
        "amount": format_amount(facts.amount_due),
        "amount_capital": capital_amount(facts.amount_due),
        "paid": format_amount(facts.amount_paid),
        "paid_capital": capital_amount(facts.amount_paid),
        "outstanding": format_amount(facts.outstanding),
        "outstanding_capital": capital_amount(facts.outstanding),
        "unperformed": unperformed_text(facts),
        "obligation": obligation_text(facts),
        "urging_days": chinese_count(facts.urging_days),
        "urging_end": _date(facts.urging_end),
        "issue_date": chinese_date(issued_on),
        "handler": facts.handler or BLANK,
        "contact": _contact(facts),
        "court_account": facts.court_account or "账户信息可向承办人询问",
        "court_address": facts.court_address or BLANK,
        "court_phone": facts.court_phone or BLANK,
        "performed_date": _date(performed),
        "performance_confirmed": performance_text(facts),
        "served_document": served.title if served else BLANK,
        "served_doc_no": served.doc_no if served else BLANK,
        "settlement_terms": settlement_terms_text(facts),
        "recipient": served.recipient if served else BLANK,
        "recipient_address": (served.address if served else None) or BLANK,
        "bankruptcy_grounds": grounds,
        # Only an enterprise legal person can be made bankrupt (企业破产法第二条), not a person
        # who owes together with it.
        "bankruptcy_debtor": _names(
            tuple(p for p in facts.obligors if p.kind is PartyKind.LEGAL_PERSON)
        )
        or BLANK,
        "transfer_ground": ground,
        "transfer_attachments": attachments,
        "mediator": mediation.mediator if mediation else BLANK,
        "mediation_start": _date(mediation.entrusted_on if mediation else None),
        "mediation_days": chinese_count(mediation.period_days) if mediation else BLANK,
        "mediation_end": _date(mediation.ends_on if mediation else None),
        # Without matters written, what the effective document orders is what is mediated.
        "mediation_matters": (mediation.matters if mediation else "") or "被申请人履行上述义务",
        **preservation_context(facts.preservation),
    }
    if context.keys() != PLACEHOLDERS.keys():
        raise RuntimeError(f"the placeholders filled differ from PLACEHOLDERS: {context.keys()}")
    return context


def check_glyphs(context: dict[str, str], fonts: PrintFonts) -> None:
    """Stop before printing when a value has a character no print font can draw."""
    for key, value in context.items():
        fonts.check(value, PLACEHOLDERS[key])


def check_kind(
    kind: DocumentKind, facts: CaseFacts, served: ServedFacts | None, on: date | None = None
) -> None:
    """Refuse a document the case's status or facts do not support, with what to do instead."""
    refusal = issue_refusal(kind, facts.issue_facts(), on)
    if refusal is not None:
        raise UserError(refusal)
    if kind is DocumentKind.SERVICE_RECEIPT and served is None:
        raise UserError("送达回证需要指明所送达的文书；请先出具要送达的文书")


def build_content(
    kind: DocumentKind,
    facts: CaseFacts,
    *,
    doc_id: str,
    doc_no: str,
    issued_on: date,
    served: ServedFacts | None = None,
    template: DocumentTemplate | None = None,
) -> tuple[dict[str, str], NoticeContent]:
    """The placeholder values and the complete text of one document."""
    check_kind(kind, facts, served, issued_on)
    context = build_context(facts, issued_on=issued_on, served=served)
    filled = (template or load_template(kind)).fill(context)
    paragraphs = [line for p in filled.paragraphs for line in p.split("\n")]
    header_lines = [line for p in filled.header_lines for line in p.split("\n")]
    # A ruling, and the notice carrying it out, are headed with the ruling's own number; the
    # ruling is dated the day it was made, whenever it is printed.
    ruling = facts.preservation if kind in RECORD_DOCUMENTS else None
    signed = ruling.ruled_on if ruling and kind is DocumentKind.PRESERVATION_RULING else issued_on
    heading = ruling.ruling_no if ruling else facts.case_no
    if kind in (DocumentKind.RELEASE_RULING, DocumentKind.RELEASE_NOTICE) and facts.release:
        heading = facts.release.ruling_no
        signed = facts.release.ruled_on if kind is DocumentKind.RELEASE_RULING else issued_on
    content = NoticeContent(
        kind=kind.value,
        doc_id=doc_id,
        doc_no=doc_no,
        court_name=facts.court_name,
        title=filled.title,
        case_no=heading,
        sign_date=chinese_date(signed),
        addressee=filled.addressee,
        header_lines=header_lines,
        paragraphs=paragraphs,
        table=filled.table,
        blank_lines=filled.blank_lines,
        sign_lines=filled.sign_lines,
        signature=filled.signature,
        notes=filled.notes,
        copies=filled.copies,
    )
    return context, content


def document_number(case_no: str, kind: DocumentKind, seq: int) -> str:
    return f"{case_no}-{SHORT_NAMES[kind]}{seq}"
