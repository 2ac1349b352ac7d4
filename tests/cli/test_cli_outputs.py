"""What the commands write: never over an existing file without --force, never onto the database or
anything that is not a regular file, and nothing in the database when the output cannot be written
(DESIGN.md §8)."""

from __future__ import annotations

import os
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import one_line_error
from tests.conftest import TODAY, make_case_input
from tests.hostile_files import dump_hash
from tests.services.test_sync import setup_court, tribunal_kit
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.closing.outcomes import close_case, mark_failed
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import get_case, register_case
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url

OWN = b"the clerk's own file, not to be lost"


@dataclass
class Docket:
    path: Path
    open_case: str
    failed_case: str
    closed_case: str


@pytest.fixture
def docket(sqlite_db: Database, admin: Actor) -> Docket:
    court = setup_court(sqlite_db, admin)
    with sqlite_db.unit_of_work() as s:
        failed = register_case(s, admin, make_case_input(30), today=TODAY).id
        closed = register_case(s, admin, make_case_input(31), today=TODAY).id
    with sqlite_db.unit_of_work() as s:
        mark_failed(s, admin, failed, failed_on=TODAY, reason="仍未履行", today=TODAY)
        close_case(
            s, admin, closed, CaseStatus.WITHDRAWN, closed_on=TODAY, reason="撤回", today=TODAY
        )
        numbers = [get_case(s, i).case_no for i in (court.own_case, failed, closed)]
    assert sqlite_db.path is not None
    return Docket(sqlite_db.path, *numbers)


def _pdf(path: Path) -> bool:
    return path.read_bytes().startswith(b"%PDF")


def _zip(path: Path) -> bool:
    return zipfile.is_zipfile(path)


def _database(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


# (command line with {out}, the output's name, what a good output is)
OUTPUTS: dict[str, tuple[str, str, Callable[[Path], bool]]] = {
    "backup": ("backup -o {out}", "copy.db", _database),
    "import-template": ("import-template -o {out}", "模板.xlsx", _zip),
    "notice": ("notice {open} --kind urging -o {out}", "催告书.pdf", _pdf),
    "print-batch": ("print-batch --kind urging --cases {open} -o {out}", "批量.pdf", _pdf),
    "dossier": ("dossier {closed} -o {out}", "卷宗.pdf", _pdf),
    "transfer": ("transfer {failed} -o {out}", "移送.zip", _zip),
    "export-kit": ("export-kit --tribunal 沙尔沁法庭 -o {out}", "离线包.zip", _zip),
}


def _argv(line: str, docket: Docket, out: Path) -> list[str]:
    words = line.format(
        out=out, open=docket.open_case, failed=docket.failed_case, closed=docket.closed_case
    ).split()
    return [*words, "--db", str(docket.path)]


@pytest.mark.parametrize("command", list(OUTPUTS))
def test_an_existing_file_is_replaced_only_with_force(
    run: Any, docket: Docket, tmp_path: Path, command: str
) -> None:
    line, name, good = OUTPUTS[command]
    out = tmp_path / "outputs" / name
    out.parent.mkdir()
    out.write_bytes(OWN)
    before = dump_hash(docket.path)
    code, stdout, err = run(*_argv(line, docket, out))
    assert (code, stdout) == (1, "")
    message = one_line_error(err)
    assert "已存在" in message and "--force" in message
    assert out.read_bytes() == OWN, "the clerk's file was overwritten"
    assert dump_hash(docket.path) == before, "a refused command changed the database"
    assert sorted(p.name for p in out.parent.iterdir()) == [name], "a temporary file was left"

    code, _, err = run(*_argv(line, docket, out), "--force")
    assert (code, err) == (0, ""), err
    assert out.read_bytes() != OWN and good(out)
    assert sorted(p.name for p in out.parent.iterdir()) == [name]


@pytest.mark.parametrize(
    "line",
    [
        "notice {open} --kind urging -o {out}",
        "print-batch --kind urging --cases {open} -o {out}",
        "transfer {failed} -o {out}",
        "export-kit --tribunal 沙尔沁法庭 -o {out}",
    ],
    ids=["notice", "print-batch", "transfer", "export-kit"],
)
def test_a_command_that_cannot_write_its_output_changes_nothing(
    run: Any, docket: Docket, tmp_path: Path, line: str
) -> None:
    suffix = ".zip" if "transfer" in line or "kit" in line else ".pdf"
    out = tmp_path / "不存在的文件夹" / f"x{suffix}"
    before = dump_hash(docket.path)
    code, stdout, err = run(*_argv(line, docket, out))
    assert (code, stdout) == (1, "")
    assert "不存在" in one_line_error(err)
    assert dump_hash(docket.path) == before, "the document was issued (or the case moved) anyway"
    assert not out.parent.exists()


def test_no_output_lands_on_the_database_or_its_files(
    run: Any, docket: Docket, tmp_path: Path
) -> None:
    files = docket.path.parent / f"{docket.path.stem}-files"
    key = (files / "audit.key").read_bytes()
    link = tmp_path / "innocent.db"
    link.symlink_to(docket.path)
    hard = tmp_path / "another-name.db"
    hard.hardlink_to(docket.path)
    before = dump_hash(docket.path)
    for target in (
        docket.path,
        Path(f"{docket.path}-wal"),
        Path(f"{docket.path}-shm"),
        link,
        hard,
        files / "audit.key",
        files / "new-backup.db",
    ):
        code, _, err = run("backup", "-o", target, "--force", "--db", docket.path)
        assert code == 1, target
        assert "数据库" in one_line_error(err)
    assert dump_hash(docket.path) == before
    assert (files / "audit.key").read_bytes() == key
    assert link.is_symlink() and os.path.samefile(hard, docket.path)
    report_db = maintenance.open_app_database(sqlite_url(docket.path))
    try:
        assert maintenance.check(report_db).ok
    finally:
        report_db.dispose()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="pipes are POSIX")
def test_no_output_replaces_a_device_or_a_pipe(run: Any, docket: Docket, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    for argv in (
        ["backup", "-o", pipe, "--force"],
        ["notice", docket.open_case, "--kind", "urging", "-o", pipe, "--force"],
        ["dossier", docket.closed_case, "-o", pipe, "--force"],
    ):
        code, _, err = run(*argv, "--db", docket.path)
        assert code == 1
        assert "不是普通文件" in one_line_error(err)
        assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "the pipe was replaced"


WRITER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core.users import default_actor
from tests.conftest import TODAY, make_case_input

db = open_app_database(sys.argv[1])
with db.reader() as s:
    actor = default_actor(s)
print("ready", flush=True)
n = 1000
while True:
    n += 1
    with db.unit_of_work() as s:
        register_case(s, actor, make_case_input(n), today=TODAY)
    time.sleep(0.01)
"""


def test_backup_onto_the_database_another_process_is_writing_is_refused(
    run: Any, docket: Docket, tmp_path: Path
) -> None:
    import subprocess
    import sys

    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, str(script), sqlite_url(docket.path), str(Path(__file__).parents[2])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        for _ in range(5):
            code, _, err = run("backup", "-o", docket.path, "--force", "--db", docket.path)
            assert code == 1
            assert "数据库" in one_line_error(err)
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
    finally:
        writer.kill()
        writer.communicate()
    assert _database(docket.path)
    after = maintenance.open_app_database(sqlite_url(docket.path))
    try:
        assert maintenance.check(after).ok
    finally:
        after.dispose()


def test_open_kit_wants_an_empty_folder_unless_forced(
    run: Any, sqlite_db: Database, admin: Actor, tmp_path: Path
) -> None:
    kit = tribunal_kit(setup_court(sqlite_db, admin), tmp_path / "kit.zip")
    folder = tmp_path / "laptop"
    folder.mkdir()
    (folder / "notes.txt").write_text("笔记本上原有的文件")
    code, _, err = run("open-kit", kit, "--dir", folder)
    assert code == 1
    assert "不是空的" in one_line_error(err) and "--force" in err
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]

    code, _, err = run("open-kit", kit, "--dir", folder, "--force")
    assert (code, err) == (0, ""), err
    assert (folder / "zhiqian.db").is_file() and (folder / "notes.txt").exists()

    # A database already there is never replaced, forced or not.
    before = dump_hash(folder / "zhiqian.db")
    code, _, err = run("open-kit", kit, "--dir", folder, "--force")
    assert code == 1
    assert "已有数据库" in one_line_error(err)
    assert dump_hash(folder / "zhiqian.db") == before
