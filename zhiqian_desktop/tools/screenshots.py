"""Screenshots of every main page on a fresh demo database, offscreen: look at the UI without a screen.

    python -m zhiqian_desktop.tools.screenshots --out shots/

Writes one PNG per page (due-list, docket, case page and its tabs, case form, settings, backups,
batch printing, statistics, the PDF preview of an issued notice, the template editor with a good
and a refused text). The user manual's pictures (resources/manual/images) are made with it:

    python -m zhiqian_desktop.tools.screenshots --out resources/manual/images --width 1100 --height 680

A page or the demo generator that is not available yet is skipped with a note, so the tool always
finishes.

With ``--screens`` it writes every main page and dialog at the four screens a court runs
(1024×700, 1366×768 at 100 % and 150 %, 1920×1080 at 150 %), one folder each, each screen in a
process of its own with Qt's scale factor set (``QT_SCALE_FACTOR``), and lists in
``problems.txt`` whatever does not fit (tools/screen_fit.py):

    python -m zhiqian_desktop.tools.screenshots --screens --out shots/
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _note(text: str) -> None:
    print(f"注意：{text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zhiqian_desktop.tools.screenshots",
        description="在演示数据库上离屏打开各主要页面并保存截图（PNG）",
    )
    parser.add_argument("--out", required=True, type=Path, help="截图保存目录")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=820)
    parser.add_argument(
        "--screens", action="store_true", help="在法院常见的四种屏幕尺寸和缩放下各截一套图"
    )
    parser.add_argument("--screen", help=argparse.SUPPRESS)  # one screen, in its own process
    args = parser.parse_args(argv)
    if args.screens:
        return _all_screens(args.out)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Window geometry and logs go to a throw-away folder, never the user's real profile.
    os.environ["ZHIQIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="zhiqian-shots-")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication, QWidget

    from zhiqian_desktop.gui.app import AppSession, create_demo_database, make_application
    from zhiqian_desktop.gui.fonts import apply_ui_font

    app = make_application([sys.argv[0]])
    apply_ui_font()
    written: list[Path] = []

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shoot(name: str, make: Callable[[], QWidget | None]) -> None:
        try:
            widget = make()
        except ImportError as exc:
            _note(f"{name}：页面尚未提供（{exc}），已跳过")
            return
        except Exception:
            _note(f"{name}：打开失败，已跳过\n{traceback.format_exc()}")
            return
        if widget is None:
            return
        settle()
        path = out / f"{name}.png"
        if widget.grab().save(str(path)):
            written.append(path)
            print(f"已保存 {path}")
        else:
            _note(f"{name}：无法写入 {path}")

    try:
        db, folder = create_demo_database()
    except ImportError as exc:
        _note(f"演示数据生成器尚未提供（{exc}）；改用只有法院设置的空数据库")
        db, folder = _empty_database()
    session = AppSession(db, temp_dir=folder)
    try:
        from zhiqian_desktop.gui.app import build_main_window
        from zhiqian_desktop.gui.main_window import (
            PAGE_DOCKET,
            PAGE_DUE,
            PAGE_OUTBOX,
            PAGE_SETTINGS,
            PAGE_STATS,
            MainWindow,
        )

        window = build_main_window(session)
        if not isinstance(window, MainWindow):
            raise RuntimeError("the desktop did not open its main window")
        window.resize(args.width, args.height)
        window.show()
        settle()
        if args.screen:
            return _one_screen(window, db, args.screen, out)

        def page(index: int) -> Callable[[], QWidget]:
            def show() -> QWidget:
                window.show_page(index)
                return window

            return show

        shoot("1-今日待办", page(PAGE_DUE))
        shoot("2-案件台账", page(PAGE_DOCKET))

        def overdue() -> QWidget:
            window.show_overdue()
            return window

        shoot("2b-案件台账-已逾期", overdue)
        window.docket.reset_filters()
        first_case = _first_case_id(window)

        def case_page() -> QWidget | None:
            if first_case is None:
                _note("台账中没有案件，跳过案件详情页")
                return None
            window.show_case(first_case)
            return window

        shoot("3-案件详情", case_page)

        worked_case = _case_with_payments(db) or first_case

        def case_tab(title: str) -> Callable[[], QWidget | None]:
            def show() -> QWidget | None:
                if worked_case is None:
                    return None
                window.show_case(worked_case)
                if window.case_page is None:
                    return None
                tabs = window.case_page.tabs
                for i in range(tabs.count()):
                    if tabs.tabText(i) == title:
                        tabs.setCurrentIndex(i)
                return window

            return show

        shoot("3c-案件详情-督促记录", case_tab("督促记录"))
        shoot("3d-案件详情-文书", case_tab("文书"))
        shoot("3e-案件详情-履行", case_tab("履行"))
        shoot("3f-案件详情-委托调解", case_tab("委托调解"))
        shoot("3h-案件详情-短信", case_tab("短信"))
        shoot("11-短信发件箱", page(PAGE_OUTBOX))

        def outbox_all() -> QWidget:
            window.show_page(PAGE_OUTBOX)
            if window.outbox_page is not None:
                window.outbox_page.status.setCurrentIndex(0)
                window.outbox_page.table.selectRow(1)
            return window

        shoot("11b-短信发件箱-全部", outbox_all)

        def message_dialog() -> QWidget | None:
            from zhiqian_desktop.gui.outbox_page import MessageDialog

            page = window.outbox_page
            if page is None or not page.rows:
                return None
            dialog = MessageDialog(page.rows[-1], window)
            dialog.show()
            return dialog

        shoot("11c-修改短信", message_dialog)
        _close_dialogs(window)
        preserved_case = _case_with_preservation(db)

        def preservation_tab() -> QWidget | None:
            if preserved_case is None:
                return None
            window.show_case(preserved_case)
            if window.case_page is None:
                return None
            window.case_page.tabs.setCurrentWidget(window.case_page.preservation)
            return window

        shoot("3g-案件详情-执行前保全", preservation_tab)

        def rare_name_case() -> QWidget:
            # Parties whose names hold characters beyond the BMP (extensions C and E, from
            # GB 18030-2022 level 2), as ID cards carry them.
            from decimal import Decimal

            from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
            from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput, register_case

            today = window.ctx.clock.today()
            data = CaseInput(
                original_case_no=f"（{today.year}）内0221民初9901号",
                cause="民间借贷纠纷",
                received_date=today,
                effective_date=today,
                performance_deadline=today,
                amount_due=Decimal("8600.00"),
                parties=[
                    PartyInput(PartyRole.APPLICANT, "赵孟\U0002b5af", PartyKind.PERSON),
                    PartyInput(PartyRole.OBLIGOR, "王\U0002c317明", PartyKind.PERSON),
                ],
            )
            case_id = register_case(db, window.ctx.actor, data, today=today).id
            window.show_case(case_id)
            return window

        shoot("3b-案件详情-生僻字姓名", rare_name_case)

        def case_form() -> QWidget:
            from zhiqian_desktop.gui.case_form import CaseFormDialog

            dialog: Any = CaseFormDialog(window.ctx, first_case, parent=window)
            dialog.show()
            return dialog  # type: ignore[no-any-return]

        shoot("4-案件表单", case_form)
        _close_dialogs(window)

        def new_case_form() -> QWidget:
            from zhiqian_desktop.gui.case_form import CaseFormDialog

            dialog: Any = CaseFormDialog(window.ctx, None, parent=window)
            dialog.show()
            return dialog  # type: ignore[no-any-return]

        shoot("5-新建案件", new_case_form)
        _close_dialogs(window)
        shoot("6-设置", page(PAGE_SETTINGS))

        def assignment_tab() -> QWidget:
            window.show_page(PAGE_SETTINGS)
            settings = window.settings_page
            if settings is not None:
                settings.tabs.setCurrentWidget(settings.assignment)
            return window

        shoot("6c-设置-分案", assignment_tab)

        def mediators_tab() -> QWidget:
            window.show_page(PAGE_SETTINGS)
            settings = window.settings_page
            if settings is not None:
                settings.tabs.setCurrentWidget(settings.mediators)
            return window

        shoot("6e-设置-调解员", mediators_tab)

        def assignment_dialog() -> QWidget:
            dialog: Any = window.assign_cases()
            dialog.resize(min(980, args.width), min(620, args.height))
            return dialog  # type: ignore[no-any-return]

        shoot("6d-分案", assignment_dialog)
        _close_dialogs(window)

        def data_tab() -> QWidget:
            window.show_page(PAGE_SETTINGS)
            settings = window.settings_page
            if settings is not None:
                settings.tabs.setCurrentWidget(settings.data)
            return window

        shoot("6b-设置-数据与备份", data_tab)

        def batch_dialog() -> QWidget:
            window.show_page(PAGE_DOCKET)
            dialog = window.batch_print()
            return dialog

        shoot("10-批量打印", batch_dialog)
        _close_dialogs(window)

        def stats() -> QWidget:
            from PySide6.QtCore import QEventLoop, QTimer

            window.show_page(PAGE_STATS)
            stats_page = window.stats_page
            if stats_page is not None:
                # The figures are computed off the GUI thread: wait for them (at most 30 s).
                loop = QEventLoop()
                stats_page.refreshed.connect(loop.quit)
                QTimer.singleShot(30_000, loop.quit)
                loop.exec()
            return window

        shoot("7-统计", stats)

        def suggestions() -> QWidget:
            stats_page = window.stats_page
            if stats_page is not None:
                stats_page.tabs.setCurrentWidget(stats_page.suggestions_view)
                stats_page.suggestions_view.table.selectRow(1)
            return window

        shoot("7b-统计-司法建议", suggestions)

        def suggestion_draft() -> QWidget | None:
            from zhiqian_desktop.domain.kinds import SuggestionGrouping
            from zhiqian_desktop.gui.suggestions_page import DraftDialog
            from zhiqian_desktop.services.supervision.suggestions import proposed_groups

            groups = proposed_groups(db, SuggestionGrouping.OBLIGOR)
            if not groups:
                return None
            dialog = DraftDialog(window.ctx, window, group=groups[0])
            dialog.show()
            return dialog

        shoot("7c-司法建议-拟稿", suggestion_draft)

        def wait_for(signal: Any, seconds: int = 30) -> None:
            from PySide6.QtCore import QEventLoop, QTimer

            loop = QEventLoop()
            signal.connect(loop.quit)
            QTimer.singleShot(seconds * 1000, loop.quit)
            loop.exec()

        def preview() -> QWidget | None:
            from zhiqian_desktop.domain.kinds import DocumentKind
            from zhiqian_desktop.gui.pdf_view import show_pdf
            from zhiqian_desktop.services.closing import batch_print

            if first_case is None:
                return None
            result = batch_print.issue_batch(
                db,
                window.ctx.actor,
                [first_case],
                DocumentKind.URGING,
                receipts=True,
                today=window.ctx.clock.today(),
                printout_name="preview.pdf",
            )
            dialog = show_pdf(result.pdf_path, window)
            dialog.resize(900, args.height)
            wait_for(dialog.view.pageRendered)
            return dialog

        shoot("8-文书预览", preview)
        _close_dialogs(window)

        def templates(broken: bool) -> Callable[[], QWidget]:
            def show() -> QWidget:
                from zhiqian_desktop.services.supervision import templates as document_templates

                window.show_page(PAGE_SETTINGS)
                settings = window.settings_page
                if settings is None:
                    raise RuntimeError("the settings page did not open")
                tab = settings.templates
                settings.tabs.setCurrentWidget(tab)
                if tab.last_pdf is None:
                    wait_for(tab.previewUpdated)
                if broken:
                    if tab.kind is None:
                        raise RuntimeError("no template is chosen")
                    if tab.copy_button.isEnabled():
                        document_templates.copy_to_court(db, window.ctx.actor, tab.kind)
                    tab.load()
                    wait_for(tab.previewUpdated)
                    text = tab.editor.toPlainText().replace("{obligor}：", "{debtor}：", 1)
                    tab.editor.setPlainText(text)
                    wait_for(tab.previewFailed)
                return window

            return show

        shoot("9-文书模板", templates(broken=False))
        shoot("9b-文书模板-错误", templates(broken=True))
        window.close()
        settle()
    finally:
        session.close()
        QApplication.closeAllWindows()
    print(f"共保存 {len(written)} 张截图到 {out}")
    return 0


def _all_screens(out: Path) -> int:
    """Each screen in a process of its own: Qt reads its scale factor once, when it starts."""
    import subprocess

    from zhiqian_desktop.tools.screen_fit import SCREENS

    problems: list[str] = []
    for screen in SCREENS:
        folder = out / screen.name
        folder.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, QT_SCALE_FACTOR=str(screen.scale), QT_QPA_PLATFORM="offscreen")
        width, height = screen.logical
        command = [sys.executable, "-m", "zhiqian_desktop.tools.screenshots", "--out", str(folder)]
        command += ["--width", str(width), "--height", str(height), "--screen", screen.name]
        subprocess.run(
            command,
            env=env,
            check=True,
        )
        listed = folder / "problems.txt"
        problems += listed.read_text(encoding="utf-8").splitlines() if listed.exists() else []
    (out / "problems.txt").write_text("".join(f"{p}\n" for p in problems), encoding="utf-8")
    print(
        f"{len(problems)} 处不合屏幕（见 {out / 'problems.txt'}）" if problems else "各尺寸均无问题"
    )
    return 0


def _one_screen(window: Any, db: Any, name: str, out: Path) -> int:
    from zhiqian_desktop.tools.screen_fit import fit_problems, settle, tour

    case_id = _case_with_payments(db) or _first_case_id(window)
    if case_id is None:
        _note("台账中没有案件，无法截取案件页面")
        return 1
    room = (window.width(), window.height())
    problems: list[str] = []
    for n, (page, widget) in enumerate(tour(window, case_id, room), start=1):
        settle()
        widget.grab().save(str(out / f"{n:02d}-{page}.png"))
        problems += [f"{name} {p}" for p in fit_problems(widget, room, page)]
    (out / "problems.txt").write_text("".join(f"{p}\n" for p in problems), encoding="utf-8")
    print(f"{name}: 已保存 {n} 张截图到 {out}，{len(problems)} 处不合屏幕")
    return 0


def _empty_database() -> tuple[Any, Path]:
    from zhiqian_desktop.gui.app import DEMO_COURT_CODE, DEMO_COURT_NAME
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core.settings import SetupInput, initialize
    from zhiqian_desktop.store.engine import sqlite_url
    from zhiqian_desktop.store.temp_folders import make_temp_folder

    folder = make_temp_folder("zhiqian-demo-")
    db = open_app_database(sqlite_url(folder / "demo.db"))
    initialize(db, SetupInput(DEMO_COURT_NAME, DEMO_COURT_CODE, "执前督"))
    return db, folder


def _case_with_preservation(db: Any) -> str | None:
    """A demo case with a pre-enforcement ruling and its measures."""
    from sqlalchemy import select

    from zhiqian_desktop.store.models import Preservation

    with db.reader() as session:
        return session.scalar(  # type: ignore[no-any-return]
            select(Preservation.case_id)
            .where(Preservation.application_id.is_not(None))
            .order_by(Preservation.frozen_on.desc())
            .limit(1)
        )


def _case_with_payments(db: Any) -> str | None:
    """A demo case with calls, documents and payments, so its tabs show what a clerk records."""
    from sqlalchemy import func, select

    from zhiqian_desktop.store.models import ContactLog, Payment

    with db.reader() as session:
        return session.scalar(  # type: ignore[no-any-return]
            select(Payment.case_id)
            .join(ContactLog, ContactLog.case_id == Payment.case_id)
            .group_by(Payment.case_id)
            .order_by(func.count(ContactLog.id).desc())
            .limit(1)
        )


def _first_case_id(window: Any) -> str | None:
    from zhiqian_desktop.gui.docket_model import CASE_ID_ROLE

    model = window.docket.model
    if model.rowCount() == 0:
        return None
    value = model.index(0, 0).data(CASE_ID_ROLE)
    return value if isinstance(value, str) else None


def _close_dialogs(window: Any) -> None:
    from PySide6.QtWidgets import QDialog

    for dialog in window.findChildren(QDialog):
        dialog.reject()
        dialog.deleteLater()


if __name__ == "__main__":
    raise SystemExit(main())
