"""The benchmark still works: it builds from a fresh checkout and every figure of bench.run runs.

Nothing is timed here (speed is measured in bench/, never asserted in tests). A 2,000-case
benchmark database is generated in a temporary folder, `zhiqian check` must pass on it, and
`bench.run --smoke` (every figure once, small workloads) must give a number, and its floor where
the figure has one, for every figure; on PostgreSQL too when a test server is configured.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bench import generate, run, server
from bench.core import FIGURES, SERVER, SQLITE
from zhiqian_desktop.cli.main import main as zhiqian
from zhiqian_desktop.services.admin.maintenance import check, open_app_database
from zhiqian_desktop.store.engine import sqlite_url

pytestmark = pytest.mark.slow

CASES = 2_000
NO_FLOOR = ("transfer package", "import:", "open database")
"""Figures with no bare counterpart to measure against (the issue names none)."""


@pytest.fixture(scope="module")
def bench_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "bench-2k.db"
    generate.build(path, cases=CASES, seed=generate.DEFAULT_SEED, quiet=True)
    return path


def test_generated_database_passes_the_check(
    bench_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_app_database(sqlite_url(bench_db))
    try:
        report = check(db)
    finally:
        db.dispose()
    assert report.integrity == "ok"
    assert report.chain.ok, report.chain.reason
    assert report.chain.keyed  # linked with the key beside the file, as the app links events
    assert report.chain.events > CASES  # the set-up's events, then one per generated case
    stamp = json.loads(generate.stamp_path(bench_db).read_text(encoding="utf-8"))
    assert stamp["rows"]["case"] == CASES and stamp["rows"]["audit"] == CASES

    assert zhiqian(["check", "--db", str(bench_db)]) == 0
    assert "哈希链（HMAC 密钥）完整" in capsys.readouterr().out


def _smoke(tmp_path: Path, *where: str) -> list[dict[str, Any]]:
    out = tmp_path / "figures.json"
    assert run.main([*where, "--smoke", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    figures: list[dict[str, Any]] = report["figures"]
    return figures


def _assert_every_figure_measured(figures: list[dict[str, Any]], backend: str) -> None:
    expected = [f.name for f in FIGURES if backend in f.backends]
    assert sorted(r["name"] for r in figures) == sorted(expected)
    failed = {r["name"]: r["note"] for r in figures if r["measured"] is None}
    assert failed == {}
    missing_floor = [
        r["name"] for r in figures if r["floor"] is None and not r["name"].startswith(NO_FLOOR)
    ]
    assert missing_floor == []
    assert all(r["ratio"] is not None for r in figures if r["floor"])


def _head(path: Path) -> str | None:
    db = open_app_database(sqlite_url(path))
    try:
        return check(db).chain.head_hash
    finally:
        db.dispose()


def test_every_figure_runs_on_the_generated_database(bench_db: Path, tmp_path: Path) -> None:
    head = _head(bench_db)
    figures = _smoke(tmp_path, "--db", str(bench_db))
    _assert_every_figure_measured(figures, SQLITE)
    # The figures that write work on a copy: the generated database is as it was built.
    assert _head(bench_db) == head


@pytest.fixture
def server_url(bench_db: Path) -> Iterator[str]:
    url = os.environ.get("ZHIQIAN_TEST_PG_URL")
    if not url:
        pytest.skip("ZHIQIAN_TEST_PG_URL is not set (.ci/postgres.sh starts a test server)")
    # Named like the suite's other databases, so a killed run's leftover is dropped by the next.
    name = f"zq_test_{os.getpid()}_bench"
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    server.fill(
        target, lambda: bench_db, generate.stamp_for(CASES, generate.DEFAULT_SEED), quiet=True
    )
    yield target
    server.drop(target)


def test_every_server_figure_runs_on_postgresql(server_url: str, tmp_path: Path) -> None:
    figures = _smoke(tmp_path, "--database-url", server_url)
    _assert_every_figure_measured(figures, SERVER)
    stamp = server.stamp_of(server_url)
    assert isinstance(stamp, dict) and stamp["cases"] == CASES
