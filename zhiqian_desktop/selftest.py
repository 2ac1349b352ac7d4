"""`zhiqian --self-test`: proves an installed or frozen build works, without a screen or user data.

Each check prints one line (``ok   …`` or ``FAIL …``); the first failure stops the run with exit
status 1. Everything happens in a temporary folder that is removed afterwards: the clerk's data
directory and database are never touched (ZHIQIAN_DATA_DIR points at the temporary folder while
the test runs). Qt runs offscreen unless QT_QPA_PLATFORM says otherwise, so it works over SSH,
in CI and on a locked-down PC alike.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from zhiqian_desktop.store.temp_folders import make_temp_folder, release_temp_folder

SELF_TEST_DAY = date(2026, 11, 25)
"""A fixed working day, so the test does not depend on the holiday data of the current year."""


class SelfTestFailed(Exception):
    """A check did not hold; the message says which and why."""


def _check_resources() -> str:
    from zhiqian_desktop.domain.kinds import DocumentKind
    from zhiqian_desktop.printing.templates import default_template_path
    from zhiqian_desktop.resources_access import (
        PRINT_FONT_FILE,
        UI_FONT_FILE,
        bundled_font_paths,
        ui_path,
    )

    fonts = bundled_font_paths()
    names = {p.name for p in fonts}
    for wanted in (UI_FONT_FILE, PRINT_FONT_FILE):
        if wanted not in names:
            raise SelfTestFailed(f"内置字体 {wanted} 缺失（找到：{sorted(names) or '无'}）")
    forms = [ui_path(n) for n in ("main_window.ui", "case_form.ui")]
    missing = [str(p) for p in forms if not p.is_file()]
    if missing:
        raise SelfTestFailed(f"界面表单缺失：{', '.join(missing)}")
    templates = [default_template_path(k) for k in DocumentKind]
    missing = [p.name for p in templates if not p.is_file()]
    if missing:
        raise SelfTestFailed(f"文书模板缺失：{', '.join(missing)}")
    return f"{len(fonts)} fonts, {len(forms)} forms, {len(templates)} templates"


def _check_migrations() -> str:
    from zhiqian_desktop.store.migrations import head_revision

    return f"head {head_revision()}"


def _open_database(state: dict[str, Any]) -> str:
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core import settings as settings_service
    from zhiqian_desktop.services.core.users import default_actor
    from zhiqian_desktop.store.engine import sqlite_url

    path: Path = state["folder"] / "selftest.db"
    db = open_app_database(sqlite_url(path))
    state["db"] = db
    settings_service.initialize(db, settings_service.SetupInput("自检人民法院", "内0221", "执前督"))
    state["actor"] = default_actor(db)
    return f"{path.name} migrated and initialised"


def _register_case(state: dict[str, Any]) -> str:
    from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
    from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, register_case

    data = CaseInput(
        original_case_no="（2026）内0221民初1号",
        cause="民间借贷纠纷",
        received_date=date(2026, 11, 20),
        effective_date=date(2026, 11, 1),
        performance_deadline=date(2026, 11, 15),
        amount_due=Decimal("12345.67"),
        parties=[
            PartyInput(PartyRole.APPLICANT, "李某", PartyKind.PERSON),
            PartyInput(PartyRole.OBLIGOR, "王某某", PartyKind.PERSON, phones="13912345678"),
        ],
    )
    case = register_case(state["db"], state["actor"], data, today=SELF_TEST_DAY)
    state["case_id"] = case.id
    return case.case_no


def _render_notice(state: dict[str, Any]) -> str:
    from zhiqian_desktop.domain.kinds import DocumentKind
    from zhiqian_desktop.services.supervision.notices import issue_notice

    issued = issue_notice(
        state["db"], state["actor"], state["case_id"], DocumentKind.URGING, today=SELF_TEST_DAY
    )
    pdf = issued.pdf
    state["pdf_path"] = state["folder"] / "notice.pdf"
    state["pdf_path"].write_bytes(pdf)
    if not pdf.startswith(b"%PDF-"):
        raise SelfTestFailed(f"文书{issued.doc_no}不是PDF文件")
    # The bundled CJK fonts are embedded as subsets; a PDF without them would be a few KB.
    if b"FontFile2" not in pdf:
        raise SelfTestFailed("PDF中没有嵌入字体")
    return f"{issued.doc_no}, {len(pdf) // 1024} KB"


def _main_window(state: dict[str, Any]) -> str:
    from PySide6.QtWidgets import QApplication

    from zhiqian_desktop.gui.app import AppSession, build_main_window, make_application

    app = make_application([sys.argv[0] if sys.argv else "zhiqian"])
    session = AppSession(state["db"])
    window = build_main_window(session, state["actor"])
    window.show()
    QApplication.processEvents()
    title = window.windowTitle()
    shown = window.isVisible()
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    if not shown:
        raise SelfTestFailed("主窗口未能显示")
    return f"platform {app.platformName()}, “{title}”"


def _encryption(state: dict[str, Any]) -> str:
    """SQLCipher: a new database encrypted, closed, and opened again only with its passphrase."""
    from zhiqian_desktop.services.admin.encryption import encrypt_new_database, unlock
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core import settings as settings_service
    from zhiqian_desktop.store import cipher
    from zhiqian_desktop.store.engine import encrypted_url, sqlite_url

    if not cipher.available():
        if getattr(sys, "frozen", False):
            raise SelfTestFailed("桌面版中缺少 SQLCipher（sqlcipher3），加密的数据库无法打开")
        return 'skipped: sqlcipher3 is not installed (pip install ".[sqlcipher]")'
    path: Path = state["folder"] / "encrypted.db"
    passphrase = "自检口令 self-test"
    db = encrypt_new_database(open_app_database(sqlite_url(path)), passphrase)
    settings_service.initialize(db, settings_service.SetupInput("加密自检法院", "内0221", "执前督"))
    db.dispose()
    if cipher.is_plain(path):
        raise SelfTestFailed("加密后的数据库文件仍是明文")
    cipher.forget(path)
    unlock(path, passphrase)
    db = open_app_database(encrypted_url(path))
    try:
        court = settings_service.get_settings(db).court_name
    finally:
        db.dispose()
        cipher.forget(path)
    if court != "加密自检法院":
        raise SelfTestFailed(f"加密数据库重新打开后内容不符（{court}）")
    return f"SQLCipher {cipher.dbapi().sqlite_version}, reopened with the passphrase"


def _screen_fonts_and_sorting(_state: dict[str, Any]) -> str:
    """Qt loads every bundled font, the interface font has the Chinese glyphs, and ICU's data
    sorts Chinese by pinyin (the folder build carries only the Chinese part of that data)."""
    from PySide6.QtCore import QCollator, QLocale
    from PySide6.QtGui import QFont, QFontMetrics

    from zhiqian_desktop.gui.fonts import add_font_file, apply_ui_font
    from zhiqian_desktop.resources_access import bundled_font_paths

    families = {}
    for path in bundled_font_paths():
        loaded = add_font_file(path)
        if not loaded:
            raise SelfTestFailed(f"Qt 无法加载内置字体 {path.name}")
        families[path.name] = loaded[0]
    font = apply_ui_font()
    metrics = QFontMetrics(QFont(font.family()))
    missing = [ch for ch in "执前督促催告书" if not metrics.inFontUcs4(ord(ch))]
    if missing:
        raise SelfTestFailed(f"界面字体 {font.family()} 缺少汉字：{''.join(missing)}")
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if collator.compare("李", "张") >= 0 or collator.compare("阿", "白") >= 0:
        raise SelfTestFailed("中文排序（ICU 数据）不是按拼音；Qt 的 ICU 数据缺失或不完整")
    return f"{', '.join(sorted(families.values()))}; pinyin order"


def _preview_and_print(state: dict[str, Any]) -> str:
    """PDFium (the preview's native library) draws the notice and Qt prints it to a PDF file."""
    from PySide6.QtPrintSupport import QPrinter

    from zhiqian_desktop.gui.pdf_view import PdfPages, print_pages

    pages = PdfPages(state["pdf_path"])
    try:
        image = pages.render(0, 50)
        if image is None or image.isNull():
            raise SelfTestFailed("PDF预览无法显示页面")
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        target = state["folder"] / "printed.pdf"
        printer.setOutputFileName(str(target))
        printer.setResolution(100)
        printed = print_pages(printer, pages)
    finally:
        pages.close()
    if printed != pages.page_count or not target.is_file():
        raise SelfTestFailed("打印到PDF文件失败")
    from pypdf import PdfReader

    sheets = PdfReader(target).pages
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in sheets}
    if len(sheets) != pages.page_count or sizes != {(595, 842)}:
        raise SelfTestFailed(f"打印到文件的页数或纸张不对：{len(sheets)} 页，{sizes}（应为 A4）")
    return f"{pages.page_count} page(s), {image.width()}×{image.height()} px, printed on A4"


CHECKS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("bundled fonts, forms and templates", lambda _s: _check_resources()),
    ("database migrations", lambda _s: _check_migrations()),
    ("temporary database", _open_database),
    ("register a case", _register_case),
    ("render a notice to PDF", _render_notice),
    ("encrypted database", _encryption),
    ("main window", _main_window),
    ("fonts on screen and Chinese sorting", _screen_fonts_and_sorting),
    ("preview and print a PDF to a file", _preview_and_print),
]


def run_self_test(out: TextIO | None = None) -> int:
    """Run every check; 0 when all pass, 1 at the first failure (which is printed)."""
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = make_temp_folder("zhiqian-selftest-")
    saved_data_dir = os.environ.get("ZHIQIAN_DATA_DIR")
    os.environ["ZHIQIAN_DATA_DIR"] = str(folder / "userdata")
    state: dict[str, Any] = {"folder": folder}
    frozen = " (frozen)" if getattr(sys, "frozen", False) else ""
    print(f"zhiqian self-test{frozen}: Python {sys.version.split()[0]}, {sys.platform}", file=out)
    started = time.perf_counter()
    try:
        for name, check in CHECKS:
            t0 = time.perf_counter()
            try:
                detail = check(state)
            except Exception as exc:
                reason = str(exc) if isinstance(exc, SelfTestFailed) else _describe(exc)
                print(f"FAIL {name}: {reason}", file=out, flush=True)
                if not isinstance(exc, SelfTestFailed):
                    traceback.print_exc(file=sys.stderr)
                return 1
            ms = (time.perf_counter() - t0) * 1000
            print(f"ok   {name} — {detail} ({ms:.0f} ms)", file=out, flush=True)
    finally:
        db = state.get("db")
        if db is not None:
            db.dispose()
        if saved_data_dir is None:
            os.environ.pop("ZHIQIAN_DATA_DIR", None)
        else:
            os.environ["ZHIQIAN_DATA_DIR"] = saved_data_dir
        release_temp_folder(folder)
    print(f"self-test passed in {time.perf_counter() - started:.1f} s", file=out)
    return 0


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}"


if __name__ == "__main__":
    raise SystemExit(run_self_test())
