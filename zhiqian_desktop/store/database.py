"""An open database: unit-of-work and read-only sessions, and opening (creating, checking and
migrating) the database at a URL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from zhiqian_desktop.domain.errors import StaleEditError, UserError
from zhiqian_desktop.store.backup import backup_name, backup_to
from zhiqian_desktop.store.engine import (
    FOREIGN_DATABASE,
    OUR_TABLES,
    READ_ONLY_OPTION,
    StorageError,
    check_path_length,
    create_database_engine,
    effective_url,
    inspect_encrypted_file,
    inspect_sqlite_file,
    is_encrypted_url,
    quick_check,
    server_error_message,
    sqlite_file,
    storage_error,
    table_names,
)
from zhiqian_desktop.store.files import FileStore, file_store_for
from zhiqian_desktop.store.locations import attachments_dir, backups_dir
from zhiqian_desktop.store.migrations import upgrade
from zhiqian_desktop.store.network_drive import refuse_network_database
from zhiqian_desktop.store.outputs import unwatch_database, watch_database
from zhiqian_desktop.store.private import make_database_private
from zhiqian_desktop.store.seals import keep_sealed
from zhiqian_desktop.store.types import utcnow

DATABASE_KEY = "zhiqian.database"
"""Where a session of a Database keeps it (``Session.info``)."""


class DatabaseFileGone(StorageError):
    """The file under an open database was deleted or replaced: a commit would go nowhere."""


FileIdentity = tuple[int, int]


def file_identity(path: Path | None) -> FileIdentity | None:
    """(st_dev, st_ino) of the file, or None when there is none."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@dataclass
class Database:
    """An open database: the engine, a session factory, and where it lives."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session] = field(init=False)
    identity: FileIdentity | None = field(init=False, default=None)
    """The database file as it was opened (SQLite): a commit checks it is still that file."""
    watched: Path | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # Every session knows its database, so a use case given a session finds the file store.
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={DATABASE_KEY: self})
        keep_sealed(self.sessions)
        path = self.path
        if path is not None:
            watch_database(path)
            self.watched = path
            self.identity = file_identity(path)

    def check_same_file(self) -> None:
        """Refuse to commit when the file this database was opened on was deleted or replaced
        since: SQLite would go on writing into the removed file and the change would be lost
        without a word."""
        path = self.path
        if path is None:
            return
        now = file_identity(path)
        if self.identity is None:
            self.identity = now
            return
        if now == self.identity:
            return
        happened = "被删除" if now is None else "被替换（换成了另一个文件）"
        raise DatabaseFileGone(
            f"数据库文件“{path}”在程序打开之后{happened}，刚才的修改没有保存；"
            "请关闭程序，确认数据库文件的位置和内容（必要时从备份恢复）后重新打开"
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return sqlite_file(self.url)

    @property
    def files(self) -> FileStore:
        """Where the contents of its attachments and issued PDFs are kept (store/files.py)."""
        return file_store_for(self.url)

    @property
    def location(self) -> str:
        """Where the data is, for the status bar: a file path or the server without password."""
        path = self.path
        if path is not None:
            return str(path)
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, rolled back on any error.

        A full disk, a read-only file or a lock held too long becomes a StorageError with a
        message the clerk can act on; the transaction is rolled back, so nothing is half saved.
        """
        try:
            with self.sessions() as session, session.begin():
                yield session
                self.check_same_file()
        except (OperationalError, sqlite3.OperationalError) as exc:
            mapped = storage_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        except StaleDataError as exc:
            # The version counter moved between loading and saving (another desk saved first):
            # the UPDATE matched no row. Nothing was written; the clerk's form keeps the input.
            raise StaleEditError(
                "这条记录在您打开之后已被他人修改并保存；您的输入仍保留在窗口中，请刷新后重新核对再保存"
            ) from exc

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading only: under WAL it sees a snapshot and never blocks on a writer.

        On PostgreSQL it is a read-only REPEATABLE READ transaction: one snapshot for all its
        queries (a page of the docket and its count agree), and it takes no write lock.
        """
        options: dict[str, Any] = {READ_ONLY_OPTION: True}
        if self.engine.dialect.name == "postgresql":
            options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with self.sessions(bind=self.engine.execution_options(**options)) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.watched is not None:
            unwatch_database(self.watched)
            self.watched = None


def database_of(session: Session) -> Database:
    """The Database a session was opened on (its file store, its location)."""
    db = session.info.get(DATABASE_KEY)
    if not isinstance(db, Database):
        raise TypeError("this session was not opened through a Database (Database.sessions)")
    return db


def open_database(
    url: str, *, backup_dir: Path | None = None, migrate: bool = True, check: bool = True
) -> Database:
    """Open (and, if needed, create and migrate) the database at `url`.

    A file that is not ours, or is damaged, is reported and left untouched. An existing schema is
    backed up into `backup_dir` before any migration.
    """
    url = effective_url(url)
    file = sqlite_file(url)
    if file is not None:
        check_path_length(file)
        if not make_url(url).query.get("mode"):  # before anything opens it, even to look
            refuse_network_database(file)
        if is_encrypted_url(url):
            inspect_encrypted_file(file)
        else:
            inspect_sqlite_file(file)
    engine = create_database_engine(url)
    try:
        # `check=False` is for the desktop start, which runs quick_check in the background once
        # the window shows (seconds on a large docket), and for the command line's reads; the
        # header and schema are read here anyway (docs/data-safety.md says where checks run).
        if check:
            quick_check(engine)
        names = table_names(engine)
        if names and not names & OUR_TABLES:
            raise UserError(FOREIGN_DATABASE)
        db = Database(url, engine)
        if migrate:
            path = db.path

            def take_backup() -> None:
                # Never migrate a damaged file: quick_check of the database above, else of the
                # backup's copy (the same bytes), else of the database itself.
                if path is not None and backup_dir is not None:
                    stamp = utcnow().astimezone().replace(tzinfo=None)
                    name = backup_name(stamp, "before-migration")
                    backup_to(path, backup_dir / name, check=not check)
                elif not check:
                    quick_check(engine)

            upgrade(engine, take_backup)
    except OperationalError as exc:
        engine.dispose()
        if file is None and engine.dialect.name == "postgresql":
            raise UserError(server_error_message(exc)) from exc
        raise storage_error(exc) or UserError(
            f"无法打开数据库：{exc.orig}；请检查文件位置、磁盘空间和权限"
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    if file is not None:
        make_database_private(file, (attachments_dir(file), backups_dir(file)))
    return db
