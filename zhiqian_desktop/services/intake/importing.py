"""Import of hand-over lists (移交清单) from Excel, all or nothing: ``import_cases`` reads the
workbook into a plan (import_plan.py), refuses a case already registered, backs up, and registers
every case in one transaction, or none.

The parts: import_columns.py (the columns and limits), import_template.py (the workbook a court
fills in), import_checks.py (the file as a zip, before any XML is parsed), import_cells.py (a
cell's text, date or amount as clerks write them), import_plan.py (rows into cases, every problem
with its row and column).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.services.admin.maintenance import take_backup
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.intake.import_columns import ProgressCallback
from zhiqian_desktop.services.intake.import_plan import (
    ImportedCase,
    ImportProblem,
    ImportReport,
    PlannedCase,
    locate_problem,
    read_workbook,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase

# --- the import ----------------------------------------------------------------------------------


class _CaseRefused(Exception):
    def __init__(self, case: PlannedCase, error: UserError) -> None:
        super().__init__(error.message)
        self.case = case
        self.error = error


_LOOKUP_CHUNK = 500
"""Original case numbers per IN (...) query (well below SQLite's and PostgreSQL's limits)."""
_FLUSH_EVERY = 250
"""Cases registered between flushes: each flush writes them, their parties and events as a few
multi-row INSERTs (one flush per case was most of the import's time)."""


def _check_not_registered(session: Session, cases: Sequence[PlannedCase]) -> None:
    """register_case's duplicate rule for the whole workbook, in the write transaction.

    The workbook was checked against the docket in a reader moments ago; this repeats the check
    where it counts (a colleague may have registered one of the cases meanwhile) with one indexed
    query per few hundred cases instead of one per case, so register_case may skip it."""
    numbers: dict[str, PlannedCase] = {}
    for planned in cases:
        number = planned.data.original_case_no.strip()
        if number in numbers:
            # read_workbook refuses a repeated number; kept as a guard for a hand-built plan.
            _refuse_duplicate(planned, number, "本次导入的另一行")
        numbers[number] = planned
    keys = list(numbers)
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        rows = session.execute(
            select(SupervisionCase.original_case_no, SupervisionCase.case_no)
            .where(
                SupervisionCase.original_case_no.in_(chunk),
                SupervisionCase.deleted_at.is_(None),
            )
            .order_by(SupervisionCase.original_case_no)
        ).all()
        if rows:
            found: dict[str, str] = {no: case_no for no, case_no in rows}
            first = min(numbers[n].first_row for n in found)
            planned = next(p for p in cases if p.first_row == first)
            number = planned.data.original_case_no.strip()
            _refuse_duplicate(planned, number, found[number])


def _refuse_duplicate(planned: PlannedCase, number: str, existing: str) -> None:
    error = UserError(
        f"原审案号“{number}”已登记为{existing}；同一生效文书不能重复登记督促案件",
        field="original_case_no",
    )
    raise _CaseRefused(planned, error)


def import_cases(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    today: date,
    dry_run: bool = False,
    backup: bool = True,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Check the whole workbook, then register every case in one transaction — or none.

    A refused file raises UserError; problems in the rows come back in the report (nothing
    written). `dry_run` only checks. A local database file is backed up before the write.
    """
    path = Path(path)
    if not dry_run:
        actor.require_write()
    with db.reader() as session:
        plan = read_workbook(path, today=today, session=session)
    report = ImportReport(path, dry_run, len(plan.cases), len(plan.rows), list(plan.problems), [])
    if plan.problems or dry_run:
        return report
    if backup and db.path is not None:
        take_backup(db, label="before-import")
    created: list[ImportedCase] = []
    try:
        with db.unit_of_work() as session:
            _check_not_registered(session, plan.cases)
            for i, planned in enumerate(plan.cases):
                try:
                    case = register_case(
                        session,
                        actor,
                        planned.data,
                        today=today,
                        check_duplicate=False,
                        flush=False,
                        checked=True,  # read_workbook ran check_case on this data
                    )
                except PermissionDenied:
                    raise
                except UserError as exc:
                    raise _CaseRefused(planned, exc) from exc
                created.append(ImportedCase(case.case_no, case.original_case_no, planned.first_row))
                if (i + 1) % _FLUSH_EVERY == 0:
                    session.flush()
                if on_progress is not None and (i + 1) % 100 == 0:
                    on_progress(i + 1, len(plan.cases))
    except _CaseRefused as refused:
        # Checked moments ago, so this is a change made meanwhile (e.g. the same case registered
        # by a colleague); the whole import was rolled back.
        row, column = locate_problem(
            refused.error.field or "", refused.case.first_row, refused.case.party_rows
        )
        report.problems = [ImportProblem(plan.sheet, row, column, refused.error.message)]
        return report
    if on_progress is not None:
        on_progress(len(plan.cases), len(plan.cases))
    report.created = created
    return report
