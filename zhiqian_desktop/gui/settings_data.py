"""设置 › 数据与备份: where the data is, backups taken and restored, and the database choice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.form_fields import (
    Banner,
)
from zhiqian_desktop.gui.settings_common import SettingsHost, note_label, plain_button
from zhiqian_desktop.gui.table_state import TableMemory
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core.staff import (
    data_locations,
)


class DataTab(QWidget):
    """Where the database, backups, attachments and logs are; read-only here."""

    def __init__(self, page: SettingsHost) -> None:
        super().__init__()
        self.page = page
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setVerticalSpacing(10)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("database", "数据库"),
            ("backups", "备份文件夹"),
            ("attachments", "附件文件夹"),
            ("data_dir", "用户数据文件夹"),
            ("logs", "日志文件夹"),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            open_button = plain_button("打开文件夹")
            open_button.clicked.connect(lambda _c=False, k=key: self.open_folder(k))
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(value, 1)
            row.addWidget(open_button)
            holder = QWidget()
            holder.setLayout(row)
            self.form.addRow(label, holder)
            self.values[key] = value
        self.database_button = plain_button("数据库位置…")
        self.database_button.setToolTip("本机数据库或法院服务器（PostgreSQL）；下次启动时生效")
        self.database_button.clicked.connect(self.choose_database)
        self.form.addRow("", self.database_button)
        box = QGroupBox("数据与备份位置")
        box.setLayout(self.form)
        self.banner = Banner()
        self.backup_table = QTableWidget(0, 4)
        self.backup_table.setObjectName("backup_table")
        self.backup_table.setHorizontalHeaderLabels(["备份时间", "类型", "大小", "文件"])
        self.backup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_table.verticalHeader().hide()
        self.backup_table.horizontalHeader().setStretchLastSection(True)
        self.backup_memory = TableMemory(self.backup_table, page.ctx.actor.username, "backups")
        self.check_button = plain_button("核对数据库")
        self.check_button.setToolTip(
            "完整性检查、审计记录哈希链、每条记录的封印：找出绕过本系统的改动（在后台进行）"
        )
        self.check_button.clicked.connect(self.check_now)
        self.form.addRow("", self.check_button)
        self.backup_now_button = plain_button("立即备份")
        self.restore_button = plain_button("用所选备份恢复…")
        self.restore_file_button = plain_button("从其他备份文件恢复…")
        backup_buttons = QHBoxLayout()
        backup_buttons.addWidget(self.backup_now_button)
        backup_buttons.addStretch(1)
        backup_buttons.addWidget(self.restore_file_button)
        backup_buttons.addWidget(self.restore_button)
        backup_box = QGroupBox("备份")
        backup_layout = QVBoxLayout(backup_box)
        backup_layout.addWidget(self.backup_table, 1)
        backup_layout.addLayout(backup_buttons)
        self.backup_now_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_other_file)
        self.backup_paths: list[Path] = []
        self.backup_task: object | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        layout.addWidget(backup_box, 1)
        layout.addWidget(
            note_label(
                "软件在数据有变动时按设置的间隔自动备份到备份文件夹，迁移升级、导入和恢复之前也会先备份。"
                "请定期把备份文件夹复制到移动硬盘或法院服务器；不要直接复制正在使用的数据库文件。"
            )
        )
        layout.addStretch(1)

    def load(self) -> None:
        loc = data_locations(self.page.ctx.db)
        for key in self.values:
            value = getattr(loc, key)
            self.values[key].setText(value or "（服务器数据库，由信息技术人员备份）")
        self.load_backups()

    def load_backups(self) -> None:
        path = self.page.ctx.db.path
        infos = maintenance.backup_infos(path) if path is not None else []
        self.backup_paths = [i.path for i in infos]
        self.backup_table.setRowCount(len(infos))
        for r, info in enumerate(infos):
            size = info.size / 1024
            cells = (
                f"{info.taken_at:%Y-%m-%d %H:%M:%S}",
                info.label,
                f"{size / 1024:.1f} MB" if size >= 1024 else f"{size:.0f} KB",
                info.path.name,
            )
            for c, text in enumerate(cells):
                self.backup_table.setItem(r, c, QTableWidgetItem(text))
        self.backup_memory.arrange()
        for b in (self.backup_now_button, self.restore_button, self.restore_file_button):
            b.setEnabled(path is not None)

    def backup_now(self) -> None:
        from zhiqian_desktop.gui.worker import run_in_background

        db = self.page.ctx.db
        self.backup_now_button.setEnabled(False)
        self.banner.show_message("正在备份…", "info")

        def done(result: object) -> None:
            self.backup_now_button.setEnabled(True)
            self.banner.show_message(f"已备份到 {result}（已通过完整性检查）。", "success")
            self.load_backups()

        def failed(exc: BaseException) -> None:
            self.backup_now_button.setEnabled(True)
            if not isinstance(exc, UserError):
                raise exc
            self.banner.show_message(exc.message, "error")

        self.backup_task = run_in_background(
            lambda _p: maintenance.take_backup(db, label="manual"),
            on_success=done,
            on_failure=failed,
        )

    def check_now(self) -> None:
        """The full check, off the GUI thread: on a large docket it reads every row."""
        from zhiqian_desktop.gui.operations import Operation

        db = self.page.ctx.db
        self.banner.show_message("正在核对数据库（大型台账需要数十秒，可继续工作）…", "info")

        def done(report: maintenance.CheckReport) -> None:
            lines = "\n".join(line.strip() for line in maintenance.summary_lines(report))
            if report.ok:
                self.banner.show_message(f"核对通过。\n{lines}", "success")
            else:
                self.banner.show_message(
                    f"核对发现问题，请保留数据库文件并与最近的备份核对：\n{lines}", "error"
                )

        Operation(self, lambda _progress: maintenance.check(db)).success(done).refused(
            lambda exc: self.banner.show_message(exc.message, "error")
        ).disabling(self.check_button).run_in_background()

    def confirm(self, text: str) -> bool:
        """Ask before restoring (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "恢复备份",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore_selected(self) -> None:
        rows = self.backup_table.selectionModel().selectedRows()
        if not rows:
            self.banner.show_message("请先在列表中选中要恢复的备份。", "error")
            return
        self.restore(self.backup_paths[rows[0].row()])

    def restore_other_file(self) -> None:
        path = self.page.ctx.db.path
        start = str(path.parent) if path else str(Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "选择备份文件", start, "数据库备份 (*.db);;所有文件 (*)"
        )
        if name:
            self.restore(Path(name))

    def restore(self, source: Path) -> bool:
        """Restore after confirming; the current database is backed up first. The session then
        starts again (the page's databaseRestored signal)."""
        try:
            self.page.ctx.actor.require_admin()
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return False
        text = (
            f"用备份“{source.name}”替换当前数据库？\n\n"
            "恢复前会先自动备份当前数据库；恢复后需要重新登录，"
            "该备份之后录入的内容将不在恢复后的数据库中。"
        )
        if not self.confirm(text):
            return False
        try:
            safety = maintenance.restore(self.page.ctx.db, source, actor=self.page.ctx.actor)
        except UserError as exc:
            self.banner.show_message(exc.message, "error")
            return False
        self.banner.show_message(
            f"已恢复。恢复前的数据库已备份为 {safety.name}。请重新登录。", "success"
        )
        self.page.databaseRestored.emit()
        return True

    def choose_database(self) -> QDialog:
        """本机数据库 or 法院服务器; the choice is stored and used from the next start."""
        from zhiqian_desktop.gui.database_dialog import DatabaseDialog

        dialog = DatabaseDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_folder(self, key: str) -> None:
        text = self.values[key].text()
        path = Path(text)
        if key == "database":
            path = path.parent
        if path.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
