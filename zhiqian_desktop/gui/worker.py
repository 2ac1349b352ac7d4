"""Run a function off the GUI thread: success / failure / progress / cancel delivered as Qt signals.
Pages and dialogs use it through ``Operation`` (gui/operations.py).

Usage::

    def work(progress: Progress) -> Path:
        # a use case given the Database opens its own session, here on the worker thread
        return export_docket_xlsx(db, ..., on_progress=lambda n, total: progress.report(n, total))

    task = run_in_background(work, on_success=show_done, on_failure=show_error,
                             on_progress=bar.update)

The function gets a :class:`Progress`; it reports with ``progress.report(done, total, text)`` and
calls ``progress.check()`` at safe points so that a cancel stops it. Callbacks always run on the GUI
thread (the signals object lives there, so Qt queues the calls). Without ``on_failure`` an error
goes to ``sys.excepthook`` — the app's crash dialog, or a one-line warning for a UserError.
"""

from __future__ import annotations

import gc
import itertools
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QTimer, Signal
from shiboken6 import isValid


class Cancelled(Exception):
    """Raised inside the worker by Progress.check() once the user has cancelled."""


class Progress:
    """Handed to the background function: report progress, notice a cancel."""

    def __init__(self, task_id: int) -> None:
        self._task_id = task_id
        self._cancel = threading.Event()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        _dispatcher_for_workers.progressed.emit(self._task_id, done, total, text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def report_and_check(self, done: int, total: int = 0, text: str = "") -> None:
        """A use case's progress callback: report, then stop here once the user has cancelled."""
        self.report(done, total, text)
        self.check()

    def cancel(self) -> None:
        self._cancel.set()


class TaskSignals(QObject):
    """A task's results on the GUI thread (only the GUI thread ever touches this object)."""

    succeeded = Signal(object)
    failed = Signal(object)  # the exception; its __traceback__ is kept
    progress = Signal(int, int, str)  # done, total (0 = unknown), text
    cancelled = Signal()
    finished = Signal()  # after any of the above


class _Dispatcher(QObject):
    """The one object the pool threads emit on, for every task: it lives as long as the app, so a
    worker never emits on (or drops the last reference to) an object the GUI thread may delete."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int, str)
    cancelled = Signal(int)
    finished = Signal(int)


_running: dict[int, Task] = {}
"""The tasks not finished yet, by id: their signals stay alive until ``finished`` is delivered."""
_ids = itertools.count(1)
_the_dispatcher: _Dispatcher | None = None


class _GuiThreadCollector(QObject):
    """Python's cycle collector runs wherever an allocation happens to trigger it; on a pool
    thread it would delete the Qt objects of a collected cycle (a closed dialog and the lambdas
    connected to its signals) off the GUI thread. So automatic collection is off while tasks
    run (``run_in_background`` / ``_finished``), and the GUI thread collects on a timer meanwhile
    (as Anki does for the same reason)."""

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        threshold = gc.get_threshold()[0]
        if gc.get_count()[0] > threshold:
            gc.collect()


def _dispatcher() -> _Dispatcher:
    global _the_dispatcher
    if _the_dispatcher is None or not isValid(_the_dispatcher):
        app = QCoreApplication.instance()
        _GuiThreadCollector(app)
        d = _Dispatcher(app)
        d.succeeded.connect(lambda tid, result: _signals(tid, "succeeded", result))
        d.failed.connect(lambda tid, exc: _signals(tid, "failed", exc))
        d.progressed.connect(
            lambda tid, done, total, text: _signals(tid, "progress", done, total, text)
        )
        d.cancelled.connect(lambda tid: _signals(tid, "cancelled"))
        d.finished.connect(_finished)
        _the_dispatcher = d
    return _the_dispatcher


def _signals(task_id: int, name: str, *args: Any) -> None:
    task = _running.get(task_id)
    if task is not None:
        getattr(task.signals, name).emit(*args)


def _finished(task_id: int) -> None:
    task = _running.get(task_id)
    if task is not None:
        task.done = True
        task.signals.finished.emit()
        del _running[task_id]
        if not _running:
            gc.enable()


def _execute(task_id: int, work: list[Callable[[Progress], Any]], progress: Progress) -> None:
    """The pool thread's part. It holds no Qt object of the task, only the task's id, and lets go
    of the function before saying it is done: whatever the function refers to (a dialog's
    values, a widget) is released on the GUI thread, never here."""
    dispatcher = _dispatcher_for_workers
    fn = work.pop()
    outcome: tuple[str, Any]
    try:
        outcome = ("succeeded", fn(progress))
    except Cancelled:
        outcome = ("cancelled", None)
    except BaseException as exc:  # delivered to the GUI thread, never swallowed
        outcome = ("failed", exc)
    del fn
    kind, value = outcome
    if kind == "succeeded":
        dispatcher.succeeded.emit(task_id, value)
    elif kind == "failed":
        dispatcher.failed.emit(task_id, value)
    else:
        dispatcher.cancelled.emit(task_id)
    del outcome, value
    dispatcher.finished.emit(task_id)


class Task:
    """One function run on a pool thread; its results arrive as ``signals`` on the GUI thread."""

    def __init__(self, fn: Callable[[Progress], Any]) -> None:
        self.id = next(_ids)
        self.fn = fn
        self.signals = TaskSignals()
        self.progress = Progress(self.id)
        self.done = False

    def cancel(self) -> None:
        self.progress.cancel()


_dispatcher_for_workers: _Dispatcher
"""The dispatcher as the GUI thread last made it (the pool threads only read this)."""


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
    global _dispatcher_for_workers
    _dispatcher_for_workers = _dispatcher()
    if not _running:
        gc.disable()
    _running[task.id] = task
    work, progress, task_id = [task.fn], task.progress, task.id
    (pool or QThreadPool.globalInstance()).start(lambda: _execute(task_id, work, progress))
    return task
