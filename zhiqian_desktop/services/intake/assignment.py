"""分案: the court's rule (设置 → 分案), the proposal for the open cases without a handler with
each handler's workload, assigning them in one action, and assigning or changing single cases.

The rules themselves are in domain/assignment.py; this module reads the cases, the handlers and
the tribunals' areas, and writes the handlers (each change audited). Assignment is the team
lead's (or the administrator's).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.assignment import (
    Area,
    CaseToAssign,
    HandlerLoad,
    Proposal,
    propose,
    split_townships,
    township_clash,
)
from zhiqian_desktop.domain.errors import UserError, check_version
from zhiqian_desktop.domain.kinds import AssignmentRule, PartyRole, Role
from zhiqian_desktop.domain.text import HIDDEN_CHARS
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseAction, check_action
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.settings import get_settings, write_settings
from zhiqian_desktop.services.core.staff import Choice, handler_choices
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import get_case
from zhiqian_desktop.store.models import Party, SupervisionCase, Tribunal, User

MAX_CAUSE = 64


# --- the rule (设置 → 分案) ----------------------------------------------------------------------


@dataclass(frozen=True)
class TribunalArea:
    id: str
    name: str
    townships: str


@dataclass(frozen=True)
class HandlerArea:
    id: str
    name: str
    tribunal_id: str | None


@dataclass(frozen=True)
class AssignmentSetup:
    """What 设置 → 分案 shows: the rule, the causes' handlers, the areas, the handlers' tribunals."""

    rule: AssignmentRule
    settings_version: int
    causes: dict[str, list[str]]
    tribunals: list[TribunalArea]
    handlers: list[HandlerArea]


def _causes(text: str | None) -> dict[str, list[str]]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): [str(i) for i in v] for k, v in value.items() if isinstance(v, list) and str(k)}


def _live_tribunals(session: Session) -> list[Tribunal]:
    return list(
        session.scalars(
            select(Tribunal).where(Tribunal.deleted_at.is_(None)).order_by(Tribunal.name)
        )
    )


def _case_holders(session: Session) -> list[User]:
    """Active handlers (承办人), by name (the order a tie is broken in). The rule proposes cases
    to them only: a lead or administrator may hold a case, but is given one by hand."""
    ids = [c.id for c in handler_choices(session)]
    users = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_(ids), User.role == Role.HANDLER))
    }
    return [users[i] for i in ids if i in users]


@reads
def assignment_setup(session: Session) -> AssignmentSetup:
    settings = get_settings(session)
    return AssignmentSetup(
        rule=settings.assignment_rule,
        settings_version=settings.version,
        causes=_causes(settings.assignment_causes),
        tribunals=[TribunalArea(t.id, t.name, t.townships or "") for t in _live_tribunals(session)],
        handlers=[HandlerArea(u.id, u.display_name, u.tribunal_id) for u in _case_holders(session)],
    )


def _clean_causes(session: Session, causes: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    holders = {u.id: u.display_name for u in _case_holders(session)}
    clean: dict[str, list[str]] = {}
    for raw, ids in causes.items():
        cause = raw.strip()
        if not cause:
            raise UserError("分案规则中有一行案由为空；请填写案由或删去这一行")
        if len(cause) > MAX_CAUSE or HIDDEN_CHARS.search(cause):
            raise UserError(f"案由“{cause[:20]}”过长或含有控制字符；请重新输入")
        if cause in clean:
            raise UserError(f"案由“{cause}”写了两次；请合并为一行")
        unknown = [i for i in ids if i not in holders]
        if unknown:
            raise UserError(f"案由“{cause}”指定的人员已停用或不是承办人；请重新选择")
        if not ids:
            raise UserError(f"案由“{cause}”未选择承办人；请选择至少一名承办人或删去这一行")
        clean[cause] = list(dict.fromkeys(ids))
    return clean


@writes
def set_assignment_rule(
    session: Session,
    actor: Actor,
    rule: AssignmentRule,
    *,
    expected_version: int,
    causes: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Choose the rule new cases are proposed by (and, for the rule by cause, each cause's
    handlers); a stale form is refused."""
    actor.require_lead()
    settings = get_settings(session)
    check_version(settings.version, expected_version, "分案规则")
    clean = _clean_causes(session, causes) if causes is not None else None
    if rule is AssignmentRule.CAUSE and not (
        clean if clean is not None else _causes(settings.assignment_causes)
    ):
        raise UserError("按案由分案时，请至少为一个案由指定承办人")
    if rule is AssignmentRule.AREA and not any(t.townships for t in _live_tribunals(session)):
        raise UserError("按法庭辖区分案前，请先为至少一个法庭填写辖区乡镇")
    values: dict[str, object] = {"assignment_rule": rule}
    if clean is not None:
        values["assignment_causes"] = json.dumps(clean, ensure_ascii=False, sort_keys=True)
    write_settings(session, actor, settings, values)


@writes
def set_tribunal_area(session: Session, actor: Actor, tribunal_id: str, townships: str) -> None:
    """Write the townships of a tribunal's area; one township belongs to one tribunal only."""
    actor.require_lead()
    tribunal = session.get(Tribunal, tribunal_id)
    if tribunal is None or tribunal.deleted_at is not None:
        raise UserError("该法庭已被删除；请刷新后重试")
    if HIDDEN_CHARS.search(townships):
        raise UserError(f"{tribunal.name}的辖区乡镇含有控制字符；请重新输入")
    towns = split_townships(townships)
    if any(len(t) > 32 for t in towns):
        raise UserError(f"{tribunal.name}的辖区中有过长的乡镇名称；乡镇之间请用顿号“、”分隔")
    areas = [
        Area(t.id, t.name, towns if t.id == tribunal.id else split_townships(t.townships))
        for t in _live_tribunals(session)
    ]
    clash = township_clash(areas)
    if clash:
        raise UserError(clash)
    before = audit.snapshot(tribunal)
    tribunal.townships = "、".join(towns) or None
    tribunal.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "tribunal",
        tribunal.id,
        before=before,
        after=audit.snapshot(tribunal),
    )


@writes
def set_handler_tribunal(
    session: Session, actor: Actor, user_id: str, tribunal_id: str | None
) -> None:
    """Name the tribunal whose area a handler works (None: no area)."""
    actor.require_lead()
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None or user.role is not Role.HANDLER:
        raise UserError("该用户已被删除或不是承办人；请刷新后重试")
    if tribunal_id is not None:
        tribunal = session.get(Tribunal, tribunal_id)
        if tribunal is None or tribunal.deleted_at is not None:
            raise UserError("该法庭已被删除；请刷新后重试")
    before = audit.snapshot(user)
    user.tribunal_id = tribunal_id
    user.updated_by = actor.username
    session.flush()
    audit.record_event(
        session, actor, "update", "user", user.id, before=before, after=audit.snapshot(user)
    )


# --- the proposal and each handler's workload ------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    handler_id: str
    name: str
    tribunal_name: str
    open_cases: int
    livelihood_cases: int
    proposed: int


@dataclass(frozen=True)
class ProposalRow:
    case_id: str
    case_no: str
    obligor_names: str
    cause: str
    livelihood: bool
    received_date: date
    handler_id: str | None
    handler_name: str
    tribunal_name: str
    reason: str | None


@dataclass(frozen=True)
class AssignmentOverview:
    """The lead's assignment view: the rule, each handler's workload with what the proposal adds,
    and a handler (or the reason there is none) for every open case without one."""

    rule: AssignmentRule
    workloads: list[Workload]
    proposals: list[ProposalRow]
    handlers: list[Choice]

    @property
    def expected(self) -> dict[str, str | None]:
        """case id → proposed handler, as shown: assigning refuses a proposal that has changed."""
        return {p.case_id: p.handler_id for p in self.proposals}


def _unassigned(session: Session) -> list[CaseToAssign]:
    rows = session.execute(
        select(
            SupervisionCase.id,
            SupervisionCase.case_no,
            SupervisionCase.case_year,
            SupervisionCase.case_seq,
            SupervisionCase.cause,
            SupervisionCase.livelihood,
            SupervisionCase.received_date,
            SupervisionCase.tribunal_id,
        ).where(
            SupervisionCase.handler_id.is_(None),
            SupervisionCase.deleted_at.is_(None),
            SupervisionCase.status.in_(sorted(OPEN_STATUSES)),
        )
    ).all()
    addresses: dict[str, list[str]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        found = session.execute(
            select(Party.case_id, Party.address)
            .where(
                Party.case_id.in_(ids[start : start + 500]),
                Party.role == PartyRole.OBLIGOR,
                Party.deleted_at.is_(None),
                Party.address.is_not(None),
            )
            .order_by(Party.case_id, Party.position)
        )
        for case_id, address in found:
            addresses.setdefault(case_id, []).append(address)
    return [
        CaseToAssign(
            case_id=r.id,
            case_no=r.case_no,
            order=(r.case_year, r.case_seq),
            cause=r.cause,
            livelihood=bool(r.livelihood),
            received_date=r.received_date,
            tribunal_id=r.tribunal_id,
            obligor_addresses=tuple(addresses.get(r.id, ())),
        )
        for r in rows
    ]


def _open_loads(session: Session) -> dict[str | None, tuple[int, int]]:
    rows = session.execute(
        select(
            SupervisionCase.handler_id,
            func.count().label("cases"),
            func.count().filter(SupervisionCase.livelihood.is_(True)).label("livelihood"),
        )
        .where(
            SupervisionCase.deleted_at.is_(None),
            SupervisionCase.status.in_(sorted(OPEN_STATUSES)),
        )
        .group_by(SupervisionCase.handler_id)
    )
    return {r.handler_id: (int(r.cases), int(r.livelihood)) for r in rows}


def _last_handler(session: Session) -> str | None:
    """Who holds the latest case that has a handler (round-robin carries on after him)."""
    return session.scalar(
        select(SupervisionCase.handler_id)
        .where(SupervisionCase.handler_id.is_not(None), SupervisionCase.deleted_at.is_(None))
        .order_by(
            SupervisionCase.received_date.desc(),
            SupervisionCase.case_year.desc(),
            SupervisionCase.case_seq.desc(),
        )
        .limit(1)
    )


def _propose(session: Session) -> tuple[AssignmentOverview, list[Proposal]]:
    settings = get_settings(session)
    holders = _case_holders(session)
    tribunals = _live_tribunals(session)
    loads = _open_loads(session)
    proposals = propose(
        _unassigned(session),
        [
            HandlerLoad(u.id, u.display_name, u.tribunal_id, loads.get(u.id, (0, 0))[0])
            for u in holders
        ],
        settings.assignment_rule,
        areas=[Area(t.id, t.name, split_townships(t.townships)) for t in tribunals],
        causes=_causes(settings.assignment_causes),
        last_handler_id=_last_handler(session),
    )
    tribunal_names = {t.id: t.name for t in tribunals}
    names = {u.id: u.display_name for u in holders}
    cases = {
        c.id: c
        for c in session.execute(
            select(
                SupervisionCase.id,
                SupervisionCase.obligor_names,
                SupervisionCase.cause,
                SupervisionCase.livelihood,
                SupervisionCase.received_date,
            ).where(SupervisionCase.id.in_([p.case_id for p in proposals] or [""]))
        )
    }
    rows = [
        ProposalRow(
            case_id=p.case_id,
            case_no=p.case_no,
            obligor_names=cases[p.case_id].obligor_names,
            cause=cases[p.case_id].cause,
            livelihood=bool(cases[p.case_id].livelihood),
            received_date=cases[p.case_id].received_date,
            handler_id=p.handler_id,
            handler_name=names.get(p.handler_id or "", ""),
            tribunal_name=tribunal_names.get(p.tribunal_id or "", ""),
            reason=p.reason,
        )
        for p in proposals
    ]
    workloads = [
        Workload(
            handler_id=u.id,
            name=u.display_name,
            tribunal_name=tribunal_names.get(u.tribunal_id or "", ""),
            open_cases=loads.get(u.id, (0, 0))[0],
            livelihood_cases=loads.get(u.id, (0, 0))[1],
            proposed=sum(1 for p in proposals if p.handler_id == u.id),
        )
        for u in holders
    ]
    choices = handler_choices(session)
    return AssignmentOverview(settings.assignment_rule, workloads, rows, choices), proposals


@reads
def assignment_overview(session: Session) -> AssignmentOverview:
    return _propose(session)[0]


# --- assigning --------------------------------------------------------------------------------------


def _assign(
    session: Session,
    actor: Actor,
    case: SupervisionCase,
    handler_id: str | None,
    tribunal_id: str | None = None,
) -> None:
    before = audit.snapshot(case)
    case.handler_id = handler_id
    if tribunal_id is not None and case.tribunal_id is None:
        case.tribunal_id = tribunal_id
    case.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "assign",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=audit.snapshot(case),
    )


@dataclass(frozen=True)
class AssignmentResult:
    assigned: list[ProposalRow]
    left: list[ProposalRow]


@writes
def assign_proposed(
    session: Session, actor: Actor, *, expected: Mapping[str, str | None] | None = None
) -> AssignmentResult:
    """Assign every open case without a handler as the court's rule proposes (one transaction).

    ``expected`` is the proposal the lead was shown (``AssignmentOverview.expected``): if a case
    was registered or assigned since, the proposal differs and nothing is written."""
    actor.require_lead()
    overview, proposals = _propose(session)
    if expected is not None and dict(expected) != overview.expected:
        raise UserError("分案建议已变化（其间有案件登记或分案）；请刷新后查看新的建议再分案")
    for p in proposals:
        if p.handler_id is not None:
            _assign(session, actor, get_case(session, p.case_id), p.handler_id, p.tribunal_id)
    return AssignmentResult(
        assigned=[r for r in overview.proposals if r.handler_id],
        left=[r for r in overview.proposals if not r.handler_id],
    )


@writes
def assign_case(
    session: Session,
    actor: Actor,
    case_id: str,
    handler_id: str | None,
    *,
    expected_version: int | None = None,
) -> SupervisionCase:
    """Assign one open case to a handler, change its handler, or take it back (None)."""
    actor.require_lead()
    case = get_case(session, case_id)
    check_action(case.status, CaseAction.EDIT, case.case_no)
    if expected_version is not None:
        check_version(case.version, expected_version, f"案件{case.case_no}")
    if handler_id is not None and handler_id not in {c.id for c in handler_choices(session)}:
        raise UserError("所选承办人已停用或不能承办案件；请重新选择")
    if handler_id != case.handler_id:
        _assign(session, actor, case, handler_id)
    return case
