"""Migrations on open: a new file reaches head, an older one is backed up first, a newer one refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from importlib.resources import files
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import migrations
from zhiqian_desktop.store.backup import list_backups
from zhiqian_desktop.store.database import open_database
from zhiqian_desktop.store.engine import create_database_engine, sqlite_url
from zhiqian_desktop.store.models import Base


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_file_is_created_at_head_without_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    try:
        assert migrations.current_revision(db.engine) == migrations.head_revision()
        assert not migrations.needs_upgrade(db.engine)
        with db.engine.connect() as conn:
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert {"supervision_case", "party", "audit_event", "alembic_version"} <= tables
    finally:
        db.dispose()
    assert list_backups(tmp_path / "backups") == []


def _not_search_index(name: str | None, type_: str, _parents: object) -> bool:
    """The FTS5 trigram index (migration 0003) lives outside the models, kept by triggers."""
    return not (type_ == "table" and (name or "").startswith("case_search"))


def test_the_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "schema.db"))
    try:
        with db.engine.connect() as conn:
            opts = {"compare_type": True, "include_name": _not_search_index}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    finally:
        db.dispose()
    assert diff == []


def test_the_before_hook_runs_only_when_a_schema_already_exists(tmp_path: Path) -> None:
    engine = create_database_engine(sqlite_url(tmp_path / "hook.db"))
    calls: list[str] = []
    try:
        assert migrations.upgrade(engine, lambda: calls.append("backup")) is True
        assert calls == []  # nothing to protect in an empty file
        assert migrations.upgrade(engine, lambda: calls.append("backup")) is False
        assert calls == []  # already at head: no backup, no migration
    finally:
        engine.dispose()


def test_the_head_read_from_the_scripts_is_alembics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opening reads the head from the scripts' revision lines without loading Alembic; a script
    # written differently must not make it disagree with Alembic (which it falls back to).
    assert (
        migrations.script_head()
        == ScriptDirectory.from_config(migrations._config()).get_current_head()
    )
    install_newer_scripts(tmp_path, monkeypatch)
    assert migrations.script_head() == "9000_add_note_column"
    assert migrations.head_revision() == "9000_add_note_column"


def test_reopening_an_up_to_date_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    open_database(sqlite_url(path)).dispose()
    before = digest(path)
    db = open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    db.dispose()
    assert digest(path) == before
    assert not (tmp_path / "backups").exists()


def install_newer_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shipped migrations plus one more (as a later release of the program would have)."""
    scripts = tmp_path / "scripts"
    shutil.copytree(
        Path(str(files("zhiqian_desktop.db"))),
        scripts,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    old_head = migrations.head_revision()
    (scripts / "versions" / "9000_add_note_column.py").write_text(
        f'''"""add a column (test only)"""
import sqlalchemy as sa
from alembic import op

revision = "9000_add_note_column"
down_revision = "{old_head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tribunal", sa.Column("test_note", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("tribunal", "test_note")
''',
        encoding="utf-8",
    )

    monkeypatch.setattr(migrations, "_script_location", lambda: scripts)
    return old_head


def test_an_older_database_is_backed_up_before_it_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "older.db"
    backups = tmp_path / "backups"
    db = open_database(sqlite_url(path))
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO tribunal (id, name, created_at, updated_at, version)"
            " VALUES ('t1', '沟门法庭', '2026-01-01', '2026-01-01', 1)"
        )
    db.dispose()
    old_head = install_newer_scripts(tmp_path, monkeypatch)

    db = open_database(sqlite_url(path), backup_dir=backups)
    try:
        assert migrations.current_revision(db.engine) == "9000_add_note_column"
        with db.engine.connect() as conn:
            cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(tribunal)")}
            assert "test_note" in cols
            assert conn.exec_driver_sql("SELECT name FROM tribunal").scalar() == "沟门法庭"
    finally:
        db.dispose()

    taken = list_backups(backups)
    assert len(taken) == 1
    assert taken[0].path.name.endswith("-before-migration.db")
    copy = sqlite3.connect(taken[0].path)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(old_head,)]
        assert copy.execute("SELECT name FROM tribunal").fetchall() == [("沟门法庭",)]
        assert "test_note" not in {r[1] for r in copy.execute("PRAGMA table_info(tribunal)")}
    finally:
        copy.close()

    # Opening again finds it at head: no second backup.
    open_database(sqlite_url(path), backup_dir=backups).dispose()
    assert len(list_backups(backups)) == 1


def test_a_database_from_a_newer_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    db = open_database(sqlite_url(path))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    db.dispose()
    before = digest(path)
    with pytest.raises(UserError, match="比本程序新") as info:
        open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    assert "0099_from_the_future" in str(info.value)
    assert digest(path) == before
    assert not (tmp_path / "backups").exists()
