"""The due-list from a real database: every kind, and the data changes that remove items."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import make_case_input
from zhiqian_desktop.domain.dues import DueItem, DueKind
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    DocumentKind,
    PaymentMethod,
    PreservationKind,
    ServiceMethod,
    SettlementStatus,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE as COURT_TZ
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.intake import docket
from zhiqian_desktop.services.supervision import contacts, dues
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import (
    Document,
    Installment,
    Payment,
    Preservation,
    Service,
    Settlement,
)
from zhiqian_desktop.store.types import new_id

TODAY = date(2026, 11, 25)


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=COURT_TZ)


def register(db: Database, admin: Actor, n: int, **extra: object) -> str:
    received = extra.get("received")
    if isinstance(received, date) and "effective_date" not in extra:
        extra["effective_date"] = received - timedelta(days=30)
        extra["performance_deadline"] = received - timedelta(days=10)
    with db.unit_of_work() as s:
        return docket.register_case(s, admin, make_case_input(n, **extra), today=TODAY).id


def issue(
    db: Database, case_id: str, kind: DocumentKind, issued: date, served: date | None = None
) -> str:
    with db.unit_of_work() as s:
        doc = Document(
            id=new_id(), case_id=case_id, kind=kind, doc_no=f"D{new_id()[:8]}", issued_at=at(issued)
        )
        s.add(doc)
        s.flush()
        if served:
            s.add(
                Service(
                    document_id=doc.id, method=ServiceMethod.DIRECT, served_on=served, server="甲"
                )
            )
        return doc.id


def serve(db: Database, doc_id: str, on: date) -> None:
    with db.unit_of_work() as s:
        s.add(Service(document_id=doc_id, method=ServiceMethod.DIRECT, served_on=on, server="甲"))


def pay(db: Database, case_id: str, on: date, amount: str) -> None:
    with db.unit_of_work() as s:
        s.add(
            Payment(
                case_id=case_id, paid_on=on, amount=Decimal(amount), method=PaymentMethod.TRANSFER
            )
        )
        s.flush()
        case = docket.get_case(s, case_id)
        docket.refresh_derived(s, case, limit_days=30)


def call(db: Database, admin: Actor, case_id: str, when: date, **kw: object) -> str:
    data = ContactInput(kind=ContactKind.PHONE, contacted_at=at(when), reached=True, summary="通话")
    for k, v in kw.items():
        setattr(data, k, v)
    with db.unit_of_work() as s:
        return contacts.log_contact(s, admin, case_id, data, now=at(TODAY, 18)).id


def items(db: Database, on: date = TODAY, **kw: object) -> list[DueItem]:
    """The list as read from the stored deadlines, checked against the rules run on the data."""
    with db.reader() as s:
        stored = dues.due_list(s, on, **kw)  # type: ignore[arg-type]
        assert stored == dues.computed_due_list(s, on, **kw)  # type: ignore[arg-type]
        return stored


def of(db: Database, case_id: str, kind: DueKind, on: date = TODAY) -> list[DueItem]:
    return [i for i in items(db, on) if i.case_id == case_id and i.kind is kind]


def test_new_case_is_listed_until_the_urging_notice_is_made(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    [item] = of(db, cid, DueKind.NO_URGING)
    assert item.case_no.startswith("（2026）内0221执前督") and item.obligor_names == "王某某"
    assert item.due_date == date(2026, 11, 20) and item.days_overdue == 5
    issue(db, cid, DocumentKind.URGING, date(2026, 11, 25))
    assert not of(db, cid, DueKind.NO_URGING)


def test_urging_period_from_service_and_a_call_after_it(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1, received=date(2026, 11, 2))
    issue(db, cid, DocumentKind.URGING, date(2026, 11, 3), served=date(2026, 11, 5))
    [item] = of(db, cid, DueKind.URGING_PERIOD)
    assert item.due_date == date(2026, 11, 20) and item.days_overdue == 5
    call(db, admin, cid, date(2026, 11, 24))
    assert not of(db, cid, DueKind.URGING_PERIOD)


def test_a_logged_call_with_a_new_follow_up_removes_the_item(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    call(db, admin, cid, date(2026, 11, 21), next_follow_up=date(2026, 11, 24))
    [item] = of(db, cid, DueKind.FOLLOW_UP)
    assert item.days_overdue == 1
    call(db, admin, cid, date(2026, 11, 25), next_follow_up=date(2026, 12, 7))
    assert not of(db, cid, DueKind.FOLLOW_UP)
    assert of(db, cid, DueKind.FOLLOW_UP, date(2026, 12, 4))[0].due_date == date(2026, 12, 7)


def test_follow_up_promised_on_a_holiday(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1, received=date(2026, 9, 21))
    data = ContactInput(
        ContactKind.PHONE,
        at(date(2026, 9, 28)),
        True,
        "答应国庆后来院",
        next_follow_up=date(2026, 10, 2),
    )
    with db.unit_of_work() as s:
        contacts.log_contact(s, admin, cid, data, now=at(TODAY))
    assert not of(db, cid, DueKind.FOLLOW_UP, date(2026, 10, 4)), "rolled to 8 Oct: not yet"
    assert of(db, cid, DueKind.FOLLOW_UP, date(2026, 10, 5))
    [item] = of(db, cid, DueKind.FOLLOW_UP, date(2026, 10, 8))
    assert item.due_date == date(2026, 10, 8) and item.rolled_from == date(2026, 10, 2)


def test_a_correction_replacing_the_follow_up_date(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    log_id = call(db, admin, cid, date(2026, 11, 23), next_follow_up=date(2026, 11, 24))
    assert of(db, cid, DueKind.FOLLOW_UP)
    fixed = ContactInput(
        ContactKind.PHONE, at(date(2026, 11, 23)), True, "通话", next_follow_up=date(2026, 12, 10)
    )
    with db.unit_of_work() as s:
        contacts.correct_contact(s, admin, log_id, fixed, now=at(TODAY))
    assert not of(db, cid, DueKind.FOLLOW_UP)
    assert of(db, cid, DueKind.FOLLOW_UP, date(2026, 12, 10))
    with db.reader() as s:
        assert docket.get_case(s, cid).next_due_date == date(2026, 12, 10)


def test_a_correction_that_moves_the_call_earlier_still_replaces_it(
    db: Database, admin: Actor
) -> None:
    cid = register(db, admin, 1)
    call(db, admin, cid, date(2026, 11, 21), next_follow_up=date(2026, 11, 23))
    wrong = call(db, admin, cid, date(2026, 11, 24), next_follow_up=date(2026, 12, 20))
    assert not of(db, cid, DueKind.FOLLOW_UP)
    fixed = ContactInput(
        ContactKind.PHONE, at(date(2026, 11, 22)), True, "通话", next_follow_up=date(2026, 11, 26)
    )
    with db.unit_of_work() as s:
        contacts.correct_contact(s, admin, wrong, fixed, now=at(TODAY))
    assert of(db, cid, DueKind.FOLLOW_UP)[0].due_date == date(2026, 11, 26)


def test_promise_kept_by_a_payment(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    call(
        db,
        admin,
        cid,
        date(2026, 11, 20),
        promise_amount=Decimal("2000"),
        promise_date=date(2026, 11, 24),
    )
    assert of(db, cid, DueKind.PROMISE)[0].days_overdue == 1
    pay(db, cid, date(2026, 11, 25), "2000.00")
    assert not of(db, cid, DueKind.PROMISE)


def _settle(db: Database, cid: str) -> None:
    with db.unit_of_work() as s:
        case = docket.get_case(s, cid)
        case.status = CaseStatus.SETTLED
        st = Settlement(case_id=cid, signed_on=date(2026, 11, 1), total_amount=Decimal("10000"))
        st.installments = [
            Installment(seq=1, due_date=date(2026, 11, 20), amount=Decimal("5000")),
            Installment(seq=2, due_date=date(2026, 12, 20), amount=Decimal("5000")),
        ]
        s.add(st)


def test_installment_paid_late(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    _settle(db, cid)
    [item] = of(db, cid, DueKind.INSTALLMENT)
    assert item.due_date == date(2026, 11, 20) and item.days_overdue == 5
    assert not of(db, cid, DueKind.SUPERVISION_LIMIT)
    pay(db, cid, date(2026, 11, 25), "5000.00")
    assert not of(db, cid, DueKind.INSTALLMENT)
    assert of(db, cid, DueKind.INSTALLMENT, date(2026, 12, 18))[0].due_date == date(2026, 12, 21)


def test_defaulted_settlement_has_no_installment_items(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    _settle(db, cid)
    with db.unit_of_work() as s:
        for st in s.scalars(select(Settlement)):
            st.status = SettlementStatus.DEFAULTED
    assert not of(db, cid, DueKind.INSTALLMENT)


def test_supervision_limit(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1, received=date(2026, 10, 26))
    [item] = of(db, cid, DueKind.SUPERVISION_LIMIT)
    assert item.due_date == TODAY
    assert not of(db, cid, DueKind.SUPERVISION_LIMIT, date(2026, 11, 21))


def test_document_not_served(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    doc = issue(db, cid, DocumentKind.URGING, date(2026, 11, 16))
    [item] = of(db, cid, DueKind.UNSERVED)
    assert item.due_date == date(2026, 11, 23)
    serve(db, doc, date(2026, 11, 25))
    assert not of(db, cid, DueKind.UNSERVED)


def test_voided_document_is_ignored(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    doc = issue(db, cid, DocumentKind.URGING, date(2026, 11, 16))
    with db.unit_of_work() as s:
        s.get_one(Document, doc).voided = True
    assert not of(db, cid, DueKind.UNSERVED)
    assert of(db, cid, DueKind.NO_URGING)


def test_freeze_windows(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    with db.unit_of_work() as s:
        s.add(
            Preservation(
                case_id=cid,
                kind=PreservationKind.BANK_DEPOSIT,
                description="工行账户",
                frozen_on=date(2025, 12, 25),
            )
        )
    expiry = date(2026, 12, 25)
    assert of(db, cid, DueKind.FREEZE_EXPIRING, expiry - timedelta(days=30))[0].due_date == expiry
    assert not of(db, cid, DueKind.FREEZE_EXPIRING, expiry - timedelta(days=31))
    with db.unit_of_work() as s:
        s.scalars(select(Preservation)).one().expires_on = date(2027, 12, 24)  # renewed
    assert not of(db, cid, DueKind.FREEZE_EXPIRING, expiry)


def test_enforcement_limit_windows(db: Database, admin: Actor) -> None:
    cid = register(
        db, admin, 1, performance_deadline=date(2024, 12, 31), effective_date=date(2024, 12, 1)
    )
    end = date(2026, 12, 31)
    assert of(db, cid, DueKind.ENFORCEMENT_LIMIT, end - timedelta(days=60))[0].due_date == end
    assert not of(db, cid, DueKind.ENFORCEMENT_LIMIT, end - timedelta(days=61))


def test_year_without_calendar_data_is_flagged(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    call(db, admin, cid, date(2026, 11, 25), next_follow_up=date(2027, 1, 5))
    [item] = of(db, cid, DueKind.FOLLOW_UP, date(2027, 1, 5))
    assert not item.calendar_complete and "2027年节假日数据未录入" in item.detail


def test_closed_cases_produce_no_items(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1, received=date(2026, 6, 1))
    assert items(db)
    with db.unit_of_work() as s:
        case = docket.get_case(s, cid)
        case.status = CaseStatus.PERFORMED
        case.closed_date = TODAY
    assert items(db) == []


def test_filters_and_livelihood_first(db: Database, admin: Actor) -> None:
    a = register(db, admin, 1, received=date(2026, 10, 1))
    b = register(
        db, admin, 2, received=date(2026, 10, 1), livelihood=True, livelihood_kind="追索劳动报酬"
    )
    got = items(db)
    assert got[0].case_id == b and got[0].priority == 1
    assert {i.case_id for i in items(db, handler_id="nobody")} == set()
    kinds = items(db, kinds=[DueKind.SUPERVISION_LIMIT])
    assert {i.kind for i in kinds} == {DueKind.SUPERVISION_LIMIT} and {
        i.case_id for i in kinds
    } == {a, b}


def test_docket_next_due_follows_the_rules(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    with db.reader() as s:
        assert docket.get_case(s, cid).next_due_date == date(
            2026, 12, 21
        )  # limit, 20 Dec is Sunday
    call(db, admin, cid, date(2026, 11, 25), next_follow_up=date(2026, 11, 27))
    with db.reader() as s:
        assert docket.get_case(s, cid).next_due_date == date(2026, 11, 27)


def test_docket_next_due_counts_the_art_250_limit_as_the_due_list_does(
    db: Database, admin: Actor
) -> None:
    """The 下次到期 column worked out for one case (docket.refresh_derived) reads the same facts
    as the due-list: the effective date when no performance period is recorded, the judgment's
    last installment when it sets installments."""
    from_effective = register(
        db, admin, 1, effective_date=date(2024, 12, 2), performance_deadline=None
    )
    from_installment = register(
        db, admin, 2, effective_date=date(2024, 6, 1), performance_deadline=date(2024, 7, 1),
        final_installment_date=date(2024, 11, 30),
    )  # fmt: skip
    expected = {from_effective: date(2026, 12, 2), from_installment: date(2026, 11, 30)}
    with db.reader() as s:  # closed without commit: nothing is written
        limit = get_settings(s).supervision_limit_days
        for case_id, due in expected.items():
            case = docket.get_case(s, case_id)
            # Both come before the supervision limit (21 Dec 2026).
            assert case.next_due_date == due
            with s.no_autoflush:
                docket.refresh_derived(s, case, limit_days=limit)
            assert case.next_due_date == due, case.case_no


def test_daily_summary(db: Database, admin: Actor) -> None:
    cid = register(db, admin, 1)
    call(db, admin, cid, TODAY)
    data = ContactInput(ContactKind.VISIT, at(TODAY, 15), False, "")
    with db.unit_of_work() as s:
        contacts.log_contact(s, admin, cid, data, now=at(TODAY, 18))
    pay(db, cid, TODAY, "1234.50")
    with db.reader() as s:
        text = dues.daily_summary(s, TODAY)
    assert "2026年11月25日" in text
    assert "电话督促1次，上门/来院约谈1次" in text and "接通/见面1次" in text
    assert "收到履行款1笔（1案），合计¥1,234.50" in text


def test_many_cases_use_a_few_queries(db: Database, admin: Actor, tmp_path: Path) -> None:
    from sqlalchemy import event

    def statements_for_the_list() -> tuple[int, list[str]]:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            got = items(db)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len({i.case_id for i in got}), statements

    ids = [register(db, admin, n, received=date(2026, 10, 1)) for n in range(1, 21)]
    for cid in ids[:5]:
        call(db, admin, cid, TODAY, next_follow_up=TODAY)
    cases, statements = statements_for_the_list()
    assert cases == 20
    # A fixed number whatever the number of cases: the facts are ten set-based reads (cases,
    # parties, services, documents, contacts, payments, installments, settlements, freezes,
    # pending mediations) and the court's time zone, whose day a call or a notice falls on.
    assert len(statements) <= 17, statements
    for n in range(21, 41):
        register(db, admin, n, received=date(2026, 10, 1))
    cases, more = statements_for_the_list()
    assert cases == 40 and len(more) == len(statements), more


def test_cli_due_json_and_text(
    db: Database, admin: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse
    import json

    from zhiqian_desktop.cli.due import cmd_due

    cid = register(db, admin, 1, livelihood=True, livelihood_kind="追索劳动报酬")
    call(db, admin, cid, date(2026, 11, 21), next_follow_up=date(2026, 11, 24))
    assert cmd_due(db, admin, argparse.Namespace(date="2026-11-25", json=True)) == 0
    out = json.loads(capsys.readouterr().out)
    follow = next(i for i in out if i["kind"] == "follow_up")
    assert follow["due_date"] == "2026-11-24" and follow["days_overdue"] == 1
    assert follow["priority"] == 1 and follow["case_no"].startswith("（2026）内0221执前督")
    assert {"case_no", "kind", "due_date", "days_overdue", "priority", "detail"} <= set(follow)
    assert cmd_due(db, admin, argparse.Namespace(date="2026-11-25", json=False)) == 0
    text = capsys.readouterr().out
    assert "【已逾期】" in text and "约定回访" in text and "★民生" in text
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        cmd_due(db, admin, argparse.Namespace(date="2026-13-01", json=False))
