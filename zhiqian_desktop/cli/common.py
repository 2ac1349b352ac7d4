"""What every command shares: the parser's Chinese headings, opening the database (its
passphrase, its first-use checks), who acts, printing tables and dates, and the one-line error.

A command is declared where it is implemented, as a ``Command``: its name, its help line, the
function that adds its options and the function that runs it. ``with_database`` turns a
handler ``(db, actor, args)`` into such a run function: it opens the database the options name,
finds who acts (cli/login.py) and closes the database afterwards.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from zhiqian_desktop.cli import login
from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.errors import one_line
from zhiqian_desktop.domain.errors import UserError

if TYPE_CHECKING:  # the services (and SQLAlchemy) load only when a command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database

log = logging.getLogger("zhiqian_desktop.cli")

PROG = "zhiqian"
INIT_HINT = "请先运行 zhiqian init --court-name 法院名称 --court-code 法院代字（如 内0221）"
PASSPHRASE_ENV = "ZHIQIAN_PASSPHRASE"
NEW_PASSPHRASE_ENV = "ZHIQIAN_NEW_PASSPHRASE"
PASSPHRASE_TRIES = 3
MAX_LIMIT = 1_000_000
MAX_DEMO_CASES = 200_000

Run = Callable[[argparse.Namespace], int]
Handler = Callable[["Database", "Actor", argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One `zhiqian` command: its name, its help line, its options and what runs it."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None] | None
    run: Run


# --- parsing ---------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse with its help headings and one-line complaint in Chinese; usage errors exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本说明并退出"
            )

    def error(self, message: str) -> NoReturn:
        # One line, like every other error; the usage is one --help away.
        self.exit(
            2,
            f"{self.prog}：用法错误：{one_line(message)}（用 {self.prog} --help 查看说明）\n",
        )


def database_options() -> Parser:
    """--db, --database-url, --user and --password, for the parser every command shares."""
    # SUPPRESS keeps a value given before the command from being reset by the sub-parser's default.
    common = Parser(add_help=False)
    group = common.add_argument_group("数据库")
    group.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="数据库文件（默认在用户数据目录）"
    )
    group.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="数据库地址，如 postgresql+psycopg://user@host/zhiqian",
    )
    login.add_login_options(common)
    return common


# --- output ----------------------------------------------------------------------------------


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - text_width(text))
    return fill + text if right else text + fill


def clip(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text
    out = ""
    for c in text:
        if text_width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()
) -> None:
    """A plain text table that lines up Chinese (double-width) and Latin characters."""
    widths = [text_width(h) for h in headers]
    for row in rows:
        widths = [max(w, text_width(c)) for w, c in zip(widths, row, strict=True)]
    lines = [headers, ["-" * w for w in widths], *rows]
    for n, row in enumerate(lines):
        cells = [
            pad(c, w, i in right and n != 1)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(text: str, what: str) -> date:
    """A date as a clerk writes it: 2025-09-16, 2025/9/16, 2025.9.16 or 2025年9月16日."""
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        raise UserError(f"{what}“{text}”格式不正确；请写作 年-月-日，如 2025-09-16")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise UserError(f"{what}“{text}”不是有效日期；请核对月份和日期，如 2025-09-16") from None


def option_day(text: str | None, option: str) -> date | None:
    """The day an option such as --date names (YYYY-MM-DD); None when it is not given."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{option} “{text}”不是有效日期；请写成 YYYY-MM-DD，如 2026-11-25"
        ) from None


def error(message: str, stream: TextIO | None = None) -> None:
    print(f"{PROG}：错误：{one_line(message)}", file=stream or sys.stderr)


# --- opening the database --------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    from zhiqian_desktop.services.admin.database_choice import resolve_url

    return resolve_url(getattr(args, "db", None), getattr(args, "database_url", None))


def sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def ask_passphrase(path: Path, *, new: bool, env: str = PASSPHRASE_ENV) -> str:
    """The passphrase from the environment (ZHIQIAN_PASSPHRASE), else typed at the terminal
    (never echoed; a new one twice)."""
    import getpass

    from zhiqian_desktop.store import cipher

    given = os.environ.get(env)
    if given:
        if new:
            cipher.check_passphrase(given)
        return given
    if not sys.stdin.isatty():
        if new:
            raise UserError(
                f"设置数据库口令需要输入口令；请设置环境变量 {env}，或在终端中运行以便输入口令"
            )
        raise cipher.PassphraseRequired(path)
    if not new:
        return getpass.getpass(f"数据库“{path}”的口令：")
    print(f"为新数据库设置口令（至少 {cipher.MIN_PASSPHRASE} 个字符）。{cipher.LOST_PASSPHRASE}。")
    first = getpass.getpass("口令：")
    cipher.check_passphrase(first)
    if getpass.getpass("再次输入口令：") != first:
        raise UserError("两次输入的口令不一致；数据库没有创建，请重新运行并仔细输入")
    return first


def unlocked_database_url(args: argparse.Namespace) -> str:
    """The database URL with its key remembered when the file is encrypted (asked for here);
    with --encrypt, a new encrypted database's key."""
    from zhiqian_desktop.store import cipher
    from zhiqian_desktop.store.engine import encrypted_url

    url = database_url(args)
    path = sqlite_path(url)
    if getattr(args, "encrypt_new_database", False):
        if path is None:
            raise UserError(
                "--encrypt 只适用于本机数据库文件；服务器数据库的加密请由信息技术人员配置"
            )
        if path.exists() and path.stat().st_size > 0:
            raise UserError(
                f"数据库文件“{path}”已存在；--encrypt 只用于新建数据库，"
                "已有的数据库请用 zhiqian encrypt 转为加密数据库"
            )
        cipher.dbapi()
        cipher.remember(path, cipher.new_key(ask_passphrase(path, new=True)))
        return encrypted_url(path)
    return unlock_url(url)


def unlock_url(url: str) -> str:
    """`url`, its key remembered when it names an encrypted database file (the passphrase from
    ZHIQIAN_PASSPHRASE or asked at the terminal, up to three times)."""
    from zhiqian_desktop.services.admin import encryption
    from zhiqian_desktop.store import cipher
    from zhiqian_desktop.store.engine import effective_url, is_encrypted_url

    url = effective_url(url)
    path = sqlite_path(url)
    if path is None or not is_encrypted_url(url) or cipher.key_for(path) is not None:
        return url
    cipher.dbapi()
    interactive = not os.environ.get(PASSPHRASE_ENV)
    for attempt in range(1, PASSPHRASE_TRIES + 1):
        try:
            encryption.unlock(path, ask_passphrase(path, new=False))
            return url
        except cipher.WrongPassphrase as exc:
            if not interactive or attempt == PASSPHRASE_TRIES:
                raise
            print(exc.message, file=sys.stderr)
    return url


def _take_in_template_files(db: Database) -> None:
    """The court's template files of an earlier version, into the database (once; logged)."""
    from zhiqian_desktop.store.locations import legacy_templates_dir

    if not legacy_templates_dir().is_dir():  # nearly always: no need to load the printing
        return
    from zhiqian_desktop.services.supervision.templates import take_in_court_files

    try:
        take_in_court_files(db)
    except UserError as exc:  # a read-only or busy database: tried again next time
        log.warning("本院文书模板文件未能存入数据库：%s", exc.message)


@contextmanager
def opened(
    args: argparse.Namespace,
    *,
    initialised: bool = True,
    create: bool = False,
    check: bool = True,
) -> Iterator[Database]:
    """The database the command works on; a missing file is never created by mistake.

    ``check``: run SQLite's quick_check first (every page of the file: seconds on a large
    docket, and minutes from a cold disk). Commands that change data ask for it, so nothing is
    written into a damaged file; reads do not: a damaged page they touch fails the read itself,
    and the whole file is checked by ``zhiqian check``, by every backup and in the desktop's
    background (docs/data-safety.md).
    """
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core.settings import is_initialized

    url = database_url(args)
    path = sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise UserError(f"数据库文件“{path}”不存在；{INIT_HINT}，或用 --db 指定已有的数据库文件")
    url = unlocked_database_url(args)
    db = open_app_database(url, check=check)
    try:
        if initialised:
            if not is_initialized(db):
                raise UserError(f"数据库“{db.location}”尚未初始化；{INIT_HINT}")
            # Every day a command proposes or prints is a day in the court's time zone.
            CLOCK.use_zone_of(db)
            login.require_login(args, db)
            _take_in_template_files(db)
        yield db
    finally:
        db.dispose()


def with_database(
    handler: Handler, *, write: bool | Callable[[argparse.Namespace], bool] = True
) -> Run:
    """Run ``handler(db, actor, args)`` on the database the options name, as the user who logged
    in (``write``: whether the command changes data, so that an anonymous run is refused)."""

    def run(args: argparse.Namespace) -> int:
        changes = write(args) if callable(write) else write
        with opened(args, check=changes) as db:
            return handler(db, login.acting_user(args, db, write=changes), args)

    return run


def choices_text(enum: Any) -> str:
    """A labelled enum's choices as an option's help and its error list them: code and label."""
    return "、".join(f"{m.value} {m.label}" for m in enum)


def enum_option(enum: Any, text: str, option: str) -> Any:
    """The member an option names by its code or its Chinese label, or one line saying the
    choices."""
    try:
        return enum.from_label(text.strip())
    except ValueError:
        raise UserError(f"{option} “{text}”不正确；可选：{choices_text(enum)}") from None
