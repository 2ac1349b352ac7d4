"""The desk's views stay true: which cases a commit changed reaches the GUI thread as one signal.

This desk's commits arrive from ``services.core.case_changes`` on whatever thread committed (a
worker's). On a court server another desk's commits are found by polling the change counter every
few seconds. Changes that arrive close together are told once (``casesChanged``), after the
event loop has handled what is pending, so an import of a thousand cases refreshes each view once.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from shiboken6 import isValid

from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background
from zhiqian_desktop.services.core.case_changes import (
    CaseChanges,
    changes_since,
    latest_change,
    subscribe,
)

POLL_MS = 3000


class CaseWatch(QObject):
    casesChanged = Signal(object)  # CaseChanges
    _arrived = Signal(object)  # emitted on any thread; queued to the GUI thread

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, poll: bool | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._pending = CaseChanges()
        self._deliver = QTimer(self)
        self._deliver.setSingleShot(True)
        self._deliver.setInterval(0)
        self._deliver.timeout.connect(self._tell)
        self._arrived.connect(self._collect)
        self._unsubscribe = subscribe(ctx.db, self._heard)
        self.destroyed.connect(self._unsubscribe)
        self._seen = 0
        self._poll_task: Task | None = None
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll)
        if poll if poll is not None else not ctx.db.is_sqlite:
            self._seen = latest_change(ctx.db)
            self.poll_timer.start()

    def stop(self) -> None:
        self.poll_timer.stop()
        self._unsubscribe()

    def _heard(self, change: CaseChanges) -> None:
        # Called by the committing thread once its commit has succeeded: a watch already
        # deleted (a window closed meanwhile) must not turn that commit into a failure.
        if isValid(self):
            self._arrived.emit(change)

    @Slot(object)
    def _collect(self, change: CaseChanges) -> None:
        self._pending = self._pending | change
        self._deliver.start()

    def _tell(self) -> None:
        change, self._pending = self._pending, CaseChanges()
        if change:
            self.casesChanged.emit(change)

    def poll(self) -> None:
        """Ask the server whether other desks changed cases since the last look."""
        if self._poll_task is not None and not self._poll_task.done:
            return
        db, seen = self._ctx.db, self._seen

        def work(_progress: Progress) -> tuple[int, CaseChanges]:
            return changes_since(db, seen)

        # A server that does not answer for a moment is asked again at the next tick; a failed
        # look changes nothing on screen.
        self._poll_task = run_in_background(
            work, on_success=self._polled, on_failure=lambda _exc: None
        )

    def _polled(self, result: tuple[int, CaseChanges]) -> None:
        self._seen, change = result
        if change:
            self._collect(change)
