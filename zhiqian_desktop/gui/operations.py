"""Operations: one user action run off the GUI thread, the way Anki's ``CollectionOp`` runs one.

The work calls use cases with the database (never a session: a use case opens its own unit of
work); its result reaches ``success`` on the GUI thread, a refusal (``UserError``: bad input, a
stale edit, no permission) reaches ``refused``, and anything else goes to the crash path (the
error dialog) unless ``failure`` takes it::

    Operation(self, lambda _progress: outcomes.record_payment(ctx.db, ctx.actor, case_id, **args))
        .success(self._saved)
        .refused(lambda exc: self.banner.show_message(exc.message, "error"))
        .disabling(self.save_button)
        .run_in_background()

Long work reports with ``progress.report(done, total, text)`` and stops at ``progress.check()``
once the user cancels (gui/worker.py runs it). The callbacks are dropped when the widget that
started the work has been closed and deleted meanwhile (a dialog the clerk closed, a test's
window torn down): there is nothing left to show the result in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background

R = TypeVar("R")


def crash(exc: BaseException) -> None:
    """A failure that is not the clerk's input: the app's error dialog (sys.excepthook)."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


class Operation(Generic[R]):
    def __init__(self, parent: QWidget, work: Callable[[Progress], R]) -> None:
        self._parent = parent
        self._work = work
        self._success: Callable[[R], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress: Callable[[int, int, str], None] | None = None
        self._cancelled: Callable[[], None] | None = None
        self._finished: list[Callable[[], None]] = []
        self._busy: list[QWidget] = []

    def success(self, fn: Callable[[R], None]) -> Self:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> Self:
        """Every failure goes to ``fn`` (a refusal and a crash alike)."""
        self._failure = fn
        return self

    def refused(self, fn: Callable[[UserError], None]) -> Self:
        """A refusal goes to ``fn``; any other failure to the crash path."""

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                fn(exc)
            else:
                crash(exc)

        self._failure = failed
        return self

    def progress(self, fn: Callable[[int, int, str], None]) -> Self:
        self._progress = fn
        return self

    def cancelled(self, fn: Callable[[], None]) -> Self:
        self._cancelled = fn
        return self

    def finished(self, fn: Callable[[], None]) -> Self:
        """After success, failure or cancel (the widget is usable again)."""
        self._finished.append(fn)
        return self

    def disabling(self, *widgets: QWidget) -> Self:
        """Disabled while the work runs (a second click cannot start it twice)."""
        self._busy.extend(widgets)
        return self

    def run_in_background(self, **pool: Any) -> Task:
        busy = list(self._busy)
        for widget in busy:
            widget.setEnabled(False)
        relay = _Relay(self._parent, self, busy)
        task = run_in_background(
            self._work,
            on_success=relay.succeeded,
            on_failure=relay.failed,
            on_progress=relay.progressed,
            on_cancelled=relay.cancelled,
            on_finished=relay.finished,
            **pool,
        )
        relay.task = task
        return task


class _Relay(QObject):
    """Delivers a task's results to the callbacks, as a child of the widget that started it: when
    that widget is deleted the relay goes with it and Qt drops the pending deliveries."""

    def __init__(self, parent: QWidget, operation: Operation[Any], busy: list[QWidget]) -> None:
        super().__init__(parent)
        self.operation = operation
        self.busy = busy
        self.task: Task | None = None

    def release(self) -> None:
        # Usable again before the result is shown: a clerk who reads a refusal can correct the
        # form and save at once.
        for widget in self.busy:
            if isValid(widget):
                widget.setEnabled(True)
        self.busy = []

    def succeeded(self, result: Any) -> None:
        self.release()
        if self.operation._success is not None:
            self.operation._success(result)

    def failed(self, exc: BaseException) -> None:
        self.release()
        (self.operation._failure or crash)(exc)

    def progressed(self, done: int, total: int, text: str) -> None:
        if self.operation._progress is not None:
            self.operation._progress(done, total, text)

    def cancelled(self) -> None:
        self.release()
        if self.operation._cancelled is not None:
            self.operation._cancelled()

    def finished(self) -> None:
        self.release()
        for fn in self.operation._finished:
            fn()
        self.deleteLater()
