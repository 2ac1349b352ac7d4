"""`zhiqian transfer CASE_NO -o FILE.zip`, `zhiqian verify-package FILE.zip` and
`zhiqian export-public-key` (docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from zhiqian_desktop.cli import common
from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import Command, with_database
from zhiqian_desktop.cli.values import add_force_argument
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.workflow import CaseStatus

if TYPE_CHECKING:  # the services (and ReportLab) load only when the command runs
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from zhiqian_desktop.services.core.actor import Actor
    from zhiqian_desktop.store.database import Database

DEFAULT_REASON = "经催告、督促，被申请人仍未履行生效法律文书确定的义务，督促不成"


def add_transfer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_no", metavar="CASE_NO", help="本院案号，如（2026）内0221执前督12号")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.zip",
        help="移送材料保存位置：以 .zip 结尾写成压缩包，否则写成一个新文件夹",
    )
    add_force_argument(parser, "压缩包已存在时覆盖它（文件夹总须是新的）")
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        help="督促不成的理由（默认：已标记督促不成时登记的理由，或一句通用表述）",
    )
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="移送日期（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", metavar="FILE.zip", help="移送材料压缩包或文件夹")
    parser.add_argument(
        "--public-key",
        metavar="FILE",
        help="法院公钥文件（zhiqian export-public-key 导出）；不写时取本机数据库中法院的密钥",
    )
    parser.add_argument("--json", action="store_true", help="输出机器可读的结果")


def add_public_key_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="公钥保存位置（不写时输出到屏幕）")
    add_force_argument(parser)


def _day(text: str | None) -> date:
    if not text:
        return CLOCK.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"日期“{text}”格式不正确；请写作 YYYY-MM-DD，如 2026-11-22") from None


def cmd_transfer(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """Mark the case transferred and write its package; prints where it is."""
    from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
    from zhiqian_desktop.services.closing.transfer_verify import verify_package
    from zhiqian_desktop.services.core.signing import court_public_key
    from zhiqian_desktop.services.intake.docket import find_case
    from zhiqian_desktop.store.archives import check_destination

    today = _day(getattr(args, "date", None))
    output = Path(args.output)
    as_zip = output.suffix.lower() == ".zip"
    check_destination(output, as_zip=as_zip, force=getattr(args, "force", False))
    case = find_case(db, args.case_no)
    case_id, case_no = case.id, case.case_no
    reason = (getattr(args, "reason", None) or "").strip()
    if not reason:
        reason = (
            case.close_reason
            if case.status is CaseStatus.FAILED and case.close_reason
            else DEFAULT_REASON
        )
    path = build_transfer_package(
        db,
        actor,
        case_id,
        reason,
        output,
        as_zip=as_zip,
        today=today,
        force=getattr(args, "force", False),
    )
    report = verify_package(path, court_public_key(db))
    if getattr(args, "json", False):
        data = {
            "case_no": case_no,
            "output": str(path),
            "format": "zip" if as_zip else "folder",
            "files": report.files_checked,
            "verified": report.ok,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"案件{case_no}已移送执行；移送材料（{report.files_checked}个文件）：{path}")
    if not report.ok:
        print("；".join(report.lines()), file=sys.stderr)
        return 1
    return 0


def cmd_verify_package(args: argparse.Namespace) -> int:
    """Check a package against its manifest; exit 1 when anything is missing, extra or altered."""
    from zhiqian_desktop.services.closing.transfer_verify import verify_package

    report = verify_package(Path(args.package), _verifying_key(args))
    if getattr(args, "json", False):
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif report.ok:
        print(
            f"移送材料完整：{report.path}（案号 {report.case_no}，"
            f"{report.files_checked}个文件均与清单一致）"
        )
        print(report.signer_line())
    else:
        for line in report.lines():
            print(line, file=sys.stderr)
        problems = 1 if report.refused else len(report.findings)
        print(f"移送材料核对未通过：{report.path}，共{problems}处问题", file=sys.stderr)
    return 0 if report.ok else 1


def _verifying_key(args: argparse.Namespace) -> Ed25519PublicKey | None:
    """The court's public key: the file named, or the key of the court's own database; None
    when neither is at hand (the report then says the signature was not checked, and how to)."""
    from zhiqian_desktop.services.core import signing

    if getattr(args, "public_key", None):
        path = Path(args.public_key)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"无法读取公钥文件“{path}”：{exc.strerror or exc}") from exc
        return signing.load_public_pem(data, str(path))
    try:
        with common.opened(args, check=False) as db:
            return signing.court_public_key(db)
    except UserError:
        return None


def cmd_export_public_key(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """The court's public key as PEM, to stdout or a file, and its fingerprint."""
    from zhiqian_desktop.services.core import signing

    output = getattr(args, "output", None)
    exported = signing.export_public_key(
        db, Path(output) if output else None, force=bool(getattr(args, "force", False))
    )
    line = f"法院公钥指纹：{exported.fingerprint}（与移送执行函上印的指纹核对）"
    if exported.path is None:
        sys.stdout.write(exported.pem.decode("ascii"))
        print(line, file=sys.stderr)
    else:
        print(f"已导出法院公钥：{exported.path}")
        print(line)
    return 0


TRANSFER = Command(
    "transfer",
    "督促不成案件移送执行：生成移送材料（压缩包或文件夹）",
    add_transfer_arguments,
    with_database(cmd_transfer),
)
VERIFY = Command(
    "verify-package", "核对移送材料是否完整、未被改动", add_verify_arguments, cmd_verify_package
)
PUBLIC_KEY = Command(
    "export-public-key",
    "导出法院公钥（用于在其他电脑上核对移送材料的签名）",
    add_public_key_arguments,
    with_database(cmd_export_public_key, write=False),
)
COMMANDS = (TRANSFER, VERIFY, PUBLIC_KEY)
