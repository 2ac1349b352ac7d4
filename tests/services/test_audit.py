"""The audit trail: an event per change with before/after, and a hash chain that shows tampering."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from sqlalchemy import Connection, CursorResult, select, text

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.audit import GENESIS, history, verify_chain
from zhiqian_desktop.services.intake.docket import register_case, update_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent

COLUMNS = (
    "id, at, actor, action, entity, entity_id, case_id, before_json, after_json, origin,"
    " prev_hash, hash"
)


def run(conn: Connection, sql: str, *params: object) -> CursorResult[Any]:
    """Tamper with the table directly; `?` placeholders, on SQLite and PostgreSQL alike."""
    parts = sql.split("?")
    named = parts[0] + "".join(f":p{i}{part}" for i, part in enumerate(parts[1:]))
    return conn.execute(text(named), {f"p{i}": value for i, value in enumerate(params)})


def events(db: Database) -> list[AuditEvent]:
    with db.reader() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


@pytest.fixture
def worked(db: Database, admin: Actor) -> list[AuditEvent]:
    """Set-up, three registrations and two edits: a chain of a few dozen events."""
    with db.unit_of_work() as s:
        ids = [register_case(s, admin, make_case_input(n), today=TODAY).id for n in (1, 2, 3)]
    with db.unit_of_work() as s:
        update_case(s, admin, ids[0], 1, make_case_input(1, cause="买卖合同纠纷"), today=TODAY)
    with db.unit_of_work() as s:
        update_case(s, admin, ids[1], 1, make_case_input(2, amount="99.00"), today=TODAY)
    return events(db)


def test_register_writes_a_create_event_with_the_new_case(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case = register_case(s, admin, make_case_input(obligor="钱某"), today=TODAY)
    with db.reader() as s:
        (ev,) = history(s, case.id)
    assert (ev.action, ev.entity, ev.entity_id, ev.actor) == ("create", "case", case.id, "admin")
    assert ev.before_json is None
    after = json.loads(ev.after_json or "{}")
    assert after["case_no"] == "（2026）内0221执前督1号"
    assert after["amount_due"] == "12345.67"
    assert [p["name"] for p in after["parties"]] == ["李某", "钱某"]
    assert "search_text" not in after


def test_update_writes_only_what_changed_before_and_after(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    with db.unit_of_work() as s:
        update_case(s, admin, case_id, 1, make_case_input(cause="劳务合同纠纷"), today=TODAY)
    with db.reader() as s:
        create, update = history(s, case_id)
    assert create.action == "create"
    assert update.action == "update"
    before = json.loads(update.before_json or "{}")
    after = json.loads(update.after_json or "{}")
    assert (before["cause"], after["cause"]) == ("民间借贷纠纷", "劳务合同纠纷")
    assert (before["version"], after["version"]) == (1, 2)
    assert "amount_due" not in after  # unchanged fields are left out
    assert update.prev_hash == create.hash


def test_a_refused_change_writes_no_event(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        case_id = register_case(s, admin, make_case_input(), today=TODAY).id
    count = len(events(db))
    with pytest.raises(Exception, match="已被他人修改"), db.unit_of_work() as s:
        update_case(s, admin, case_id, 7, make_case_input(cause="x"), today=TODAY)
    assert len(events(db)) == count


def test_an_untouched_chain_verifies(db: Database, worked: list[AuditEvent]) -> None:
    with db.reader() as s:
        report = verify_chain(s)
    assert report.ok
    assert report.events == len(worked) > 5
    assert worked[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(worked))
    assert maintenance.check(db).ok


def _middle(worked: list[AuditEvent]) -> AuditEvent:
    return next(ev for ev in worked[len(worked) // 2 :] if ev.entity == "case")


def _verify(db: Database) -> int | None:
    with db.reader() as s:
        report = verify_chain(s)
    assert report.ok is (report.first_broken_seq is None)
    if report.first_broken_seq is not None:
        assert report.reason
    return report.first_broken_seq


def test_an_edited_after_json_is_detected_at_that_event(
    db: Database, worked: list[AuditEvent]
) -> None:
    target = _middle(worked)
    forged = (target.after_json or "").replace("12345.67", "1.00")
    assert forged != target.after_json
    with db.engine.begin() as conn:
        run(conn, "UPDATE audit_event SET after_json = ? WHERE seq = ?", forged, target.seq)
    assert _verify(db) == target.seq
    assert not maintenance.check(db).ok


@pytest.mark.parametrize("column", ["actor", "at", "before_json"])
def test_any_edited_field_is_detected(db: Database, worked: list[AuditEvent], column: str) -> None:
    target = next(ev for ev in worked if ev.action == "update")
    value = {"actor": "someone", "at": "2020-01-01 00:00:00.000000", "before_json": "{}"}[column]
    with db.engine.begin() as conn:
        run(conn, f"UPDATE audit_event SET {column} = ? WHERE seq = ?", value, target.seq)
    assert _verify(db) == target.seq


def test_a_deleted_middle_event_is_detected_at_its_successor(
    db: Database, worked: list[AuditEvent]
) -> None:
    target = _middle(worked)
    successor = worked[worked.index(target) + 1]
    with db.engine.begin() as conn:
        run(conn, "DELETE FROM audit_event WHERE seq = ?", target.seq)
    assert _verify(db) == successor.seq


def test_two_swapped_events_are_detected_at_the_first(
    db: Database, worked: list[AuditEvent]
) -> None:
    first = _middle(worked)
    second = worked[worked.index(first) + 1]
    with db.engine.begin() as conn:
        rows = {
            seq: run(conn, f"SELECT {COLUMNS} FROM audit_event WHERE seq = ?", seq).one()
            for seq in (first.seq, second.seq)
        }
        # Free the unique ids first, then write each event's content into the other's place.
        run(
            conn,
            "UPDATE audit_event SET id = 'tmp-' || seq WHERE seq IN (?, ?)",
            first.seq,
            second.seq,
        )
        names = [c.strip() for c in COLUMNS.split(",")]
        assignments = ", ".join(f"{n} = ?" for n in names)
        for seq, other in ((first.seq, second.seq), (second.seq, first.seq)):
            run(conn, f"UPDATE audit_event SET {assignments} WHERE seq = ?", *rows[other], seq)
    assert _verify(db) == first.seq


def test_a_truncated_tail_still_verifies_but_a_removed_head_does_not(
    db: Database, worked: list[AuditEvent]
) -> None:
    # Without an anchor elsewhere the chain cannot show a cut tail; it does show a cut head.
    with db.engine.begin() as conn:
        run(conn, "DELETE FROM audit_event WHERE seq = ?", worked[-1].seq)
    assert _verify(db) is None
    with db.engine.begin() as conn:
        run(conn, "DELETE FROM audit_event WHERE seq = ?", worked[0].seq)
    assert _verify(db) == worked[1].seq


def test_a_rolled_back_savepoint_does_not_fork_the_chain(db: Database, admin: Actor) -> None:
    """The chain head is remembered within a transaction; a rollback must forget it."""
    with db.unit_of_work() as session:
        register_case(session, admin, make_case_input(1), today=TODAY)
        nested = session.begin_nested()
        register_case(session, admin, make_case_input(2), today=TODAY)
        nested.rollback()
        register_case(session, admin, make_case_input(3), today=TODAY)
    with db.reader() as session:
        assert verify_chain(session).ok
    with db.unit_of_work() as session:
        register_case(session, admin, make_case_input(4), today=TODAY)
    with db.reader() as session:
        assert verify_chain(session).ok
