"""Statistics of the team (figures per period and group), the cases behind each number, the
诚信履行名单 and the 执破衔接 screening.

The definitions are in ``domain/stats.py``. Every figure is computed in SQL by GROUP BY over the
cases (one pass over the case table, one over the payments), and every predicate is written once
(``_Predicates``) so that the cases listed behind a number are exactly the ones it counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.identity import mask_id_number
from zhiqian_desktop.domain.kinds import LicenceStatus, PartyKind, PartyRole, SettlementStatus
from zhiqian_desktop.domain.money import format_amount, from_fen
from zhiqian_desktop.domain.stats import (
    FIGURE_BY_KEY,
    FIGURES,
    NO_VALUE,
    UNFILLED,
    GroupBy,
    Outcome,
    Period,
    format_days,
    format_rate,
    mean,
    median_of_counts,
    month_key,
    month_period,
    performance_rate,
    resolution_rate,
)
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.services import audit
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.docket import DocketRow, days_in_supervision_expr, docket_rows
from zhiqian_desktop.services.exports import (
    AMOUNT_FORMAT,
    DATE_FORMAT,
    safe_cell_value,
    save_workbook,
)
from zhiqian_desktop.services.settings import get_settings
from zhiqian_desktop.store.models import Party, Payment, Settlement, SupervisionCase, Tribunal, User
from zhiqian_desktop.store.outputs import check_output_file

ZERO = Decimal("0.00")
SC = SupervisionCase


# --- results ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one group (or of the whole period)."""

    cases: int = 0
    performed: int = 0
    settled: int = 0
    transferred: int = 0
    withdrawn: int = 0
    pending: int = 0
    closed: int = 0
    open_at_end: int = 0
    over_limit: int = 0
    amount_due: Decimal = ZERO
    amount_received: Decimal = ZERO
    closed_days_total: int = 0
    days_histogram: dict[int, int] = field(default_factory=dict)

    @property
    def resolution_rate(self) -> Decimal | None:
        return resolution_rate(self.performed, self.settled, self.cases)

    @property
    def performance_rate(self) -> Decimal | None:
        return performance_rate(self.performed, self.cases)

    @property
    def avg_days(self) -> Decimal | None:
        return mean(self.closed_days_total, self.closed)

    @property
    def median_days(self) -> Decimal | None:
        return median_of_counts(self.days_histogram)

    def value(self, key: str) -> Any:
        if key not in FIGURE_BY_KEY:
            raise KeyError(key)
        return getattr(self, key)

    def display(self, key: str) -> str:
        """The number as the page, the report and the CLI print it."""
        kind = FIGURE_BY_KEY[key].kind
        value = self.value(key)
        if kind == "rate":
            return format_rate(value)
        if kind == "days":
            return format_days(value)
        if kind == "money":
            return format_amount(value)
        return str(value)

    def add(self, other: Figures) -> None:
        for name in (
            "cases",
            "performed",
            "settled",
            "transferred",
            "withdrawn",
            "pending",
            "closed",
            "open_at_end",
            "over_limit",
            "closed_days_total",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.amount_due += other.amount_due
        self.amount_received += other.amount_received
        for days, n in other.days_histogram.items():
            self.days_histogram[days] = self.days_histogram.get(days, 0) + n

    def as_json(self) -> dict[str, Any]:
        """Counts as integers, amounts as strings of yuan, rates and days as numbers or null."""

        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "cases": self.cases,
            "performed": self.performed,
            "settled": self.settled,
            "transferred": self.transferred,
            "withdrawn": self.withdrawn,
            "pending": self.pending,
            "closed": self.closed,
            "open_at_end": self.open_at_end,
            "over_limit": self.over_limit,
            "resolution_rate": num(self.resolution_rate),
            "performance_rate": num(self.performance_rate),
            "amount_due": str(self.amount_due),
            "amount_received": str(self.amount_received),
            "avg_days": num(self.avg_days),
            "median_days": num(self.median_days),
        }


@dataclass
class GroupFigures:
    key: str | None
    """The group's value (a month ``2026-03``, a user id, a department…); None when not filled."""
    label: str
    figures: Figures


@dataclass
class StatsResult:
    period: Period
    by: GroupBy | None
    limit_days: int
    total: Figures
    groups: list[GroupFigures]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "by": self.by.value if self.by else None,
            "supervision_limit_days": self.limit_days,
        }
        data.update(self.total.as_json())
        if self.by is not None:
            data["groups"] = [
                {"key": g.key, "label": g.label, **g.figures.as_json()} for g in self.groups
            ]
        return data


# --- the predicates, written once --------------------------------------------------------------


_PENDING_CODES = [CaseStatus.REGISTERED.value, CaseStatus.SUPERVISING.value]
_SETTLED_CODES = [CaseStatus.SETTLED.value, CaseStatus.SETTLEMENT_PERFORMED.value]
_TRANSFERRED_CODES = [CaseStatus.FAILED.value, CaseStatus.TRANSFERRED.value]
_WITHDRAWN_CODES = [CaseStatus.WITHDRAWN.value, CaseStatus.UNSUITABLE.value]


def outcome_expr() -> ColumnElement[Any]:
    """The intake bucket (``domain.stats.Outcome``) of a case from its current status, in SQL."""
    settlement_performed = exists().where(
        Settlement.case_id == SC.id,
        Settlement.deleted_at.is_(None),
        Settlement.status == SettlementStatus.PERFORMED,
    )
    fully_paid = and_(SC.amount_due > ZERO, SC.amount_paid >= SC.amount_due)
    status = type_coerce(SC.status, SC.status.type.impl)  # compare the stored codes
    return case(
        (status.in_(_PENDING_CODES), literal(Outcome.PENDING.value)),
        (status == CaseStatus.PERFORMED.value, literal(Outcome.PERFORMED.value)),
        (status.in_(_SETTLED_CODES), literal(Outcome.SETTLED.value)),
        (status.in_(_TRANSFERRED_CODES), literal(Outcome.TRANSFERRED.value)),
        (status.in_(_WITHDRAWN_CODES), literal(Outcome.WITHDRAWN.value)),
        (settlement_performed, literal(Outcome.SETTLED.value)),
        (fully_paid, literal(Outcome.PERFORMED.value)),
        else_=literal(Outcome.WITHDRAWN.value),
    )


def _received_in(p: Period) -> ColumnElement[bool]:
    return SC.received_date.between(p.start, p.end)


def _closed_in(p: Period) -> ColumnElement[bool]:
    return SC.closed_date.between(p.start, p.end)


def _open_at(day: date) -> ColumnElement[bool]:
    return and_(SC.received_date <= day, or_(SC.closed_date.is_(None), SC.closed_date > day))


def _over_limit_at(day: date, limit_days: int) -> ColumnElement[bool]:
    """Open on ``day`` and taken in more than ``limit_days`` days before it."""
    return and_(
        SC.received_date < day - timedelta(days=limit_days),
        or_(SC.closed_date.is_(None), SC.closed_date > day),
    )


def _paid_in(p: Period) -> ColumnElement[bool]:
    return SC.id.in_(
        select(Payment.case_id).where(
            Payment.deleted_at.is_(None), Payment.paid_on.between(p.start, p.end)
        )
    )


def _days_to_close(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(SC.closed_date) - func.julianday(SC.received_date), Integer)
    return SC.closed_date - SC.received_date


def _month_of(session: Session, column: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def _group_expr(by: GroupBy) -> ColumnElement[Any]:
    # An id is grouped as an expression (id || ''), not the bare column: SQLite would otherwise
    # walk the handler index and fetch every case row at random — 5x slower on 100,000 cases.
    if by is GroupBy.HANDLER:
        return SC.handler_id.concat("")
    if by is GroupBy.TRIBUNAL:
        return SC.tribunal_id.concat("")
    if by is GroupBy.DEPARTMENT:
        return func.nullif(func.trim(SC.department), "")
    if by is GroupBy.JUDGE:
        return func.nullif(func.trim(SC.trial_judge), "")
    if by is GroupBy.CAUSE:
        return func.nullif(func.trim(SC.cause), "")
    if by is GroupBy.LIVELIHOOD:
        return case((SC.livelihood.is_(True), literal("1")), else_=literal("0"))
    raise ValueError(by)


def figure_condition(
    session: Session, key: str, period: Period, limit_days: int
) -> ColumnElement[bool]:
    """The cases a figure counts (for a rate: its numerator; for an amount: the cases it sums)."""
    outcome = outcome_expr()
    buckets = {
        "performed": [Outcome.PERFORMED],
        "settled": [Outcome.SETTLED],
        "transferred": [Outcome.TRANSFERRED],
        "withdrawn": [Outcome.WITHDRAWN],
        "pending": [Outcome.PENDING],
        "resolution_rate": [Outcome.PERFORMED, Outcome.SETTLED],
        "performance_rate": [Outcome.PERFORMED],
    }
    if key in ("cases", "amount_due"):
        return _received_in(period)
    if key in buckets:
        return and_(_received_in(period), outcome.in_([b.value for b in buckets[key]]))
    if key in ("closed", "avg_days", "median_days"):
        return _closed_in(period)
    if key == "open_at_end":
        return _open_at(period.end)
    if key == "over_limit":
        return _over_limit_at(period.end, limit_days)
    if key == "amount_received":
        return _paid_in(period)
    raise UserError(f"没有名为“{key}”的统计项")


# --- computing the figures --------------------------------------------------------------------


def _limit(session: Session, limit_days: int | None) -> int:
    return limit_days if limit_days is not None else get_settings(session).supervision_limit_days


def _fen_sum(column: Any, condition: ColumnElement[bool] | None = None) -> ColumnElement[Any]:
    raw: ColumnElement[Any] = type_coerce(column, Integer)
    if condition is not None:
        raw = case((condition, raw), else_=literal(0))
    return func.coalesce(func.sum(raw), 0)


def _flag_sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _apply_bucket(fig: Figures, outcome: str, n: int) -> None:
    fig.cases += n
    setattr(fig, Outcome(outcome).value, getattr(fig, Outcome(outcome).value) + n)


def _apply_closed(fig: Figures, days: int, n: int) -> None:
    fig.closed += n
    fig.closed_days_total += days * n
    fig.days_histogram[days] = fig.days_histogram.get(days, 0) + n


def compute_stats(
    session: Session,
    period: Period,
    by: GroupBy | None = None,
    *,
    limit_days: int | None = None,
) -> StatsResult:
    """All figures for ``period``, in total and per group (see ``domain.stats.FIGURES``)."""
    limit = _limit(session, limit_days)
    if by is GroupBy.MONTH:
        groups = _by_month(session, period, limit)
    else:
        groups = _by_attribute(session, period, by, limit)
    total = Figures()
    for g in groups:
        total.add(g.figures)
    if by is GroupBy.MONTH and groups:
        # Stock figures are not added up over months: the period's are those of its last day.
        total.open_at_end = groups[-1].figures.open_at_end
        total.over_limit = groups[-1].figures.over_limit
    return StatsResult(period, by, limit, total, groups if by is not None else [])


def _by_attribute(
    session: Session, period: Period, by: GroupBy | None, limit: int
) -> list[GroupFigures]:
    group_cols = [_group_expr(by)] if by is not None else []
    cohort = _received_in(period)
    closed = _closed_in(period)
    bucket = case((cohort, outcome_expr()), else_=None)
    days = case((closed, _days_to_close(session)), else_=None)
    stmt = (
        select(
            *group_cols,
            bucket,
            days,
            func.count(),
            _fen_sum(SC.amount_due, cohort),
            _flag_sum(_open_at(period.end)),
            _flag_sum(_over_limit_at(period.end, limit)),
        )
        .where(
            SC.deleted_at.is_(None),
            SC.received_date <= period.end,
            or_(SC.closed_date.is_(None), SC.closed_date >= period.start),
        )
        .group_by(*group_cols, bucket, days)
    )
    figures: dict[Any, Figures] = defaultdict(Figures)
    for row in session.execute(stmt):
        key = row[0] if group_cols else None
        outcome, d, n, due_fen, open_n, over_n = row[len(group_cols) :]
        fig = figures[key]
        if outcome is not None:
            _apply_bucket(fig, outcome, n)
            fig.amount_due += from_fen(int(due_fen))
        if d is not None:
            _apply_closed(fig, int(d), n)
        fig.open_at_end += int(open_n)
        fig.over_limit += int(over_n)
    pay = (
        select(*group_cols, _fen_sum(Payment.amount))
        .join(SC, SC.id == Payment.case_id)
        .where(
            Payment.deleted_at.is_(None),
            SC.deleted_at.is_(None),
            Payment.paid_on.between(period.start, period.end),
        )
        .group_by(*group_cols)
    )
    for row in session.execute(pay):
        key = row[0] if group_cols else None
        figures[key].amount_received += from_fen(int(row[-1]))
    if by is None:
        return [GroupFigures(None, "合计", figures.get(None, Figures()))]
    labels = _labels(session, by, list(figures))
    out = [GroupFigures(k, labels[k], f) for k, f in figures.items()]
    if by is GroupBy.LIVELIHOOD:
        out.sort(key=lambda x: x.key != "1")
    else:
        out.sort(key=lambda x: (x.key is None, x.label))
    return out


def _labels(session: Session, by: GroupBy, keys: list[Any]) -> dict[Any, str]:
    names: dict[Any, str] = {}
    ids = [k for k in keys if k is not None]
    if by is GroupBy.HANDLER and ids:
        names = {
            k: v
            for k, v in session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
        }
    elif by is GroupBy.TRIBUNAL and ids:
        names = {
            k: v
            for k, v in session.execute(
                select(Tribunal.id, Tribunal.name).where(Tribunal.id.in_(ids))
            )
        }
    elif by is GroupBy.LIVELIHOOD:
        names = {"1": "涉民生", "0": "非涉民生"}
    unassigned = "（未分配）" if by in (GroupBy.HANDLER, GroupBy.TRIBUNAL) else UNFILLED
    return {k: (names.get(k, str(k)) if k is not None else unassigned) for k in keys}


def _by_month(session: Session, period: Period, limit: int) -> list[GroupFigures]:
    months = period.months()
    figures = {month_key(m.start): Figures() for m in months}
    cohort = _received_in(period)
    received_month = _month_of(session, SC.received_date)
    outcome = outcome_expr()
    intake = (
        select(received_month, outcome, func.count(), _fen_sum(SC.amount_due))
        .where(SC.deleted_at.is_(None), cohort)
        .group_by(received_month, outcome)
    )
    for month, bucket, n, due_fen in session.execute(intake):
        _apply_bucket(figures[month], bucket, n)
        figures[month].amount_due += from_fen(int(due_fen))

    closed = _closed_in(period)
    closed_month = case((closed, _month_of(session, SC.closed_date)), else_=None)
    days = case((closed, _days_to_close(session)), else_=None)
    stock: list[ColumnElement[Any]] = []
    for m in months:
        stock.append(_flag_sum(_open_at(m.end)))
        stock.append(_flag_sum(_over_limit_at(m.end, limit)))
    flow = (
        select(closed_month, days, func.count(), *stock)
        .where(
            SC.deleted_at.is_(None),
            SC.received_date <= period.end,
            or_(SC.closed_date.is_(None), SC.closed_date >= period.start),
        )
        .group_by(closed_month, days)
    )
    for row in session.execute(flow):
        month, d, n, *counts = row
        if month is not None:
            _apply_closed(figures[month], int(d), n)
        for i, m in enumerate(months):
            fig = figures[month_key(m.start)]
            fig.open_at_end += int(counts[2 * i])
            fig.over_limit += int(counts[2 * i + 1])

    paid_month = _month_of(session, Payment.paid_on)
    pay = (
        select(paid_month, _fen_sum(Payment.amount))
        .join(SC, SC.id == Payment.case_id)
        .where(
            Payment.deleted_at.is_(None),
            SC.deleted_at.is_(None),
            Payment.paid_on.between(period.start, period.end),
        )
        .group_by(paid_month)
    )
    for month, fen in session.execute(pay):
        figures[month].amount_received += from_fen(int(fen))
    return [GroupFigures(k, f"{int(k[:4])}年{int(k[5:])}月", fig) for k, fig in figures.items()]


# --- the cases behind a number -------------------------------------------------------------------


def cases_behind(
    session: Session,
    period: Period,
    figure: str,
    *,
    by: GroupBy | None = None,
    key: str | None = None,
    limit_days: int | None = None,
    today: date | None = None,
    limit: int = 5000,
) -> list[DocketRow]:
    """The cases counted by ``figure`` in the group ``key`` of ``by`` (or in the whole period).

    Uses the same conditions as ``compute_stats``, so the list has exactly as many cases as the
    number clicked (for 到位金额: the cases that received the payments).
    """
    today = today or date.today()
    days_limit = _limit(session, limit_days)
    conds: list[ColumnElement[bool]] = [SC.deleted_at.is_(None)]
    if by is GroupBy.MONTH:
        if key is None:
            raise UserError("请选择月份")
        sub = period.clip(month_period(key))
        if sub is None:
            return []
        period = sub
    elif by is not None:
        g = _group_expr(by)
        conds.append(g.is_(None) if key is None else g == key)
    conds.append(figure_condition(session, figure, period, days_limit))
    handler = aliased(User)
    stmt = (
        select(
            SC.id,
            SC.case_no,
            SC.original_case_no,
            SC.cause,
            SC.obligor_names,
            SC.amount_due,
            SC.amount_paid,
            SC.status,
            func.coalesce(handler.display_name, ""),
            days_in_supervision_expr(session, today),
            SC.next_due_date,
            SC.livelihood,
            SC.version,
        )
        .outerjoin(handler, handler.id == SC.handler_id)
        .where(*conds)
        .order_by(SC.case_year.desc(), SC.case_seq.desc())
        .limit(limit)
    )
    return docket_rows(session, stmt)


# --- 诚信履行名单 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HonestPerformer:
    name: str
    kind: PartyKind
    id_number: str | None
    case_no: str
    original_case_no: str
    cause: str
    way: str
    """自动履行 or 和解履行."""
    amount_paid: Decimal
    closed_date: date
    handler_name: str

    def shown_id(self, unmasked: bool) -> str:
        if not self.id_number:
            return ""
        return self.id_number if unmasked else mask_id_number(self.id_number)


def honest_performers(session: Session, period: Period) -> list[HonestPerformer]:
    """Obligors of cases closed in the period as performed or settlement performed (诚信履行)."""
    outcome = outcome_expr()
    handler = aliased(User)
    stmt = (
        select(
            Party.name,
            Party.kind,
            Party.id_number,
            SC.case_no,
            SC.original_case_no,
            SC.cause,
            outcome,
            SC.amount_paid,
            SC.closed_date,
            func.coalesce(handler.display_name, ""),
        )
        .join(SC, SC.id == Party.case_id)
        .outerjoin(handler, handler.id == SC.handler_id)
        .where(
            Party.deleted_at.is_(None),
            Party.role == PartyRole.OBLIGOR,
            SC.deleted_at.is_(None),
            _closed_in(period),
            outcome.in_([Outcome.PERFORMED.value, Outcome.SETTLED.value]),
        )
        .order_by(SC.closed_date, SC.case_year, SC.case_seq, Party.position)
    )
    return [
        HonestPerformer(
            name=r[0],
            kind=r[1],
            id_number=r[2],
            case_no=r[3],
            original_case_no=r[4],
            cause=r[5],
            way="自动履行" if r[6] == Outcome.PERFORMED.value else "和解履行",
            amount_paid=r[7],
            closed_date=r[8],
            handler_name=r[9],
        )
        for r in session.execute(stmt)
    ]


def _save_workbook(wb: Workbook, path: Path, *, force: bool = False) -> None:
    """Write beside ``path`` and move into place: a failed export never leaves half a file."""
    save_workbook(wb, Path(path), force=force)


def write_sheet(
    wb: Workbook,
    title: str,
    headers: list[tuple[str, int]],
    rows: list[list[Any]],
    formats: list[str | None] | None = None,
    caption: str | None = None,
) -> None:
    """A write-only sheet: optional caption line, bold header, formula-safe cells."""
    ws = wb.create_sheet(title)
    for i, (_h, width) in enumerate(headers):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    if caption:
        cell = safe_cell_value(ws, caption)
        cell.font = Font(bold=True, size=13)
        ws.append([cell])
    head = []
    for h, _w in headers:
        cell = safe_cell_value(ws, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        head.append(cell)
    ws.append(head)
    fmts = formats or [None] * len(headers)
    for row in rows:
        ws.append([safe_cell_value(ws, v, number_format=f) for v, f in zip(row, fmts, strict=True)])


def export_honest_list(
    session: Session,
    actor: Actor,
    period: Period,
    path: Path,
    *,
    unmasked: bool = False,
    force: bool = False,
) -> int:
    """The 诚信履行名单 as xlsx; ID numbers masked unless ``unmasked`` (team lead only, audited).

    Needs a writing session when ``unmasked`` (the export of full ID numbers is recorded).
    """
    if unmasked:
        actor.require_lead()
    path = check_output_file(path, force=force)
    rows = honest_performers(session, period)
    court = get_settings(session).court_name
    wb = Workbook(write_only=True)
    write_sheet(
        wb,
        "诚信履行名单",
        [
            ("序号", 6),
            ("被申请人", 24),
            ("主体类型", 10),
            ("证件号码", 22),
            ("案号", 24),
            ("原审案号", 26),
            ("案由", 16),
            ("履行方式", 10),
            ("履行金额（元）", 16),
            ("履行完毕日期", 14),
            ("承办人", 10),
        ],
        [
            [
                i,
                r.name,
                r.kind.label,
                r.shown_id(unmasked),
                r.case_no,
                r.original_case_no,
                r.cause,
                r.way,
                r.amount_paid,
                r.closed_date,
                r.handler_name,
            ]
            for i, r in enumerate(rows, start=1)
        ],
        [None, None, None, None, None, None, None, None, AMOUNT_FORMAT, DATE_FORMAT, None],
        caption=f"{court}诚信履行名单（{period.label}）",
    )
    _save_workbook(wb, path, force=force)
    if unmasked:
        audit.record_event(
            session,
            actor,
            "export",
            "honest_list",
            f"{period.start.isoformat()}/{period.end.isoformat()}",
            after={"rows": len(rows), "unmasked": True, "file": Path(path).name},
        )
    return len(rows)


# --- 执破衔接 screening ----------------------------------------------------------------------------

BANKRUPTCY_MIN_CASES = 10
NO_PROPERTY_WORDS = ("终本", "终结本次执行", "无财产", "无可供执行")
"""Words in a closing or transfer reason that say an earlier case ended without property."""
ENTERPRISE_KINDS = [PartyKind.LEGAL_PERSON.value, PartyKind.OTHER_ORG.value]


@dataclass(frozen=True)
class EvidenceCase:
    case_id: str
    case_no: str
    received_date: date
    amount_due: Decimal
    status: CaseStatus
    close_reason: str | None


@dataclass
class ReferralCandidate:
    """An enterprise obligor meeting a condition for bankruptcy review, with the cases as evidence."""

    key: str
    name: str
    id_number: str | None
    registered_capital: Decimal | None
    licence_status: LicenceStatus | None
    cases_in_year: int = 0
    total_in_year: Decimal = ZERO
    reasons: list[str] = field(default_factory=list)
    cases: list[EvidenceCase] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons)


def _obligor_key() -> ColumnElement[Any]:
    """An enterprise is the same when its credit code is, else when its name is."""
    return func.coalesce(func.nullif(func.upper(func.trim(Party.id_number)), ""), Party.name)


def cast_licence(code: str | None) -> LicenceStatus | None:
    return next((s for s in LicenceStatus if s.value == code), None) if code else None


def bankruptcy_screening(session: Session, year: int) -> list[ReferralCandidate]:
    """Enterprise obligors meeting a referral condition (执破衔接) for ``year``.

    Conditions (DESIGN §2): 10 or more money cases received in the year whose total exceeds the
    registered capital; licence revoked or cancelled; an earlier case ended without property (its
    reason mentions 终本 / 无财产). Only obligors with a case received in the year or still open
    are screened.
    """
    year_period = Period(date(year, 1, 1), date(year, 12, 31))
    key = _obligor_key()
    base = [
        Party.deleted_at.is_(None),
        Party.role == PartyRole.OBLIGOR,
        type_coerce(Party.kind, Party.kind.type.impl).in_(ENTERPRISE_KINDS),
        SC.deleted_at.is_(None),
    ]
    active = or_(_received_in(year_period), SC.status.in_([s.value for s in OPEN_STATUSES]))
    # Per obligor and case first, so one obligor named twice in a case is counted once.
    per_case = (
        select(
            key.label("k"), SC.id.label("case_id"), type_coerce(SC.amount_due, Integer).label("due")
        )
        .join(SC, SC.id == Party.case_id)
        .where(*base, _received_in(year_period), SC.amount_due > ZERO)
        .distinct()
        .subquery()
    )
    many = dict(
        (k, (int(n), from_fen(int(total))))
        for k, n, total in session.execute(
            select(per_case.c.k, func.count(), func.sum(per_case.c.due))
            .group_by(per_case.c.k)
            .having(func.count() >= BANKRUPTCY_MIN_CASES)
        )
    )
    capital = func.max(type_coerce(Party.registered_capital, Integer))
    facts = session.execute(
        select(
            key,
            func.max(Party.name),
            func.max(Party.id_number),
            capital,
            func.max(
                case(
                    (
                        type_coerce(Party.licence_status, Party.licence_status.type.impl).in_(
                            [LicenceStatus.REVOKED.value, LicenceStatus.CANCELLED.value]
                        ),
                        type_coerce(Party.licence_status, Party.licence_status.type.impl),
                    ),
                    else_=None,
                )
            ),
            func.max(case((active, 1), else_=0)),
            func.sum(
                case(
                    (or_(*(SC.close_reason.contains(w) for w in NO_PROPERTY_WORDS)), 1),
                    else_=0,
                )
            ),
        )
        .join(SC, SC.id == Party.case_id)
        .where(*base)
        .group_by(key)
    ).all()
    candidates: list[ReferralCandidate] = []
    for k, name, id_number, capital_fen, licence, is_active, no_property in facts:
        if not is_active:
            continue
        cap = from_fen(int(capital_fen)) if capital_fen is not None else None
        cand = ReferralCandidate(
            key=k,
            name=name,
            id_number=id_number,
            registered_capital=cap,
            licence_status=cast_licence(licence),
        )
        if k in many:
            n, total = many[k]
            cand.cases_in_year, cand.total_in_year = n, total
            if cap is not None and total > cap:
                cand.reasons.append(
                    f"{year}年金钱给付案件{n}件，标的合计{format_amount(total)}，"
                    f"超过注册资本{format_amount(cap)}"
                )
        if cand.licence_status is not None:
            cand.reasons.append(f"营业执照已{cand.licence_status.label}")
        if no_property:
            cand.reasons.append(f"此前有{int(no_property)}件案件因无财产可供执行终结（终本）")
        if cand.reasons:
            candidates.append(cand)
    if not candidates:
        return []
    by_key = {c.key: c for c in candidates}
    evidence = session.execute(
        select(
            key,
            SC.id,
            SC.case_no,
            SC.received_date,
            SC.amount_due,
            SC.status,
            SC.close_reason,
        )
        .join(SC, SC.id == Party.case_id)
        .where(*base, key.in_(list(by_key)))
        .distinct()
        .order_by(SC.received_date, SC.case_no)
    )
    for k, *rest in evidence:
        by_key[k].cases.append(EvidenceCase(*rest))
    candidates.sort(key=lambda c: (-len(c.reasons), -c.cases_in_year, c.name))
    return candidates


def export_screening_xlsx(
    candidates: list[ReferralCandidate], year: int, path: Path, *, force: bool = False
) -> int:
    path = check_output_file(path, force=force)
    wb = Workbook(write_only=True)
    write_sheet(
        wb,
        "执破衔接筛查",
        [
            ("序号", 6),
            ("企业名称", 28),
            ("统一社会信用代码", 22),
            ("注册资本（元）", 16),
            ("当年案件数", 10),
            ("当年标的合计（元）", 18),
            ("符合的条件", 60),
        ],
        [
            [
                i,
                c.name,
                c.id_number or "",
                c.registered_capital,
                c.cases_in_year,
                c.total_in_year,
                c.reason_text,
            ]
            for i, c in enumerate(candidates, start=1)
        ],
        [None, None, None, AMOUNT_FORMAT, "0", AMOUNT_FORMAT, None],
        caption=f"{year}年执破衔接筛查名单",
    )
    write_sheet(
        wb,
        "案件明细",
        [
            ("企业名称", 28),
            ("案号", 24),
            ("收案日期", 12),
            ("标的（元）", 16),
            ("状态", 12),
            ("结案/移送理由", 40),
        ],
        [
            [c.name, e.case_no, e.received_date, e.amount_due, e.status.label, e.close_reason or ""]
            for c in candidates
            for e in c.cases
        ],
        [None, None, DATE_FORMAT, AMOUNT_FORMAT, None, None],
    )
    _save_workbook(wb, path, force=force)
    return len(candidates)


def figure_rows(result: StatsResult) -> list[tuple[str, str, str]]:
    """(label, value as shown, definition) of the totals, for the report and the CLI."""
    return [(f.label, result.total.display(f.key), f.definition) for f in FIGURES]


__all__ = [
    "NO_VALUE",
    "Figures",
    "GroupFigures",
    "StatsResult",
    "bankruptcy_screening",
    "cases_behind",
    "compute_stats",
    "export_honest_list",
    "figure_rows",
    "honest_performers",
]
