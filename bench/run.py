"""Measures the app's figures on the benchmark database and prints them beside their targets.

    python -m bench.run [--json FILE] [--db PATH] [--runs N] [--only TEXT] [--explain]

Each figure is a `Figure(name, target, fn)` in FIGURES; `fn(ctx)` returns the measured value
(milliseconds unless the figure says otherwise) or raises NotAvailable when the thing it measures
does not exist yet. Add a figure by appending to FIGURES (or with the @figure decorator) in this
file or in a module imported by it. Timings are the median of several runs after one warm-up run.
Benchmarks are not tests: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bench.generate import DEFAULT_DB, END, ensure_database
from zhiqian_desktop.services.docket import (
    SORT_KEYS,
    DocketQuery,
    _docket_select,
    _filtered,
    count_cases,
    list_cases,
)
from zhiqian_desktop.services.maintenance import open_app_database
from zhiqian_desktop.store.database import Database, sqlite_url
from zhiqian_desktop.store.models import Party, SupervisionCase

PAGE = 200
ROOT = Path(__file__).resolve().parent.parent


class NotAvailable(Exception):
    """What the figure measures is not part of the program yet."""


@dataclass
class Context:
    db_path: Path
    runs: int
    today: date = END
    _db: Database | None = None
    terms: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return sqlite_url(self.db_path)

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_app_database(self.url)
        return self._db

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.reader() as s:
            yield s

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


@dataclass(frozen=True)
class Figure:
    name: str
    target: float | None
    fn: Callable[[Context], float]
    unit: str = "ms"


FIGURES: list[Figure] = []


def figure(
    name: str, target: float | None, unit: str = "ms"
) -> Callable[[Callable[[Context], float]], Callable[[Context], float]]:
    def register(fn: Callable[[Context], float]) -> Callable[[Context], float]:
        FIGURES.append(Figure(name, target, fn, unit))
        return fn

    return register


def median_ms(ctx: Context, action: Callable[[], object], runs: int | None = None) -> float:
    action()  # warm-up: statement compilation, page cache
    times = []
    for _ in range(runs or ctx.runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# --- the docket --------------------------------------------------------------------------------


def docket_page(ctx: Context, q: DocketQuery, *, count: bool = True) -> Callable[[], object]:
    def action() -> object:
        with ctx.session() as s:
            total = count_cases(s, q) if count else None
            rows = list_cases(s, q, today=ctx.today, limit=PAGE)
        return total, rows

    return action


@figure("docket: first page (count + 200 rows, default sort)", 150)
def first_page(ctx: Context) -> float:
    return median_ms(ctx, docket_page(ctx, DocketQuery()))


def search_terms(ctx: Context) -> dict[str, str]:
    """Realistic things a clerk types, taken from the data itself (fixed, so runs compare)."""
    if not ctx.terms:
        with ctx.session() as s:
            phones = s.scalars(
                select(Party.phones).where(Party.phones.is_not(None)).order_by(Party.id).limit(1)
            ).one()
            name = s.scalars(
                select(Party.name).where(Party.kind == "person").order_by(Party.id).limit(1)
            ).one()
        ctx.terms = {
            "phone fragment": phones.split("、")[0][:7],  # the first 7 digits typed so far
            "name": name,
            "case number fragment": "执前督1234",
        }
    return ctx.terms


def _search_figure(kind: str) -> None:
    def fn(ctx: Context) -> float:
        term = search_terms(ctx)[kind]
        return median_ms(ctx, docket_page(ctx, DocketQuery(text=term)))

    FIGURES.append(Figure(f"quick search: {kind} (count + first page)", 100, fn))


for _kind in ("phone fragment", "name", "case number fragment"):
    _search_figure(_kind)


def _sort_figure(key: str, descending: bool) -> None:
    def fn(ctx: Context) -> float:
        q = DocketQuery(sort=key, descending=descending)
        return median_ms(ctx, docket_page(ctx, q, count=False))

    arrow = "desc" if descending else "asc"
    FIGURES.append(Figure(f"sort by {key} {arrow} (first page)", 200, fn))


for _key in SORT_KEYS:
    for _desc in (False, True):
        _sort_figure(_key, _desc)


@figure("docket: open cases of one handler, overdue first page", 150)
def handler_overdue(ctx: Context) -> float:
    with ctx.session() as s:
        handler = s.scalars(
            select(SupervisionCase.handler_id)
            .where(SupervisionCase.handler_id.is_not(None))
            .limit(1)
        ).one()
    from zhiqian_desktop.domain.workflow import OPEN_STATUSES

    q = DocketQuery(
        statuses=frozenset(OPEN_STATUSES), handler_id=handler, overdue_on=ctx.today, sort="next_due"
    )
    return median_ms(ctx, docket_page(ctx, q))


# --- start-up ----------------------------------------------------------------------------------


@figure("open database (quick_check + migration check)", None)
def open_db(ctx: Context) -> float:
    def action() -> None:
        open_app_database(ctx.url).dispose()

    return median_ms(ctx, action, runs=min(ctx.runs, 5))


def _subprocess_ms(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
        elapsed = (time.perf_counter() - start) * 1000
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["exit status " + str(done.returncode)])[-1]
            raise NotAvailable(last[:120])
        if i:  # the first run warms the OS file cache
            times.append(elapsed)
    return statistics.median(times)


@figure("cold start: import zhiqian_desktop.gui.main_window", None)
def gui_import(ctx: Context) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-c", "import zhiqian_desktop.gui.main_window"]
    return _subprocess_ms(cmd, min(ctx.runs, 5), env)


@figure("cold start: zhiqian cases --limit 1", None)
def cli_start(ctx: Context) -> float:
    exe = shutil.which("zhiqian")
    base = [exe] if exe else [sys.executable, "-m", "zhiqian_desktop.cli"]
    return _subprocess_ms(
        [*base, "cases", "--limit", "1", "--db", str(ctx.db_path)], min(ctx.runs, 5)
    )


RSS_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from datetime import date
    from zhiqian_desktop.services.docket import DocketQuery, count_cases, list_cases
    from zhiqian_desktop.services.maintenance import open_app_database
    db = open_app_database(sys.argv[1])
    with db.reader() as s:
        count_cases(s, DocketQuery())
        list_cases(s, DocketQuery(), today=date.fromisoformat(sys.argv[2]), limit=200)
    db.dispose()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)


@figure("peak RSS: open database + first docket page", 300, unit="MB")
def peak_rss(ctx: Context) -> float:
    done = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, ctx.url, ctx.today.isoformat()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is KiB on Linux


# --- running -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    import sqlite3

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def explain(ctx: Context) -> None:
    """EXPLAIN QUERY PLAN of the docket queries, for investigating a slow figure."""
    queries = [("default", DocketQuery())] + [(f"sort {k}", DocketQuery(sort=k)) for k in SORT_KEYS]
    queries.append(("search", DocketQuery(text=next(iter(search_terms(ctx).values())))))
    with ctx.session() as s:
        for label, q in queries:
            stmt = _docket_select(s, q, ctx.today).limit(PAGE)
            compiled = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
            plan = s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            print(f"-- {label}")
            for row in plan:
                print("   ", row[-1])
        _ = _filtered  # (the count query uses the same conditions)


def run(ctx: Context, only: str | None) -> list[dict[str, Any]]:
    results = []
    for fig in FIGURES:
        if only and only.lower() not in fig.name.lower():
            continue
        try:
            value: float | None = fig.fn(ctx)
            note = ""
        except NotAvailable as exc:
            value, note = None, f"not available: {exc}"
        ok = None if value is None or fig.target is None else value <= fig.target
        results.append(
            {
                "name": fig.name,
                "measured": None if value is None else round(value, 1),
                "target": fig.target,
                "unit": fig.unit,
                "ok": ok,
                "note": note,
            }
        )
        print(_row(results[-1]), flush=True)
    return results


def _row(r: dict[str, Any]) -> str:
    unit = r["unit"]
    measured = r["note"] or f"{r['measured']:.1f} {unit}"
    target = "—" if r["target"] is None else f"< {r['target']:g} {unit}"
    mark = {True: "ok", False: "MISSED", None: ""}[r["ok"]]
    return f"{r['name']:<56} | {measured:>14} | {target:>10} {mark}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="default: the cached 100k database")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=None, help="only figures whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print query plans and stop")
    args = parser.parse_args(argv)

    db_path = args.db or ensure_database(DEFAULT_DB)
    ctx = Context(db_path=db_path, runs=args.runs)
    try:
        if args.explain:
            explain(ctx)
            return 0
        print(f"{'figure':<56} | {'measured':>14} | {'target':>10}")
        print("-" * 90)
        results = run(ctx, args.only)
    finally:
        ctx.close()
    report = {"machine": machine(), "database": str(db_path), "figures": results}
    out = json.dumps(report, ensure_ascii=False, indent=2)
    print(out)
    if args.json:
        args.json.write_text(out + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
