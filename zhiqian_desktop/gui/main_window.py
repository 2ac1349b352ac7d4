"""The main window: navigation between the pages, the status bar, shortcuts and remembered geometry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QFile,
    QIODevice,
    QSettings,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.case_watch import CaseWatch
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.docket_page import DocketPage
from zhiqian_desktop.gui.due_list_page import DueListPage
from zhiqian_desktop.gui.file_choice import ask_save_path, file_name
from zhiqian_desktop.gui.fitting import VerticalScroller
from zhiqian_desktop.gui.manual import ManualWindow
from zhiqian_desktop.gui.table_state import fit_columns, restore_table, save_table
from zhiqian_desktop.resources_access import ui_path
from zhiqian_desktop.services.core.case_changes import CaseChanges
from zhiqian_desktop.store.locations import data_dir

if TYPE_CHECKING:
    # Pages and dialogs load when first opened, not before the window shows (start-up time and
    # memory; some need ReportLab or openpyxl).
    from zhiqian_desktop.gui.batch_print_dialog import BatchPrintDialog
    from zhiqian_desktop.gui.case_form import CaseFormDialog
    from zhiqian_desktop.gui.case_page import CasePage
    from zhiqian_desktop.gui.outbox_page import OutboxPage
    from zhiqian_desktop.gui.scan_dialog import ScanDialog
    from zhiqian_desktop.gui.settings_page import SettingsPage
    from zhiqian_desktop.gui.stats_page import StatsPage

W = TypeVar("W", bound=QWidget)
D = TypeVar("D", bound=QDialog)

PAGE_DUE, PAGE_DOCKET, PAGE_STATS, PAGE_OUTBOX, PAGE_SETTINGS, PAGE_CASE = range(6)
NAV_PAGES = (PAGE_DUE, PAGE_DOCKET, PAGE_STATS, PAGE_OUTBOX, PAGE_SETTINGS)
PAGE_SECTIONS = {
    PAGE_DUE: "due",
    PAGE_DOCKET: "docket",
    PAGE_STATS: "stats",
    PAGE_OUTBOX: "messages",
    PAGE_SETTINGS: "settings",
    PAGE_CASE: "case",
}
"""The manual's section F1 opens on each page (gui/manual.py SECTIONS)."""
CASE_TAB_SECTIONS = {"督促记录": "contacts", "文书": "documents", "履行": "performance"}

STYLE = """
QFrame#sidebar { background: #1f3a5f; }
QLabel#court_label { color: white; font-size: 15px; font-weight: bold; padding: 18px 10px 14px 10px; }
QListWidget#nav_list { background: transparent; color: #dbe4ef; font-size: 14px; outline: 0; }
QListWidget#nav_list::item { padding: 10px 14px; border-left: 3px solid transparent; }
QListWidget#nav_list::item:hover { background: #2b4c77; }
QListWidget#nav_list::item:selected { background: #f4f6f9; color: #1f3a5f;
    border-left: 3px solid #c62828; font-weight: bold; }
QPushButton#new_case_button { margin: 8px 12px; padding: 7px; color: white; background: #c62828;
    border: none; border-radius: 4px; font-weight: bold; }
QPushButton#new_case_button:hover { background: #d84343; }
QStackedWidget#pages { background: #f4f6f9; }
QLabel#pageTitle { font-size: 20px; font-weight: bold;
    color: #1f3a5f; }
QLabel#countLabel { color: #1f3a5f; font-size: 14px; }
QLabel#hintLabel { color: #6b7785; }
QTableView#docketTable { background: white; alternate-background-color: #f7f9fc;
    selection-background-color: #cfe0f5; selection-color: black; border: 1px solid #d5dce6; }
QHeaderView::section { background: #e9eef5; padding: 5px 6px; border: none;
    border-right: 1px solid #d5dce6; border-bottom: 1px solid #d5dce6; font-weight: bold; }
"""


def plain_form_loader() -> QUiLoader:
    """A form loader without Qt Designer's widget plugins: a QUiLoader loads every plugin in the
    library paths' designer/ folders when made, and PySide6's bring Qt Quick, QML and the network
    libraries (8 MB and their start-up) that a form of standard widgets never uses. Forms with a
    widget of ours (registerCustomWidget) need the plugins: gui/party_editor.py loads those."""
    paths = QCoreApplication.libraryPaths()
    QCoreApplication.setLibraryPaths([])
    try:
        return QUiLoader()
    finally:
        QCoreApplication.setLibraryPaths(paths)


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    """Load a Qt Designer form of standard widgets shipped in the package's ui/ folder."""
    path = ui_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError(f"cannot open form {path}: {file.errorString()}")
    try:
        widget = plain_form_loader().load(file, parent)
    finally:
        file.close()
    if widget is None:
        raise RuntimeError(f"cannot load form {path}")
    return widget


def window_settings() -> QSettings:
    """Window geometry lives in an ini file in the user data dir (tests redirect that dir)."""
    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    databaseReplaced = Signal()
    """The database was restored from a backup: the session must start again (log in anew)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.case_form: CaseFormDialog | None = None
        self.case_page: CasePage | None = None
        self.case_opened_from = PAGE_DOCKET
        """The page a case was opened from: Alt+Left, Esc and the back button return there."""
        self.settings_page: SettingsPage | None = None
        self.stats_page: StatsPage | None = None
        self.outbox_page: OutboxPage | None = None
        self.manual: ManualWindow | None = None

        self.form = load_form("main_window.ui", self)
        self.setCentralWidget(self.form)
        self.setStyleSheet(STYLE)
        self.pages = self._child(QStackedWidget, "pages")
        self.nav = self._child(QListWidget, "nav_list")
        self.court_label = self._child(QLabel, "court_label")

        self.docket = DocketPage(ctx)
        self._holder("docket_holder").addWidget(self.docket)
        self.docket.caseActivated.connect(self.show_case)
        self.docket.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 8000))

        self.due_list = DueListPage(ctx)
        self._holder("due_holder").addWidget(self.due_list)
        self.due_list.open_case.connect(self.show_case)

        self.stats_stale = False
        self.watch = CaseWatch(ctx, self)
        self.watch.casesChanged.connect(self.cases_changed)

        self._build_nav()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self.back_button = self._child(QPushButton, "back_button")
        self.back_button.clicked.connect(self.go_back)
        self._child(QPushButton, "new_case_button").clicked.connect(self.new_case)

        self._default_size()
        # A 1366×768 screen at 150 % leaves about 911×460 below the title bar and above the
        # taskbar: the pages scroll up and down rather than hold the window taller.
        self.setMinimumSize(760, 440)
        self._restore_geometry()
        self.show_page(PAGE_DUE)

    def _default_size(self) -> None:
        # Fit a 1366×768 tribunal laptop as well as a large desk screen.
        screen = self.screen().availableGeometry()
        self.resize(min(1320, int(screen.width() * 0.95)), min(820, int(screen.height() * 0.92)))

    def _child(self, kind: type[W], name: str) -> W:
        widget = self.form.findChild(kind, name)
        if not isinstance(widget, kind):
            raise RuntimeError(f"main_window.ui has no {kind.__name__} named {name}")
        return widget

    def _holder(self, name: str) -> QLayout:
        layout = self._child(QWidget, name).layout()
        if layout is None:
            raise RuntimeError(f"main_window.ui: {name} has no layout")
        return layout

    # --- construction ---------------------------------------------------------------------

    def _build_nav(self) -> None:
        style = self.style()
        icons = (
            QStyle.StandardPixmap.SP_FileDialogDetailedView,
            QStyle.StandardPixmap.SP_FileDialogListView,
            QStyle.StandardPixmap.SP_FileDialogInfoView,
            QStyle.StandardPixmap.SP_FileLinkIcon,
            QStyle.StandardPixmap.SP_FileDialogContentsView,
        )
        for row, icon in enumerate(icons):
            item = self.nav.item(row)
            item.setIcon(style.standardIcon(icon))
        self.nav.item(PAGE_DOCKET).setToolTip("案件台账：搜索、筛选、导出（Ctrl+F 搜索）")
        self.nav.currentRowChanged.connect(self._on_nav)
        court = self.ctx.settings.court_name
        self.court_label.setText(f"{court}\n执前督促")
        self.setWindowTitle(f"执前督促 — {court}")

    def _build_actions(self) -> None:
        self.new_case_action = QAction("新建案件", self)
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.triggered.connect(self.new_case)
        self.search_action = QAction("搜索案件", self)
        self.search_action.setShortcut(QKeySequence.StandardKey.Find)
        self.search_action.triggered.connect(self.focus_search)
        self.refresh_action = QAction("刷新", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.refresh)
        self.batch_action = QAction("批量打印", self)
        self.batch_action.setShortcut(QKeySequence("Ctrl+P"))
        self.batch_action.triggered.connect(self.batch_print)
        self.scan_action = QAction("扫码登记送达", self)
        self.scan_action.setShortcut(QKeySequence("Ctrl+B"))
        self.scan_action.triggered.connect(self.scan_service)
        self.assign_action = QAction("分案…", self)
        self.assign_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.assign_action.triggered.connect(self.assign_cases)
        self.back_action = QAction("返回", self)
        self.back_action.setShortcuts([QKeySequence("Alt+Left"), QKeySequence(Qt.Key.Key_Escape)])
        self.back_action.triggered.connect(self.go_back)
        self.back_action.setEnabled(False)
        self.page_actions: list[QAction] = []
        for number, page in enumerate(NAV_PAGES, start=1):
            action = QAction(self.nav.item(page).text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, p=page: self.show_page(p))
            self.page_actions.append(action)
        for action in (
            self.new_case_action,
            self.search_action,
            self.refresh_action,
            self.batch_action,
            self.scan_action,
            self.assign_action,
            self.back_action,
            *self.page_actions,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        cases = bar.addMenu("案件(&C)")
        cases.addAction(self.new_case_action)
        cases.addAction(self.assign_action)
        import_action = cases.addAction("从 Excel 导入案件…")
        import_action.triggered.connect(self.import_cases)
        cases.addAction("保存导入模板…").triggered.connect(lambda: self.save_import_template())
        cases.addSeparator()
        cases.addAction(self.batch_action)
        cases.addAction(self.scan_action)
        cases.addAction("批量移送执行…").triggered.connect(self.batch_transfer)
        cases.addSeparator()
        cases.addAction(self.search_action)
        cases.addAction(self.refresh_action)
        kits = bar.addMenu("离线包(&K)")
        kits.addAction("导出离线包…").triggered.connect(self.export_kit)
        kits.addAction("导入变更包…").triggered.connect(self.import_changes)
        kits.addAction("合并冲突…").triggered.connect(self.resolve_conflicts)
        help_menu = bar.addMenu("帮助(&H)")
        self.manual_action = help_menu.addAction("用户手册")
        self.manual_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.manual_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.manual_action.triggered.connect(lambda: self.open_manual())

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.location_label = QLabel(f"数据库：{self.ctx.db.location}")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actor = self.ctx.actor
        self.user_label = QLabel(f"当前用户：{actor.display_name}（{actor.role.label}）")
        bar.addPermanentWidget(self.location_label)
        bar.addPermanentWidget(self.user_label)

    # --- navigation -----------------------------------------------------------------------

    def current_page(self) -> int:
        return self.pages.currentIndex()

    def show_page(self, page: int) -> None:
        if page == PAGE_SETTINGS:
            self._ensure_settings_page()
        if page == PAGE_OUTBOX:
            self._ensure_outbox_page().refresh()
        if page == PAGE_STATS:
            stats = self._ensure_stats_page()
            if self.stats_stale:
                self.stats_stale = False
                stats.refresh()
        if page == PAGE_DUE and self.pages.currentIndex() != PAGE_DUE:
            self.due_list.refresh()
        self.pages.setCurrentIndex(page)
        if page in NAV_PAGES and self.nav.currentRow() != page:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(page)
            self.nav.blockSignals(False)
        if page == PAGE_CASE:
            self.nav.clearSelection()
        self.back_action.setEnabled(page == PAGE_CASE)
        # Where the keys act at once: the due-list's Enter logs a call on the selected row.
        focus = {PAGE_DUE: self.due_list.table, PAGE_DOCKET: self.docket.table}.get(page)
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_nav(self, row: int) -> None:
        if row in NAV_PAGES:
            self.show_page(row)

    def show_docket(self) -> None:
        self.show_page(PAGE_DOCKET)
        self.docket.table.setFocus()

    def show_overdue(self) -> None:
        self.docket.reset_filters()
        self.docket.overdue_check.setChecked(True)
        self.show_docket()

    def _open_first_case(self, case_ids: list[str]) -> None:
        if case_ids:
            self.show_case(case_ids[0])

    def _ensure_stats_page(self) -> StatsPage:
        """Built on first visit: the figures are computed only when someone looks at them."""
        if self.stats_page is None:
            from zhiqian_desktop.gui.stats_page import StatsPage

            self.stats_page = StatsPage(self.ctx)
            self._holder("stats_holder").addWidget(VerticalScroller(self.stats_page))
            self.stats_page.open_cases.connect(self._open_first_case)
            self.stats_page.suggestions_view.use_docket(self.docket.current_query)
            self.stats_page.statusMessage.connect(
                lambda text: self.statusBar().showMessage(text, 8000)
            )
            self.stats_page.refresh()
        return self.stats_page

    def _ensure_outbox_page(self) -> OutboxPage:
        if self.outbox_page is None:
            from zhiqian_desktop.gui.outbox_page import OutboxPage

            self.outbox_page = OutboxPage(self.ctx)
            self._holder("outbox_holder").addWidget(self.outbox_page)
            self.outbox_page.open_case.connect(self.show_case)
            self.outbox_page.changed.connect(self.due_list.refresh)
        return self.outbox_page

    def _ensure_settings_page(self) -> SettingsPage:
        if self.settings_page is None:
            from zhiqian_desktop.gui.settings_page import SettingsPage

            self.settings_page = SettingsPage(self.ctx)
            self._holder("settings_holder").addWidget(VerticalScroller(self.settings_page))
            restored = getattr(self.settings_page, "databaseRestored", None)
            if restored is not None:
                restored.connect(self.databaseReplaced)
        return self.settings_page

    def go_back(self) -> None:
        """From a case, back to the page it was opened from (the due-list or the docket)."""
        if self.current_page() == PAGE_CASE:
            self.show_page(self.case_opened_from)

    def show_case(self, case_id: str) -> None:
        if self.current_page() in NAV_PAGES:
            self.case_opened_from = self.current_page()
            self.back_button.setText(f"← 返回{self.nav.item(self.case_opened_from).text()}")
        if self.case_page is None:
            from zhiqian_desktop.gui.case_page import CasePage

            self.case_page = CasePage(self.ctx)
            self._holder("case_holder").addWidget(VerticalScroller(self.case_page))
        self.case_page.show_case(case_id)
        self.show_page(PAGE_CASE)

    # --- actions --------------------------------------------------------------------------

    def _open_dialog(self, dialog: D, done: SignalInstance, slot: Callable[..., object]) -> D:
        """Open ``dialog`` window-modal (deleted once closed), ``slot`` connected to ``done``."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done.connect(slot)
        dialog.open()
        return dialog

    def new_case(self) -> CaseFormDialog:
        """Ctrl+N: the case form (window-modal, not blocking); the docket refreshes on save."""
        from zhiqian_desktop.gui.case_form import CaseFormDialog

        dialog = CaseFormDialog(self.ctx, None, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._case_saved(dialog))
        self.case_form = dialog
        dialog.open()
        return dialog

    def _case_saved(self, dialog: QDialog) -> None:
        case_id = getattr(dialog, "saved_case_id", None)
        self.docket.refresh()
        self.due_list.refresh()
        if case_id:
            self.show_docket()
            self.docket.select_case(case_id)
            self.statusBar().showMessage("案件已保存", 5000)

    def batch_print(self) -> BatchPrintDialog:
        """Ctrl+P: one PDF of notices (and receipts) for a trip to serve them in person."""
        from zhiqian_desktop.gui.batch_print_dialog import BatchPrintDialog

        selected = self.docket.selected_case_id()
        from_due = self.current_page() == PAGE_DUE
        dialog = BatchPrintDialog(
            self.ctx,
            self,
            case_ids=[selected] if selected else [],
            docket_query=self.docket.current_query(),
            due_on=self.due_list.on_date() if from_due else None,
        )
        return self._open_dialog(dialog, dialog.printed, lambda _path: self.refresh())

    def scan_service(self) -> ScanDialog:
        """Ctrl+B: a returned receipt's code, typed by the scanner, opens "record service"."""
        from zhiqian_desktop.gui.scan_dialog import ScanDialog

        dialog = ScanDialog(self.ctx, self)
        return self._open_dialog(dialog, dialog.served, self._served)

    def _served(self, case_id: str) -> None:
        if self.case_page is not None and self.case_page.case_id == case_id:
            self.case_page.refresh()
        self.due_list.refresh()

    def import_cases(self) -> QDialog:
        """The import wizard: preview with every problem, then all rows or none."""
        from zhiqian_desktop.gui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        return self._open_dialog(wizard, wizard.imported, lambda _numbers: self.refresh_all())

    def assign_cases(self) -> QDialog:
        """Ctrl+Shift+A: the proposal for the open cases without a handler, each handler's
        workload, and assigning them (the lead's)."""
        from zhiqian_desktop.gui.assignment_dialog import AssignmentDialog

        dialog = AssignmentDialog(self.ctx, self)
        return self._open_dialog(dialog, dialog.assigned, self.refresh_all)

    def batch_transfer(self) -> QDialog:
        """Several 督促不成 cases at once: one package each and the list for the filing desk."""
        from zhiqian_desktop.gui.batch_transfer_dialog import BatchTransferDialog

        dialog = BatchTransferDialog(self.ctx, self)
        return self._open_dialog(dialog, dialog.finishedBatch, lambda _report: self.refresh_all())

    def save_import_template(self, path: Path | None = None) -> Path | None:
        """The Excel hand-over template (headers, notes sheet, one example case)."""
        from zhiqian_desktop.services.intake.import_template import write_import_template

        if path is None:
            path = ask_save_path(
                self,
                "import_template",
                "保存导入模板",
                file_name("执前督促-案件导入模板", self.ctx.settings.court_name, suffix=".xlsx"),
                "Excel 工作簿 (*.xlsx)",
            )
            if path is None:
                return None
        try:
            write_import_template(path, force=True)  # the save dialog asked first
        except UserError as exc:
            QMessageBox.warning(self, "保存导入模板", exc.message)
            return None
        self.statusBar().showMessage(f"导入模板已保存：{path}", 8000)
        return path

    def export_kit(self) -> QDialog:
        from zhiqian_desktop.gui.sync_dialogs import ExportKitDialog

        dialog = ExportKitDialog(self.ctx, self)
        return self._open_dialog(dialog, dialog.exported, lambda _path: self.refresh_all())

    def import_changes(self) -> QDialog:
        from zhiqian_desktop.gui.sync_dialogs import ImportChangesDialog

        dialog = ImportChangesDialog(self.ctx, self)
        return self._open_dialog(dialog, dialog.imported, lambda _report: self.refresh_all())

    def resolve_conflicts(self) -> QDialog:
        from zhiqian_desktop.gui.sync_dialogs import ConflictDialog

        dialog = ConflictDialog(self.ctx, self)
        return self._open_dialog(dialog, dialog.resolved, lambda _id: self.refresh_all())

    def cases_changed(self, change: CaseChanges) -> None:
        """Cases changed (this desk, an import, a kit, another desk): every view that shows them
        shows them as they are now. The statistics are recomputed when next looked at."""
        self.docket.cases_changed(change)
        self.due_list.cases_changed(change)
        page = self.case_page
        if page is not None and change.concerns(page.case_id):
            page.refresh()
        if self.stats_page is not None:
            if self.current_page() == PAGE_STATS:
                self.stats_page.refresh()
            else:
                self.stats_stale = True

    def help_section(self) -> str:
        """The manual's section for what the clerk has in front of them."""
        page = self.current_page()
        if page == PAGE_CASE and self.case_page is not None:
            tabs = self.case_page.tabs
            return CASE_TAB_SECTIONS.get(tabs.tabText(tabs.currentIndex()), "case")
        settings = self.settings_page
        on_backups = settings is not None and settings.tabs.currentWidget() is settings.data
        if page == PAGE_SETTINGS and on_backups:
            return "backup"
        return PAGE_SECTIONS.get(page, "start")

    def open_manual(self, section: str | None = None) -> ManualWindow:
        """F1: the user manual at the section of the current page."""
        if self.manual is None:
            self.manual = ManualWindow(self)
        self.manual.show_section(section or self.help_section())
        return self.manual

    def refresh_all(self) -> None:
        """After an import or a merge: every list that shows cases."""
        self.docket.refresh()
        self.due_list.refresh()

    def focus_search(self) -> None:
        self.show_page(PAGE_DOCKET)
        self.docket.focus_search()

    def refresh(self) -> None:
        page = self.current_page()
        if page == PAGE_DOCKET:
            self.docket.refresh()
        elif page == PAGE_SETTINGS and self.settings_page is not None:
            self.settings_page.refresh()
        elif page == PAGE_CASE and self.case_page is not None:
            case_id = getattr(self.case_page, "case_id", None)
            if isinstance(case_id, str):
                self.case_page.show_case(case_id)
        elif page == PAGE_DUE:
            self.due_list.refresh()
        elif page == PAGE_STATS and self.stats_page is not None:
            self.stats_page.refresh()
        self.statusBar().showMessage("已刷新", 2000)

    # --- geometry -------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        settings = window_settings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("main/state")
        if state is not None:
            self.restoreState(state)
        user = self.ctx.actor.username
        if not restore_table(self.docket.table, user, "docket"):
            fit_columns(self.docket.table)
        # The due-list arrives from a worker: fitted to its rows once they are in.
        self.due_list.fit_on_load = not restore_table(self.due_list.table, user, "due_list")

    def save_geometry(self) -> None:
        settings = window_settings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        settings.sync()
        user = self.ctx.actor.username
        save_table(self.docket.table, user, "docket")
        save_table(self.due_list.table, user, "due_list")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.watch.stop()
        self.save_geometry()
        super().closeEvent(event)
