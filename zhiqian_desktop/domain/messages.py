"""短信发件箱: the rules for the text messages the team sends through the court's SMS platform —
progress reports to the applicant (执行信息回告) and reminders to the obligor before an instalment
or a promised payment falls due (履行提醒).

The app never sends anything. A message is drafted from the case, edited and approved by the
case's handler (or the team lead), exported with the other approved messages in one file the
court's SMS platform (often 12368) imports, and marked sent or failed when the platform's result
file is read back:

    草稿 draft ──approve──► 已审核 approved ──export──► 已导出 exported ──result──► 已发送 sent
      ▲  edit                  │ edit (back to draft)                      └──────► 发送失败 failed
      └────────────────────────┴───────────────── edit (a failed one, to send again) ◄──┘
    draft, approved or failed ──discard──► 已作废 discarded

A message is exported once: an exported one waits for its result, a sent one is never edited or
exported again.

Length: a text is counted in UTF-16 units, as the SMS network carries Chinese (UCS-2; a character
beyond the BMP takes two). Up to 70 units go in one message; a longer text is split into parts of
67 units each (the other three carry the part's header), which the phone joins again. The outbox
keeps a text within five parts (335 units), which every platform the courts use accepts as one
long message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from zhiqian_desktop.domain.due_facts import CaseFacts
from zhiqian_desktop.domain.dues import promise_paid, unpaid_installments
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MessageStatus
from zhiqian_desktop.domain.workflow import CaseStatus

SINGLE_UNITS = 70
PART_UNITS = 67
MAX_PARTS = 5
MAX_UNITS = PART_UNITS * MAX_PARTS

DEFAULT_LEAD_DAYS = 3
MAX_LEAD_DAYS = 30

# --- phone numbers ----------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{9,11}|[2-9][0-9]{6,7}|[48]00[0-9]{7}")


def normalise_mobile(text: str, *, who: str = "") -> str:
    """The 11-digit mainland mobile number in ``text`` (+86, 86, 0086, spaces, dashes and
    brackets taken away; full-width digits read as digits), or the clerk's UserError."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    number = _SEPARATORS.sub("", raw)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    else:
        if number.startswith("86") and len(number) == 13:
            number = number[2:]
    if not raw:
        raise UserError(f"{who}没有手机号码；请先在当事人信息中填写手机号码", field="phone")
    if _MOBILE.fullmatch(number):
        return number
    if _LANDLINE.fullmatch(number):
        raise UserError(
            f"{who}的号码“{raw}”是固定电话，不能接收短信；请填写1开头的11位手机号码",
            field="phone",
        )
    raise UserError(
        f"{who}的号码“{raw}”不是手机号码；手机号码应为1开头的11位数字（可带+86）",
        field="phone",
    )


def mobiles_in(phones: Sequence[str]) -> list[str]:
    """The mobile numbers among a party's phones, normalised, in their order, without repeats."""
    found: list[str] = []
    for phone in phones:
        try:
            number = normalise_mobile(phone)
        except UserError:
            continue
        if number not in found:
            found.append(number)
    return found


# --- the text ---------------------------------------------------------------------------------------


def sms_units(text: str) -> int:
    """The text's length as the SMS network counts it (UTF-16 units)."""
    return len(text.encode("utf-16-le")) // 2


def sms_parts(text: str) -> int:
    """How many messages the text is sent as (0 for no text)."""
    units = sms_units(text)
    if units <= SINGLE_UNITS:
        return 1 if units else 0
    return -(-units // PART_UNITS)


def length_note(text: str) -> str:
    """What the edit box shows under the text: 86字，分2条发送."""
    return f"{sms_units(text)}字，分{sms_parts(text)}条发送（上限{MAX_UNITS}字）"


def check_text(text: str) -> str:
    """The text as stored (line ends made \\n, blanks trimmed) or the clerk's UserError."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise UserError("短信内容为空；请填写要发送的内容", field="text")
    for ch in text:
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            raise UserError(
                f"短信内容含有看不见的控制字符（U+{ord(ch):04X}）；请删除后重新输入", field="text"
            )
    units = sms_units(text)
    if units > MAX_UNITS:
        raise UserError(
            f"短信内容有{units}字，超过{MAX_UNITS}字（{MAX_PARTS}条短信）的上限；请删减后再保存",
            field="text",
        )
    return text


def sms_amount(amount: Decimal) -> str:
    """An amount as a message says it: 12,345.60元."""
    return f"{amount.quantize(Decimal('0.01')):,}元"


def sms_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class ProgressFacts:
    """What the progress message may say, all read from the case as it stands."""

    court_name: str
    applicant: str
    obligors: str
    cause: str
    case_no: str
    received_on: date
    handler: str
    court_phone: str
    urging_issued_on: date | None
    urging_served_on: date | None
    settled_on: date | None
    contacts: int
    reached: int
    promise_on: date | None
    promise_amount: Decimal | None
    amount_due: Decimal
    amount_paid: Decimal
    today: date


def progress_text(f: ProgressFacts) -> str:
    """进展回告: a short message to the applicant saying where supervision stands — only what
    the case records (the notice served or not, a settlement being performed, the contacts, a
    promise, the amounts)."""
    parts = [
        f"【{f.court_name}】{f.applicant}：您与{f.obligors}{f.cause}一案已于"
        f"{sms_date(f.received_on)}立案督促，案号{f.case_no}。"
    ]
    if f.settled_on is not None:
        parts.append(f"双方已于{sms_date(f.settled_on)}达成和解协议。")
    if f.urging_served_on is not None:
        parts.append(f"本院已于{sms_date(f.urging_served_on)}向被申请人送达自动履行催告书。")
    elif f.urging_issued_on is not None:
        parts.append("自动履行催告书正在向被申请人送达。")
    if f.contacts:
        said = f"本院已联系被申请人{f.contacts}次（接通或见面{f.reached}次）"
        if f.promise_on is not None:
            what = sms_amount(f.promise_amount) if f.promise_amount else "义务"
            said += f"，其承诺于{sms_date(f.promise_on)}前履行{what}"
        parts.append(said + "。")
    if f.amount_due > 0:
        outstanding = max(f.amount_due - f.amount_paid, Decimal("0.00"))
        parts.append(
            f"截至{sms_date(f.today)}已履行{sms_amount(f.amount_paid)}，"
            f"尚欠{sms_amount(outstanding)}。"
        )
    phone = f"，电话{f.court_phone}" if f.court_phone else ""
    parts.append(f"承办人{f.handler}{phone}。")
    return "".join(parts)


# --- reminders --------------------------------------------------------------------------------------


def check_lead_days(days: object) -> int:
    """How many days before a payment falls due its reminder is drafted (设置 › 法院信息)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_LEAD_DAYS:
        raise UserError(
            f"履行提醒提前天数“{days}”不正确；应为1至{MAX_LEAD_DAYS}之间的整数"
            f"（通常为{DEFAULT_LEAD_DAYS}天）",
            field="reminder_lead_days",
        )
    return days


def within_lead(due_on: date, today: date, lead_days: int) -> bool:
    """A payment falling due today or in the next ``lead_days`` days is reminded of; one
    already past is the due-list's business, not a reminder's."""
    return today <= due_on <= today + timedelta(days=lead_days)


@dataclass(frozen=True)
class ReminderDue:
    """A payment the obligor is to be reminded of: an instalment (``seq``) or a promise
    (``promised_on``, the day it was made)."""

    source: str
    """Which payment, so that drafting twice makes one reminder: installment:seq:day due or
    promise:day promised:day due."""
    due_on: date
    outstanding: Decimal | None
    seq: int | None = None
    promised_on: date | None = None

    @property
    def what(self) -> str:
        return "承诺履行" if self.seq is None else f"和解协议第{self.seq}期"


def reminders_due(facts: CaseFacts, today: date, lead_days: int) -> list[ReminderDue]:
    """The settlement's unpaid instalments and the unkept promise of the latest contact that
    fall due within the lead days."""
    found: list[ReminderDue] = []
    if facts.status is CaseStatus.SETTLED:
        for inst, paid in unpaid_installments(facts):
            if within_lead(inst.due_date, today, lead_days):
                source = f"installment:{inst.seq}:{inst.due_date.isoformat()}"
                found.append(ReminderDue(source, inst.due_date, inst.amount - paid, seq=inst.seq))
    contact = facts.latest_contact
    if contact is not None and contact.promise_date is not None:
        paid, kept = promise_paid(facts, contact)
        if not kept and within_lead(contact.promise_date, today, lead_days):
            promised = contact.promise_amount
            made, due_on = contact.contacted_on, contact.promise_date
            found.append(
                ReminderDue(
                    f"promise:{made.isoformat()}:{due_on.isoformat()}",
                    due_on,
                    promised - paid if promised else None,
                    promised_on=made,
                )
            )
    return found


def reminder_text(
    due: ReminderDue, *, court_name: str, obligor: str, case_no: str, handler: str, phone: str
) -> str:
    """履行提醒: the payment, its day and what is still owed on it, and whom to call."""
    owed = sms_amount(due.outstanding) if due.outstanding else "义务"
    if due.promised_on is not None:
        said = f"您于{sms_date(due.promised_on)}承诺于{sms_date(due.due_on)}前履行{owed}"
    else:
        said = f"按和解协议，您应于{sms_date(due.due_on)}前履行第{due.seq}期{owed}"
    call = f"，电话{phone}" if phone else ""
    return (
        f"【{court_name}】{obligor}：{case_no}案，{said}，请按期履行。"
        f"如有疑问请联系承办人{handler}{call}。"
    )


# --- the steps of a message ---------------------------------------------------------------------


class Step(StrEnum):
    EDIT = "edit"
    APPROVE = "approve"
    EXPORT = "export"
    SENT = "sent"
    FAILED = "failed"
    DISCARD = "discard"


NEXT: Mapping[tuple[Step, MessageStatus], MessageStatus] = {
    (Step.EDIT, MessageStatus.DRAFT): MessageStatus.DRAFT,
    (Step.EDIT, MessageStatus.APPROVED): MessageStatus.DRAFT,
    (Step.EDIT, MessageStatus.FAILED): MessageStatus.DRAFT,
    (Step.APPROVE, MessageStatus.DRAFT): MessageStatus.APPROVED,
    (Step.EXPORT, MessageStatus.APPROVED): MessageStatus.EXPORTED,
    (Step.SENT, MessageStatus.EXPORTED): MessageStatus.SENT,
    (Step.FAILED, MessageStatus.EXPORTED): MessageStatus.FAILED,
    (Step.DISCARD, MessageStatus.DRAFT): MessageStatus.DISCARDED,
    (Step.DISCARD, MessageStatus.APPROVED): MessageStatus.DISCARDED,
    (Step.DISCARD, MessageStatus.FAILED): MessageStatus.DISCARDED,
}
"""(step, status now) → status after; a pair not listed is refused."""

_WHY_NOT = {
    MessageStatus.DRAFT: "还是草稿，尚未审核",
    MessageStatus.APPROVED: "已审核",
    MessageStatus.EXPORTED: "已导出，正等待短信平台的发送结果",
    MessageStatus.SENT: "已发送",
    MessageStatus.FAILED: "发送失败",
    MessageStatus.DISCARDED: "已作废",
}
_WHAT = {
    Step.EDIT: "修改",
    Step.APPROVE: "审核",
    Step.EXPORT: "导出",
    Step.SENT: "登记为已发送",
    Step.FAILED: "登记为发送失败",
    Step.DISCARD: "作废",
}
_HOW = {
    Step.EDIT: "已发送的短信不再修改；需要再告知时请起草新的短信",
    Step.APPROVE: "只有草稿需要审核",
    Step.EXPORT: "只导出已审核、尚未导出的短信",
    Step.SENT: "只有已导出的短信等待发送结果；这个结果文件可能已经读回过",
    Step.FAILED: "只有已导出的短信等待发送结果；这个结果文件可能已经读回过",
    Step.DISCARD: "已导出或已发送的短信不能作废",
}


def next_status(step: Step, status: MessageStatus, label: str) -> MessageStatus:
    """The status after ``step``, or the clerk's UserError naming the message (``label``)."""
    after = NEXT.get((step, status))
    if after is None:
        raise UserError(f"{label}{_WHY_NOT[status]}，不能{_WHAT[step]}；{_HOW[step]}")
    return after


# --- the export and the platform's result file ------------------------------------------------------

EXPORT_HEADERS = ("手机号码", "姓名", "短信内容", "消息编号")
"""The columns of the exported file, in order (the platform reads the first three)."""


def batch_code(day: date, seq: int) -> str:
    """The export batch's code: the day and its number that day (20261202-01)."""
    return f"{day:%Y%m%d}-{seq:02d}"


def message_ref(batch: str, n: int) -> str:
    """A message's number in its batch, the id the result file brings back (20261202-01-003)."""
    return f"{batch}-{n:03d}"


RESULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "ref": ("消息编号", "编号", "id", "消息id", "msgid"),
    "phone": ("手机号码", "手机号", "号码", "电话", "phone", "mobile"),
    "status": ("发送状态", "状态", "发送结果", "结果", "status"),
    "reason": ("失败原因", "原因", "备注", "说明", "reason"),
}
REQUIRED_COLUMNS = ("ref", "phone", "status")
SENT_WORDS = frozenset({"成功", "发送成功", "已发送", "success", "ok", "delivered"})
FAILED_WORDS = frozenset({"失败", "发送失败", "未发送", "fail", "failed"})


def result_columns(header: Sequence[str], file_name: str) -> dict[str, int]:
    """Which column holds what, from the header row (case, blanks and full-width forms ignored)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = unicodedata.normalize("NFKC", cell or "").strip().lower().replace(" ", "")
        for key, names in RESULT_COLUMNS.items():
            if name in names and key not in found:
                found[key] = index
    missing = [RESULT_COLUMNS[key][0] for key in REQUIRED_COLUMNS if key not in found]
    if missing:
        raise UserError(
            f"结果文件“{file_name}”的第1行缺少“{'”“'.join(missing)}”列；结果文件应有"
            "消息编号、手机号码、发送状态（成功/失败）和失败原因四列；未登记任何结果"
        )
    return found


@dataclass(frozen=True)
class ResultRow:
    line: int
    ref: str
    phone: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class Awaiting:
    """A message as the outbox holds it, for matching the result file."""

    ref: str
    phone: str
    batch: str
    status: MessageStatus


@dataclass(frozen=True)
class Outcome:
    ref: str
    sent: bool
    reason: str


def match_results(
    rows: Sequence[ResultRow], outbox: Mapping[str, Awaiting], file_name: str
) -> list[Outcome]:
    """Each row's outcome, or one UserError naming the first row that does not belong: every
    row must name a message of one export batch still waiting for its result, with the phone
    it was exported to and a status of 成功 or 失败."""

    def refuse(row: ResultRow, why: str) -> UserError:
        return UserError(f"结果文件“{file_name}”第{row.line}行{why}；未登记任何结果")

    if not rows:
        raise UserError(f"结果文件“{file_name}”中没有结果行；请选择短信平台导出的发送结果文件")
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    batch = ""
    for row in rows:
        message = outbox.get(row.ref.strip())
        if message is None:
            raise refuse(
                row, f"的消息编号“{row.ref}”不是本系统导出的短信；请核对是否选错了结果文件"
            )
        if message.ref in seen:
            raise refuse(row, f"的消息编号“{message.ref}”重复出现；每条短信只应有一个结果")
        seen.add(message.ref)
        batch = batch or message.batch
        if message.batch != batch:
            raise refuse(
                row,
                f"的短信属于导出批次{message.batch}，而前面的行属于批次{batch}；"
                "请每次读回一个批次的结果文件",
            )
        if message.status is not MessageStatus.EXPORTED:
            raise refuse(
                row,
                f"的短信{message.ref}{_WHY_NOT[message.status]}，不在等待发送结果"
                "（这个结果文件可能已经读回过）",
            )
        try:
            phone = normalise_mobile(row.phone)
        except UserError:
            phone = ""
        if phone != message.phone:
            raise refuse(
                row, f"的手机号码“{row.phone}”与导出时的号码不同；请核对是否选错了结果文件"
            )
        word = unicodedata.normalize("NFKC", row.status).strip().lower()
        if word not in SENT_WORDS | FAILED_WORDS:
            raise refuse(row, f"的发送状态“{row.status}”无法识别；应为“成功”或“失败”")
        outcomes.append(Outcome(message.ref, word in SENT_WORDS, row.reason.strip()))
    return outcomes
