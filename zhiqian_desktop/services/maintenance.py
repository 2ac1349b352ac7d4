"""Opening the app's database, and the administrator's backup, restore and check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.audit import ChainReport, verify_chain
from zhiqian_desktop.store import backup as backups
from zhiqian_desktop.store.database import Database, open_database, sqlite_url
from zhiqian_desktop.store.locations import backups_dir, default_database_path


def resolve_url(db_path: str | Path | None = None, database_url: str | None = None) -> str:
    """--db PATH or --database-url URL, else the default file in the user data directory."""
    if db_path and database_url:
        raise UserError("--db 与 --database-url 只能指定其一")
    if database_url:
        return database_url
    return sqlite_url(Path(db_path) if db_path else default_database_path())


def open_app_database(url: str) -> Database:
    """Open and migrate; the pre-migration backup goes to the folder beside the database."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    folder = backups_dir(Path(database)) if database and url.startswith("sqlite") else None
    return open_database(url, backup_dir=folder)


def _require_file(db: Database) -> Path:
    path = db.path
    if path is None:
        raise UserError("此操作只适用于本机数据库文件；服务器数据库请由信息技术人员用 pg_dump 备份")
    return path


def take_backup(db: Database, dest: Path | None = None, *, label: str | None = None) -> Path:
    """Back up now (online backup API), verified; into `dest` or the rotation folder."""
    path = _require_file(db)
    if dest is None:
        dest = backups_dir(path) / backups.backup_name(datetime.now(), label)
    elif dest.is_dir():
        dest = dest / backups.backup_name(datetime.now(), label)
    return backups.backup_to(path, dest)


def restore(db: Database, source: Path) -> Path:
    """Replace the database's contents with a backup; the current state is backed up first.

    Returns the safety backup's path so the clerk can go back if the wrong file was chosen.
    """
    path = _require_file(db)
    source = source.resolve()
    if source == path.resolve():
        raise UserError("不能用数据库自身作为备份来恢复")
    safety = take_backup(db, label="before-restore")
    db.engine.dispose()
    backups.restore_from(source, path)
    return safety


@dataclass(frozen=True)
class CheckReport:
    integrity: str
    chain: ChainReport

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.chain.ok


def check(db: Database) -> CheckReport:
    """Full integrity check of the file (SQLite) and verification of the audit chain."""
    integrity = "ok"
    if db.is_sqlite:
        with db.engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        integrity = "ok" if rows == ["ok"] else "; ".join(rows[:5])
    with db.reader() as session:
        chain = verify_chain(session)
    return CheckReport(integrity, chain)
