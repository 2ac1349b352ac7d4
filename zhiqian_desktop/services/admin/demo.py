"""Realistic demo data: a team of handlers, tribunals and a few hundred cases with their records.

Everything is drawn from one seeded random generator before anything is written, so the same seed
gives the same cases (apart from ids and, when other data exists, the team's case numbers). Cases
are registered through the docket service in small transactions, so several demo runs writing to
one database at the same time still receive unique, gap-free case numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import HolidayCalendar
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind, Role
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.demo_messages import demo_outbox
from zhiqian_desktop.services.admin.demo_people import (
    DEMO_CAUSE_HANDLERS,
    HANDLERS,
    LEAD,
    MEDIATORS,
    TRIBUNAL_AREAS,
    TRIBUNALS,
)
from zhiqian_desktop.services.admin.demo_plan import CasePlan, plan_cases
from zhiqian_desktop.services.admin.demo_preservation import preserve
from zhiqian_desktop.services.admin.demo_records import CaseWriter
from zhiqian_desktop.services.admin.demo_suggestions import add_demo_suggestions
from zhiqian_desktop.services.core import audit, staff
from zhiqian_desktop.services.core.actor import SYSTEM, Actor
from zhiqian_desktop.services.core.auth import logins_enforced
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake import assignment, docket
from zhiqian_desktop.services.supervision import mediation
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import (
    AuditEvent,
    ContactLog,
    Mediator,
    Payment,
    Preservation,
    Settlement,
    SupervisionCase,
    Tribunal,
    User,
)

BATCH = 25
"""Cases per transaction: short enough that a concurrent writer waits well under busy_timeout."""


# --- the report ------------------------------------------------------------------------------


@dataclass
class DemoReport:
    cases: int = 0
    case_numbers: list[str] = field(default_factory=list)
    by_status: Counter[CaseStatus] = field(default_factory=Counter)
    users_created: int = 0
    tribunals_created: int = 0
    contact_logs: int = 0
    payments: int = 0
    settlements: int = 0
    installments: int = 0
    preservations: int = 0
    mediations: int = 0
    suggestions: int = 0
    messages: int = 0
    preservation_rulings: int = 0

    @property
    def first_case_no(self) -> str | None:
        return self.case_numbers[0] if self.case_numbers else None

    @property
    def last_case_no(self) -> str | None:
        return self.case_numbers[-1] if self.case_numbers else None


# --- the use case ----------------------------------------------------------------------------


def _team(session: Session, report: DemoReport) -> tuple[User, list[User], list[Tribunal]]:
    """The demo team and tribunals, created once and reused by later runs."""

    def user(username: str, name: str, phone: str, role: Role) -> User:
        found = session.scalars(select(User).where(User.username == username)).first()
        if found is not None:
            return found
        report.users_created += 1
        return create_user(
            session, SYSTEM, username=username, display_name=name, role=role, phone=phone
        )

    lead = user(*LEAD, Role.LEAD)
    handlers = [user(u, n, p, Role.HANDLER) for u, n, p in HANDLERS]
    tribunals = []
    for name, address, handler in TRIBUNALS:
        found = session.scalars(select(Tribunal).where(Tribunal.name == name)).first()
        if found is None:
            found = staff.add_tribunal(session, SYSTEM, name, address)
            report.tribunals_created += 1
            assignment.set_tribunal_area(session, SYSTEM, found.id, TRIBUNAL_AREAS[name])
            if handlers[handler].tribunal_id is None:
                assignment.set_handler_tribunal(session, SYSTEM, handlers[handler].id, found.id)
        tribunals.append(found)
    settings = get_settings(session)
    if not settings.assignment_causes:
        # The rule by cause, ready to choose in 设置 → 分案 (the demo keeps the balanced rule).
        causes = {cause: [handlers[i].id] for cause, i in DEMO_CAUSE_HANDLERS}
        assignment.set_assignment_rule(
            session,
            SYSTEM,
            settings.assignment_rule,
            expected_version=settings.version,
            causes=causes,
        )
    for name, kind, organisation, phone in MEDIATORS:
        if session.scalars(select(Mediator).where(Mediator.name == name)).first() is None:
            mediation.add_mediator(
                session,
                SYSTEM,
                name,
                cast(MediatorKind, MediatorKind.from_label(kind)),
                organisation=organisation,
                phone=phone,
            )
    return lead, handlers, tribunals


def _mediate(
    session: Session, actor: Actor, case: SupervisionCase, plan: CasePlan, today: date
) -> bool:
    """Every other case being supervised or settled was entrusted to a mediator a few days after
    receipt: a settled one with success; a supervised one failed, or (every fourth) still with
    the mediator since last week, its period's end on the due-list and its letter ready to
    print (a letter is refused once the period has run out)."""
    settled = plan.status is CaseStatus.SETTLED
    if plan.status is CaseStatus.SUPERVISING:
        if plan.index % 2:
            return False
    elif not settled or plan.index % 2 == 0:
        return False
    on = min(plan.received + timedelta(days=2), today)
    pending = not settled and plan.index % 4 == 0
    if pending:
        on = min(max(on, today - timedelta(days=5)), today)
    names = [m[0] for m in MEDIATORS]
    mediator = session.scalars(
        select(Mediator).where(Mediator.name == names[plan.index % len(names)])
    ).one()
    row = mediation.entrust_case(
        session, actor, case.id, mediator_id=mediator.id, entrusted_on=on, period_days=30,
        matters="履行期限、方式及分期安排", today=today,
    )  # fmt: skip
    if not pending:
        result_on = min(on + timedelta(days=12), today)
        mediation.record_mediation_result(
            session,
            actor,
            row.id,
            result=MediationResult.SETTLED if settled else MediationResult.FAILED,
            result_on=result_on,
            note="双方达成和解协议" if settled else "被申请人不同意调解",
            today=today,
        )
    return True


def _refuse_real_database(session: Session) -> None:
    if logins_enforced(session):
        raise UserError(
            "此数据库已启用登录（管理员已设置密码），像是正在使用的数据库，未添加演示数据；"
            "演示请用新的数据库（zhiqian --db 演示.db init …），确需添加请加 --force"
        )
    demo_lead = LEAD[0]
    real = session.scalar(
        select(SupervisionCase.case_no)
        .where(
            ~select(AuditEvent.seq)
            .where(
                AuditEvent.entity_id == SupervisionCase.id,
                AuditEvent.action == "create",
                AuditEvent.actor == demo_lead,
            )
            .exists()
        )
        .limit(1)
    )
    if real is not None:
        raise UserError(
            f"此数据库已有不是演示生成的案件（如{real}），未添加演示数据；"
            "演示请用新的数据库（zhiqian --db 演示.db init …），确需添加请加 --force"
        )


def _free_original_no(session: Session, plan: CasePlan, court_code: str) -> str:
    court = court_code[:3] if plan.original_kind == "民终" and len(court_code) > 3 else court_code
    seq = plan.original_seq
    while True:
        number = f"（{plan.original_year}）{court}{plan.original_kind}{seq}号"
        taken = session.scalar(
            select(SupervisionCase.id).where(SupervisionCase.original_case_no == number).limit(1)
        )
        if taken is None:
            return number
        seq += 1


def generate_demo(
    db: Database,
    *,
    cases: int = 300,
    seed: int = 1,
    today: date,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> DemoReport:
    """Add `cases` realistic cases (with users, tribunals and records) to an initialised database.

    A database in real use is refused unless ``force``: one whose logins are enforced, or one
    holding cases the demo did not make. The demo's users never get a password, so where logins
    are enforced none of them can log in until an administrator sets one."""
    if cases < 0:
        raise UserError(f"演示案件数“{cases}”不正确；应为不小于0的整数")
    report = DemoReport()
    with db.unit_of_work() as session:
        if not force:
            _refuse_real_database(session)
        settings = get_settings(session)
        court_code = settings.court_code
        limit_days = settings.supervision_limit_days
        cal = load_calendar(session)
        lead, handlers, tribunals = _team(session, report)
        lead_actor: Actor = actor_for(lead)
        handler_actor: Actor = actor_for(handlers[0])
        handler_ids = [h.id for h in handlers]
        lead_id = lead.id
        tribunal_ids = [t.id for t in tribunals]
    plans = plan_cases(seed, cases, today, cal, court_code)
    for start in range(0, len(plans), BATCH):
        batch: Sequence[CasePlan] = plans[start : start + BATCH]
        with db.unit_of_work() as session:
            by_id = {
                u.id: u
                for u in session.scalars(select(User).where(User.id.in_([*handler_ids, lead_id])))
            }
            numbers = []
            for plan in batch:
                plan.data.original_case_no = _free_original_no(session, plan, court_code)
                plan.data.handler_id = handler_ids[plan.handler]
                # Every other newly received case waits for 分案 (the lead may have called first).
                unassigned = plan.status is CaseStatus.REGISTERED and plan.index % 2 == 0
                if unassigned:
                    plan.data.handler_id = None
                plan.data.tribunal_id = (
                    tribunal_ids[plan.tribunal] if plan.tribunal is not None else None
                )
                case = docket.register_case(session, lead_actor, plan.data, today=today)
                _write_records(
                    session,
                    case,
                    plan,
                    by_id[lead_id if unassigned else handler_ids[plan.handler]],
                    today,
                    cal,
                    limit_days,
                    report,
                    lead_actor,
                )
                numbers.append(case.case_no)
        report.case_numbers.extend(numbers)
        if progress is not None:
            progress(min(start + BATCH, len(plans)), len(plans))
    report.cases = len(report.case_numbers)
    with db.unit_of_work() as session:
        report.suggestions = add_demo_suggestions(
            session, lead_actor, handler_actor, report.case_numbers, today
        )
    report.messages = demo_outbox(db, lead_actor, today)
    return report


def _write_records(
    session: Session,
    case: SupervisionCase,
    plan: CasePlan,
    handler: User,
    today: date,
    cal: HolidayCalendar,
    limit_days: int,
    report: DemoReport,
    lead: Actor,
) -> None:
    writer = CaseWriter(session, case, plan, handler, today, cal)
    writer.write()
    for _, record in writer.records:
        session.add(record)
    session.flush()
    for entity, record in writer.records:
        after = audit.snapshot(record)
        if isinstance(record, Settlement):
            after["installments"] = [audit.snapshot(i) for i in record.installments]
        audit.record_event(
            session, writer.actor, "create", entity, after["id"], case_id=case.id, after=after
        )
        if isinstance(record, ContactLog):
            report.contact_logs += 1
        elif isinstance(record, Payment):
            report.payments += 1
        elif isinstance(record, Settlement):
            report.settlements += 1
            report.installments += len(record.installments)
        elif isinstance(record, Preservation):
            report.preservations += 1
    if _mediate(session, writer.actor, case, plan, today):
        report.mediations += 1
    paid = sum((r.amount for _, r in writer.records if isinstance(r, Payment)), Decimal("0.00"))
    measures = preserve(session, writer.actor, lead, case, plan, paid, today, cal)
    if measures:
        report.preservation_rulings += 1
        report.preservations += measures
    before = _snapshot(case)
    case.status = plan.status
    case.updated_by = handler.username
    with session.no_autoflush:
        docket.refresh_derived(session, case, limit_days=limit_days)
    session.flush()
    after = _snapshot(case)
    if after != before:
        audit.record_event(
            session,
            writer.actor,
            "update",
            "case",
            case.id,
            case_id=case.id,
            before=before,
            after=after,
        )
    report.by_status[plan.status] += 1


def _snapshot(case: SupervisionCase) -> dict[str, Any]:
    snap = audit.snapshot(case)
    snap.pop("version", None)
    return snap
