"""The `zhiqian` command line (DESIGN.md §8): parsing, calling the services, printing the result."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from zhiqian_desktop import (
    cli_auth,
    cli_batch,
    cli_dossier,
    cli_due,
    cli_errors,
    cli_import,
    cli_notice,
    cli_server,
    cli_stats,
    cli_sync,
    cli_transfer,
    cli_values,
)
from zhiqian_desktop.domain.errors import AlreadyExists, UserError

if TYPE_CHECKING:
    from zhiqian_desktop.store.database import Database
    from zhiqian_desktop.store.models import SupervisionCase

log = logging.getLogger(__name__)

PROG = "zhiqian"
INIT_HINT = "请先运行 zhiqian init --court-name 法院名称 --court-code 法院代字（如 内0221）"
PASSPHRASE_ENV = "ZHIQIAN_PASSPHRASE"
NEW_PASSPHRASE_ENV = "ZHIQIAN_NEW_PASSPHRASE"
PASSPHRASE_TRIES = 3
MAX_LIMIT = 1_000_000
MAX_DEMO_CASES = 200_000


# --- parsing ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with its help headings and one-line complaint in Chinese; usage errors exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本说明并退出"
            )

    def error(self, message: str) -> NoReturn:
        # One line, like every other error; the usage is one --help away.
        self.exit(
            2,
            f"{self.prog}：用法错误：{cli_errors.one_line(message)}（用 {self.prog} --help 查看说明）\n",
        )


def _database_options() -> _Parser:
    # SUPPRESS keeps a value given before the command from being reset by the sub-parser's default.
    common = _Parser(add_help=False)
    group = common.add_argument_group("数据库")
    group.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="数据库文件（默认在用户数据目录）"
    )
    group.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="数据库地址，如 postgresql+psycopg://user@host/zhiqian",
    )
    cli_auth.add_login_options(common)
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _database_options()
    parser = _Parser(
        prog=PROG,
        description="执前督促 — 执行前督促程序案件管理。不带命令时启动桌面程序。",
        parents=[common],
        epilog="各命令的说明：zhiqian 命令 --help；完整参考见 docs/cli.md。",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="用临时演示数据库启动桌面程序",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="自检：用临时数据库登记一件案件、出具一份文书、打开主窗口（无需屏幕），通过则退出 0",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    p = command("gui", "启动桌面程序（默认命令）")
    p.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="使用临时演示数据库"
    )

    p = command("init", "初始化数据库：法院名称、法院代字、案件类型代字和管理员")
    p.add_argument("--court-name", required=True, metavar="名称", help="如 土默特右旗人民法院")
    p.add_argument("--court-code", required=True, metavar="代字", help="如 内0221")
    p.add_argument(
        "--case-word", default="执前督", metavar="代字", help="案号类型代字（默认 执前督）"
    )
    p.add_argument(
        "--admin-user", default="admin", metavar="用户名", help="管理员用户名（默认 admin）"
    )
    p.add_argument(
        "--admin-name", default="管理员", metavar="姓名", help="管理员姓名（默认 管理员）"
    )
    p.add_argument(
        "--encrypt",
        dest="encrypt_new_database",
        action="store_true",
        help=f"新建加密数据库（SQLCipher）；口令取自环境变量 {PASSPHRASE_ENV} 或在终端输入，"
        "遗失后无法找回",
    )

    p = command("demo", "向数据库添加逼真的演示数据（承办人、法庭、案件及督促记录）")
    p.add_argument(
        "--cases",
        type=cli_values.bounded(1, MAX_DEMO_CASES),
        default=300,
        metavar="N",
        help="案件数（默认 300）",
    )
    p.add_argument(
        "--seed", type=int, default=1, metavar="S", help="随机种子，相同种子生成相同数据"
    )

    p = command("cases", "列出案件台账")
    p.add_argument(
        "--status", metavar="S", help="状态代码或名称，多个用逗号分隔，如 supervising,督促不成"
    )
    p.add_argument("--handler", metavar="NAME", help="承办人用户名或姓名")
    p.add_argument("--search", metavar="TEXT", help="按案号、原审案号、当事人、证件号、电话查找")
    p.add_argument(
        "--limit",
        type=cli_values.bounded(0, MAX_LIMIT, "0 表示全部"),
        default=100,
        metavar="N",
        help="最多列出的件数（默认 100，0 为全部）",
    )
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = command("show", "显示一件案件的详情")
    p.add_argument("case_no", metavar="CASE_NO", help="案号，如 （2026）内0221执前督12号")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = command("deadline", "计算期间届满日（民诉法第85条：起算日不计入，节假日顺延）")
    p.add_argument("start", metavar="START", help="起算日，如 2025-09-16")
    p.add_argument("--days", type=int, required=True, metavar="N", help="期间天数")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    command("check", "检查数据库完整性和审计记录哈希链")

    p = command("backup", "立即备份数据库")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="备份文件或目录（默认 数据库旁的 backups 目录）"
    )
    cli_values.add_force_argument(p)

    command(
        "encrypt",
        "把数据库转为加密数据库（SQLCipher），或更换已加密数据库的口令；"
        f"新口令取自 {NEW_PASSPHRASE_ENV} 或在终端输入（管理员）",
    )
    command("decrypt", "解除数据库加密（管理员）")

    cli_auth.add_restore_arguments(
        command("restore", "用备份文件恢复数据库（先自动备份当前数据库，损坏的文件改名保留）")
    )
    cli_auth.add_token_arguments(command("token", "为脚本生成登录令牌（ZHIQIAN_TOKEN）"))
    cli_auth.add_passwd_arguments(command("passwd", "修改密码；管理员可用 --reset 用户名 重置"))

    cli_stats.add_stats_arguments(
        command(
            "stats", "统计：收案、自动履行、和解、化解率等（可按月份、承办人、审判庭、法庭分组）"
        )
    )
    cli_due.add_due_arguments(command("due", "今日待办：到期和逾期事项（默认今天）"))
    cli_notice.add_arguments(command("notice", "出具文书并导出PDF（文书编号、存档、审计）"))
    cli_notice.add_serve_arguments(
        command("serve", "登记文书向一名受送达人的送达（每名受送达人分别登记）")
    )
    cli_batch.add_batch_arguments(
        command("print-batch", "批量出具文书并合并为一个PDF（上门送达，可附送达回证）")
    )
    cli_import.add_template_arguments(
        command("import-template", "写出 Excel 导入模板（列标题、说明和一个示例案件）")
    )
    cli_import.add_cases_arguments(
        command("import-cases", "从 Excel 移交清单导入案件：全部无误才登记，逐行报告问题")
    )
    cli_sync.add_export_kit_arguments(command("export-kit", "导出法庭离线包（含预留案号段）"))
    cli_sync.add_open_kit_arguments(command("open-kit", "在笔记本上打开离线包"))
    cli_sync.add_export_changes_arguments(
        command("export-changes", "从离线包数据库导出变更包，带回法院合并")
    )
    cli_sync.add_import_changes_arguments(
        command("import-changes", "导入法庭带回的变更包并合并（冲突留待人工选择）")
    )
    cli_transfer.add_transfer_arguments(
        command("transfer", "督促不成案件移送执行：生成移送材料（压缩包或文件夹）")
    )
    cli_server.add_copy_arguments(
        command("copy-database", "把数据库复制到服务器或本机文件（逐表核对行数和校验和）")
    )
    cli_dossier.add_dossier_arguments(
        command("dossier", "已结案案件的归档卷宗：封面、卷内目录、文书和附件合为一个PDF")
    )
    cli_transfer.add_verify_arguments(command("verify-package", "核对移送材料是否完整、未被改动"))
    return parser


# --- output helpers --------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()
) -> None:
    """A plain text table that lines up Chinese (double-width) and Latin characters."""
    widths = [_width(h) for h in headers]
    for row in rows:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    lines = [headers, ["-" * w for w in widths], *rows]
    for n, row in enumerate(lines):
        cells = [
            _pad(c, w, i in right and n != 1)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(text: str, what: str) -> date:
    """A date as a clerk writes it: 2025-09-16, 2025/9/16, 2025.9.16 or 2025年9月16日."""
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        raise UserError(f"{what}“{text}”格式不正确；请写作 年-月-日，如 2025-09-16")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise UserError(f"{what}“{text}”不是有效日期；请核对月份和日期，如 2025-09-16") from None


# --- opening the database --------------------------------------------------------------------


def _url(args: argparse.Namespace) -> str:
    from zhiqian_desktop.services.maintenance import resolve_url

    return resolve_url(getattr(args, "db", None), getattr(args, "database_url", None))


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def _ask_passphrase(path: Path, *, new: bool, env: str = PASSPHRASE_ENV) -> str:
    """The passphrase from the environment (ZHIQIAN_PASSPHRASE), else typed at the terminal
    (never echoed; a new one twice)."""
    import getpass

    from zhiqian_desktop.store import cipher

    given = os.environ.get(env)
    if given:
        if new:
            cipher.check_passphrase(given)
        return given
    if not sys.stdin.isatty():
        if new:
            raise UserError(
                f"设置数据库口令需要输入口令；请设置环境变量 {env}，或在终端中运行以便输入口令"
            )
        raise cipher.PassphraseRequired(path)
    if not new:
        return getpass.getpass(f"数据库“{path}”的口令：")
    print(f"为新数据库设置口令（至少 {cipher.MIN_PASSPHRASE} 个字符）。{cipher.LOST_PASSPHRASE}。")
    first = getpass.getpass("口令：")
    cipher.check_passphrase(first)
    if getpass.getpass("再次输入口令：") != first:
        raise UserError("两次输入的口令不一致；数据库没有创建，请重新运行并仔细输入")
    return first


def _unlocked_url(args: argparse.Namespace) -> str:
    """The database URL with its key remembered when the file is encrypted (asked for here);
    with --encrypt, a new encrypted database's key."""
    from zhiqian_desktop.store import cipher
    from zhiqian_desktop.store.database import encrypted_url

    url = _url(args)
    path = _sqlite_path(url)
    if getattr(args, "encrypt_new_database", False):
        if path is None:
            raise UserError(
                "--encrypt 只适用于本机数据库文件；服务器数据库的加密请由信息技术人员配置"
            )
        if path.exists() and path.stat().st_size > 0:
            raise UserError(
                f"数据库文件“{path}”已存在；--encrypt 只用于新建数据库，"
                "已有的数据库请用 zhiqian encrypt 转为加密数据库"
            )
        cipher.dbapi()
        cipher.remember(path, cipher.new_key(_ask_passphrase(path, new=True)))
        return encrypted_url(path)
    return unlock_url(url)


def unlock_url(url: str) -> str:
    """`url`, its key remembered when it names an encrypted database file (the passphrase from
    ZHIQIAN_PASSPHRASE or asked at the terminal, up to three times)."""
    from zhiqian_desktop.store import cipher
    from zhiqian_desktop.store.database import effective_url, is_encrypted_url

    url = effective_url(url)
    path = _sqlite_path(url)
    if path is None or not is_encrypted_url(url) or cipher.key_for(path) is not None:
        return url
    from zhiqian_desktop.services import encryption

    cipher.dbapi()
    interactive = not os.environ.get(PASSPHRASE_ENV)
    for attempt in range(1, PASSPHRASE_TRIES + 1):
        try:
            encryption.unlock(path, _ask_passphrase(path, new=False))
            return url
        except cipher.WrongPassphrase as exc:
            if not interactive or attempt == PASSPHRASE_TRIES:
                raise
            print(exc.message, file=sys.stderr)
    return url


def _take_in_template_files(db: Database) -> None:
    """The court's template files of an earlier version, into the database (once; logged)."""
    from zhiqian_desktop.services.document_templates import take_in_court_files

    try:
        take_in_court_files(db)
    except UserError as exc:  # a read-only or busy database: tried again next time
        log.warning("本院文书模板文件未能存入数据库：%s", exc.message)


@contextmanager
def _open(
    args: argparse.Namespace, *, initialised: bool = True, create: bool = False
) -> Iterator[Database]:
    """The database the command works on; a missing file is never created by mistake."""
    from zhiqian_desktop.services.maintenance import open_app_database
    from zhiqian_desktop.services.settings import is_initialized

    url = _url(args)
    path = _sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise UserError(f"数据库文件“{path}”不存在；{INIT_HINT}，或用 --db 指定已有的数据库文件")
    url = _unlocked_url(args)
    db = open_app_database(url)
    try:
        if initialised:
            with db.reader() as session:
                if not is_initialized(session):
                    raise UserError(f"数据库“{db.location}”尚未初始化；{INIT_HINT}")
            _take_in_template_files(db)
        yield db
    finally:
        db.dispose()


# --- commands --------------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    url = _url(args)
    try:
        from zhiqian_desktop.gui import app
    except ImportError as exc:
        raise UserError(
            f"桌面程序无法启动：{exc}；请确认已完整安装本程序（含 PySide6），或改用命令行功能（zhiqian --help）"
        ) from exc
    return int(app.run(url, bool(getattr(args, "demo", False))))


def cmd_init(args: argparse.Namespace) -> int:
    from zhiqian_desktop.domain.case_numbers import (
        format_case_number,
        validate_case_word,
        validate_court_code,
    )
    from zhiqian_desktop.services.settings import SetupInput, initialize

    # Checked before the file is touched, so a typo leaves nothing behind.
    code = validate_court_code(args.court_code)
    word = validate_case_word(args.case_word)
    url = _url(args)
    path = _sqlite_path(url)
    existed = path is None or path.exists()
    try:
        with _open(args, initialised=False, create=True) as db:
            with db.unit_of_work() as session:
                settings = initialize(
                    session,
                    SetupInput(
                        court_name=args.court_name,
                        court_code=code,
                        case_word=word,
                        admin_username=args.admin_user,
                        admin_display_name=args.admin_name,
                    ),
                )
                court = settings.court_name
            location = db.location
    except UserError:
        if not existed and path is not None:
            _remove_new_database(path)
        raise
    print(f"已初始化数据库：{location}")
    print(
        f"法院：{court}（{code}），案号示例：{format_case_number(date.today().year, code, word, 1)}"
    )
    print(f"管理员用户：{args.admin_user}（{args.admin_name}）")
    return 0


def _remove_new_database(path: Path) -> None:
    """Undo the file this failed `init` created (never a file that existed before)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def cmd_demo(args: argparse.Namespace) -> int:
    import time

    from zhiqian_desktop.domain.workflow import CaseStatus
    from zhiqian_desktop.services.demo import generate_demo

    started = time.perf_counter()
    with _open(args) as db:
        _acting_user(args, db).require_admin()
        report = generate_demo(db, cases=args.cases, seed=args.seed, today=date.today())
        location = db.location
    seconds = time.perf_counter() - started
    print(
        f"已向 {location} 添加演示案件 {report.cases} 件（{report.first_case_no} 至 {report.last_case_no}），用时 {seconds:.1f} 秒"
    )
    print(
        f"新建用户 {report.users_created} 个、法庭 {report.tribunals_created} 个；"
        f"督促记录 {report.contact_logs} 条、履行款 {report.payments} 笔、和解协议 {report.settlements} 份、"
        f"保全 {report.preservations} 项"
    )
    order = list(CaseStatus)
    counts = sorted(report.by_status.items(), key=lambda item: order.index(item[0]))
    print("各状态：" + "，".join(f"{status.label} {n}" for status, n in counts))
    return 0


def _parse_statuses(text: str) -> frozenset[Any]:
    from zhiqian_desktop.domain.workflow import CaseStatus

    found = set()
    for word in re.split(r"[,，、\s]+", text.strip()):
        if not word:
            continue
        match = next((s for s in CaseStatus if word in (s.value, s.label)), None)
        if match is None:
            known = "、".join(f"{s.value}（{s.label}）" for s in CaseStatus)
            raise UserError(f"案件状态“{word}”无法识别；可用：{known}")
        found.add(match)
    return frozenset(found)


def _find_handler(session: Any, name: str) -> str:
    from zhiqian_desktop.services.users import list_users

    users = list_users(session)
    match = [u for u in users if name.strip() in (u.username, u.display_name)]
    if not match:
        known = "、".join(f"{u.display_name}（{u.username}）" for u in users) or "无"
        raise UserError(f"没有承办人“{name}”；现有用户：{known}")
    return match[0].id


def cmd_cases(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.docket import DocketQuery, count_cases, list_cases

    query = DocketQuery(text=args.search or "")
    if args.status:
        query.statuses = _parse_statuses(args.status)
    today = date.today()
    with _open(args) as db, db.reader() as session:
        if args.handler:
            query.handler_id = _find_handler(session, args.handler)
        total = count_cases(session, query)
        limit = args.limit or max(total, 1)
        rows = list_cases(session, query, today=today, limit=limit)
    if args.json:
        _dump(
            {
                "total": total,
                "count": len(rows),
                "cases": [
                    {
                        "case_no": r.case_no,
                        "original_case_no": r.original_case_no,
                        "cause": r.cause,
                        "obligors": r.obligor_names,
                        "amount_due": str(r.amount_due),
                        "amount_paid": str(r.amount_paid),
                        "status": r.status.value,
                        "status_label": r.status.label,
                        "handler": r.handler_name or None,
                        "days_in_supervision": r.days_in_supervision,
                        "next_due_date": _iso(r.next_due_date),
                        "livelihood": r.livelihood,
                    }
                    for r in rows
                ],
            }
        )
        return 0
    if not rows:
        print("没有符合条件的案件。")
        return 0
    print_table(
        [
            "案号",
            "案由",
            "被申请人",
            "标的额（元）",
            "已履行（元）",
            "状态",
            "承办人",
            "天数",
            "下次到期",
        ],
        [
            [
                r.case_no + ("（民生）" if r.livelihood else ""),
                r.cause,
                _clip(r.obligor_names, 16),
                _money(r.amount_due),
                _money(r.amount_paid),
                r.status.label,
                r.handler_name,
                str(r.days_in_supervision),
                _iso(r.next_due_date) or "",
            ]
            for r in rows
        ],
        right=frozenset({3, 4, 7}),
    )
    more = f"，仅列出前 {len(rows)} 件（用 --limit 0 列出全部）" if len(rows) < total else ""
    print(f"\n共 {total} 件{more}。")
    return 0


def _clip(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for c in text:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def _case_json(case: SupervisionCase) -> dict[str, Any]:
    return {
        "case_no": case.case_no,
        "year": case.case_year,
        "seq": case.case_seq,
        "status": case.status.value,
        "status_label": case.status.label,
        "source": case.source.value,
        "source_label": case.source.label,
        "original_case_no": case.original_case_no,
        "original_doc_type": case.original_doc_type,
        "cause": case.cause,
        "effective_date": _iso(case.effective_date),
        "performance_deadline": _iso(case.performance_deadline),
        "final_installment_date": _iso(case.final_installment_date),
        "application_received_on": _iso(case.application_received_on),
        "act_performed_on": _iso(case.act_performed_on),
        "received_date": _iso(case.received_date),
        "department": case.department,
        "trial_judge": case.trial_judge,
        "amount_due": str(case.amount_due),
        "amount_paid": str(case.amount_paid),
        "amount_outstanding": str(max(case.amount_due - case.amount_paid, Decimal("0.00"))),
        "obligation_act": case.obligation_act,
        "livelihood": case.livelihood,
        "livelihood_kind": case.livelihood_kind,
        "handler": case.handler.display_name if case.handler else None,
        "tribunal": case.tribunal.name if case.tribunal else None,
        "next_due_date": _iso(case.next_due_date),
        "closed_date": _iso(case.closed_date),
        "close_reason": case.close_reason,
        "notes": case.notes,
        "version": case.version,
        "parties": [
            {
                "role": p.role.value,
                "role_label": p.role.label,
                "kind": p.kind.value,
                "kind_label": p.kind.label,
                "name": p.name,
                "id_number": p.id_number,
                "phones": [x for x in (p.phones or "").split("、") if x],
                "address": p.address,
                "legal_representative": p.legal_representative,
                "registered_capital": None
                if p.registered_capital is None
                else str(p.registered_capital),
                "licence_status": p.licence_status.value if p.licence_status else None,
            }
            for p in case.parties
        ],
    }


def cmd_show(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.docket import find_case

    with _open(args) as db, db.reader() as session:
        data = _case_json(find_case(session, args.case_no))
    if args.json:
        _dump(data)
        return 0
    due = Decimal(data["amount_due"])
    fields = [
        ("案号", data["case_no"]),
        ("状态", data["status_label"]),
        ("案件来源", data["source_label"]),
        ("原审案号", f"{data['original_case_no']}（{data['original_doc_type']}）"),
        (
            "案由",
            data["cause"]
            + (f"（涉民生：{data['livelihood_kind'] or '是'}）" if data["livelihood"] else ""),
        ),
        ("生效日期", data["effective_date"]),
        ("履行期限", data["performance_deadline"]),
        ("最后一期履行期限", data["final_installment_date"]),
        ("申请执行书收到日期", data["application_received_on"]),
        ("行为义务履行日期", data["act_performed_on"]),
        ("收案日期", data["received_date"]),
        ("审判庭 / 审判员", " / ".join(x for x in (data["department"], data["trial_judge"]) if x)),
        ("承办人", data["handler"]),
        ("法庭", data["tribunal"]),
        ("给付金额", f"{_money(due)} 元" if due else ""),
        ("已履行", f"{_money(Decimal(data['amount_paid']))} 元" if due else ""),
        ("未履行", f"{_money(Decimal(data['amount_outstanding']))} 元" if due else ""),
        ("行为义务", data["obligation_act"]),
        ("下次到期", data["next_due_date"]),
        ("结案日期", data["closed_date"]),
        ("结案情况", data["close_reason"]),
        ("备注", data["notes"]),
    ]
    label_width = max(_width(k) for k, _ in fields)
    for key, value in fields:
        if value:
            print(f"{_pad(key, label_width, False)}  {value}")
    print()
    print_table(
        ["当事人", "类型", "名称", "证件号码", "电话", "地址"],
        [
            [
                p["role_label"],
                p["kind_label"],
                p["name"],
                p["id_number"] or "",
                "、".join(p["phones"]),
                p["address"] or "",
            ]
            for p in data["parties"]
        ],
    )
    return 0


def cmd_deadline(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.calendar import deadline

    start = parse_date(args.start, "起算日")
    with _open(args) as db, db.reader() as session:
        result = deadline(session, start, args.days)
    if args.json:
        _dump(
            {
                "start": start.isoformat(),
                "days": args.days,
                "end": result.end.isoformat(),
                "rolled_from": _iso(result.rolled_from),
                "calendar_complete": result.calendar_complete,
            }
        )
        return 0
    weekdays = "一二三四五六日"
    print(f"起算日  {start.isoformat()}（当日不计入）")
    print(f"期间    {args.days} 日")
    print(f"届满日  {result.end.isoformat()}（星期{weekdays[result.end.weekday()]}）")
    if result.rolled_from:
        print(
            f"        原届满日 {result.rolled_from.isoformat()} 为法定休息日，顺延至其后第一个工作日"
        )
    if not result.calendar_complete:
        print(
            "注意：期间涉及的年份尚未录入国务院放假安排，届满日按法定节日和周末推算（调休、补假以通知为准），"
            "请人工核对（管理员可在“设置”中录入当年节假日）"
        )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from zhiqian_desktop.services.maintenance import take_backup

    dest = Path(args.output) if args.output else None
    with _open(args) as db:
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


def _change_encryption(args: argparse.Namespace, *, encrypt: bool) -> int:
    from zhiqian_desktop.services import encryption

    with _open(args) as db:
        path = db.path
        if path is None:
            raise UserError("加密只适用于本机数据库文件；服务器数据库的加密请由信息技术人员配置")
        was_encrypted = encryption.is_encrypted(db)
        if not encrypt and not was_encrypted:
            raise UserError(f"数据库“{path}”没有加密，无需解密")
        actor = _acting_user(args, db, write=True)
        actor.require_admin()
        passphrase = _ask_passphrase(path, new=True, env=NEW_PASSPHRASE_ENV) if encrypt else None
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


def _acting_user(args: argparse.Namespace, db: Database, *, write: bool = True) -> Any:
    """Who runs the command: a token, --user/--password, or the password-less first admin."""
    return cli_auth.acting_user(args, db, write=write)


def _auth_command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return int(getattr(cli_auth, name)(args))

    return run


def cmd_notice(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_notice.cmd_notice(db, _acting_user(args, db), args)


def cmd_serve(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_notice.cmd_serve(db, _acting_user(args, db), args)


def cmd_due(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_due.cmd_due(db, _acting_user(args, db, write=False), args)


def cmd_stats(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_stats.cmd_stats(db, _acting_user(args, db, write=False), args)


def cmd_print_batch(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_batch.cmd_batch_print(db, _acting_user(args, db), args)


def cmd_export_kit(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_sync.cmd_export_kit(db, _acting_user(args, db), args)


def cmd_open_kit(args: argparse.Namespace) -> int:
    return cli_sync.cmd_open_kit(args)


def cmd_export_changes(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_sync.cmd_export_changes(db, _acting_user(args, db), args)


def cmd_import_changes(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_sync.cmd_import_changes(db, _acting_user(args, db), args)


def cmd_import_template(args: argparse.Namespace) -> int:
    return cli_import.cmd_import_template(None, args)


def cmd_import_cases(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_import.cmd_import_cases(db, _acting_user(args, db, write=not args.dry_run), args)


def cmd_transfer(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_transfer.cmd_transfer(db, _acting_user(args, db), args)


def cmd_dossier(args: argparse.Namespace) -> int:
    with _open(args) as db:
        return cli_dossier.cmd_dossier(db, _acting_user(args, db, write=False), args)


def cmd_verify_package(args: argparse.Namespace) -> int:
    return cli_transfer.cmd_verify_package(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "export-kit": cmd_export_kit,
    "open-kit": cmd_open_kit,
    "export-changes": cmd_export_changes,
    "import-changes": cmd_import_changes,
    "transfer": cmd_transfer,
    "verify-package": cmd_verify_package,
    "dossier": cmd_dossier,
    "copy-database": cli_server.cmd_copy_database,
    "due": cmd_due,
    "stats": cmd_stats,
    "notice": cmd_notice,
    "serve": cmd_serve,
    "print-batch": cmd_print_batch,
    "import-template": cmd_import_template,
    "import-cases": cmd_import_cases,
    "gui": cmd_gui,
    "init": cmd_init,
    "demo": cmd_demo,
    "cases": cmd_cases,
    "show": cmd_show,
    "deadline": cmd_deadline,
    "check": _auth_command("cmd_check"),
    "backup": cmd_backup,
    "encrypt": cmd_encrypt,
    "decrypt": cmd_decrypt,
    "restore": _auth_command("cmd_restore"),
    "token": _auth_command("cmd_token"),
    "passwd": _auth_command("cmd_passwd"),
}


# --- entry point -----------------------------------------------------------------------------


def _error(message: str, stream: TextIO | None = None) -> None:
    print(f"{PROG}：错误：{cli_errors.one_line(message)}", file=stream or sys.stderr)


def _damaged_database(args: argparse.Namespace) -> str | None:
    try:
        url = _url(args)
    except Exception:  # the address itself was the problem; said already
        return None
    return cli_errors.damaged_database(url, cli_auth.damaged_hint(url))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 bad input or a failed check, 2 usage)."""
    cli_errors.configure_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        cli_values.check_values(parser, args)
    except UserError as exc:
        _error(exc.message)
        return 1
    if getattr(args, "self_test", False):
        from zhiqian_desktop.selftest import run_self_test

        return run_self_test()
    command = args.command or "gui"
    if getattr(args, "demo", False) and command != "gui":
        _error("--demo 只用于启动桌面程序（zhiqian gui --demo）")
        return 2
    try:
        return COMMANDS[command](args)
    except UserError as exc:
        hint = cli_errors.force_hint(exc) if isinstance(exc, AlreadyExists) else ""
        _error(exc.message + hint)
        return 1
    except KeyboardInterrupt:
        _error("已中断")
        return 130
    except BrokenPipeError:
        # `zhiqian cases | head` closed the pipe: not an error; keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        message = _damaged_database(args) or cli_errors.environment_error(exc)
        if message is None:
            raise
        _error(message)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
