"""Benchmark: the due-list (今日待办) for one date over the 100,000-case bench database.

Run ``python -m bench.bench_dues [DB]``; the database defaults to ``bench/.cache/bench-100k.db``
(made by ``python -m bench.generate``). Target: under 500 ms for one date over all handlers.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from zhiqian_desktop.services.dues import due_list
from zhiqian_desktop.store.database import open_database, sqlite_url
from zhiqian_desktop.store.models import ContactLog, SupervisionCase

DEFAULT_DB = Path(__file__).resolve().parent / ".cache" / "bench-100k.db"
TARGET_MS = 500.0


def measure(
    db_path: Path = DEFAULT_DB, on: date | None = None, repeat: int = 5
) -> dict[str, float]:
    """Time ``due_list`` for one date (fresh session each run, so nothing is cached between runs).

    Returns the median and best time in milliseconds, the number of items, cases and logs.
    """
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path} not found; run python -m bench.generate first")
    db = open_database(sqlite_url(db_path), migrate=False)
    try:
        on = on or date.today()
        with db.reader() as session:
            cases = session.scalar(select(func.count()).select_from(SupervisionCase)) or 0
            logs = session.scalar(select(func.count()).select_from(ContactLog)) or 0
        timings: list[float] = []
        count = 0
        for _ in range(repeat):
            with db.reader() as session:
                start = time.perf_counter()
                count = len(due_list(session, on))
                timings.append((time.perf_counter() - start) * 1000)
        return {
            "median_ms": round(statistics.median(timings), 1),
            "best_ms": round(min(timings), 1),
            "items": float(count),
            "cases": float(cases),
            "contact_logs": float(logs),
            "target_ms": TARGET_MS,
        }
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
