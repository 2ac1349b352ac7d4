"""Demo data: pre-enforcement preservation (执行前保全) through the same use cases a clerk uses —
an application, the lead's ruling (……号之一), a measure or two with their holders, a release."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import HolidayCalendar
from zhiqian_desktop.domain.kinds import (
    PartyRole,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
)
from zhiqian_desktop.domain.preservation import release_deadline, release_due
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.demo_people import BANKS, COMMUNITIES
from zhiqian_desktop.services.admin.demo_plan import CasePlan
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.supervision import preservation, release_documents
from zhiqian_desktop.store.models import SupervisionCase

REGISTRY = "土默特右旗不动产登记中心"


def preserve(
    session: Session,
    handler: Actor,
    lead: Actor,
    case: SupervisionCase,
    plan: CasePlan,
    paid: Decimal,
    today: date,
    cal: HolidayCalendar,
) -> int:
    """Every third failed case (its applicant has applied for enforcement) and every third
        supervised or settled case still inside the art. 163 window had its obligor's property
        preserved the day after the application; a settled case's measures were released ten days
        later, and every fourth of the others when the obligor offered other security (every eighth
    by a release ruling printed with its notices). Returns the
        number of measures taken (0: no pre-enforcement preservation in the case)."""
    outstanding = case.amount_due - paid
    effective = case.effective_date
    if effective is None or outstanding <= 0 or plan.index % 3 != 1:
        return 0
    if plan.status not in (CaseStatus.SUPERVISING, CaseStatus.SETTLED, CaseStatus.FAILED):
        return 0
    applied = max(plan.received, effective, case.application_received_on or effective)
    ruled = applied + timedelta(days=1)
    if ruled > today:
        return 0
    deadline = release_deadline(case.performance_deadline, effective, cal).end
    if ruled > deadline and release_due(case.application_received_on, deadline, ruled):
        return 0  # the five days of art. 163 have passed: the court could not rule now
    applicant = next(p for p in case.parties if p.role is PartyRole.APPLICANT)
    obligor = next(p for p in case.parties if p.role is PartyRole.OBLIGOR)
    amount = outstanding.quantize(Decimal("0.01"))
    bank = BANKS[plan.index % len(BANKS)]
    row = preservation.apply_preservation(
        session, handler, case.id, applicant_id=applicant.id, applied_on=applied, amount=amount,
        clues=f"被申请人{obligor.name}在{bank}开立的账户；名下房产一套",
        reason="被申请人近期频繁转出账户资金，并托人出售名下房产", today=today,
    )  # fmt: skip
    row = preservation.rule_preservation(
        session, lead, case.id, ruled_on=ruled, amount=None, judge="王建国", today=today
    )
    preservation.add_measure(
        session, handler, row.id, kind=PreservationKind.BANK_DEPOSIT,
        measure=PreservationMeasure.FREEZE,
        description=f"{bank}账户（尾号{1000 + plan.index % 9000}）内存款", holder=bank,
        taken_on=ruled, amount=amount, today=today,
    )  # fmt: skip
    measures = 1
    if plan.index % 2:
        measures = 2
        community = COMMUNITIES[plan.index % len(COMMUNITIES)]
        preservation.add_measure(
            session, handler, row.id, kind=PreservationKind.REAL_PROPERTY,
            measure=PreservationMeasure.SEAL,
            description=f"土默特右旗萨拉齐镇{community}{plan.index % 28 + 1}号楼房产一套",
            holder=REGISTRY, taken_on=ruled, today=today,
        )  # fmt: skip
    if plan.status is CaseStatus.SETTLED or plan.index % 4 == 3:
        settled = plan.status is CaseStatus.SETTLED
        row = preservation.release_measures(
            session, handler, row.id, released_on=min(ruled + timedelta(days=10), today),
            reason=ReleaseReason.SETTLED if settled else ReleaseReason.SECURITY,
            note="双方达成和解协议，申请人申请解除保全" if settled
            else "被申请人提供等值的担保财产（民事诉讼法第一百零七条）",
            today=today,
        )  # fmt: skip
        if plan.index % 8 == 7:
            # Some of these releases made by ruling, with the notices to the bank and registry.
            release_documents.issue_release(session, lead, row.measures[0].id, today=today)
    return measures
