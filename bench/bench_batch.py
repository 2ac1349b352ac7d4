"""Benchmark: batch printing for a trip — 200 notices, each followed by its 送达回证, in one PDF.

Run ``python -m bench.bench_batch [DB]``. The database defaults to ``bench/.cache/bench-100k.db``
(made by ``python -m bench.generate``); it is copied to a temporary folder first (the batch
writes), and when it does not exist a fresh database with 200 cases is made instead. Target: the
whole batch (issue, number, store 400 documents and write the trip PDF) under 15 s, with memory
flat across the batch (the peak is reported).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

DEFAULT_DB = Path(__file__).resolve().parent / ".cache" / "bench-100k.db"
TARGET_S = 15.0
COUNT = 200


def _copy(src: Path, folder: Path) -> Path:
    target = folder / src.name
    source = sqlite3.connect(f"file:{quote(src.as_posix())}?mode=ro", uri=True)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest, pages=65536)  # consistent even while the cache has a -wal file
    finally:
        dest.close()
        source.close()
    return target


def _fresh(folder: Path, count: int) -> Path:
    from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core import settings as settings_service
    from zhiqian_desktop.services.core.actor import SYSTEM
    from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, register_case
    from zhiqian_desktop.store.engine import sqlite_url

    path = folder / "batch.db"
    db = open_app_database(sqlite_url(path))
    try:
        with db.unit_of_work() as s:
            settings_service.initialize(
                s, settings_service.SetupInput("土默特右旗人民法院", "内0221", "执前督")
            )
        with db.unit_of_work() as s:
            for n in range(1, count + 1):
                register_case(
                    s,
                    SYSTEM,
                    CaseInput(
                        original_case_no=f"（2026）内0221民初{n}号",
                        cause="民间借贷纠纷",
                        received_date=date(2026, 11, 20),
                        effective_date=date(2026, 11, 1),
                        performance_deadline=date(2026, 11, 15),
                        amount_due=Decimal("12345.67") + n,
                        parties=[
                            PartyInput(PartyRole.APPLICANT, "李某", PartyKind.PERSON),
                            PartyInput(PartyRole.OBLIGOR, f"王某{n}", PartyKind.PERSON),
                        ],
                    ),
                    today=date(2026, 11, 25),
                )
    finally:
        db.dispose()
    return path


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def measure(db_path: Path = DEFAULT_DB, count: int = COUNT) -> dict[str, float]:
    """Issue ``count`` urging notices with receipts into one PDF on a copy of ``db_path``.

    Returns seconds for the batch (wall clock, and CPU time of this process, which a busy machine
    does not inflate), the copy or set-up, per-document milliseconds, the PDF size
    and pages, and how far the process's peak resident memory rose during the batch in MB (a
    flat batch raises it by a few tens of MB, the size of the PDF being assembled; 0 where the
    platform does not say).
    """
    folder = Path(tempfile.mkdtemp(prefix="zhiqian-bench-batch-"))
    os.environ.setdefault("ZHIQIAN_DATA_DIR", str(folder / "userdata"))
    from zhiqian_desktop.domain.kinds import DocumentKind
    from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.closing import batch_print
    from zhiqian_desktop.services.core.actor import SYSTEM
    from zhiqian_desktop.services.intake.docket import DocketQuery
    from zhiqian_desktop.store.engine import sqlite_url

    try:
        start = time.perf_counter()
        copy = _copy(db_path, folder) if db_path.exists() else _fresh(folder, count)
        setup_s = time.perf_counter() - start
        db = open_app_database(sqlite_url(copy))
        try:
            today = date.today()
            issuable = OPEN_STATUSES & {CaseStatus.REGISTERED, CaseStatus.SUPERVISING}
            with db.reader() as s:
                cases = batch_print.cases_from_docket(
                    s, DocketQuery(statuses=frozenset(issuable)), today=today, limit=count
                )
            ids = [c.id for c in cases]
            output = folder / "trip.pdf"
            rss_before = _peak_rss_mb()
            start, cpu_start = time.perf_counter(), time.process_time()
            result = batch_print.issue_batch(
                db, SYSTEM, ids, DocumentKind.URGING, receipts=True, today=today, output=output
            )
            batch_s = time.perf_counter() - start
            cpu_s = time.process_time() - cpu_start
            rss_growth = _peak_rss_mb() - rss_before
            pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", output.read_bytes()))
            documents = len(result.documents) + len(result.receipts)
            return {
                "batch_s": round(batch_s, 2),
                "batch_cpu_s": round(cpu_s, 2),
                "per_document_ms": round(batch_s * 1000 / max(documents, 1), 1),
                "cases": float(len(ids)),
                "documents": float(documents),
                "pdf_mb": round(output.stat().st_size / 1e6, 2),
                "pdf_pages": float(pages),
                "peak_rss_growth_mb": round(rss_growth, 1),
                "setup_s": round(setup_s, 1),
                "target_s": TARGET_S,
            }
        finally:
            db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DB
    figures = measure(path)
    print(" ".join(f"{k}={v:g}" for k, v in figures.items()))
    raise SystemExit(0 if figures["batch_s"] < TARGET_S else 1)
