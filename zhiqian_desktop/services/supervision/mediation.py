"""委托调解: the list of mediators, entrusting a case for a period, recording the result, and
the counts by mediator. The rules are in domain/mediation.py; every write is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import period_end_days
from zhiqian_desktop.domain.errors import NotFound, UserError, check_version
from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind
from zhiqian_desktop.domain.mediation import (
    MediatorTally,
    check_entrustment,
    check_mediator_name,
    check_result,
    tally,
)
from zhiqian_desktop.domain.stats import Period
from zhiqian_desktop.domain.text import HIDDEN_CHARS
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.store.models import Mediation, Mediator, SupervisionCase

MAX_TEXT = 2000

# --- the list of mediators -------------------------------------------------------------------------


@dataclass(frozen=True)
class MediatorRow:
    id: str
    name: str
    kind: MediatorKind
    organisation: str
    phone: str
    address: str
    active: bool


def _row(m: Mediator) -> MediatorRow:
    return MediatorRow(
        m.id, m.name, m.kind, m.organisation or "", m.phone or "", m.address or "", bool(m.active)
    )


@reads
def mediators(session: Session, *, active_only: bool = False) -> list[MediatorRow]:
    """The court's mediators by name (the inactive ones too unless ``active_only``)."""
    query = select(Mediator).where(Mediator.deleted_at.is_(None)).order_by(Mediator.name)
    if active_only:
        query = query.where(Mediator.active.is_(True))
    return [_row(m) for m in session.scalars(query)]


def _text(value: str | None, what: str, limit: int) -> str | None:
    value = (value or "").strip()
    if HIDDEN_CHARS.search(value) or len(value) > limit:
        raise UserError(f"{what}含有控制字符或过长（不超过{limit}字）；请重新输入")
    return value or None


@writes
def add_mediator(
    session: Session,
    actor: Actor,
    name: str,
    kind: MediatorKind,
    *,
    organisation: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> Mediator:
    """Add a mediator or mediation body to the court's list (the team lead's)."""
    actor.require_lead()
    name = check_mediator_name(name)
    if HIDDEN_CHARS.search(name):
        raise UserError("调解员名称含有控制字符；请重新输入", field="name")
    kind = cast(MediatorKind, MediatorKind.from_label(str(kind)))
    if session.scalar(select(Mediator.id).where(Mediator.name == name)):
        raise UserError(f"调解员“{name}”已在名单中", field="name")
    mediator = Mediator(
        name=name,
        kind=kind,
        organisation=_text(organisation, "所属组织", 100),
        phone=_text(phone, "电话", 32),
        address=_text(address, "地址", 200),
        active=True,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "mediator", mediator)
    return mediator


@writes
def set_mediator_active(session: Session, actor: Actor, mediator_id: str, active: bool) -> None:
    """Take a mediator off the list for new entrustments (or back on); past ones keep him."""
    actor.require_lead()
    mediator = _mediator(session, mediator_id)
    before = audit.snapshot(mediator)
    mediator.active = active
    mediator.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "mediator",
        mediator.id,
        before=before,
        after=audit.snapshot(mediator),
    )


def _mediator(session: Session, mediator_id: str) -> Mediator:
    mediator = session.get(Mediator, mediator_id)
    if mediator is None or mediator.deleted_at is not None:
        raise NotFound("该调解员已不在名单中；请刷新后重新选择")
    return mediator


@reads
def find_mediator(session: Session, name: str) -> MediatorRow:
    found = session.scalars(
        select(Mediator).where(Mediator.name == name.strip(), Mediator.deleted_at.is_(None))
    ).first()
    if found is None:
        raise NotFound(f"调解员名单中没有“{name.strip()}”；请核对名称（zhiqian mediators 可查）")
    return _row(found)


# --- a case's entrustments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MediationRow:
    id: str
    case_id: str
    version: int
    mediator_id: str
    mediator: str
    mediator_kind: MediatorKind
    entrusted_on: date
    period_days: int
    ends_on: date
    matters: str
    result: MediationResult | None
    result_on: date | None
    result_note: str

    @property
    def state(self) -> str:
        return self.result.label if self.result else "调解中"


def _mediation_row(m: Mediation, mediator: Mediator) -> MediationRow:
    return MediationRow(
        id=m.id,
        case_id=m.case_id,
        version=m.version,
        mediator_id=mediator.id,
        mediator=mediator.name,
        mediator_kind=mediator.kind,
        entrusted_on=m.entrusted_on,
        period_days=m.period_days,
        ends_on=m.ends_on,
        matters=m.matters or "",
        result=m.result,
        result_on=m.result_on,
        result_note=m.result_note or "",
    )


@reads
def case_mediations(session: Session, case_id: str) -> list[MediationRow]:
    """A case's entrustments, the latest first."""
    rows = session.execute(
        select(Mediation, Mediator)
        .join(Mediator, Mediator.id == Mediation.mediator_id)
        .where(Mediation.case_id == case_id, Mediation.deleted_at.is_(None))
        .order_by(Mediation.entrusted_on.desc(), Mediation.created_at.desc())
    )
    return [_mediation_row(m, mediator) for m, mediator in rows]


def _pending(session: Session, case_id: str) -> Mediation | None:
    return session.scalars(
        select(Mediation).where(
            Mediation.case_id == case_id,
            Mediation.deleted_at.is_(None),
            Mediation.result.is_(None),
        )
    ).first()


@writes
def entrust_case(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    mediator_id: str,
    entrusted_on: date,
    period_days: int,
    matters: str | None = None,
    today: date,
) -> MediationRow:
    """Entrust a supervised case to a mediator on the list; the period's end (art. 85 reckoning,
    holidays rolled over) goes on the due-list."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    mediator = _mediator(session, mediator_id)
    if not mediator.active:
        raise UserError(f"调解员“{mediator.name}”已停用；请选择名单中在用的调解员")
    check_entrustment(
        case_no=case.case_no,
        status=case.status,
        received_date=case.received_date,
        entrusted_on=entrusted_on,
        period_days=period_days,
        today=today,
        pending=_pending(session, case.id) is not None,
    )
    end = period_end_days(entrusted_on, period_days, load_calendar(session))
    mediation = Mediation(
        case_id=case.id,
        mediator_id=mediator.id,
        entrusted_on=entrusted_on,
        period_days=period_days,
        ends_on=end.end,
        matters=_text(matters, "委托调解事项", MAX_TEXT),
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "mediation", mediation, case_id=case.id)
    return _mediation_row(mediation, mediator)


@writes
def record_mediation_result(
    session: Session,
    actor: Actor,
    mediation_id: str,
    *,
    result: MediationResult,
    result_on: date,
    note: str | None = None,
    expected_version: int | None = None,
    today: date,
) -> MediationRow:
    """Record how an entrustment ended. 调解成功: the agreement is then recorded through the
    settlement flow (登记和解协议); 调解不成 or 撤回委托: the case goes on being supervised."""
    mediation = session.get(Mediation, mediation_id)
    if mediation is None or mediation.deleted_at is not None:
        raise NotFound("该委托调解记录不存在；请刷新后重试")
    case = get_case(session, mediation.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if expected_version is not None:
        check_version(mediation.version, expected_version, f"案件{case.case_no}的委托调解")
    result = cast(MediationResult, MediationResult.from_label(str(result)))
    check_result(
        case_no=case.case_no,
        pending=mediation.result is None,
        entrusted_on=mediation.entrusted_on,
        result_on=result_on,
        today=today,
    )
    before = audit.snapshot(mediation)
    mediation.result = result
    mediation.result_on = result_on
    mediation.result_note = _text(note, "调解结果说明", MAX_TEXT)
    mediation.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "mediation",
        mediation.id,
        case_id=case.id,
        before=before,
        after=audit.snapshot(mediation),
    )
    return _mediation_row(mediation, _mediator(session, mediation.mediator_id))


@reads
def pending_mediation(session: Session, case_id: str) -> MediationRow | None:
    found = _pending(session, case_id)
    if found is None:
        return None
    return _mediation_row(found, _mediator(session, found.mediator_id))


# --- statistics --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediationStats:
    period: Period
    by_mediator: list[MediatorTally]
    total: MediatorTally


@reads
def mediation_stats(session: Session, period: Period) -> MediationStats:
    """Entrustments made in the period, by mediator, with their results as they stand."""
    rows = session.execute(
        select(Mediator.name, Mediation.result)
        .join(Mediator, Mediator.id == Mediation.mediator_id)
        .join(SupervisionCase, SupervisionCase.id == Mediation.case_id)
        .where(
            Mediation.deleted_at.is_(None),
            SupervisionCase.deleted_at.is_(None),
            Mediation.entrusted_on >= period.start,
            Mediation.entrusted_on <= period.end,
        )
    ).all()
    by_name: dict[str, list[MediationResult | None]] = {}
    for name, result in rows:
        by_name.setdefault(name, []).append(result)
    tallies = [tally(name, results) for name, results in sorted(by_name.items())]
    tallies.sort(key=lambda t: (-t.entrusted, t.mediator))
    return MediationStats(period, tallies, tally("合计", [r for _, r in rows]))
