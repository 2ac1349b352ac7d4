"""`zhiqian gui`, `init` and `demo`: starting the desktop app, setting up a court, demo data."""

from __future__ import annotations

import argparse
from pathlib import Path

from zhiqian_desktop.cli import common, login
from zhiqian_desktop.cli.clock import CLOCK
from zhiqian_desktop.cli.common import PASSPHRASE_ENV, Command
from zhiqian_desktop.cli.values import bounded
from zhiqian_desktop.domain.errors import UserError

MAX_DEMO_CASES = 200_000


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="使用临时演示数据库"
    )


def cmd_gui(args: argparse.Namespace) -> int:
    url = common.database_url(args)
    try:
        from zhiqian_desktop.gui import app
    except ImportError as exc:
        raise UserError(
            f"桌面程序无法启动：{exc}；请确认已完整安装本程序（含 PySide6），或改用命令行功能（zhiqian --help）"
        ) from exc
    return int(app.run(url, bool(getattr(args, "demo", False))))


def show_without_console(message: str) -> None:
    """The desktop app started without a console (the windowed build) failed before its window
    opened: the clerk sees the message in a box, not nowhere (the log has it too)."""
    try:
        from zhiqian_desktop.gui.app import show_startup_failure
    except ImportError:
        return
    show_startup_failure(message)


def add_init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--court-name", required=True, metavar="名称", help="如 土默特右旗人民法院")
    parser.add_argument("--court-code", required=True, metavar="代字", help="如 内0221")
    parser.add_argument(
        "--case-word", default="执前督", metavar="代字", help="案号类型代字（默认 执前督）"
    )
    parser.add_argument(
        "--admin-user", default="admin", metavar="用户名", help="管理员用户名（默认 admin）"
    )
    parser.add_argument(
        "--admin-name", default="管理员", metavar="姓名", help="管理员姓名（默认 管理员）"
    )
    parser.add_argument(
        "--encrypt",
        dest="encrypt_new_database",
        action="store_true",
        help=f"新建加密数据库（SQLCipher）；口令取自环境变量 {PASSPHRASE_ENV} 或在终端输入，"
        "遗失后无法找回",
    )


def cmd_init(args: argparse.Namespace) -> int:
    from zhiqian_desktop.domain.case_numbers import (
        format_case_number,
        validate_case_word,
        validate_court_code,
    )
    from zhiqian_desktop.services.core.settings import SetupInput, initialize

    # Checked before the file is touched, so a typo leaves nothing behind.
    code = validate_court_code(args.court_code)
    word = validate_case_word(args.case_word)
    path = common.sqlite_path(common.database_url(args))
    existed = path is None or path.exists()
    folder_existed = path is None or _files_folder(path).exists()
    try:
        with common.opened(args, initialised=False, create=True) as db:
            settings = initialize(
                db,
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
            _remove_new_database(path, with_folder=not folder_existed)
        raise
    print(f"已初始化数据库：{location}")
    print(
        f"法院：{court}（{code}），案号示例：{format_case_number(CLOCK.today().year, code, word, 1)}"
    )
    print(f"管理员用户：{args.admin_user}（{args.admin_name}）")
    return 0


def _files_folder(path: Path) -> Path:
    from zhiqian_desktop.store.locations import attachments_dir

    return attachments_dir(path)


def _remove_new_database(path: Path, *, with_folder: bool) -> None:
    """Undo the file this failed `init` created (never a file that existed before), and the
    folder of keys its first write made beside it (never a folder that existed before)."""
    import shutil

    if with_folder:
        shutil.rmtree(_files_folder(path), ignore_errors=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases",
        type=bounded(1, MAX_DEMO_CASES),
        default=300,
        metavar="N",
        help="案件数（默认 300）",
    )
    parser.add_argument(
        "--seed", type=int, default=1, metavar="S", help="随机种子，相同种子生成相同数据"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="数据库已启用登录或已有非演示案件时仍然添加（演示用户一律没有密码）",
    )


def cmd_demo(args: argparse.Namespace) -> int:
    import time

    from zhiqian_desktop.domain.workflow import CaseStatus
    from zhiqian_desktop.services.admin.demo import generate_demo

    started = time.perf_counter()
    with common.opened(args) as db:
        login.acting_user(args, db).require_admin()
        report = generate_demo(
            db, cases=args.cases, seed=args.seed, today=CLOCK.today(), force=args.force
        )
        location = db.location
    seconds = time.perf_counter() - started
    print(
        f"已向 {location} 添加演示案件 {report.cases} 件（{report.first_case_no} 至 {report.last_case_no}），用时 {seconds:.1f} 秒"
    )
    print(
        f"新建用户 {report.users_created} 个、法庭 {report.tribunals_created} 个；"
        f"督促记录 {report.contact_logs} 条、履行款 {report.payments} 笔、和解协议 {report.settlements} 份、"
        f"保全 {report.preservations} 项、委托调解 {report.mediations} 件、"
        f"执行前保全裁定 {report.preservation_rulings} 份、司法建议 {report.suggestions} 件、"
        f"短信 {report.messages} 条"
    )
    order = list(CaseStatus)
    counts = sorted(report.by_status.items(), key=lambda item: order.index(item[0]))
    print("各状态：" + "，".join(f"{status.label} {n}" for status, n in counts))
    return 0


COMMANDS = (
    Command("gui", "启动桌面程序（默认命令）", add_gui_arguments, cmd_gui),
    Command(
        "init",
        "初始化数据库：法院名称、法院代字、案件类型代字和管理员",
        add_init_arguments,
        cmd_init,
    ),
    Command(
        "demo",
        "向数据库添加逼真的演示数据（承办人、法庭、案件及督促记录）",
        add_demo_arguments,
        cmd_demo,
    ),
)
