"""`zhiqian backup`, `restore`, `check`, `encrypt` and `decrypt`: keeping the database safe."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from zhiqian_desktop.cli import common, login
from zhiqian_desktop.cli.common import NEW_PASSPHRASE_ENV, Command
from zhiqian_desktop.cli.values import add_force_argument
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.instance_lock import holding_database


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="备份文件或目录（默认 数据库旁的 backups 目录）"
    )
    add_force_argument(parser)


def cmd_backup(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.admin.maintenance import take_backup

    dest = Path(args.output) if args.output else None
    # No quick_check first: the backup's copy gets the full integrity_check.
    with common.opened(args, check=False) as db:
        path = take_backup(
            db,
            dest,
            label="manual",
            force=getattr(args, "force", False),
            # "-o 目录/" means a folder, even a new one
            into_folder=bool(args.output and args.output.endswith(("/", os.sep))),
        )
    print(f"已备份到：{path}")
    return 0


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
    from zhiqian_desktop.services.admin import maintenance
    from zhiqian_desktop.store.engine import sqlite_file

    url = common.database_url(args)
    path = sqlite_file(url)
    if path is None:
        raise UserError("恢复只适用于本机数据库文件；服务器数据库请由信息技术人员恢复")
    if path.exists():
        # An encrypted database's backups open with its key: ask for the passphrase first.
        common.unlocked_database_url(args)
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
    # Taken before the database is opened, as the desktop app takes it: not while a window has it.
    with holding_database(path):
        return _restore(args, path, source)


def _restore(args: argparse.Namespace, path: Path, source: Path) -> int:
    from zhiqian_desktop.services.admin import maintenance
    from zhiqian_desktop.services.core.settings import is_initialized
    from zhiqian_desktop.store.engine import DamagedDatabase

    try:
        with common.opened(args, initialised=False, create=True) as db:
            actor = login.acting_user(args, db, write=True) if is_initialized(db) else None
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
    from zhiqian_desktop.services.admin.maintenance import newest_good_backup
    from zhiqian_desktop.store.engine import sqlite_file

    path = sqlite_file(url)
    good = newest_good_backup(path) if path is not None else None
    if good is None:
        return "备份文件夹中没有找到完好的备份"
    return (
        f"最近的完好备份：{good.path}（{good.taken_at:%Y-%m-%d %H:%M}）；"
        f"恢复：zhiqian restore --latest（损坏的文件会改名保留）"
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Integrity check, audit chain and the records' seals; a file that cannot be opened
    names the way out."""
    from zhiqian_desktop.services.admin import maintenance
    from zhiqian_desktop.services.admin.maintenance import check
    from zhiqian_desktop.store.engine import DamagedDatabase

    try:
        # No quick_check first: the check runs the full integrity_check itself.
        with common.opened(args, check=False) as db:
            report = check(db)
            location = db.location
    except DamagedDatabase as exc:
        common.error(f"{exc.message}。{damaged_hint(common.database_url(args))}")
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
    records = report.records
    for line in maintenance.records_lines(records):
        print(line)
    if report.ok:
        return 0
    if report.integrity != "ok":
        common.error(
            "数据库完整性检查未通过；请停止使用该文件。" + damaged_hint(common.database_url(args))
        )
    elif not chain.ok:
        common.error(
            f"审计记录第 {chain.first_broken_seq} 号：{chain.reason}；数据可能被绕过本系统改动，"
            "请保留此文件并与最近的备份核对（zhiqian restore 可恢复备份）"
        )
    else:
        common.error(
            "有记录或审计记录被绕过本系统改动、添加或删除（见上）；"
            "请保留此文件并与最近的备份核对（zhiqian restore 可恢复备份）"
        )
    return 1


def _change_encryption(args: argparse.Namespace, *, encrypt: bool) -> int:
    from zhiqian_desktop.store.engine import sqlite_file

    path = sqlite_file(common.database_url(args))
    if path is None:
        raise UserError("加密只适用于本机数据库文件；服务器数据库的加密请由信息技术人员配置")
    with holding_database(path):
        return _convert(args, encrypt=encrypt)


def _convert(args: argparse.Namespace, *, encrypt: bool) -> int:
    from zhiqian_desktop.services.admin import encryption

    with common.opened(args) as db:
        path = db.path
        if path is None:
            raise UserError("加密只适用于本机数据库文件；服务器数据库的加密请由信息技术人员配置")
        was_encrypted = encryption.is_encrypted(db)
        if not encrypt and not was_encrypted:
            raise UserError(f"数据库“{path}”没有加密，无需解密")
        actor = login.acting_user(args, db, write=True)
        actor.require_admin()
        passphrase = (
            common.ask_passphrase(path, new=True, env=NEW_PASSPHRASE_ENV) if encrypt else None
        )
        reopened, safety = encryption.change_encryption(db, actor, passphrase)
        reopened.dispose()
    if not encrypt:
        print(f"已解除数据库加密：{path}")
        print(f"解密前的备份（仍用原口令加密）：{safety}")
    elif was_encrypted:
        print(f"已更换数据库口令：{path}")
        print(f"更换前的备份仍用旧口令加密：{safety}；以后的备份使用新口令")
    else:
        print(f"已加密数据库：{path}（以后的备份同样加密）")
        print(
            f"加密前的备份没有加密：{safety}；"
            "请确认新口令能打开数据库后，删除备份文件夹中未加密的旧备份"
        )
    return 0


def cmd_encrypt(args: argparse.Namespace) -> int:
    return _change_encryption(args, encrypt=True)


def cmd_decrypt(args: argparse.Namespace) -> int:
    return _change_encryption(args, encrypt=False)


COMMANDS = (
    Command("check", "检查数据库完整性和审计记录哈希链", None, cmd_check),
    Command("backup", "立即备份数据库", add_backup_arguments, cmd_backup),
    Command(
        "encrypt",
        "把数据库转为加密数据库（SQLCipher），或更换已加密数据库的口令；"
        f"新口令取自 {NEW_PASSPHRASE_ENV} 或在终端输入（管理员）",
        None,
        cmd_encrypt,
    ),
    Command("decrypt", "解除数据库加密（管理员）", None, cmd_decrypt),
    Command(
        "restore",
        "用备份文件恢复数据库（先自动备份当前数据库，损坏的文件改名保留）",
        add_restore_arguments,
        cmd_restore,
    ),
)
