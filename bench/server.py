"""The benchmark on a court server (PostgreSQL).

`fill(url)` makes the database the URL names and copies the cached SQLite benchmark into it with
the app's own copy-database (`services.admin.server_copy.copy_database`: every table checked by row
count and checksum, the audit chain linked again the server's way). The database is marked as the
benchmark's with a comment holding the generator's stamp, so it is reused while the stamp matches
and never confused with a court's database: one that exists without the mark is left alone.

`clone(url)` makes a private copy for the write figures (CREATE DATABASE … TEMPLATE, on the
server itself) and `drop(url)` removes it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.admin.server_copy import copy_database
from zhiqian_desktop.store.engine import normalise_url, sqlite_url


def _name(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise SystemExit(f"the URL names no database: {make_url(url)!r}")
    return name


def _admin(url: str) -> Engine:
    """A connection to the server's maintenance database, outside any transaction."""
    return create_engine(
        make_url(normalise_url(url)).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stamp_of(url: str) -> dict[str, Any] | bool | None:
    """The benchmark stamp on the database; None when it has none; False when it does not exist."""
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :name"
                ),
                {"name": _name(url)},
            ).first()
    finally:
        engine.dispose()
    if row is None:
        return False
    try:
        stamp = json.loads(row[0] or "")
    except ValueError:
        return None
    return stamp if isinstance(stamp, dict) and "generator_version" in stamp else None


def _execute(url: str, *statements: str) -> None:
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def fill(
    url: str,
    source: Callable[[], Path],
    wanted: dict[str, Any],
    *,
    force: bool = False,
    quiet: bool = False,
) -> str:
    """The server database at `url` holding the benchmark docket stamped `wanted` (made and
    filled from the SQLite file `source()` gives when missing or stale, migrated when only the
    schema moved on)."""
    url = normalise_url(url)
    stamp = stamp_of(url)
    name = _quoted(_name(url))
    current = isinstance(stamp, dict) and all(
        stamp.get(k) == wanted[k] for k in ("generator_version", "cases", "seed")
    )
    if current and not force:
        open_app_database(url).dispose()  # a newer schema is migrated, as a desk would
        return url
    if stamp is None:
        raise SystemExit(
            f"database {name} exists and was not made by bench.generate; it is left alone "
            "(name another database in the URL)"
        )
    path = source()
    if stamp is not False:
        _execute(url, f"DROP DATABASE {name} WITH (FORCE)")
    _execute(url, f"CREATE DATABASE {name}")
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int, what: str) -> None:
        if not quiet and time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            print(f"  {done:,} / {total:,} rows: {what}", file=sys.stderr, flush=True)

    try:
        report = copy_database(sqlite_url(path), url, progress=progress)
    except BaseException:
        _execute(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        raise
    # What the server's autovacuum does after a bulk load (statistics for the planner, the
    # visibility map for index-only scans); the loopback test server runs without autovacuum.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
    finally:
        engine.dispose()
    stamp_text = json.dumps(
        wanted | {"rows": report.rows, "copied_seconds": round(time.perf_counter() - started, 1)}
    )
    _execute(url, f"COMMENT ON DATABASE {name} IS '{stamp_text.replace(chr(39), chr(39) * 2)}'")
    if not quiet:
        print(
            f"copied {report.rows:,} rows into {make_url(url).render_as_string(hide_password=True)}"
            f" in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return url


def clone(url: str) -> str:
    """A private copy of the benchmark database on the same server (no other session may be
    connected to it meanwhile)."""
    copy = f"{_name(url)}_w{os.getpid()}"
    _execute(
        url,
        f"DROP DATABASE IF EXISTS {_quoted(copy)} WITH (FORCE)",
        f"CREATE DATABASE {_quoted(copy)} TEMPLATE {_quoted(_name(url))} STRATEGY FILE_COPY",
    )
    return make_url(normalise_url(url)).set(database=copy).render_as_string(hide_password=False)


def drop(url: str) -> None:
    _execute(url, f"DROP DATABASE IF EXISTS {_quoted(_name(url))} WITH (FORCE)")
