"""短信发件箱: drafting progress reports to applicants and reminders to obligors, editing,
approving and discarding them, and listing the outbox. Exporting the approved ones and reading the
platform's result back are in message_files.py. The rules are in domain/messages.py; every write
is audited, and nothing is ever sent from here.

Who: a message is drafted, edited, approved and discarded by the handler of its case or the team
lead (an administrator too), as anything written on a case (Actor.require_case_edit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import court_date
from zhiqian_desktop.domain.errors import NotFound, UserError, check_version
from zhiqian_desktop.domain.kinds import (
    MESSAGE_LOGS,
    MessageKind,
    MessageStatus,
    PartyRole,
    SettlementStatus,
)
from zhiqian_desktop.domain.messages import (
    ProgressFacts,
    ReminderDue,
    Step,
    check_text,
    mobiles_in,
    next_status,
    normalise_mobile,
    progress_text,
    reminder_text,
    reminders_due,
)
from zhiqian_desktop.domain.workflow import CaseAction, CaseStatus, check_action
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import court_zone
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case, split_phones
from zhiqian_desktop.services.supervision.contacts import first_urging, list_contacts
from zhiqian_desktop.services.supervision.dues import DueFilter, load_facts
from zhiqian_desktop.services.supervision.service_records import document_served_on
from zhiqian_desktop.store.models import (
    OfflineKit,
    OutboxMessage,
    Party,
    Settlement,
    SupervisionCase,
    User,
)
from zhiqian_desktop.store.types import utcnow

UNSENT = (MessageStatus.DRAFT, MessageStatus.APPROVED)


@dataclass(frozen=True)
class MessageRow:
    """One message as the outbox and the case page show it."""

    id: str
    version: int
    case_id: str
    case_no: str
    handler_id: str | None
    kind: MessageKind
    name: str
    phone: str
    text: str
    for_date: date
    status: MessageStatus
    approved_by: str
    batch: str
    ref: str
    result_note: str
    result_at: datetime | None


def _row(m: OutboxMessage, case: SupervisionCase) -> MessageRow:
    return MessageRow(
        id=m.id,
        version=m.version,
        case_id=case.id,
        case_no=case.case_no,
        handler_id=case.handler_id,
        kind=m.kind,
        name=m.name,
        phone=m.phone,
        text=m.text,
        for_date=m.for_date,
        status=m.status,
        approved_by=m.approved_by or "",
        batch=m.batch or "",
        ref=m.ref or "",
        result_note=m.result_note or "",
        result_at=m.result_at,
    )


@reads
def outbox(
    session: Session,
    *,
    status: MessageStatus | None = None,
    case_id: str | None = None,
    batch: str | None = None,
) -> list[MessageRow]:
    """The outbox, the messages waiting longest first (a case's own: ``case_id``)."""
    query = (
        select(OutboxMessage, SupervisionCase)
        .join(SupervisionCase, SupervisionCase.id == OutboxMessage.case_id)
        .where(OutboxMessage.deleted_at.is_(None), SupervisionCase.deleted_at.is_(None))
        .order_by(OutboxMessage.for_date, SupervisionCase.case_no, OutboxMessage.created_at)
    )
    if status is not None:
        query = query.where(OutboxMessage.status == status.value)
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    if batch is not None:
        query = query.where(OutboxMessage.batch == batch)
    return [_row(m, case) for m, case in session.execute(query)]


@reads
def outbox_counts(session: Session) -> dict[MessageStatus, int]:
    """How many messages stand at each status (the outbox's filter shows them)."""
    counts = dict.fromkeys(MessageStatus, 0)
    for status, n in session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.deleted_at.is_(None))
        .group_by(OutboxMessage.status)
    ):
        counts[status] = n
    return counts


def _message(session: Session, message_id: str) -> tuple[OutboxMessage, SupervisionCase]:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.deleted_at is not None:
        raise NotFound("这条短信已不在发件箱中；请刷新后重试")
    return message, get_case(session, message.case_id)


def message_label(m: OutboxMessage, case: SupervisionCase) -> str:
    return f"案件{case.case_no}发给{m.name}的{m.kind.label}短信"


def change_message(
    session: Session, actor: Actor, m: OutboxMessage, case: SupervisionCase, **values: object
) -> None:
    before = audit.snapshot(m)
    for key, value in values.items():
        setattr(m, key, value)
    m.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "outbox_message",
        m.id,
        case_id=case.id,
        before=before,
        after=audit.snapshot(m),
    )


# --- drafting -------------------------------------------------------------------------------------


def refuse_on_a_laptop(session: Session) -> None:
    """The outbox is the court's: the SMS platform is there, and a kit neither carries messages
    nor brings any back (exchange/kits.py leaves them out)."""
    laptop = select(OfflineKit.id).where(OfflineKit.role == "laptop").limit(1)
    if session.scalar(laptop) is not None:
        raise UserError(
            "这是派出法庭的离线工作包：短信经法院的短信平台发送，离线包中不能起草、导出或读回短信；"
            "请回到法院后在短信发件箱中办理"
        )


def _case_for_drafting(session: Session, actor: Actor, case_id: str) -> SupervisionCase:
    refuse_on_a_laptop(session)
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    check_action(case.status, CaseAction.LOG_CONTACT, case.case_no)
    return case


def _mobile_of(party: Party) -> str:
    """The party's first mobile number, or the UserError saying why it has none."""
    phones = split_phones(party.phones)
    found = mobiles_in(phones)
    if found:
        return found[0]
    # Refused: the first number is a landline or not a phone, or there is none.
    return normalise_mobile(phones[0] if phones else "", who=f"{party.role.label}{party.name}")


def _handler_name(session: Session, case: SupervisionCase) -> str:
    handler = session.get(User, case.handler_id) if case.handler_id else None
    return handler.display_name if handler else "承办人"


@reads
def progress_facts(session: Session, case_id: str, *, today: date) -> ProgressFacts:
    """What the case records that a progress report may tell the applicant."""
    case = get_case(session, case_id)
    settings = get_settings(session)
    zone = court_zone(session)
    urging = first_urging(session, case.id)
    working = [
        e
        for e in list_contacts(session, case.id)
        if not e.superseded and e.kind not in MESSAGE_LOGS
    ]
    last = working[-1] if working else None
    applicants = [p.name for p in case.parties if p.role is PartyRole.APPLICANT]
    return ProgressFacts(
        court_name=settings.court_name,
        applicant="、".join(applicants) or "申请人",
        obligors=case.obligor_names or "被申请人",
        cause=case.cause,
        case_no=case.case_no,
        received_on=case.received_date,
        handler=_handler_name(session, case),
        court_phone=settings.court_phone or "",
        urging_issued_on=court_date(urging.issued_at, zone) if urging else None,
        urging_served_on=document_served_on(session, urging) if urging else None,
        settled_on=session.scalar(
            select(Settlement.signed_on)
            .where(
                Settlement.case_id == case.id,
                Settlement.status == SettlementStatus.ACTIVE.value,
                Settlement.deleted_at.is_(None),
            )
            .order_by(Settlement.signed_on.desc())
            .limit(1)
        )
        if case.status is CaseStatus.SETTLED
        else None,
        contacts=len(working),
        reached=sum(1 for e in working if e.reached),
        promise_on=last.promise_date if last else None,
        promise_amount=last.promise_amount if last else None,
        amount_due=case.amount_due,
        amount_paid=case.amount_paid,
        today=today,
    )


def _add(
    session: Session,
    actor: Actor,
    case: SupervisionCase,
    party: Party,
    *,
    kind: MessageKind,
    phone: str,
    text: str,
    for_date: date,
    reminder_of: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        case_id=case.id,
        party_id=party.id,
        kind=kind,
        phone=phone,
        name=party.name,
        text=check_text(text),
        for_date=for_date,
        reminder_of=reminder_of,
        status=MessageStatus.DRAFT,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "outbox_message", message, case_id=case.id)
    return message


@writes
def draft_progress(
    session: Session, actor: Actor, case_id: str, *, today: date
) -> list[MessageRow]:
    """进展回告: a draft to each applicant with a mobile number, from the case as it stands. A
    case with an unsent one already is refused (edit or discard that one instead)."""
    case = _case_for_drafting(session, actor, case_id)
    waiting = session.scalar(
        select(func.count()).where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.kind == MessageKind.PROGRESS.value,
            OutboxMessage.status.in_([s.value for s in UNSENT]),
            OutboxMessage.deleted_at.is_(None),
        )
    )
    if waiting:
        raise UserError(
            f"案件{case.case_no}已有尚未发送的进展回告短信；请在短信发件箱中修改或作废后再起草"
        )
    applicants = [p for p in case.parties if p.role is PartyRole.APPLICANT]
    if not applicants:
        raise UserError(f"案件{case.case_no}没有申请人；请先在案件信息中补充申请人")
    phones: list[tuple[Party, str]] = []
    refusals: list[UserError] = []
    for party in applicants:
        try:
            phones.append((party, _mobile_of(party)))
        except UserError as exc:
            refusals.append(exc)
    if not phones:
        raise refusals[0]
    text = progress_text(progress_facts(session, case.id, today=today))
    drafted = [
        _add(
            session,
            actor,
            case,
            party,
            kind=MessageKind.PROGRESS,
            phone=phone,
            text=text,
            for_date=today,
        )
        for party, phone in phones
    ]
    return [_row(m, case) for m in drafted]


@dataclass(frozen=True)
class ReminderRun:
    drafted: list[MessageRow]
    skipped: list[str]
    """The obligors a reminder is due for who have no mobile number, in the clerk's words."""


@writes
def draft_reminders(
    session: Session, actor: Actor, *, today: date, case_id: str | None = None
) -> ReminderRun:
    """履行提醒: a draft to each obligor with a mobile number for every unpaid instalment and
    unkept promise falling due within the court's lead days (设置), over the open cases the user
    may work on (one case: ``case_id``). Drafting again adds only what is new: a payment once
    drafted for (even if that draft was discarded) is not drafted again."""
    actor.require_write()
    refuse_on_a_laptop(session)
    lead = get_settings(session).reminder_lead_days
    scope = DueFilter(case_ids=frozenset({case_id}) if case_id else None)
    if case_id is not None:
        _case_for_drafting(session, actor, case_id)
    done = {
        (case, party, source)
        for case, party, source in session.execute(
            select(OutboxMessage.case_id, OutboxMessage.party_id, OutboxMessage.reminder_of).where(
                OutboxMessage.kind == MessageKind.REMINDER.value,
                OutboxMessage.deleted_at.is_(None),
            )
        )
    }
    drafted: list[MessageRow] = []
    skipped: list[str] = []
    for facts in load_facts(session, scope):
        if not actor.may_edit_case(facts.handler_id):
            continue
        due = reminders_due(facts, today, lead)
        if not due:
            continue
        case = get_case(session, facts.case_id)
        for party in (p for p in case.parties if p.role is PartyRole.OBLIGOR):
            for item in due:
                if (case.id, party.id, item.source) in done:
                    continue
                try:
                    phone = _mobile_of(party)
                except UserError as exc:
                    skipped.append(f"案件{case.case_no}：{exc.message}")
                    break
                text = _reminder_text(session, case, party, item)
                m = _add(
                    session,
                    actor,
                    case,
                    party,
                    kind=MessageKind.REMINDER,
                    phone=phone,
                    text=text,
                    for_date=item.due_on,
                    reminder_of=item.source,
                )
                drafted.append(_row(m, case))
    return ReminderRun(drafted, skipped)


def _reminder_text(session: Session, case: SupervisionCase, party: Party, item: ReminderDue) -> str:
    settings = get_settings(session)
    return reminder_text(
        item,
        court_name=settings.court_name,
        obligor=party.name,
        case_no=case.case_no,
        handler=_handler_name(session, case),
        phone=settings.court_phone or "",
    )


# --- editing, approving, discarding ----------------------------------------------------------------


@writes
def edit_message(
    session: Session,
    actor: Actor,
    message_id: str,
    *,
    text: str,
    phone: str | None = None,
    expected_version: int | None = None,
) -> MessageRow:
    """Change a message's text (and number); an approved or failed one goes back to draft and
    needs approving again."""
    m, case = _message(session, message_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if expected_version is not None:
        check_version(m.version, expected_version, message_label(m, case))
    status = next_status(Step.EDIT, m.status, message_label(m, case))
    number = normalise_mobile(phone, who=m.name) if phone is not None else m.phone
    change_message(
        session,
        actor,
        m,
        case,
        text=check_text(text),
        phone=number,
        status=status,
        approved_by=None,
        approved_at=None,
        batch=None,
        ref=None,
        exported_at=None,
        result_note=None,
        result_at=None,
    )
    return _row(m, case)


@writes
def approve_messages(
    session: Session, actor: Actor, message_ids: Sequence[str], *, now: datetime | None = None
) -> int:
    """审核: the handler (or the lead) approves drafts for export; all or none."""
    if not message_ids:
        raise UserError("没有选中要审核的短信；请先在列表中选择")
    moment = now or utcnow()
    for message_id in message_ids:
        m, case = _message(session, message_id)
        actor.require_case_edit(case.handler_id, case.case_no)
        status = next_status(Step.APPROVE, m.status, message_label(m, case))
        change_message(
            session,
            actor,
            m,
            case,
            status=status,
            approved_by=actor.display_name,
            approved_at=moment,
        )
    return len(message_ids)


@writes
def discard_message(
    session: Session, actor: Actor, message_id: str, *, expected_version: int | None = None
) -> MessageRow:
    """作废: a message that will not be sent (kept, so the same reminder is not drafted again)."""
    m, case = _message(session, message_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if expected_version is not None:
        check_version(m.version, expected_version, message_label(m, case))
    status = next_status(Step.DISCARD, m.status, message_label(m, case))
    change_message(session, actor, m, case, status=status)
    return _row(m, case)


@reads
def find_message(session: Session, key: str) -> MessageRow:
    """A message by its id, the start of its id (8 characters at least) or its export number."""
    key = key.strip()
    query = select(OutboxMessage).where(OutboxMessage.deleted_at.is_(None))
    found = session.scalars(query.where(OutboxMessage.ref == key)).all()
    if not found and len(key) >= 8:
        found = session.scalars(query.where(OutboxMessage.id.startswith(key))).all()
    if len(found) != 1:
        raise NotFound(f"发件箱中没有编号为“{key}”的短信；请用 zhiqian messages list 查看编号")
    return _row(found[0], get_case(session, found[0].case_id))
