"""Allocation of the team's case numbers on a real database: per year, unique, never reused."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import CaseNumberBlock, CaseNumberCounter, SupervisionCase


def register(db: Database, admin: Actor, n: int, received: date = date(2026, 11, 20)) -> str:
    data = make_case_input(n, received=received, effective_date=date(received.year, 1, 1))
    with db.unit_of_work() as s:
        return register_case(s, admin, data, today=TODAY).case_no


def test_numbers_run_in_sequence_within_a_year(db: Database, admin: Actor) -> None:
    assert [register(db, admin, n) for n in range(1, 4)] == [
        "（2026）内0221执前督1号",
        "（2026）内0221执前督2号",
        "（2026）内0221执前督3号",
    ]


def test_the_sequence_restarts_in_a_new_year(db: Database, admin: Actor) -> None:
    late_2025 = date(2025, 12, 30)
    assert register(db, admin, 1, late_2025) == "（2025）内0221执前督1号"
    assert register(db, admin, 2, late_2025) == "（2025）内0221执前督2号"
    assert register(db, admin, 3) == "（2026）内0221执前督1号"
    # A late registration for the old year continues that year's sequence.
    assert register(db, admin, 4, late_2025) == "（2025）内0221执前督3号"
    assert register(db, admin, 5) == "（2026）内0221执前督2号"
    with db.reader() as s:
        counters = {c.year: c.last_seq for c in s.scalars(select(CaseNumberCounter))}
    assert counters == {2025: 3, 2026: 2}


def test_blocks_reserved_for_offline_kits_are_skipped(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        s.add(CaseNumberBlock(year=2026, first_seq=2, last_seq=5, holder="沟门法庭"))
        s.add(CaseNumberBlock(year=2026, first_seq=6, last_seq=6, holder="萨拉齐法庭"))
        s.add(CaseNumberBlock(year=2025, first_seq=1, last_seq=100, holder="去年的"))
    numbers = [register(db, admin, n) for n in range(1, 4)]
    assert numbers == [
        "（2026）内0221执前督1号",
        "（2026）内0221执前督7号",
        "（2026）内0221执前督8号",
    ]


def test_a_withdrawn_block_no_longer_holds_numbers_back(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        s.add(
            CaseNumberBlock(
                year=2026, first_seq=1, last_seq=10, holder="作废", deleted_at=datetime.now(UTC)
            )
        )
    assert register(db, admin, 1) == "（2026）内0221执前督1号"


def test_a_number_is_never_reused_after_its_case_is_deleted(db: Database, admin: Actor) -> None:
    register(db, admin, 1)
    register(db, admin, 2)
    with db.unit_of_work() as s:
        case = s.scalars(select(SupervisionCase).where(SupervisionCase.case_seq == 2)).one()
        case.deleted_at = datetime.now(UTC)
    assert register(db, admin, 3) == "（2026）内0221执前督3号"
    # The deleted case's original number may now be registered again, under a new number.
    assert register(db, admin, 2) == "（2026）内0221执前督4号"


def test_a_refused_registration_does_not_use_up_a_number(db: Database, admin: Actor) -> None:
    register(db, admin, 1)
    bad = make_case_input(2, phone="12345")
    with pytest.raises(Exception, match="电话"), db.unit_of_work() as s:
        register_case(s, admin, bad, today=TODAY)
    assert register(db, admin, 3) == "（2026）内0221执前督2号"


WORKER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from decimal import Decimal

    from zhiqian_desktop.domain.kinds import PartyRole
    from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, register_case
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core.users import default_actor

    url, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    db = open_app_database(url)
    with db.reader() as s:
        actor = default_actor(s)
    for i in range(count):
        data = CaseInput(
            original_case_no=f"（2026）内0221民初{worker * 1000 + i}号",
            cause="民间借贷纠纷",
            received_date=date(2026, 11, 20),
            amount_due=Decimal("100.00"),
            parties=[
                PartyInput(PartyRole.APPLICANT, f"申请人{worker}"),
                PartyInput(PartyRole.OBLIGOR, f"被申请人{worker}-{i}"),
            ],
        )
        with db.unit_of_work() as s:
            register_case(s, actor, data, today=date(2026, 11, 25))
    db.dispose()
    """
)


@pytest.mark.slow
def test_concurrent_registration_from_four_processes(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), db.url, str(w), "25"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(4)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode("utf-8", "replace")
    with db.reader() as s:
        rows = s.execute(select(SupervisionCase.case_seq, SupervisionCase.case_no)).all()
        counter = s.get(CaseNumberCounter, 2026)
    seqs = sorted(r[0] for r in rows)
    assert seqs == list(range(1, 101))
    assert len({r[1] for r in rows}) == 100
    assert counter is not None and counter.last_seq == 100
