"""The benchmark's parts every figure uses: the registry, the context a figure runs in, timing.

A figure is a `Figure(name, target, fn)` in FIGURES; `fn(ctx)` returns the measured value
(milliseconds unless the figure says otherwise), or a `Measured` that carries the floor measured
beside it: what the same work costs without the app (a bare interpreter with the same imports, a
bare Qt window, a bare ReportLab page, the raw SQL of the query, a plain file copy). It raises
NotAvailable when what it measures does not exist (yet, or on this backend).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.generate import END
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.locations import attachments_dir

ROOT = Path(__file__).resolve().parent.parent
PAGE = 200
SQLITE, SERVER = "sqlite", "postgresql"


class NotAvailable(Exception):
    """What the figure measures is not part of the program (or of this backend)."""


@dataclass(frozen=True)
class Measured:
    """A figure's value with its floor: the same work done by the bare tools, in the same run."""

    value: float
    floor: float | None = None
    floor_is: str = ""


@dataclass(frozen=True)
class Figure:
    name: str
    target: float | None
    fn: Callable[[Context], float | Measured]
    unit: str = "ms"
    max_ratio: float | None = None
    """A target on the ratio to the floor (e.g. a command within 2x the bare interpreter)."""
    backends: frozenset[str] = frozenset({SQLITE, SERVER})
    scaling: bool = False
    """Part of the table across database sizes (bench.run --sizes)."""


FIGURES: list[Figure] = []


def figure(
    name: str,
    target: float | None,
    unit: str = "ms",
    *,
    max_ratio: float | None = None,
    backends: frozenset[str] = frozenset({SQLITE, SERVER}),
    scaling: bool = False,
) -> Callable[[Callable[[Context], float | Measured]], Callable[[Context], float | Measured]]:
    def register(
        fn: Callable[[Context], float | Measured],
    ) -> Callable[[Context], float | Measured]:
        FIGURES.append(Figure(name, target, fn, unit, max_ratio, backends, scaling))
        return fn

    return register


SQLITE_ONLY = frozenset({SQLITE})


@dataclass
class Workload:
    """How much each writing figure does. `smoke` shrinks everything: the benchmark is run to
    see that it still works (the suite's smoke test), not to be quoted."""

    batch: int = 200
    import_rows: int = 5_000
    desk_saves: int = 20
    package_runs: int = 3
    package_synthetic: tuple[int, int, int] = (200, 30, 20)
    """Contact logs, attachments and their megabytes of the synthetic transfer package."""
    warm_up: bool = True

    @classmethod
    def smoke(cls) -> Workload:
        return cls(
            batch=10,
            import_rows=100,
            desk_saves=3,
            package_runs=1,
            package_synthetic=(20, 3, 2),
            warm_up=False,
        )


@dataclass
class Context:
    """What a figure measures against: one database (a file, or a server's URL) and its options."""

    db_path: Path | None
    runs: int
    database_url: str | None = None
    today: date = END
    work: Workload = field(default_factory=Workload)
    cold_method: str = "auto"
    terms: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    _db: Database | None = None
    _scratch: Path | None = None
    _write_url: str | None = None
    _write_db: Database | None = None

    @property
    def backend(self) -> str:
        return SERVER if self.database_url else SQLITE

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        assert self.db_path is not None
        return sqlite_url(self.db_path)

    def db_option(self, url: str | None = None) -> list[str]:
        """The command line's option naming the database (a file or the server)."""
        url = url or self.url
        if url.startswith("sqlite"):
            path = make_url(url).database
            return ["--db", str(path)]
        return ["--database-url", url]

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_app_database(self.url)
        return self._db

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.reader() as s:
            yield s

    @property
    def scratch(self) -> Path:
        """A private folder for this run (copies, outputs, a user data folder), removed at the end."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="zhiqian-bench-"))
            os.environ.setdefault("ZHIQIAN_DATA_DIR", str(self._scratch / "userdata"))
        return self._scratch

    def write_url(self) -> str:
        """A private copy of the benchmark database for the figures that write (made once per
        run, removed at the end): the cached database is never changed by a write benchmark."""
        if self._write_url is None:
            start = time.perf_counter()
            if self.database_url:
                from bench import server

                if self._db is not None:  # a template database must have no other session
                    self._db.dispose()
                self._write_url = server.clone(self.database_url)
            else:
                assert self.db_path is not None
                copy = copy_database_file(self.db_path, self.scratch / "write")
                self._write_url = sqlite_url(copy)
            seconds = time.perf_counter() - start
            self.notes["write copy"] = (
                f"copy of the database for the write figures: {seconds:.1f} s"
            )
        return self._write_url

    @property
    def write_db(self) -> Database:
        if self._write_db is None:
            self.scratch  # noqa: B018  (sets the user data folder before the app opens anything)
            self._write_db = open_app_database(self.write_url())
        return self._write_db

    def close(self) -> None:
        for db in (self._db, self._write_db):
            if db is not None:
                db.dispose()
        self._db = self._write_db = None
        if self._write_url and self.database_url:
            from bench import server

            server.drop(self._write_url)
        self._write_url = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def copy_database_file(source: Path, folder: Path) -> Path:
    """A consistent copy (online backup, even while a -wal file exists) with its audit key."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    src = sqlite3.connect(f"file:{quote(source.as_posix())}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=65536)
    finally:
        dst.close()
        src.close()
    key = attachments_dir(source) / "audit.key"
    if key.exists():  # without it the copy's new audit events would break its chain
        attachments_dir(target).mkdir(mode=0o700, exist_ok=True)
        shutil.copy2(key, attachments_dir(target) / "audit.key")
    return target


def median_ms(ctx: Context, action: Callable[[], object], runs: int | None = None) -> float:
    """Median wall time of `action` over the run count, after one warm-up run (statement
    compilation, SQLite's page cache) unless the workload skips it."""
    if ctx.work.warm_up:
        action()
    times = []
    for _ in range(runs or ctx.runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def python_env(ctx: Context) -> dict[str, str]:
    """The environment of a measured process. Its modules load from their cached bytecode, as an
    installed copy's do (pip and the installer compile it once): without it, PYTHONDONTWRITEBYTECODE
    in a developer's or a CI shell would make every process compile the app's modules again
    (~120 ms of a command's run) while the floor's libraries load theirs."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["ZHIQIAN_DATA_DIR"] = str(ctx.scratch / "userdata")
    return env


def run_python(
    ctx: Context, code: str, *args: str, marker: str | None = "RESULT"
) -> tuple[float, list[str], str]:
    """`python -c code args`: wall milliseconds from spawning it to its line starting with
    `marker` (to its exit when `marker` is None), that line's fields, and its stderr. A failure
    raises NotAvailable with the last line of its stderr."""
    start = time.perf_counter()
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as errors,
        subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=python_env(ctx),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            encoding="utf-8",
        ) as proc,
    ):
        assert proc.stdout is not None
        fields: list[str] = []
        wall = 0.0
        for line in proc.stdout:
            if marker is not None and line.startswith(marker):
                wall = (time.perf_counter() - start) * 1000
                fields = line.split()[1:]
                break
        proc.stdout.read()
        returncode = proc.wait()
        if marker is None:
            wall = (time.perf_counter() - start) * 1000
        errors.seek(0)
        err = errors.read()
    if returncode != 0:
        last = (err.strip().splitlines() or [f"exit status {returncode}"])[-1]
        raise NotAvailable(last[:160])
    return wall, fields, err


def ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return value / floor
