"""执行前保全 through an offline kit: the court's ruling travels in the kit, a measure taken and
released on the tribunal's laptop comes back with the change package, audited, under its ruling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from tests.conftest import TODAY
from tests.services.test_sync import Court, changes, court, open_laptop, tribunal_kit  # noqa: F401
from zhiqian_desktop.domain.kinds import PreservationKind, PreservationMeasure, ReleaseReason
from zhiqian_desktop.services.exchange import merge
from zhiqian_desktop.services.supervision import preservation
from zhiqian_desktop.store.models import AuditEvent


def test_a_measure_taken_on_the_laptop_comes_back_under_its_ruling(
    court: Court,  # noqa: F811
    tmp_path: Path,
) -> None:
    case_id = court.cases[0]
    preservation.apply_preservation(
        court.db, court.admin, case_id, applicant_id=None, applied_on=date(2026, 11, 21),
        amount=Decimal("1000.00"), clues="农业银行账户", reason="正在转移存款", today=TODAY,
    )  # fmt: skip
    ruled = preservation.rule_preservation(
        court.db, court.admin, case_id, ruled_on=date(2026, 11, 22), amount=None,
        judge="王建国", today=TODAY,
    )  # fmt: skip
    lap = open_laptop(tribunal_kit(court, tmp_path / "kit.zip"), tmp_path / "laptop")
    try:
        [there] = preservation.case_preservations(lap.db, case_id)
        assert there.ruling_no == ruled.ruling_no
        row = preservation.add_measure(
            lap.db, lap.clerk, ruled.id, kind=PreservationKind.BANK_DEPOSIT,
            measure=PreservationMeasure.FREEZE, description="账户6228", holder="农业银行沙尔沁分理处",
            taken_on=date(2026, 11, 23), amount=Decimal("1000.00"), today=TODAY,
        )  # fmt: skip
        preservation.release_measures(
            lap.db, lap.clerk, ruled.id, released_on=TODAY, reason=ReleaseReason.PERFORMED,
            today=TODAY,
        )  # fmt: skip
        report = merge.import_changes(court.db, court.admin, changes(lap, tmp_path))
    finally:
        lap.db.dispose()
    assert report.conflicts == []
    [back] = preservation.case_preservations(court.db, case_id)
    [measure] = back.measures
    assert (measure.id, measure.holder, measure.released_on) == (
        row.measures[0].id,
        "农业银行沙尔沁分理处",
        TODAY,
    )
    with court.db.reader() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "preservation", AuditEvent.entity_id == measure.id
            )
        ).all()
    assert ("create", "zhangsan", "沙尔沁法庭") in {(e.action, e.actor, e.origin) for e in events}
