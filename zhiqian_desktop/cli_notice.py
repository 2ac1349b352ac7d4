"""`zhiqian notice CASE_NO --kind KIND [-o FILE.pdf]`: issue one document from the command line."""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind

if TYPE_CHECKING:  # the services (and ReportLab) load only when the command runs
    from zhiqian_desktop.services.actor import Actor
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
    parser.add_argument("-o", "--output", metavar="FILE.pdf", help="另存PDF到此文件")
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


def _default_output(doc_no: str) -> Path:
    return Path(re.sub(r'[\\/:*?"<>|\s]+', "_", doc_no) + ".pdf")


def cmd_notice(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Issue the document, copy its PDF to -o (or ./<文书编号>.pdf) and print where it is."""
    kind = parse_kind(args.kind)
    day_text = getattr(args, "date", None)
    try:
        today = date.fromisoformat(day_text) if day_text else date.today()
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
    from zhiqian_desktop.services.docket import find_case
    from zhiqian_desktop.services.notices import (
        addressees_of,
        find_document_by_code,
        issue_notice,
    )

    with db.unit_of_work() as session:
        case = find_case(session, args.case_no)
        served_id: str | None = None
        party_id: str | None = None
        if serves:
            served = find_document_by_code(session, serves)
            if served.case_id != case.id:
                raise UserError(f"文书{served.doc_no}不属于案件{case.case_no}；请核对文书编号")
            served_id = served.id
            if to:
                matches = [p for p in addressees_of(session, served) if p.name == to]
                if not matches:
                    names = "、".join(p.name for p in addressees_of(session, served)) or "无"
                    raise UserError(f"“{to}”不是文书{served.doc_no}的受送达人；受送达人：{names}")
                party_id = matches[0].id
        issued = issue_notice(
            db,
            session,
            actor,
            case.id,
            kind,
            today=today,
            served_document_id=served_id,
            recipient_party_id=party_id,
        )
    output = Path(args.output) if args.output else _default_output(issued.doc_no)
    try:
        output.write_bytes(issued.pdf)
    except OSError as exc:
        raise UserError(
            f"无法写入“{output}”（{exc.strerror}）；文书{issued.doc_no}已出具并保存在案件中，"
            "请另选保存位置后用 -o 重新导出"
        ) from None
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
