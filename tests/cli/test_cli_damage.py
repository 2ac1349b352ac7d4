"""A damaged database file: every command says so in one line, with the way out, and exits 1."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import one_line_error
from zhiqian_desktop.services.admin.demo import generate_demo
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.store.engine import sqlite_url

PAGE = 4096


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A closed database with demo data (in rollback mode, one file), and one of its case numbers."""
    path = tmp_path_factory.mktemp("sound") / "court.db"
    db = open_app_database(sqlite_url(path))
    with db.unit_of_work() as session:
        settings_service.initialize(
            session, settings_service.SetupInput("土默特右旗人民法院", "内0221")
        )
    report = generate_demo(db, cases=60, seed=3, today=date(2026, 11, 25))
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path, report.first_case_no


def _pages(data: bytearray) -> range:
    count = len(data) // PAGE
    return range(count // 3, count // 3 + 6)


def scrambled(data: bytearray) -> None:
    """Whole stretches of b-tree pages overwritten (a write that went to the wrong place)."""
    for n in _pages(data):
        data[n * PAGE + 8 : n * PAGE + 600] = b"\xa5" * 592


def crossed_cells(data: bytearray) -> None:
    """Cell pointers pointing into each other ("Multiple uses for byte …")."""
    for n in _pages(data):
        start = n * PAGE + 8
        pointers = data[start : start + 24]
        data[start : start + 24] = pointers[::-1]


def zeroed(data: bytearray) -> None:
    """A run of pages read back as zeros (a disk that lost a block)."""
    for n in _pages(data):
        data[n * PAGE : (n + 1) * PAGE] = bytes(PAGE)


def cut_short(data: bytearray) -> None:
    del data[len(data) * 2 // 3 :]


DAMAGE: dict[str, Callable[[bytearray], None]] = {
    "scrambled": scrambled,
    "crossed-cells": crossed_cells,
    "zeroed": zeroed,
    "cut-short": cut_short,
}

COMMANDS = [
    "cases --limit 0",
    "cases --json --limit 0",
    "show {case}",
    "due",
    "stats --by handler",
    "check",
    "notice {case} --kind urging -o {out}/n.pdf",
    "backup -o {out}/b.db",
    "dossier {case} -o {out}/d.pdf",
    "export-kit --handler admin -o {out}/k.zip",
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_database_is_one_line(
    run: Any, sound: tuple[Path, str], tmp_path: Path, damage: str, command: str
) -> None:
    source, case_no = sound
    path = tmp_path / "court.db"
    data = bytearray(source.read_bytes())
    DAMAGE[damage](data)
    path.write_bytes(bytes(data))
    damaged = path.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    argv = command.format(case=case_no, out=out).split()
    code, _, err = run(*argv, "--db", path)
    assert code == 1, err
    line = one_line_error(err)
    assert "损坏" in line, line
    assert path.read_bytes() == damaged, "the damaged file was changed"
    assert not list(out.iterdir())
    shutil.rmtree(out)


def wal_copy_with_table_zeroed(source: Path, path: Path, table: str) -> None:
    """A copy in WAL mode (as the app leaves its files) with the root page of `table` read back
    as zeros: the file is opened without the rollback-mode check, so only the commands decide."""
    shutil.copyfile(source, path)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    assert data[18:20] == b"\x02\x02"  # WAL mode, checkpointed into the file
    data[(root - 1) * page_size : root * page_size] = bytes(page_size)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("command", "table"),
    [
        ("cases --limit 0", "supervision_case"),
        ("show {case}", "supervision_case"),
        ("due", "due_item"),
    ],
)
def test_a_read_that_meets_a_damaged_page_says_so_in_one_line(
    run: Any, sound: tuple[Path, str], tmp_path: Path, command: str, table: str
) -> None:
    # Reads open the file without quick_check (docs/data-safety.md): the damaged page they read
    # must still end in the one line with the way out, not in a traceback or an empty docket.
    source, case_no = sound
    path = tmp_path / "court.db"
    wal_copy_with_table_zeroed(source, path, table)
    damaged = path.read_bytes()
    code, out, err = run(*command.format(case=case_no).split(), "--db", path)
    assert code == 1, out
    line = one_line_error(err)
    assert "已损坏" in line, line
    assert path.read_bytes() == damaged


def test_a_write_is_refused_on_a_file_damaged_where_it_does_not_look(
    run: Any, sound: tuple[Path, str], tmp_path: Path
) -> None:
    # The notice never reads the merge conflicts' table; the quick_check before a write finds
    # the damage there anyway, and nothing is issued into the damaged file.
    source, case_no = sound
    path = tmp_path / "court.db"
    wal_copy_with_table_zeroed(source, path, "merge_conflict")
    damaged = path.read_bytes()
    out = tmp_path / "n.pdf"
    code, _, err = run("notice", case_no, "--kind", "urging", "-o", out, "--db", path)
    assert code == 1, err
    assert "损坏" in one_line_error(err)
    assert path.read_bytes() == damaged
    assert not out.exists()
