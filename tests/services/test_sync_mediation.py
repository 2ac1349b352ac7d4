"""Entrusted mediation and the assignment settings through an offline kit: the court's mediators
and areas travel in the kit, an entrustment and its result made on the laptop come back with the
change package (audited, on the court's due-list), and a result recorded on both sides is a
conflict until a person chooses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from tests.conftest import TODAY
from tests.services.test_sync import Court, changes, court, open_laptop, tribunal_kit  # noqa: F401
from zhiqian_desktop.domain.dues import DueKind
from zhiqian_desktop.domain.kinds import MediationResult, MediatorKind
from zhiqian_desktop.services.exchange import conflicts, merge, records
from zhiqian_desktop.services.intake import assignment
from zhiqian_desktop.services.supervision import mediation
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Mediation, Tribunal


def _mediator_id(db: Database, name: str) -> str:
    return mediation.find_mediator(db, name).id


def test_the_kit_carries_the_mediators_and_an_entrustment_comes_back(
    court: Court,  # noqa: F811
    tmp_path: Path,
) -> None:
    mediation.add_mediator(court.db, court.admin, "沙尔沁人民调解委员会", MediatorKind.COMMITTEE)
    assignment.set_tribunal_area(court.db, court.admin, court.tribunal_id, "沙尔沁镇")
    lap = open_laptop(tribunal_kit(court, tmp_path / "kit.zip"), tmp_path / "laptop")
    try:
        with lap.db.reader() as s:
            assert s.get(Tribunal, court.tribunal_id).townships == "沙尔沁镇"  # type: ignore[union-attr]
        case_id = court.cases[0]
        row = mediation.entrust_case(
            lap.db, lap.clerk, case_id,
            mediator_id=_mediator_id(lap.db, "沙尔沁人民调解委员会"),
            entrusted_on=date(2026, 11, 20), period_days=10, today=TODAY,
        )  # fmt: skip
        report = merge.import_changes(court.db, court.admin, changes(lap, tmp_path))
    finally:
        lap.db.dispose()
    assert report.conflicts == []
    [back] = mediation.case_mediations(court.db, case_id)
    assert (back.id, back.mediator, back.ends_on, back.result) == (
        row.id,
        "沙尔沁人民调解委员会",
        date(2026, 11, 30),
        None,
    )
    items = due_list(court.db, date(2026, 11, 30))
    assert any(i.case_id == case_id and i.kind is DueKind.MEDIATION_END for i in items)
    with court.db.reader() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "mediation", AuditEvent.entity_id == row.id
            )
        ).all()
        # The laptop's own event (with its origin) and the court's record of the merge.
        assert {(e.action, e.actor, e.origin) for e in events} == {
            ("create", "zhangsan", "沙尔沁法庭"),
            ("merge_create", "admin", "court"),
        }


def test_a_result_recorded_on_both_sides_is_a_conflict(
    court: Court,  # noqa: F811
    tmp_path: Path,
) -> None:
    mediation.add_mediator(court.db, court.admin, "沙尔沁人民调解委员会", MediatorKind.COMMITTEE)
    case_id = court.cases[1]
    row = mediation.entrust_case(
        court.db, court.admin, case_id,
        mediator_id=_mediator_id(court.db, "沙尔沁人民调解委员会"),
        entrusted_on=date(2026, 11, 20), period_days=10, today=TODAY,
    )  # fmt: skip
    lap = open_laptop(tribunal_kit(court, tmp_path / "kit.zip"), tmp_path / "laptop")
    try:
        mediation.record_mediation_result(
            court.db, court.admin, row.id, result=MediationResult.FAILED,
            result_on=date(2026, 11, 24), today=TODAY,
        )  # fmt: skip
        mediation.record_mediation_result(
            lap.db, lap.clerk, row.id, result=MediationResult.SETTLED,
            result_on=date(2026, 11, 25), note="达成和解", today=TODAY,
        )  # fmt: skip
        report = merge.import_changes(court.db, court.admin, changes(lap, tmp_path))
    finally:
        lap.db.dispose()
    assert len(report.conflicts) == 1
    with court.db.reader() as s:
        assert s.get(Mediation, row.id).result is MediationResult.FAILED  # type: ignore[union-attr]
        [view] = conflicts.list_conflicts(s)
    assert view.entity == "mediation"
    with court.db.unit_of_work() as s:
        conflicts.resolve_conflict(
            s, court.admin, view.id, {f.field: records.TRIBUNAL for f in view.fields}
        )
    [done] = mediation.case_mediations(court.db, case_id)
    assert (done.result, done.result_note) == (MediationResult.SETTLED, "达成和解")
