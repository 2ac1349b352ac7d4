"""Runs the Alembic migrations shipped in the package, taking a backup before any change."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.engine import READ_ONLY_OPTION


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(str(files("zhiqian_desktop.db")))))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migration scripts have no head revision")
    return head


def current_revision(engine: Engine) -> str | None:
    # Marked read-only: a reader never queues for the server's write lock (store/database.py),
    # which the caller may itself be holding in another transaction.
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY_OPTION: True})
        return MigrationContext.configure(conn).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def _known(script: ScriptDirectory, revision: str) -> bool:
    # get_revision raises (CommandError) for an id it has never heard of instead of returning None.
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, before: Callable[[], None] | None = None) -> bool:
    """Bring the schema to the newest revision; returns True when anything was migrated.

    `before` runs first (the caller's backup) when the database already holds a schema.
    A database newer than this program is refused rather than touched.
    """
    current = current_revision(engine)
    script = ScriptDirectory.from_config(_config())
    head = script.get_current_head()
    if current == head:
        return False
    if current is not None and not _known(script, current):
        raise UserError(
            f"数据库版本（{current}）比本程序新；请升级执前督促系统后再打开，数据库未作任何改动"
        )
    if current is not None and before is not None:
        before()
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
