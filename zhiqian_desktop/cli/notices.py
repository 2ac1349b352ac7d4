"""`zhiqian notice CASE_NO --kind KIND [-o FILE.pdf]`: issue one document from the command line."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, with_database
from zhiqian_desktop.cli.values import add_force_argument
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind

if TYPE_CHECKING:  # the services (and ReportLab) load only when the command runs
    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database


def kinds_help() -> str:
    return "、".join(f"{k.value}（{k.label}）" for k in DocumentKind)


def parse_kind(text: str) -> DocumentKind:
    """A kind by its code (urging) or its Chinese name (自动履行催告书)."""
    value = text.strip()
    for kind in DocumentKind:
        if value in (kind.value, kind.label):
            return kind
    raise UserError(f"文书种类“{text}”无法识别；可用的种类有：{kinds_help()}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_no", metavar="CASE_NO", help="本院案号，如（2026）内0221执前督12号")
    parser.add_argument("--kind", required=True, help=f"文书种类：{kinds_help()}")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE.pdf",
        help="另存PDF到此文件（默认 当前文件夹中的 文书编号.pdf）",
    )
    add_force_argument(parser)
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="落款日期（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def cmd_notice(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Issue the document, save its PDF to -o (or ./<文书编号>.pdf) and print where it is; a
    place that cannot take the file is refused before the document is issued."""
    kind = parse_kind(args.kind)
    day_text = getattr(args, "date", None)
    try:
        today = date.fromisoformat(day_text.strip()) if day_text else CLOCK.today()
    except ValueError:
        raise UserError(f"日期“{day_text}”格式不正确；请写作 YYYY-MM-DD，如 2026-11-22") from None
    if args.output and Path(args.output).suffix.lower() != ".pdf":
        raise UserError(f"输出文件“{args.output}”应以 .pdf 结尾")
    from zhiqian_desktop.services.intake.docket import find_case
    from zhiqian_desktop.services.supervision.notices import issue_notice_to_file

    case_id = find_case(db, args.case_no).id
    issued, output = issue_notice_to_file(
        db,
        actor,
        case_id,
        kind,
        today=today,
        output=Path(args.output) if args.output else None,
        force=getattr(args, "force", False),
    )
    if getattr(args, "json", False):
        print(
            json.dumps(
                {
                    "document_id": issued.id,
                    "doc_no": issued.doc_no,
                    "kind": issued.kind.value,
                    "case_no": issued.case_no,
                    "sha256": issued.pdf_sha256,
                    "output": str(output),
                },
                ensure_ascii=False,
            )
        )
    else:
        print(f"已出具{kind.label}：{issued.doc_no}，已保存到 {output}")
    return 0


COMMANDS = (
    Command(
        "notice",
        "出具文书并导出PDF（文书编号、存档、审计）",
        add_arguments,
        with_database(cmd_notice),
    ),
)
