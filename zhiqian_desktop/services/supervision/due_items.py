"""The stored pending deadlines (table ``due_item``), kept in step with the data they come from.

The due-list for a date is every stored deadline that shows on that day, so the list over
100,000 cases is one read of a small table instead of the rules run over every open case. The rows are
only a cache of what ``domain.dues.DueCalculator.deadlines`` computes from the data, and they are
rewritten in the transaction that changes the data:

- Any insert, update or deletion of a case, party, contact log, document, service, payment,
  settlement, instalment, preservation measure or entrusted mediation through a session of the database
  (``keep_in_step``, when the app opens it) marks its case. Just before the
  transaction commits, the marked cases' rows are deleted and computed again from the database
  (one batch of set-based reads, whatever the number of cases, so an import of thousands of
  cases costs a few queries). This is a session event rather than a call in each service, so a
  write path added later (or a test writing records directly) cannot forget it.
- A change to the holiday table or to the period settings (催告期, 督促期限, 未送达提示天数)
  rebuilds every row, in the same transaction.
- Writers that bypass the ORM (the bench generator, bulk copies) call ``rebuild_due_items``.
- The docket's 下次到期 column (``supervision_case.next_due_date``, the earliest dated deadline)
  is set from the same rows, so it follows a notice issued or served, a holiday table change and
  everything else that moves a deadline. It is a derived column: written without a new version
  or an audit event, like the search text.

An item disappears when the data that caused it changes: the rows are recomputed from the data,
never ticked off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

from sqlalchemy import bindparam, delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from zhiqian_desktop.domain.due_facts import CaseFacts, DueRules
from zhiqian_desktop.domain.dues import STANDING_TODOS, DueCalculator
from zhiqian_desktop.services.core import case_changes
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import (
    CalendarYear,
    ContactLog,
    CourtSettings,
    Document,
    DueEntry,
    HolidayDay,
    Installment,
    Mediation,
    Party,
    Payment,
    Preservation,
    Service,
    Settlement,
    SupervisionCase,
)

_CASES = "zhiqian.due_items.cases"
_DOCUMENTS = "zhiqian.due_items.documents"
_SETTLEMENTS = "zhiqian.due_items.settlements"
_REBUILD = "zhiqian.due_items.rebuild"
_CALENDAR_CACHE = "zhiqian.holiday_calendar"  # services.core.calendar's per-session copy

RULE_SETTINGS = ("urging_days", "supervision_limit_days", "unserved_flag_days")
"""The court settings the due rules read (``DueRules``): a change to one rebuilds every row."""

_BY_CASE = (ContactLog, Document, Party, Payment, Settlement, Preservation, Mediation)
_BATCH = 500
_STANDING = frozenset(kind.value for kind in STANDING_TODOS)


# --- what changed -------------------------------------------------------------------------------


def _values(obj: Any, attr: str, changed: bool) -> Iterator[Any]:
    """The attribute's value now and, for a changed record, its value before this flush."""
    if not changed:
        yield getattr(obj, attr)
        return
    history = inspect(obj).attrs[attr].history
    yield from chain(history.added or (), history.unchanged or (), history.deleted or ())


def _pending(session: Session, key: str) -> set[str]:
    found = session.info.get(key)
    if found is None:
        found = session.info[key] = set()
    return found


def _note_changes(session: Session, _ctx: UOWTransaction) -> None:
    for objects, changed in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in objects:
            _note(session, obj, changed)


def _note(session: Session, obj: Any, changed: bool) -> None:
    if isinstance(obj, SupervisionCase):
        _pending(session, _CASES).add(obj.id)
    elif isinstance(obj, _BY_CASE):
        _pending(session, _CASES).update(v for v in _values(obj, "case_id", changed) if v)
    elif isinstance(obj, Service):
        _pending(session, _DOCUMENTS).update(v for v in _values(obj, "document_id", changed) if v)
    elif isinstance(obj, Installment):
        _pending(session, _SETTLEMENTS).update(
            v for v in _values(obj, "settlement_id", changed) if v
        )
    elif isinstance(obj, (HolidayDay, CalendarYear)) or (
        isinstance(obj, CourtSettings) and _rules_changed(session, obj)
    ):
        session.info[_REBUILD] = True


def _rules_changed(session: Session, settings: CourtSettings) -> bool:
    if settings in session.new or settings in session.deleted:
        return True
    state = inspect(settings)
    return any(state.attrs[name].history.has_changes() for name in RULE_SETTINGS)


def _apply_pending(session: Session) -> None:
    session.flush()  # what is still pending marks its cases now
    if not (
        session.info.get(_REBUILD)
        or session.info.get(_CASES)
        or session.info.get(_DOCUMENTS)
        or session.info.get(_SETTLEMENTS)
    ):
        return
    rebuild = bool(session.info.pop(_REBUILD, False))
    cases: set[str] = session.info.pop(_CASES, set())
    documents: set[str] = session.info.pop(_DOCUMENTS, set())
    settlements: set[str] = session.info.pop(_SETTLEMENTS, set())
    if rebuild:
        rebuild_due_items(session)
        case_changes.touched(session, cases, everything=True)
        return
    conn = session.connection()
    for chunk in _chunks(sorted(documents)):
        cases.update(conn.scalars(select(Document.case_id).where(Document.id.in_(chunk))))
    for chunk in _chunks(sorted(settlements)):
        cases.update(conn.scalars(select(Settlement.case_id).where(Settlement.id.in_(chunk))))
    refresh_due_items(session, cases)
    # The same set tells the views which cases to show again once the commit has succeeded.
    case_changes.touched(session, cases)


def _committed(session: Session) -> None:
    case_changes.committed(session)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for key in (_CASES, _DOCUMENTS, _SETTLEMENTS, _REBUILD):
            session.info.pop(key, None)
        case_changes.forgotten(session)  # after ``after_commit``: only a rollback's are left


def keep_in_step(db: Database) -> None:
    """Keep the due items of ``db`` in step with every write made through its sessions (called
    once, when the app opens the database: services/admin/maintenance.open_app_database), and
    tell the subscribers of ``services.core.case_changes`` which cases each commit changed."""
    if event.contains(db.sessions, "before_commit", _apply_pending):
        return
    event.listen(db.sessions, "after_flush", _note_changes)
    event.listen(db.sessions, "before_commit", _apply_pending)
    event.listen(db.sessions, "after_commit", _committed)
    event.listen(db.sessions, "after_transaction_end", _forget)


# --- computing the rows -------------------------------------------------------------------------


def _chunks(ids: Iterable[str], size: int = _BATCH) -> Iterator[list[str]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def rules_of(session: Session) -> DueRules:
    """The period settings, read as plain columns (the migration that fills the table uses it)."""
    row = (
        session.connection()
        .execute(select(*(getattr(CourtSettings, name) for name in RULE_SETTINGS)).limit(1))
        .first()
    )
    return DueRules(*row) if row is not None else DueRules()


def calculator(session: Session) -> DueCalculator:
    return DueCalculator(rules_of(session), load_calendar(session))


def rows_of(calc: DueCalculator, facts: Iterable[CaseFacts]) -> list[dict[str, Any]]:
    """Every pending deadline of the cases, in the rules' order within each case."""
    return [
        {
            "case_id": f.case_id,
            "seq": seq,
            "kind": d.kind.value,
            "due_date": d.due_date,
            "shows_from": d.shows_from,
            "detail": d.detail,
            "calendar_complete": d.calendar_complete,
            "rolled_from": d.rolled_from,
            "livelihood": f.livelihood,
            "case_no": f.case_no,
            "obligor_names": f.obligor_names,
            "handler_id": f.handler_id,
            "tribunal_id": f.tribunal_id,
        }
        for f in facts
        for seq, d in enumerate(calc.deadlines(f))
    ]


def refresh_due_items(session: Session, case_ids: Iterable[str]) -> None:
    """Compute the rows of these cases again from the database (closed or deleted: none)."""
    # Imported here: services.supervision.dues reads the table this module keeps.
    from zhiqian_desktop.services.supervision.dues import DueFilter, load_facts

    ids = sorted(set(case_ids))
    if not ids:
        return
    conn = session.connection()
    postgresql = conn.dialect.name == "postgresql"
    for chunk in _chunks(ids):
        if postgresql:
            # Two desks changing one case at once on a server (READ COMMITTED): the second waits
            # here for the first to commit, then reads the case with the first one's change, so
            # neither writes rows computed without the other's change. Id order: no deadlock
            # between two such transactions.
            conn.execute(
                select(SupervisionCase.id)
                .where(SupervisionCase.id.in_(chunk))
                .order_by(SupervisionCase.id)
                .with_for_update()
            ).all()
        # Waits for a rebuild in progress on a server (it locks the table).
        conn.execute(delete(DueEntry).where(DueEntry.case_id.in_(chunk)))
    if postgresql:
        # Read after the waits above: a holiday table changed meanwhile by another desk is seen.
        # (SQLite has one writer at a time: the session's copy is current.)
        session.info.pop(_CALENDAR_CACHE, None)
    calc = calculator(session)
    for chunk in _chunks(ids):
        facts = load_facts(session, DueFilter(case_ids=frozenset(chunk)))
        rows = rows_of(calc, facts)
        if rows:
            conn.execute(insert(DueEntry), rows)
        _set_next_due(session, chunk, rows)


def rebuild_due_items(session: Session) -> int:
    """Compute every row again: after the holiday table or the period settings change, after a
    migration, or after a bulk write that bypassed the ORM. Returns the number of rows."""
    from zhiqian_desktop.services.supervision.dues import DueFilter, load_facts

    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Waits for the desks' case rewrites in progress, and makes new ones wait for this.
        conn.exec_driver_sql("LOCK TABLE due_item IN EXCLUSIVE MODE")
    session.info.pop(_CALENDAR_CACHE, None)
    calc = calculator(session)
    conn.execute(delete(DueEntry))
    facts = load_facts(session, DueFilter())
    count = 0
    for start in range(0, len(facts), _BATCH * 4):
        rows = rows_of(calc, facts[start : start + _BATCH * 4])
        if rows:
            conn.execute(insert(DueEntry), rows)
            count += len(rows)
        _set_next_due(session, [f.case_id for f in facts[start : start + _BATCH * 4]], rows)
    # Cases without open facts (closed, deleted) have no next deadline.
    open_ids = {f.case_id for f in facts}
    stale = [
        case_id
        for case_id in conn.scalars(
            select(SupervisionCase.id).where(SupervisionCase.next_due_date.is_not(None))
        )
        if case_id not in open_ids
    ]
    for chunk in _chunks(stale):
        _set_next_due(session, chunk, [])
    return count


def _set_next_due(session: Session, case_ids: list[str], rows: list[dict[str, Any]]) -> None:
    """Write the docket's 下次到期 of these cases from their rows (``DueCalculator.next_due``:
    the earliest dated deadline; "no urging notice yet" is a standing to-do, not a deadline).
    Only the values that differ are written, without a new version (a derived column)."""
    if not case_ids:
        return
    earliest: dict[str, Any] = dict.fromkeys(case_ids)
    for row in rows:
        if row["kind"] in _STANDING or row["due_date"] is None:
            continue
        current = earliest.get(row["case_id"])
        if current is None or row["due_date"] < current:
            earliest[row["case_id"]] = row["due_date"]
    conn = session.connection()
    stored = conn.execute(
        select(SupervisionCase.id, SupervisionCase.next_due_date).where(
            SupervisionCase.id.in_(case_ids)
        )
    ).all()
    changed = [
        {"case_id": case_id, "next_due": earliest[case_id]}
        for case_id, value in stored
        if value != earliest[case_id]
    ]
    if not changed:
        return
    conn.execute(
        update(SupervisionCase)
        .where(SupervisionCase.id == bindparam("case_id"))
        .values(next_due_date=bindparam("next_due")),
        changed,
    )
    # A case object this session holds shows the written value too (sessions keep their objects
    # after commit).
    for change in changed:
        held = session.identity_map.get(session.identity_key(SupervisionCase, change["case_id"]))
        if held is not None:
            set_committed_value(held, "next_due_date", change["next_due"])
