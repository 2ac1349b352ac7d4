"""Each commit tells which cases it changed (this desk, an import, the holiday table), a rollback
tells nothing, and the audit trail's counter shows another desk's changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import make_case_input
from zhiqian_desktop.domain.kinds import PaymentMethod
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.core import calendar
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.case_changes import (
    CaseChanges,
    changes_since,
    latest_change,
    subscribe,
)
from zhiqian_desktop.services.intake import docket, import_template, importing
from zhiqian_desktop.services.intake.import_columns import HEADERS
from zhiqian_desktop.services.supervision import dues
from zhiqian_desktop.store.database import Database

TODAY = date(2026, 11, 25)


@pytest.fixture
def heard(db: Database) -> Iterator[list[CaseChanges]]:
    got: list[CaseChanges] = []
    unsubscribe = subscribe(db, got.append)
    yield got
    unsubscribe()


def test_a_commit_names_its_cases(db: Database, admin: Actor, heard: list[CaseChanges]) -> None:
    first = docket.register_case(db, admin, make_case_input(1), today=TODAY).id
    second = docket.register_case(db, admin, make_case_input(2), today=TODAY).id
    assert heard == [CaseChanges(frozenset({first})), CaseChanges(frozenset({second}))]
    heard.clear()
    outcomes.record_payment(
        db,
        admin,
        first,
        paid_on=TODAY,
        amount=Decimal("12345.67"),
        method=PaymentMethod.TRANSFER,
        payer="王某某",
        today=TODAY,
    )
    outcomes.close_case(
        db, admin, first, CaseStatus.PERFORMED, closed_on=TODAY, reason="全部履行", today=TODAY
    )
    assert heard == [CaseChanges(frozenset({first}))] * 2


def test_a_rollback_tells_nothing(db: Database, admin: Actor, heard: list[CaseChanges]) -> None:
    case_id = docket.register_case(db, admin, make_case_input(1), today=TODAY).id
    heard.clear()
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        outcomes.close_case(
            s, admin, case_id, CaseStatus.WITHDRAWN, closed_on=TODAY, reason="撤回", today=TODAY
        )
        raise RuntimeError("the clerk's PC lost power")
    assert heard == []
    # The next commit does not carry the rolled-back case along.
    other = docket.register_case(db, admin, make_case_input(2), today=TODAY).id
    assert heard == [CaseChanges(frozenset({other}))]


def test_an_import_names_every_case_and_the_holidays_everything(
    db: Database, admin: Actor, heard: list[CaseChanges], tmp_path: Path
) -> None:
    rows = import_template._example_rows()
    rows[0][HEADERS.index("备注")] = None
    path = import_template.write_import_template(tmp_path / "t.xlsx", rows)
    report = importing.import_cases(db, admin, path, today=TODAY)
    assert report.ok, report.problems
    assert len(heard) == 1 and not heard[0].everything
    assert len(heard[0].case_ids) == len(report.created) > 0
    heard.clear()
    calendar.set_year(db, admin, 2026, [(date(2026, 12, 9), "测试")], [])
    assert [c.everything for c in heard] == [True]


def test_the_counter_shows_another_desks_changes(db: Database, admin: Actor) -> None:
    seen = latest_change(db)
    assert changes_since(db, seen) == (seen, CaseChanges())
    case_id = docket.register_case(db, admin, make_case_input(1), today=TODAY).id
    now, changed = changes_since(db, seen)
    assert now == latest_change(db) > seen
    assert changed == CaseChanges(frozenset({case_id}))
    calendar.set_year(db, admin, 2026, [(date(2026, 12, 9), "测试")], [])
    assert changes_since(db, now)[1].everything


def test_the_due_list_of_the_changed_cases_merges_into_the_list_shown(
    db: Database, admin: Actor
) -> None:
    ids = [
        docket.register_case(db, admin, make_case_input(n, amount="800.00"), today=TODAY).id
        for n in range(1, 6)
    ]
    later = date(2027, 1, 20)
    shown = dues.due_list(db, later)
    assert {i.case_id for i in shown} == set(ids)
    outcomes.record_payment(
        db,
        admin,
        ids[1],
        paid_on=TODAY,
        amount=Decimal("800.00"),
        method=PaymentMethod.TRANSFER,
        payer="王某某",
        today=TODAY,
    )
    outcomes.close_case(
        db, admin, ids[1], CaseStatus.PERFORMED, closed_on=TODAY, reason="已履行", today=TODAY
    )
    changed = [ids[1], ids[3]]
    merged = dues.merge_due_items(shown, changed, dues.due_list(db, later, case_ids=changed))
    assert merged == dues.due_list(db, later)
    assert ids[1] not in {i.case_id for i in merged}
