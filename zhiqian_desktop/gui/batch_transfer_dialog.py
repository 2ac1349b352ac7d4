"""批量移送: several 督促不成 cases transferred in one go, one package each, with the filing list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.file_choice import ask_folder
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.intake.docket import DocketQuery, docket_page

if TYPE_CHECKING:
    from zhiqian_desktop.services.closing.batch_transfer import BatchTransferReport

ID_ROLE = Qt.ItemDataRole.UserRole


class BatchTransferDialog(QDialog):
    """Lists the cases marked 督促不成; the checked ones are transferred with one reason."""

    finishedBatch = Signal(object)  # the BatchTransferReport

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("批量移送执行")
        self.resize(640, 520)
        self.ctx = ctx
        self.task: Task | None = None

        self.cases = QListWidget()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：经多次督促，被申请人仍未履行，申请人申请强制执行")
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("移送材料保存到的文件夹")
        browse = QPushButton("选择…")
        browse.clicked.connect(self._browse)
        self.as_zip = QCheckBox("每案一个压缩包（否则每案一个文件夹）")
        self.as_zip.setChecked(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.banner = Banner()
        self.buttons = QDialogButtonBox()
        self.run_button = self.buttons.addButton("开始移送", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self._close)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("督促不成、待移送的案件（勾选要移送的）："))
        layout.addWidget(self.cases, 1)
        layout.addWidget(QLabel("移送理由"))
        layout.addWidget(self.reason)
        layout.addWidget(QLabel("保存位置"))
        layout.addLayout(folder_row)
        layout.addWidget(self.as_zip)
        layout.addWidget(self.progress)
        layout.addWidget(self.banner)
        layout.addWidget(self.buttons)
        self._load()

    def _load(self) -> None:
        query = DocketQuery(statuses=frozenset({CaseStatus.FAILED}), sort="case_no")
        rows = docket_page(self.ctx.db, query, today=self.ctx.clock.today()).rows
        for row in rows:
            item = QListWidgetItem(f"{row.case_no}　{row.obligor_names}　{row.cause}")
            item.setData(ID_ROLE, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.cases.addItem(item)
        if not rows:
            self.banner.show_message("目前没有“督促不成”的案件；请先在案件页标记督促不成。", "info")
            self.run_button.setEnabled(False)

    def checked_ids(self) -> list[str]:
        items = (self.cases.item(i) for i in range(self.cases.count()))
        return [
            str(item.data(ID_ROLE)) for item in items if item.checkState() == Qt.CheckState.Checked
        ]

    def _browse(self) -> None:
        chosen = ask_folder(self, "transfer", "选择保存移送材料的文件夹")
        if chosen is not None:
            self.folder.setText(str(chosen))

    def start(self) -> None:
        """Checks the input here (one clear message), then transfers off the GUI thread."""
        from zhiqian_desktop.services.closing.batch_transfer import transfer_many

        ids, reason, folder = self.checked_ids(), self.reason.text().strip(), self.folder.text()
        if not ids:
            self.banner.show_message("请至少勾选一件案件", "error")
            return
        if not reason:
            self.banner.show_message("请填写移送理由", "error")
            self.reason.setFocus()
            return
        if not folder.strip() or not Path(folder).is_dir():
            self.banner.show_message("请选择一个已存在的文件夹保存移送材料", "error")
            return
        ctx, today, as_zip = self.ctx, self.ctx.clock.today(), self.as_zip.isChecked()
        db, actor = ctx.db, ctx.actor

        def work(progress: Progress) -> BatchTransferReport:
            def report(done: int, total: int, text: str) -> None:
                progress.check()  # 取消 stops after the case being written
                progress.report(done, total, text)

            return transfer_many(
                db, actor, ids, reason, Path(folder), as_zip=as_zip, today=today, progress=report
            )

        self.run_button.setEnabled(False)
        self.progress.show()
        self.banner.show_message(f"正在移送 {len(ids)} 件案件…", "info")
        self.task = run_in_background(
            work, on_success=self._done, on_failure=self._failed, on_progress=self._progress
        )

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        if text:
            self.progress.setFormat(f"{text}（%p%）")

    def _done(self, report: BatchTransferReport) -> None:
        self.task = None
        self.progress.hide()
        self.banner.show_message(
            "\n".join(report.lines()), "warning" if report.failed else "success"
        )
        self.finishedBatch.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.progress.hide()
        self.run_button.setEnabled(True)
        if not isinstance(exc, UserError):
            raise exc
        self.banner.show_message(exc.message, "error")

    def _close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.reject()
