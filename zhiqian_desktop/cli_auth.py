"""Command-line login (--user/--password, environment, token), and the restore, check, token and
passwd commands that need it.

Who a command acts as, in this order:

1. ``ZHIQIAN_TOKEN``: a token made by ``zhiqian token`` (for scripts; expires, and changing the
   password revokes it);
2. ``--user NAME`` or ``ZHIQIAN_USER``, with ``--password`` or ``ZHIQIAN_PASSWORD``; without a
   password on a terminal, it is asked for (not echoed);
3. nobody given: on a database whose first administrator has no password (a clerk's own PC set
   up without one) that administrator; otherwise reading commands run as an anonymous read-only
   user and writing commands are refused with a message saying how to log in.

Failed logins count towards the lock-out exactly as in the desktop app.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from zhiqian_desktop.cli_values import bounded
from zhiqian_desktop.domain.errors import PermissionDenied, UserError
from zhiqian_desktop.domain.kinds import Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zhiqian_desktop.services.actor import Actor
    from zhiqian_desktop.store.database import Database

ENV_TOKEN = "ZHIQIAN_TOKEN"
ENV_USER = "ZHIQIAN_USER"
ENV_PASSWORD = "ZHIQIAN_PASSWORD"
ENV_NEW_PASSWORD = "ZHIQIAN_NEW_PASSWORD"
MAX_TOKEN_DAYS = 366

LOGIN_HINT = (
    "此命令会修改数据，需要登录：请加 --user 用户名（密码用 --password 或在提示时输入），"
    f"或设置环境变量 {ENV_USER} 和 {ENV_PASSWORD}，或用 zhiqian token 生成令牌后设置 {ENV_TOKEN}"
)


def add_login_options(parser: argparse.ArgumentParser) -> None:
    """--user and --password, for the parser every command shares."""
    group = parser.add_argument_group("登录")
    group.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"以该用户身份操作（也可用环境变量 {ENV_USER}）",
    )
    group.add_argument(
        "--password",
        metavar="PW",
        default=argparse.SUPPRESS,
        help=f"密码（建议改用环境变量 {ENV_PASSWORD} 或在提示时输入，以免留在命令历史中）",
    )


def _now() -> datetime:
    from zhiqian_desktop.store.types import utcnow

    return utcnow()


def _key(session: Session, *, create: bool = False) -> bytes:
    """The key that signs tokens: the audit key beside a database file, or the server's own
    (services/auth.py, made by the first `zhiqian token`)."""
    from zhiqian_desktop.services import audit, auth

    key = auth.token_key(session, create=create)
    if key is None:
        if audit.database_file(session) is None:
            # A server on which no token was ever made: nothing this token could be checked with.
            raise auth.LoginRefused(auth.BAD_TOKEN)
        raise UserError("此数据库没有审计密钥文件，不能使用令牌；请改用 --user 和密码登录")
    return key


def _password(args: argparse.Namespace, username: str) -> str:
    given = getattr(args, "password", None)
    if given is None:
        given = os.environ.get(ENV_PASSWORD)
    if given is None:
        if sys.stdin is not None and sys.stdin.isatty():
            return getpass.getpass(f"用户 {username} 的密码：")
        return ""
    return str(given)


def acting_user(args: argparse.Namespace, db: Database, *, write: bool = True) -> Actor:
    """The user the command acts as (see the module's docstring); UserError when refused."""
    from zhiqian_desktop.services import auth
    from zhiqian_desktop.services.actor import Actor
    from zhiqian_desktop.services.users import default_actor
    from zhiqian_desktop.store.models import User

    token = os.environ.get(ENV_TOKEN, "").strip()
    username = getattr(args, "user", None) or os.environ.get(ENV_USER, "").strip()
    if token and not username:
        with db.reader() as session:
            return auth.login_with_token(session, token, _key(session), _now())
    if username:
        password = _password(args, username)
        with db.unit_of_work() as session:
            return auth.login(session, username, password, _now())
    with db.reader() as session:
        admin = default_actor(session)
        user = session.get(User, admin.user_id) if admin.user_id else None
        if user is not None and user.password_hash is None and user.active:
            return admin
    if write:
        raise PermissionDenied(LOGIN_HINT)
    return Actor(None, "anonymous", "未登录用户", Role.READONLY)


# --- commands --------------------------------------------------------------------------------


def add_restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="备份文件；省略时用备份文件夹中最近的完好备份（须加 --latest）",
    )
    parser.add_argument(
        "--latest", action="store_true", help="用备份文件夹中最近的、通过完整性检查的备份"
    )


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup. The current database is backed up first; one that cannot be opened
    (damaged, not a database) is renamed aside instead, never overwritten."""
    from zhiqian_desktop import cli
    from zhiqian_desktop.services import maintenance
    from zhiqian_desktop.store.database import DamagedDatabase, sqlite_file

    url = cli._url(args)
    path = sqlite_file(url)
    if path is None:
        raise UserError("恢复只适用于本机数据库文件；服务器数据库请由信息技术人员恢复")
    if path.exists():
        # An encrypted database's backups open with its key: ask for the passphrase first.
        cli._unlocked_url(args)
    if getattr(args, "latest", False) and not getattr(args, "file", None):
        good = maintenance.newest_good_backup(path)
        if good is None:
            raise UserError(f"在“{path.parent / 'backups'}”中没有找到完好的备份")
        source = good.path
    elif getattr(args, "file", None):
        source = Path(args.file)
    else:
        raise UserError("请指定备份文件，或用 --latest 恢复最近的完好备份")
    if not source.is_file():
        raise UserError(
            f"备份文件“{source}”不存在；请检查路径（备份通常在数据库旁的 backups 目录中）"
        )
    try:
        with cli._open(args, initialised=False, create=True) as db:
            with db.reader() as session:
                from zhiqian_desktop.services.settings import is_initialized

                initialised = is_initialized(session)
            actor = acting_user(args, db, write=True) if initialised else None
            if actor is not None:
                actor.require_admin()
            safety = maintenance.restore(db, source, actor=actor)
            location = db.location
    except DamagedDatabase:
        aside = maintenance.restore_damaged(path, source)
        print(f"数据库 {path} 已损坏，已用 {source} 恢复")
        print(f"损坏的文件已改名保留为：{aside}")
        return 0
    print(f"已用 {source} 恢复数据库 {location}")
    print(f"恢复前的数据库已备份到：{safety}")
    return 0


def damaged_hint(url: str) -> str:
    """For a database that cannot be opened: the newest good backup and the command to use it."""
    from zhiqian_desktop.services.maintenance import newest_good_backup
    from zhiqian_desktop.store.database import sqlite_file

    path = sqlite_file(url)
    good = newest_good_backup(path) if path is not None else None
    if good is None:
        return "备份文件夹中没有找到完好的备份"
    return (
        f"最近的完好备份：{good.path}（{good.taken_at:%Y-%m-%d %H:%M}）；"
        f"恢复：zhiqian restore --latest（损坏的文件会改名保留）"
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Integrity check and audit chain; a file that cannot be opened names the way out."""
    from zhiqian_desktop import cli
    from zhiqian_desktop.services.maintenance import check
    from zhiqian_desktop.store.database import DamagedDatabase

    try:
        with cli._open(args) as db:
            report = check(db)
            location = db.location
    except DamagedDatabase as exc:
        cli._error(f"{exc.message}。{damaged_hint(cli._url(args))}")
        return 1
    print(f"数据库：{location}")
    print(
        f"完整性检查：{'正常' if report.integrity == 'ok' else '未通过（' + report.integrity + '）'}"
    )
    chain = report.chain
    kind = "HMAC 密钥" if chain.keyed else "未加密钥的 SHA-256"
    if report.integrity != "ok":
        print(f"审计记录：未核对（{chain.reason or '数据库文件已损坏'}）")
    elif chain.ok:
        print(f"审计记录：{chain.events} 条，哈希链（{kind}）完整")
    else:
        print(f"审计记录：哈希链在第 {chain.first_broken_seq} 号记录处断开（{chain.reason}）")
    if report.ok:
        return 0
    if report.integrity != "ok":
        cli._error("数据库完整性检查未通过；请停止使用该文件。" + damaged_hint(cli._url(args)))
    else:
        cli._error(
            f"审计记录第 {chain.first_broken_seq} 号：{chain.reason}；数据可能被绕过本系统改动，"
            "请保留此文件并与最近的备份核对（zhiqian restore 可恢复备份）"
        )
    return 1


def add_token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days",
        type=bounded(1, MAX_TOKEN_DAYS),
        default=30,
        metavar="N",
        help=f"有效天数（默认 30，最多 {MAX_TOKEN_DAYS}）",
    )


def cmd_token(args: argparse.Namespace) -> int:
    """Print a token for the logged-in user, for scripts (ZHIQIAN_TOKEN)."""
    from zhiqian_desktop import cli
    from zhiqian_desktop.services import auth

    if not (getattr(args, "user", None) or os.environ.get(ENV_USER)):
        raise UserError("生成令牌须用密码登录：请加 --user 用户名")
    with cli._open(args) as db:
        actor = acting_user(args, db, write=True)
        # A write transaction: on a server the first token makes the signing key.
        with db.unit_of_work() as session:
            token = auth.issue_token(
                session, actor, _key(session, create=True), _now(), days=args.days
            )
    print(token)
    print(
        f"用法：export {ENV_TOKEN}=令牌（Windows：set {ENV_TOKEN}=令牌）；"
        f"{args.days} 天后或修改密码后失效",
        file=sys.stderr,
    )
    return 0


def add_passwd_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reset", metavar="NAME", help="（管理员）重置该用户的密码并解除锁定")


def _new_password() -> str:
    given = os.environ.get(ENV_NEW_PASSWORD)
    if given is not None:
        return given
    if sys.stdin is None or not sys.stdin.isatty():
        raise UserError(f"请在提示时输入新密码，或设置环境变量 {ENV_NEW_PASSWORD}")
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise UserError("两次输入的新密码不一致")
    return first


def cmd_passwd(args: argparse.Namespace) -> int:
    """Change the logged-in user's password, or (administrator) reset another user's."""
    from zhiqian_desktop import cli
    from zhiqian_desktop.services import auth

    with cli._open(args) as db:
        actor = acting_user(args, db, write=True)
        new = _new_password()
        with db.unit_of_work() as session:
            if args.reset:
                auth.reset_password(session, actor, args.reset, new)
            else:
                # The old password proves it is the user, however the command logged in (--user,
                # ZHIQIAN_USER or a token); a password-less administrator gives an empty one.
                old = _password(args, actor.username)
                auth.change_own_password(session, actor, old, new)
    print(f"已{'重置用户 ' + args.reset + ' 的' if args.reset else '修改'}密码")
    return 0
