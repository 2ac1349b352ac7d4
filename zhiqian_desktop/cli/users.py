"""`zhiqian token` and `zhiqian passwd`: a login token for scripts, and passwords."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from zhiqian_desktop.cli import common, login
from zhiqian_desktop.cli.common import Command
from zhiqian_desktop.cli.login import ENV_NEW_PASSWORD, ENV_TOKEN, ENV_USER, MAX_TOKEN_DAYS
from zhiqian_desktop.cli.values import bounded
from zhiqian_desktop.domain.errors import UserError


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
    from zhiqian_desktop.services.core import auth

    if not (getattr(args, "user", None) or os.environ.get(ENV_USER)):
        raise UserError("生成令牌须用密码登录：请加 --user 用户名")
    with common.opened(args) as db:
        actor = login.acting_user(args, db, write=True)
        token = auth.make_token(db, actor, login.now(), days=args.days)
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
    from zhiqian_desktop.services.core import auth

    with common.opened(args) as db:
        actor = login.acting_user(args, db, write=True)
        new = _new_password()
        if args.reset:
            auth.reset_password(db, actor, args.reset, new)
        else:
            # The old password proves it is the user, however the command logged in (--user,
            # ZHIQIAN_USER or a token); a password-less administrator gives an empty one.
            old = login.password_of(args, actor.username)
            auth.change_own_password(db, actor, old, new)
    print(f"已{'重置用户 ' + args.reset + ' 的' if args.reset else '修改'}密码")
    return 0


COMMANDS = (
    Command("token", "为脚本生成登录令牌（ZHIQIAN_TOKEN）", add_token_arguments, cmd_token),
    Command("passwd", "修改密码；管理员可用 --reset 用户名 重置", add_passwd_arguments, cmd_passwd),
)
