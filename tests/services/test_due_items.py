"""The stored deadlines (table due_item) never drift from what the rules compute from the data.

Random sequences of the clerks' operations through the services, on SQLite and PostgreSQL, after
each of which the stored rows equal the rows computed from scratch and the due-list read from
them equals the list computed over every case; then each write path on its own.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import make_case_input

# The offline-kit fixtures of the sync tests (a court database, its kit, the laptop opening it).
from tests.services.test_sync import Court, Laptop, changes, court, kit, laptop  # noqa: F401
from zhiqian_desktop.domain.dues import DueKind
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    DocumentKind,
    MediationResult,
    MediatorKind,
    PaymentMethod,
    PreservationKind,
    ServiceMethod,
)
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.services.admin import server_copy as transfer_db
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core import calendar
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import DEFAULT_ZONE as COURT_TZ
from zhiqian_desktop.services.core.settings import get_settings, update_settings
from zhiqian_desktop.services.exchange import merge
from zhiqian_desktop.services.intake import docket, import_template, importing
from zhiqian_desktop.services.intake.import_columns import HEADERS
from zhiqian_desktop.services.intake.import_template import write_import_template
from zhiqian_desktop.services.supervision import (
    contacts,
    due_items,
    dues,
    mediation,
    notices,
    service_records,
)
from zhiqian_desktop.services.supervision.contacts import ContactInput
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import (
    ContactLog,
    Document,
    DueEntry,
    Mediation,
    Mediator,
    Payment,
    Preservation,
    Service,
    SupervisionCase,
)

TODAY = date(2026, 11, 25)
DATES = (
    TODAY - timedelta(days=40),
    TODAY,
    TODAY + timedelta(days=3),
    TODAY + timedelta(days=45),
    TODAY + timedelta(days=800),
)
COLUMNS = [c.name for c in DueEntry.__table__.columns]


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=COURT_TZ)


def stored_rows(s: Session) -> list[tuple[Any, ...]]:
    table = DueEntry.__table__
    rows = s.connection().execute(select(table).order_by(table.c.case_id, table.c.seq))
    return [tuple(r) for r in rows]


def computed_rows(s: Session) -> list[tuple[Any, ...]]:
    rows = due_items.rows_of(due_items.calculator(s), dues.load_facts(s))
    return sorted(tuple(r[c] for c in COLUMNS) for r in rows)


def assert_in_step(db: Database) -> int:
    """The stored rows are exactly the computed ones; returns their number."""
    with db.reader() as s:
        stored = stored_rows(s)
        assert stored == computed_rows(s)
        # The docket's 下次到期 is the earliest dated deadline the rules give, for every case.
        calc = due_items.calculator(s)
        expected = {f.case_id: calc.next_due(f) for f in dues.load_facts(s)}
        for case_id, next_due in s.execute(
            select(SupervisionCase.id, SupervisionCase.next_due_date)
        ):
            assert next_due == expected.get(case_id), case_id
        for on in DATES:
            assert dues.due_list(s, on) == dues.computed_due_list(s, on)
        handlers = set(s.scalars(select(SupervisionCase.handler_id)))
        for handler in handlers - {None}:
            mine = dues.due_list(s, TODAY, handler_id=handler)
            assert mine == dues.computed_due_list(s, TODAY, handler_id=handler)
        for kinds in ([DueKind.FOLLOW_UP], ["unserved", DueKind.INSTALLMENT]):
            picked = dues.due_list(s, TODAY, kinds=kinds)  # type: ignore[arg-type]
            assert picked == dues.computed_due_list(s, TODAY, kinds=kinds)  # type: ignore[arg-type]
        return len(stored)


def kinds_of(db: Database, case_id: str, on: date = TODAY) -> list[DueKind]:
    assert_in_step(db)
    with db.reader() as s:
        return [i.kind for i in dues.due_list(s, on) if i.case_id == case_id]


# --- random sequences ---------------------------------------------------------------------------


class Clerk:
    """Does one random thing a clerk might do, through the services."""

    def __init__(self, db: Database, actor: Actor, rng: random.Random) -> None:
        self.db, self.actor, self.rng = db, actor, rng
        self.n = 0

    def _cases(self, s: Session, *, open_only: bool = True) -> list[SupervisionCase]:
        stmt = select(SupervisionCase).where(SupervisionCase.deleted_at.is_(None))
        found = list(s.scalars(stmt.order_by(SupervisionCase.case_no)))
        if open_only:
            found = [c for c in found if c.status in OPEN_STATUSES]
        return found

    def _pick(self, s: Session, **kw: bool) -> SupervisionCase | None:
        found = self._cases(s, **kw)
        return self.rng.choice(found) if found else None

    def _day(self, back: int = 120, ahead: int = 0) -> date:
        return TODAY + timedelta(days=self.rng.randint(-back, ahead))

    def register(self, s: Session) -> None:
        self.n += 1
        received = self._day(90)
        data = make_case_input(
            self.n,
            received=received,
            effective_date=received - timedelta(days=30),
            performance_deadline=received - timedelta(days=self.rng.choice((10, 700, 720))),
            livelihood=self.rng.random() < 0.3,
            livelihood_kind="追索劳动报酬",
            handler_id=self.rng.choice((None, self.actor.user_id)),
        )
        docket.register_case(s, self.actor, data, today=TODAY)

    def edit(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        data = make_case_input(
            int(case.original_case_no.split("初")[1].rstrip("号")),
            obligor=self.rng.choice(("王某某", "张某", "某某公司")),
            received=self._day(90),
            effective_date=date(2026, 1, 1),
            performance_deadline=self._day(800, 0),
            livelihood=self.rng.random() < 0.5,
            livelihood_kind="追索劳动报酬",
        )
        docket.update_case(s, self.actor, case.id, case.version, data, today=TODAY)

    def call(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        data = ContactInput(
            kind=self.rng.choice((ContactKind.PHONE, ContactKind.VISIT, ContactKind.MESSAGE)),
            contacted_at=at(self._day(30), self.rng.randint(8, 17)),
            reached=True,
            summary="督促履行",
            next_follow_up=self._day(10, 20) if self.rng.random() < 0.7 else None,
            promise_date=self._day(10, 20) if self.rng.random() < 0.4 else None,
            promise_amount=Decimal(self.rng.choice(("500.00", "3000.00")))
            if self.rng.random() < 0.5
            else None,
        )
        if data.promise_amount and not data.promise_date:
            data.promise_date = self._day(0, 10)
        contacts.log_contact(s, self.actor, case.id, data, now=at(TODAY, 18))

    def correct(self, s: Session) -> None:
        logs = list(
            s.scalars(
                select(ContactLog)
                .where(ContactLog.deleted_at.is_(None), ContactLog.corrects_id.is_(None))
                .order_by(ContactLog.contacted_at, ContactLog.created_at)
            )
        )
        if not logs:
            return
        log = self.rng.choice(logs)
        data = ContactInput(
            kind=ContactKind.PHONE,
            contacted_at=log.contacted_at,
            reached=False,
            summary="更正：未接通",
            next_follow_up=self._day(5, 10) if self.rng.random() < 0.5 else None,
        )
        contacts.correct_contact(s, self.actor, log.id, data, now=at(TODAY, 18))

    def issue(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        kind = self.rng.choice((DocumentKind.URGING, DocumentKind.RISK_NOTICE))
        notices.issue_notice(s, self.actor, case.id, kind, today=TODAY)

    def serve(self, s: Session) -> None:
        served = select(Service.document_id).where(Service.deleted_at.is_(None))
        docs = list(
            s.scalars(
                select(Document)
                .where(Document.id.not_in(served), Document.voided.is_(False))
                .order_by(Document.doc_no)
            )
        )
        if not docs:
            return
        doc = self.rng.choice(docs)
        on = max(
            doc.issued_at.astimezone(COURT_TZ).date(),
            TODAY - timedelta(days=self.rng.randint(0, 20)),
        )
        service_records.record_service(
            s, self.actor, doc.id, ServiceMethod.DIRECT, min(on, TODAY), "书记员", today=TODAY
        )

    def void(self, s: Session) -> None:
        docs = list(
            s.scalars(select(Document).where(Document.voided.is_(False)).order_by(Document.doc_no))
        )
        if docs:
            self.rng.choice(docs).voided = True

    def pay(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        outcomes.record_payment(
            s,
            self.actor,
            case.id,
            paid_on=self._day(20),
            amount=Decimal(self.rng.choice(("500.00", "3000.00", "12345.67"))),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            confirm_overpayment=True,
            today=TODAY,
        )

    def settle(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        outcomes.record_settlement(
            s,
            self.actor,
            case.id,
            signed_on=self._day(30),
            terms="分期履行",
            default_clause=None,
            guarantee=None,
            equal_installments=(self.rng.randint(2, 4), self._day(20, 30), 1),
            today=TODAY,
        )

    def close(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        outcomes.close_case(
            s,
            self.actor,
            case.id,
            self.rng.choice((CaseStatus.PERFORMED, CaseStatus.WITHDRAWN)),
            closed_on=TODAY,
            reason="已履行完毕",
            act_confirmed=True,
            today=TODAY,
        )

    def reopen(self, s: Session) -> None:
        closed = [
            c
            for c in self._cases(s, open_only=False)
            if c.status in (CaseStatus.PERFORMED, CaseStatus.WITHDRAWN)
        ]
        if closed:
            outcomes.reopen_case(s, self.actor, self.rng.choice(closed).id, "发现尚有未履行部分")

    def freeze(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        expires = self._day(0, 60) if self.rng.random() < 0.5 else None
        s.add(
            Preservation(
                case_id=case.id,
                kind=self.rng.choice(list(PreservationKind)),
                frozen_on=self._day(1200),
                expires_on=expires,
                description="账户",
            )
        )

    def entrust(self, s: Session) -> None:
        case = self._pick(s)
        if case is None:
            return
        mediator = s.scalars(select(Mediator).where(Mediator.name == "调解委员会")).first()
        if mediator is None:
            mediator = mediation.add_mediator(s, self.actor, "调解委员会", MediatorKind.COMMITTEE)
        mediation.entrust_case(
            s,
            self.actor,
            case.id,
            mediator_id=mediator.id,
            entrusted_on=max(case.received_date, self._day(40)),
            period_days=self.rng.randint(5, 40),
            today=TODAY,
        )

    def mediation_result(self, s: Session) -> None:
        pending = list(s.scalars(select(Mediation).where(Mediation.result.is_(None))))
        if pending:
            chosen = self.rng.choice(sorted(pending, key=lambda m: m.created_at))
            mediation.record_mediation_result(
                s,
                self.actor,
                chosen.id,
                result=self.rng.choice(list(MediationResult)),
                result_on=TODAY,
                today=TODAY,
            )

    def drop_record(self, s: Session) -> None:
        rows: list[Any] = (
            list(s.scalars(select(Preservation).where(Preservation.deleted_at.is_(None))))
            + list(s.scalars(select(ContactLog).where(ContactLog.deleted_at.is_(None))))
            + list(s.scalars(select(Mediation).where(Mediation.deleted_at.is_(None))))
        )
        if rows:
            self.rng.choice(sorted(rows, key=lambda r: r.created_at)).deleted_at = at(TODAY)

    def holidays(self, s: Session) -> None:
        year = self.rng.choice((2026, 2027))
        rest = [
            date(year, 12, d)
            for d in self.rng.sample(range(1, 29), 3)
            if date(year, 12, d).weekday() < 5
        ]
        calendar.set_year(s, self.actor, year, [(d, "测试假日") for d in rest], [])

    def periods(self, s: Session) -> None:
        settings = get_settings(s)
        name = self.rng.choice(("urging_days", "supervision_limit_days", "unserved_flag_days"))
        update_settings(s, self.actor, settings.version, **{name: self.rng.randint(3, 40)})

    def rename_setting(self, s: Session) -> None:
        settings = get_settings(s)
        update_settings(s, self.actor, settings.version, court_phone=str(self.rng.randint(1, 99)))


WEIGHTED = (
    ("register", 6),
    ("edit", 2),
    ("call", 6),
    ("correct", 2),
    ("issue", 3),
    ("serve", 3),
    ("void", 1),
    ("pay", 3),
    ("settle", 2),
    ("close", 2),
    ("reopen", 1),
    ("freeze", 2),
    ("entrust", 2),
    ("mediation_result", 1),
    ("drop_record", 1),
    ("holidays", 1),
    ("periods", 1),
    ("rename_setting", 1),
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_operations_keep_the_stored_deadlines_in_step(
    db: Database, admin: Actor, seed: int
) -> None:
    rng = random.Random(seed)
    clerk = Clerk(db, admin, rng)
    names = [n for n, w in WEIGHTED for _ in range(w)]
    done: dict[str, int] = {}
    for step in range(45):
        name = names[rng.randrange(len(names))] if step >= 4 else "register"
        try:
            with db.unit_of_work() as s:
                getattr(clerk, name)(s)
            done[name] = done.get(name, 0) + 1
        except UserError:
            pass  # refused (e.g. a settlement on a case with nothing outstanding): rolled back
        assert_in_step(db)
    assert sum(done.values()) >= 25, done
    assert assert_in_step(db) > 0


def test_a_rolled_back_change_leaves_the_rows_as_they_were(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        cid = docket.register_case(s, admin, make_case_input(1), today=TODAY).id
    before = assert_in_step(db)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        notices.issue_notice(s, admin, cid, DocumentKind.URGING, today=TODAY)
        raise RuntimeError("boom")
    assert assert_in_step(db) == before
    assert DueKind.NO_URGING in kinds_of(db, cid)


def test_a_savepoint_rolled_back_keeps_the_rows_of_the_rest(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        cid = docket.register_case(s, admin, make_case_input(1), today=TODAY).id
        try:
            with s.begin_nested():
                docket.register_case(s, admin, make_case_input(2), today=TODAY)
                raise RuntimeError("row refused")
        except RuntimeError:
            pass
    assert DueKind.NO_URGING in kinds_of(db, cid)
    with db.reader() as s:
        assert s.scalar(select(SupervisionCase.id).where(SupervisionCase.id != cid)) is None


# --- each write path ----------------------------------------------------------------------------


def register(db: Database, admin: Actor, n: int = 1, **extra: Any) -> str:
    with db.unit_of_work() as s:
        return docket.register_case(s, admin, make_case_input(n, **extra), today=TODAY).id


def test_registering_and_editing_a_case(db: Database, admin: Actor) -> None:
    cid = register(db, admin)
    assert set(kinds_of(db, cid)) == {DueKind.NO_URGING}
    assert DueKind.SUPERVISION_LIMIT in kinds_of(db, cid, date(2026, 12, 20))
    with db.unit_of_work() as s:
        case = docket.get_case(s, cid)
        data = make_case_input(
            1,
            received=date(2026, 10, 20),
            effective_date=date(2026, 10, 1),
            performance_deadline=date(2026, 10, 15),
            livelihood=True,
        )
        data.livelihood_kind = "追索劳动报酬"
        docket.update_case(s, admin, cid, case.version, data, today=TODAY)
    assert DueKind.SUPERVISION_LIMIT in kinds_of(db, cid)
    with db.reader() as s:
        assert all(i.livelihood for i in dues.due_list(s, TODAY) if i.case_id == cid)


def test_contact_logs_and_corrections(db: Database, admin: Actor) -> None:
    cid = register(db, admin)
    call = ContactInput(
        ContactKind.PHONE, at(TODAY), True, "约定回访", next_follow_up=TODAY + timedelta(days=2)
    )
    with db.unit_of_work() as s:
        log_id = contacts.log_contact(s, admin, cid, call, now=at(TODAY, 18)).id
    assert DueKind.FOLLOW_UP in kinds_of(db, cid)
    fixed = ContactInput(ContactKind.PHONE, at(TODAY), True, "更正：无需回访")
    with db.unit_of_work() as s:
        contacts.correct_contact(s, admin, log_id, fixed, now=at(TODAY, 18))
    assert DueKind.FOLLOW_UP not in kinds_of(db, cid)


def test_notices_issued_served_and_voided(db: Database, admin: Actor) -> None:
    cid = register(db, admin)
    with db.unit_of_work() as s:
        issued = notices.issue_notice(s, admin, cid, DocumentKind.URGING, today=TODAY)
        doc_id = issued.id
    later = TODAY + timedelta(days=20)
    assert DueKind.NO_URGING not in kinds_of(db, cid, later)
    assert DueKind.UNSERVED in kinds_of(db, cid, later)
    with db.unit_of_work() as s:
        service_records.record_service(
            s, admin, doc_id, ServiceMethod.DIRECT, TODAY, "书记员", today=TODAY
        )
    assert DueKind.UNSERVED not in kinds_of(db, cid, later)
    assert DueKind.URGING_PERIOD in kinds_of(db, cid, later)
    with db.unit_of_work() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        doc.voided = True
    assert DueKind.NO_URGING in kinds_of(db, cid, later)


def test_payments_settlements_and_closing(db: Database, admin: Actor) -> None:
    cid = register(db, admin, amount="1000.00")
    promise = ContactInput(
        ContactKind.PHONE,
        at(TODAY - timedelta(days=3)),
        True,
        "承诺付款",
        promise_amount=Decimal("500.00"),
        promise_date=TODAY - timedelta(days=1),
    )
    with db.unit_of_work() as s:
        contacts.log_contact(s, admin, cid, promise, now=at(TODAY, 18))
    assert DueKind.PROMISE in kinds_of(db, cid)
    with db.unit_of_work() as s:
        outcomes.record_payment(
            s,
            admin,
            cid,
            paid_on=TODAY - timedelta(days=1),
            amount=Decimal("500.00"),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            today=TODAY,
        )
    assert DueKind.PROMISE not in kinds_of(db, cid)
    with db.unit_of_work() as s:
        outcomes.record_settlement(
            s,
            admin,
            cid,
            signed_on=TODAY,
            terms="分两期",
            default_clause=None,
            guarantee=None,
            installments=[
                (TODAY + timedelta(days=2), Decimal("250.00")),
                (TODAY + timedelta(days=40), Decimal("250.00")),
            ],
            today=TODAY,
        )
    assert DueKind.INSTALLMENT in kinds_of(db, cid)
    assert DueKind.SUPERVISION_LIMIT not in kinds_of(db, cid, TODAY + timedelta(days=60))
    with db.unit_of_work() as s:
        outcomes.close_case(
            s,
            admin,
            cid,
            CaseStatus.WITHDRAWN,
            closed_on=TODAY,
            reason="申请人撤回",
            today=TODAY,
        )
    assert kinds_of(db, cid, TODAY + timedelta(days=3650)) == []
    with db.unit_of_work() as s:
        outcomes.reopen_case(s, admin, cid, "尚有款项未付")
    assert kinds_of(db, cid, TODAY + timedelta(days=3650))


def test_preservation_entries(db: Database, admin: Actor) -> None:
    cid = register(db, admin)
    with db.unit_of_work() as s:
        s.add(
            Preservation(
                case_id=cid,
                kind=PreservationKind.BANK_DEPOSIT,
                frozen_on=date(2025, 12, 10),
                description="工商银行账户",
            )
        )
    assert DueKind.FREEZE_EXPIRING in kinds_of(db, cid)
    with db.unit_of_work() as s:
        for p in s.scalars(select(Preservation)):
            p.expires_on = date(2027, 12, 10)  # renewed
    assert DueKind.FREEZE_EXPIRING not in kinds_of(db, cid)


def test_entrusted_mediation_puts_its_end_on_the_list_until_the_result(
    db: Database, admin: Actor
) -> None:
    cid = register(db, admin, received=date(2026, 11, 9))
    mid = mediation.add_mediator(db, admin, "土右旗人民调解委员会", MediatorKind.COMMITTEE).id
    row = mediation.entrust_case(
        db, admin, cid, mediator_id=mid, entrusted_on=date(2026, 11, 10), period_days=15,
        today=TODAY,
    )  # fmt: skip
    assert row.ends_on == date(2026, 11, 25)
    assert DueKind.MEDIATION_END not in kinds_of(db, cid, date(2026, 11, 21))
    assert DueKind.MEDIATION_END in kinds_of(db, cid, date(2026, 11, 22))  # three days ahead
    items = dues.due_list(db, date(2026, 11, 25))
    [item] = [i for i in items if i.kind is DueKind.MEDIATION_END]
    assert item.due_date == date(2026, 11, 25)
    assert "委托土右旗人民调解委员会调解，15日调解期限届满" in item.detail
    assert item.action.label == "了解并登记调解结果"
    mediation.record_mediation_result(
        db, admin, row.id, result=MediationResult.FAILED, result_on=TODAY, today=TODAY
    )
    assert DueKind.MEDIATION_END not in kinds_of(db, cid, TODAY + timedelta(days=3650))
    assert_in_step(db)


def test_holiday_table_and_period_settings_rebuild_every_row(db: Database, admin: Actor) -> None:
    cid = register(db, admin, received=date(2026, 11, 9))

    def limit_due() -> date:
        assert_in_step(db)
        with db.reader() as s:
            [item] = [
                i
                for i in dues.due_list(s, date(2027, 1, 31))
                if i.case_id == cid and i.kind is DueKind.SUPERVISION_LIMIT
            ]
            return item.due_date

    assert limit_due() == date(2026, 12, 9)  # received + 30 days, a Wednesday
    with db.unit_of_work() as s:
        calendar.set_year(
            s, admin, 2026, [(date(2026, 12, 9), "测试"), (date(2026, 12, 10), "测试")], []
        )
    assert limit_due() == date(2026, 12, 11)
    with db.unit_of_work() as s:
        update_settings(s, admin, get_settings(s).version, supervision_limit_days=20)
    assert limit_due() == date(2026, 11, 30)


def test_imported_cases(db: Database, admin: Actor, tmp_path: Path) -> None:
    rows = import_template._example_rows()
    rows[0][HEADERS.index("备注")] = None  # the example row, but not marked as the example
    path = write_import_template(tmp_path / "t.xlsx", rows)
    report = importing.import_cases(db, admin, path, today=TODAY)
    assert report.ok, report.problems
    assert assert_in_step(db) > 0
    with db.reader() as s:
        listed = {i.case_no for i in dues.due_list(s, TODAY + timedelta(days=400))}
    assert listed >= {c.case_no for c in report.created}


def test_a_copied_database_carries_the_rows(
    sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    cid = register(sqlite_db, admin)
    call = ContactInput(ContactKind.PHONE, at(TODAY), True, "回访", next_follow_up=TODAY)
    with sqlite_db.unit_of_work() as s:
        contacts.log_contact(s, admin, cid, call, now=at(TODAY, 18))
    target = sqlite_url(tmp_path / "copy.db")
    transfer_db.copy_database(sqlite_db.url, target)
    copied = open_app_database(target)
    try:
        assert assert_in_step(copied) == assert_in_step(sqlite_db) > 0
        assert DueKind.FOLLOW_UP in kinds_of(copied, cid)
    finally:
        copied.dispose()


def test_an_offline_kit_and_its_merge(
    court: Court,  # noqa: F811
    laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    # The kit holds the rows of its own cases only, in step with its data.
    assert assert_in_step(laptop.db) > 0
    with laptop.db.reader() as s:
        assert {i.case_id for i in dues.due_list(s, TODAY + timedelta(days=400))} == set(
            court.cases
        )
    follow_up = TODAY + timedelta(days=2)
    call = ContactInput(ContactKind.PHONE, at(TODAY), True, "约定回访", next_follow_up=follow_up)
    with laptop.db.unit_of_work() as s:
        contacts.log_contact(s, laptop.clerk, court.cases[0], call, now=at(TODAY, 18))
    assert DueKind.FOLLOW_UP in kinds_of(laptop.db, court.cases[0])
    assert DueKind.FOLLOW_UP not in kinds_of(court.db, court.cases[0])
    report = merge.import_changes(court.db, court.admin, changes(laptop, tmp_path))
    assert report.conflicts == []
    assert DueKind.FOLLOW_UP in kinds_of(court.db, court.cases[0])


def test_the_migration_fills_the_rows_of_an_existing_docket(db: Database, admin: Actor) -> None:
    from alembic import command

    from zhiqian_desktop.store import migrations

    first = register(db, admin, 1, livelihood=True, livelihood_kind="追索劳动报酬")
    register(db, admin, 2, received=date(2026, 9, 1), effective_date=date(2026, 8, 1))
    call = ContactInput(ContactKind.PHONE, at(TODAY), True, "回访", next_follow_up=TODAY)
    with db.unit_of_work() as s:
        contacts.log_contact(s, admin, first, call, now=at(TODAY, 18))
    with db.reader() as s:
        before = stored_rows(s)
    assert len(before) >= 4
    cfg = migrations._config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_pg_trigram_search")
    assert migrations.current_revision(db.engine) == "0005_pg_trigram_search"
    assert migrations.upgrade(db.engine) is True
    assert assert_in_step(db) == len(before)
    with db.reader() as s:
        assert stored_rows(s) == before


def test_on_a_server_two_desks_rewriting_one_case_take_turns(pg_db: Database, admin: Actor) -> None:
    """The rewrite locks the case's row, so a second desk's rewrite waits and then reads the
    first desk's committed change instead of writing rows computed without it."""
    from sqlalchemy.exc import OperationalError

    cid = register(pg_db, admin)
    other = register(pg_db, admin, 2)
    with pg_db.unit_of_work() as first:
        first.add(
            Payment(
                case_id=cid,
                paid_on=TODAY,
                amount=Decimal("1.00"),
                payer="王某某",
                method=PaymentMethod.TRANSFER,
            )
        )
        first.flush()
        due_items.refresh_due_items(first, [cid])
        with pg_db.engine.connect() as second:
            with pytest.raises(OperationalError, match="lock"):
                second.execute(
                    select(SupervisionCase.id)
                    .where(SupervisionCase.id == cid)
                    .with_for_update(nowait=True)
                ).all()
            second.rollback()
            # Another case is not held up.
            locked = select(SupervisionCase.id).where(SupervisionCase.id == other)
            assert second.execute(locked.with_for_update(nowait=True)).all()
            second.rollback()
    assert_in_step(pg_db)
