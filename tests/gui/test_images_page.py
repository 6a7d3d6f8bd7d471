"""The Images page's library: the grid with status badges and counts, filters and search,
import by file and by drop with a plain-words summary of refused files, thumbnails decoded in
the background, targets from Today, the photo spots register, and Today's wording."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPixmap
from pytestqt.qtbot import QtBot

from core.imaging.model import ImageStatus
from core.today.model import AttentionItem, Severity
from gui.hub import SignalHub
from gui.images.grid import RecordRole
from gui.images.page import ImagesPage
from gui.images.spots_dialog import PhotoSpotsDialog
from gui.run import settle
from gui.tasks import TaskRunner
from gui.today.page import TodayPage
from gui.today.wording import WordingContext, word
from tests.gui.page_env import PageEnv

CTX = WordingContext(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), ZoneInfo("America/Chicago"))


@pytest.fixture
def page(qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner) -> Iterator[ImagesPage]:
    widget = ImagesPage(env.services, hub, runner)
    qtbot.addWidget(widget)
    widget.resize(1150, 760)
    widget.show()
    widget.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=5000)
    # The demo's unscanned photos are scanned in the background first (test_images_scanning).
    qtbot.waitUntil(lambda: not widget.scans_pending, timeout=60000)
    qtbot.waitUntil(lambda: "(" in widget.chips[None].text(), timeout=5000)
    yield widget
    widget.set_user(None)
    runner.wait()


def _names(page: ImagesPage) -> list[str]:
    return [page.model.index(r).data() for r in range(page.model.rowCount())]


def test_the_grid_shows_every_photo_with_counts_and_filters(
    qtbot: QtBot, page: ImagesPage, env: PageEnv
) -> None:
    counts = env.services.images.status_counts()
    assert page.chips[None].text() == f"All ({sum(counts.values())})"
    for status in ImageStatus:
        assert page.chips[status].text().endswith(f"({counts.get(status, 0)})")
    assert page.model.rowCount() == sum(counts.values())
    page.chips[ImageStatus.CLEARED].click()
    qtbot.waitUntil(lambda: page.model.rowCount() == counts[ImageStatus.CLEARED], timeout=5000)
    assert all(
        page.model.index(r).data(RecordRole).status is ImageStatus.CLEARED
        for r in range(page.model.rowCount())
    )
    assert page.count_label.text() == f"{counts[ImageStatus.CLEARED]} photos"
    page.show_target("needs_attention")
    qtbot.waitUntil(page.chips[ImageStatus.NEEDS_ATTENTION].isChecked, timeout=2000)
    qtbot.waitUntil(
        lambda: page.model.rowCount() == counts[ImageStatus.NEEDS_ATTENTION], timeout=5000
    )
    page.show_target("all")
    page.search.setText("monitor")
    qtbot.waitUntil(lambda: _names(page) == ["reception-monitor.jpg"], timeout=5000)


def test_thumbnails_are_decoded_in_the_background_and_painted(
    qtbot: QtBot, page: ImagesPage
) -> None:
    index = page.model.index(0)
    first = index.data(RecordRole)
    qtbot.waitUntil(
        lambda: isinstance(index.data(Qt.ItemDataRole.DecorationRole), QPixmap), timeout=5000
    )
    pixmap = index.data(Qt.ItemDataRole.DecorationRole)
    assert 0 < pixmap.width() <= 136
    assert 0 < pixmap.height() <= 100
    cached = page.cache.get(first)
    assert cached is not None
    assert cached.cacheKey() == pixmap.cacheKey()
    assert not page.grid.grab().isNull()


def test_import_lists_what_came_in_and_why_files_were_refused(
    qtbot: QtBot, page: ImagesPage, env: PageEnv, tmp_path: Path
) -> None:
    good = tmp_path / "new-lobby.png"
    Image.new("RGB", (320, 200), (200, 220, 210)).save(good)
    renamed = tmp_path / "notes.jpg"
    renamed.write_text("Remember to call the lab about the crown.")
    gif = tmp_path / "animation.gif"
    Image.new("RGB", (20, 20), "red").save(gif, "GIF")
    before = sum(env.services.images.status_counts().values())
    done: list[bool] = []
    page.import_paths([good, renamed, gif], lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    assert page.summary.title_label.text() == "1 imported · 2 refused"
    lines = page.summary.refused_texts()
    assert any("notes.jpg" in line and "not a photo" in line for line in lines)
    assert any("animation.gif" in line and "GIF files are not accepted" in line for line in lines)
    assert sum(env.services.images.status_counts().values()) == before + 1
    qtbot.waitUntil(lambda: "new-lobby.png" in _names(page), timeout=5000)
    # The same photo again is a duplicate, not a second record.
    done.clear()
    page.import_paths([good], lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    assert page.summary.title_label.text() == "1 already in the library"
    page.cancel_scan()
    settle(page.runner)


def test_dropping_a_folder_imports_its_photos(
    qtbot: QtBot, page: ImagesPage, env: PageEnv, tmp_path: Path
) -> None:
    folder = tmp_path / "phone-sync"
    nested = folder / "DCIM" / "100APPLE"
    nested.mkdir(parents=True)
    (folder / ".thumbnails").mkdir()
    for n, colour in enumerate(("#AABBCC", "#CCBBAA")):
        Image.new("RGB", (300, 200), colour).save(folder / f"IMG_{n}.jpg", "JPEG")
    Image.new("RGB", (300, 200), "#BBAACC").save(nested / "IMG_7.jpg", "JPEG")
    Image.new("RGB", (30, 20), "#BBCCAA").save(folder / ".thumbnails" / "IMG_0.jpg", "JPEG")
    (folder / ".hidden.jpg").write_bytes(b"not looked at")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder)), QUrl("https://example.com/x.jpg")])
    enter = QDragEnterEvent(
        page.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(page.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(drop)
    qtbot.waitUntil(page.summary.isVisible, timeout=20000)
    assert page.summary.title_label.text() == "3 imported"  # the sub-folder's too
    qtbot.waitUntil(
        lambda: {"IMG_0.jpg", "IMG_1.jpg", "IMG_7.jpg"} <= set(_names(page)), timeout=5000
    )
    page.cancel_scan()
    settle(page.runner)


def test_a_folder_with_too_many_photos_is_refused_in_plain_words(
    qtbot: QtBot,
    page: ImagesPage,
    env: PageEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.imaging import service

    monkeypatch.setattr(service, "MAX_FOLDER_FILES", 2)
    for n in range(3):
        day = tmp_path / "sync" / f"day-{n}"
        day.mkdir(parents=True)
        Image.new("RGB", (60, 40), (n * 40, 90, 90)).save(day / f"IMG_{n}.jpg", "JPEG")
    before = sum(env.services.images.status_counts().values())
    page.import_paths([tmp_path / "sync"])
    qtbot.waitUntil(page.notice.isVisible, timeout=20000)
    assert "more than 2 photos" in page.notice.text_label.text()
    assert "Nothing was imported" in page.notice.text_label.text()
    assert sum(env.services.images.status_counts().values()) == before


def test_photo_spots_are_added_by_the_manager_and_read_only_for_the_desk(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner, tmp_path: Path
) -> None:
    desk = PhotoSpotsDialog(env.services, runner, env.staff.front_desk)
    qtbot.addWidget(desk)
    qtbot.waitUntil(lambda: desk.list.count() > 0, timeout=5000)
    assert not desk.can_edit
    assert not desk.save_button.isVisible()
    assert not desk.name.isEnabled()
    manager = PhotoSpotsDialog(env.services, runner, env.staff.manager)
    qtbot.addWidget(manager)
    qtbot.waitUntil(lambda: manager.list.count() > 0, timeout=5000)
    before = manager.list.count()
    manager.new_spot()
    manager.save()
    assert "Give the spot a name" in manager.message.text()
    reference = tmp_path / "wall.jpg"
    Image.new("RGB", (400, 300), "#88AA88").save(reference, "JPEG")
    manager.load_reference(reference)
    qtbot.waitUntil(
        lambda: (
            manager.reference_preview.pixmap() is not None
            and not manager.reference_preview.pixmap().isNull()
        ),
        timeout=5000,
    )
    manager.name.setText("Window seat by the fish tank")
    manager.notes.setPlainText("Close the blinds on the parking lot first.")
    with qtbot.waitSignal(manager.saved, timeout=10000) as saved:
        manager.save()
    spot = saved.args[0]
    assert spot.reference_hash
    qtbot.waitUntil(lambda: manager.list.count() == before + 1, timeout=5000)
    names = [s.name for s in env.services.images.spots()]
    assert "Window seat by the fish tank" in names
    # Each spot shows its reference photo (read from the vault, decoded off the GUI thread).
    desk.reload(select=spot.id)
    qtbot.waitUntil(lambda: desk._spot is not None and desk._spot.id == spot.id, timeout=5000)
    qtbot.waitUntil(
        lambda: (
            desk.reference_preview.pixmap() is not None
            and not desk.reference_preview.pixmap().isNull()
        ),
        timeout=10000,
    )
    shown = desk.reference_preview.pixmap().toImage()
    assert 0 < shown.width() <= 200
    middle = shown.pixelColor(shown.width() // 2, shown.height() // 2)
    assert abs(middle.red() - 0x88) + abs(middle.green() - 0xAA) + abs(middle.blue() - 0x88) < 12
    without = next(s for s in env.services.images.spots() if not s.reference_hash)
    desk.reload(select=without.id)
    qtbot.waitUntil(lambda: desk.reference_preview.text() == "No reference photo", timeout=5000)


def test_todays_image_items_are_worded_and_open_the_filtered_page(
    qtbot: QtBot, env: PageEnv, hub: SignalHub, runner: TaskRunner
) -> None:
    one = AttentionItem(
        "images.needs_attention",
        "images_need_attention",
        Severity.INFO,
        "images",
        target="needs_attention",
        params={"count": 1},
    )
    assert word(one, CTX).title == "A photo needs checking"
    many = AttentionItem(
        "images.unchecked",
        "images_unchecked",
        Severity.INFO,
        "images",
        target="unchecked",
        params={"count": 4},
    )
    assert word(many, CTX).title == "4 photos have waited over a day unchecked"
    assert word(many, CTX).action == "Open unchecked photos"
    broken = AttentionItem("x", "images_unchecked", Severity.INFO, "images", params={})
    assert word(broken, CTX).title == "Something needs a look"
    # The demo practice has photos needing attention: Today says so and links to the filter.
    today = TodayPage(env.services, hub, runner)
    qtbot.addWidget(today)
    today.set_user(env.staff.front_desk)
    qtbot.waitUntil(lambda: today.loaded, timeout=10000)
    rows = [r for r in today.view.rows() if r.item.kind == "images_need_attention"]
    assert len(rows) == 1
    count = env.services.images.status_counts()[ImageStatus.NEEDS_ATTENTION]
    assert rows[0].title_label.text() == (
        "A photo needs checking" if count == 1 else f"{count} photos need checking"
    )
    with qtbot.waitSignal(hub.navigate, timeout=2000) as jumped:
        rows[0].action_button.click()
    assert jumped.args == ["images", "needs_attention"]
