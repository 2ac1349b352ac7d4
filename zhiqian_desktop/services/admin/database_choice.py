"""Which database this computer uses: a local file (本机数据库) or the court server (法院服务器).

The choice lives in `database.ini` in the user data directory (readable by QSettings in IniFormat
as well). The server password never goes into that file: when the clerk asks to remember it, it
is written to a PostgreSQL password file (libpq's pgpass format, readable only by this user) in
the same directory, and the connection URL names that file with libpq's `passfile` parameter.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store import renames
from zhiqian_desktop.store.engine import (
    OUR_TABLES,
    READ_ONLY_OPTION,
    check_url,
    create_database_engine,
    server_error_message,
    sqlite_url,
)
from zhiqian_desktop.store.locations import data_dir, default_database_path

CONFIG_NAME = "database.ini"
PASSFILE_NAME = "pgpass.conf"
LOCAL, SERVER = "local", "server"


@dataclass
class DatabaseChoice:
    mode: str = LOCAL
    path: str = ""  # empty: the default file in the user data directory
    host: str = ""
    port: int = 5432
    database: str = "zhiqian"
    user: str = ""

    def check(self) -> None:
        if self.mode == SERVER:
            for value, what in (
                (self.host, "服务器地址"),
                (self.database, "数据库名"),
                (self.user, "用户名"),
            ):
                if not value.strip():
                    raise UserError(f"请填写{what}", field=what)
            if not 0 < self.port < 65536:
                raise UserError("端口应在 1 到 65535 之间（PostgreSQL 默认 5432）", field="端口")
        elif self.mode != LOCAL:
            raise UserError(f"未知的数据库位置“{self.mode}”")


def config_path() -> Path:
    return data_dir() / CONFIG_NAME


def passfile_path() -> Path:
    return data_dir() / PASSFILE_NAME


def load_choice() -> DatabaseChoice | None:
    """The saved choice, or None when none was made (the default file is used)."""
    path = config_path()
    if not path.exists():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    if not parser.has_section("database"):
        return None
    section = parser["database"]
    try:
        port = int(section.get("port", "5432"))
    except ValueError:
        port = 5432
    return DatabaseChoice(
        mode=section.get("mode", LOCAL),
        path=section.get("path", ""),
        host=section.get("host", ""),
        port=port,
        database=section.get("database", "zhiqian"),
        user=section.get("user", ""),
    )


def save_choice(choice: DatabaseChoice, password: str | None = None) -> None:
    """Write the choice; a server password is remembered (in the password file) when given."""
    choice.check()
    parser = configparser.ConfigParser(interpolation=None)
    parser["database"] = {
        "mode": choice.mode,
        "path": choice.path,
        "host": choice.host.strip(),
        "port": str(choice.port),
        "database": choice.database.strip(),
        "user": choice.user.strip(),
    }
    path = config_path()
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        parser.write(fh)
    renames.replace(tmp, path)
    if choice.mode == SERVER and password:
        remember_password(choice, password)


def _pgpass_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def remember_password(choice: DatabaseChoice, password: str) -> None:
    """Keep the password in the pgpass file (one line per server/database/user), mode 0600."""
    key = ":".join(
        _pgpass_field(v) for v in (choice.host, str(choice.port), choice.database, choice.user)
    )
    path = passfile_path()
    lines = []
    if path.exists():
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith(key + ":")
        ]
    lines.append(f"{key}:{_pgpass_field(password)}")
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    renames.replace(tmp, path)


def forget_password(choice: DatabaseChoice) -> None:
    path = passfile_path()
    if not path.exists():
        return
    key = ":".join(
        _pgpass_field(v) for v in (choice.host, str(choice.port), choice.database, choice.user)
    )
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith(key + ":")
    ]
    path.write_text("\n".join(kept) + ("\n" if kept else ""), encoding="utf-8")


def server_url(choice: DatabaseChoice, password: str | None = None) -> str:
    """The SQLAlchemy URL of the server; without `password`, libpq reads the password file."""
    query = {} if password else {"passfile": str(passfile_path())}
    return URL.create(
        "postgresql+psycopg",
        username=choice.user.strip(),
        password=password or None,
        host=choice.host.strip(),
        port=choice.port,
        database=choice.database.strip(),
        query=query,
    ).render_as_string(hide_password=False)


def url_of(choice: DatabaseChoice, password: str | None = None) -> str:
    if choice.mode == SERVER:
        return server_url(choice, password)
    return sqlite_url(Path(choice.path).expanduser() if choice.path else default_database_path())


def configured_url() -> str | None:
    """The database URL this computer was set to use, or None (then the default file)."""
    choice = load_choice()
    if choice is None:
        return None
    try:
        choice.check()
    except UserError:
        return None
    return url_of(choice)


def describe(url: str) -> str:
    """Where the data is, without the password (for the status bar and messages)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return f"{parsed.username}@{parsed.host}:{parsed.port or 5432}/{parsed.database}"


def test_connection(url: str) -> str:
    """Connect once and say what is there; a failure is a UserError the clerk can act on."""
    engine = create_database_engine(url)
    try:
        # Read-only: the check must not queue behind another desk's write (store.database).
        with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
            names = set(
                conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).scalars()
            )
            cases = None
            if "supervision_case" in names:
                cases = conn.execute(
                    text("SELECT count(*) FROM supervision_case WHERE deleted_at IS NULL")
                ).scalar()
    except DBAPIError as exc:
        raise UserError(server_error_message(exc)) from exc
    finally:
        engine.dispose()
    if cases is not None:
        return f"连接成功：PostgreSQL {version}，已有执前督促数据（{cases} 件案件）"
    if names and not names & OUR_TABLES:
        raise UserError(
            "连接成功，但该数据库里有其他程序的数据表；请使用专门为执前督促建立的空数据库"
        )
    return f"连接成功：PostgreSQL {version}，数据库为空，首次打开时将自动建立数据表"


def resolve_url(db_path: str | Path | None = None, database_url: str | None = None) -> str:
    """--db PATH or --database-url URL, else the default file in the user data directory."""
    if db_path and database_url:
        raise UserError("--db 与 --database-url 只能指定其一")
    if database_url:
        return check_url(database_url)
    if not db_path:
        # The choice made in 设置 > 数据库位置 (this computer or the court server).
        chosen = configured_url()
        if chosen:
            return chosen
    path = Path(db_path) if db_path else default_database_path()
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(
            f"数据库文件的路径“{str(path).encode('utf-8', 'replace').decode()}”含有无法识别的字符"
            "（不是 UTF-8 编码）；请把文件或文件夹改用中文或英文名后再指定"
        ) from None
    return sqlite_url(path)
