"""Runs the Alembic migrations shipped in the package, taking a backup before any change.

Opening an up-to-date database (every start, every command) only compares the stored revision
with the newest script's; Alembic itself (0.2 s of imports) loads when there is something to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.engine import READ_ONLY_OPTION
from zhiqian_desktop.store.seals import reseal_all

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

_REVISION_LINE = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*"([^"]+)"', re.MULTILINE)


def _script_location() -> Path:
    return Path(str(files("zhiqian_desktop.db")))


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_script_location()))
    return cfg


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def script_head() -> str | None:
    """The newest revision, read from the scripts' ``revision``/``down_revision`` lines without
    loading Alembic; None when that reading is not conclusive (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_script_location() / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if "down_revision" in found:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def head_revision() -> str:
    head = script_head() or _script().get_current_head()
    if head is None:
        raise RuntimeError("the migration scripts have no head revision")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database (None for an empty one)."""
    # Marked read-only: a reader never queues for the server's write lock (store/database.py),
    # which the caller may itself be holding in another transaction.
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY_OPTION: True})
        if not engine.dialect.has_table(conn, "alembic_version"):
            return None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if len(rows) > 1:
        raise UserError(
            "数据库的版本记录有多条（alembic_version）；数据库未作任何改动，请联系技术人员"
        )
    return str(rows[0]) if rows else None


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def _known(script: ScriptDirectory, revision: str) -> bool:
    from alembic.util.exc import CommandError

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
    if current is not None and current == script_head():
        return False
    from alembic import command

    script = _script()
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
        # A migration may rewrite audited rows: the seals are made afresh for what it left.
        reseal_all(conn)
    return True
