"""`zhiqian copy-database --from A --to B`: move a docket between a local file and a court server."""

from __future__ import annotations

import argparse
import json
import sys

from zhiqian_desktop.cli.common import Command, unlock_url


def add_copy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL或路径",
        help="来源数据库：本机文件路径，或 postgresql+psycopg://用户@服务器/数据库",
    )
    parser.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL或路径",
        help="目标数据库（必须为空）：新文件路径，或服务器上新建的空数据库",
    )
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def cmd_copy_database(args: argparse.Namespace) -> int:
    """Copy every table, verified by row counts and checksums; the target must be empty."""
    from zhiqian_desktop.services.admin.server_copy import as_url, copy_database

    last = [-1]

    def progress(done: int, total: int, message: str) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent != last[0] or done == total:
            last[0] = percent
            print(f"{percent:3d}%  {message}", file=sys.stderr, flush=True)

    # An encrypted file on either side opens with its passphrase (ZHIQIAN_PASSPHRASE or asked).
    source, target = unlock_url(as_url(args.source)), unlock_url(as_url(args.target))
    report = copy_database(source, target, progress=progress)
    if getattr(args, "json", False):
        payload = {
            "source": report.source,
            "target": report.target,
            "rows": report.rows,
            "relinked_chain": report.relinked_chain,
            "tables": [
                {"table": t.table, "rows": t.rows, "sha256": t.sha256} for t in report.tables
            ],
            "files": (
                {"count": report.files.rows, "sha256": report.files.sha256}
                if report.files
                else None
            ),
            "notes": report.notes,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(f"已复制：{report.source} → {report.target}")
    for t in report.tables:
        print(f"  {t.table:<22} {t.rows:>9} 行  SHA-256 {t.sha256[:16]}…")
    print(f"共 {report.rows} 行；每张表的行数和校验和均与来源一致")
    if report.files is not None:
        print(
            f"附件和文书文件 {report.files.rows} 个，逐个核对 SHA-256 均与来源一致"
            f"（总校验和 {report.files.sha256[:16]}…）"
        )
    for note in report.notes:
        print(note)
    return 0


COMMANDS = (
    Command(
        "copy-database",
        "把数据库复制到服务器或本机文件（逐表核对行数和校验和）",
        add_copy_arguments,
        cmd_copy_database,
    ),
)
