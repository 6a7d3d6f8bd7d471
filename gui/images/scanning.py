"""Scanning photos one after another in the background: after an import, and for the photos
the page finds unscanned when it opens.

Scans are heavy (Tesseract and OpenCV take a CPU core for a second or more each), so exactly one
runs at a time through the task runner. The photo someone opens goes to the front: a background
scan of another photo is stopped (its generator closed, which kills its Tesseract) and put back
right behind it. Cancel stops the running scan the same way and drops the rest of the queue;
the photos stay unscanned and are scanned when opened, or the next time the page looks.

``ScanStrip`` is the line on the page that shows it: "Scanning photos: 3 of 12", a progress bar
and Cancel; when a batch ends with photos that could not be scanned it says so until closed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QWidget

from core.progress import Progress
from gui.tasks import TaskHandle, TaskRunner
from gui.widgets import button, plain_label

ScanWork = Callable[[int, bool], Generator[Progress, None, Any]]
"""Makes (on the GUI thread) the generator that scans one photo (on a worker):
``(image_id, force)``; without ``force`` a photo that already has a report (scanned elsewhere
meanwhile) is not scanned again. It returns what ``finished`` carries."""


class ScanQueue(QObject):
    """The photos waiting to be scanned and the one being scanned.

    Counting is per batch (from idle to idle): ``total`` photos were queued, ``done`` of them
    are finished, failed or skipped, so the strip can say "3 of 12".

    Signals:
        started(int): the scan of this photo began.
        progressed(int, object): a ``Progress`` step of this photo's scan.
        finished(int, object): this photo is scanned; the work's result.
        failed(int, object): this photo's scan raised (the exception).
        stopped(int): this photo's scan was cancelled; it stays unscanned.
        batch_ended(int, int): the queue ran dry: how many photos were scanned, how many failed.
        changed(): anything the strip shows changed.
    """

    started = Signal(int)
    progressed = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, object)
    stopped = Signal(int)
    batch_ended = Signal(int, int)
    changed = Signal()

    def __init__(self, runner: TaskRunner, work: ScanWork, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._work = work
        self._queue: list[int] = []
        self._forced: set[int] = set()
        self._current: int | None = None
        self._handle: TaskHandle | None = None
        self._token = 0
        self._done = 0
        self._total = 0
        self._scanned = 0
        self._failures = 0
        self._failed_ids: set[int] = set()

    # --- state -------------------------------------------------------------------------------
    @property
    def current(self) -> int | None:
        """The photo being scanned now."""
        return self._current

    @property
    def waiting(self) -> tuple[int, ...]:
        """The photos queued behind it, in order."""
        return tuple(self._queue)

    @property
    def active(self) -> bool:
        return self._current is not None or bool(self._queue)

    @property
    def done(self) -> int:
        return self._done

    @property
    def total(self) -> int:
        return self._total

    def has_failed(self, image_id: int) -> bool:
        """Whether this photo's scan failed in this session (background scans skip it)."""
        return image_id in self._failed_ids

    # --- requests ----------------------------------------------------------------------------
    def enqueue(self, image_ids: Iterable[int]) -> None:
        """Scan these photos after the ones already waiting (ids already queued, being
        scanned, or that failed before are left out)."""
        for image_id in image_ids:
            if image_id == self._current or image_id in self._queue or image_id in self._failed_ids:
                continue
            self._queue.append(image_id)
            self._total += 1
        self._next()
        self.changed.emit()

    def scan_first(self, image_id: int, *, force: bool = False) -> None:
        """Scan this photo before any other (it was opened): a running scan of another photo
        is stopped and queued again right behind it. ``force`` scans it even when it has a
        report (the person asked for a new scan)."""
        self._failed_ids.discard(image_id)
        if force:
            self._forced.add(image_id)
        if image_id == self._current:
            return
        if image_id in self._queue:
            self._queue.remove(image_id)
        else:
            self._total += 1
        self._queue.insert(0, image_id)
        if self._current is not None:
            postponed = self._current
            self._abandon()
            self._queue.insert(1, postponed)
        self._next()
        self.changed.emit()

    def cancel_one(self, image_id: int) -> None:
        """Stop scanning this photo (running or waiting); the others go on."""
        if image_id == self._current:
            self._abandon()
            self._done += 1
            self.stopped.emit(image_id)
            self._next()
        elif image_id in self._queue:
            self._queue.remove(image_id)
            self._total -= 1
        self._forced.discard(image_id)
        self.changed.emit()

    def cancel(self) -> None:
        """Stop the running scan (its Tesseract is killed) and drop every waiting photo."""
        current = self._current
        self._abandon()
        self._queue.clear()
        self._forced.clear()
        if current is not None:
            self.stopped.emit(current)
        self._reset_batch()
        self.changed.emit()

    def clear(self) -> None:
        """Cancel everything and forget which photos failed (sign-out)."""
        self.cancel()
        self._failed_ids.clear()

    # --- running -----------------------------------------------------------------------------
    def _abandon(self) -> None:
        """Let go of the running scan: cancelled, and whatever it still reports is ignored."""
        if self._handle is not None and not self._handle.done:
            self._handle.cancel()
        self._handle = None
        self._current = None
        self._token += 1

    def _reset_batch(self) -> None:
        self._done = self._total = self._scanned = self._failures = 0

    def _next(self) -> None:
        if self._current is not None:
            return
        if not self._queue:
            if self._total:
                scanned, failures = self._scanned, self._failures
                self._reset_batch()
                self.changed.emit()
                self.batch_ended.emit(scanned, failures)
            return
        image_id = self._queue.pop(0)
        force = image_id in self._forced
        self._forced.discard(image_id)
        self._token += 1
        token = self._token
        self._current = image_id
        job = self._work(image_id, force)  # a generator: its body runs on the worker

        def succeeded(result: Any) -> None:
            if token != self._token:
                return
            self._handle = None
            self._current = None
            self._done += 1
            self._scanned += 1
            self.finished.emit(image_id, result)
            self._next()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if token != self._token:
                return
            self._handle = None
            self._current = None
            self._done += 1
            self._failures += 1
            self._failed_ids.add(image_id)
            self.failed.emit(image_id, exc)
            self._next()
            self.changed.emit()

        def progressed(step: Any) -> None:
            if token == self._token and isinstance(step, Progress):
                self.progressed.emit(image_id, step)

        self._handle = self._runner.run(lambda: job, succeeded, failed, progressed)
        self.started.emit(image_id)


class ScanStrip(QFrame):
    """The page's line about background scans: "Scanning photos: 3 of 12", a progress bar and
    Cancel while a batch runs; afterwards, if some photos could not be scanned, a note that
    stays until closed."""

    def __init__(self, queue: ScanQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan-strip")
        self._queue = queue
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.label = plain_label("")
        row.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setAccessibleName(self.tr("Scanning photos"))
        row.addWidget(self.bar, 1)
        self.cancel_button = button(self.tr("Cancel"), kind="ghost")
        self.cancel_button.setAccessibleName(self.tr("Cancel scanning photos"))
        self.cancel_button.setToolTip(
            self.tr("Stop scanning; each photo left is scanned when you open it")
        )
        self.cancel_button.clicked.connect(queue.cancel)
        row.addWidget(self.cancel_button)
        self.close_button = button(self.tr("Close"), kind="ghost")
        self.close_button.clicked.connect(self._close_note)
        row.addWidget(self.close_button)
        self._note = False
        queue.changed.connect(self._update)
        queue.batch_ended.connect(self._ended)
        self._update()

    def _update(self) -> None:
        q = self._queue
        if not q.active:
            if not self._note:
                self.setVisible(False)
            return
        self._note = False
        self.label.setText(
            self.tr("Scanning photos: {n} of {total}").format(
                n=f"{min(q.done + 1, q.total):,}", total=f"{q.total:,}"
            )
        )
        self.bar.setRange(0, max(1, q.total))
        self.bar.setValue(q.done)
        self.bar.setVisible(True)
        self.cancel_button.setVisible(True)
        self.close_button.setVisible(False)
        self.setVisible(True)

    def _ended(self, scanned: int, failures: int) -> None:
        if not failures:
            self._close_note()
            return
        self._note = True
        self.label.setText(
            self.tr("1 photo could not be scanned. Open it to see why.")
            if failures == 1
            else self.tr("{n} photos could not be scanned. Open one to see why.").format(
                n=f"{failures:,}"
            )
        )
        self.bar.setVisible(False)
        self.cancel_button.setVisible(False)
        self.close_button.setVisible(True)
        self.setVisible(True)

    def _close_note(self) -> None:
        self._note = False
        self.setVisible(False)


__all__ = ["ScanQueue", "ScanStrip", "ScanWork"]
