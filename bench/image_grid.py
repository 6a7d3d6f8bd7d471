"""Image grid benchmark: the Images page's thumbnail grid over 2,000 photos (target: each
screenful <= 50 ms).

Builds a photo library in a temporary folder through the real parts: an encrypted SQLCipher
database (the migrations, the image table and its indexes), the media vault, and
``ImagingService.import_files`` with the real sandbox (each generated JPEG is parsed in the
child process, its original and thumbnail kept in the vault). Then, offscreen, it drives the
page's own grid (``gui.images.grid``: the paged ``ImageGridModel``, the ``ThumbnailCache`` that
decodes on the task runner's workers, the ``ImageGrid`` view at 1150 x 760) and times:

- ``image_grid_first_page``: the first page of the model (rows and total count, a worker
  query) until its rows are in the view;
- ``image_grid_fetch_page``: each further page of 200 rows (``fetchMore``), median and the
  whole run to the last row (``image_grid_page_through``);
- ``image_grid_screenful``: scrolling down one screen at a time with a cold cache, from the
  scroll until every tile on screen has its thumbnail decoded (on a worker) and is painted;
  median and 95th percentile over every screen of the 2,000 photos (target <= 50 ms);
- ``image_grid_paint``: painting one screen with the thumbnails cached (what the GUI thread
  does per frame while scrolling back), median;
- ``thumbnail_decode``: one thumbnail read from the vault and decoded, median (for scale).

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"} (no baseline: targets).

    QT_QPA_PLATFORM=offscreen uv run python bench/image_grid.py [--photos 2000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtCore import QCoreApplication, QModelIndex  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.app import Services  # noqa: E402
from core.clock import ManualClock  # noqa: E402
from core.imaging.model import ImageRecord  # noqa: E402
from core.imaging.service import ImagingService  # noqa: E402
from core.staff.pins import fast_hasher  # noqa: E402
from core.staff.service import StaffService  # noqa: E402
from gui.images.grid import (  # noqa: E402
    PAGE_SIZE,
    ImageGrid,
    ImageGridModel,
    RecordRole,
    ThumbnailCache,
    decode_thumbnail,
)
from gui.tasks import TaskRunner  # noqa: E402
from storage.engine import DatabaseConfig, open_database  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from storage.uow import unit_of_work_factory  # noqa: E402
from storage.vault import MediaVault  # noqa: E402

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
VIEW = (1150, 760)
TARGET_MS = 50.0
IMPORT_BATCH = 200
TIMEOUT = 30.0


@dataclass
class GridServices:
    """What the grid asks of ``Services``: the imaging service only."""

    images: ImagingService


def photo(rng: random.Random, size: tuple[int, int]) -> bytes:
    """A JPEG of a made-up scene: a coloured room with blocks and round shapes."""
    image = Image.new("RGB", size, tuple(rng.randrange(90, 230) for _ in range(3)))  # type: ignore[arg-type]
    draw = ImageDraw.Draw(image)
    w, h = size
    for _ in range(14):
        x, y = rng.randrange(w), rng.randrange(h)
        colour = tuple(rng.randrange(256) for _ in range(3))
        box = (x, y, x + rng.randrange(20, w // 3), y + rng.randrange(20, h // 3))
        if rng.random() < 0.5:
            draw.rectangle(box, fill=colour)  # type: ignore[arg-type]
        else:
            draw.ellipse(box, fill=colour)  # type: ignore[arg-type]
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def build(photos: int, folder: Path, size: tuple[int, int]) -> tuple[ImagingService, int]:
    """The library: ``photos`` generated JPEGs imported through the real service."""
    db = open_database(DatabaseConfig.sqlite(folder / "bench.db", secrets.token_bytes(32)))
    migrate(db)
    clock = ManualClock(START)
    uow = unit_of_work_factory(db, clock)
    admin = StaffService(uow, clock, fast_hasher()).create_first_admin("Bench Admin", "482916")

    def no_consent() -> Any:
        raise RuntimeError("the grid benchmark links no patients")

    images = ImagingService(
        uow,
        clock,
        media=MediaVault(folder / "media"),
        known_names=lambda: (),
        consent=no_consent,
    )
    incoming = folder / "incoming"
    incoming.mkdir()
    rng = random.Random(2000)
    imported = 0
    for start in range(0, photos, IMPORT_BATCH):
        paths = []
        for n in range(start, min(photos, start + IMPORT_BATCH)):
            path = incoming / f"IMG_{n:05d}.jpg"
            path.write_bytes(photo(rng, size))
            paths.append(path)
        clock.advance(timedelta(minutes=1))
        result = drain(images.import_files(admin, paths))
        if result.refused or result.duplicates:
            raise RuntimeError("the generated photos did not all import")
        imported += len(result.imported)
        for path in paths:
            path.unlink()
    return images, imported


def drain(steps: Any) -> Any:
    try:
        while True:
            next(steps)
    except StopIteration as stop:
        return stop.value


def wait_until(condition: Callable[[], bool], runner: TaskRunner) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the grid did not finish in time")
        runner.wait(1)
        QCoreApplication.processEvents()


def visible_records(grid: ImageGrid) -> list[ImageRecord]:
    """The records of the tiles at least partly on screen."""
    area = grid.viewport().rect()
    first = grid.indexAt(area.topLeft())
    row = first.row() if first.isValid() else 0
    model = grid.model()
    found: list[ImageRecord] = []
    while row < model.rowCount():
        index = model.index(row, 0, QModelIndex())
        rect = grid.visualRect(index)
        if rect.top() > area.bottom():
            break
        if rect.intersects(area):
            found.append(index.data(RecordRole))
        row += 1
    return found


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def line(name: str, value: float) -> str:
    return json.dumps({"name": name, "value": value, "unit": "ms", "baseline": None, "ratio": None})


def percentile(values: Iterable[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(images: ImagingService, photos: int) -> list[str]:
    app = QApplication.instance() or QApplication([])
    runner = TaskRunner()
    services = cast(Services, GridServices(images))
    out: list[str] = [
        json.dumps(
            {
                "name": "load_average_1min",  # other work on the machine stretches wall times
                "value": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
                "unit": "load",
                "baseline": None,
                "ratio": None,
            }
        )
    ]

    # Rows: the first page, then each further page until the last row (the model alone: no
    # thumbnails are decoded meanwhile).
    model = ImageGridModel(services, runner, ThumbnailCache(services, runner))
    start = time.perf_counter()
    model.load((), "")
    wait_until(lambda: model.rowCount() > 0 and not model.loading, runner)
    first_page = time.perf_counter() - start
    pages: list[float] = []
    while model.rowCount() < model.total:
        before = model.rowCount()
        t0 = time.perf_counter()
        model.fetchMore(QModelIndex())
        wait_until(lambda before=before: model.rowCount() > before and not model.loading, runner)  # type: ignore[misc]
        pages.append(time.perf_counter() - t0)
    through = time.perf_counter() - start
    assert model.rowCount() == photos == model.total, (model.rowCount(), photos)
    out.append(line("image_grid_first_page", ms(first_page)))
    out.append(line(f"image_grid_fetch_page_{PAGE_SIZE}_rows", ms(statistics.median(pages))))
    out.append(line(f"image_grid_page_through_{photos}_photos", ms(through)))

    # Screens: the view over a fresh model, scrolled down one screen at a time with no
    # thumbnail decoded yet; the model fetches its further pages as the view reaches them.
    cache = ThumbnailCache(services, runner, capacity=600)
    model = ImageGridModel(services, runner, cache)
    grid = ImageGrid(model)
    grid.resize(*VIEW)
    grid.show()
    model.load((), "")
    wait_until(lambda: model.rowCount() > 0 and not model.loading, runner)
    app.processEvents()
    bar = grid.verticalScrollBar()
    bar.setValue(0)
    screens: list[float] = []
    gui_cpu: list[float] = []
    position = 0
    while True:
        t0, c0 = time.perf_counter(), time.thread_time()
        bar.setValue(position)
        app.processEvents()  # the scroll is painted; the tiles on screen ask for thumbnails
        wait_until(lambda: all(cache.has(r.media_hash) for r in visible_records(grid)), runner)
        app.processEvents()  # the tiles are painted with their thumbnails
        screens.append(time.perf_counter() - t0)
        gui_cpu.append(time.thread_time() - c0)
        if position >= bar.maximum():
            if not model.loading and not model.canFetchMore(QModelIndex()):
                break
            if not model.loading:  # the view asks for the next page at the bottom
                model.fetchMore(QModelIndex())
            wait_until(lambda: not model.loading, runner)
            app.processEvents()
        position = min(bar.maximum(), position + grid.viewport().height())
    out.append(line("image_grid_screenful_median", ms(statistics.median(screens))))
    out.append(line("image_grid_screenful_p95", ms(percentile(screens, 0.95))))
    out.append(line("image_grid_screenful_max", ms(max(screens))))
    out.append(line("image_grid_screenful_gui_thread_cpu_median", ms(statistics.median(gui_cpu))))
    out.append(
        json.dumps(
            {
                "name": "image_grid_screens",
                "value": len(screens),
                "unit": "screens",
                "baseline": None,
                "ratio": None,
            }
        )
    )
    assert model.rowCount() == photos

    # Painting a screen whose thumbnails are cached (scrolling back up).
    paints: list[float] = []
    for value in range(bar.maximum(), -1, -max(1, grid.viewport().height() // 2)):
        bar.setValue(value)
        app.processEvents()
        wait_until(lambda: all(cache.has(r.media_hash) for r in visible_records(grid)), runner)
        t0 = time.perf_counter()
        grid.viewport().repaint()
        paints.append(time.perf_counter() - t0)
    out.append(line("image_grid_paint_median", ms(statistics.median(paints))))

    # One thumbnail from the vault, decoded (what a worker does per tile).
    records = model.records()[:: max(1, photos // 100)]
    decodes = []
    for record in records:
        t0 = time.perf_counter()
        decode_thumbnail(images.thumbnail(record))
        decodes.append(time.perf_counter() - t0)
    out.append(line("thumbnail_decode_median", ms(statistics.median(decodes))))
    grid.close()
    runner.wait()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--height", type=int, default=768)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        images, imported = build(args.photos, Path(folder), (args.width, args.height))
        print(line(f"image_grid_build_{imported}_photos", ms(time.perf_counter() - start)))
        for text in measure(images, imported):
            print(text, flush=True)


if __name__ == "__main__":
    main()
