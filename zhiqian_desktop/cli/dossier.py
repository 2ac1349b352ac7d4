"""`zhiqian dossier CASE_NO -o FILE.pdf`: the archive dossier (归档卷宗) of a closed case."""

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

if TYPE_CHECKING:  # the services (and ReportLab, pypdf) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database


def add_dossier_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_no", metavar="CASE_NO", help="本院案号，如（2026）内0221执前督12号")
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE.pdf", help="归档卷宗PDF的保存位置"
    )
    add_force_argument(parser)
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def cmd_dossier(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Write the dossier of a closed case; prints where it is and how many pages it has."""
    from pypdf import PdfReader

    from zhiqian_desktop.services.closing.dossier import build_archive_dossier
    from zhiqian_desktop.services.intake.docket import find_case

    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise UserError(f"归档卷宗应保存为 .pdf 文件（收到“{output}”）；请改用如 卷宗.pdf 的文件名")
    case = find_case(db, args.case_no)
    path = build_archive_dossier(
        db, case.id, output, today=CLOCK.today(), force=getattr(args, "force", False)
    )
    case_no = case.case_no
    pages = len(PdfReader(str(path)).pages)
    if getattr(args, "json", False):
        print(
            json.dumps(
                {"case_no": case_no, "output": str(path), "pages": pages}, ensure_ascii=False
            )
        )
    else:
        print(f"已生成{case_no}的归档卷宗：{path}（共{pages}页）", file=sys.stdout)
    return 0


COMMANDS = (
    Command(
        "dossier",
        "已结案案件的归档卷宗：封面、卷内目录、文书和附件合为一个PDF",
        add_dossier_arguments,
        with_database(cmd_dossier, write=False),
    ),
)
