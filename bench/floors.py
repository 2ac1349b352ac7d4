"""Floors: what the work of a figure costs without the app, measured in the same run.

- the raw SQL of a query: the statements the service sent, captured from the engine and sent
  again through the bare driver connection, rows fetched and nothing else done with them;
- a bare interpreter importing the same modules a command imported (found by running it);
- a bare Qt window: a process that imports PySide6 and shows an empty main window;
- a bare ReportLab page: a page of the urging notice's text, drawn with the same TrueType face
  and embedded as a subset, straight with ReportLab's canvas;
- a plain file copy (with fsync) of the database file, for the backup.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bench.core import Context, Measured, median_ms, run_python
from zhiqian_desktop.resources_access import resource_path

# --- the raw SQL of a query ----------------------------------------------------------------------

Statement = tuple[str, Any]
_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def captured_sql(engine: Engine) -> Iterator[list[Statement]]:
    """The statements (with their parameters) sent through `engine` inside the block."""
    statements: list[Statement] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        if not many and not statement.lstrip().upper().startswith(_TRANSACTION):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def replay(engine: Engine, statements: list[Statement]) -> Callable[[], int]:
    """An action sending `statements` through a bare driver connection in one transaction (as the
    reader's snapshot), fetching every row; returns the number of rows."""

    def action() -> int:
        raw = engine.raw_connection()
        try:
            conn: Any = raw.driver_connection
            sqlite = engine.dialect.name == "sqlite"
            cur = conn.cursor()
            if sqlite:
                cur.execute("BEGIN")
            rows = 0
            for statement, parameters in statements:
                cur.execute(statement, parameters)
                if cur.description is not None:
                    rows += len(cur.fetchall())
            cur.close()
            if sqlite:
                conn.execute("COMMIT")
            else:
                conn.rollback()
            return rows
        finally:
            raw.close()

    return action


def with_sql_floor(
    ctx: Context, action: Callable[[], object], engine: Engine | None = None
) -> Measured:
    """`action` timed, and beside it the raw SQL it sent, timed the same way."""
    engine = engine or ctx.db.engine
    with captured_sql(engine) as statements:
        action()
    value = median_ms(ctx, action)
    if not statements:
        return Measured(value)
    floor = median_ms(ctx, replay(engine, statements))
    return Measured(value, floor, f"raw SQL ({len(statements)} statements)")


# --- processes -----------------------------------------------------------------------------------

# The modules a process imported, printed as it exits: the floor imports the same ones.
IMPORTS_REPORT = """
import atexit, sys
def _report():
    names = sorted({m.split('.')[0] for m in list(sys.modules)} - {'__main__', 'zhiqian_desktop'})
    print('IMPORTED', ','.join(n for n in names if not n.startswith('_frozen')),
          file=sys.stderr, flush=True)
atexit.register(_report)
"""

# With the collector paused while the libraries load, as the app's entry point does
# (cli/launch.py): the floor is the cheapest known way to have them in memory.
BARE_IMPORTS = """
import gc, importlib, sys
gc.disable()
for name in sys.argv[1].split(','):
    try:
        importlib.import_module(name)
    except Exception:
        pass
gc.freeze()
gc.enable()
print('RESULT', flush=True)
"""


def imported_by(stderr: str) -> list[str]:
    for line in reversed(stderr.splitlines()):
        if line.startswith("IMPORTED "):
            return [n for n in line.split(" ", 1)[1].split(",") if n]
    return []


def bare_interpreter_ms(ctx: Context, modules: list[str], runs: int) -> float:
    """A bare interpreter importing `modules` (top-level names), wall time from spawn to exit."""
    times = [run_python(ctx, BARE_IMPORTS, ",".join(modules))[0] for _ in range(runs)]
    return statistics.median(times)


# A process's peak resident memory in MB (-1 where the system does not say). Not ru_maxrss: on
# Linux a child started with vfork inherits its parent's high-water mark through exec, so a
# process spawned by a large benchmark process would report the benchmark's size.
PEAK_MEMORY = """
def peak_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return -1
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

BARE_QT_WINDOW = (
    PEAK_MEMORY
    + """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 760)
window.show()
app.processEvents()
print('RESULT', peak_mb(), flush=True)
"""
)


def bare_qt_window(ctx: Context) -> tuple[float, float]:
    """Process spawn to a bare PySide6 main window shown: (wall ms, peak resident MB), medians."""
    if "bare_qt" not in ctx.cache:
        runs = [run_python(ctx, BARE_QT_WINDOW) for _ in range(ctx.runs + ctx.work.warm_up)]
        runs = runs[1:] if ctx.work.warm_up else runs
        ctx.cache["bare_qt"] = (
            statistics.median(r[0] for r in runs),
            statistics.median(float(r[1][0]) for r in runs),
        )
    return tuple(ctx.cache["bare_qt"])  # type: ignore[return-value]


# --- a bare ReportLab page -----------------------------------------------------------------------

_BARE_FONT = "Bench-Bare-UMing"


def _notice_text() -> tuple[str, list[str]]:
    """The urging notice's title and paragraphs, its fields filled with placeholder words."""
    import re

    data = tomllib.loads((resource_path("templates") / "urging.toml").read_text("utf-8"))
    fill = lambda s: re.sub(r"\{[a-z_]+\}", "某某", s)  # noqa: E731
    return fill(data["title"]), [fill(p) for p in [data["addressee"], *data["paragraphs"]]]


def body_face() -> tuple[str, int]:
    """The font file (and its index in a collection) the app prints a notice's body with: the
    court's configured face, the system's 仿宋, or the bundled one, as printing.fonts chooses."""
    from reportlab.pdfbase import pdfmetrics

    from zhiqian_desktop.printing.fonts import load_print_fonts

    face = pdfmetrics.getFont(load_print_fonts().body).face
    index = face.subfontNameX.decode().lstrip("-")
    return face.filename, int(index or 0)


def bare_page() -> Callable[[], bytes]:
    """One A4 page of the notice's text drawn with ReportLab's canvas in the face the app prints
    the body with, embedded as a TrueType subset (a new, plain TTFont of the same file)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if _BARE_FONT not in pdfmetrics.getRegisteredFontNames():
        path, index = body_face()
        pdfmetrics.registerFont(TTFont(_BARE_FONT, path, subfontIndex=index))
    title, paragraphs = _notice_text()
    lines = [p[i : i + 28] for p in paragraphs for i in range(0, len(p), 28)]

    def draw() -> bytes:
        out = io.BytesIO()
        c = canvas.Canvas(out, pagesize=A4)
        width, height = A4
        c.setFont(_BARE_FONT, 22)
        c.drawCentredString(width / 2, height - 30 * mm, title)
        c.setFont(_BARE_FONT, 15)
        y = height - 45 * mm
        for line in lines:
            c.drawString(25 * mm, y, line)
            y -= 8 * mm
        c.showPage()
        c.save()
        return out.getvalue()

    return draw


def bare_page_ms(ctx: Context) -> float:
    if "bare_page" not in ctx.cache:
        ctx.cache["bare_page"] = median_ms(ctx, bare_page(), runs=max(ctx.runs, 5))
    return float(ctx.cache["bare_page"])


# --- a plain file copy ---------------------------------------------------------------------------


def file_copy_seconds(source: Path, folder: Path) -> float:
    """Copy the file (and its -wal, if any) and fsync it: what any backup has to do at least."""
    start = time.perf_counter()
    for suffix in ("", "-wal"):
        src = Path(str(source) + suffix)
        if not src.exists():
            continue
        dst = folder / src.name
        shutil.copyfile(src, dst)
        fd = os.open(dst, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    seconds = time.perf_counter() - start
    for p in folder.iterdir():
        p.unlink()
    return seconds
