"""Contact logs (督促记录): logging calls and visits, corrections, attachments, applicant notices.

Logs are append-only. A correction is a new entry whose ``corrects_id`` points at the entry it
replaces; the original stays, shown struck through. Every write refreshes the case's derived
columns (so the docket's 下次到期 follows) and writes an audit event.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import court_date, court_time
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.kinds import MESSAGE_LOGS, ContactKind, DocumentKind, PartyRole
from zhiqian_desktop.domain.money import MAX_AMOUNT, format_amount
from zhiqian_desktop.domain.workflow import CaseAction, check_action
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import court_zone
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.staff import Choice, handler_choices
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import Problem, get_case, refresh_derived, split_phones
from zhiqian_desktop.services.supervision.service_records import document_served_on
from zhiqian_desktop.store.files import FileStore, file_store_of
from zhiqian_desktop.store.models import (
    Attachment,
    ContactLog,
    Document,
    Party,
    SupervisionCase,
    User,
)
from zhiqian_desktop.store.types import new_id, utcnow

CLOCK_SKEW = timedelta(minutes=5)
"""A desk PC's clock may run a little ahead; a time this close to now is not 'in the future'."""

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
OWNER_KIND = "contact_log"


@dataclass
class ContactInput:
    """What the contact dialog holds."""

    kind: ContactKind
    contacted_at: datetime
    reached: bool
    summary: str = ""
    handler_id: str | None = None
    party_id: str | None = None
    contact_name: str | None = None
    number_or_place: str | None = None
    promise_amount: Decimal | None = None
    promise_date: date | None = None
    next_follow_up: date | None = None
    others_present: str | None = None


def check_contact(data: ContactInput, now: datetime, zone: tzinfo) -> list[Problem]:
    """Every problem with the input, each tied to its field (``zone``: the court's, whose date
    the call was made on)."""
    problems: list[Problem] = []
    if data.contacted_at.tzinfo is None:
        problems.append(Problem("contacted_at", "督促时间缺少时区；请重新选择时间"))
        return problems
    if data.contacted_at > now + CLOCK_SKEW:
        problems.append(
            Problem(
                "contacted_at", "督促时间不能晚于现在；请填写实际联系的时间（可补记以前的联系）"
            )
        )
    day = court_date(data.contacted_at, zone)
    if data.reached and not data.summary.strip():
        problems.append(Problem("summary", "已接通/已见面的，请简要记录联系情况（被申请人的答复）"))
    if data.promise_amount is not None:
        if data.promise_amount < 0:
            problems.append(Problem("promise_amount", "承诺履行金额不能为负数"))
        elif data.promise_amount > MAX_AMOUNT:
            problems.append(Problem("promise_amount", "承诺履行金额过大；请检查是否多输了数字"))
        elif data.promise_amount != data.promise_amount.quantize(Decimal("0.01")):
            problems.append(Problem("promise_amount", "承诺履行金额只能精确到分"))
        if data.promise_date is None:
            problems.append(Problem("promise_date", "填写了承诺金额，请同时填写承诺履行日期"))
    if data.promise_date is not None and data.promise_date < day:
        problems.append(Problem("promise_date", f"承诺履行日期不能早于督促日期{day.isoformat()}"))
    if data.next_follow_up is not None and data.next_follow_up < day:
        problems.append(Problem("next_follow_up", f"下次跟进日期不能早于督促日期{day.isoformat()}"))
    if (data.promise_amount is not None or data.promise_date) and not data.reached:
        problems.append(
            Problem("reached", "未接通的联系不会有承诺；请勾选“已接通/已见面”或清空承诺")
        )
    return problems


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        first = problems[0]
        more = f"（另有{len(problems) - 1}处问题）" if len(problems) > 1 else ""
        raise UserError(first.message + more, field=first.field)


def _open_case_for_write(session: Session, actor: Actor, case_id: str) -> SupervisionCase:
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    check_action(case.status, CaseAction.LOG_CONTACT, case.case_no)
    return case


def _normalise(session: Session, case: SupervisionCase, data: ContactInput) -> ContactInput:
    party = None
    if data.party_id:
        party = session.get(Party, data.party_id)
        if party is None or party.case_id != case.id or party.deleted_at is not None:
            raise UserError("所选联系对象不是本案当事人；请重新选择", field="party_id")
    name = (data.contact_name or "").strip() or (party.name if party else None)
    return replace(
        data,
        summary=data.summary.strip(),
        contact_name=name,
        number_or_place=(data.number_or_place or "").strip() or None,
        others_present=(data.others_present or "").strip() or None,
    )


def _write(
    session: Session,
    actor: Actor,
    case: SupervisionCase,
    data: ContactInput,
    *,
    corrects: ContactLog | None,
    files: Sequence[Path],
    store: FileStore | None,
) -> ContactLog:
    log = ContactLog(
        id=new_id(),
        case_id=case.id,
        kind=data.kind,
        contacted_at=data.contacted_at,
        handler_id=data.handler_id or actor.user_id,
        party_id=data.party_id,
        contact_name=data.contact_name,
        number_or_place=data.number_or_place,
        reached=data.reached,
        summary=data.summary,
        promise_amount=data.promise_amount,
        promise_date=data.promise_date,
        next_follow_up=data.next_follow_up,
        others_present=data.others_present,
        corrects_id=corrects.id if corrects else None,
        updated_by=actor.username,
    )
    session.add(log)
    session.flush()
    if corrects is None:
        audit.record_event(
            session,
            actor,
            "create",
            "contact_log",
            log.id,
            case_id=case.id,
            after=audit.snapshot(log),
        )
    else:
        audit.record_event(
            session,
            actor,
            "correct",
            "contact_log",
            log.id,
            case_id=case.id,
            before=audit.snapshot(corrects),
            after=audit.snapshot(log),
        )
    for path in files:
        add_attachment(session, actor, log.id, path, store=store)
    settings = get_settings(session)
    refresh_derived(session, case, limit_days=settings.supervision_limit_days)
    session.flush()
    return log


@writes
def log_contact(
    session: Session,
    actor: Actor,
    case_id: str,
    data: ContactInput,
    *,
    now: datetime | None = None,
    attachments: Sequence[Path] = (),
    store: FileStore | None = None,
) -> ContactLog:
    """Record one call, visit or message for a case (one transaction with its attachments).

    ``store``: where the attachments' contents go (by default the store of the session's
    database)."""
    _check_logged_by_hand(data.kind)
    case = _open_case_for_write(session, actor, case_id)
    _raise_first(check_contact(data, now or utcnow(), court_zone(session)))
    data = _normalise(session, case, data)
    return _write(session, actor, case, data, corrects=None, files=attachments, store=store)


def _check_logged_by_hand(kind: ContactKind, original: ContactKind | None = None) -> None:
    """A message the court sent (回告, 履行提醒短信) is logged as it was sent, by the app that
    sent it: not typed in, and not corrected into a call, since what went out cannot change."""
    if original is not None and original in MESSAGE_LOGS:
        raise UserError(
            f"{original.label}按发出的内容记录，不能更正；"
            "如发出的内容有误，请另记一条督促记录说明情况"
        )
    if kind in MESSAGE_LOGS:
        raise UserError(
            f"{kind.label}由发出它的功能记入（执行信息回告：起草回告；履行提醒短信：短信发件箱），"
            "不能手工记录；请选择电话、约谈等督促方式",
            field="kind",
        )


@writes
def correct_contact(
    session: Session,
    actor: Actor,
    original_id: str,
    data: ContactInput,
    *,
    now: datetime | None = None,
    attachments: Sequence[Path] = (),
    store: FileStore | None = None,
) -> ContactLog:
    """Write a correction: a new entry pointing at the original, which stays as it was."""
    original = session.get(ContactLog, original_id)
    if original is None or original.deleted_at is not None:
        raise NotFound("要更正的督促记录不存在；请刷新后重试")
    later = session.scalar(
        select(ContactLog.id).where(
            ContactLog.corrects_id == original.id, ContactLog.deleted_at.is_(None)
        )
    )
    if later:
        raise UserError("这条记录已经更正过；请对最新的更正记录再作更正")
    _check_logged_by_hand(data.kind, original.kind)
    case = _open_case_for_write(session, actor, original.case_id)
    _raise_first(check_contact(data, now or utcnow(), court_zone(session)))
    data = _normalise(session, case, data)
    return _write(session, actor, case, data, corrects=original, files=attachments, store=store)


# --- attachments -------------------------------------------------------------------------------


def store_attachment(session: Session, source: Path, store: FileStore | None) -> tuple[str, int]:
    """Copy the file into the content-addressed store (once per content); its hash and size."""
    return (store or file_store_of(session)).put_file(
        session,
        source,
        max_bytes=MAX_ATTACHMENT_BYTES,
        too_big=f"附件“{source.name}”超过200MB；请压缩或分段后再添加",
    )


def add_attachment(
    session: Session, actor: Actor, log_id: str, source: Path, *, store: FileStore | None = None
) -> Attachment:
    """Keep a photo, recording or scan with a contact log."""
    log = session.get(ContactLog, log_id)
    if log is None:
        raise NotFound("督促记录不存在；请刷新后重试")
    case = get_case(session, log.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    sha, size = store_attachment(session, source, store)
    media_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    att = Attachment(
        case_id=log.case_id,
        owner_kind=OWNER_KIND,
        owner_id=log.id,
        sha256=sha,
        filename=source.name[:255],
        media_type=media_type,
        size=size,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "attachment", att, case_id=log.case_id)
    return att


# --- reading the log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentEntry:
    id: str
    filename: str
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class ContactEntry:
    """One log entry as the contacts tab shows it."""

    id: str
    kind: ContactKind
    contacted_at: datetime
    handler_name: str
    contact_name: str
    number_or_place: str
    reached: bool
    summary: str
    promise_amount: Decimal | None
    promise_date: date | None
    next_follow_up: date | None
    others_present: str
    corrects_id: str | None
    corrected_by_id: str | None
    local_time: str
    """When the call was made, on the court's clock."""
    attachments: tuple[AttachmentEntry, ...] = field(default=())
    party_id: str | None = None
    handler_id: str | None = None

    @property
    def superseded(self) -> bool:
        """Replaced by a correction (shown struck through)."""
        return self.corrected_by_id is not None


@reads
def list_contacts(session: Session, case_id: str) -> list[ContactEntry]:
    """The case's log in time order; each correction follows right after what it corrects."""
    rows = session.execute(
        select(ContactLog, func.coalesce(User.display_name, ""))
        .outerjoin(User, User.id == ContactLog.handler_id)
        .where(ContactLog.case_id == case_id, ContactLog.deleted_at.is_(None))
        .order_by(ContactLog.contacted_at, ContactLog.created_at)
    ).all()
    files: dict[str, list[AttachmentEntry]] = {}
    for att in session.scalars(
        select(Attachment)
        .where(
            Attachment.case_id == case_id,
            Attachment.owner_kind == OWNER_KIND,
            Attachment.deleted_at.is_(None),
        )
        .order_by(Attachment.created_at)
    ):
        files.setdefault(att.owner_id or "", []).append(
            AttachmentEntry(att.id, att.filename, att.size, att.sha256, att.media_type)
        )
    corrected_by = {log.corrects_id: log.id for log, _ in rows if log.corrects_id}
    zone = court_zone(session)
    entries = {
        log.id: ContactEntry(
            id=log.id,
            kind=log.kind,
            contacted_at=log.contacted_at,
            handler_name=name,
            contact_name=log.contact_name or "",
            number_or_place=log.number_or_place or "",
            reached=log.reached,
            summary=log.summary,
            promise_amount=log.promise_amount,
            promise_date=log.promise_date,
            next_follow_up=log.next_follow_up,
            others_present=log.others_present or "",
            corrects_id=log.corrects_id,
            corrected_by_id=corrected_by.get(log.id),
            local_time=court_time(log.contacted_at, zone),
            attachments=tuple(files.get(log.id, ())),
            party_id=log.party_id,
            handler_id=log.handler_id,
        )
        for log, name in rows
    }
    # Originals in time order; a correction is placed right after the entry it corrects.
    ordered: list[ContactEntry] = []
    for entry in entries.values():
        if entry.corrects_id is None or entry.corrects_id not in entries:
            chain = entry
            ordered.append(chain)
            while chain.corrected_by_id is not None:
                chain = entries[chain.corrected_by_id]
                ordered.append(chain)
    return ordered


@dataclass(frozen=True)
class ContactDefaults:
    """What the contact dialog starts with: whom to call and on which number."""

    case_no: str
    parties: tuple[tuple[str, str, str, tuple[str, ...]], ...]
    """(party id, role label, name, phones), obligors first."""
    handler_id: str | None


@reads
def contact_defaults(session: Session, actor: Actor, case_id: str) -> ContactDefaults:
    case = get_case(session, case_id)
    order = {PartyRole.OBLIGOR: 0, PartyRole.APPLICANT: 1, PartyRole.THIRD: 2}
    parties = sorted(case.parties, key=lambda p: (order[p.role], p.position))
    return ContactDefaults(
        case_no=case.case_no,
        parties=tuple((p.id, p.role.label, p.name, tuple(split_phones(p.phones))) for p in parties),
        handler_id=actor.user_id or case.handler_id,
    )


@dataclass(frozen=True)
class ContactForm:
    """What the contact dialog opens with: the case's parties and handler, the team's handlers,
    and for a correction the entry it corrects."""

    defaults: ContactDefaults
    handlers: list[Choice]
    original: ContactEntry | None


@reads
def contact_form(
    session: Session, actor: Actor, case_id: str, corrects_id: str | None = None
) -> ContactForm:
    return ContactForm(
        contact_defaults(session, actor, case_id),
        handler_choices(session),
        get_entry(session, corrects_id) if corrects_id else None,
    )


def contact_input_from(entry: ContactEntry) -> ContactInput:
    """A correction starts from the entry it corrects."""
    return ContactInput(
        kind=entry.kind,
        contacted_at=entry.contacted_at,
        reached=entry.reached,
        summary=entry.summary,
        handler_id=entry.handler_id,
        party_id=entry.party_id,
        contact_name=entry.contact_name or None,
        number_or_place=entry.number_or_place or None,
        promise_amount=entry.promise_amount,
        promise_date=entry.promise_date,
        next_follow_up=entry.next_follow_up,
        others_present=entry.others_present or None,
    )


@reads
def get_entry(session: Session, log_id: str) -> ContactEntry:
    log = session.get(ContactLog, log_id)
    if log is None or log.deleted_at is not None:
        raise NotFound("督促记录不存在；请刷新后重试")
    for entry in list_contacts(session, log.case_id):
        if entry.id == log_id:
            return entry
    raise NotFound("督促记录不存在；请刷新后重试")


# --- 执行信息回告: telling the applicant how the case stands -----------------------------------


@reads
def draft_applicant_notice(session: Session, case_id: str, *, today: date) -> str:
    """A message to the applicant about the progress of supervision, drafted from the case."""
    case = get_case(session, case_id)
    settings = get_settings(session)
    applicants = "、".join(p.name for p in case.parties if p.role is PartyRole.APPLICANT)
    obligors = case.obligor_names or "被申请人"
    handler = session.get(User, case.handler_id) if case.handler_id else None
    handler_name = handler.display_name if handler else "承办人"
    lines = [f"{applicants or '申请人'}：", ""]
    lines.append(
        f"    您与{obligors}{case.cause}一案（原审案号{case.original_case_no}），"
        f"本院已于{_cn_date(case.received_date)}立案督促，督促案号{case.case_no}，"
        f"承办人{handler_name}。现将督促履行情况告知如下："
    )
    urging = first_urging(session, case.id)
    # Served once every obligor it names was served (notices.document_served_on).
    served = document_served_on(session, urging) if urging is not None else None
    n = 1
    if urging is None:
        lines.append(f"    {n}. 本院正在制作自动履行催告书，将尽快向被申请人送达。")
    elif served is None:
        lines.append(
            f"    {n}. 本院已于{_cn_date(court_date(urging.issued_at, court_zone(session)))}制作自动履行催告书，"
            "正在向被申请人送达。"
        )
    else:
        lines.append(
            f"    {n}. 本院已于{_cn_date(served)}向被申请人送达自动履行催告书，"
            f"催告其在{settings.urging_days}日内自动履行。"
        )
    n += 1
    effective = [e for e in list_contacts(session, case.id) if not e.superseded]
    working = [e for e in effective if e.kind not in MESSAGE_LOGS]
    if working:
        reached = sum(1 for e in working if e.reached)
        last = working[-1]
        text = (
            f"    {n}. 本院共联系被申请人{len(working)}次（其中接通或见面{reached}次），"
            f"最近一次为{_cn_date(court_date(last.contacted_at, court_zone(session)))}{last.kind.label}"
        )
        if last.promise_date is not None:
            amount = f"{format_amount(last.promise_amount)}" if last.promise_amount else "履行义务"
            text += f"，被申请人承诺于{_cn_date(last.promise_date)}前履行{amount}"
        lines.append(text + "。")
        n += 1
    outstanding = max(case.amount_due - case.amount_paid, Decimal("0.00"))
    if case.amount_due > 0:
        lines.append(
            f"    {n}. 生效法律文书确定的给付金额为{format_amount(case.amount_due)}，"
            f"截至{_cn_date(today)}被申请人已履行{format_amount(case.amount_paid)}，"
            f"尚未履行{format_amount(outstanding)}。"
        )
        n += 1
    lines.append(
        f"    {n}. 本院将继续督促被申请人履行；督促期限届满仍未履行的，本院将依法移送执行立案，"
        "您无需另行提交执行申请。"
    )
    phone = f"，联系电话{settings.court_phone}" if settings.court_phone else ""
    lines += ["", f"    如有疑问，请与承办人{handler_name}联系{phone}。", ""]
    lines += [f"{settings.court_name}", _cn_date(today)]
    return "\n".join(lines)


def first_urging(session: Session, case_id: str) -> Document | None:
    """The case's first live 自动履行催告书 (what the applicant is told about)."""
    return session.scalars(
        select(Document)
        .where(
            Document.case_id == case_id,
            Document.kind == DocumentKind.URGING.value,
            Document.voided.is_(False),
            Document.deleted_at.is_(None),
        )
        .order_by(Document.issued_at)
        .limit(1)
    ).first()


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@writes
def log_applicant_notice(
    session: Session,
    actor: Actor,
    case_id: str,
    text: str,
    *,
    how: str | None = None,
    now: datetime | None = None,
) -> ContactLog:
    """Log that the applicant was told (执行信息回告), keeping the text that was sent."""
    if not text.strip():
        raise UserError("回告内容为空；请先起草回告内容", field="summary")
    case = _open_case_for_write(session, actor, case_id)
    moment = now or utcnow()
    applicant = next((p for p in case.parties if p.role is PartyRole.APPLICANT), None)
    phones = split_phones(applicant.phones) if applicant else []
    data = ContactInput(
        kind=ContactKind.APPLICANT_NOTICE,
        contacted_at=moment,
        reached=True,
        summary=text.strip(),
        party_id=applicant.id if applicant else None,
        number_or_place=how or (phones[0] if phones else None),
    )
    _raise_first(check_contact(data, moment, court_zone(session)))
    data = _normalise(session, case, data)
    return _write(session, actor, case, data, corrects=None, files=(), store=None)


def log_message_sent(
    session: Session,
    actor: Actor,
    case: SupervisionCase,
    *,
    kind: ContactKind,
    party_id: str | None,
    phone: str,
    summary: str,
    sent: bool,
    at: datetime,
) -> ContactLog:
    """Log a text message the platform sent (or failed to send) on the case, whatever its status
    now: the message went out while the case was worked."""
    data = ContactInput(
        kind=kind,
        contacted_at=at,
        reached=sent,
        summary=summary,
        party_id=party_id,
        number_or_place=phone,
    )
    _raise_first(check_contact(data, at, court_zone(session)))
    data = _normalise(session, case, data)
    return _write(session, actor, case, data, corrects=None, files=(), store=None)
