"""`zhiqian export-kit`, `open-kit`, `export-changes` and `import-changes` (offline kits, issue 9)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, with_database
from zhiqian_desktop.cli.values import add_force_argument
from zhiqian_desktop.domain.errors import UserError

KIT_PASSPHRASE_ENV = "ZHIQIAN_KIT_PASSPHRASE"

if TYPE_CHECKING:  # the services load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database


def add_export_kit_arguments(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--tribunal", metavar="NAME", help="法庭名称：导出分配给该法庭的案件")
    who.add_argument("--handler", metavar="USERNAME", help="承办人用户名：导出该承办人的案件")
    parser.add_argument(
        "-o", "--output", required=True, metavar="KIT.zip", help="离线包保存位置（.zip）"
    )
    add_force_argument(parser)
    parser.add_argument("--year", type=int, metavar="YYYY", help="预留案号的年份（默认今年）")
    parser.add_argument(
        "--block", type=int, default=100, metavar="N", help="预留的案号数量（默认100）"
    )
    parser.add_argument(
        "--login-user",
        action="append",
        default=[],
        metavar="USERNAME",
        help="另外允许在离线包中登录的用户（可重复；案件承办人总可以登录）",
    )
    parser.add_argument(
        "--encrypt",
        action="store_true",
        help=f"加密离线包（本院数据库已加密时总是加密）；口令取自环境变量 {KIT_PASSPHRASE_ENV}"
        "或在终端输入",
    )
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def add_open_kit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kit", metavar="KIT.zip", help="法院导出的离线包（加密的离线包会询问口令）")
    parser.add_argument(
        "--dir", required=True, metavar="DIR", help="在这个新的空文件夹中建立本机数据库"
    )
    add_force_argument(parser, "文件夹中已有其他文件时仍在其中建立数据库（已有的数据库决不覆盖）")


def add_export_changes_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", required=True, metavar="CHANGES.zip", help="变更包保存位置（.zip）"
    )
    add_force_argument(parser)


def add_import_changes_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", metavar="FILE.zip", help="法庭带回的变更包")
    parser.add_argument(
        "--resolutions",
        metavar="FILE.json",
        help='合并冲突的选择：{"记录id": {"字段": "court" 或 "tribunal"}}（可选；'
        "未给出的冲突留待在程序中逐项选择）",
    )
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def _kit_passphrase(kit: Path, *, new: bool) -> str:
    """The kit's passphrase from ZHIQIAN_KIT_PASSPHRASE, else typed at the terminal."""
    import getpass
    import os
    import sys

    from zhiqian_desktop.services.admin import encryption

    given = os.environ.get(KIT_PASSPHRASE_ENV)
    if given:
        if new:
            encryption.check_passphrase(given)
        return given
    if not sys.stdin.isatty():
        action = "加密离线包需要设定口令" if new else f"离线包“{kit.name}”已加密，需要口令"
        raise UserError(
            f"{action}；请设置环境变量 {KIT_PASSPHRASE_ENV}，或在终端中运行以便输入口令"
        )
    if not new:
        return getpass.getpass(f"离线包“{kit.name}”的口令：")
    print(f"为离线包设定口令（至少 {encryption.MIN_PASSPHRASE} 个字符），请另行告知法庭。")
    first = getpass.getpass("口令：")
    encryption.check_passphrase(first)
    if getpass.getpass("再次输入口令：") != first:
        raise UserError("两次输入的口令不一致；离线包没有导出，请重新运行并仔细输入")
    return first


def cmd_export_kit(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.admin import encryption
    from zhiqian_desktop.services.exchange.kits import export_kit, kit_owner
    from zhiqian_desktop.store.archives import check_destination

    check_destination(Path(args.output), as_zip=True, force=getattr(args, "force", False))
    if args.tribunal:
        tribunal_id, handler_id = kit_owner(db, tribunal=args.tribunal)
    else:
        tribunal_id, handler_id = kit_owner(db, handler=args.handler)
    passphrase = None
    if getattr(args, "encrypt", False) or encryption.is_encrypted(db):
        passphrase = _kit_passphrase(Path(args.output), new=True)
    path = export_kit(
        db,
        actor,
        tribunal_id=tribunal_id,
        handler_id=handler_id,
        year=args.year or CLOCK.today().year,
        block_size=args.block,
        dest=Path(args.output),
        users=args.login_user,
        passphrase=passphrase,
        force=getattr(args, "force", False),
    )
    manifest = _kit_manifest(path, passphrase)
    block = manifest["block"]
    if getattr(args, "json", False):
        data = {
            "output": str(path),
            "kit_id": manifest["kit_id"],
            "origin": manifest["origin"],
            "cases": manifest["cases"],
            "block": block,
            "login_users": manifest["login_users"],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(
            f"离线包已导出：{path}（{manifest['origin']}，{manifest['cases']}件案件；"
            f"预留{block['year']}年案号第{block['first_seq']}号至第{block['last_seq']}号；"
            f"可登录用户：{'、'.join(manifest['login_users'])}）"
        )
    return 0


def _kit_manifest(path: Path, passphrase: str | None) -> dict[str, Any]:
    from zhiqian_desktop.services.exchange.package_reader import kit_manifest

    return kit_manifest(path, passphrase)


def cmd_open_kit(args: argparse.Namespace) -> int:
    import os
    import sys

    from zhiqian_desktop.services.admin import encryption
    from zhiqian_desktop.services.exchange.kit_opening import check_kit_folder, open_kit
    from zhiqian_desktop.services.exchange.sealed_kits import is_encrypted_kit

    kit = Path(args.kit)
    check_kit_folder(Path(args.dir), force=getattr(args, "force", False))
    passphrase = None
    encrypted = kit.is_file() and is_encrypted_kit(kit)
    tries = 1 if os.environ.get(KIT_PASSPHRASE_ENV) else 3
    for attempt in range(1, tries + 1):
        if encrypted:
            passphrase = _kit_passphrase(kit, new=False)
        try:
            path = open_kit(
                kit, Path(args.dir), passphrase=passphrase, force=getattr(args, "force", False)
            )
            break
        except encryption.WrongPassphrase as exc:
            if attempt == tries:
                raise
            print(exc.message, file=sys.stderr)
    note = "；该数据库已加密，启动时输入离线包的口令" if encrypted else ""
    print(f"离线包已打开，本机数据库：{path}；启动程序：zhiqian gui --db {path}{note}")
    return 0


def cmd_export_changes(db: Database, actor: Actor | None, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.exchange.changes import export_changes

    path = export_changes(db, Path(args.output), actor=actor, force=getattr(args, "force", False))
    print(f"变更包已导出：{path}；请带回法院用“导入变更包”（zhiqian import-changes）合并")
    return 0


def _resolutions(path: str | None) -> dict[str, dict[str, str]] | None:
    if not path:
        return None
    from zhiqian_desktop.services.exchange.merge import read_resolutions

    return read_resolutions(Path(path))


def cmd_import_changes(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.exchange.merge import import_changes

    report = import_changes(
        db, actor, Path(args.package), resolutions=_resolutions(getattr(args, "resolutions", None))
    )
    if getattr(args, "json", False):
        data = {
            "package_id": report.package_id,
            "kit_id": report.kit_id,
            "origin": report.origin,
            "already_imported": report.already_imported,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "conflicts": report.conflicts,
            "open_conflicts": report.open_conflicts,
            "audit_events": report.audit_events,
            "files": report.files,
            "backup": str(report.backup) if report.backup else None,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            print(line)
        if report.open_conflicts:
            print("请在程序的“离线包”菜单中打开“合并冲突”，逐项选择采用法院或法庭的值")
    return 0


COMMANDS = (
    Command(
        "export-kit",
        "导出法庭离线包（含预留案号段）",
        add_export_kit_arguments,
        with_database(cmd_export_kit),
    ),
    Command("open-kit", "在笔记本上打开离线包", add_open_kit_arguments, cmd_open_kit),
    Command(
        "export-changes",
        "从离线包数据库导出变更包，带回法院合并",
        add_export_changes_arguments,
        with_database(cmd_export_changes),
    ),
    Command(
        "import-changes",
        "导入法庭带回的变更包并合并（冲突留待人工选择）",
        add_import_changes_arguments,
        with_database(cmd_import_changes),
    ),
)
