"""The engine of a database: its URL, the SQLite pragmas and write hooks, SQLCipher and PostgreSQL
connections, the checks made before a file is touched, and the clerk's words for storage failures."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import cipher
from zhiqian_desktop.store.file_uri import absolute, path_of_file_uri, sqlite_file_uri
from zhiqian_desktop.store.network_drive import refuse_network_database
from zhiqian_desktop.store.private import create_private

SQLITE_MAGIC = b"SQLite format 3\x00"
READ_ONLY_OPTION = "zhiqian_read_only"
OUR_TABLES = frozenset({"supervision_case", "court_settings", "audit_event"})
# PostgreSQL: every write transaction first takes this transaction-level advisory lock, so writers
# run one at a time as they do on SQLite (BEGIN IMMEDIATE). The services read, check and then
# write (duplicate checks, the audit chain's head, case numbers) and stay correct only so; the
# team's write rate makes the queue short. Readers never take it.
WRITE_LOCK_KEY = 0x5A51_4450  # "ZQDP"
PG_LOCK_TIMEOUT_MS = 15000
CIPHER_CACHE_KIB = 96 * 1024  # page cache of a connection to an encrypted database


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{absolute(path).as_posix()}"


def encrypted_url(path: Path) -> str:
    """The URL of an encrypted (SQLCipher) database file. It carries no key: the key stays in
    store.cipher's memory, so the URL may be shown, logged and remembered."""
    return f"sqlite+{cipher.CIPHER_DRIVER}:///{absolute(path).as_posix()}"


def is_encrypted_url(url: str) -> bool:
    return make_url(url).get_driver_name() == cipher.CIPHER_DRIVER


def effective_url(url: str) -> str:
    """`url`, or its encrypted form when the file it names is an SQLCipher database (a clerk's
    --db PATH or the remembered location says nothing about encryption)."""
    path = sqlite_file(url)
    if path is None or is_encrypted_url(url):
        return url
    if path.exists() and not cipher.is_plain(path) and cipher.looks_encrypted(path):
        return encrypted_url(path)
    return url


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL, also for a `sqlite:///file:PATH?mode=ro&uri=true` URI."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    database = parsed.database
    if database == ":memory:" or "mode=memory" in database:
        return None
    if database.startswith("file:") and str(parsed.query.get("uri", "")).lower() == "true":
        database = path_of_file_uri(database)
    return Path(database)


STORAGE_ERRORS = (
    (
        "database or disk is full",
        "磁盘空间已满，刚才的修改没有保存（已保存的数据不受影响）；"
        "请清理磁盘或把数据移到空间充足的位置后重试",
    ),
    (
        "attempt to write a readonly database",
        "数据库是只读的（文件或其所在目录不允许写入，或以只读方式打开），刚才的修改没有保存；"
        "请检查文件权限，或把数据库复制到可写的位置后再打开",
    ),
    (
        "unable to open database file",
        "无法写入数据库文件所在目录，刚才的修改没有保存；请检查目录权限和磁盘空间",
    ),
    (
        "disk I/O error",
        "读写磁盘出错，刚才的修改没有保存；请检查磁盘或移动存储设备是否已拔出，然后重试",
    ),
    (
        "database is locked",
        "数据库正被其他程序或窗口占用，刚才的修改没有保存；请稍后重试",
    ),
    # PostgreSQL (a court server): the messages of the server and of psycopg.
    (
        "lock timeout",
        "服务器上的数据库正被其他电脑长时间占用，刚才的修改没有保存；请稍后重试",
    ),
    (
        "No space left on device",
        "数据库服务器的磁盘空间已满，刚才的修改没有保存；请联系信息技术人员清理服务器磁盘",
    ),
    (
        "could not extend file",
        "数据库服务器的磁盘空间已满，刚才的修改没有保存；请联系信息技术人员清理服务器磁盘",
    ),
    (
        "read-only transaction",
        "服务器上的数据库当前只允许读取，刚才的修改没有保存；请联系信息技术人员",
    ),
    (
        "server closed the connection",
        "与数据库服务器的连接中断，刚才的修改没有保存；请检查网络后重试",
    ),
    (
        "terminating connection",
        "与数据库服务器的连接被服务器断开，刚才的修改没有保存；请稍后重试",
    ),
    (
        "connection failed",
        "无法连接数据库服务器，刚才的修改没有保存；请检查网络和服务器地址后重试",
    ),
    (
        "consuming input failed",
        "与数据库服务器的连接中断，刚才的修改没有保存；请检查网络后重试",
    ),
)


class StorageError(UserError):
    """The machine refused a write (disk full, read-only, locked); nothing saved was lost."""


class DamagedDatabase(UserError):
    """The file is damaged or not a database; the way out is restoring a backup."""


def storage_error(exc: BaseException) -> StorageError | None:
    """The clerk's message for an environment failure of SQLite, or None for anything else."""
    text = str(getattr(exc, "orig", None) or exc)
    for needle, message in STORAGE_ERRORS:
        if needle in text:
            return StorageError(message)
    return None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # pysqlite's own transaction handling issues a deferred BEGIN; switch it off so that
        # every write transaction starts with BEGIN IMMEDIATE (see the begin hook below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 15000")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and str(mode[0]).lower() not in {"wal", "memory"}:
            raise UserError(
                f"数据库无法切换到 WAL 模式（当前 {mode[0]}）；请检查文件所在目录是否可写"
            )
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is
        # locked" under WAL; IMMEDIATE takes the write lock up front and honours busy_timeout.
        # Read-only sessions (Database.reader) begin deferred so they never wait for a writer.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


KNOWN_BACKENDS = frozenset({"sqlite", "postgresql"})


def check_url(url: str) -> str:
    """Refuse a database address that is not one: unreadable, or a kind of database the app
    does not work with (an SQLite file or a PostgreSQL server)."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise UserError(
            f"数据库地址“{url}”无法识别；应为 postgresql+psycopg://用户@服务器/数据库，"
            "或用 --db 指定本机数据库文件"
        ) from None
    if backend not in KNOWN_BACKENDS:
        raise UserError(
            f"数据库地址“{url}”指向的数据库类型（{backend}）本程序不支持；"
            "请使用本机数据库文件或 PostgreSQL 服务器"
        )
    return url


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy's default driver would be psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


SQLITE_MAX_PATH_BYTES = 512
"""The longest file name SQLite's Unix file layer opens (MAX_PATHNAME), in UTF-8 bytes."""


def check_path_length(path: Path) -> None:
    """A database SQLite could not open (or whose -journal it could not make) for the length of its
    path is refused with that reason, not reported as a damaged file."""
    size = len(os.fsencode(path.absolute())) + len("-journal")
    if size > SQLITE_MAX_PATH_BYTES:
        raise UserError(
            f"数据库文件的路径太长（{size} 字节，SQLite 最多能打开 {SQLITE_MAX_PATH_BYTES} 字节；"
            f"每个汉字占 3 字节）：“{path}”；请把数据库放到路径较短的文件夹中，如 D:\\执前督促\\zhiqian.db"
        )


def check_regular_file(path: Path) -> None:
    """A database is a regular file: SQLite would open a device or a pipe and write its journal
    beside it (/dev/null-journal), or block on it."""
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        kind = "文件夹" if path.is_dir() else "设备、管道或其他特殊文件"
        raise UserError(f"“{path}”是{kind}，不是数据库文件；未作任何改动，请指定数据库文件（.db）")


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before anything touches it."""
    check_regular_file(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != SQLITE_MAGIC:
        if cipher.looks_encrypted(path):
            cipher.dbapi()  # without sqlcipher3: say so, not "damaged"
            raise cipher.PassphraseRequired(path)
        raise DamagedDatabase(
            f"文件“{path}”不是本系统的数据库（可能已损坏或是其他类型的文件）；"
            "文件未作任何改动，请从最近的备份恢复（zhiqian restore 备份文件）或指定正确的数据库"
        )


FOREIGN_DATABASE = (
    "该数据库不是执前督促系统的数据库（其中没有案件台账）；文件未作任何改动，请指定正确的数据库文件"
)
DAMAGED_DATABASE = "数据库文件已损坏：{}；文件未作任何改动，请用“恢复备份”从最近的完好备份恢复"


def inspect_sqlite_file(path: Path) -> None:
    """Refuse an existing file that is not ours or is damaged, before an engine touches it.

    The file is looked at through a read-only connection: the engine's first statement
    (PRAGMA journal_mode = WAL) rewrites the header of a file in rollback-journal mode, so a
    foreign database would be changed before it could be refused.
    """
    check_sqlite_file(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(20)
    # Bytes 18-19 are 2 in WAL mode; only then does opening the file leave the header alone.
    rollback_mode = header[18:20] != b"\x02\x02"
    try:
        conn = sqlite3.connect(
            sqlite_file_uri(absolute(path), read_only=True), uri=True, timeout=15
        )
        try:
            names = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            rows = [r[0] for r in conn.execute("PRAGMA quick_check")] if rollback_mode else ["ok"]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabase(DAMAGED_DATABASE.format(exc)) from exc
    if rows != ["ok"]:
        raise DamagedDatabase(DAMAGED_DATABASE.format(rows[0]))
    if names and not names & OUR_TABLES:
        raise UserError(FOREIGN_DATABASE)


def inspect_encrypted_file(path: Path) -> None:
    """The encrypted counterpart of inspect_sqlite_file: the key must be known and open the file.

    A new (missing or empty) file needs a key too: creating one is the caller's explicit choice
    (store.cipher.remember with a new key)."""
    check_regular_file(path)
    cipher.dbapi()
    key = cipher.key_for(path)
    if key is None:
        raise cipher.PassphraseRequired(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    if cipher.is_plain(path):
        raise UserError(
            f"数据库“{path}”没有加密，不能按加密数据库打开；请去掉加密选项，"
            "或用 zhiqian encrypt 先把它转为加密数据库"
        )
    if not cipher.key_opens(path, key):
        if cipher.known_damaged(path):
            raise DamagedDatabase(
                DAMAGED_DATABASE.format("口令正确（能解开其备份），但数据库文件本身无法解开")
            )
        cipher.forget(path)
        raise cipher.WrongPassphrase(path)
    module = cipher.dbapi()
    try:
        conn = cipher.connect(path, key, read_only=True)
        try:
            names = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except module.DatabaseError as exc:
        raise DamagedDatabase(DAMAGED_DATABASE.format(exc)) from exc
    if names and not names & OUR_TABLES:
        raise UserError(FOREIGN_DATABASE)


def _create_encrypted_engine(url: str) -> Engine:
    path = sqlite_file(url)
    if path is None:
        raise UserError("加密数据库只能是本机的数据库文件")
    module = cipher.dbapi()
    if not path.parent.exists():
        raise UserError(f"数据库所在目录“{path.parent}”不存在；请先创建该目录或另选位置")
    refuse_network_database(path)
    key = cipher.key_for(path)
    if key is None:
        raise cipher.PassphraseRequired(path)
    create_private(path)
    # The key rides in the engine's URL password, which SQLAlchemy's pysqlcipher dialect sends
    # as the connection's first statement (PRAGMA key). It is hex only (no quoting trouble) and
    # SQLAlchemy hides URL passwords whenever it prints a URL; Database.url never has it.
    keyed = make_url(url).set(password=key)
    engine = create_engine(
        keyed,
        module=module,
        # The dialect's default (one connection per thread, never more than five threads) would
        # close a worker's connection under it; pool file connections as plain SQLite does.
        poolclass=QueuePool,
        connect_args={"timeout": 15},
    )
    _configure_sqlite(engine)

    @event.listens_for(engine, "connect")
    def _page_cache(dbapi_conn: Any, _record: Any) -> None:
        # Pages are decrypted on their way into SQLite's page cache, so the operating system's
        # file cache holds only ciphertext: a larger cache (the default is 2 MiB) keeps the
        # docket's indexes decrypted between queries. Memory is taken only as pages are read.
        dbapi_conn.execute(f"PRAGMA cache_size = -{CIPHER_CACHE_KIB}")

    return engine


def file_engine(path: Path, *, read_only: bool = False) -> Engine:
    """An engine on a database file worked on as a whole (a copy being trimmed, a kit's base),
    without the app's pragmas and write hooks. An encrypted file opens with the key remembered
    for it or for the database it was copied from."""
    if path.exists() and not cipher.is_plain(path) and cipher.looks_encrypted(path):
        module = cipher.dbapi()
        key = cipher.key_for(path)
        if key is None:
            raise cipher.PassphraseRequired(path)
        keyed = make_url(encrypted_url(path)).set(password=key)
        return create_engine(keyed, module=module, poolclass=QueuePool)
    if read_only:
        return create_engine(
            f"sqlite:///{sqlite_file_uri(absolute(path), read_only=True)}&uri=true"
        )
    return create_engine(sqlite_url(path))


def create_database_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_driver_name() == cipher.CIPHER_DRIVER:
        return _create_encrypted_engine(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            check_sqlite_file(path)
            if not path.parent.exists():
                raise UserError(f"数据库所在目录“{path.parent}”不存在；请先创建该目录或另选位置")
            if not parsed.query.get("mode"):  # not a read-only URI
                refuse_network_database(path)
                create_private(path)
        engine = create_engine(url, connect_args={"timeout": 15})
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            normalise_url(url),
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": 10,
                "application_name": "zhiqian-desktop",
                # A writer waits for another desk's transaction at most this long (like SQLite's
                # busy_timeout), then the clerk is told to retry.
                "options": f"-c lock_timeout={PG_LOCK_TIMEOUT_MS}",
            },
        )
        _configure_postgresql(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def table_names(engine: Engine) -> set[str]:
    try:
        return set(inspect(engine).get_table_names())
    except DatabaseError as exc:
        if engine.dialect.name != "sqlite":
            raise UserError(server_error_message(exc)) from exc
        raise DamagedDatabase(
            f"无法读取数据库：{exc.orig}；文件未作任何改动，请从最近的备份恢复"
        ) from exc


def quick_check(engine: Engine) -> None:
    """PRAGMA quick_check on open; a damaged file is reported with the way out, never repaired."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as conn:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
    except (DatabaseError, OperationalError) as exc:
        raise DamagedDatabase(
            f"数据库文件已损坏：{exc.orig}；文件未作任何改动，请用“恢复备份”从最近的完好备份恢复"
        ) from exc
    if rows != ["ok"]:
        raise DamagedDatabase(
            f"数据库完整性检查未通过（{rows[0]}）；文件未作任何改动，请用“恢复备份”从最近的完好备份恢复"
        )


def server_error_message(exc: BaseException) -> str:
    """What a clerk (or the IT staff) can do when the court server cannot be reached or used."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if "password authentication failed" in first or "no password supplied" in first:
        return "无法登录数据库服务器：用户名或密码不正确；请在“数据库位置”中重新填写，或联系信息技术人员"
    if "does not exist" in first and "database" in first:
        return f"数据库服务器上没有这个数据库（{first}）；请核对数据库名，或请信息技术人员先创建"
    if "permission denied" in first:
        return f"数据库服务器拒绝了操作（{first}）；请信息技术人员检查该用户的权限"
    return (
        f"无法连接数据库服务器：{first}；请检查网络、服务器地址和端口，"
        "或联系信息技术人员确认数据库服务已启动"
    )
