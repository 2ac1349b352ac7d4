"""Payments, settlements with installments, closing, read-only closed cases and reopening."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.dues import DueKind
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import ContactKind, PaymentMethod, SettlementStatus
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.closing.outcomes import (
    InstallmentStatus,
    OverpaymentNeedsConfirmation,
    close_case,
    installment_status,
    mark_failed,
    record_payment,
    record_settlement,
    reopen_case,
    schedule_states,
    split_equally,
)
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import history, verify_chain
from zhiqian_desktop.services.intake.docket import get_case, register_case, update_case
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.services.supervision.dues import case_due_items
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import Payment, Settlement

D = date


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    """A case for ¥12,000.00, received 2026-11-02 (effective 2026-11-01)."""
    with db.unit_of_work() as s:
        return register_case(
            s, admin, make_case_input(amount="12000.00", received=D(2026, 11, 2)), today=TODAY
        ).id


def pay(db: Database, admin: Actor, case_id: str, day: date, amount: str, **kw: object) -> Payment:
    with db.unit_of_work() as s:
        return record_payment(
            s,
            admin,
            case_id,
            paid_on=day,
            amount=Decimal(amount),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            today=TODAY,
            **kw,  # type: ignore[arg-type]
        )


def case_state(db: Database, case_id: str) -> tuple[CaseStatus, Decimal, Decimal]:
    with db.reader() as s:
        case = get_case(s, case_id)
        return case.status, case.amount_paid, outcomes.performed_percent(case)


# --- payments ------------------------------------------------------------------------------------


def test_payment_updates_outstanding_and_percentage(
    db: Database, admin: Actor, case_id: str
) -> None:
    pay(db, admin, case_id, D(2026, 11, 10), "3000.00")
    pay(db, admin, case_id, D(2026, 11, 12), "1500.50")
    _, paid, percent = case_state(db, case_id)
    assert paid == Decimal("4500.50")
    assert percent == Decimal("37.50")
    with db.reader() as s:
        case = get_case(s, case_id)
        assert outcomes.outstanding_of(case) == Decimal("7499.50")
        events = [e for e in history(s, case_id) if e.entity == "payment"]
    assert [json.loads(e.after_json or "{}")["amount"] for e in events] == ["3000.00", "1500.50"]


def test_overpayment_needs_confirmation_then_is_marked(
    db: Database, admin: Actor, case_id: str
) -> None:
    pay(db, admin, case_id, D(2026, 11, 10), "11000.00")
    with pytest.raises(OverpaymentNeedsConfirmation) as info:
        pay(db, admin, case_id, D(2026, 11, 11), "1500.00")
    assert "尚欠¥1,000.00" in info.value.message and "超出¥500.00" in info.value.message
    assert case_state(db, case_id)[1] == Decimal("11000.00")  # nothing was stored
    payment = pay(db, admin, case_id, D(2026, 11, 11), "1500.00", confirm_overpayment=True)
    assert payment.overpayment_confirmed
    _, paid, percent = case_state(db, case_id)
    assert paid == Decimal("12500.00") and percent == Decimal("100.00")
    # Once nothing is outstanding, any further payment is beyond it.
    other = pay(db, admin, case_id, D(2026, 11, 12), "0.01", confirm_overpayment=True)
    assert other.overpayment_confirmed


def test_exact_payment_needs_no_confirmation(db: Database, admin: Actor, case_id: str) -> None:
    payment = pay(db, admin, case_id, D(2026, 11, 10), "12000.00")
    assert not payment.overpayment_confirmed


@pytest.mark.parametrize(
    ("day", "amount", "words"),
    [
        (D(2026, 11, 26), "10.00", "晚于今天"),
        (D(2026, 10, 1), "10.00", "早于生效日期"),
        (D(2026, 11, 10), "0.00", "大于0"),
        (D(2026, 11, 10), "10.001", "两位小数"),
    ],
)
def test_bad_payments_are_refused(
    db: Database, admin: Actor, case_id: str, day: date, amount: str, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        pay(db, admin, case_id, day, amount)


def test_payment_evidence_is_kept_as_attachment(
    db: Database, admin: Actor, case_id: str, tmp_path: object
) -> None:
    from pathlib import Path

    slip = Path(str(tmp_path)) / "银行回单.png"
    slip.write_bytes(b"\x89PNG fake slip")
    payment = pay(db, admin, case_id, D(2026, 11, 10), "100.00", evidence=slip)
    with db.reader() as s:
        from zhiqian_desktop.store.models import Attachment

        att = s.scalars(select(Attachment).where(Attachment.owner_id == payment.id)).one()
    assert att.filename == "银行回单.png" and att.owner_kind == "payment"
    assert att.size == len(b"\x89PNG fake slip")


# --- settlements ---------------------------------------------------------------------------------


def test_equal_installments_put_the_remainder_on_the_last() -> None:
    plan = split_equally(Decimal("1000.00"), 3, D(2027, 1, 31), 1)
    assert plan == [
        (D(2027, 1, 31), Decimal("333.33")),
        (D(2027, 2, 28), Decimal("333.33")),
        (D(2027, 3, 31), Decimal("333.34")),
    ]


@given(
    fen=st.integers(min_value=1, max_value=10**12),
    count=st.integers(min_value=1, max_value=120),
    interval=st.integers(min_value=1, max_value=12),
    first=st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)),
)
def test_equal_installments_always_add_up(fen: int, count: int, interval: int, first: date) -> None:
    total = Decimal(fen).scaleb(-2)
    if fen < count:
        with pytest.raises(UserError):
            split_equally(total, count, first, interval)
        return
    plan = split_equally(total, count, first, interval)
    amounts = [a for _, a in plan]
    assert sum(amounts) == total
    assert len(set(amounts[:-1])) <= 1
    assert 0 <= amounts[-1] - amounts[0] < Decimal(count).scaleb(-2)
    days = [d for d, _ in plan]
    assert days == sorted(days) and days[0] == first


def settle(db: Database, admin: Actor, case_id: str, **kw: object) -> Settlement:
    args: dict[str, object] = {
        "signed_on": D(2026, 11, 5),
        # The installment table says how many periods; terms that name a number of their own
        # may not contradict it (domain/issuing.settlement_contradiction).
        "terms": "被申请人分期付清全部款项",
        "default_clause": "任一期逾期，剩余款项全部到期，并按日万分之五支付违约金",
        "guarantee": "案外人赵某提供连带保证",
        "installments": None,
        "equal_installments": None,
        "today": TODAY,
    }
    args.update(kw)
    with db.unit_of_work() as s:
        return record_settlement(s, admin, case_id, **args)  # type: ignore[arg-type]


def states(db: Database, settlement_id: str, on: date) -> list[tuple[str, str]]:
    with db.reader() as s:
        return [(str(x.paid), x.status.value) for x in installment_status(s, settlement_id, on)]


def test_settlement_with_generated_installments_moves_the_case(
    db: Database, admin: Actor, case_id: str
) -> None:
    pay(db, admin, case_id, D(2026, 11, 3), "3000.00")  # before signing: not part of the plan
    settlement = settle(db, admin, case_id, equal_installments=(3, D(2026, 11, 20), 1))
    assert settlement.total_amount == Decimal("9000.00")  # what was outstanding
    with db.reader() as s:
        saved = s.get(Settlement, settlement.id)
        assert saved is not None
        plan = [(i.due_date, i.amount) for i in saved.installments]
        kinds = [e.action for e in history(s, case_id)]
    assert plan == [
        (D(2026, 11, 20), Decimal("3000.00")),
        (D(2026, 12, 20), Decimal("3000.00")),
        (D(2027, 1, 20), Decimal("3000.00")),
    ]
    assert case_state(db, case_id)[0] is CaseStatus.SETTLED
    assert kinds[-2:] == ["create", "status"]


def test_entered_installments_must_add_up_to_the_total(
    db: Database, admin: Actor, case_id: str
) -> None:
    with pytest.raises(UserError, match=re.escape("合计¥11,000.00与和解金额¥12,000.00不一致")):
        settle(
            db,
            admin,
            case_id,
            installments=[(D(2026, 11, 20), Decimal("5000")), (D(2026, 12, 20), Decimal("6000"))],
        )
    with pytest.raises(UserError, match="二者选一"):
        settle(db, admin, case_id)
    with pytest.raises(UserError, match="早于上一期"):
        settle(
            db,
            admin,
            case_id,
            installments=[(D(2026, 12, 20), Decimal("6000")), (D(2026, 11, 20), Decimal("6000"))],
        )
    assert case_state(db, case_id)[0] is CaseStatus.REGISTERED
    # A reduced settlement amount (the applicant waives part) is allowed when stated.
    settlement = settle(
        db,
        admin,
        case_id,
        total=Decimal("10000.00"),
        installments=[(D(2026, 11, 20), Decimal("4000")), (D(2026, 12, 20), Decimal("6000"))],
    )
    assert settlement.total_amount == Decimal("10000.00")


def test_installment_status_follows_payments_late_and_partial(
    db: Database, admin: Actor, case_id: str
) -> None:
    s = settle(
        db,
        admin,
        case_id,
        installments=[
            (D(2026, 11, 10), Decimal("4000")),  # a Tuesday
            (D(2026, 11, 17), Decimal("4000")),
            (D(2026, 11, 24), Decimal("4000")),
        ],
    )
    assert states(db, s.id, D(2026, 11, 9)) == [
        ("0.00", "due"),
        ("0.00", "due"),
        ("0.00", "due"),
    ]
    pay(db, admin, case_id, D(2026, 11, 9), "2500")
    assert states(db, s.id, D(2026, 11, 10)) == [
        ("2500.00", "partly_paid"),
        ("0.00", "due"),
        ("0.00", "due"),
    ]
    # The first installment was not completed on its day: overdue, with the part paid shown.
    with db.reader() as ses:
        first = installment_status(ses, s.id, D(2026, 11, 11))[0]
    assert (
        first.status is InstallmentStatus.OVERDUE and first.label == "逾期未履行（已付¥2,500.00）"
    )
    # A late payment pays the overdue installment first, then the next.
    pay(db, admin, case_id, D(2026, 11, 18), "5500")
    with db.reader() as ses:
        now = installment_status(ses, s.id, D(2026, 11, 18))
    assert [(str(x.paid), x.status.value, x.late) for x in now] == [
        ("4000.00", "paid", True),
        ("4000.00", "paid", True),
        ("0.00", "due", False),
    ]
    assert now[0].label == "已履行（逾期履行）"
    # As of an earlier date only the payments made by then count.
    assert states(db, s.id, D(2026, 11, 12))[0] == ("2500.00", "overdue")


def test_installment_due_on_a_rest_day_is_late_only_after_the_next_working_day() -> None:
    # 2026-11-21 is a Saturday: the deadline rolls to Monday the 23rd.
    def roll(d: date) -> date:
        return D(2026, 11, 23) if d == D(2026, 11, 21) else d

    plan = [(1, D(2026, 11, 21), Decimal("100"))]
    on_monday = schedule_states(
        plan, [], signed_on=D(2026, 11, 1), on=D(2026, 11, 23), deadline_of=roll
    )
    on_tuesday = schedule_states(
        plan, [], signed_on=D(2026, 11, 1), on=D(2026, 11, 24), deadline_of=roll
    )
    assert on_monday[0].status is InstallmentStatus.DUE
    assert on_tuesday[0].status is InstallmentStatus.OVERDUE


def test_missed_installment_shows_as_default_and_on_the_due_list(
    db: Database, admin: Actor, case_id: str
) -> None:
    s = settle(
        db,
        admin,
        case_id,
        installments=[(D(2026, 11, 10), Decimal("6000")), (D(2026, 12, 10), Decimal("6000"))],
    )
    pay(db, admin, case_id, D(2026, 11, 10), "1000")
    with db.reader() as ses:
        missed = outcomes.missed_installments(ses, s.id, TODAY)
        items = case_due_items(ses, case_id, TODAY)
    assert [(m.seq, m.paid) for m in missed] == [(1, Decimal("1000.00"))]
    installment_items = [i for i in items if i.kind is DueKind.INSTALLMENT]
    assert installment_items and installment_items[0].due_date == D(2026, 11, 10)
    assert installment_items[0].days_overdue == 15
    # Failing the case records the settlement as defaulted.
    with db.unit_of_work() as ses:
        mark_failed(ses, admin, case_id, failed_on=TODAY, reason="第一期逾期未付", today=TODAY)
    with db.reader() as ses:
        saved = ses.get(Settlement, s.id)
        assert saved is not None and saved.status is SettlementStatus.DEFAULTED
    assert case_state(db, case_id)[0] is CaseStatus.FAILED


# --- closing -------------------------------------------------------------------------------------


def close(db: Database, admin: Actor, case_id: str, outcome: CaseStatus, **kw: object) -> None:
    args: dict[str, object] = {"closed_on": TODAY, "reason": "已全部履行", "today": TODAY}
    args.update(kw)
    with db.unit_of_work() as s:
        close_case(s, admin, case_id, outcome, **args)  # type: ignore[arg-type]


def test_performed_needs_nothing_outstanding(db: Database, admin: Actor, case_id: str) -> None:
    pay(db, admin, case_id, D(2026, 11, 10), "11999.99")
    with pytest.raises(UserError, match=re.escape("尚欠¥0.01")):
        close(db, admin, case_id, CaseStatus.PERFORMED)
    pay(db, admin, case_id, D(2026, 11, 11), "0.01")
    close(db, admin, case_id, CaseStatus.PERFORMED)
    with db.reader() as s:
        case = get_case(s, case_id)
        assert (case.status, case.closed_date, case.close_reason) == (
            CaseStatus.PERFORMED,
            TODAY,
            "已全部履行",
        )
        assert case.next_due_date is None


def test_non_money_act_must_be_confirmed(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(
            s,
            admin,
            make_case_input(amount="0", obligation_act="返还挖掘机一台", received=D(2026, 11, 2)),
            today=TODAY,
        ).id
    with pytest.raises(UserError, match="返还挖掘机一台"):
        close(db, admin, case_id, CaseStatus.PERFORMED, reason="已返还")
    close(db, admin, case_id, CaseStatus.PERFORMED, reason="已返还", act_confirmed=True)
    assert case_state(db, case_id)[0] is CaseStatus.PERFORMED


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"reason": "  "}, "必须填写理由"),
        ({"closed_on": D(2026, 11, 26)}, "晚于今天"),
        ({"closed_on": D(2026, 11, 1)}, "早于收案日期"),
    ],
)
def test_closing_needs_a_reason_and_a_sensible_date(
    db: Database, admin: Actor, case_id: str, kw: dict[str, object], words: str
) -> None:
    with pytest.raises(UserError, match=words):
        close(db, admin, case_id, CaseStatus.WITHDRAWN, **kw)


def test_withdrawn_unsuitable_and_failed_via_close_case(
    db: Database, admin: Actor, case_id: str
) -> None:
    with pytest.raises(UserError, match="移送执行"):
        close(db, admin, case_id, CaseStatus.FAILED)
    close(db, admin, case_id, CaseStatus.UNSUITABLE, reason="被申请人下落不明且无财产")
    assert case_state(db, case_id)[0] is CaseStatus.UNSUITABLE


def test_settlement_performed_needs_every_installment_paid(
    db: Database, admin: Actor, case_id: str
) -> None:
    with pytest.raises(UserError, match="不能从"):
        close(db, admin, case_id, CaseStatus.SETTLEMENT_PERFORMED)
    s = settle(
        db,
        admin,
        case_id,
        installments=[(D(2026, 11, 10), Decimal("6000")), (D(2026, 11, 20), Decimal("6000"))],
    )
    pay(db, admin, case_id, D(2026, 11, 10), "6000")
    with pytest.raises(UserError, match="第2期"):
        close(db, admin, case_id, CaseStatus.SETTLEMENT_PERFORMED, reason="和解协议履行完毕")
    pay(db, admin, case_id, D(2026, 11, 21), "6000")
    with db.reader() as ses:
        saved = ses.get(Settlement, s.id)
        assert saved is not None and saved.status is SettlementStatus.PERFORMED
    close(db, admin, case_id, CaseStatus.SETTLEMENT_PERFORMED, reason="和解协议履行完毕")
    assert case_state(db, case_id)[0] is CaseStatus.SETTLEMENT_PERFORMED


def test_closed_case_is_read_only_until_reopened(db: Database, admin: Actor, case_id: str) -> None:
    close(db, admin, case_id, CaseStatus.WITHDRAWN, reason="申请人撤回督促申请")
    with pytest.raises(UserError, match="重新开启"):
        pay(db, admin, case_id, D(2026, 11, 10), "10")
    with pytest.raises(UserError, match="重新开启"):
        settle(db, admin, case_id, equal_installments=(2, D(2026, 12, 1), 1))
    with pytest.raises(UserError, match="重新开启"), db.unit_of_work() as s:
        version = get_case(s, case_id).version
        update_case(s, admin, case_id, version, make_case_input(amount="1.00"), today=TODAY)
    with pytest.raises(UserError, match="重新开启"), db.unit_of_work() as s:
        contacts.log_contact(
            s,
            admin,
            case_id,
            contacts.ContactInput(ContactKind.PHONE, datetime(2026, 11, 24, 2, tzinfo=UTC), True),
        )
    with pytest.raises(UserError, match="不能再结案"):
        close(db, admin, case_id, CaseStatus.UNSUITABLE, reason="x")

    with pytest.raises(UserError, match="理由"), db.unit_of_work() as s:
        reopen_case(s, admin, case_id, "   ")
    with db.unit_of_work() as s:
        reopen_case(s, admin, case_id, "申请人称撤回系误操作，请求继续督促")
    with db.reader() as s:
        case = get_case(s, case_id)
        assert (case.status, case.closed_date, case.close_reason) == (
            CaseStatus.SUPERVISING,
            None,
            None,
        )
        event = history(s, case_id)[-1]
        assert verify_chain(s).ok
    assert event.action == "reopen" and event.actor == admin.username
    after = json.loads(event.after_json or "{}")
    before = json.loads(event.before_json or "{}")
    assert after["reopen_reason"] == "申请人称撤回系误操作，请求继续督促"
    assert (before["status"], after["status"]) == ("withdrawn", "supervising")
    pay(db, admin, case_id, D(2026, 11, 10), "10")  # editable again


def test_transferred_case_cannot_be_reopened(db: Database, admin: Actor, case_id: str) -> None:
    with db.unit_of_work() as s:
        outcomes.transfer_case(
            s, admin, case_id, transferred_on=TODAY, reason="督促不成", today=TODAY
        )
    assert case_state(db, case_id)[0] is CaseStatus.TRANSFERRED
    with pytest.raises(UserError, match="不能重新开启"), db.unit_of_work() as s:
        reopen_case(s, admin, case_id, "误移送")
