"""Offline kits in the app: export a kit, import a change package, choose in merge conflicts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.file_choice import (
    ask_open_path,
    ask_save_path,
    confirm_replace,
    file_name,
    last_folder,
    remember_folder,
)
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.passphrase_dialog import NewPassphraseFields
from zhiqian_desktop.gui.progress_dialog import (
    close_progress,
    follow_task,
    shows_progress,
    work_progress,
)
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.admin import encryption
from zhiqian_desktop.services.core import staff
from zhiqian_desktop.services.exchange import conflicts, merge, records
from zhiqian_desktop.services.exchange import kits as sync


def _path_row(edit: QLineEdit, browse: Callable[[], None]) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton("浏览…")
    button.clicked.connect(browse)
    layout.addWidget(button)
    return row


class _BackgroundDialog(QDialog):
    """A dialog whose main action runs off the GUI thread behind a progress dialog."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.banner = Banner()
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.progress_dialog: QProgressDialog | None = None
        self.task: Task | None = None

    def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(
        self,
        label: str,
        work: Callable[[Callable[[int, int, str], None]], Any],
        done: Callable[[Any], None],
    ) -> None:
        dialog = work_progress(self, label, self.windowTitle())
        self.progress_dialog = dialog
        self.ok_button.setEnabled(False)
        self.banner.clear_message()

        def job(progress: Progress) -> Any:
            return work(progress.report_and_check)

        def on_success(result: Any) -> None:
            self._finish()
            done(result)

        self.task = run_in_background(
            job,
            on_success=on_success,
            on_failure=self._failed,
            on_progress=shows_progress(dialog),
            on_cancelled=self._cancelled,
        )
        follow_task(dialog, self.task)

    def _finish(self) -> None:
        close_progress(self.progress_dialog)
        self.progress_dialog = None
        self.ok_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, UserError):
            self.banner.show_message(exc.message, "error")
        elif isinstance(exc, OSError):
            where = f"“{exc.filename}”" if exc.filename else ""
            self.banner.show_message(
                f"文件操作失败{where}（{exc.strerror or exc}）；请检查位置、磁盘空间和权限", "error"
            )
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def _cancelled(self) -> None:
        self._finish()
        self.banner.show_message("已取消，未作任何改动", "warning")


class ExportKitDialog(_BackgroundDialog):
    """导出离线包: the tribunal (or handler), the year and size of the number block, where to save."""

    exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("导出离线包", parent)
        self.ctx = ctx
        db = ctx.db
        self.result_path: Path | None = None
        self.owner = QComboBox()
        team = staff.team_choices(db)
        for choice in team.tribunals:
            self.owner.addItem(f"法庭：{choice.name}", ("tribunal", choice.id))
        for choice in team.handlers:
            self.owner.addItem(f"承办人：{choice.name}", ("handler", choice.id))
        self.year = QSpinBox()
        self.year.setRange(2000, 2099)
        self.year.setValue(ctx.clock.today().year)
        self.block = QSpinBox()
        self.block.setRange(1, records.MAX_BLOCK)
        self.block.setValue(100)
        self.dest = QLineEdit()
        self._confirmed: Path | None = None  # the existing file the clerk agreed to replace
        self.owner.currentIndexChanged.connect(self._propose_dest)
        self._propose_dest()
        self.form.addRow("离线包属于", self.owner)
        self.form.addRow("预留案号年份", self.year)
        self.form.addRow("预留案号数量", self.block)
        self.form.addRow("保存位置", _path_row(self.dest, self._browse))
        hint = QLabel(
            "离线包包含所选法庭或承办人的全部案件、文书、附件、模板和节假日表，并为其预留一段案号；"
            "该段案号在本院不会再分配。"
        )
        hint.setWordWrap(True)
        self.form.addRow("", hint)
        self.encryption = QGroupBox("加密离线包（U盘或笔记本遗失时不泄露案件信息）")
        self.encryption.setObjectName("kit_encryption")
        self.encryption.setCheckable(True)
        self.passphrase_fields = NewPassphraseFields()
        box = QVBoxLayout(self.encryption)
        box.addWidget(
            QLabel("法庭打开离线包时需输入此口令，请另行告知（不要写在U盘上）；其数据库同样加密。")
        )
        box.addWidget(self.passphrase_fields)
        must = encryption.is_encrypted(db)
        self.encryption.setChecked(must)
        if must:
            # A kit of an encrypted database is always encrypted (services.exchange.kits.export_kit).
            self.encryption.toggled.connect(lambda _on: self.encryption.setChecked(True))
        elif not encryption.available():
            self.encryption.setEnabled(False)
            self.encryption.setToolTip("本机未安装数据库加密组件（sqlcipher3）")
        self.passphrase_fields.setVisible(must)
        self.encryption.toggled.connect(self.passphrase_fields.setVisible)
        self.form.addRow(self.encryption)
        self.ok_button.setText("导出")
        self.resize(560, self.sizeHint().height())

    def _propose_dest(self) -> None:
        """离线包-<tribunal or handler>-<date>.zip in the folder the last kit went to: a second
        kit does not land on the first."""
        owner = self.owner.currentText().split("：")[-1] if self.owner.count() else None
        name = file_name("离线包", owner, self.ctx.clock.today().isoformat(), suffix=".zip")
        self.dest.setText(str(last_folder("kit") / name))

    def _browse(self) -> None:
        chosen = ask_save_path(
            self, "kit", "保存离线包", Path(self.dest.text()).name, "压缩包 (*.zip)"
        )
        if chosen is not None:
            self._confirmed = chosen
            self.dest.setText(str(chosen))

    def start(self) -> None:
        data = self.owner.currentData()
        if not data:
            self.banner.show_message("请先在设置中添加法庭或承办人", "error")
            return
        kind, owner_id = data
        text = self.dest.text().strip()
        if not text:
            self.banner.show_message("请选择保存位置", "error")
            return
        dest = Path(text)
        if dest.suffix.lower() != ".zip":
            dest = dest.with_name(dest.name + ".zip")
        replace = dest.exists()
        # The service refuses an existing kit unless told: told only once the clerk agreed.
        if replace and dest != self._confirmed and not confirm_replace(self, dest):
            return
        remember_folder("kit", dest.parent)
        passphrase = None
        if self.encryption.isChecked():
            problem = self.passphrase_fields.problem()
            if problem:
                self.banner.show_message(f"离线包口令：{problem}", "error")
                self.passphrase_fields.first.setFocus()
                return
            passphrase = self.passphrase_fields.passphrase()
        db, actor, year, size = self.ctx.db, self.ctx.actor, self.year.value(), self.block.value()

        def work(report: Callable[[int, int, str], None]) -> Path:
            return sync.export_kit(
                db,
                actor,
                tribunal_id=owner_id if kind == "tribunal" else None,
                handler_id=owner_id if kind == "handler" else None,
                year=year,
                block_size=size,
                dest=dest,
                progress=report,
                passphrase=passphrase,
                force=replace,
            )

        self.run("正在导出离线包…", work, self._done)

    def _done(self, path: Path) -> None:
        self.result_path = path
        self.exported.emit(str(path))
        self.accept()


class ImportChangesDialog(_BackgroundDialog):
    """导入变更包: checks the package, merges it in the background and reports what happened."""

    imported = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("导入变更包", parent)
        self.ctx = ctx
        self.report: merge.MergeReport | None = None
        self.package = QLineEdit()
        self.package.setPlaceholderText("法庭带回的变更包（.zip）")
        self.form.addRow("变更包", _path_row(self.package, self._browse))
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow("", self.result_label)
        self.conflicts_button = QPushButton("处理合并冲突…")
        self.conflicts_button.hide()
        self.conflicts_button.clicked.connect(self.open_conflicts)
        self.buttons.addButton(self.conflicts_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok_button.setText("导入")
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        chosen = ask_open_path(self, "changes", "选择变更包", "压缩包 (*.zip)")
        name = str(chosen) if chosen is not None else ""
        if name:
            self.package.setText(name)

    def start(self) -> None:
        text = self.package.text().strip()
        if not text:
            self.banner.show_message("请选择变更包文件", "error")
            return
        db, actor, path = self.ctx.db, self.ctx.actor, Path(text)

        def work(report: Callable[[int, int, str], None]) -> merge.MergeReport:
            return merge.import_changes(db, actor, path, progress=report)

        self.run("正在核对并导入变更包…", work, self._done)

    def _done(self, report: merge.MergeReport) -> None:
        self.report = report
        self.result_label.setText("\n".join(report.lines()))
        self.banner.show_message(
            "变更包已导入" if not report.already_imported else "此前已导入", "success"
        )
        self.conflicts_button.setVisible(report.open_conflicts > 0)
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭")
        self.imported.emit(report)

    def open_conflicts(self) -> ConflictDialog:
        dialog = ConflictDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


class ConflictDialog(QDialog):
    """合并冲突: the open conflicts on the left; for the chosen one, every differing field side by
    side (value when the kit was made, the court's, the tribunal's) with a choice per field."""

    resolved = Signal(str)

    COLUMNS = ("字段", "离线包导出时", "法院现值", "法庭值", "采用")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("合并冲突")
        self.ctx = ctx
        self.banner = Banner()
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._show_current)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.memory = TableMemory(self.table, ctx.actor.username, "conflict")
        self.apply_button = QPushButton("应用选择")
        self.apply_button.clicked.connect(self.apply)
        all_court = QPushButton("全部采用法院值")
        all_court.clicked.connect(lambda: self.choose_all(records.COURT))
        all_tribunal = QPushButton("全部采用法庭值")
        all_tribunal.clicked.connect(lambda: self.choose_all(records.TRIBUNAL))
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(all_court)
        row.addWidget(all_tribunal)
        row.addStretch(1)
        row.addWidget(self.apply_button)
        rl.addLayout(row)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.groups: list[tuple[str, QButtonGroup]] = []
        self.views: dict[str, conflicts.ConflictView] = {}
        self.resize(900, 520)
        self.reload()

    def reload(self) -> None:
        views = conflicts.list_conflicts(self.ctx.db)
        self.views = {v.id: v for v in views}
        self.list.blockSignals(True)
        self.list.clear()
        for v in views:
            where = v.case_no or v.record_id[:8]
            item = QListWidgetItem(f"{v.entity_label}　{where}　（{v.origin}）")
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if views:
            self.list.setCurrentRow(0)
            self._show_current()
        else:
            self.table.setRowCount(0)
            self.groups = []
            self.title.setText("没有待处理的合并冲突")
            self.apply_button.setEnabled(False)

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _show_current(self, *_: object) -> None:
        cid = self.current_id()
        view = self.views.get(cid or "")
        self.table.setRowCount(0)
        self.groups = []
        if view is None:
            return
        who = f"，法庭修改人：{view.tribunal_updated_by}" if view.tribunal_updated_by else ""
        self.title.setText(
            f"{view.entity_label}{('（' + view.case_no + '）') if view.case_no else ''}"
            f"在法院和“{view.origin}”两边都被修改{who}。请逐项选择采用哪一边的值；"
            "只有一边改过的字段已预先选好。"
        )
        self.table.setRowCount(len(view.fields))
        for r, f in enumerate(view.fields):
            for c, value in enumerate((f.label, f.base, f.court, f.tribunal)):
                self.table.setItem(r, c, QTableWidgetItem(value))
            cell = QWidget()
            cl = QHBoxLayout(cell)
            cl.setContentsMargins(4, 0, 4, 0)
            group = QButtonGroup(cell)
            for text, key in (("法院", records.COURT), ("法庭", records.TRIBUNAL)):
                button = QRadioButton(text)
                button.setObjectName(f"{f.field}:{key}")
                button.setChecked(f.default == key)
                group.addButton(button)
                cl.addWidget(button)
            self.table.setCellWidget(r, 4, cell)
            self.groups.append((f.field, group))
        self.memory.arrange()
        self.table.resizeColumnToContents(4)
        self.apply_button.setEnabled(True)

    def choose(self, field_name: str, side: str) -> None:
        for name, group in self.groups:
            if name == field_name:
                for button in group.buttons():
                    if button.objectName() == f"{field_name}:{side}":
                        button.setChecked(True)

    def choose_all(self, side: str) -> None:
        for name, _group in self.groups:
            self.choose(name, side)

    def choices(self) -> dict[str, str]:
        out = {}
        for name, group in self.groups:
            checked = group.checkedButton()
            if checked is not None:
                out[name] = checked.objectName().split(":", 1)[1]
        return out

    def apply(self) -> None:
        cid = self.current_id()
        if cid is None:
            return
        ctx, choices = self.ctx, self.choices()

        def resolved(_conflict: object) -> None:
            self.banner.show_message("已按所选的值合并", "success")
            self.resolved.emit(cid)
            self.reload()

        Operation(
            self, lambda _progress: conflicts.resolve_conflict(ctx.db, ctx.actor, cid, choices)
        ).success(resolved).refused(
            lambda exc: self.banner.show_message(exc.message, "error")
        ).run_in_background()
