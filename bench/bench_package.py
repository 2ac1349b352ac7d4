"""Times a transfer package (移送执行材料): the busiest case of the 100k database, and a synthetic case.

    python -m bench.bench_package [--db PATH]

``measure(db_path)`` finds the case with the most records in the benchmark database and builds its
package as a dry run (the package is written, the status change rolled back, so the benchmark
database is left as it was). Targets: < 5 s for a case with 50 records; the issue's figure,
< 3 s for a case with 200 contact logs and 30 attachments (20 MB), is measured on a fresh
temporary database because the benchmark database holds no attachment files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import ContactKind, PartyKind, PartyRole
from zhiqian_desktop.domain.workflow import CaseAction, CaseStatus, available_actions
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
from zhiqian_desktop.services.closing.transfer_verify import verify_package
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.signing import court_public_key
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, register_case
from zhiqian_desktop.services.supervision import contacts
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import ContactLog, Payment, SupervisionCase

DEFAULT_DB = Path(__file__).resolve().parent / ".cache" / "bench-100k.db"
TODAY = date(2026, 11, 25)


def _time_build(db: Database, case_id: str, out_dir: Path, runs: int) -> dict[str, Any]:
    with db.reader() as s:
        actor = default_actor(s)
    times = []
    size = 0
    files = 0
    for i in range(runs):
        dest = out_dir / f"run{i}.zip"
        start = time.perf_counter()
        build_transfer_package(
            db, actor, case_id, "基准测试", dest, as_zip=True, today=TODAY, dry_run=True
        )
        times.append(time.perf_counter() - start)
        report = verify_package(dest, court_public_key(db))
        assert report.ok, report.lines()
        size, files = dest.stat().st_size, report.files_checked
        dest.unlink()
    return {"seconds": statistics.median(times), "runs": runs, "zip_bytes": size, "files": files}


def measure(db_path: Path = DEFAULT_DB, runs: int = 3) -> dict[str, Any]:
    """Package timing for the busiest case of the benchmark database (if it exists) that the app
    lets transfer: among the cases in a status the workflow transfers from, the one with the most
    contact logs; a case the app refuses (a rule of the day, a state a generated record left) is
    passed over for the next busiest, and the refusals are reported."""
    if not db_path.exists():
        return {"skipped": f"{db_path} does not exist (python -m bench.generate)"}
    transferable = [s.value for s in CaseStatus if CaseAction.TRANSFER in available_actions(s)]
    db = open_app_database(sqlite_url(db_path))
    refused: list[str] = []
    try:
        with db.reader() as s:
            busiest = s.execute(
                select(ContactLog.case_id, func.count().label("n"))
                .join(SupervisionCase, SupervisionCase.id == ContactLog.case_id)
                .where(SupervisionCase.status.in_(transferable))
                .group_by(ContactLog.case_id)
                .order_by(func.count().desc(), ContactLog.case_id)
                .limit(_CANDIDATES)
            ).all()
        with tempfile.TemporaryDirectory() as tmp:
            for case_id, _logs in busiest:
                try:
                    result = _time_build(db, case_id, Path(tmp), runs)
                except UserError as exc:
                    refused.append(exc.message)
                    continue
                with db.reader() as s:
                    payments = s.scalar(select(func.count()).where(Payment.case_id == case_id))
                break
            else:
                raise RuntimeError(f"none of the {len(busiest)} busiest cases transfers: {refused}")
    finally:
        db.dispose()
    logs = dict(busiest)[case_id]
    result.update(case_id=case_id, contact_logs=logs, payments=payments or 0, refused=refused)
    return result


_CANDIDATES = 20


def measure_synthetic(
    logs: int = 200, attachments: int = 30, mb: int = 20, runs: int = 3
) -> dict[str, Any]:
    """A fresh database with one case of ``logs`` contact logs and ``attachments`` files."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ.setdefault("ZHIQIAN_DATA_DIR", str(root / "data"))
        db = open_app_database(sqlite_url(root / "bench.db"))
        try:
            with db.unit_of_work() as s:
                settings_service.initialize(
                    s, settings_service.SetupInput("土默特右旗人民法院", "内0221", "执前督")
                )
            with db.reader() as s:
                actor = default_actor(s)
            data = CaseInput(
                original_case_no="（2026）内0221民初1号",
                cause="民间借贷纠纷",
                received_date=date(2026, 6, 1),
                effective_date=date(2026, 5, 1),
                application_received_on=date(2026, 6, 1),
                amount_due=Decimal("120000.00"),
                parties=[
                    PartyInput(PartyRole.APPLICANT, "李某", PartyKind.PERSON),
                    PartyInput(PartyRole.OBLIGOR, "王某某", PartyKind.PERSON),
                ],
            )
            with db.unit_of_work() as s:
                case_id = register_case(s, actor, data, today=TODAY).id
            files = root / "src"
            files.mkdir()
            per_file = mb * 1024 * 1024 // attachments
            paths = []
            for i in range(attachments):
                p = files / f"现场照片{i:02d}.jpg"
                p.write_bytes(os.urandom(per_file))
                paths.append(p)
            start = datetime(2026, 6, 2, 1, tzinfo=UTC)
            with db.unit_of_work() as s:
                for i in range(logs):
                    contacts.log_contact(
                        s,
                        actor,
                        case_id,
                        contacts.ContactInput(
                            ContactKind.PHONE,
                            start + timedelta(hours=12 * i),
                            i % 3 == 0,
                            summary=f"第{i + 1}次电话督促，被申请人称资金紧张，承诺月底前筹款还款。",
                        ),
                        attachments=paths if i == 0 else (),
                        now=datetime(2026, 11, 25, tzinfo=UTC),
                    )
            out = root / "out"
            out.mkdir()
            result = _time_build(db, case_id, out, runs)
        finally:
            db.dispose()
    result.update(contact_logs=logs, attachments=attachments, attachment_mb=mb)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    big = measure(args.db)
    print(f"busiest case of {args.db.name}: {big}  (target < 5 s)")
    syn = measure_synthetic()
    print(f"200 contact logs + 30 attachments (20 MB): {syn}  (target < 3 s)")


if __name__ == "__main__":
    main()
