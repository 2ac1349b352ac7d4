"""Who a command acts as: --user/--password, the environment, a token.

In this order:

1. ``ZHIQIAN_TOKEN``: a token made by ``zhiqian token`` (for scripts; expires, and changing the
   password revokes it);
2. ``--user NAME`` or ``ZHIQIAN_USER``, with ``--password`` or ``ZHIQIAN_PASSWORD``; without a
   password on a terminal, it is asked for (not echoed);
3. nobody given: while logins are not enforced (no administrator has a password yet: a clerk's
   own PC after ``init``) the first administrator; otherwise the command is refused with a message
   saying how to log in. Once logins are enforced every command that opens the database,
   reading ones included, acts as a logged-in user (cli/common.py ``opened``).

Wrong passwords make the next try wait, exactly as in the desktop app.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.domain.errors import PermissionDenied
from zhiqian_desktop.domain.kinds import Role

if TYPE_CHECKING:
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database

ENV_TOKEN = "ZHIQIAN_TOKEN"
ENV_USER = "ZHIQIAN_USER"
ENV_PASSWORD = "ZHIQIAN_PASSWORD"
ENV_NEW_PASSWORD = "ZHIQIAN_NEW_PASSWORD"
MAX_TOKEN_DAYS = 366

HOW_TO_LOG_IN = (
    "请加 --user 用户名（密码在提示时输入，或用环境变量"
    f" {ENV_PASSWORD}），或设置环境变量 {ENV_USER} 和 {ENV_PASSWORD}，"
    f"或用 zhiqian token 生成令牌后设置 {ENV_TOKEN}"
)
LOGIN_HINT = f"此命令会修改数据，需要登录：{HOW_TO_LOG_IN}"
ENFORCED_HINT = f"此数据库已启用登录（管理员已设置密码），所有命令都须登录：{HOW_TO_LOG_IN}"
PASSWORD_OPTION_WARNING = (
    "警告：--password 写在命令行上，会出现在进程列表和命令历史中；"
    f"请改用环境变量 {ENV_PASSWORD}，或不写密码、在提示时输入"
)
ACTOR_ATTRIBUTE = "zhiqian_logged_in"
"""Where the actor a command logged in as is kept on its arguments (one login per command)."""


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
        help=f"密码（会留在进程列表和命令历史中：请改用环境变量 {ENV_PASSWORD} 或在提示时输入）",
    )


def now() -> datetime:
    return CLOCK.now()


def password_of(args: argparse.Namespace, username: str) -> str:
    """The password given on the command line, in the environment, or typed at the terminal."""
    given = getattr(args, "password", None)
    if given is not None:
        print(f"zhiqian：{PASSWORD_OPTION_WARNING}", file=sys.stderr)
    if given is None:
        given = os.environ.get(ENV_PASSWORD)
    if given is None:
        if sys.stdin is not None and sys.stdin.isatty():
            return getpass.getpass(f"用户 {username} 的密码：")
        return ""
    return str(given)


def acting_user(args: argparse.Namespace, db: Database, *, write: bool = True) -> Actor:
    """The user the command acts as (see the module's docstring); UserError when refused."""
    from zhiqian_desktop.services.core.actor import Actor

    known = getattr(args, ACTOR_ATTRIBUTE, None)
    if isinstance(known, Actor):
        return known
    actor = _log_in(args, db, write=write)
    if actor.user_id is not None:  # never the anonymous reader: a later write must log in
        setattr(args, ACTOR_ATTRIBUTE, actor)
    return actor


def _log_in(args: argparse.Namespace, db: Database, *, write: bool) -> Actor:
    from zhiqian_desktop.services.core import auth
    from zhiqian_desktop.services.core.actor import Actor

    token = os.environ.get(ENV_TOKEN, "").strip()
    username = getattr(args, "user", None) or os.environ.get(ENV_USER, "").strip()
    if token and not username:
        return auth.login_by_token(db, token, now())
    if username:
        return auth.login(db, username, password_of(args, username), now())
    admin = auth.unguarded_admin(db)
    if admin is not None:
        return admin
    if auth.logins_enforced(db):
        raise PermissionDenied(ENFORCED_HINT)
    if write:
        raise PermissionDenied(LOGIN_HINT)
    return Actor(None, "anonymous", "未登录用户", Role.READONLY)


def require_login(args: argparse.Namespace, db: Database) -> None:
    """Once logins are enforced, the command logs in before it reads anything."""
    from zhiqian_desktop.services.core import auth

    if auth.logins_enforced(db):
        acting_user(args, db, write=False)
