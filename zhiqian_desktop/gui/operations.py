"""Operations: one user action run off the GUI thread, the way Anki's ``CollectionOp`` runs one.

The work calls use cases with the database (never a session: a use case opens its own unit of
work); its result reaches ``success`` on the GUI thread, a refusal (``UserError``: bad input, a
stale edit, no permission) reaches ``refused``, and anything else goes to the crash path (the
error dialog) unless ``failure`` takes it::

    Operation(lambda _progress: outcomes.record_payment(ctx.db, ctx.actor, case_id, **args))
        .success(self._saved)
        .refused(lambda exc: self.banner.show_message(exc.message, "error"))
        .disabling(self.save_button)
        .run_in_background()

Long work reports with ``progress.report(done, total, text)`` and stops at ``progress.check()``
once the user cancels (gui/worker.py runs it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

from PySide6.QtWidgets import QWidget

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.gui.worker import Progress, Task, run_in_background

R = TypeVar("R")


def crash(exc: BaseException) -> None:
    """A failure that is not the clerk's input: the app's error dialog (sys.excepthook)."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


class Operation(Generic[R]):
    def __init__(self, work: Callable[[Progress], R]) -> None:
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

        def done() -> None:
            for widget in busy:
                widget.setEnabled(True)
            for fn in self._finished:
                fn()

        return run_in_background(
            self._work,
            on_success=self._success,
            on_failure=self._failure,
            on_progress=self._progress,
            on_cancelled=self._cancelled,
            on_finished=done,
            **pool,
        )
