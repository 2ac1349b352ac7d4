"""Who a command acts as: --user/--password, the environment, a token.

In this order:

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


def now() -> datetime:
    return CLOCK.now()


def password_of(args: argparse.Namespace, username: str) -> str:
    """The password given on the command line, in the environment, or typed at the terminal."""
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
    if write:
        raise PermissionDenied(LOGIN_HINT)
    return Actor(None, "anonymous", "未登录用户", Role.READONLY)
