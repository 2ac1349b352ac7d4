"""The `zhiqian` command line (docs/cli.md): the table of commands, the parser built from it, and
the entry point that turns every failure of the input or the machine into one line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from zhiqian_desktop.cli import (
    assignment,
    batch,
    cases,
    dossier,
    due,
    errors,
    importing,
    kits,
    maintenance,
    mediation,
    messages,
    notices,
    preservation,
    server,
    setup,
    stats,
    suggestions,
    transfer,
    users,
    values,
)
from zhiqian_desktop.cli.common import (
    PROG,
    Command,
    Parser,
    database_options,
    database_url,
    error,
)
from zhiqian_desktop.domain.errors import AlreadyExists, UserError
from zhiqian_desktop.store.log_file import LOGGER_NAME, log_file_path
from zhiqian_desktop.store.private import restrict_process

log = logging.getLogger(LOGGER_NAME)

COMMANDS: tuple[Command, ...] = (
    *setup.COMMANDS,
    *cases.COMMANDS,
    *assignment.COMMANDS,
    due.COMMANDS[0],  # deadline
    *maintenance.COMMANDS,
    *users.COMMANDS,
    *stats.COMMANDS,
    due.COMMANDS[1],  # due
    *notices.COMMANDS,
    *mediation.COMMANDS,
    *suggestions.COMMANDS,
    *messages.COMMANDS,
    *preservation.COMMANDS,
    *batch.COMMANDS,
    *importing.COMMANDS,
    *kits.COMMANDS,
    transfer.TRANSFER,
    *server.COMMANDS,
    *dossier.COMMANDS,
    transfer.VERIFY,
    transfer.PUBLIC_KEY,
)
"""Every command, in the order `zhiqian --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = Parser(
        prog=PROG,
        description="执前督促 — 执行前督促程序案件管理。不带命令时启动桌面程序。",
        parents=[common],
        epilog="各命令的说明：zhiqian 命令 --help；完整参考见 docs/cli.md。",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="用临时演示数据库启动桌面程序",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="自检：用临时数据库登记一件案件、出具一份文书、打开主窗口（无需屏幕），通过则退出 0",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    for command in COMMANDS:
        p = sub.add_parser(
            command.name, help=command.help, description=command.help, parents=[common]
        )
        if command.arguments is not None:
            command.arguments(p)
    return parser


def _damaged_database(args: argparse.Namespace) -> str | None:
    try:
        url = database_url(args)
    except Exception:  # the address itself was the problem; said already
        return None
    return errors.damaged_database(url, maintenance.damaged_hint(url))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 bad input or a failed check, 2 usage)."""
    console = errors.configure_streams()
    # Everything a command writes holds court data: private to this account from the start.
    restrict_process()
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        values.check_values(parser, args)
    except UserError as exc:
        error(exc.message)
        return 1
    if getattr(args, "self_test", False):
        from zhiqian_desktop.selftest import run_self_test

        return run_self_test()
    name = args.command or "gui"
    if getattr(args, "demo", False) and name != "gui":
        error("--demo 只用于启动桌面程序（zhiqian gui --demo）")
        return 2
    run = next(c.run for c in COMMANDS if c.name == name)
    try:
        return run(args)
    except UserError as exc:
        hint = errors.force_hint(exc) if isinstance(exc, AlreadyExists) else ""
        error(exc.message + hint)
        if not console and name == "gui":
            setup.show_without_console(exc.message)
        return 1
    except KeyboardInterrupt:
        error("已中断")
        return 130
    except BrokenPipeError:
        # `zhiqian cases | head` closed the pipe: not an error; keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        message = _damaged_database(args) or errors.environment_error(exc)
        if message is None:
            if console or name != "gui":
                raise
            # Double-clicked, no console: the traceback goes to the log, the clerk gets a box.
            log.exception("启动失败")
            message = f"程序出错，无法启动：{exc}；详细信息已记录在日志文件 {log_file_path()}"
        error(message)
        if not console and name == "gui":
            setup.show_without_console(message)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
