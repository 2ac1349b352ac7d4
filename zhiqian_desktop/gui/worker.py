"""Run a function off the GUI thread: success / failure / progress / cancel delivered as Qt signals.

Usage::

    def work(progress: Progress) -> Path:
        with db.reader() as session:              # open the session *inside* the worker
            return export(session, ..., on_batch=lambda n, total: progress.report(n, total))

    task = run_in_background(work, on_success=show_done, on_failure=show_error,
                             on_progress=bar.update)

The function gets a :class:`Progress`; it reports with ``progress.report(done, total, text)`` and
calls ``progress.check()`` at safe points so that a cancel stops it. Callbacks always run on the GUI
thread (the signals object lives there, so Qt queues the calls). Without ``on_failure`` an error
goes to ``sys.excepthook`` — the app's crash dialog, or a one-line warning for a UserError.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Cancelled(Exception):
    """Raised inside the worker by Progress.check() once the user has cancelled."""


class Progress:
    """Handed to the background function: report progress, notice a cancel."""

    def __init__(self, signals: TaskSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def cancel(self) -> None:
        self._cancel.set()


class TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)  # the exception; its __traceback__ is kept
    progress = Signal(int, int, str)  # done, total (0 = unknown), text
    cancelled = Signal()
    finished = Signal()  # after any of the above


_running: set[Task] = set()
"""Strong references so the Python side of a queued task is not collected before it runs."""


class Task(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = TaskSignals()
        self.progress = Progress(self.signals)
        self.done = False
        self.signals.finished.connect(self._forget)

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        self.signals.finished.emit()

    def cancel(self) -> None:
        self.progress.cancel()

    def _forget(self) -> None:
        self.done = True
        _running.discard(self)


def _report_unhandled(exc: BaseException) -> None:
    sys.excepthook(type(exc), exc, exc.__traceback__)


def run_in_background(
    fn: Callable[[Progress], Any],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``fn(progress)`` on a pool thread (must be called on the GUI thread).

    Pass ``on_finished`` here rather than connecting to ``task.signals.finished`` afterwards: a
    task that fails at once may have emitted it before a later connection is made."""
    task = Task(fn)
    if on_success is not None:
        task.signals.succeeded.connect(on_success)
    task.signals.failed.connect(on_failure if on_failure is not None else _report_unhandled)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    if on_cancelled is not None:
        task.signals.cancelled.connect(on_cancelled)
    if on_finished is not None:
        task.signals.finished.connect(on_finished)
    _running.add(task)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
