"""The supervision docket (案件台账): registering and editing cases, and the docket query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, event, func, literal_column, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from zhiqian_desktop.domain.case_numbers import parse_case_number
from zhiqian_desktop.domain.errors import NotFound, UserError, check_version
from zhiqian_desktop.domain.identity import parse_resident_id, validate_credit_code, validate_phone
from zhiqian_desktop.domain.kinds import CaseSource, LicenceStatus, PartyKind, PartyRole
from zhiqian_desktop.domain.money import MAX_AMOUNT
from zhiqian_desktop.domain.text import HIDDEN_CHARS, LINE_BREAKS
from zhiqian_desktop.domain.workflow import (
    CLOSED_STATUSES,
    CaseAction,
    CaseStatus,
    check_action,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.case_numbers import allocate
from zhiqian_desktop.services.supervision.dues import next_due_date
from zhiqian_desktop.store.models import (
    CourtSettings,
    Party,
    Payment,
    SupervisionCase,
    User,
)
from zhiqian_desktop.store.types import new_id, utcnow

PHONE_SPLIT = re.compile(r"[,，;；、/\s]+")
TEXT_LIMITS = {"name": 200, "cause": 200, "original_case_no": 100, "id_number": 30}


def check_text(
    field_name: str, label: str, value: str | None, *, multiline: bool = False
) -> list[Problem]:
    """Hidden characters, line breaks in one-line fields and overlong text are refused."""
    if not value:
        return []
    if HIDDEN_CHARS.search(value) or (not multiline and LINE_BREAKS.search(value)):
        return [Problem(field_name, f"{label}含有不可见的控制字符或文字方向字符；请删除后重新输入")]
    limit = TEXT_LIMITS.get(field_name.rsplit(".", 1)[-1], 2000 if not multiline else 20000)
    if len(value) > limit:
        return [
            Problem(field_name, f"{label}过长（{len(value)}字，最多{limit}字）；请检查是否粘贴错误")
        ]
    return []


@dataclass
class PartyInput:
    role: PartyRole
    name: str
    kind: PartyKind = PartyKind.PERSON
    id_number: str | None = None
    phones: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    registered_capital: Decimal | None = None
    licence_status: LicenceStatus | None = None
    id: str | None = None


@dataclass
class CaseInput:
    """What the case form (or an import row) holds; validated as a whole before any write."""

    original_case_no: str
    cause: str
    received_date: date
    parties: list[PartyInput]
    amount_due: Decimal = Decimal("0.00")
    obligation_act: str | None = None
    original_doc_type: str = "判决书"
    effective_date: date | None = None
    performance_deadline: date | None = None
    final_installment_date: date | None = None
    """When the effective document sets installments: the last one's due date (art. 250)."""
    application_received_on: date | None = None
    """The day the applicant's 申请执行书 was received (needed to transfer most cases)."""
    department: str | None = None
    trial_judge: str | None = None
    livelihood: bool = False
    livelihood_kind: str | None = None
    handler_id: str | None = None
    tribunal_id: str | None = None
    source: CaseSource = CaseSource.HANDOVER
    notes: str | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def split_phones(text: str | None) -> list[str]:
    return [p for p in PHONE_SPLIT.split(text or "") if p]


def check_party(p: PartyInput, index: int = 0) -> list[Problem]:
    """Every problem with one party, each tied to its field (the form shows them beside it)."""
    where = f"parties[{index}]"
    problems: list[Problem] = []
    for name, label in (
        ("name", "姓名或名称"),
        ("id_number", "证件号码"),
        ("phones", "电话"),
        ("address", "地址"),
        ("legal_representative", "法定代表人"),
    ):
        problems.extend(check_text(f"{where}.{name}", f"{p.role.label}{label}", getattr(p, name)))
    if not p.name.strip():
        problems.append(Problem(f"{where}.name", f"{p.role.label}姓名或名称不能为空"))
    if p.id_number and p.id_number.strip():
        try:
            if p.kind is PartyKind.PERSON:
                parse_resident_id(p.id_number)
            else:
                validate_credit_code(p.id_number)
        except UserError as exc:
            problems.append(
                Problem(f"{where}.id_number", f"{p.name or p.role.label}：{exc.message}")
            )
    for phone in split_phones(p.phones):
        try:
            validate_phone(phone)
        except UserError as exc:
            problems.append(Problem(f"{where}.phones", f"{p.name or p.role.label}：{exc.message}"))
    if p.registered_capital is not None and p.registered_capital < 0:
        problems.append(Problem(f"{where}.registered_capital", "注册资本不能为负数"))
    return problems


def check_case(data: CaseInput, today: date) -> list[Problem]:
    problems: list[Problem] = []
    for name, label in (
        ("original_case_no", "原审案号"),
        ("cause", "案由"),
        ("obligation_act", "非金钱义务"),
        ("department", "审判部门"),
        ("trial_judge", "审判人员"),
        ("livelihood_kind", "民生案件类别"),
    ):
        problems.extend(check_text(name, label, getattr(data, name)))
    problems.extend(check_text("notes", "备注", data.notes, multiline=True))
    if not data.amount_due.is_finite():
        problems.append(Problem("amount_due", "标的金额不是有效的数字"))
        return problems
    if data.amount_due > MAX_AMOUNT:
        problems.append(Problem("amount_due", "标的金额过大；请检查是否多输了数字"))
    elif data.amount_due != data.amount_due.quantize(Decimal("0.01")):
        problems.append(Problem("amount_due", "标的金额只能精确到分"))
    if not data.original_case_no.strip():
        problems.append(Problem("original_case_no", "原审案号不能为空，如（2026）内0221民初123号"))
    if not data.cause.strip():
        problems.append(Problem("cause", "案由不能为空，如“民间借贷纠纷”"))
    if data.received_date > today:
        problems.append(Problem("received_date", "收案日期不能晚于今天"))
    if data.effective_date and data.effective_date > today:
        problems.append(Problem("effective_date", "生效日期不能晚于今天"))
    if data.effective_date and data.received_date < data.effective_date:
        problems.append(Problem("received_date", "收案日期不能早于生效日期"))
    if (
        data.performance_deadline
        and data.effective_date
        and data.performance_deadline < data.effective_date
    ):
        problems.append(Problem("performance_deadline", "履行期限不能早于生效日期"))
    if (
        data.final_installment_date
        and data.effective_date
        and data.final_installment_date < data.effective_date
    ):
        problems.append(Problem("final_installment_date", "最后一期履行期限不能早于生效日期"))
    if data.application_received_on and data.application_received_on > today:
        problems.append(Problem("application_received_on", "申请执行书收到日期不能晚于今天"))
    if (
        data.application_received_on
        and data.effective_date
        and data.application_received_on < data.effective_date
    ):
        problems.append(Problem("application_received_on", "申请执行书收到日期不能早于生效日期"))
    if data.amount_due < 0:
        problems.append(Problem("amount_due", "标的金额不能为负数"))
    if data.amount_due == 0 and not (data.obligation_act or "").strip():
        problems.append(Problem("amount_due", "请填写给付金额，或写明应履行的非金钱义务（行为）"))
    roles = {p.role for p in data.parties}
    if PartyRole.APPLICANT not in roles:
        problems.append(Problem("parties", "至少需要一名申请人"))
    if PartyRole.OBLIGOR not in roles:
        problems.append(Problem("parties", "至少需要一名被申请人"))
    for i, party in enumerate(data.parties):
        problems.extend(check_party(party, i))
    return problems


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        first = problems[0]
        more = f"（另有{len(problems) - 1}处问题）" if len(problems) > 1 else ""
        raise UserError(first.message + more, field=first.field)


def _normalise_party(p: PartyInput) -> PartyInput:
    number = (p.id_number or "").strip().upper() or None
    phones = "、".join(validate_phone(x) for x in split_phones(p.phones)) or None
    return replace(p, name=p.name.strip(), id_number=number, phones=phones)


_CASE_FIELDS = (
    "original_case_no",
    "cause",
    "received_date",
    "amount_due",
    "obligation_act",
    "original_doc_type",
    "effective_date",
    "performance_deadline",
    "final_installment_date",
    "application_received_on",
    "department",
    "trial_judge",
    "livelihood",
    "livelihood_kind",
    "handler_id",
    "tribunal_id",
    "source",
    "notes",
)
_PARTY_FIELDS = (
    "role",
    "kind",
    "name",
    "id_number",
    "phones",
    "address",
    "legal_representative",
    "registered_capital",
    "licence_status",
)


def _check_duplicate(session: Session, original_case_no: str, exclude_id: str | None) -> None:
    stmt = select(SupervisionCase.case_no).where(
        SupervisionCase.original_case_no == original_case_no,
        SupervisionCase.deleted_at.is_(None),
    )
    if exclude_id:
        stmt = stmt.where(SupervisionCase.id != exclude_id)
    existing = session.scalar(stmt.limit(1))
    if existing:
        raise UserError(
            f"原审案号“{original_case_no}”已登记为{existing}；同一生效文书不能重复登记督促案件",
            field="original_case_no",
        )


_SETTINGS_KEY = "zhiqian.docket_settings"


def _forget_settings(session: Session, *_: object) -> None:
    session.info.pop(_SETTINGS_KEY, None)


def _transaction_settings(session: Session) -> CourtSettings:
    """The court settings, read once per transaction (an import registers thousands of cases).

    The object is the session's own, so a change made in this transaction is seen; once the
    transaction ends (commit or rollback) it is read again."""
    cached = session.info.get(_SETTINGS_KEY)
    if isinstance(cached, CourtSettings) and cached in session:
        return cached
    for name in ("after_soft_rollback", "after_commit"):
        if not event.contains(session, name, _forget_settings):
            event.listen(session, name, _forget_settings)
    settings = get_settings(session)
    session.info[_SETTINGS_KEY] = settings
    return settings


@writes
def register_case(
    session: Session,
    actor: Actor,
    data: CaseInput,
    *,
    today: date,
    case_year: int | None = None,
    check_duplicate: bool = True,
    flush: bool = True,
    checked: bool = False,
) -> SupervisionCase:
    """Validate, allocate the case number and store the case with its parties (one transaction).

    `check_duplicate=False` is only for a caller that has already checked the original case
    number against the database inside this same transaction (the importer checks a whole
    workbook in one query). `flush=False` leaves the case, its parties and its audit event to
    the caller's next flush (the importer flushes a few hundred cases at a time). `checked` is
    for data check_case passed for this same `today` moments ago (the importer's plan)."""
    actor.require_write()
    actor.require_assign(None, data.handler_id)
    if not checked:
        _raise_first(check_case(data, today))
    data = replace(data, original_case_no=data.original_case_no.strip(), cause=data.cause.strip())
    if check_duplicate:
        _check_duplicate(session, data.original_case_no, None)
    settings = _transaction_settings(session)
    # Flushed together with the case below (one flush instead of two).
    case_no, seq = allocate(session, settings, case_year or data.received_date.year, flush=False)
    case = SupervisionCase(
        case_no=case_no,
        case_year=case_year or data.received_date.year,
        case_seq=seq,
        status=CaseStatus.REGISTERED,
        updated_by=actor.username,
        amount_paid=Decimal("0.00"),
    )
    for name in _CASE_FIELDS:
        setattr(case, name, getattr(data, name))
    if case.handler_id is None and actor.user_id and actor.role.value == "handler":
        case.handler_id = actor.user_id
    for i, p in enumerate(data.parties):
        p = _normalise_party(p)
        party = Party(position=i, updated_by=actor.username)
        for name in _PARTY_FIELDS:
            setattr(party, name, getattr(p, name))
        case.parties.append(party)
    case.id = new_id()
    with session.no_autoflush:
        refresh_derived(session, case, limit_days=settings.supervision_limit_days, new_case=True)
    session.add(case)
    if flush:
        session.flush()
    else:
        audit.fill_defaults(case)
        for party in case.parties:
            party.case_id = case.id
            audit.fill_defaults(party)
    audit.record_event(
        session,
        actor,
        "create",
        "case",
        case.id,
        case_id=case.id,
        after=_case_snapshot(case),
        flush=flush,
    )
    return case


def _case_snapshot(case: SupervisionCase) -> dict[str, Any]:
    snap = audit.snapshot(case)
    snap["parties"] = [audit.snapshot(p) for p in case.parties if p.deleted_at is None]
    return snap


@writes
def update_case(
    session: Session,
    actor: Actor,
    case_id: str,
    expected_version: int,
    data: CaseInput,
    *,
    today: date,
) -> SupervisionCase:
    """Save an edit made on a form loaded at `expected_version`; a stale edit is refused."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    actor.require_assign(case.handler_id, data.handler_id)
    check_action(case.status, CaseAction.EDIT, case.case_no)
    check_version(case.version, expected_version, f"案件{case.case_no}")
    _raise_first(check_case(data, today))
    _check_duplicate(session, data.original_case_no.strip(), case.id)
    settings = get_settings(session)
    before = _case_snapshot(case)
    for name in _CASE_FIELDS:
        setattr(case, name, getattr(data, name))
    case.original_case_no = data.original_case_no.strip()
    case.cause = data.cause.strip()
    case.updated_by = actor.username
    existing = {p.id: p for p in case.parties if p.deleted_at is None}
    kept: set[str] = set()
    for i, p in enumerate(data.parties):
        p = _normalise_party(p)
        party = existing.get(p.id or "")
        if party is None:
            party = Party(updated_by=actor.username)
            case.parties.append(party)
        else:
            kept.add(party.id)
        party.position = i
        for name in _PARTY_FIELDS:
            setattr(party, name, getattr(p, name))
        party.updated_by = actor.username
    for pid, party in existing.items():
        if pid not in kept:
            party.deleted_at = utcnow()
    with session.no_autoflush:
        refresh_derived(session, case, limit_days=settings.supervision_limit_days)
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=_case_snapshot(case),
    )
    return case


def refresh_derived(
    session: Session, case: SupervisionCase, *, limit_days: int, new_case: bool = False
) -> None:
    """Recompute the columns the docket sorts and searches on from the case's records."""
    parties = [p for p in case.parties if p.deleted_at is None]
    case.obligor_names = "、".join(p.name for p in parties if p.role is PartyRole.OBLIGOR)[:500]
    words = [case.case_no, case.original_case_no]
    for p in parties:
        words += [p.name, p.id_number or "", *split_phones(p.phones)]
    case.search_text = " ".join(w for w in words if w).lower()
    paid = (
        0
        if new_case
        else session.scalar(
            select(func.coalesce(func.sum(Payment.amount), 0)).where(
                Payment.case_id == case.id, Payment.deleted_at.is_(None)
            )
        )
    )
    case.amount_paid = Decimal(paid or 0).quantize(Decimal("0.01"))
    case.next_due_date = (
        None
        if case.status in CLOSED_STATUSES
        else _next_due(session, case, limit_days, new_case=new_case)
    )


def _next_due(
    session: Session, case: SupervisionCase, limit_days: int, *, new_case: bool
) -> date | None:
    return next_due_date(
        session,
        case,
        limit_days=limit_days,
        new_case=new_case,
        settings=_transaction_settings(session),
    )


def _with_people(condition: ColumnElement[bool]) -> Select[tuple[SupervisionCase]]:
    """The live case matching ``condition`` with its parties, handler and tribunal loaded."""
    return (
        select(SupervisionCase)
        .options(
            selectinload(SupervisionCase.parties),
            joinedload(SupervisionCase.handler),
            joinedload(SupervisionCase.tribunal),
        )
        .where(condition, SupervisionCase.deleted_at.is_(None))
    )


@reads
def get_case(session: Session, case_id: str) -> SupervisionCase:
    """The case with its parties, handler and tribunal (usable after the session closes)."""
    case = session.scalars(_with_people(SupervisionCase.id == case_id)).first()
    if case is None:
        raise NotFound("该案件不存在或已被删除；请刷新台账")
    return case


@reads
def find_case(session: Session, case_no: str) -> SupervisionCase:
    """Look a case up by its number as a clerk types it (half- or full-width parentheses); its
    parties, handler and tribunal come with it."""
    canonical = str(parse_case_number(case_no))
    case = session.scalars(_with_people(SupervisionCase.case_no == canonical)).first()
    if case is None:
        raise NotFound(f"没有案号为“{canonical}”的案件；请核对案号")
    return case


# --- the docket query --------------------------------------------------------------------------

SORT_KEYS = (
    "case_no",
    "original_case_no",
    "cause",
    "obligor",
    "amount_due",
    "amount_paid",
    "status",
    "handler",
    "days",
    "next_due",
)


@dataclass
class DocketQuery:
    text: str = ""
    statuses: frozenset[CaseStatus] = frozenset()
    handler_id: str | None = None
    tribunal_id: str | None = None
    livelihood: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    overdue_on: date | None = None
    sort: str = "case_no"
    descending: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocketRow:
    id: str
    case_no: str
    original_case_no: str
    cause: str
    obligor_names: str
    amount_due: Decimal
    amount_paid: Decimal
    status: CaseStatus
    handler_name: str
    days_in_supervision: int
    next_due_date: date | None
    livelihood: bool
    version: int


def days_in_supervision_expr(session: Session, today: date) -> ColumnElement[Any]:
    end = func.coalesce(SupervisionCase.closed_date, today)
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(SupervisionCase.received_date)
    return end - SupervisionCase.received_date


def _like_escape(word: str) -> str:
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _has_search_index(session: Session) -> bool:
    """SQLite databases carry the trigram index of migration 0003 (PostgreSQL uses pg_trgm)."""
    return session.get_bind().dialect.name == "sqlite"


def _filtered(session: Session, q: DocketQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [SupervisionCase.deleted_at.is_(None)]
    words = q.text.strip().lower().split()
    indexed = [w for w in words if len(w) >= 3] if _has_search_index(session) else []
    if indexed:
        phrase = " ".join('"' + w.replace('"', '""') + '"' for w in indexed)
        hits = sql_text("SELECT rowid FROM case_search WHERE case_search MATCH :phrase")
        conds.append(literal_column("supervision_case.rowid").in_(hits.bindparams(phrase=phrase)))
    short = [w for w in words if w not in indexed]
    if short and _has_search_index(session):
        # Scan the narrow covering index of search_text for the matching rows, instead of
        # walking the table in docket order and reading every row until a page is full.
        likes = " AND ".join(f"search_text LIKE :w{i} ESCAPE '/'" for i in range(len(short)))
        patterns = {f"w{i}": "%" + _like_escape(w) + "%" for i, w in enumerate(short)}
        hits = sql_text(f"SELECT rowid FROM supervision_case WHERE {likes}")
        conds.append(literal_column("supervision_case.rowid").in_(hits.bindparams(**patterns)))
    else:
        for word in short:
            conds.append(SupervisionCase.search_text.contains(word, autoescape=True))
    if q.statuses:
        conds.append(SupervisionCase.status.in_([s.value for s in q.statuses]))
    if q.handler_id:
        conds.append(SupervisionCase.handler_id == q.handler_id)
    if q.tribunal_id:
        conds.append(SupervisionCase.tribunal_id == q.tribunal_id)
    if q.livelihood is not None:
        conds.append(SupervisionCase.livelihood.is_(q.livelihood))
    if q.received_from:
        conds.append(SupervisionCase.received_date >= q.received_from)
    if q.received_to:
        conds.append(SupervisionCase.received_date <= q.received_to)
    if q.overdue_on:
        conds.append(
            and_(
                SupervisionCase.next_due_date.is_not(None),
                SupervisionCase.next_due_date < q.overdue_on,
            )
        )
    return conds


@reads
def count_cases(session: Session, q: DocketQuery) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(SupervisionCase).where(*_filtered(session, q))
        )
        or 0
    )


def _docket_select(session: Session, q: DocketQuery, today: date) -> Select[Any]:
    handler = aliased(User)
    days = days_in_supervision_expr(session, today)
    sort_cols: dict[str, list[Any]] = {
        "case_no": [SupervisionCase.case_year, SupervisionCase.case_seq],
        "original_case_no": [SupervisionCase.original_case_no],
        "cause": [SupervisionCase.cause],
        "obligor": [SupervisionCase.obligor_names],
        "amount_due": [SupervisionCase.amount_due],
        "amount_paid": [SupervisionCase.amount_paid],
        "status": [SupervisionCase.status],
        "handler": [handler.display_name],
        "days": [days],
        "next_due": [SupervisionCase.next_due_date],
    }
    if q.sort not in sort_cols:
        raise UserError(f"不能按“{q.sort}”排序")
    order = [c.desc() if q.descending else c.asc() for c in sort_cols[q.sort]]
    if session.get_bind().dialect.name != "sqlite":
        # SQLite sorts empty values (no handler, no due date) first; a server must sort the same.
        order = [o.nulls_last() if q.descending else o.nulls_first() for o in order]
    if q.sort != "case_no":
        tie = [SupervisionCase.case_year, SupervisionCase.case_seq]
        order += [c.desc() if q.descending else c.asc() for c in tie]
    return (
        select(*docket_columns(handler, days))
        .outerjoin(handler, handler.id == SupervisionCase.handler_id)
        .where(*_filtered(session, q))
        .order_by(*order)
    )


@reads
def list_cases(
    session: Session, q: DocketQuery, *, today: date, offset: int = 0, limit: int = 200
) -> list[DocketRow]:
    """One page of the docket, filtered and sorted in SQL (never the whole table in Python)."""
    stmt = _docket_select(session, q, today).offset(offset).limit(limit)
    return docket_rows(session, stmt)


@dataclass(frozen=True)
class DocketPage:
    """What a docket query finds: how many cases, and the rows asked for."""

    total: int
    rows: list[DocketRow]


@reads
def docket_page(
    session: Session, q: DocketQuery, *, today: date, limit: int | None = None
) -> DocketPage:
    """The number of cases the query finds and their rows (up to ``limit``; all without one),
    from one snapshot, so that the two agree."""
    total = count_cases(session, q)
    return DocketPage(total, list_cases(session, q, today=today, limit=limit or max(total, 1)))


def docket_columns(handler: Any, days: ColumnElement[Any]) -> tuple[Any, ...]:
    """The docket's columns, named as ``DocketRow``'s fields (``docket_rows`` reads them by
    name); ``handler`` is the aliased user table joined on the case's handler."""
    sc = SupervisionCase
    return (
        sc.id,
        sc.case_no,
        sc.original_case_no,
        sc.cause,
        sc.obligor_names,
        sc.amount_due,
        sc.amount_paid,
        sc.status,
        func.coalesce(handler.display_name, "").label("handler_name"),
        days.label("days_in_supervision"),
        sc.next_due_date,
        sc.livelihood,
        sc.version,
    )


def docket_rows(session: Session, stmt: Select[Any]) -> list[DocketRow]:
    """Rows of a statement selecting ``docket_columns``."""
    return [
        DocketRow(
            id=r.id,
            case_no=r.case_no,
            original_case_no=r.original_case_no,
            cause=r.cause,
            obligor_names=r.obligor_names,
            amount_due=r.amount_due,
            amount_paid=r.amount_paid,
            status=r.status,
            handler_name=r.handler_name,
            days_in_supervision=int(r.days_in_supervision or 0),
            next_due_date=r.next_due_date,
            livelihood=bool(r.livelihood),
            version=r.version,
        )
        for r in session.execute(stmt)
    ]
