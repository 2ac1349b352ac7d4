"""Benchmark: the due-list (今日待办) for one date over the 100,000-case bench database.

Run ``python -m bench.bench_dues [DB]``; the database defaults to ``bench/.cache/bench-100k.db``
(made by ``python -m bench.generate``). Targets (issue 4): the list for one date over all
handlers computed in under 100 ms; the 今日待办 page shown (model filled, first paint) in under
200 ms. ``--page`` measures the page too (offscreen Qt).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from zhiqian_desktop.services.supervision.dues import computed_due_list, due_list
from zhiqian_desktop.store.database import open_database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.models import ContactLog, SupervisionCase

DEFAULT_DB = Path(__file__).resolve().parent / ".cache" / "bench-100k.db"
TARGET_MS = 100.0
PAGE_TARGET_MS = 200.0


def measure(
    db_path: Path = DEFAULT_DB, on: date | None = None, repeat: int = 5, *, compare: bool = False
) -> dict[str, float]:
    """Time ``due_list`` for one date (fresh session each run, so nothing is cached between runs).

    Returns the median and best time in milliseconds, the number of items, cases and logs; with
    ``compare``, also the median of ``computed_due_list`` (the rules run over every open case).
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
        computed: list[float] = []
        if compare:
            for _ in range(max(1, repeat // 2)):
                with db.reader() as session:
                    start = time.perf_counter()
                    computed_due_list(session, on)
                    computed.append((time.perf_counter() - start) * 1000)
        return {
            "median_ms": round(statistics.median(timings), 1),
            "best_ms": round(min(timings), 1),
            "computed_median_ms": round(statistics.median(computed), 1) if computed else -1.0,
            "items": float(count),
            "cases": float(cases),
            "contact_logs": float(logs),
            "target_ms": TARGET_MS,
        }
    finally:
        db.dispose()


def measure_page(db_path: Path | str = DEFAULT_DB, repeat: int = 5) -> dict[str, float]:
    """Time the 今日待办 page as a team lead opens it (all handlers, the court's today): from
    creating the page to its model filled with the day's list (the `refreshed` signal) and the
    table painted once.

    Offscreen Qt, in this process; the first run (imports, fonts, first query) is not counted.
    `db_path` is the database file, or a database URL (a court server).
    """
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from zhiqian_desktop.domain.kinds import Role
    from zhiqian_desktop.gui.app import make_application
    from zhiqian_desktop.gui.context import AppContext
    from zhiqian_desktop.gui.due_list_page import DueListPage
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.models import User

    if isinstance(db_path, Path) and not db_path.exists():
        raise FileNotFoundError(f"{db_path} not found; run python -m bench.generate first")
    make_application(["zhiqian-bench"])
    # The offscreen platform says it cannot size windows to their hints on every show: not news.
    previous = qInstallMessageHandler(
        lambda _mode, _where, text: (
            None if "propagateSizeHints" in text else print(text, file=sys.stderr)
        )
    )
    db = open_database(db_path if isinstance(db_path, str) else sqlite_url(db_path), migrate=False)
    try:
        with db.reader() as session:
            admin = session.scalars(select(User).where(User.role == Role.ADMIN).limit(1)).one()
            actor = Actor(admin.id, admin.username, admin.display_name, Role.ADMIN)
        timings: list[float] = []
        rows = 0
        for run in range(repeat + 1):
            loop = QEventLoop()
            got: list[int] = []

            def done(n: int, loop: QEventLoop = loop, got: list[int] = got) -> None:
                got.append(n)
                loop.quit()

            start = time.perf_counter()
            page = DueListPage(AppContext(db, actor))
            page.refreshed.connect(done)
            page.resize(1280, 760)
            page.show()
            QTimer.singleShot(60_000, loop.quit)
            while not got or page._task is not None:
                loop.exec()
            page.table.viewport().repaint()
            QApplication.processEvents()
            elapsed = (time.perf_counter() - start) * 1000
            rows = page.model.rowCount()
            if run:
                timings.append(elapsed)
            page.close()
            page.deleteLater()
            QApplication.processEvents()
        return {
            "median_ms": round(statistics.median(timings), 1),
            "best_ms": round(min(timings), 1),
            "rows": float(rows),
            "target_ms": PAGE_TARGET_MS,
        }
    finally:
        db.dispose()
        qInstallMessageHandler(previous)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT_DB
    if not path.exists():
        print(f"{path} not found; run python -m bench.generate first", file=sys.stderr)
        raise SystemExit(1)
    result = measure(path, compare=True)
    print("list:", " ".join(f"{k}={v:g}" for k, v in result.items()))
    ok = result["median_ms"] < TARGET_MS
    if "--page" in sys.argv:
        page = measure_page(path)
        print("page:", " ".join(f"{k}={v:g}" for k, v in page.items()))
        ok = ok and page["median_ms"] < PAGE_TARGET_MS
    raise SystemExit(0 if ok else 1)
