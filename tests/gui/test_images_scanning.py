"""Background scanning on the Images page: the queue itself (order, the opened photo first,
cancel closes the running scan's generator, failures), and on the real page with real
Tesseract and OpenCV: unscanned photos are scanned when the page opens, an import is scanned
one photo after another with the strip saying how far it is, opening a queued photo scans it
first, and Cancel kills the running Tesseract and leaves the rest unscanned."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont
from pytestqt.qtbot import QtBot

from core.imaging.model import ImageStatus
from core.imaging.ports import ImageQuery
from core.progress import Progress
from gui.hub import SignalHub
from gui.images.grid import RecordRole
from gui.images.page import ImagesPage
from gui.images.scanning import ScanQueue, ScanStrip
from gui.run import settle
from gui.tasks import TaskRunner
from tests.gui.page_env import PageEnv


# --- the queue on its own ---------------------------------------------------------------------
class FakeScans:
    """Scan work that takes ``steps`` short steps per photo and records what happened."""

    def __init__(self, steps: int = 5, fail: frozenset[int] = frozenset()) -> None:
        self.steps = steps
        self.fail = fail
        self.started: list[int] = []
        self.closed: list[int] = []
        self.finished: list[int] = []
        self.forced: list[int] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, image_id: int, force: bool) -> Generator[Progress, None, str]:
        def work() -> Generator[Progress, None, str]:
            self.started.append(image_id)
            if force:
                self.forced.append(image_id)
            try:
                for n in range(self.steps):
                    self.gate.wait(5)
                    time.sleep(0.02)
                    yield Progress(n, self.steps, "text")
            except GeneratorExit:
                self.closed.append(image_id)
                raise
            if image_id in self.fail:
                raise OSError("the original is missing")
            self.finished.append(image_id)
            return f"scanned {image_id}"

        return work()


@pytest.fixture
def queue_env(qtbot: QtBot, runner: TaskRunner) -> Iterator[tuple[ScanQueue, FakeScans]]:
    fake = FakeScans()
    queue = ScanQueue(runner, fake)
    yield queue, fake
    queue.clear()
    settle(runner)


def test_the_queue_scans_one_photo_after_another_and_counts_the_batch(
    qtbot: QtBot, queue_env: tuple[ScanQueue, FakeScans]
) -> None:
    queue, fake = queue_env
    strip = ScanStrip(queue)
    qtbot.addWidget(strip)
    results: list[tuple[int, object]] = []
    queue.finished.connect(lambda i, r: results.append((i, r)))
    fake.gate.clear()
    queue.enqueue([1, 2, 3])
    queue.enqueue([2, 3, 4])  # already waiting: not twice
    assert queue.current == 1
    assert queue.waiting == (2, 3, 4)
    assert (queue.done, queue.total) == (0, 4)
    assert not strip.isHidden()
    assert strip.label.text() == "Scanning photos: 1 of 4"
    with qtbot.waitSignal(queue.batch_ended, timeout=10000) as ended:
        fake.gate.set()
    assert ended.args == [4, 0]
    assert results == [(n, f"scanned {n}") for n in (1, 2, 3, 4)]
    assert fake.started == [1, 2, 3, 4]
    assert not queue.active
    assert strip.isHidden()


def test_the_opened_photo_goes_first_and_the_running_scan_is_postponed(
    qtbot: QtBot, queue_env: tuple[ScanQueue, FakeScans]
) -> None:
    queue, fake = queue_env
    fake.gate.clear()
    queue.enqueue([1, 2, 3])
    qtbot.waitUntil(lambda: fake.started == [1], timeout=5000)
    queue.scan_first(3)
    assert queue.current == 3
    assert queue.waiting == (1, 2)  # the interrupted photo comes right after
    assert queue.total == 3
    fake.gate.set()
    qtbot.waitUntil(lambda: 1 in fake.closed, timeout=5000)  # its generator was closed
    qtbot.waitUntil(lambda: not queue.active, timeout=10000)
    assert fake.finished == [3, 1, 2]
    # A photo that already has a report is scanned again only when asked.
    queue.scan_first(2, force=True)
    qtbot.waitUntil(lambda: not queue.active, timeout=5000)
    assert fake.forced == [2]


def test_cancel_closes_the_running_scan_and_drops_the_rest(
    qtbot: QtBot, queue_env: tuple[ScanQueue, FakeScans], runner: TaskRunner
) -> None:
    queue, fake = queue_env
    stopped: list[int] = []
    queue.stopped.connect(stopped.append)
    fake.steps = 200
    queue.enqueue([5, 6, 7])
    qtbot.waitUntil(lambda: fake.started == [5], timeout=5000)
    queue.cancel()
    assert not queue.active
    assert (queue.done, queue.total) == (0, 0)
    assert stopped == [5]
    qtbot.waitUntil(lambda: fake.closed == [5], timeout=5000)
    settle(runner)
    assert fake.started == [5]
    assert fake.finished == []
    # Cancelling one photo lets the others go on.
    fake.steps = 3
    fake.gate.clear()
    queue.enqueue([8, 9])
    queue.cancel_one(8)
    assert queue.current == 9
    fake.gate.set()
    qtbot.waitUntil(lambda: not queue.active, timeout=5000)
    assert fake.finished == [9]


def test_a_photo_that_fails_is_reported_and_not_retried_in_the_background(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    fake = FakeScans(steps=2, fail=frozenset({2}))
    queue = ScanQueue(runner, fake)
    strip = ScanStrip(queue)
    qtbot.addWidget(strip)
    failures: list[tuple[int, str]] = []
    queue.failed.connect(lambda i, e: failures.append((i, type(e).__name__)))
    with qtbot.waitSignal(queue.batch_ended, timeout=10000) as ended:
        queue.enqueue([1, 2, 3])
    assert ended.args == [2, 1]
    assert failures == [(2, "OSError")]
    assert queue.has_failed(2)
    assert not strip.isHidden()
    assert strip.label.text() == "1 photo could not be scanned. Open it to see why."
    assert strip.cancel_button.isHidden()
    strip.close_button.click()
    assert strip.isHidden()
    queue.enqueue([2])  # a background look finds it again: skipped
    assert not queue.active
    with qtbot.waitSignal(queue.failed, timeout=5000):
        queue.scan_first(2)  # opened: tried again
    settle(runner)


# --- on the page, with real scans -------------------------------------------------------------
@pytest.fixture
def page(qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner) -> Iterator[ImagesPage]:
    widget = ImagesPage(env.services, hub, runner)
    qtbot.addWidget(widget)
    widget.resize(1150, 760)
    widget.show()
    widget.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=5000)
    yield widget
    widget.set_user(None)
    runner.wait()


def _text_photo(path: Path, n: int, size: tuple[int, int] = (900, 360)) -> Path:
    image = Image.new("RGB", size, (250, 250, 245 - n))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    lines = [f"Room {n} schedule", "Call 217-555-0142", "Fresh flowers today"]
    for row in range(size[1] // 70 - 1):
        draw.text((30, 30 + 70 * row), lines[row % len(lines)], fill="black", font=font)
    image.save(path, "PNG")
    return path


def _tile_status(page: ImagesPage, image_id: int) -> ImageStatus | None:
    row = page.model.row_of(image_id)
    return page.model.index(row).data(RecordRole).status if row >= 0 else None


def test_photos_left_unscanned_are_scanned_when_the_page_opens(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    images = env.services.images
    waiting = images.unscanned()
    assert len(waiting) == 3  # the demo's unchecked photos
    qtbot.waitUntil(lambda: page.scans.active, timeout=5000)
    assert not page.scan_strip.isHidden()
    assert page.scan_strip.label.text().startswith("Scanning photos: ")
    assert page.scan_strip.label.text().endswith(" of 3")
    assert page.detail is None  # nothing opens: it happens in the background
    qtbot.waitUntil(lambda: not page.scans_pending, timeout=60000)
    assert images.unscanned() == []
    assert page.scan_strip.isHidden()
    for image_id in waiting:
        record = images.get(image_id)
        assert record.report is not None
        assert _tile_status(page, image_id) is record.status  # the tile shows the new status
    counts = images.status_counts()
    qtbot.waitUntil(
        lambda: (
            page.chips[ImageStatus.UNCHECKED].text().endswith(f"({counts[ImageStatus.UNCHECKED]})")
        ),
        timeout=5000,
    )


def test_an_import_is_scanned_one_by_one_and_the_opened_photo_first(
    qtbot: QtBot, page: ImagesPage, env: PageEnv, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: not page.scans_pending, timeout=60000)  # the demo's photos
    paths = [_text_photo(tmp_path / f"board-{n}.png", n) for n in range(4)]
    started: list[int] = []
    page.scans.started.connect(started.append)
    done: list[bool] = []
    page.import_paths(paths, lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    assert page.summary.title_label.text() == "4 imported"
    ids = [r.id for r in env.services.images.list_images(ImageQuery(text="board-"))]
    imported = sorted(i for i in ids if i is not None)
    assert len(imported) == 4
    assert page.scans.total == 4
    assert page.scan_strip.label.text().endswith(" of 4")
    # Opening the last one (still waiting) scans it before the others.
    last = imported[-1]
    assert last in page.scans.waiting
    page.open_image(last)
    qtbot.waitUntil(lambda: last in started, timeout=10000)
    assert imported[2] not in started[: started.index(last)]  # it jumped the queue
    qtbot.waitUntil(
        lambda: (
            page.detail is not None
            and page.detail.record.id == last
            and page.detail.record.report is not None
        ),
        timeout=60000,
    )
    assert page.detail is not None
    assert page.detail.record.status is ImageStatus.NEEDS_ATTENTION
    qtbot.waitUntil(lambda: not page.scans.active, timeout=60000)
    assert sorted(set(started)) == imported
    for image_id in imported:
        assert env.services.images.get(image_id).report is not None
        assert _tile_status(page, image_id) is ImageStatus.NEEDS_ATTENTION
    assert page.scan_strip.isHidden()


def test_cancel_kills_the_running_tesseract_and_leaves_the_rest_unscanned(
    qtbot: QtBot,
    page: ImagesPage,
    env: PageEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    qtbot.waitUntil(lambda: not page.scans_pending, timeout=60000)
    started: list[subprocess.Popen[Any]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        process = real_popen(*args, **kwargs)
        if "tesseract" in str(args[0][0] if args else kwargs.get("args")):
            started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    paths = [_text_photo(tmp_path / f"wall-{n}.png", n, size=(2400, 2400)) for n in range(3)]
    done: list[bool] = []
    page.import_paths(paths, lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    reading: list[int] = []
    page.scans.progressed.connect(
        lambda i, step: reading.append(i) if step.label == "text" else None
    )
    qtbot.waitUntil(lambda: bool(reading) and bool(started), timeout=30000)
    assert started[-1].poll() is None  # Tesseract is reading the photo
    assert page.scan_strip.cancel_button.isVisible()
    page.scan_strip.cancel_button.click()
    assert not page.scans.active
    assert page.scan_strip.isHidden()
    qtbot.waitUntil(lambda: all(p.poll() is not None for p in started), timeout=5000)
    settle(page.runner)
    unscanned = set(env.services.images.unscanned())
    imported = {r.id for r in env.services.images.list_images(ImageQuery(text="wall-"))}
    assert len(imported) == 3
    assert len(imported & unscanned) >= 2  # the rest were never started
    assert not page.scanning
    if page.detail is not None:
        assert page.panel.scan_button.isVisible()  # the open photo can be scanned again
