"""Measures the app's figures on the benchmark database and prints them beside their targets.

    python -m bench.run [--json FILE] [--markdown FILE] [--db PATH] [--runs N] [--only TEXT]
    python -m bench.run --explain

Prints every figure the issues name beside its target, as a table and as JSON (with the machine).
Figures that write (a notice, a batch, a transfer package) work on a private copy of the benchmark
database made once per run, so the cached file is never changed by them. Start-up and peak memory
are measured in fresh processes running the app's own start-up path offscreen.

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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bench.generate import DEFAULT_DB, END, ensure_database
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.intake.docket import (
    SORT_KEYS,
    DocketQuery,
    _docket_select,
    _filtered,
    count_cases,
    list_cases,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
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
    notes: dict[str, str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

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

    _copy_dir: Path | None = None
    copy_seconds: float | None = None

    def write_copy(self) -> Path:
        """A private copy of the benchmark database for the figures that write (made once per
        run, removed at the end): the cached file is never changed by a write benchmark."""
        if self._copy_dir is None:
            self._copy_dir = Path(tempfile.mkdtemp(prefix="zhiqian-bench-"))
            start = time.perf_counter()
            src = sqlite3.connect(f"file:{quote(self.db_path.as_posix())}?mode=ro", uri=True)
            dst = sqlite3.connect(self._copy_dir / self.db_path.name)
            try:
                src.backup(dst, pages=65536)  # consistent even if the cache has a -wal file
            finally:
                dst.close()
                src.close()
            self.copy_seconds = time.perf_counter() - start
            print(
                f"  (copied the benchmark database for write figures in {self.copy_seconds:.1f} s)",
                flush=True,
            )
        return self._copy_dir / self.db_path.name

    _write_db: Database | None = None

    @property
    def write_db(self) -> Database:
        if self._write_db is None:
            os.environ.setdefault("ZHIQIAN_DATA_DIR", str(self.write_copy().parent / "userdata"))
            self._write_db = open_app_database(sqlite_url(self.write_copy()))
        return self._write_db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        if self._write_db is not None:
            self._write_db.dispose()
            self._write_db = None
        if self._copy_dir is not None:
            shutil.rmtree(self._copy_dir, ignore_errors=True)
            self._copy_dir = None


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


# --- start-up and memory ---------------------------------------------------------------------


@figure("open database (quick_check + migration check)", None)
def open_db(ctx: Context) -> float:
    def action() -> None:
        open_app_database(ctx.url).dispose()

    return median_ms(ctx, action, runs=min(ctx.runs, 5))


# The app's own start-up path (gui/app.py run()), stopped once the docket's first page is on
# screen: interpreter start, imports, QApplication, fonts, opening the database (quick_check,
# migration check), the main window, the docket page with its first 200 rows. Prints the
# milestones (ms since the process started) and the peak resident memory.
STARTUP_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    t0 = time.perf_counter()
    marks = {}
    def mark(name):
        marks[name] = (time.perf_counter() - t0) * 1000
    from PySide6.QtWidgets import QApplication
    from zhiqian_desktop.gui import app as gui_app
    mark("imports")
    qapp = gui_app.make_application(["zhiqian"])
    gui_app.apply_ui_font()
    mark("qapplication")
    session = gui_app.open_session(sys.argv[1], defer_check=True)  # as run() does
    mark("database")
    window = gui_app.build_main_window(session)
    window.show()
    window.show_docket()
    model = window.docket.model
    first = [model.data(model.index(r, 0)) for r in range(min(model.rowCount(), 40))]
    QApplication.processEvents()
    assert model.total() > 0 and first and first[0]
    mark("docket")
    slow = sorted(m for m in ("reportlab", "openpyxl", "alembic", "argon2", "qrcode")
                  if m in sys.modules)
    try:
        import resource
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except ImportError:  # Windows
        rss = -1
    print("RESULT", marks["imports"], marks["qapplication"], marks["database"], marks["docket"],
          rss, ",".join(slow) or "-", flush=True)
    window.close()
    session.close()
    """
)


@dataclass
class StartupRun:
    wall_ms: float  # from spawning the process to the docket shown (interpreter start included)
    imports_ms: float
    qapp_ms: float
    database_ms: float
    docket_ms: float
    rss_mb: float
    slow_modules: str


_STARTUP: dict[str, list[StartupRun]] = {}


def startup_runs(ctx: Context) -> list[StartupRun]:
    """Fresh processes on the 100k database (the first only warms the OS file cache)."""
    key = str(ctx.db_path)
    if key in _STARTUP:
        return _STARTUP[key]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("ZHIQIAN_DATA_DIR", tempfile.mkdtemp(prefix="zhiqian-bench-home-"))
    runs: list[StartupRun] = []
    for i in range(min(ctx.runs, 5) + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", STARTUP_SCRIPT, ctx.url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        line = ""
        for line in proc.stdout:
            if line.startswith("RESULT"):
                break
        wall = (time.perf_counter() - start) * 1000
        _out, err = proc.communicate()
        if not line.startswith("RESULT"):
            last = (err.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
            raise NotAvailable(last[:120])
        _, imp, qapp, dbo, docket, rss, slow = line.split()
        if i:
            runs.append(
                StartupRun(
                    wall, float(imp), float(qapp), float(dbo), float(docket), float(rss), slow
                )
            )
    _STARTUP[key] = runs
    return runs


def _median_run(ctx: Context) -> StartupRun:
    runs = startup_runs(ctx)
    return sorted(runs, key=lambda r: r.wall_ms)[len(runs) // 2]


@figure("cold start: process start to main window with docket page (100k db)", 2000)
def startup_window(ctx: Context) -> float:
    r = _median_run(ctx)
    ctx.notes["cold start"] = (
        f"imports {r.imports_ms:.0f} ms, QApplication+fonts {r.qapp_ms - r.imports_ms:.0f} ms, "
        f"open database {r.database_ms - r.qapp_ms:.0f} ms, window+docket "
        f"{r.docket_ms - r.database_ms:.0f} ms (inside the process); slow modules loaded before "
        f"the window: {r.slow_modules}"
    )
    return r.wall_ms


@figure("peak memory: app with 100k db open and docket shown", 300, unit="MB")
def peak_rss(ctx: Context) -> float:
    r = _median_run(ctx)
    if r.rss_mb < 0:
        raise NotAvailable("resource.getrusage is not available on this platform")
    return max(x.rss_mb for x in startup_runs(ctx))


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


@figure("cold start: zhiqian cases --limit 1 (command line)", None)
def cli_start(ctx: Context) -> float:
    exe = shutil.which("zhiqian")
    base = [exe] if exe else [sys.executable, "-m", "zhiqian_desktop.cli"]
    return _subprocess_ms(
        [*base, "cases", "--limit", "1", "--db", str(ctx.db_path)], min(ctx.runs, 5)
    )


# --- due-list, notices, batch --------------------------------------------------------------------


@figure("due-list: one date, all handlers", 100)
def due_list_all(ctx: Context) -> float:
    try:
        from bench import bench_dues
    except ImportError as exc:
        raise NotAvailable(
            f"bench.bench_dues / services.supervision.dues.due_list: {exc}"
        ) from None
    result = bench_dues.measure(ctx.db_path, on=ctx.today, repeat=max(5, ctx.runs))
    ctx.notes["due-list"] = f"{result['items']:.0f} items over {result['cases']:.0f} cases"
    return float(result["median_ms"])


@figure("due-list page (今日待办): created → model filled → first paint, all handlers", 200)
def due_list_page(ctx: Context) -> float:
    try:
        from bench import bench_dues

        measure_page = bench_dues.measure_page
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"bench.bench_dues.measure_page: {exc}") from None
    result = measure_page(ctx.db_path, repeat=max(5, ctx.runs))
    ctx.notes["due-list page"] = f"{result['rows']:.0f} rows"
    return float(result["median_ms"])


def _open_case_ids(db: Database, n: int, offset: int = 0) -> list[str]:
    from zhiqian_desktop.domain.workflow import CaseStatus

    with db.reader() as s:
        ids = s.scalars(
            select(SupervisionCase.id)
            .where(
                SupervisionCase.status.in_([CaseStatus.REGISTERED, CaseStatus.SUPERVISING]),
                SupervisionCase.deleted_at.is_(None),
            )
            .order_by(SupervisionCase.case_year.desc(), SupervisionCase.case_seq.desc())
            .offset(offset)
            .limit(n)
        ).all()
    if len(ids) < n:
        raise NotAvailable(f"only {len(ids)} open cases in the database")
    return list(ids)


def _admin(db: Database) -> Any:
    from zhiqian_desktop.services.core.users import default_actor

    with db.reader() as s:
        return default_actor(s)


@figure("notice: issue one urging notice (render + store + audit)", 80)
def one_notice(ctx: Context) -> float:
    from zhiqian_desktop.domain.kinds import DocumentKind
    from zhiqian_desktop.services.supervision.notices import issue_notice

    db = ctx.write_db
    actor = _admin(db)
    case_ids = iter(_open_case_ids(db, ctx.runs + 1))

    def action() -> None:
        case_id = next(case_ids)
        with db.unit_of_work() as s:
            issue_notice(s, actor, case_id, DocumentKind.URGING, today=ctx.today)

    return median_ms(ctx, action)


@figure("batch: 200 supervision notices with service receipts (one PDF)", 15, unit="s")
def batch_notices(ctx: Context) -> float:
    try:
        from zhiqian_desktop.services.closing.batch_print import issue_batch
    except ImportError as exc:
        raise NotAvailable(f"services.closing.batch_print: {exc}") from None
    from zhiqian_desktop.domain.kinds import DocumentKind

    db = ctx.write_db
    actor = _admin(db)
    case_ids = _open_case_ids(db, 200, offset=50)
    out = ctx.write_copy().parent / "batch.pdf"
    start = time.perf_counter()
    result = issue_batch(
        db,
        actor,
        case_ids,
        DocumentKind.SUPERVISION_NOTICE,
        receipts=True,
        today=ctx.today,
        output=out,
    )
    seconds = time.perf_counter() - start
    ctx.notes["batch"] = (
        f"{len(result.documents)} notices + {len(result.receipts)} receipts, "
        f"{out.stat().st_size / 2**20:.1f} MB PDF (one run)"
    )
    return seconds


# --- packages, statistics, import, backup --------------------------------------------------------


def _bench_module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"bench.{name}")
    except ImportError as exc:
        raise NotAvailable(f"bench/{name}.py: {exc}") from None


@figure("transfer package: busiest case of the 100k db (zip + verify)", 5, unit="s")
def package_busiest(ctx: Context) -> float:
    mod = _bench_module("bench_package")
    result = mod.measure(ctx.write_copy(), runs=3)
    if "skipped" in result:
        raise NotAvailable(result["skipped"])
    ctx.notes["package (busiest)"] = (
        f"{result['contact_logs']} contact logs, {result['payments']} payments, "
        f"{result['files']} files, {result['zip_bytes'] / 2**20:.1f} MB"
    )
    return float(result["seconds"])


@figure("transfer package: 200 contact logs + 30 attachments (20 MB)", 3, unit="s")
def package_synthetic(ctx: Context) -> float:
    mod = _bench_module("bench_package")
    if not hasattr(mod, "measure_synthetic"):
        raise NotAvailable("bench_package.measure_synthetic missing")
    return float(mod.measure_synthetic(runs=3)["seconds"])


def _stats_result(ctx: Context) -> dict[str, float]:
    """bench_stats.measure (all figures of one year, by month and totals), run once per run."""
    if "_stats" not in ctx.cache:
        try:
            import bench.bench_stats as mod
        except ImportError as exc:
            raise NotAvailable(f"bench/bench_stats.py: {exc}") from None
        ctx.cache["_stats"] = mod.measure(ctx.db_path, repeat=max(3, min(ctx.runs, 5)))
        ctx.notes["statistics"] = "bench_stats.measure: " + _short(ctx.cache["_stats"])
    return dict(ctx.cache["_stats"])


@figure("statistics: one year by month with totals (the statistics page)", 300)
def stats_year_by_month(ctx: Context) -> float:
    result = _stats_result(ctx)
    value = _first_number(result, ("median_ms", "month_median_ms"))
    if value is None:
        raise NotAvailable("bench_stats.measure returned no median_ms")
    return value


@figure("statistics: one year, totals only", 300)
def stats_year_total(ctx: Context) -> float:
    result = _stats_result(ctx)
    value = _first_number(result, ("total_median_ms",))
    if value is None:
        raise NotAvailable("bench_stats.measure returned no total_median_ms")
    return value


def _first_number(result: Any, keys: tuple[str, ...]) -> float | None:
    if isinstance(result, (int, float)):
        return float(result)
    if isinstance(result, dict):
        for k in keys:
            if isinstance(result.get(k), (int, float)):
                return float(result[k])
    return None


def _short(result: Any) -> str:
    return json.dumps(result, ensure_ascii=False, default=str)[:160]


@figure("import: 5,000 rows validated and imported (fresh db)", 10, unit="s")
def import_5000(ctx: Context) -> float:
    mod = _bench_module("bench_import")
    fn = getattr(mod, "measure", None) or getattr(mod, "measure_import", None)
    if fn is None:
        raise NotAvailable("bench_import has no measure function")
    with tempfile.TemporaryDirectory() as tmp:
        result = fn(tmp)
    ctx.notes["import"] = (
        f"{result['rows']} rows / {result['cases']} cases; validation alone "
        f"{result['validate_seconds']} s"
    )
    return float(result["validate_and_import_seconds"])


@figure("backup: online backup + integrity_check of the 100k db (no target set)", None, unit="s")
def backup_100k(ctx: Context) -> float:
    from zhiqian_desktop.store.backup import backup_to

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        dest = backup_to(ctx.db_path, Path(tmp) / "backup.db")
        seconds = time.perf_counter() - start
        ctx.notes["backup"] = f"{dest.stat().st_size / 2**20:.0f} MB copy; no target in the issues"
    return seconds


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
        except Exception as exc:  # a broken figure is reported, the others still run
            value, note = None, f"error: {type(exc).__name__}: {exc}"[:160]
        ok = None if value is None or fig.target is None else value <= fig.target
        results.append(
            {
                "name": fig.name,
                "measured": None if value is None else round(value, 1 if fig.unit != "s" else 2),
                "target": fig.target,
                "unit": fig.unit,
                "ok": ok,
                "note": note,
            }
        )
        print(_row(results[-1]), flush=True)
    return results


def _value(r: dict[str, Any]) -> str:
    if r["measured"] is None:
        return r["note"]
    return f"{r['measured']:.2f} s" if r["unit"] == "s" else f"{r['measured']:.1f} {r['unit']}"


def _target(r: dict[str, Any]) -> str:
    return "— (none set)" if r["target"] is None else f"< {r['target']:g} {r['unit']}"


def _row(r: dict[str, Any]) -> str:
    mark = {True: "ok", False: "MISSED", None: ""}[r["ok"]]
    return f"{r['name']:<66} | {_value(r):>14} | {_target(r):>12} {mark}"


def markdown(report: dict[str, Any]) -> str:
    """The figures as the README table: figure | measured | target | ok."""
    lines = ["| figure | measured | target | ok |", "| --- | --- | --- | --- |"]
    for r in report["figures"]:
        mark = {True: "ok", False: "**missed**", None: ""}[r["ok"]]
        lines.append(f"| {r['name']} | {_value(r)} | {_target(r)} | {mark} |")
    return "\n".join(lines)


def qt_version() -> str | None:
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError:
        return None
    return f"{qVersion()} (PySide6 {PySide6.__version__})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="default: the cached 100k database")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=None, help="only figures whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print query plans and stop")
    args = parser.parse_args(argv)

    db_path = args.db or ensure_database(DEFAULT_DB)
    ctx = Context(db_path=db_path, runs=args.runs)
    started = time.time()
    load_at_start = _loadavg()
    try:
        if args.explain:
            explain(ctx)
            return 0
        print(f"{'figure':<66} | {'measured':>14} | {'target':>12}")
        print("-" * 100)
        results = run(ctx, args.only)
    finally:
        ctx.close()
    info = machine()
    info["qt"] = qt_version()
    info["load_average"] = {"start": load_at_start, "end": _loadavg()}
    report = {
        "machine": info,
        "database": str(db_path),
        "measured_at": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "runs": args.runs,
        "figures": results,
        "notes": ctx.notes,
    }
    print()
    print(markdown(report))
    for key, note in ctx.notes.items():
        print(f"  {key}: {note}")
    out = json.dumps(report, ensure_ascii=False, indent=2)
    print(out)
    if args.json:
        args.json.write_text(out + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(report) + "\n", encoding="utf-8")
    return 0


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # not on Windows
        return None


if __name__ == "__main__":
    raise SystemExit(main())
