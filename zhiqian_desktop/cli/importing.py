"""`zhiqian import-template -o FILE.xlsx` and `zhiqian import-cases FILE.xlsx [--dry-run] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, with_database
from zhiqian_desktop.cli.values import add_force_argument
from zhiqian_desktop.domain.errors import UserError

if TYPE_CHECKING:  # the services (and openpyxl) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database


def add_template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE.xlsx", help="保存导入模板到此文件"
    )
    add_force_argument(parser)


def add_cases_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE.xlsx",
        help="按导入模板填写的移交清单，.xlsx 或 Excel 97-2003 的 .xls（每名当事人一行；行数上限见模板“说明”工作表）",
    )
    parser.add_argument("--dry-run", action="store_true", help="只检查，不登记任何案件")
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def cmd_import_template(args: argparse.Namespace) -> int:
    """Write the template; needs no database."""
    from zhiqian_desktop.services.intake.import_template import write_import_template

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        raise UserError(f"输出文件“{output}”应以 .xlsx 结尾")
    output = write_import_template(output, force=getattr(args, "force", False))
    print(f"导入模板已保存到 {output}；请按其中“说明”工作表填写，每名当事人一行")
    return 0


def cmd_import_cases(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """All rows or none: on problems every one goes to stderr and the exit code is 1.

    A file refused as a whole (not a workbook, encrypted, damaged, too big) raises UserError, which
    the main entry point prints as one line and turns into exit code 1.
    """
    from zhiqian_desktop.services.intake.importing import import_cases

    report = import_cases(db, actor, Path(args.file), today=CLOCK.today(), dry_run=args.dry_run)
    if getattr(args, "json", False):
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    if report.problems:
        for problem in report.problems:
            print(str(problem), file=sys.stderr)
        print(
            f"共 {len(report.problems)} 处问题，未导入任何案件；请在 Excel 中改正后重新导入",
            file=sys.stderr,
        )
        return 1
    if getattr(args, "json", False):
        return 0
    if report.dry_run:
        print(
            f"检查通过：{report.case_count} 个案件、{report.row_count} 行，可以导入"
            "（--dry-run：未登记任何案件）"
        )
        return 0
    print(f"已登记 {len(report.created)} 个案件：")
    for case in report.created:
        print(f"{case.case_no}\t原审案号 {case.original_case_no}")
    return 0


COMMANDS = (
    Command(
        "import-template",
        "写出 Excel 导入模板（列标题、说明和一个示例案件）",
        add_template_arguments,
        cmd_import_template,
    ),
    Command(
        "import-cases",
        "从 Excel 移交清单导入案件：全部无误才登记，逐行报告问题",
        add_cases_arguments,
        with_database(cmd_import_cases, write=lambda args: not args.dry_run),
    ),
)
