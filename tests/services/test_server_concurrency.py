"""Several desks on one database: stale saves refused, numbers never shared, changes seen on refresh.

The two-desk tests run on both backends; the multi-process test and the version-column race need
a PostgreSQL server (ZHIQIAN_TEST_PG_URL), since only a server has truly concurrent writers.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import StaleEditError
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import verify_chain
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.intake.case_numbers import allocate
from zhiqian_desktop.services.intake.docket import (
    CaseInput,
    DocketQuery,
    PartyInput,
    count_cases,
    get_case,
    register_case,
    update_case,
)
from zhiqian_desktop.services.supervision import dues
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import CaseNumberCounter, SupervisionCase


def form_of(case: SupervisionCase) -> CaseInput:
    """What the case form holds after loading `case` (parties keep their ids)."""
    return CaseInput(
        original_case_no=case.original_case_no,
        cause=case.cause,
        received_date=case.received_date,
        effective_date=case.effective_date,
        performance_deadline=case.performance_deadline,
        amount_due=case.amount_due,
        notes=case.notes,
        parties=[
            PartyInput(p.role, p.name, p.kind, p.id_number, p.phones, p.address, id=p.id)
            for p in case.parties
        ],
    )


def load_form(db: Database, case_id: str) -> tuple[int, CaseInput]:
    with db.reader() as s:
        case = get_case(s, case_id)
        return case.version, form_of(case)


def test_two_desks_the_later_save_of_a_stale_version_is_refused(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    desk_a, desk_b = db, open_app_database(db.url)  # two programs on one database
    try:
        version_a, form_a = load_form(desk_a, case_id)
        version_b, form_b = load_form(desk_b, case_id)
        form_a.cause = "买卖合同纠纷"
        form_b.notes = "被申请人承诺月底前付清"
        with desk_a.unit_of_work() as s:
            update_case(s, admin, case_id, version_a, form_a, today=TODAY)
        with pytest.raises(StaleEditError) as refused, desk_b.unit_of_work() as s:
            update_case(s, admin, case_id, version_b, form_b, today=TODAY)
        assert "已被他人修改" in refused.value.message
        assert "您的输入仍保留" in refused.value.message
        assert form_b.notes == "被申请人承诺月底前付清"  # the clerk's input is untouched
        with desk_b.reader() as s:
            stored = get_case(s, case_id)
            assert (stored.cause, stored.notes, stored.version) == ("买卖合同纠纷", None, 2)
        # After a refresh desk B saves its note on top of desk A's change.
        version_b, refreshed = load_form(desk_b, case_id)
        refreshed.notes = form_b.notes
        with desk_b.unit_of_work() as s:
            update_case(s, admin, case_id, version_b, refreshed, today=TODAY)
        with desk_a.reader() as s:
            stored = get_case(s, case_id)
            assert (stored.cause, stored.notes, stored.version) == (
                "买卖合同纠纷",
                "被申请人承诺月底前付清",
                3,
            )
    finally:
        desk_b.dispose()


def test_the_docket_and_due_list_show_another_desks_changes_on_refresh(
    db: Database, admin: Actor
) -> None:
    other = open_app_database(db.url)
    try:
        with db.reader() as s:
            assert count_cases(s, DocketQuery()) == 0
            assert dues.due_list(s, TODAY) == []
        with other.unit_of_work() as s:
            register_case(s, admin, make_case_input(obligor="孙某"), today=TODAY)
        with db.reader() as s:
            assert count_cases(s, DocketQuery(text="孙某")) == 1
            assert {item.case_no for item in dues.due_list(s, TODAY)} == {"（2026）内0221执前督1号"}
    finally:
        other.dispose()


def test_a_save_racing_past_the_version_check_is_refused(pg_db: Database, admin: Actor) -> None:
    """The version column (optimistic locking) refuses an UPDATE whose row moved meanwhile,
    here changed by a session that skipped the app's write queue (another tool)."""
    db = pg_db
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    intruder = create_engine(db.url)
    try:
        with pytest.raises(StaleEditError, match="已被他人修改"), db.unit_of_work() as s:
            case = get_case(s, case_id)
            with intruder.begin() as conn:
                conn.execute(text("UPDATE supervision_case SET version = version + 1, notes = 'x'"))
            case.cause = "不会保存的案由"
            s.flush()
    finally:
        intruder.dispose()
    with db.reader() as s:
        assert (get_case(s, case_id).cause, get_case(s, case_id).version) == ("民间借贷纠纷", 2)


# --- several processes at once ----------------------------------------------------------------

WORKERS = 4
ROUNDS = 5


@dataclass(frozen=True)
class Outcome:
    worker: int
    round: int
    case_no: str
    saved: bool
    message: str


def desk(url: str, worker: int, case_id: str, barrier: Any) -> list[Outcome]:
    """One desk: each round registers a case, then all desks save an edit of the same case,
    each made on the version it loaded at the same moment (run in a spawned process)."""
    from zhiqian_desktop.services.core.users import default_actor

    db = open_app_database(url)
    outcomes = []
    try:
        with db.reader() as s:
            actor = default_actor(s)
        for rnd in range(ROUNDS):
            barrier.wait(timeout=60)
            data = make_case_input(1000 * (worker + 1) + rnd, obligor=f"被申请人{worker}-{rnd}")
            with db.unit_of_work() as s:
                case_no = register_case(s, actor, data, today=TODAY).case_no
            version, form = load_form(db, case_id)
            form.notes = (form.notes or "") + f"[{rnd}:{worker}]"
            barrier.wait(timeout=60)  # every desk has loaded the same version
            try:
                with db.unit_of_work() as s:
                    update_case(s, actor, case_id, version, form, today=TODAY)
                outcomes.append(Outcome(worker, rnd, case_no, True, ""))
            except StaleEditError as exc:
                outcomes.append(Outcome(worker, rnd, case_no, False, exc.message))
            barrier.wait(timeout=60)  # the round is over before anyone loads again
    finally:
        db.dispose()
    return outcomes


@pytest.mark.slow
def test_desks_in_several_processes_share_no_number_and_lose_no_edit(
    pg_db: Database, admin: Actor
) -> None:
    db = pg_db
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(1), today=TODAY).id
    db.dispose()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(WORKERS)
        with ctx.Pool(WORKERS) as pool:
            jobs = [pool.apply_async(desk, (db.url, w, case_id, barrier)) for w in range(WORKERS)]
            outcomes = [o for job in jobs for o in job.get(timeout=240)]

    # Case numbers: one per registration, none shared, none skipped.
    numbers = [o.case_no for o in outcomes]
    assert len(numbers) == len(set(numbers)) == WORKERS * ROUNDS
    with db.reader() as s:
        seqs = sorted(s.scalars(select(SupervisionCase.case_seq)))
        counter = s.get(CaseNumberCounter, 2026)
    assert seqs == list(range(1, WORKERS * ROUNDS + 2))
    assert counter is not None and counter.last_seq == WORKERS * ROUNDS + 1

    # Edits: in each round exactly one desk saved; the others were refused with the message,
    # and every saved edit is in the final record (none silently overwritten).
    winners = []
    for rnd in range(ROUNDS):
        this_round = [o for o in outcomes if o.round == rnd]
        saved = [o for o in this_round if o.saved]
        assert len(saved) == 1, this_round
        assert all("已被他人修改" in o.message for o in this_round if not o.saved)
        winners.append(f"[{rnd}:{saved[0].worker}]")
    with db.reader() as s:
        case = get_case(s, case_id)
        assert case.notes == "".join(winners)
        assert case.version == 1 + ROUNDS
        assert verify_chain(s).ok


def test_the_first_number_of_a_new_year_from_two_sessions(pg_db: Database, admin: Actor) -> None:
    """The counter row of a year does not exist until its first case: two sessions creating it
    at once must not collide (INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE)."""
    db = pg_db
    # Sessions that skip the app's write queue, as another tool's would: only the row locks
    # of allocate() keep them apart.
    plain = create_engine(db.url)
    try:
        with Session(plain) as s1, Session(plain) as s2, ThreadPoolExecutor(1) as pool:
            a = allocate(s1, get_settings(s1), 2027)
            pid = s2.execute(text("SELECT pg_backend_pid()")).scalar_one()
            pending = pool.submit(allocate, s2, get_settings(s2), 2027)
            wait_until_blocked(plain, pid)  # s2 waits for s1's uncommitted counter row
            s1.commit()
            b = pending.result(timeout=30)
            s2.commit()
    finally:
        plain.dispose()
    assert (a, b) == (("（2027）内0221执前督1号", 1), ("（2027）内0221执前督2号", 2))


def wait_until_blocked(engine: Engine, pid: int) -> None:
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            state = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
            conn.rollback()
            if state == "Lock":
                return
            time.sleep(0.01)
    raise AssertionError("the second session never waited for the first")


def test_dates_and_times_come_back_aware_and_equal(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(), today=TODAY)
        created = case.created_at
    with db.reader() as s:
        stored = get_case(s, case.id)
    assert stored.created_at.tzinfo is not None
    assert stored.created_at == created
    assert stored.received_date == date(2026, 11, 20)
