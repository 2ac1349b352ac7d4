"""The values given on the command line, checked once for every command before it runs: none
empty, every text readable, every number within what the command can use."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import Any

from zhiqian_desktop.domain.errors import UserError

PATH_DESTS = frozenset(
    {"db", "output", "file", "package", "kit", "dir", "resolutions", "source", "target"}
)
"""Options naming a file or folder: a name in another encoding (bytes that are not UTF-8, kept
by Python as surrogates) is a real file there, so only these may hold such bytes."""

INT_LIMIT = 2**31 - 1
"""Beyond any count, day or year a command takes; SQLite's integers end at 2**63."""


class Bounded:
    """An argparse ``type`` for an integer with its range; the range is checked after parsing
    (``check_values``) so that a number out of range is a bad value (exit 1) with the range in
    the message, like the services' own checks, rather than a usage error."""

    def __init__(self, low: int, high: int, hint: str = "") -> None:
        self.low, self.high, self.hint = low, high, hint
        self.__name__ = "int"  # argparse names the type in its "invalid int value" complaint

    def __call__(self, text: str) -> int:
        return int(text)


def _surrogates(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _name(action: argparse.Action) -> str:
    if action.option_strings:
        return max(action.option_strings, key=len)
    return str(action.metavar or action.dest)


def _what(action: argparse.Action) -> str:
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    help_text = (action.help or "").strip()
    return f"{metavar}（{help_text}）" if help_text else metavar


def _empty(action: argparse.Action) -> UserError:
    optional = bool(action.option_strings) and not action.required
    rest = "；不需要时请不写该选项" if optional else ""
    return UserError(f"{_name(action)} 的值是空的；应写作 {_what(action)}{rest}")


def _unreadable(action: argparse.Action, text: str) -> UserError:
    shown = text.encode("utf-8", "replace").decode("utf-8")
    return UserError(
        f"{_name(action)} 的值“{shown}”含有无法识别的字符（不是 UTF-8 编码的文字）；"
        "请检查终端或脚本的字符编码后重新输入"
    )


def _out_of_range(action: argparse.Action, value: int) -> UserError:
    kind = action.type
    if isinstance(kind, Bounded):
        hint = f"（{kind.hint}）" if kind.hint else ""
        return UserError(
            f"{_name(action)} “{value}”不正确；应为{kind.low}至{kind.high}之间的整数{hint}"
        )
    return UserError(f"{_name(action)} “{value}”过大；请写出合理的整数")


def _in_range(action: argparse.Action, value: int) -> bool:
    kind = action.type
    if isinstance(kind, Bounded):
        return kind.low <= value <= kind.high
    return -INT_LIMIT <= value <= INT_LIMIT


def _actions(parser: argparse.ArgumentParser, command: str | None) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(command) if command else None
            if chosen is not None:
                yield from _actions(chosen, None)
        else:
            yield action


def check_values(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """UserError (exit 1) for the first value that is empty, unreadable or out of range."""
    seen: set[str] = set()
    for action in _actions(parser, getattr(args, "command", None)):
        if action.dest in seen or action.nargs == 0 or not hasattr(args, action.dest):
            continue
        seen.add(action.dest)
        value = getattr(args, action.dest)
        values: list[Any] = value if isinstance(value, list) else [value]
        for item in values:
            _check_one(action, item)


def _check_one(action: argparse.Action, item: Any) -> None:
    if isinstance(item, bool) or item is None:
        return
    if isinstance(item, int):
        if not _in_range(action, item):
            raise _out_of_range(action, item)
        return
    if not isinstance(item, str):
        return
    if not item.strip():
        raise _empty(action)
    if action.dest not in PATH_DESTS and _surrogates(item):
        raise _unreadable(action, item)


def bounded(low: int, high: int, hint: str = "") -> Callable[[str], int]:
    """``type=bounded(0, 1_000_000, "0 表示全部")`` for an integer option with a range."""
    return Bounded(low, high, hint)


def add_force_argument(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """--force: an existing output file may be replaced (never a database, its companion files,
    a folder or a device: store/outputs.py)."""
    parser.add_argument(
        "--force",
        action="store_true",
        help=help_text or "输出文件已存在时覆盖它（数据库及其附属文件、文件夹和设备除外）",
    )


def enum_choices(enum: Any) -> str:
    """The values of a labelled enum as a help text lists them: ``settled 调解成功、…``."""
    return "、".join(f"{m.value} {m.label}" for m in enum)


def enum_member(enum: Any, text: str, option: str) -> Any:
    """The member an option names by its value or its Chinese label; else the clerk's error."""
    try:
        return enum.from_label(text.strip())
    except ValueError:
        raise UserError(f"{option} “{text}”不正确；可选：{enum_choices(enum)}") from None
