"""The window-modal progress dialog of long work run off the GUI thread (a transfer package, an
offline kit, a change package): it shows what the work reports, and its 取消 cancels the work at
the work's next safe point (``Progress.report_and_check``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from zhiqian_desktop.gui.worker import Task


def work_progress(parent: QWidget, label: str, title: str) -> QProgressDialog:
    """A progress dialog that stays open until ``close_progress`` (not when a count is reached)."""
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog


def shows_progress(dialog: QProgressDialog) -> Callable[[int, int, str], None]:
    """The task's ``on_progress``: the count (0 of 0 while unknown) and the work's words."""

    def show(done: int, total: int, message: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        dialog.setLabelText(message)

    return show


def follow_task(dialog: QProgressDialog, task: Task) -> None:
    """Show the dialog; its 取消 cancels ``task``."""
    dialog.canceled.connect(task.cancel)
    dialog.show()


def close_progress(dialog: QProgressDialog | None) -> None:
    if dialog is not None:
        dialog.hide()
        dialog.deleteLater()
