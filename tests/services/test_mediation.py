"""委托调解 at the service level: the list of mediators, entrusting with the period's end reckoned
over holidays, results, statistics by mediator, permissions, audit, and bad input writing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind, Role
from zhiqian_desktop.domain.stats import Period
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.users import actor_for, create_user
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.supervision import mediation
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Mediation, Mediator, SupervisionCase

ON = date(2026, 9, 20)
"""Entrusted on a Sunday: 30 days end on 2026-10-20, outside the National Day holiday."""


def _register(db: Database, admin: Actor, n: int) -> str:
    data = make_case_input(
        n,
        received=date(2026, 9, 1),
        effective_date=date(2026, 8, 10),
        performance_deadline=date(2026, 8, 25),
    )
    with db.unit_of_work() as s:
        return register_case(s, admin, data, today=TODAY).id


@pytest.fixture
def case_id(db: Database, admin: Actor) -> str:
    return _register(db, admin, 1)


def _mediator(db: Database, admin: Actor, name: str = "土右旗人民调解委员会") -> str:
    return mediation.add_mediator(db, admin, name, MediatorKind.COMMITTEE, phone="0472-8812345").id


def _count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_list_of_mediators(db: Database, admin: Actor) -> None:
    first = _mediator(db, admin)
    mediation.add_mediator(
        db, admin, " 张律师 ", MediatorKind.LAWYER, organisation="蒙正律师事务所"
    )
    rows = mediation.mediators(db)
    assert [(m.name, m.kind.label, m.organisation) for m in rows] == [
        ("土右旗人民调解委员会", "人民调解委员会", ""),
        ("张律师", "律师调解", "蒙正律师事务所"),
    ]
    mediation.set_mediator_active(db, admin, first, False)
    assert [m.name for m in mediation.mediators(db, active_only=True)] == ["张律师"]
    assert mediation.find_mediator(db, "张律师").kind is MediatorKind.LAWYER
    with pytest.raises(UserError, match="没有“李某”"):
        mediation.find_mediator(db, "李某")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "名称不能为空"),
        ("   ", "名称不能为空"),
        ("调" * 101, "过长"),
        ("土右旗人民调解委员会", "已在名单中"),
    ],
)
def test_a_bad_mediator_is_refused_and_nothing_written(
    db: Database, admin: Actor, name: str, message: str
) -> None:
    _mediator(db, admin)
    events = _count(db, AuditEvent)
    with pytest.raises(UserError, match=message):
        mediation.add_mediator(db, admin, name, MediatorKind.INVITED)
    assert _count(db, Mediator) == 1 and _count(db, AuditEvent) == events


def test_entrusting_reckons_the_end_and_records_the_result(
    db: Database, admin: Actor, case_id: str
) -> None:
    mid = _mediator(db, admin)
    row = mediation.entrust_case(
        db, admin, case_id, mediator_id=mid, entrusted_on=ON, period_days=30,
        matters="给付借款12345.67元", today=TODAY,
    )  # fmt: skip
    assert (row.mediator, row.ends_on, row.state) == (
        "土右旗人民调解委员会",
        date(2026, 10, 20),
        "调解中",
    )
    # A period ending inside the National Day holiday rolls to the first working day.
    with db.unit_of_work() as s:
        s.get(Mediation, row.id).deleted_at = s.get(Mediation, row.id).created_at  # type: ignore[union-attr]
    rolled = mediation.entrust_case(
        db, admin, case_id, mediator_id=mid, entrusted_on=date(2026, 9, 10), period_days=21,
        today=TODAY,
    )  # fmt: skip
    assert rolled.ends_on == date(2026, 10, 8)
    assert mediation.pending_mediation(db, case_id) == rolled
    with pytest.raises(UserError, match="已有未结束的委托调解"):
        mediation.entrust_case(
            db, admin, case_id, mediator_id=mid, entrusted_on=ON, period_days=30, today=TODAY
        )
    done = mediation.record_mediation_result(
        db, admin, rolled.id, result=MediationResult.FAILED, result_on=date(2026, 10, 9),
        note="被申请人拒绝调解", today=TODAY,
    )  # fmt: skip
    assert (done.state, done.result_note) == ("调解不成", "被申请人拒绝调解")
    assert mediation.pending_mediation(db, case_id) is None
    with db.reader() as s:
        assert s.get(SupervisionCase, case_id).status is CaseStatus.REGISTERED  # type: ignore[union-attr]
        kinds = [
            (e.action, e.entity)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id))
        ]
    assert ("create", "mediation") in kinds and ("update", "mediation") in kinds
    with pytest.raises(UserError, match="已登记结果"):
        mediation.record_mediation_result(
            db, admin, rolled.id, result=MediationResult.SETTLED, result_on=TODAY, today=TODAY
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_days": 0}, "应为1至90日"),
        ({"entrusted_on": date(2026, 8, 31)}, "早于收案日期"),
        ({"entrusted_on": date(2026, 11, 26)}, "晚于今天"),
        ({"matters": "\x00"}, "控制字符"),
    ],
)
def test_a_bad_entrustment_writes_nothing(
    db: Database, admin: Actor, case_id: str, changes: dict[str, object], message: str
) -> None:
    mid = _mediator(db, admin)
    events = _count(db, AuditEvent)
    args: dict[str, object] = {"mediator_id": mid, "entrusted_on": ON, "period_days": 30}
    args.update(changes)
    with pytest.raises(UserError, match=message):
        mediation.entrust_case(db, admin, case_id, today=TODAY, **args)  # type: ignore[arg-type]
    assert _count(db, Mediation) == 0 and _count(db, AuditEvent) == events


def test_an_inactive_mediator_and_a_closed_case_are_refused(
    db: Database, admin: Actor, case_id: str
) -> None:
    mid = _mediator(db, admin)
    mediation.set_mediator_active(db, admin, mid, False)
    with pytest.raises(UserError, match="已停用"):
        mediation.entrust_case(
            db, admin, case_id, mediator_id=mid, entrusted_on=ON, period_days=30, today=TODAY
        )
    mediation.set_mediator_active(db, admin, mid, True)
    with db.unit_of_work() as s:
        s.get(SupervisionCase, case_id).status = CaseStatus.WITHDRAWN  # type: ignore[union-attr]
    with pytest.raises(UserError, match="不能委托调解"):
        mediation.entrust_case(
            db, admin, case_id, mediator_id=mid, entrusted_on=ON, period_days=30, today=TODAY
        )


def test_permissions(db: Database, admin: Actor, case_id: str) -> None:
    mid = _mediator(db, admin)
    with db.unit_of_work() as s:
        handler = actor_for(
            create_user(s, admin, username="jia", display_name="甲", role=Role.HANDLER)
        )
        other = actor_for(
            create_user(s, admin, username="yi", display_name="乙", role=Role.HANDLER)
        )
        s.get(SupervisionCase, case_id).handler_id = handler.user_id  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        mediation.add_mediator(db, handler, "李调解员", MediatorKind.INVITED)
    with pytest.raises(PermissionDenied):
        mediation.entrust_case(
            db, other, case_id, mediator_id=mid, entrusted_on=ON, period_days=30, today=TODAY
        )
    row = mediation.entrust_case(
        db, handler, case_id, mediator_id=mid, entrusted_on=ON, period_days=30, today=TODAY
    )
    with pytest.raises(PermissionDenied):
        mediation.record_mediation_result(
            db, other, row.id, result=MediationResult.SETTLED, result_on=TODAY, today=TODAY
        )


def test_statistics_by_mediator_and_success_rate(db: Database, admin: Actor) -> None:
    committee, lawyer = _mediator(db, admin), _mediator(db, admin, "张律师")
    results = [
        (committee, MediationResult.SETTLED),
        (committee, MediationResult.SETTLED),
        (committee, MediationResult.FAILED),
        (committee, None),
        (lawyer, MediationResult.WITHDRAWN),
        (lawyer, MediationResult.FAILED),
    ]
    for n, (mid, result) in enumerate(results, start=1):
        cid = _register(db, admin, n)
        row = mediation.entrust_case(
            db, admin, cid, mediator_id=mid, entrusted_on=ON, period_days=30, today=TODAY
        )
        if result is not None:
            mediation.record_mediation_result(
                db, admin, row.id, result=result, result_on=date(2026, 10, 1), today=TODAY
            )
    stats = mediation.mediation_stats(db, Period(date(2026, 9, 1), date(2026, 9, 30)))
    got = [(t.mediator, t.entrusted, t.settled, t.failed, t.withdrawn, t.pending, t.rate)
           for t in stats.by_mediator]  # fmt: skip
    assert got == [
        ("土右旗人民调解委员会", 4, 2, 1, 0, 1, Decimal("66.7")),
        ("张律师", 2, 0, 1, 1, 0, Decimal("0.0")),
    ]
    assert (stats.total.entrusted, stats.total.rate) == (6, Decimal("50.0"))
    empty = mediation.mediation_stats(db, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert empty.by_mediator == [] and empty.total.rate is None
