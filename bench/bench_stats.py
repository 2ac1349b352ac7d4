"""Benchmark: all statistics figures for one year over the 100,000-case bench database.

Run ``python -m bench.bench_stats [DB]``; the database defaults to ``bench/.cache/bench-100k.db``
(made by ``python -m bench.generate``) and is opened read-only. Target: under 300 ms for the
year's figures (the statistics page's default view: the year by month, with its totals).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select

from zhiqian_desktop.domain.stats import GroupBy, Period
from zhiqian_desktop.services.reporting.stats import compute_stats
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import create_database_engine
from zhiqian_desktop.store.models import SupervisionCase

DEFAULT_DB = Path(__file__).resolve().parent / ".cache" / "bench-100k.db"
TARGET_MS = 300.0


def _read_only(db_path: Path) -> Database:
    url = f"sqlite:///file:{quote(db_path.resolve().as_posix())}?mode=ro&uri=true"
    return Database(url, create_database_engine(url))


def measure(db_path: Path = DEFAULT_DB, year: int = 2025, repeat: int = 5) -> dict[str, float]:
    """Median and best milliseconds of ``compute_stats`` for ``year``, per grouping.

    ``median_ms`` is the year by month (totals included); the other keys time each grouping.
    A fresh session per run, so nothing is cached between runs but SQLite's own page cache.
    """
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path} not found; run python -m bench.generate first")
    db = _read_only(db_path)
    try:
        period = Period(date(year, 1, 1), date(year, 12, 31))
        with db.reader() as session:
            cases = session.scalar(select(func.count()).select_from(SupervisionCase)) or 0
        out: dict[str, float] = {"cases": float(cases), "target_ms": TARGET_MS}
        for by in (GroupBy.MONTH, None, GroupBy.HANDLER, GroupBy.DEPARTMENT, GroupBy.TRIBUNAL):
            timings: list[float] = []
            cpu: list[float] = []
            for _ in range(repeat):
                with db.reader() as session:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    compute_stats(session, period, by)
                    timings.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
            name = by.value if by else "total"
            out[f"{name}_median_ms"] = round(statistics.median(timings), 1)
            out[f"{name}_best_ms"] = round(min(timings), 1)
            # CPU time of this process: the figure a busy machine (other load) cannot inflate.
            out[f"{name}_cpu_ms"] = round(statistics.median(cpu), 1)
        out["median_ms"] = out["month_median_ms"]
        return out
    finally:
        db.dispose()


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DB
    if not path.exists():
        print(f"{path} not found; run python -m bench.generate first", file=sys.stderr)
        raise SystemExit(1)
    result = measure(path)
    print(" ".join(f"{k}={v:g}" for k, v in result.items()))
    raise SystemExit(0 if result["median_ms"] < TARGET_MS else 1)
