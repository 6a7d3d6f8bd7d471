"""The photo grid of a post preview, and the thumbnails it shows.

Thumbnails are decoded off the GUI thread through the task runner (``QImageReader`` scales a
JPEG while decoding, and applies its EXIF orientation), then kept in a small shared cache keyed
by the file's path, size and modification time, so eight platform previews of the same post
decode each photo once. The grid paints centre-cropped tiles the way feeds do: one photo at
its own shape (within 1.91:1 landscape and 4:5 portrait), two side by side, three as one big
and two small, four in a square; more show ``+N`` on the last tile, and a one-photo platform
(Instagram, Google) shows a ``1/N`` counter as its carousel does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget
from shiboken6 import Shiboken

from core.imaging.export import MAX_PIXELS
from gui import theme
from gui.tasks import TaskRunner

THUMBNAIL_BOX = 720
"""Thumbnails are decoded to at most this many pixels on their longer side."""

_Key = tuple[str, int, int]
_GAP = 2
_RADIUS = 8.0
_WIDEST = 1 / 1.91
_TALLEST = 5 / 4


def read_thumbnail(path: Path, box: int = THUMBNAIL_BOX) -> QImage | None:
    """The image at ``path`` scaled to fit ``box`` × ``box`` and upright, or ``None`` when it
    cannot be read (or has more pixels than ``core.imaging.export.MAX_PIXELS``). Safe on a
    worker thread (``QImage``, never ``QPixmap``)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if not size.isValid() or size.width() * size.height() > MAX_PIXELS:
        return None
    scale = min(1.0, box / max(size.width(), size.height()))
    reader.setScaledSize(
        QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
    )
    image = reader.read()
    return None if image.isNull() else image


class ThumbnailCache:
    """Decoded thumbnails shared by every preview: at most ``capacity``, least recently used
    dropped first. ``request`` answers at once from the cache or loads through the runner and
    calls back on the GUI thread (only while the asking widget still exists)."""

    def __init__(self, capacity: int = 48) -> None:
        self._capacity = capacity
        self._images: OrderedDict[_Key, QImage | None] = OrderedDict()
        self._waiting: dict[_Key, list[tuple[QWidget, Callable[[QImage | None], None]]]] = {}

    def cached(self, path: Path) -> tuple[bool, QImage | None]:
        """``(True, image)`` when ``path`` is decoded already (``image`` ``None``: unreadable)."""
        key = _key(path)
        if key is None:
            return True, None
        if key in self._images:
            self._images.move_to_end(key)
            return True, self._images[key]
        return False, None

    def request(
        self,
        runner: TaskRunner,
        path: Path,
        owner: QWidget,
        done: Callable[[QImage | None], None],
    ) -> None:
        """Load ``path``'s thumbnail and hand it to ``done`` (``None``: unreadable)."""
        key = _key(path)
        if key is None:
            done(None)
            return
        if key in self._images:
            self._images.move_to_end(key)
            done(self._images[key])
            return
        waiting = self._waiting.setdefault(key, [])
        waiting.append((owner, done))
        if len(waiting) > 1:
            return
        runner.run(
            lambda: read_thumbnail(path),
            lambda image: self._finish(key, image),
            lambda _exc: self._finish(key, None),
        )

    def _finish(self, key: _Key, image: QImage | None) -> None:
        self._images[key] = image
        while len(self._images) > self._capacity:
            self._images.popitem(last=False)
        for owner, done in self._waiting.pop(key, []):
            if Shiboken.isValid(owner):
                done(image)


def _key(path: Path) -> _Key | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_size, stat.st_mtime_ns


SHARED_CACHE = ThumbnailCache()


class ImageGrid(QWidget):
    """A post's photos laid out as the platform's feed shows them. Signals: none."""

    def __init__(
        self,
        runner: TaskRunner,
        cache: ThumbnailCache = SHARED_CACHE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._cache = cache
        self._paths: tuple[Path, ...] = ()
        self._images: dict[Path, QImage | None] = {}
        self._max_tiles = 4
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setVisible(False)

    # --- content ------------------------------------------------------------------------
    def set_images(self, paths: Sequence[Path], max_tiles: int) -> None:
        """Show ``paths`` (in order) with at most ``max_tiles`` tiles."""
        self._paths = tuple(Path(p) for p in paths)
        self._max_tiles = max(1, max_tiles)
        self._images = {}
        for path in self._paths[: self.tile_count]:
            known, image = self._cache.cached(path)
            if known:
                self._images[path] = image
            else:
                self._cache.request(self._runner, path, self, partial(self._loaded, path))
        self.setVisible(bool(self._paths))
        self.updateGeometry()
        self.update()

    def set_pictures(self, images: Sequence[QImage | None], max_tiles: int) -> None:
        """Show photos decoded already (e.g. the image library's thumbnails with their
        redactions drawn in), in order; ``None`` draws "Photo not found"."""
        self._paths = tuple(Path(f"#photo-{n}") for n in range(len(images)))
        self._max_tiles = max(1, max_tiles)
        self._images = dict(zip(self._paths, images, strict=True))
        self.setVisible(bool(self._paths))
        self.updateGeometry()
        self.update()

    @property
    def tile_count(self) -> int:
        """How many tiles are drawn."""
        return min(len(self._paths), self._max_tiles)

    @property
    def hidden_count(self) -> int:
        """How many photos do not get a tile of their own (the ``+N``)."""
        return len(self._paths) - self.tile_count

    @property
    def loaded(self) -> bool:
        """Whether every tile's thumbnail has been read (or found unreadable)."""
        return all(p in self._images for p in self._paths[: self.tile_count])

    def _loaded(self, path: Path, image: QImage | None) -> None:
        if path in self._paths:
            self._images[path] = image
            self.updateGeometry()
            self.update()

    # --- geometry ----------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        count = self.tile_count
        if count == 0:
            return 0
        if count == 1:
            image = self._images.get(self._paths[0])
            ratio = image.height() / image.width() if image is not None else 1.0
            return round(width * min(_TALLEST, max(_WIDEST, ratio)))
        return round(width * {2: 0.6, 3: 0.75}.get(count, 1.0))

    def sizeHint(self) -> QSize:
        return QSize(480, self.heightForWidth(480))

    def tile_rects(self, rect: QRect) -> list[QRect]:
        """Where each tile goes inside ``rect``."""
        x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
        half_w, half_h = (w - _GAP) // 2, (h - _GAP) // 2
        right = x + half_w + _GAP
        count = self.tile_count
        if count == 1:
            return [QRect(x, y, w, h)]
        if count == 2:
            return [QRect(x, y, half_w, h), QRect(right, y, w - half_w - _GAP, h)]
        if count == 3:
            small = w - half_w - _GAP
            return [
                QRect(x, y, half_w, h),
                QRect(right, y, small, half_h),
                QRect(right, y + half_h + _GAP, small, h - half_h - _GAP),
            ]
        low = y + half_h + _GAP
        rest_w, rest_h = w - half_w - _GAP, h - half_h - _GAP
        return [
            QRect(x, y, half_w, half_h),
            QRect(right, y, rest_w, half_h),
            QRect(x, low, half_w, rest_h),
            QRect(right, low, rest_w, rest_h),
        ]

    # --- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._paths:
            return
        t = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = self.rect()
        clip = QPainterPath()
        clip.addRoundedRect(QRectF(area), _RADIUS, _RADIUS)
        painter.setClipPath(clip)
        rects = self.tile_rects(area)
        for index, (path, tile) in enumerate(zip(self._paths, rects, strict=False)):
            image = self._images.get(path)
            if image is None:
                painter.fillRect(tile, QColor(t.surface_alt))
                painter.setPen(QColor(t.muted))
                waiting = path not in self._images
                text = self.tr("Loading photo…") if waiting else self.tr("Photo not found")
                painter.drawText(tile, Qt.AlignmentFlag.AlignCenter, text)
            else:
                painter.drawImage(tile, image, _crop(image.size(), tile.size()))
            last = index == len(rects) - 1
            if last and self.hidden_count and self._max_tiles > 1:
                painter.fillRect(tile, QColor(0, 0, 0, 110))
                _label(painter, tile, f"+{self.hidden_count}", 26)
        if self._max_tiles == 1 and len(self._paths) > 1:
            pill = QRect(area.right() - 56, area.top() + 10, 46, 24)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawRoundedRect(QRectF(pill), 12, 12)
            _label(painter, pill, f"1/{len(self._paths)}", 12)
        painter.end()


def _crop(source: QSize, target: QSize) -> QRect:
    """The centred part of an image of size ``source`` that fills ``target`` (cover)."""
    if target.width() <= 0 or target.height() <= 0 or source.isEmpty():
        return QRect(0, 0, source.width(), source.height())
    scale = max(target.width() / source.width(), target.height() / source.height())
    w = min(source.width(), round(target.width() / scale))
    h = min(source.height(), round(target.height() / scale))
    return QRect((source.width() - w) // 2, (source.height() - h) // 2, w, h)


def _label(painter: QPainter, rect: QRect, text: str, pixel_size: int) -> None:
    font = QFont(painter.font())
    font.setPixelSize(pixel_size)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#FFFFFF"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
