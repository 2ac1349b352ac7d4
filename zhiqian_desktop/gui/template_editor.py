"""设置 → 文书模板: the court's own wording of each document, edited with a live preview.

The list shows every document's template and whether the court's version or the shipped one is in
use. The shipped text is read-only; 复制为本院版本 makes an editable copy in the database, shared
by every desk working on it.
While typing, the document is drawn again with sample case data (after a short pause, off the GUI
thread); a template the loader refuses is shown with its line and reason, the line is marked and
the preview keeps the last good drawing. 保存 checks before writing; 恢复默认 removes the copy.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QShowEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from zhiqian_desktop.domain.dues import court_time
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import DocumentKind, Role
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.fitting import FoldingSplitter
from zhiqian_desktop.gui.form_fields import HINT_COLOUR, Banner
from zhiqian_desktop.gui.operations import Operation
from zhiqian_desktop.gui.pdf_view import PdfView
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.printing.templates import PLACEHOLDERS, TemplateError
from zhiqian_desktop.services.core.settings import print_faces
from zhiqian_desktop.services.supervision import templates

PREVIEW_DELAY_MS = 600
"""Typing pauses this long before the document is drawn again."""
KIND_ROLE = Qt.ItemDataRole.UserRole + 1


class TemplatesTab(QWidget):
    """The 文书模板 tab of the settings page (changes by an administrator only)."""

    previewUpdated = Signal()  # the preview shows the text as it is now
    previewFailed = Signal(str)  # the text as it is now is refused (line and reason)
    saved = Signal(str)  # the kind's value

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesTab")
        self.ctx = ctx
        self.kind: DocumentKind | None = None
        self.court_version = False
        self.info: templates.TemplateInfo | None = None
        self.saved_text = ""
        self.last_pdf: bytes | None = None
        """The last good drawing (kept while the text is refused)."""
        self.error_line: int | None = None
        self._task: Task | None = None
        self._generation = 0
        self._again = False
        self._loading = False

        self.banner = Banner(self)
        self.list = QListWidget(self)
        self.list.setObjectName("templateList")
        self.list.setMinimumWidth(150)
        # A long name wraps rather than end in "…" when the list is narrow.
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.status = QLabel(self)
        self.status.setObjectName("templateStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(f"color: {HINT_COLOUR};")
        self.copy_button = QPushButton("复制为本院版本", self)
        self.copy_button.setToolTip(
            "把内置模板复制到数据库，作为本院版本修改（使用同一数据库的各台电脑共用）；内置模板保持不变"
        )
        self.save_button = QPushButton("保存(&S)", self)
        self.save_button.setToolTip("检查无误后保存本院版本；此后出具的文书使用新的措辞")
        self.restore_button = QPushButton("恢复默认", self)
        self.restore_button.setToolTip("删除本院版本，重新使用内置模板")
        self.field_box = QComboBox(self)
        self.field_box.setObjectName("insertField")
        self.field_box.setToolTip("在光标处插入一个由系统填入的字段")
        # The longest field's label must not set the width of the whole editor (1024-wide screens).
        self.field_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.field_box.setMinimumContentsLength(14)
        self.field_box.addItem("插入字段…", "")
        for name, label in PLACEHOLDERS.items():
            self.field_box.addItem(f"{label}  {{{name}}}", name)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("templateEditor")
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        self.editor.setFont(font)
        self.error = QLabel(self)
        self.error.setObjectName("templateError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #a4262c; padding: 2px;")
        self.error.hide()
        self.preview = PdfView(self)
        # A sample drawing: nothing to print or hand to another program.
        self.preview.external_button.hide()
        self.preview.set_printable(False)
        self.faces = QLabel(self)
        self.faces.setObjectName("previewFonts")
        self.faces.setWordWrap(True)
        self.faces.setStyleSheet("color: #5f6b7a; padding: 2px;")
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)

        self.list.currentItemChanged.connect(self._current_changed)
        self.copy_button.clicked.connect(self.copy_to_court)
        self.save_button.clicked.connect(self.save)
        self.restore_button.clicked.connect(self.restore_default)
        self.field_box.activated.connect(self._insert_field)
        self.editor.textChanged.connect(self._text_changed)
        self.timer.timeout.connect(self.update_preview)

        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.restore_button)
        middle = QWidget(self)
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status)
        column.addLayout(buttons)
        column.addWidget(self.field_box)
        column.addWidget(self.editor, 1)
        column.addWidget(self.error)
        split = self.split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        right = QWidget(self)
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.preview, 1)
        right_column.addWidget(self.faces)
        # The text beside its preview on a wide screen, above it on a 1024-wide one.
        self.text_and_preview = FoldingSplitter(900, self)
        self.text_and_preview.addWidget(middle)
        self.text_and_preview.addWidget(right)
        split.addWidget(self.text_and_preview)
        split.setStretchFactor(1, 1)
        split.setSizes([180, 1040])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        note = QLabel(
            "花括号中的字段由系统按案件填入；正文中需要花括号时写作 {{ 和 }}。"
            "已出具的文书保存了出具时的全文，修改模板不影响它们。",
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {HINT_COLOUR};")
        layout.addWidget(note)

    def showEvent(self, event: QShowEvent) -> None:
        # Read and drawn when first shown, not with the rest of the settings page.
        super().showEvent(event)
        if self.kind is None:
            self.load()

    @property
    def is_admin(self) -> bool:
        return self.ctx.actor.role is Role.ADMIN

    @property
    def dirty(self) -> bool:
        return self.court_version and self.editor.toPlainText() != self.saved_text

    # --- the list ---------------------------------------------------------------------------

    def _infos(self) -> list[templates.TemplateInfo]:
        faces = print_faces(self.ctx.db)
        self.faces.setText("打印字体　" + "；".join(f"{role}：{where}" for role, where in faces))
        return templates.list_templates(self.ctx.db)

    def load(self) -> None:
        """Fill the list (keeping the chosen template and any unsaved edit)."""
        infos = self._infos()
        current = self.kind or infos[0].kind
        self.list.blockSignals(True)
        self.list.clear()
        for info in infos:
            which = "本院版本" if info.court_version else "内置"
            item = QListWidgetItem(f"{info.label}（{which}）")
            item.setData(KIND_ROLE, info.kind.value)
            self.list.addItem(item)
            if info.kind is current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        # Every template's whole name, (本院版本) included, where the window has the room.
        self.split.setSizes([self.list.sizeHintForColumn(0) + 2 * self.list.frameWidth() + 8, 1040])
        if self.kind is None or not self.dirty:
            self.show_kind(current)

    def select_kind(self, kind: DocumentKind) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(KIND_ROLE) == kind.value:
                self.list.setCurrentItem(item)
                return

    def _current_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        kind = next(k for k in DocumentKind if k.value == current.data(KIND_ROLE))
        if kind is self.kind:
            return
        if self.dirty and not self.confirm(
            "放弃修改", f"“{self.kind.label if self.kind else ''}”的修改尚未保存，放弃修改吗？"
        ):
            if previous is not None:
                self.list.blockSignals(True)
                self.list.setCurrentItem(previous)
                self.list.blockSignals(False)
            return
        self.show_kind(kind)

    def show_kind(self, kind: DocumentKind) -> None:
        self.kind = kind
        try:
            view = templates.template_view(self.ctx.db, kind)
            info, text = view.info, view.text
        except UserError as exc:
            info = templates.TemplateInfo(kind, False)
            text = ""
            self.banner.show_message(exc.message, "error")
        self.info = info
        self.court_version = info.court_version
        self._loading = True
        self.saved_text = text
        self.editor.setPlainText(text)
        self._loading = False
        self.last_pdf = None
        self._show_error(None)
        self._update_controls()
        self.update_preview()

    def _update_controls(self) -> None:
        editable = self.court_version and self.is_admin
        self.editor.setReadOnly(not editable)
        self.field_box.setEnabled(editable)
        self.copy_button.setEnabled(self.is_admin and not self.court_version)
        self.restore_button.setEnabled(self.is_admin and self.court_version)
        self.save_button.setEnabled(editable and self.dirty)
        if not self.is_admin:
            self.status.setText("修改文书模板需要管理员权限；此处仅供查看。")
        elif self.court_version:
            self.status.setText(
                f"正在使用本院版本（{self._saved_by()}），使用本数据库的各台电脑共用。"
                "修改后点“保存”，此后出具的文书生效。"
            )
        else:
            self.status.setText("正在使用内置模板（只读）。点“复制为本院版本”后即可修改。")

    def _saved_by(self) -> str:
        info = self.info
        if info is None or info.updated_at is None:
            return "已保存在数据库中"
        when = court_time(info.updated_at, self.ctx.clock.zone)
        return f"{info.updated_by} 于 {when} 保存"

    # --- editing and the live preview -----------------------------------------------------

    def _text_changed(self) -> None:
        if self._loading:
            return
        self._update_controls()
        self.timer.start()

    def _insert_field(self, index: int) -> None:
        name = self.field_box.itemData(index)
        self.field_box.setCurrentIndex(0)
        if name and not self.editor.isReadOnly():
            self.editor.insertPlainText("{" + name + "}")
            self.editor.setFocus()

    def update_preview(self) -> Task | None:
        """Draw the text as it is now off the GUI thread (once the running drawing is done)."""
        self.timer.stop()
        if self.kind is None:
            return None
        if self._task is not None:
            self._again = True
            return None
        self._generation += 1
        generation, kind, text = self._generation, self.kind, self.editor.toPlainText()
        db = self.ctx.db

        def work(_progress: Progress) -> bytes:
            return templates.preview_pdf(db, kind, text)

        def done(result: bytes) -> None:
            if not isValid(self):
                return
            if generation == self._generation and kind is self.kind:
                self.last_pdf = result
                self._show_error(None)
                self.preview.load(result, name=f"{kind.label}（样本）", keep_position=True)
                self.previewUpdated.emit()
            self._preview_finished()

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return
            if not isinstance(exc, UserError):
                self._preview_finished()
                raise exc
            if generation == self._generation and kind is self.kind:
                self._show_error(exc)
                self.previewFailed.emit(exc.message)
            self._preview_finished()

        # Connected before the task starts (a refused text fails within a millisecond).
        self._task = run_in_background(work, on_success=done, on_failure=failed)
        return self._task

    def _preview_finished(self) -> None:
        self._task = None
        if self._again:
            self._again = False
            self.update_preview()

    def _show_error(self, exc: UserError | None) -> None:
        """The loader's message under the editor, and its line marked in the text."""
        selections: list[QTextEdit.ExtraSelection] = []
        if exc is None:
            self.error.hide()
            self.error.clear()
            self.error_line = None
        else:
            line = exc.line if isinstance(exc, TemplateError) else None
            self.error_line = line
            kept = "；预览保留上一次正确的样式" if self.last_pdf is not None else ""
            self.error.setText(f"{exc.message.rstrip('。')}{kept}。")
            self.error.show()
            block = self.editor.document().findBlockByNumber(line - 1) if line else None
            if block is not None and block.isValid():
                mark = QTextEdit.ExtraSelection()
                mark.format.setBackground(QColor("#fde7e9"))
                mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                mark.cursor = QTextCursor(block)
                selections.append(mark)
        self.editor.setExtraSelections(selections)

    # --- saving, copying, restoring -------------------------------------------------------

    def copy_to_court(self) -> None:
        if self.kind is None:
            return
        ctx, kind = self.ctx, self.kind

        def copied(_none: None) -> None:
            self.banner.show_message(f"“{kind.label}”已复制为本院版本，现在可以修改。", "success")
            self._reload_list()

        Operation(self, lambda _progress: templates.copy_to_court(ctx.db, ctx.actor, kind)).success(
            copied
        ).refused(self._refused).disabling(self.copy_button).finished(
            self._update_controls
        ).run_in_background()

    def _refused(self, exc: UserError) -> None:
        self.banner.show_message(exc.message, "error")

    def save(self) -> bool:
        """Save the court's version off the GUI thread; False when the text is refused at once
        (its syntax or fields), True when the save was started (``saved`` follows)."""
        if self.kind is None or not self.court_version:
            return False
        ctx, kind, text, base = self.ctx, self.kind, self.editor.toPlainText(), self.saved_text
        try:
            templates.check_template(kind, text)
        except UserError as exc:
            self._save_refused(exc)
            return False

        def work(_progress: Progress) -> templates.TemplateView:
            templates.save_template(ctx.db, ctx.actor, kind, text, base=base)
            return templates.template_view(ctx.db, kind)

        Operation(self, work).success(self._saved).refused(self._save_refused).disabling(
            self.save_button
        ).finished(self._update_controls).run_in_background()
        return True

    def _save_refused(self, exc: UserError) -> None:
        self._show_error(exc)
        self.banner.show_message(f"未保存：{exc.message}", "error")

    def _saved(self, view: templates.TemplateView) -> None:
        self.saved_text = view.text
        self.info = view.info
        self._update_controls()
        self.banner.show_message(
            f"“{view.info.label}”的本院版本已保存；此后出具的文书使用新的措辞。", "success"
        )
        self.saved.emit(view.info.kind.value)

    def restore_default(self) -> None:
        if self.kind is None or not self.court_version:
            return
        if not self.confirm(
            "恢复默认",
            f"删除“{self.kind.label}”的本院版本，恢复使用内置模板吗？本院修改的措辞将不再使用。",
        ):
            return
        ctx, kind = self.ctx, self.kind

        def restored(_removed: bool) -> None:
            self.banner.show_message(f"“{kind.label}”已恢复为内置模板。", "success")
            self.saved_text = self.editor.toPlainText()  # nothing left to lose
            self._reload_list()

        Operation(
            self, lambda _progress: templates.restore_default(ctx.db, ctx.actor, kind)
        ).success(restored).refused(self._refused).disabling(self.restore_button).finished(
            self._update_controls
        ).run_in_background()

    def _reload_list(self) -> None:
        self.saved_text = self.editor.toPlainText()
        self.load()

    def confirm(self, title: str, text: str) -> bool:
        """Ask before discarding or removing (tests replace this)."""
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
