"""The task runner: results, failures, progress and cancellation come back to the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Generator

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from core.progress import Progress
from gui.tasks import TaskRunner


def test_result_arrives_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    seen: list[tuple[object, bool]] = []
    worker_threads: list[bool] = []

    def work() -> int:
        worker_threads.append(QThread.currentThread().isMainThread())  # type: ignore[attr-defined]
        return 42

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.run(work, lambda r: seen.append((r, QThread.currentThread().isMainThread())))  # type: ignore[attr-defined]
    assert seen == [(42, True)]
    assert worker_threads == [False]
    assert not runner.busy


def test_failure_goes_to_on_failure_or_the_failed_signal(qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("x")

    runner.run(boom, on_failure=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    with qtbot.waitSignal(runner.failed) as blocker:
        runner.run(boom)
    assert isinstance(blocker.args[0], ValueError)


def test_generator_progress_then_result(qtbot: QtBot, runner: TaskRunner) -> None:
    steps: list[object] = []
    results: list[object] = []

    def work() -> Generator[Progress, None, str]:
        for i in range(3):
            yield Progress(i + 1, 3)
        return "done"

    runner.run(work, results.append, on_progress=steps.append)
    qtbot.waitUntil(lambda: results == ["done"])
    assert steps == [Progress(1, 3), Progress(2, 3), Progress(3, 3)]


def test_cancel_stops_at_a_step_and_clears_busy(qtbot: QtBot, runner: TaskRunner) -> None:
    started = threading.Event()
    release = threading.Event()
    closed = threading.Event()
    results: list[object] = []

    def work() -> Generator[int, None, str]:
        try:
            for i in range(1000):
                started.set()
                release.wait(5)
                yield i
            return "finished"
        finally:
            closed.set()

    handle = runner.run(work, results.append)
    assert runner.busy
    assert started.wait(5)  # cancel mid-way, with a step in progress
    handle.cancel()
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        release.set()
    assert closed.wait(5)
    assert results == []
    assert handle.done
    assert not runner.busy
