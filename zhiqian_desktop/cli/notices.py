"""`zhiqian notice CASE_NO --kind KIND [-o FILE.pdf]`: issue one document from the command line;
`zhiqian serve DOC_NO --to NAME …`: record its service on one addressee."""

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
from zhiqian_desktop.domain.kinds import DocumentKind, ServiceMethod

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
    parser.add_argument(
        "--serves",
        metavar="DOC_NO",
        help="送达回证所送达的文书编号（--kind service_receipt 时必填）",
    )
    parser.add_argument(
        "--to",
        metavar="NAME",
        help="受送达人姓名或名称（文书有多名受送达人时必填，每人一份送达回证）",
    )
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
    serves = (getattr(args, "serves", None) or "").strip()
    to = (getattr(args, "to", None) or "").strip()
    if kind is DocumentKind.SERVICE_RECEIPT and not serves:
        raise UserError(
            "出具送达回证须用 --serves 指明所送达的文书编号，如 --serves （2026）内0221执前督12号-催告1"
        )
    if kind is not DocumentKind.SERVICE_RECEIPT and (serves or to):
        raise UserError("--serves 和 --to 只用于出具送达回证（--kind service_receipt）")
    from zhiqian_desktop.services.supervision.notices import issue_notice_to_file

    issued, output = issue_notice_to_file(
        db,
        actor,
        args.case_no,
        kind,
        today=today,
        output=Path(args.output) if args.output else None,
        force=getattr(args, "force", False),
        serves=serves,
        to=to,
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


# --- `zhiqian serve DOC_NO …`: record the service of a document on one addressee ----------------


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("doc_no", metavar="DOC_NO", help="所送达的文书编号（或其二维码内容）")
    parser.add_argument(
        "--to",
        metavar="NAME",
        help="受送达人姓名或名称（文书有多名受送达人时必填；每人分别登记）",
    )
    parser.add_argument(
        "--method",
        default=ServiceMethod.DIRECT.value,
        help="送达方式：" + "、".join(f"{m.value}（{m.label}）" for m in ServiceMethod),
    )
    parser.add_argument("--date", metavar="YYYY-MM-DD", required=True, help="送达日期")
    parser.add_argument("--server", required=True, help="送达人姓名")
    parser.add_argument("--recipient", help="签收人（代收时为代收人，默认为受送达人本人）")
    parser.add_argument("--address", help="送达地点")
    parser.add_argument("--reason", help="代收理由，或留置送达的拒收事由和日期")
    parser.add_argument("--witness", help="留置送达的见证人")
    parser.add_argument("--recorded", action="store_true", help="留置送达已拍照、录像记录送达过程")
    parser.add_argument("--remarks", help="备考")
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def _method(text: str) -> ServiceMethod:
    try:
        method = ServiceMethod.from_label(text.strip())
    except ValueError:
        method = None
    if isinstance(method, ServiceMethod):
        return method
    names = "、".join(f"{m.value}（{m.label}）" for m in ServiceMethod)
    raise UserError(f"送达方式“{text}”无法识别；可用的方式有：{names}")


def cmd_serve(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Record how and when the document reached one of its addressees (one line on stdout)."""
    method = _method(args.method)
    try:
        served_on = date.fromisoformat(args.date)
    except ValueError:
        raise UserError(f"日期“{args.date}”格式不正确；请写作 YYYY-MM-DD，如 2026-11-22") from None
    to = (args.to or "").strip()
    from zhiqian_desktop.services.supervision.service_records import serve_by_code

    done = serve_by_code(
        db,
        actor,
        args.doc_no,
        method,
        served_on,
        args.server,
        to=to,
        today=CLOCK.today(),
        recipient=args.recipient,
        address=args.address,
        substitute_reason=args.reason,
        remarks=args.remarks,
        witness=args.witness,
        process_recorded=bool(args.recorded),
    )
    service_id, doc_no, addressee, waiting = (
        done.service_id,
        done.doc_no,
        done.addressee,
        done.waiting,
    )
    if getattr(args, "json", False):
        print(
            json.dumps(
                {
                    "service_id": service_id,
                    "doc_no": doc_no,
                    "addressee": addressee,
                    "method": method.value,
                    "served_on": served_on.isoformat(),
                    "waiting": waiting,
                },
                ensure_ascii=False,
            )
        )
    else:
        rest = f"；尚待送达：{'、'.join(waiting)}" if waiting else "；各受送达人均已送达"
        print(f"已登记{doc_no}向{addressee}的送达（{method.label}，{served_on.isoformat()}）{rest}")
    return 0


COMMANDS = (
    Command(
        "notice",
        "出具文书并导出PDF（文书编号、存档、审计）",
        add_arguments,
        with_database(cmd_notice),
    ),
    Command(
        "serve",
        "登记文书向一名受送达人的送达（每名受送达人分别登记）",
        add_serve_arguments,
        with_database(cmd_serve),
    ),
)
