"""Figures that start a process: the desktop to its first docket page, command-line reads, and
both again from a cold page cache (the first start of the morning).

Floors: a bare Qt window for the desktop (its time to show and its memory); for a command, a bare
interpreter importing the very modules the command imported (printed by the command's process as
it exits, so the floor follows the program as its imports change).
"""

from __future__ import annotations

import statistics
import textwrap
from collections.abc import Callable

from sqlalchemy import select

from bench.cold import make_cold
from bench.core import SQLITE_ONLY, Context, Measured, NotAvailable, figure, median_ms, run_python
from bench.floors import (
    IMPORTS_REPORT,
    PEAK_MEMORY,
    bare_interpreter_ms,
    bare_qt_window,
    imported_by,
)
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.store.models import SupervisionCase

# The app's own start-up path (gui/app.py run()), stopped once the docket's first page is on
# screen: interpreter start, imports, QApplication, fonts, opening the database (migration check;
# the integrity check is deferred as run() defers it), the main window, the docket page with its
# first 200 rows. Prints the milestones (ms since the process started) and the peak memory.
STARTUP_SCRIPT = PEAK_MEMORY + textwrap.dedent(
    """
    import os, sys, time
    t0 = time.perf_counter()
    marks = {}
    def mark(name):
        marks[name] = (time.perf_counter() - t0) * 1000
    # As `zhiqian` reaches run(): the command line and gui/app.py import the store before Qt.
    from zhiqian_desktop.gui import app as gui_app
    from PySide6.QtWidgets import QApplication
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
    print("RESULT", marks["imports"], marks["qapplication"], marks["database"], marks["docket"],
          peak_mb(), ",".join(slow) or "-", flush=True)
    window.close()
    session.close()
    """
)


def _startup_once(ctx: Context) -> tuple[float, list[str]]:
    wall, fields, _err = run_python(ctx, STARTUP_SCRIPT, ctx.url)
    if not fields:
        raise NotAvailable("the start-up script printed no result")
    return wall, fields


def startup_runs(ctx: Context) -> list[tuple[float, list[str]]]:
    """Fresh processes on the database (the first only warms the OS file cache)."""
    if "startup" not in ctx.cache:
        runs = [_startup_once(ctx) for _ in range(min(ctx.runs, 5) + ctx.work.warm_up)]
        ctx.cache["startup"] = runs[1:] if ctx.work.warm_up else runs
    return list(ctx.cache["startup"])


def _milestones(fields: list[str]) -> str:
    imp, qapp, dbo, docket = (float(x) for x in fields[:4])
    return (
        f"imports {imp:.0f} ms, QApplication+fonts {qapp - imp:.0f} ms, open database "
        f"{dbo - qapp:.0f} ms, window+docket {docket - dbo:.0f} ms (inside the process); slow "
        f"modules loaded before the window: {fields[5]}"
    )


@figure("desktop start: process start to main window with the docket's first page", 800)
def startup_window(ctx: Context) -> Measured:
    runs = sorted(startup_runs(ctx), key=lambda r: r[0])
    wall, fields = runs[len(runs) // 2]
    ctx.notes["desktop start"] = _milestones(fields)
    return Measured(wall, bare_qt_window(ctx)[0], "bare Qt window")


@figure("peak memory: app with the database open and the docket shown", 130, unit="MB")
def peak_rss(ctx: Context) -> Measured:
    rss = max(float(fields[4]) for _wall, fields in startup_runs(ctx))
    if rss < 0:
        raise NotAvailable("resource.getrusage is not available on this platform")
    return Measured(rss, bare_qt_window(ctx)[1], "bare Qt window")


# --- the command line ----------------------------------------------------------------------------

CLI_SCRIPT = (
    IMPORTS_REPORT
    + """
import runpy
sys.argv = ["zhiqian", *sys.argv[1:]]
runpy.run_module("zhiqian_desktop", run_name="__main__", alter_sys=True)
"""
)


def _command_args(ctx: Context, command: str) -> list[str]:
    if command == "show":
        with ctx.session() as s:
            case_no = s.scalars(
                select(SupervisionCase.case_no)
                .order_by(SupervisionCase.case_year.desc(), SupervisionCase.case_seq.desc())
                .limit(1)
            ).one()
        return ["show", case_no]
    return {
        "cases": ["cases", "--limit", "1"],
        "due": ["due", "--date", ctx.today.isoformat()],
        "deadline": ["deadline", ctx.today.isoformat(), "--days", "15"],
    }[command]


def run_command(ctx: Context, args: list[str]) -> tuple[float, list[str]]:
    """One `zhiqian …` process: wall ms from spawn to exit, and the modules it imported."""
    wall, _fields, err = run_python(ctx, CLI_SCRIPT, *ctx.db_option(), *args, marker=None)
    return wall, imported_by(err)


def _command_figure(command: str, label: str) -> None:
    @figure(f"command line: zhiqian {label}", 500, max_ratio=2.0)
    def fn(ctx: Context) -> Measured:
        args = _command_args(ctx, command)
        runs = [run_command(ctx, args) for _ in range(min(ctx.runs, 5) + ctx.work.warm_up)]
        runs = runs[1:] if ctx.work.warm_up else runs
        modules = ctx.cache[f"imports {command}"] = runs[-1][1]
        floor_runs = min(ctx.runs, 5)
        if ctx.work.warm_up:
            bare_interpreter_ms(ctx, modules, 1)
        floor = bare_interpreter_ms(ctx, modules, floor_runs)
        third_party = sorted(m for m in modules if m in THIRD_PARTY)
        ctx.notes[f"zhiqian {command}"] = "imports " + (", ".join(third_party) or "no library")
        return Measured(
            statistics.median(r[0] for r in runs), floor, "bare interpreter, same imports"
        )


THIRD_PARTY = frozenset(
    {
        "sqlalchemy",
        "alembic",
        "reportlab",
        "openpyxl",
        "numpy",
        "PIL",
        "qrcode",
        "argon2",
        "chinese_calendar",
        "platformdirs",
        "pypdf",
        "pypdfium2",
        "PySide6",
        "psycopg",
        "sqlcipher3",
        "defusedxml",
        "mako",
        "rl_accel",
    }
)
"""Named in the notes when a command imports them (the heavy or optional libraries)."""

_command_figure("cases", "cases --limit 1")
_command_figure("show", "show CASE_NO")
_command_figure("due", "due (the day's list)")
_command_figure("deadline", "deadline START --days 15")


@figure("open database (integrity quick_check + migration check), in process", None)
def open_db(ctx: Context) -> float:
    def action() -> None:
        open_app_database(ctx.url).dispose()

    return median_ms(ctx, action, runs=min(ctx.runs, 5))


# --- a cold page cache ---------------------------------------------------------------------------


def _cold(
    ctx: Context, label: str, measure: Callable[[], float], floor: Callable[[], float]
) -> Measured:
    assert ctx.db_path is not None
    values, floors = [], []
    for _ in range(min(ctx.runs, 3)):
        how = make_cold(ctx, ctx.db_path)
        values.append(measure())
        make_cold(ctx, ctx.db_path)
        floors.append(floor())
    ctx.notes[label] = how
    return Measured(
        statistics.median(values), statistics.median(floors), "the same bare process, cold"
    )


@figure(
    "cold cache: zhiqian cases --limit 1 (first command of the morning)", 2000, backends=SQLITE_ONLY
)
def cold_command(ctx: Context) -> Measured:
    args = _command_args(ctx, "cases")
    modules = ctx.cache.get("imports cases") or run_command(ctx, args)[1]
    return _cold(
        ctx,
        "cold command",
        lambda: run_command(ctx, args)[0],
        lambda: bare_interpreter_ms(ctx, modules, 1),
    )


@figure("cold cache: desktop start to the docket's first page", 2000, backends=SQLITE_ONLY)
def cold_desktop(ctx: Context) -> Measured:
    from bench.floors import BARE_QT_WINDOW

    return _cold(
        ctx,
        "cold desktop",
        lambda: _startup_once(ctx)[0],
        lambda: run_python(ctx, BARE_QT_WINDOW)[0],
    )
