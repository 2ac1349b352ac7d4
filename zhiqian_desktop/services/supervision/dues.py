"""The daily due-list (今日待办) computed from the data for any date, and the day's summary.

The facts of open cases are read in a handful of set-based queries (columns, not ORM objects)
and the rules in ``domain.dues`` run over plain tuples. Each case's pending deadlines are kept in
the table ``due_item``, rewritten from the data in the same transaction as every change to it
(services/supervision/due_items.py), so the list for a date is read from there; it changes because the data
changes, never by ticking an item off.
"""

from __future__ import annotations

import bisect
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from zhiqian_desktop.domain.due_facts import (
    CaseFacts,
    ContactFact,
    DocumentFact,
    DueRules,
    FreezeFact,
    InstallmentFact,
    MediationFact,
    PaymentFact,
)
from zhiqian_desktop.domain.dues import (
    DueCalculator,
    DueItem,
    DueKind,
    court_date,
    list_from_deadlines,
    sort_key,
)
from zhiqian_desktop.domain.issuing import addressee_roles, served_on
from zhiqian_desktop.domain.kinds import MESSAGE_LOGS, ContactKind, PartyRole, SettlementStatus
from zhiqian_desktop.domain.money import format_amount
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.clock import court_zone
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.store.models import (
    ContactLog,
    CourtSettings,
    Document,
    DueEntry,
    Installment,
    Mediation,
    Mediator,
    Party,
    Payment,
    Preservation,
    Service,
    Settlement,
    SupervisionCase,
    User,
)

_OPEN_CODES = sorted(s.value for s in OPEN_STATUSES)


def rules_from_settings(session: Session) -> DueRules:
    s = get_settings(session)
    return DueRules(
        urging_days=s.urging_days,
        supervision_limit_days=s.supervision_limit_days,
        unserved_flag_days=s.unserved_flag_days,
    )


@dataclass(frozen=True)
class DueFilter:
    handler_id: str | None = None
    tribunal_id: str | None = None
    case_ids: frozenset[str] | None = None
    open_only: bool = True


def _case_conditions(f: DueFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [SupervisionCase.deleted_at.is_(None)]
    if f.open_only:
        conds.append(SupervisionCase.status.in_(_OPEN_CODES))
    if f.handler_id:
        conds.append(SupervisionCase.handler_id == f.handler_id)
    if f.tribunal_id:
        conds.append(SupervisionCase.tribunal_id == f.tribunal_id)
    if f.case_ids is not None:
        conds.append(SupervisionCase.id.in_(sorted(f.case_ids)))
    return conds


def _for_open_cases(stmt: Select[Any], case_col: Any, f: DueFilter) -> Select[Any]:
    return stmt.join(SupervisionCase, SupervisionCase.id == case_col).where(*_case_conditions(f))


def _document_facts(conn: Connection, f: DueFilter, zone: tzinfo) -> dict[str, list[DocumentFact]]:
    """Each open case's live documents, each with the day it counts as served: the day its last
    addressee was served (``domain.issuing.served_on``), so a notice to two obligors served on
    one of them is still waiting for service."""
    live = (Document.deleted_at.is_(None), Document.voided.is_(False))
    parties: dict[str, dict[PartyRole, list[str]]] = defaultdict(lambda: defaultdict(list))
    for case_id, party_id, role in conn.execute(
        _for_open_cases(select(Party.case_id, Party.id, Party.role), Party.case_id, f).where(
            Party.deleted_at.is_(None)
        )
    ):
        parties[case_id][role].append(party_id)
    services: dict[str, list[tuple[str | None, date]]] = defaultdict(list)
    for document_id, party_id, day in conn.execute(
        _for_open_cases(
            select(Service.document_id, Service.party_id, Service.served_on).join(
                Document, Document.id == Service.document_id
            ),
            Document.case_id,
            f,
        ).where(Service.deleted_at.is_(None), *live)
    ):
        services[document_id].append((party_id, day))
    documents: dict[str, list[DocumentFact]] = defaultdict(list)
    for case_id, document_id, kind, issued_at, doc_no in conn.execute(
        _for_open_cases(
            select(
                Document.case_id, Document.id, Document.kind, Document.issued_at, Document.doc_no
            ),
            Document.case_id,
            f,
        ).where(*live)
    ):
        roles = parties.get(case_id, {})
        addressees = [p for role in addressee_roles(kind) for p in roles.get(role, ())]
        day = served_on(addressees, services.get(document_id, ()))
        documents[case_id].append(DocumentFact(kind, court_date(issued_at, zone), day, doc_no))
    return documents


def _pending_mediations(conn: Connection, f: DueFilter) -> dict[str, MediationFact]:
    """Each open case's entrustment to a mediator still waiting for its result."""
    rows = conn.execute(
        _for_open_cases(
            select(
                Mediation.case_id, Mediator.name, Mediation.entrusted_on, Mediation.period_days
            ).join(Mediator, Mediator.id == Mediation.mediator_id),
            Mediation.case_id,
            f,
        ).where(Mediation.deleted_at.is_(None), Mediation.result.is_(None))
    )
    return {case_id: MediationFact(name, on, days) for case_id, name, on, days in rows}


def load_facts(session: Session, f: DueFilter = DueFilter()) -> list[CaseFacts]:
    """The facts of every open case matching the filter, in ten queries whatever their number
    (and one for the court's time zone)."""
    # Core rows through the session's connection: no ORM result machinery for plain columns.
    # Pending records are flushed first, as session.execute() would (autoflush).
    if session.autoflush:
        session.flush()
    conn = session.connection()
    cases = conn.execute(
        select(
            SupervisionCase.id,
            SupervisionCase.case_no,
            SupervisionCase.received_date,
            SupervisionCase.status,
            SupervisionCase.livelihood,
            SupervisionCase.performance_deadline,
            SupervisionCase.effective_date,
            SupervisionCase.final_installment_date,
            SupervisionCase.obligor_names,
            SupervisionCase.handler_id,
            func.coalesce(User.display_name, ""),
            SupervisionCase.tribunal_id,
            SupervisionCase.application_received_on,
        )
        .outerjoin(User, User.id == SupervisionCase.handler_id)
        .where(*_case_conditions(f))
    ).all()
    if not cases:
        return []

    zone = court_zone(session)
    documents = _document_facts(conn, f, zone)
    contacts = _latest_contacts(conn, f, zone)

    payments: dict[str, list[PaymentFact]] = defaultdict(list)
    pay_rows = conn.execute(
        _for_open_cases(
            select(Payment.case_id, Payment.paid_on, Payment.amount), Payment.case_id, f
        ).where(Payment.deleted_at.is_(None))
    )
    for case_id, paid_on, amount in pay_rows:
        payments[case_id].append(PaymentFact(paid_on, amount))

    signed: dict[str, date] = {}
    installments: dict[str, list[InstallmentFact]] = defaultdict(list)
    inst_rows = conn.execute(
        _for_open_cases(
            select(
                Settlement.case_id,
                Settlement.signed_on,
                Installment.seq,
                Installment.due_date,
                Installment.amount,
            ).join(Installment, Installment.settlement_id == Settlement.id),
            Settlement.case_id,
            f,
        ).where(
            Settlement.deleted_at.is_(None),
            Installment.deleted_at.is_(None),
            Settlement.status == SettlementStatus.ACTIVE.value,
        )
    )
    for case_id, signed_on, seq, due_date, amount in inst_rows:
        signed[case_id] = max(signed.get(case_id, signed_on), signed_on)
        installments[case_id].append(InstallmentFact(seq, due_date, amount))

    # Every settlement signed, whatever became of it: each interrupted the art. 250 limit.
    agreements: dict[str, list[date]] = defaultdict(list)
    for case_id, signed_on in conn.execute(
        _for_open_cases(
            select(Settlement.case_id, Settlement.signed_on), Settlement.case_id, f
        ).where(Settlement.deleted_at.is_(None))
    ):
        agreements[case_id].append(signed_on)

    freezes: dict[str, list[FreezeFact]] = defaultdict(list)
    freeze_rows = conn.execute(
        _for_open_cases(
            select(
                Preservation.case_id,
                Preservation.kind,
                Preservation.frozen_on,
                Preservation.expires_on,
                Preservation.description,
                Preservation.application_id,
            ),
            Preservation.case_id,
            f,
        ).where(Preservation.deleted_at.is_(None), Preservation.released_on.is_(None))
    )
    for case_id, kind, frozen_on, expires_on, description, ruled in freeze_rows:
        freezes[case_id].append(
            FreezeFact(kind, frozen_on, expires_on, description or "", ruled is not None)
        )

    mediations = _pending_mediations(conn, f)

    return [
        CaseFacts(
            case_id=cid,
            received_date=received,
            status=status,
            livelihood=bool(livelihood),
            performance_deadline=deadline,
            effective_date=effective,
            final_installment_date=final_installment,
            settlements_signed=tuple(sorted(agreements.get(cid, ()))),
            documents=tuple(documents.get(cid, ())),
            latest_contact=contacts.get(cid),
            settlement_signed_on=signed.get(cid),
            installments=tuple(installments.get(cid, ())),
            payments=tuple(payments.get(cid, ())),
            freezes=tuple(freezes.get(cid, ())),
            mediation=mediations.get(cid),
            application_received_on=applied,
            case_no=case_no,
            obligor_names=obligors or "",
            handler_id=handler_id,
            handler_name=handler_name,
            tribunal_id=tribunal_id,
        )
        for (
            cid,
            case_no,
            received,
            status,
            livelihood,
            deadline,
            effective,
            final_installment,
            obligors,
            handler_id,
            handler_name,
            tribunal_id,
            applied,
        ) in cases
    ]


def _latest_contacts(conn: Connection, f: DueFilter, zone: tzinfo) -> dict[str, ContactFact]:
    """The latest contact with the obligor still in force (not corrected) per open case."""
    return {
        case_id: ContactFact(court_date(at, zone), follow_up, promise_date, promise_amount)
        for case_id, at, follow_up, promise_date, promise_amount in conn.execute(_latest_stmt(f))
    }


def _latest_stmt(f: DueFilter) -> Select[Any]:
    """Per open case, its latest contact with the obligor that no correction replaced."""
    return _latest_base().where(*_case_conditions(f))


@cache
def _latest_base() -> Select[Any]:
    # Built once: the aliased, correlated subquery costs ~5 ms of Python to construct, which
    # mattered once the facts of one case are read again on every commit that changes it.
    log = aliased(ContactLog)
    fix = aliased(ContactLog)
    latest_id = (
        select(log.id)
        .where(
            log.case_id == SupervisionCase.id,
            log.deleted_at.is_(None),
            # A message sent (to the applicant, a reminder) is not a contact the obligor answered.
            log.kind.not_in([k.value for k in MESSAGE_LOGS]),
            # Walks the case's entries newest first; each check is a probe of the corrects_id index.
            ~exists().where(fix.corrects_id == log.id, fix.deleted_at.is_(None)),
        )
        # contacted_at alone: a second key would make SQLite sort each case's entries.
        .order_by(log.contacted_at.desc())
        .limit(1)
        .correlate(SupervisionCase)
        .scalar_subquery()
    )
    return select(
        SupervisionCase.id,
        ContactLog.contacted_at,
        ContactLog.next_follow_up,
        ContactLog.promise_date,
        ContactLog.promise_amount,
    ).join(ContactLog, ContactLog.id == latest_id)


@reads
def due_list(
    session: Session,
    on: date,
    *,
    handler_id: str | None = None,
    tribunal_id: str | None = None,
    kinds: Iterable[DueKind] | None = None,
    case_ids: Iterable[str] | None = None,
) -> list[DueItem]:
    """The due-list for ``on`` (any date), most urgent first.

    Read from the stored deadlines (services/supervision/due_items.py keeps them in step with the data):
    one indexed range read of the deadlines showing on that day, whatever the number of cases.
    ``computed_due_list`` works the same list out from the data. ``case_ids``: only the items of
    these cases (a view showing the list again after they changed: ``merge_due_items``).
    """
    if session.autoflush:
        session.flush()
    conn = session.connection()
    stmt = select(
        DueEntry.case_id,
        DueEntry.kind,
        DueEntry.due_date,
        DueEntry.detail,
        DueEntry.calendar_complete,
        DueEntry.rolled_from,
        DueEntry.livelihood,
        DueEntry.case_no,
        DueEntry.obligor_names,
        DueEntry.handler_id,
    ).where(DueEntry.shows_from <= on)
    if handler_id:
        stmt = stmt.where(DueEntry.handler_id == handler_id)
    if tribunal_id:
        stmt = stmt.where(DueEntry.tribunal_id == tribunal_id)
    if kinds is not None:
        # A kind may come back from a combo box as its plain code string.
        stmt = stmt.where(DueEntry.kind.in_(sorted({str(k) for k in kinds})))
    if case_ids is not None:
        stmt = stmt.where(DueEntry.case_id.in_(sorted(set(case_ids))))
    # The rules' order within a case breaks the ties the sort key leaves, as when computed.
    stmt = stmt.order_by(DueEntry.case_id, DueEntry.seq)
    names: dict[str | None, str] = {
        uid: name for uid, name in conn.execute(select(User.id, User.display_name))
    }
    with _collector_paused():
        return list_from_deadlines(on, _deadline_rows(conn, stmt), names)


def _deadline_rows(conn: Connection, stmt: Select[Any]) -> list[Any]:
    """The stored deadlines ``stmt`` reads, as plain tuples of the columns' Python values.

    On SQLite the SQL goes to the driver as it is (``exec_driver_sql``: still seen by the
    engine's events) and the dates and flags are converted here: SQLAlchemy's typed rows cost
    70 % more than the driver's fetch for the day's 13,000 deadlines of a large docket, plain
    rows 20 %. A server's rows come through SQLAlchemy as they are."""
    if conn.dialect.name != "sqlite":
        return list(conn.execute(stmt).tuples().all())
    compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
    params = tuple(_plain(compiled.params[name]) for name in compiled.positiontup or ())
    result = conn.exec_driver_sql(str(compiled), params)
    # The driver's own rows in one call: a Row object per row through the result costs a
    # third as much again as the fetch.
    fetched = result.cursor.fetchall() if result.cursor is not None else result.all()
    result.close()
    day = _IsoDays()
    # Columns as in StoredDeadline: due date (2) and rolled from (5) are ISO text, the two
    # flags (4, 6) 0 or 1.
    return [
        (r[0], r[1], day[r[2]], r[3], bool(r[4]), r[5] and day[r[5]], bool(r[6]), r[7], r[8], r[9])
        for r in fetched
    ]


class _IsoDays(dict[str, date]):
    """ISO texts to dates, each parsed once: a day's deadlines fall on a few hundred dates."""

    def __missing__(self, text: str) -> date:
        parsed = self[text] = date.fromisoformat(text)
        return parsed


def _plain(value: Any) -> Any:
    """A bound value as the SQLite driver takes it (dates as the ISO text SQLAlchemy stores)."""
    return value.isoformat() if isinstance(value, date) else value


def merge_due_items(
    items: list[DueItem], case_ids: Iterable[str], fresh: list[DueItem]
) -> list[DueItem]:
    """The list ``items`` with the items of ``case_ids`` replaced by ``fresh`` (``due_list`` of
    those cases, same day and filters), in the order ``due_list`` gives the whole list."""
    changed = set(case_ids)
    merged = [item for item in items if item.case_id not in changed]
    # due_list sorts rows read in (case, rule) order with a stable sort, so the whole list is
    # ordered by (sort key, case) and a case's items keep the rules' order: inserting each fresh
    # item after its equals gives that order without sorting the day's list again.
    for item in fresh:
        bisect.insort_right(merged, item, key=_merge_key)
    return merged


def _merge_key(item: DueItem) -> tuple[tuple[int, date, int, str], str]:
    return sort_key(item), item.case_id


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large list of tuples is built.

    Tens of thousands of new tuples that all survive trigger a full collection of the whole
    heap every few lists (it is allocation-driven), which made the due-list's time vary from
    75 to 150 ms on the 100,000-case docket; none of these objects can form a cycle. The same
    device as Mercurial's ``util.nogc``.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def computed_due_list(
    session: Session,
    on: date,
    *,
    handler_id: str | None = None,
    tribunal_id: str | None = None,
    kinds: Iterable[DueKind] | None = None,
) -> list[DueItem]:
    """The due-list for ``on`` worked out from the data by the rules, over every open case.

    The reference ``due_list`` must always equal (the tests compare them after random sequences
    of changes); the rows of one case are computed the same way whenever the case changes.
    """
    calc = DueCalculator(rules_from_settings(session), load_calendar(session))
    wanted = frozenset(kinds) if kinds is not None else None
    items = [
        item
        for facts in load_facts(session, DueFilter(handler_id, tribunal_id))
        for item in calc.items(facts, on)
        if wanted is None or item.kind in wanted
    ]
    items.sort(key=sort_key)
    return items


def case_due_items(session: Session, case_id: str, on: date) -> list[DueItem]:
    calc = DueCalculator(rules_from_settings(session), load_calendar(session))
    facts = load_facts(session, DueFilter(case_ids=frozenset({case_id})))
    return sorted((i for fa in facts for i in calc.items(fa, on)), key=sort_key)


def next_due_date(
    session: Session,
    case: SupervisionCase,
    *,
    limit_days: int,
    new_case: bool = False,
    settings: CourtSettings | None = None,
) -> date | None:
    """The earliest pending deadline of one case, for the docket's derived column.

    The case's own columns come from the object (it may not be flushed yet); its records from
    the database. A caller registering many cases passes the court `settings` it already holds.
    """
    if case.status not in OPEN_STATUSES:
        return None
    s = settings if settings is not None else get_settings(session)
    rules = DueRules(s.urging_days, limit_days, s.unserved_flag_days)
    calc = DueCalculator(rules, load_calendar(session))
    # Not limited to open cases: the stored status may still be the one before a reopen.
    only = DueFilter(case_ids=frozenset({case.id}), open_only=False)
    # A case being registered has no records yet: nothing to read (an import registers thousands).
    loaded = load_facts(session, only) if case.id and not new_case else []
    base = loaded[0] if loaded else None
    facts = CaseFacts(
        case_id=case.id or "",
        received_date=case.received_date,
        status=case.status,
        livelihood=bool(case.livelihood),
        performance_deadline=case.performance_deadline,
        effective_date=case.effective_date,
        final_installment_date=case.final_installment_date,
        settlements_signed=base.settlements_signed if base else (),
        documents=base.documents if base else (),
        latest_contact=base.latest_contact if base else None,
        settlement_signed_on=base.settlement_signed_on if base else None,
        installments=base.installments if base else (),
        payments=base.payments if base else (),
        freezes=base.freezes if base else (),
        mediation=base.mediation if base else None,
        application_received_on=case.application_received_on,
    )
    return calc.next_due(facts)


# --- the day's summary for the team's chat group (日督办) ----------------------------------------


def _day_bounds(on: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(on, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


@reads
def daily_summary(
    session: Session, on: date, *, handler_id: str | None = None, team_name: str = ""
) -> str:
    """Calls made, visits, payments received, cases closed and transferred on ``on``; ready to paste."""
    start, end = _day_bounds(on, court_zone(session))
    case_scope: list[ColumnElement[bool]] = [SupervisionCase.deleted_at.is_(None)]
    if handler_id:
        case_scope.append(SupervisionCase.handler_id == handler_id)
    contact_counts: dict[ContactKind, int] = {}
    reached = 0
    rows = session.execute(
        select(ContactLog.kind, ContactLog.reached, func.count())
        .join(SupervisionCase, SupervisionCase.id == ContactLog.case_id)
        .where(
            *case_scope,
            ContactLog.deleted_at.is_(None),
            ContactLog.corrects_id.is_(None),
            ContactLog.contacted_at >= start,
            ContactLog.contacted_at < end,
        )
        .group_by(ContactLog.kind, ContactLog.reached)
    )
    for kind, was_reached, n in rows:
        contact_counts[kind] = contact_counts.get(kind, 0) + n
        if was_reached:
            reached += n
    pay = session.execute(
        select(func.count(), func.count(func.distinct(Payment.case_id)), func.sum(Payment.amount))
        .join(SupervisionCase, SupervisionCase.id == Payment.case_id)
        .where(*case_scope, Payment.deleted_at.is_(None), Payment.paid_on == on)
    ).one()
    pay_total = pay[2] if pay[2] is not None else Decimal("0.00")
    closed: dict[CaseStatus, int] = {
        status: n
        for status, n in session.execute(
            select(SupervisionCase.status, func.count())
            .where(*case_scope, SupervisionCase.closed_date == on)
            .group_by(SupervisionCase.status)
        )
    }
    transferred = closed.pop(CaseStatus.TRANSFERRED, 0)
    closed_n = sum(n for s, n in closed.items() if s is not CaseStatus.ARCHIVED)
    open_n = session.scalar(
        select(func.count())
        .select_from(SupervisionCase)
        .where(*case_scope, SupervisionCase.status.in_(_OPEN_CODES))
    )
    calls = contact_counts.get(ContactKind.PHONE, 0)
    visits = contact_counts.get(ContactKind.VISIT, 0) + contact_counts.get(ContactKind.INTERVIEW, 0)
    others = sum(contact_counts.values()) - calls - visits
    lines = [
        f"【日督办】{team_name}{on.year}年{on.month}月{on.day}日",
        f"电话督促{calls}次，上门/来院约谈{visits}次，其他联系{others}次（接通/见面{reached}次）；",
        f"收到履行款{pay[0]}笔（{pay[1]}案），合计{format_amount(pay_total)}；",
        f"结案{closed_n}件，移送执行{transferred}件；在办{open_n or 0}件。",
    ]
    return "\n".join(lines)
