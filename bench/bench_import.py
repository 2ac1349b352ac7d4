"""Import benchmark: a 5,000-row hand-over list validated and imported into a fresh database.

    python -m bench.bench_import

Target (issue 8): 5,000 rows validated and imported in under 10 s. The workbook holds 2,500 cases
of two parties each (one row per party), written with the template layout.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from zhiqian_desktop.domain.identity import resident_id_check_char
from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput
from zhiqian_desktop.services.intake.import_plan import read_workbook
from zhiqian_desktop.services.intake.import_template import template_rows, write_import_template
from zhiqian_desktop.services.intake.importing import import_cases
from zhiqian_desktop.store.engine import sqlite_url

ROWS = 5_000
TARGET_SECONDS = 10.0
TODAY = date(2026, 11, 25)


def _person_id(n: int) -> str:
    first = f"150221198{n % 10}0{1 + n % 9}{10 + n % 18}{n % 1000:03d}"
    return first + resident_id_check_char(first)


def _case(n: int) -> CaseInput:
    received = TODAY - timedelta(days=n % 200)
    return CaseInput(
        original_case_no=f"（2026）内0221民初{n}号",
        cause="民间借贷纠纷",
        received_date=received,
        effective_date=received - timedelta(days=20),
        performance_deadline=received - timedelta(days=5),
        amount_due=Decimal(1000 + n) + Decimal("0.50"),
        livelihood=n % 7 == 0,
        parties=[
            PartyInput(
                PartyRole.APPLICANT, f"申请人{n}", PartyKind.PERSON, id_number=_person_id(n)
            ),
            PartyInput(
                PartyRole.OBLIGOR,
                f"被申请人{n}",
                PartyKind.PERSON,
                id_number=_person_id(n + 1),
                phones=f"139{n:08d}",
                address="内蒙古自治区包头市土默特右旗萨拉齐镇",
            ),
        ],
    )


def build_workbook(path: Path, rows: int = ROWS) -> Path:
    out: list[list[Any]] = []
    n = 1
    while len(out) < rows:
        out += template_rows(_case(n))
        n += 1
    return write_import_template(path, out[:rows])


def measure_import(tmpdir: Path | str, rows: int = ROWS) -> dict[str, Any]:
    """Seconds to validate (dry run) and to validate + import a 5,000-row list into a fresh database."""
    folder = Path(tmpdir)
    workbook = build_workbook(folder / f"移交清单-{rows}.xlsx", rows)
    db = open_app_database(sqlite_url(folder / "bench-import.db"))
    try:
        with db.unit_of_work() as session:
            settings_service.initialize(
                session, settings_service.SetupInput("土默特右旗人民法院", "内0221", "执前督")
            )
        with db.reader() as session:
            actor = default_actor(session)
        started = time.perf_counter()
        plan = read_workbook(workbook, today=TODAY)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = import_cases(db, actor, workbook, today=TODAY)
        import_seconds = time.perf_counter() - started
    finally:
        db.dispose()
    if not report.ok:
        raise SystemExit(f"benchmark workbook has problems: {report.problems[:3]}")
    return {
        "rows": len(plan.rows),
        "cases": len(report.created),
        "validate_seconds": round(read_seconds, 2),
        "validate_and_import_seconds": round(import_seconds, 2),
        "target_seconds": TARGET_SECONDS,
        "within_target": import_seconds < TARGET_SECONDS,
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = measure_import(tmp)
    print(
        f"{result['rows']} 行 / {result['cases']} 个案件：仅检查 {result['validate_seconds']} s，"
        f"检查并导入 {result['validate_and_import_seconds']} s（目标 < {TARGET_SECONDS:g} s）"
    )
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
