"""The task runner: the only module in the app that touches threads.

Core work runs on a ``QThreadPool`` worker; its result or exception comes back to the GUI thread
through a queued signal and is handed to ``on_success`` / ``on_failure`` (Anki's operation
pattern). Generators are run step by step: each yielded value is progress, the generator's
return value is the result, and cancelling stops iterating at the next step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.progress import Progress

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits through it (queued across threads).

    Signals:
        succeeded(object), failed(object), progressed(object), cancelled()
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)
    cancelled = Signal()


class TaskHandle:
    """A running task: ``cancel()`` it, or ask whether it is ``done``."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay
        self._handle = handle

    def run(self) -> None:
        try:
            result = self._fn()
            if isinstance(result, Generator):
                result = self._drive(result)
        except BaseException as exc:  # every failure is handed back to the GUI thread
            self._relay.failed.emit(exc)
            return
        if self._handle.cancelled:
            self._relay.cancelled.emit()
        else:
            self._relay.succeeded.emit(result)

    def _drive(self, gen: Generator[Any, None, Any]) -> Any:
        try:
            while True:
                if self._handle.cancelled:
                    gen.close()
                    return None
                step = next(gen)
                self._relay.progressed.emit(step)
        except StopIteration as stop:
            return stop.value


class TaskRunner(QObject):
    """Runs callables off the GUI thread.

    Signals:
        busy_changed(bool): whether any task is running (for a busy indicator).
        failed(object): a task failed and had no ``on_failure``; the window shows it.
    """

    busy_changed = Signal(bool)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[_Relay] = set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Success | None = None,
        on_failure: Failure | None = None,
        on_progress: Callable[[Progress | int], None] | None = None,
    ) -> TaskHandle:
        """Run ``fn()`` on a worker. A generator's yields go to ``on_progress``; its return
        value, or ``fn``'s result, goes to ``on_success`` on the GUI thread."""
        handle = TaskHandle()
        # No parent: the relay must outlive the runner if a worker still emits through it at
        # shutdown; ``_running`` keeps it alive until the task ends.
        relay = _Relay()

        def finish() -> None:
            handle.done = True
            self._running.discard(relay)
            relay.deleteLater()
            if not self._running:
                self.busy_changed.emit(False)

        @Slot(object)
        def succeeded(result: Any) -> None:
            finish()
            if on_success is not None:
                on_success(result)

        @Slot(object)
        def failed(exc: BaseException) -> None:
            finish()
            if on_failure is not None:
                on_failure(exc)
            else:
                self.failed.emit(exc)

        relay.succeeded.connect(succeeded, Qt.ConnectionType.QueuedConnection)
        relay.cancelled.connect(finish, Qt.ConnectionType.QueuedConnection)
        relay.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
        if on_progress is not None:
            relay.progressed.connect(on_progress, Qt.ConnectionType.QueuedConnection)
        if not self._running:
            self.busy_changed.emit(True)
        self._running.add(relay)
        self._pool.start(_Job(fn, relay, handle))
        return handle

    def run_with_progress(
        self,
        parent: QWidget,
        label: str,
        fn: Callable[[], Any],
        on_success: Success | None = None,
        on_failure: Failure | None = None,
    ) -> TaskHandle:
        """Like ``run``, with a window-modal progress dialog whose Cancel button cancels."""
        dialog = QProgressDialog(label, self.tr("Cancel"), 0, 0, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)

        def progress(step: Progress | int) -> None:
            if isinstance(step, Progress):
                if step.total:
                    dialog.setMaximum(step.total)
                dialog.setValue(step.done)
                if step.label:
                    dialog.setLabelText(step.label)
            else:
                dialog.setLabelText(f"{label} ({step:,})")

        def done(result: Any) -> None:
            dialog.close()
            dialog.deleteLater()
            if on_success is not None:
                on_success(result)

        def fail(exc: BaseException) -> None:
            dialog.close()
            dialog.deleteLater()
            if on_failure is not None:
                on_failure(exc)
            else:
                self.failed.emit(exc)

        handle = self.run(fn, done, fail, progress)
        dialog.canceled.connect(handle.cancel)
        dialog.canceled.connect(dialog.deleteLater)
        return handle

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the pool is idle (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)
