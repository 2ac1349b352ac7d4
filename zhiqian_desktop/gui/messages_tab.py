"""案件详情 › 短信: the case's messages in the outbox, and drafting a progress report to the
applicant or reminders to the obligor for this case; they are edited, approved and exported on
the 短信发件箱 page."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.workflow import CaseAction, CaseStatus, available_actions
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.form_fields import Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.outbox_page import fill_table, message_table, show_text, text_preview
from zhiqian_desktop.services.supervision import messages
from zhiqian_desktop.services.supervision.messages import MessageRow, ReminderRun


class MessagesTab(QWidget):
    changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id: str | None = None
        self.rows: list[MessageRow] = []
        self.banner = Banner()
        self.progress_button = QPushButton("起草进展回告")
        self.progress_button.setToolTip("按案件现状给申请人的手机起草一条短信（执行信息回告）")
        self.remind_button = QPushButton("起草履行提醒")
        self.remind_button.setToolTip(
            "分期或承诺履行日在所设提前天数内、尚未履行的，给被申请人起草"
        )
        hint = QLabel(
            "起草后在“短信发件箱”中修改、审核、导出给短信平台；发送结果读回后记入督促记录。"
        )
        hint.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(hint, 1)
        bar.addWidget(self.progress_button)
        bar.addWidget(self.remind_button)
        self.table = message_table()
        self.preview = text_preview()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.preview)
        self.table.itemSelectionChanged.connect(self._show_text)
        self.progress_button.clicked.connect(self.draft_progress)
        self.remind_button.clicked.connect(self.draft_reminders)

    def show_case(self, case_id: str, status: CaseStatus) -> None:
        self.case_id = case_id
        # Open cases only; one that is not the user's is refused by the service, in the banner.
        may = CaseAction.LOG_CONTACT in available_actions(status)
        self.progress_button.setEnabled(may)
        self.remind_button.setEnabled(may)
        self.banner.clear_message()
        self.refresh()

    def refresh(self) -> None:
        if self.case_id is not None:
            self.rows = messages.outbox(self.ctx.db, case_id=self.case_id)
            fill_table(self.table, self.rows)
            self._show_text()

    def _show_text(self) -> None:
        picked = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        show_text(self.preview, [self.rows[r] for r in picked if r < len(self.rows)])

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def _done(self, message: str, kind: str = "success") -> None:
        self.refresh()
        self.banner.show_message(message, kind)

    def draft_progress(self) -> None:
        ctx, case_id = self.ctx, self.case_id
        if case_id is None:
            return

        def done(rows: list[MessageRow]) -> None:
            names = "、".join(r.name for r in rows)
            self._done(f"已给{names}起草进展回告，请到“短信发件箱”核对、审核后导出。")

        Operation(
            self,
            lambda _p: messages.draft_progress(ctx.db, ctx.actor, case_id, today=ctx.clock.today()),
        ).success(done).refused(self._refused).disabling(self.progress_button).run_in_background()

    def draft_reminders(self) -> None:
        ctx, case_id = self.ctx, self.case_id
        if case_id is None:
            return

        def done(run: ReminderRun) -> None:
            said = (
                f"已起草{len(run.drafted)}条履行提醒。"
                if run.drafted
                else "本案没有需要起草的履行提醒（不在提前天数内、已履行或已起草过）。"
            )
            self._done(said + "".join(f"未起草：{s}" for s in run.skipped), "info")

        Operation(
            self,
            lambda _p: messages.draft_reminders(
                ctx.db, ctx.actor, today=ctx.clock.today(), case_id=case_id
            ),
        ).success(done).refused(self._refused).disabling(self.remind_button).run_in_background()
