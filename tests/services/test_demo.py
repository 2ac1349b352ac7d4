"""Demo data: realistic, valid, reproducible per seed, added to existing data, safe in parallel."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.identity import (
    parse_resident_id,
    validate_credit_code,
    validate_phone,
)
from zhiqian_desktop.domain.kinds import (
    MessageKind,
    MessageStatus,
    PartyKind,
    Role,
    SettlementStatus,
)
from zhiqian_desktop.domain.workflow import CLOSED_STATUSES, CaseStatus
from zhiqian_desktop.services.admin.demo import DemoReport, generate_demo
from zhiqian_desktop.services.admin.maintenance import check, open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case, split_phones
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import (
    ContactLog,
    OutboxMessage,
    Payment,
    Preservation,
    Settlement,
    SupervisionCase,
    User,
)

EXPECTED_STATUSES = set(CaseStatus) - {CaseStatus.ARCHIVED}


def new_db(path: Path) -> Database:
    db = open_app_database(sqlite_url(path))
    with db.unit_of_work() as session:
        settings_service.initialize(
            session, settings_service.SetupInput("土默特右旗人民法院", "内0221")
        )
    return db


def fingerprint(db: Database) -> list[tuple[Any, ...]]:
    """Everything a clerk would see of the demo cases, without ids and the team's case numbers."""
    rows: list[tuple[Any, ...]] = []
    with db.reader() as session:
        cases = session.scalars(
            select(SupervisionCase).order_by(
                SupervisionCase.received_date, SupervisionCase.case_seq
            )
        ).all()
        for case in cases:
            logs = session.execute(
                select(ContactLog.contacted_at, ContactLog.summary, ContactLog.promise_amount)
                .where(ContactLog.case_id == case.id)
                .order_by(ContactLog.contacted_at, ContactLog.summary)
            ).all()
            pays = session.execute(
                select(Payment.paid_on, Payment.amount, Payment.method)
                .where(Payment.case_id == case.id)
                .order_by(Payment.paid_on, Payment.amount)
            ).all()
            rows.append(
                (
                    case.original_case_no,
                    case.cause,
                    case.amount_due,
                    case.amount_paid,
                    case.status,
                    case.received_date,
                    case.closed_date,
                    case.close_reason,
                    case.handler.username if case.handler else None,
                    case.tribunal.name if case.tribunal else None,
                    tuple((p.name, p.id_number, p.phones, p.address) for p in case.parties),
                    tuple(tuple(x) for x in logs),
                    tuple(tuple(x) for x in pays),
                )
            )
    return rows


def test_demo_generates_valid_cases_in_every_status(db: Database) -> None:
    report = generate_demo(db, cases=45, seed=11, today=TODAY)
    assert isinstance(report, DemoReport)
    assert report.cases == len(report.case_numbers) == 45
    assert set(report.by_status) == EXPECTED_STATUSES
    assert report.users_created == 7 and report.tribunals_created == 4
    with db.reader() as session:
        cases = session.scalars(select(SupervisionCase)).all()
        assert len(cases) == 45
        assert {c.status for c in cases} == EXPECTED_STATUSES
        assert {c.case_no for c in cases} == set(report.case_numbers)
        handlers = {c.handler.username for c in cases if c.handler}
        assert 4 <= len(handlers) <= 6
        roles = {u.username: u.role for u in session.scalars(select(User))}
        assert all(roles[h] is Role.HANDLER for h in handlers)
        assert Role.LEAD in roles.values()

        for case in cases:
            assert case.received_date <= TODAY
            assert case.effective_date is not None and case.effective_date <= case.received_date
            assert (case.received_date - TODAY).days > -731
            assert case.amount_due == case.amount_due.quantize(Decimal("0.01"))
            assert case.amount_due > 0 or case.obligation_act
            assert (case.closed_date is not None) == (case.status in CLOSED_STATUSES), case.case_no
            if case.closed_date:
                assert case.received_date <= case.closed_date < TODAY
                assert case.close_reason
            if case.status in (CaseStatus.PERFORMED, CaseStatus.SETTLEMENT_PERFORMED):
                assert case.amount_paid == case.amount_due, case.case_no
            else:
                assert case.amount_paid <= case.amount_due, case.case_no
            if case.cause in ("追索劳动报酬纠纷", "抚养费纠纷", "机动车交通事故责任纠纷"):
                assert case.livelihood and case.livelihood_kind
            for party in case.parties:
                if party.kind is PartyKind.PERSON:
                    parse_resident_id(party.id_number or "", today=TODAY)
                else:
                    validate_credit_code(party.id_number or "")
                for phone in split_phones(party.phones):
                    validate_phone(phone)
                if party.kind is PartyKind.LEGAL_PERSON:
                    assert party.registered_capital and party.registered_capital > 0
                    assert party.legal_representative
            if case.status is not CaseStatus.REGISTERED:
                assert session.scalar(select(func.count()).where(ContactLog.case_id == case.id)), (
                    case.case_no
                )

        kinds = {p.kind for c in cases for p in c.parties}
        assert {PartyKind.PERSON, PartyKind.LEGAL_PERSON} <= kinds

        for settlement in session.scalars(select(Settlement)):
            assert sum(i.amount for i in settlement.installments) == settlement.total_amount
            case = session.get(SupervisionCase, settlement.case_id)
            assert case is not None
            if case.status is CaseStatus.SETTLEMENT_PERFORMED:
                assert settlement.status is SettlementStatus.PERFORMED
            else:
                assert settlement.installments[-1].due_date > TODAY  # still being paid

        logs = session.scalars(select(ContactLog)).all()
        assert any(log.reached and log.promise_amount for log in logs)
        assert any(not log.reached for log in logs)
        assert all(log.contacted_at.date() < TODAY for log in logs)
        assert all(log.summary for log in logs)
        assert session.scalar(select(func.count()).select_from(Payment)) == report.payments > 0
        assert (
            session.scalar(select(func.count()).select_from(Preservation)) == report.preservations
        )
        # The outbox: messages at every step but discarded (reminders only when a payment falls
        # due within the lead days: none among these cases).
        outbox = session.execute(select(OutboxMessage.kind, OutboxMessage.status)).all()
        assert len(outbox) == report.messages
        assert {kind for kind, _ in outbox} == {MessageKind.PROGRESS}
        assert {status for _, status in outbox} == set(MessageStatus) - {MessageStatus.DISCARDED}
    assert check(db).ok  # every record was written with its audit event, in the chain


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    first, second, third = (new_db(tmp_path / f"{n}.db") for n in ("a", "b", "c"))
    try:
        generate_demo(first, cases=20, seed=4, today=TODAY)
        generate_demo(second, cases=20, seed=4, today=TODAY)
        generate_demo(third, cases=20, seed=5, today=TODAY)
        assert fingerprint(first) == fingerprint(second)
        assert fingerprint(first) != fingerprint(third)
    finally:
        for db in (first, second, third):
            db.dispose()


def test_demo_adds_to_existing_data(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        mine = register_case(session, admin, make_case_input(1), today=TODAY)
    # A case of the court's own: the demo adds only when told to (issue 17).
    first = generate_demo(db, cases=15, seed=2, today=TODAY, force=True)
    again = generate_demo(db, cases=15, seed=2, today=TODAY, force=True)  # same seed: no clash
    assert again.users_created == again.tribunals_created == 0
    with db.reader() as session:
        cases = session.scalars(select(SupervisionCase)).all()
        assert len(cases) == 31
        assert mine.case_no in {c.case_no for c in cases}
        originals = [c.original_case_no for c in cases]
        assert len(set(originals)) == len(originals)
        assert len({c.case_no for c in cases}) == 31
        per_year: dict[int, list[int]] = defaultdict(list)
        for c in cases:
            per_year[c.case_year].append(c.case_seq)
        for seqs in per_year.values():
            assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert session.scalar(select(func.count()).select_from(User)) == 1 + 7
    assert not set(first.case_numbers) & set(again.case_numbers)


def test_demo_on_uninitialised_database_says_how_to_init(empty_db: Database) -> None:
    from zhiqian_desktop.domain.errors import UserError

    with pytest.raises(UserError, match="zhiqian init"):
        generate_demo(empty_db, cases=3, seed=1, today=TODAY)


@pytest.mark.slow
def test_concurrent_demo_processes_get_unique_gap_free_numbers(db: Database, db_path: Path) -> None:
    db.dispose()
    # Two runs share a seed, so they also race for the same original case numbers.
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zhiqian_desktop.cli",
                "demo",
                "--cases",
                "50",
                "--seed",
                str(seed),
                "--db",
                str(db_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for seed in (1, 1, 2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "添加演示案件 50 件" in out
    with db.reader() as session:
        rows = session.execute(
            select(
                SupervisionCase.case_no,
                SupervisionCase.case_year,
                SupervisionCase.case_seq,
                SupervisionCase.original_case_no,
            )
        ).all()
    assert len(rows) == 150
    assert len({r.case_no for r in rows}) == 150
    assert len({r.original_case_no for r in rows}) == 150
    per_year: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        per_year[r.case_year].append(r.case_seq)
    for year, seqs in per_year.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), year
    assert check(db).ok
