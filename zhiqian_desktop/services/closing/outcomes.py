"""Outcomes of a case: payments, settlements with installments, closing, reopening and failure.

Every function here is one user action: it takes the caller's session (one transaction), checks the
acting user's rights and the case's state, writes, refreshes the docket's derived columns and records
an audit event. Closed cases are read-only: only ``reopen_case`` changes them.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import add_months
from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.issuing import settlement_contradiction
from zhiqian_desktop.domain.kinds import PaymentMethod, SettlementStatus
from zhiqian_desktop.domain.money import format_amount, from_fen, to_fen
from zhiqian_desktop.domain.workflow import (
    CLOSING_STATUSES,
    CaseAction,
    CaseStatus,
    check_action,
    check_reopen,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case, refresh_derived
from zhiqian_desktop.services.supervision.case_view import RecordTable
from zhiqian_desktop.store.files import FileStore
from zhiqian_desktop.store.models import (
    Attachment,
    Installment,
    Payment,
    Settlement,
    SupervisionCase,
)

ZERO = Decimal("0.00")
MAX_INSTALLMENTS = 120


class OverpaymentNeedsConfirmation(UserError):
    """The payment is larger than what is outstanding; the clerk must confirm it on purpose."""

    def __init__(self, case_no: str, amount: Decimal, outstanding: Decimal) -> None:
        self.amount = amount
        self.outstanding = outstanding
        super().__init__(
            f"案件{case_no}尚欠{format_amount(max(outstanding, ZERO))}，本次登记"
            f"{format_amount(amount)}，超出{format_amount(amount - max(outstanding, ZERO))}；"
            "请核对金额，确属多付的，请确认“超额履行”后再保存",
            field="amount",
        )


# --- helpers -------------------------------------------------------------------------------------


def _writable_case(
    session: Session,
    actor: Actor,
    case_id: str,
    action: CaseAction,
    target: CaseStatus | None = None,
) -> SupervisionCase:
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    check_action(case.status, action, case.case_no, target=target)
    return case


def _refresh(session: Session, case: SupervisionCase) -> None:
    session.flush()
    with session.no_autoflush:
        refresh_derived(session, case, limit_days=get_settings(session).supervision_limit_days)
    session.flush()


def _reason(text: str | None, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise UserError(f"{what}必须填写理由", field="reason")
    return value


def _check_day(value: date, today: date, what: str, field: str) -> None:
    if value > today:
        raise UserError(f"{what}{value.isoformat()}晚于今天；不能登记尚未发生的事项", field=field)


def outstanding_of(case: SupervisionCase) -> Decimal:
    return case.amount_due - case.amount_paid


def percent_performed(amount_due: Decimal, amount_paid: Decimal) -> Decimal:
    """Share of the money obligation paid, in percent with 2 decimals (capped at 100)."""
    if amount_due <= 0:
        return Decimal("100.00") if amount_paid > 0 else ZERO
    share = min(amount_paid / amount_due * 100, Decimal(100))
    return share.quantize(Decimal("0.01"))


def performed_percent(case: SupervisionCase) -> Decimal:
    return percent_performed(case.amount_due, case.amount_paid)


# --- payments ------------------------------------------------------------------------------------


@writes
def record_payment(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    paid_on: date,
    amount: Decimal,
    method: PaymentMethod,
    payer: str | None,
    note: str | None = None,
    confirm_overpayment: bool = False,
    evidence: Path | None = None,
    store: FileStore | None = None,
    today: date,
) -> Payment:
    """Record one payment; the outstanding amount and the percentage performed follow.

    A payment beyond what is outstanding raises OverpaymentNeedsConfirmation unless
    ``confirm_overpayment``; it is then stored with ``overpayment_confirmed``. ``evidence`` is a
    file (bank slip, receipt) kept as an attachment of the payment.
    """
    case = _writable_case(session, actor, case_id, CaseAction.RECORD_PAYMENT)
    method = cast(PaymentMethod, PaymentMethod.from_label(str(method)))
    if amount <= 0:
        raise UserError("履行金额必须大于0", field="amount")
    to_fen(amount)  # two decimals, within range
    _check_day(paid_on, today, "付款日期", "paid_on")
    if case.effective_date and paid_on < case.effective_date:
        raise UserError(
            f"付款日期{paid_on.isoformat()}早于生效日期{case.effective_date.isoformat()}；"
            "生效前的付款不属于自动履行，请核对日期",
            field="paid_on",
        )
    _refresh(session, case)
    outstanding = outstanding_of(case)
    over = amount > outstanding
    if over and not confirm_overpayment:
        raise OverpaymentNeedsConfirmation(case.case_no, amount, outstanding)
    payment = Payment(
        case_id=case.id,
        paid_on=paid_on,
        amount=amount,
        method=method,
        payer=(payer or "").strip() or None,
        note=(note or "").strip() or None,
        overpayment_confirmed=over,
        updated_by=actor.username,
    )
    session.add(payment)
    session.flush()
    if evidence is not None:
        _attach_evidence(session, actor, case, payment, evidence, store)
    _refresh(session, case)
    _update_settlement_status(session, case, today)
    audit.record_event(
        session,
        actor,
        "create",
        "payment",
        payment.id,
        case_id=case.id,
        after=audit.snapshot(payment),
    )
    return payment


def _attach_evidence(
    session: Session,
    actor: Actor,
    case: SupervisionCase,
    payment: Payment,
    source: Path,
    store: FileStore | None,
) -> Attachment:
    # The contacts service owns the copy into the store (its size limit and message).
    from zhiqian_desktop.services.supervision.contacts import store_attachment

    sha, size = store_attachment(session, source, store)
    att = Attachment(
        case_id=case.id,
        owner_kind="payment",
        owner_id=payment.id,
        sha256=sha,
        filename=source.name[:255],
        media_type=mimetypes.guess_type(source.name)[0] or "application/octet-stream",
        size=size,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "attachment", att, case_id=case.id)
    return att


# --- settlements ---------------------------------------------------------------------------------


def split_equally(
    total: Decimal, count: int, first_due: date, interval_months: int
) -> list[tuple[date, Decimal]]:
    """``count`` installments in fen, the remainder on the last; due every ``interval_months``.

    Dates are counted from the first due date (31 January + 1 month → 28/29 February, + 2 months
    → 31 March), so a short month never shifts the later ones.
    """
    if not 1 <= count <= MAX_INSTALLMENTS:
        raise UserError(f"分期期数应为1至{MAX_INSTALLMENTS}期", field="count")
    if interval_months < 1:
        raise UserError("分期间隔至少为1个月", field="interval_months")
    fen = to_fen(total)
    if fen < count:
        raise UserError(f"和解金额{format_amount(total)}不足以分为{count}期", field="count")
    base, rest = divmod(fen, count)
    return [
        (
            add_months(first_due, i * interval_months),
            from_fen(base + (rest if i == count - 1 else 0)),
        )
        for i in range(count)
    ]


def check_schedule(
    schedule: Sequence[tuple[date, Decimal]], total: Decimal, signed_on: date
) -> None:
    """Every problem of an entered schedule, as one UserError (the first one)."""
    if not schedule:
        raise UserError("请至少填写一期履行安排", field="installments")
    if len(schedule) > MAX_INSTALLMENTS:
        raise UserError(f"分期不能超过{MAX_INSTALLMENTS}期", field="installments")
    previous: date | None = None
    for i, (due, amount) in enumerate(schedule, start=1):
        if amount <= 0:
            raise UserError(f"第{i}期金额必须大于0", field="installments")
        to_fen(amount)
        if due < signed_on:
            raise UserError(
                f"第{i}期履行日期{due.isoformat()}早于和解协议签订日期{signed_on.isoformat()}",
                field="installments",
            )
        if previous is not None and due < previous:
            raise UserError(f"第{i}期履行日期早于上一期；请按时间先后填写", field="installments")
        previous = due
    scheduled = sum((a for _, a in schedule), ZERO)
    if scheduled != total:
        raise UserError(
            f"各期金额合计{format_amount(scheduled)}与和解金额{format_amount(total)}不一致；"
            f"相差{format_amount(abs(total - scheduled))}",
            field="installments",
        )


@writes
def record_settlement(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    signed_on: date,
    terms: str,
    default_clause: str | None,
    guarantee: str | None,
    installments: Sequence[tuple[date, Decimal]] | None = None,
    equal_installments: tuple[int, date, int] | None = None,
    total: Decimal | None = None,
    today: date,
) -> Settlement:
    """Record a settlement (和解协议) and its schedule; the case becomes 和解履行中.

    The schedule is either entered (``installments``: (due date, amount) in order) or generated
    (``equal_installments``: count, first due date, interval in months). ``total`` defaults to
    the amount outstanding; the installments must add up to it exactly.
    """
    case = _writable_case(session, actor, case_id, CaseAction.SETTLE)
    _check_day(signed_on, today, "签订日期", "signed_on")
    if case.received_date and signed_on < case.received_date:
        raise UserError(
            f"和解协议签订日期{signed_on.isoformat()}早于收案日期{case.received_date.isoformat()}",
            field="signed_on",
        )
    terms = (terms or "").strip()
    if not terms:
        raise UserError("请填写和解协议的主要条款", field="terms")
    if (installments is None) == (equal_installments is None):
        raise UserError("请选择“平均分期”自动生成，或逐期填写履行安排（二者选一）")
    _refresh(session, case)
    if total is None:
        total = outstanding_of(case)
    if total <= 0:
        raise UserError("和解金额必须大于0；本案已无未履行金额的，请直接结案", field="total")
    to_fen(total)
    if equal_installments is not None:
        count, first_due, interval = equal_installments
        if first_due < signed_on:
            raise UserError("第一期履行日期不能早于签订日期", field="first_due")
        schedule = split_equally(total, count, first_due, interval)
    else:
        schedule = list(installments or [])
    check_schedule(schedule, total, signed_on)
    contradiction = settlement_contradiction(terms, len(schedule))
    if contradiction is not None:
        raise UserError(contradiction, field="terms")
    before = audit.snapshot(case)
    settlement = Settlement(
        case_id=case.id,
        signed_on=signed_on,
        terms=terms,
        default_clause=(default_clause or "").strip() or None,
        guarantee=(guarantee or "").strip() or None,
        total_amount=total,
        status=SettlementStatus.ACTIVE,
        updated_by=actor.username,
    )
    for seq, (due, amount) in enumerate(schedule, start=1):
        settlement.installments.append(
            Installment(seq=seq, due_date=due, amount=amount, updated_by=actor.username)
        )
    session.add(settlement)
    case.status = CaseStatus.SETTLED
    case.updated_by = actor.username
    _refresh(session, case)
    snap = audit.snapshot(settlement)
    snap["installments"] = [
        {"seq": i.seq, "due_date": i.due_date.isoformat(), "amount": str(i.amount)}
        for i in settlement.installments
    ]
    audit.record_event(
        session, actor, "create", "settlement", settlement.id, case_id=case.id, after=snap
    )
    audit.record_event(
        session,
        actor,
        "status",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=audit.snapshot(case),
    )
    return settlement


class InstallmentStatus(StrEnum):
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return _INSTALLMENT_LABELS[self]


_INSTALLMENT_LABELS = {
    InstallmentStatus.PAID: "已履行",
    InstallmentStatus.PARTLY_PAID: "部分履行",
    InstallmentStatus.DUE: "待履行",
    InstallmentStatus.OVERDUE: "逾期未履行",
}


@dataclass(frozen=True)
class InstallmentState:
    seq: int
    due_date: date
    deadline: date
    """The due date rolled past rest days (art. 85): late only after this day."""
    amount: Decimal
    paid: Decimal
    status: InstallmentStatus
    paid_on: date | None
    """The day the installment became fully paid."""

    @property
    def late(self) -> bool:
        """Paid in full, but after its deadline."""
        return self.paid_on is not None and self.paid_on > self.deadline

    @property
    def label(self) -> str:
        text = self.status.label
        if self.status is InstallmentStatus.OVERDUE and self.paid > 0:
            text += f"（已付{format_amount(self.paid)}）"
        if self.late:
            text += "（逾期履行）"
        return text


def schedule_states(
    schedule: Sequence[tuple[int, date, Decimal]],
    payments: Sequence[tuple[date, Decimal]],
    *,
    signed_on: date,
    on: date,
    deadline_of: Any = None,
) -> list[InstallmentState]:
    """Apply the payments made from the signing date up to ``on`` to the installments in order.

    Each payment (oldest first) settles the earliest installment not yet paid, so a late payment
    pays the overdue installment before the next one. The same rule as the due-list's
    ``unpaid_installments``.
    """
    roll = deadline_of or (lambda d: d)
    pays = sorted((d, a) for d, a in payments if signed_on <= d <= on)
    states: list[InstallmentState] = []
    queue = [(d, a) for d, a in pays]
    carry = ZERO
    carry_day: date | None = None
    for seq, due, amount in sorted(schedule, key=lambda s: (s[0], s[1])):
        paid = ZERO
        paid_on: date | None = None
        while paid < amount:
            if carry <= 0:
                if not queue:
                    break
                carry_day, carry = queue.pop(0)
            take = min(carry, amount - paid)
            paid += take
            carry -= take
            if paid == amount:
                paid_on = carry_day
        deadline = roll(due)
        if paid == amount:
            status = InstallmentStatus.PAID
        elif on > deadline:
            status = InstallmentStatus.OVERDUE
        elif paid > 0:
            status = InstallmentStatus.PARTLY_PAID
        else:
            status = InstallmentStatus.DUE
        states.append(InstallmentState(seq, due, deadline, amount, paid, status, paid_on))
    return states


def _settlement(session: Session, settlement_id: str) -> Settlement:
    s = session.get(Settlement, settlement_id)
    if s is None or s.deleted_at is not None:
        raise NotFound("和解协议不存在或已被删除；请刷新后重试")
    return s


def installment_status(session: Session, settlement_id: str, on: date) -> list[InstallmentState]:
    """Each installment of the settlement as it stands on ``on``, following the payments."""
    s = _settlement(session, settlement_id)
    cal = load_calendar(session)
    payments = session.execute(
        select(Payment.paid_on, Payment.amount).where(
            Payment.case_id == s.case_id, Payment.deleted_at.is_(None)
        )
    ).all()
    return schedule_states(
        [(i.seq, i.due_date, i.amount) for i in s.installments if i.deleted_at is None],
        [(d, a) for d, a in payments],
        signed_on=s.signed_on,
        on=on,
        deadline_of=cal.next_working_day,
    )


def active_settlement(session: Session, case_id: str) -> Settlement | None:
    return session.scalars(
        select(Settlement)
        .where(
            Settlement.case_id == case_id,
            Settlement.deleted_at.is_(None),
            Settlement.status != SettlementStatus.DEFAULTED,
        )
        .order_by(Settlement.signed_on.desc(), Settlement.created_at.desc())
        .limit(1)
    ).first()


def missed_installments(session: Session, settlement_id: str, on: date) -> list[InstallmentState]:
    """The installments overdue on ``on`` (a default of the settlement)."""
    return [
        st
        for st in installment_status(session, settlement_id, on)
        if st.status is InstallmentStatus.OVERDUE
    ]


def _update_settlement_status(session: Session, case: SupervisionCase, on: date) -> None:
    s = active_settlement(session, case.id)
    if s is None:
        return
    states = installment_status(session, s.id, on)
    paid = bool(states) and all(st.status is InstallmentStatus.PAID for st in states)
    new = SettlementStatus.PERFORMED if paid else SettlementStatus.ACTIVE
    if s.status is not new:
        s.status = new
        s.updated_by = case.updated_by


# --- closing, failure, transfer, reopening ------------------------------------------------------


def _set_status(
    session: Session,
    actor: Actor,
    case: SupervisionCase,
    target: CaseStatus,
    *,
    action: str = "status",
    closed_on: date | None,
    reason: str | None,
) -> SupervisionCase:
    before = audit.snapshot(case)
    case.status = target
    case.closed_date = closed_on
    case.close_reason = reason
    case.updated_by = actor.username
    _refresh(session, case)
    audit.record_event(
        session,
        actor,
        action,
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=audit.snapshot(case),
    )
    return case


@writes
def close_case(
    session: Session,
    actor: Actor,
    case_id: str,
    outcome: CaseStatus,
    *,
    closed_on: date,
    reason: str,
    act_confirmed: bool = False,
    act_performed_on: date | None = None,
    today: date,
) -> SupervisionCase:
    """Close the case as 自动履行完毕, 和解履行完毕, 撤回 or 不宜督促, with its date and reason.

    自动履行完毕 needs nothing outstanding, and a non-money obligation confirmed as performed
    (``act_confirmed``), on ``act_performed_on`` (default: the closing date) — the date the
    performance certificate then certifies; 和解履行完毕 needs every installment paid.
    """
    # A plain code string (from a combo box or the command line) is accepted too.
    outcome = cast(CaseStatus, CaseStatus.from_label(str(outcome)))
    if outcome not in CLOSING_STATUSES:
        labels = "、".join(o.label for o in CLOSING_STATUSES)
        raise UserError(f"结案方式应为{labels}之一；督促不成的案件请使用“移送执行”")
    case = _writable_case(session, actor, case_id, CaseAction.CLOSE, target=outcome)
    reason = _reason(reason, "结案")
    _check_day(closed_on, today, "结案日期", "closed_on")
    if closed_on < case.received_date:
        raise UserError(
            f"结案日期{closed_on.isoformat()}早于收案日期{case.received_date.isoformat()}",
            field="closed_on",
        )
    _refresh(session, case)
    outstanding = outstanding_of(case)
    if outcome is CaseStatus.PERFORMED:
        if outstanding > 0:
            raise UserError(
                f"案件{case.case_no}尚欠{format_amount(outstanding)}，不能以“自动履行完毕”结案；"
                "请先登记全部履行款，或选择其他结案方式"
            )
        act = (case.obligation_act or "").strip()
        if act and not act_confirmed:
            raise UserError(
                f"本案还有非金钱义务（{act[:40]}）；请确认被申请人已履行该义务后再结案",
                field="act_confirmed",
            )
        if case.amount_due <= 0 and not act:
            raise UserError("本案没有登记应履行的义务；请先在案件信息中填写给付金额或行为义务")
        if act:
            performed = act_performed_on or closed_on
            _check_day(performed, today, "行为义务履行日期", "act_performed_on")
            if case.effective_date and performed < case.effective_date:
                raise UserError(
                    f"行为义务履行日期{performed.isoformat()}早于生效日期"
                    f"{case.effective_date.isoformat()}",
                    field="act_performed_on",
                )
            case.act_performed_on = performed
    if outcome is CaseStatus.SETTLEMENT_PERFORMED:
        s = active_settlement(session, case.id)
        if s is None:
            raise UserError("本案没有和解协议，不能以“和解履行完毕”结案")
        unpaid = [
            st
            for st in installment_status(session, s.id, closed_on)
            if st.status is not InstallmentStatus.PAID
        ]
        if unpaid:
            first = unpaid[0]
            raise UserError(
                f"和解协议第{first.seq}期（{first.due_date.isoformat()}，"
                f"{format_amount(first.amount)}）尚未履行完毕"
                f"（截至{closed_on.isoformat()}已付{format_amount(first.paid)}），"
                "不能以“和解履行完毕”结案"
            )
        s.status = SettlementStatus.PERFORMED
    return _set_status(session, actor, case, outcome, closed_on=closed_on, reason=reason)


def mark_failed(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    failed_on: date,
    reason: str,
    today: date,
) -> SupervisionCase:
    """督促不成: supervision has failed; the case now awaits its transfer to enforcement."""
    case = _writable_case(session, actor, case_id, CaseAction.MARK_FAILED)
    reason = _reason(reason, "督促不成")
    _check_day(failed_on, today, "督促不成日期", "failed_on")
    s = active_settlement(session, case.id)
    if s is not None and s.status is SettlementStatus.ACTIVE:
        s.status = SettlementStatus.DEFAULTED
        s.updated_by = actor.username
    return _set_status(session, actor, case, CaseStatus.FAILED, closed_on=None, reason=reason)


def transfer_case(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    transferred_on: date,
    reason: str,
    today: date,
) -> SupervisionCase:
    """已移送执行: a failed case (an open one is first marked 督促不成 with the same reason)."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    reason = _reason(reason, "移送执行")
    if case.status is not CaseStatus.FAILED:
        mark_failed(session, actor, case_id, failed_on=transferred_on, reason=reason, today=today)
    check_action(case.status, CaseAction.TRANSFER, case.case_no)
    _check_day(transferred_on, today, "移送日期", "transferred_on")
    return _set_status(
        session,
        actor,
        case,
        CaseStatus.TRANSFERRED,
        action="transfer",
        closed_on=transferred_on,
        reason=reason,
    )


@writes
def reopen_case(session: Session, actor: Actor, case_id: str, reason: str) -> SupervisionCase:
    """Take a closed case back to 督促中, with the reason in the audit trail."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    check_reopen(case.status, reason or "", case.case_no)
    reason = reason.strip()
    before = audit.snapshot(case)
    before["reopen_reason"] = None
    case.status = CaseStatus.SUPERVISING
    case.closed_date = None
    case.close_reason = None
    # A reopened case is no longer recorded as performed: the act is confirmed again at closing.
    case.act_performed_on = None
    case.updated_by = actor.username
    _refresh(session, case)
    after = audit.snapshot(case)
    after["reopen_reason"] = reason
    audit.record_event(
        session, actor, "reopen", "case", case.id, case_id=case.id, before=before, after=after
    )
    return case


@reads
def installment_table(session: Session, case_id: str, on: date) -> RecordTable:
    """The schedule of the case's current settlement with each installment's status on ``on``."""
    table = RecordTable(("期次", "履行期限", "应付金额", "已付", "状态"), wide=4)
    s = active_settlement(session, case_id)
    if s is None:
        s = session.scalars(
            select(Settlement)
            .where(Settlement.case_id == case_id, Settlement.deleted_at.is_(None))
            .order_by(Settlement.signed_on.desc())
            .limit(1)
        ).first()
    if s is None:
        return table
    for st in installment_status(session, s.id, on):
        table.rows.append(
            (
                f"第{st.seq}期",
                st.due_date.isoformat(),
                format_amount(st.amount),
                format_amount(st.paid),
                st.label,
            )
        )
    return table
