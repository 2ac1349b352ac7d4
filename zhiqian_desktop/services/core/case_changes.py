"""Which cases a committed transaction changed, told to whoever shows cases (the desktop's views).

Two sources, one answer (``CaseChanges``):

- This process's own commits. The session events that keep the due items in step
  (services/supervision/due_items.py) already know every case a transaction touched, whatever
  wrote it (a form, an import, a kit merge); they hand that set to ``touched`` before the commit,
  and once the commit has succeeded the subscribers of that database hear it (on the thread that
  committed: a subscriber hands it on to its own thread). A rolled-back transaction tells nothing.
- Other desks on a court server. The audit trail is append-only and numbered, so its highest
  number is a change counter: ``latest_change`` is one indexed read, cheap enough to poll every
  few seconds, and ``changes_since`` says which cases the new events were about.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.store.database import Database, database_of
from zhiqian_desktop.store.models import AuditEvent


@dataclass(frozen=True)
class CaseChanges:
    """Cases changed by one or more commits; ``everything`` when the change moves every case's
    deadlines (the holiday table, the period settings, a bulk rebuild)."""

    case_ids: frozenset[str] = frozenset()
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.case_ids)

    def __or__(self, other: CaseChanges) -> CaseChanges:
        return CaseChanges(self.case_ids | other.case_ids, self.everything or other.everything)

    def concerns(self, case_id: str | None) -> bool:
        return self.everything or (case_id is not None and case_id in self.case_ids)


Listener = Callable[[CaseChanges], None]

_TOUCHED = "zhiqian.case_changes"
_lock = threading.Lock()
_listeners: list[tuple[weakref.ref[Database], Listener]] = []


def subscribe(db: Database, listener: Listener) -> Callable[[], None]:
    """Call ``listener`` after each commit on ``db`` that changed cases; returns the unsubscribe."""
    entry = (weakref.ref(db), listener)
    with _lock:
        # Listeners of databases closed since are dropped here, on the subscriber's thread:
        # never on a committing worker's (a listener may hold a Qt object).
        _listeners[:] = [(ref, fn) for ref, fn in _listeners if ref() is not None]
        _listeners.append(entry)

    def unsubscribe() -> None:
        with _lock:
            if entry in _listeners:
                _listeners.remove(entry)

    return unsubscribe


def touched(session: Session, case_ids: Iterable[str], *, everything: bool = False) -> None:
    """Note cases this session's transaction changed (told once the transaction commits)."""
    change = CaseChanges(frozenset(case_ids), everything)
    if change:
        session.info[_TOUCHED] = session.info.get(_TOUCHED, CaseChanges()) | change


def committed(session: Session) -> None:
    """The session's transaction committed: tell the listeners of its database."""
    change = session.info.pop(_TOUCHED, None)
    if not change:
        return
    db = database_of(session)
    with _lock:
        listeners = [fn for ref, fn in _listeners if ref() is db]
    for listener in listeners:
        listener(change)


def forgotten(session: Session) -> None:
    """The transaction rolled back: what it touched was never written."""
    session.info.pop(_TOUCHED, None)


# --- other desks ---------------------------------------------------------------------------------

_EVERY_CASE = frozenset({"court_settings", "calendar_year", "holiday_day"})
"""Audit entities without a case whose change can move every case's deadlines."""


@reads
def latest_change(session: Session) -> int:
    """The change counter: the number of the newest audit event (0 for an empty trail)."""
    return int(session.scalar(select(func.max(AuditEvent.seq))) or 0)


@reads
def changes_since(session: Session, seq: int) -> tuple[int, CaseChanges]:
    """The counter now and the cases of the events after ``seq``."""
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.case_id, AuditEvent.entity).where(AuditEvent.seq > seq)
    ).all()
    if not rows:
        return seq, CaseChanges()
    cases = frozenset(case_id for _seq, case_id, _entity in rows if case_id)
    everything = any(case_id is None and entity in _EVERY_CASE for _s, case_id, entity in rows)
    return max(row[0] for row in rows), CaseChanges(cases, everything)
