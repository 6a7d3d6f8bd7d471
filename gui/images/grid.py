"""The photo library's grid: records fetched a page at a time off the GUI thread, thumbnails
decoded on a worker in small batches and kept in a bounded cache (least recently used goes
first), and tiles painted with the photo, its file name and a status badge.

Only what is on screen asks for a thumbnail (the delegate asks while painting), so 2,000 photos
scroll without decoding 2,000 JPEGs; a request that scrolled away before its batch started is
dropped. A screenful is decoded by two workers side by side, and each JPEG is decoded straight
at tile size (libjpeg's scaled decoding, about twice as fast as decoding then scaling); the
tile's badge and elided name are drawn from small caches, so painting a screen stays cheap
(``bench/image_grid.py`` measures it).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QImageReader,
    QKeyEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from core.app import Services
from core.imaging.model import ImageRecord, ImageStatus, RedactionStyle
from gui import errors, theme
from gui.images.wording import status_label, status_tone
from gui.paging import FilteredListModel
from gui.tasks import TaskRunner

PAGE_SIZE = 200
TILE = QSize(152, 146)
THUMB = QSize(136, 100)
CACHE_SIZE = 600
"""Thumbnails kept decoded: a few screens' worth (each ~64 KB as a pixmap)."""
BATCH = 24
"""Thumbnails decoded per worker task, at most."""
IN_FLIGHT = 2
"""Worker tasks decoding thumbnails at once (a screenful is split between them)."""
NAME_CACHE = 4096
"""Elided file names kept for painting."""
MAX_PENDING = 120
"""Requests waiting for a batch; older ones (scrolled away) are dropped first."""
RecordRole = Qt.ItemDataRole.UserRole + 1


def decode_thumbnail(data: bytes | None, size: QSize = THUMB) -> QImage | None:
    """A JPEG thumbnail from the vault as a ``QImage`` scaled to fit ``size`` (on a worker:
    ``QImage`` is safe off the GUI thread, ``QPixmap`` is not)."""
    if not data:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    full = reader.size()
    if full.isValid() and (full.width() > size.width() or full.height() > size.height()):
        # Decoded at (about) tile size: libjpeg skips most of the work for a small result.
        reader.setScaledSize(full.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None
    if image.width() > size.width() or image.height() > size.height():
        image = image.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


class ThumbnailCache(QObject):
    """Thumbnails by media hash: ``get`` answers from memory or queues a load.

    Signals:
        loaded(str): the thumbnail of this media hash is now in the cache (or known missing).
    """

    loaded = Signal(str)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        parent: QObject | None = None,
        capacity: int = CACHE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._capacity = capacity
        self._cache: OrderedDict[str, QPixmap | None] = OrderedDict()
        self._pending: OrderedDict[str, ImageRecord] = OrderedDict()
        self._in_flight = 0
        self._generation = 0
        # Requests made while one paint runs are gathered, then decoded when it is over.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._start_batch)

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, record: ImageRecord) -> QPixmap | None:
        """The thumbnail if decoded; otherwise ``None`` and it is queued."""
        key = record.media_hash
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        self._pending[key] = record
        self._pending.move_to_end(key)
        while len(self._pending) > MAX_PENDING:
            self._pending.popitem(last=False)
        if self._in_flight < IN_FLIGHT and not self._timer.isActive():
            self._timer.start()
        return None

    def has(self, media_hash: str) -> bool:
        """Whether this thumbnail is decoded (or known missing): no load is queued."""
        return media_hash in self._cache

    def forget(self, media_hash: str) -> None:
        self._cache.pop(media_hash, None)

    def clear(self) -> None:
        """Drop every thumbnail (sign-out: nothing of the photos stays in memory)."""
        self._generation += 1
        self._cache.clear()
        self._pending.clear()
        self._timer.stop()
        self._in_flight = 0

    def _start_batch(self) -> None:
        """Split what is waiting between the free workers (newest requests first: they are
        what is on screen now)."""
        while self._in_flight < IN_FLIGHT and self._pending:
            free = IN_FLIGHT - self._in_flight
            size = min(BATCH, -(-len(self._pending) // free))
            self._decode([self._pending.popitem(last=True)[1] for _ in range(size)])

    def _decode(self, batch: list[ImageRecord]) -> None:
        images = self._services.images
        generation = self._generation

        def work() -> list[tuple[str, QImage | None]]:
            return [(r.media_hash, decode_thumbnail(images.thumbnail(r))) for r in batch]

        def done(result: list[tuple[str, QImage | None]]) -> None:
            if generation != self._generation:
                return
            self._in_flight -= 1
            for key, image in result:
                self._cache[key] = QPixmap.fromImage(image) if image is not None else None
                self._cache.move_to_end(key)
                while len(self._cache) > self._capacity:
                    self._cache.popitem(last=False)
                self.loaded.emit(key)
            if self._pending:
                self._timer.start()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._in_flight -= 1
            for record in batch:
                self._cache[record.media_hash] = None
            errors.show_error(None, exc)

        self._in_flight += 1
        self._runner.run(work, done, failed)


class ImageGridModel(FilteredListModel[ImageRecord, ImageStatus]):
    """The library's photos for a status filter and search text: a first page, then more as
    the view scrolls (``canFetchMore``/``fetchMore``). Stale answers are dropped."""

    def __init__(
        self, services: Services, runner: TaskRunner, cache: ThumbnailCache, parent: Any = None
    ) -> None:
        super().__init__(runner, parent)
        self._services = services
        self.cache = cache
        cache.loaded.connect(self._thumbnail_loaded)

    # --- Qt model --------------------------------------------------------------------------
    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return record.filename
        if role == Qt.ItemDataRole.DecorationRole:
            return self.cache.get(record)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return f"{record.filename} · {status_label(record.status)}"
        if role == RecordRole:
            return record
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- loading ---------------------------------------------------------------------------
    def _fetcher(self, offset: int) -> Callable[[], tuple[list[ImageRecord], int]]:
        from core.imaging.ports import ImageQuery

        images = self._services.images
        query = ImageQuery(statuses=self._statuses, text=self._text, offset=offset, limit=PAGE_SIZE)

        def fetch() -> tuple[list[ImageRecord], int]:
            return images.list_images(query), images.count_images(query)

        return fetch

    # --- rows ------------------------------------------------------------------------------
    def _row_id(self, row: ImageRecord) -> int | None:
        return row.id

    def _key(self, row: ImageRecord) -> str:
        """The same photo is the same file content (a record is replaced by hash)."""
        return row.media_hash

    def record_at(self, row: int) -> ImageRecord:
        return self.row_at(row)

    def records(self) -> Sequence[ImageRecord]:
        return self.all_rows()

    def _thumbnail_loaded(self, media_hash: str) -> None:
        row = self._row_of_key.get(media_hash, -1)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class TileDelegate(QStyledItemDelegate):
    """A tile: the thumbnail (or a quiet placeholder while it loads), the status as a coloured
    badge over its corner, and the file name under it. Badges are drawn once per status and
    colours, names elided once per width: a screen of tiles paints without text layout."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._badges: dict[tuple[object, ...], QPixmap] = {}
        self._names: OrderedDict[tuple[str, int, str], tuple[str, int]] = OrderedDict()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return TILE

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        record = index.data(RecordRole)
        if not isinstance(record, ImageRecord):
            return
        t = theme.current()
        state = option.state
        font = option.font
        font_key = font.key()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)
        if state & QStyle.StateFlag.State_Selected:
            painter.setBrush(QColor(t.accent_soft))
            painter.setPen(QColor(t.accent))
            painter.drawRoundedRect(rect, 8, 8)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.setBrush(QColor(t.hover))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect, 8, 8)
        left, top, width = rect.left(), rect.top(), rect.width()
        thumb_left = left + (width - THUMB.width()) // 2
        thumb_top = top + 5
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            x = thumb_left + (THUMB.width() - pixmap.width()) // 2
            y = thumb_top + (THUMB.height() - pixmap.height()) // 2
            painter.drawPixmap(x, y, pixmap)
            self._redactions(painter, record, x, y, pixmap)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(t.surface_alt))
            painter.drawRoundedRect(thumb_left, thumb_top, THUMB.width(), THUMB.height(), 6, 6)
        self._badge(painter, font, font_key, thumb_left, thumb_top, record.status)
        painter.setPen(QColor(t.text))
        painter.setFont(font)
        name, line_height = self._elided(option, font_key, record.filename, width - 12)
        painter.drawText(
            QRect(left + 6, thumb_top + THUMB.height() + 5, width - 12, line_height),
            int(Qt.AlignmentFlag.AlignHCenter),
            name,
        )
        if state & QStyle.StateFlag.State_HasFocus:
            pen = painter.pen()
            pen.setColor(QColor(t.focus))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 8, 8)
        painter.restore()

    def _elided(
        self, option: QStyleOptionViewItem, font_key: str, name: str, width: int
    ) -> tuple[str, int]:
        """The name elided to ``width`` and the line's height (font metrics only on a miss)."""
        key = (name, width, font_key)
        cached = self._names.get(key)
        if cached is None:
            metrics = option.fontMetrics
            cached = (
                metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width),
                metrics.height(),
            )
            self._names[key] = cached
            if len(self._names) > NAME_CACHE:
                self._names.popitem(last=False)
        return cached

    @staticmethod
    def _redactions(
        painter: QPainter, record: ImageRecord, x: int, y: int, pixmap: QPixmap
    ) -> None:
        """The boxes the export will hide, over the thumbnail: a cleared whiteboard photo must
        not look as if its names were still there. Fill is drawn black; blur and pixelate as
        a dark hatch (the thumbnail is the original; drawing boxes costs nothing per tile)."""
        if not record.redactions or record.width <= 0:
            return
        size = pixmap.deviceIndependentSize()
        scale = size.width() / record.width
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        for redaction in record.redactions:
            b = redaction.box
            box = QRectF(x + b.x * scale, y + b.y * scale, b.width * scale, b.height * scale)
            if redaction.style is RedactionStyle.FILL:
                painter.setBrush(QColor(0, 0, 0))
            else:
                painter.setBrush(QBrush(QColor(30, 30, 30, 210), Qt.BrushStyle.Dense3Pattern))
            painter.drawRect(box)
        painter.restore()

    def _badge(  # noqa: PLR0917 - where, in which font, for which status
        self,
        painter: QPainter,
        font: QFont,
        font_key: str,
        left: int,
        top: int,
        status: ImageStatus,
    ) -> None:
        t = theme.current()
        fg, bg = t.tone(status_tone(status))
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        text = status_label(status)
        key = (text, fg, bg, font_key, ratio)
        badge = self._badges.get(key)
        if badge is None:
            badge = self._draw_badge(font, text, QColor(fg), QColor(bg), ratio)
            self._badges[key] = badge
        painter.drawPixmap(left + 4, top + 4, badge)

    @staticmethod
    def _draw_badge(base: QFont, text: str, fg: QColor, bg: QColor, ratio: float) -> QPixmap:
        font = QFont(base)
        font.setPixelSize(11)
        font.setBold(True)
        width = QFontMetrics(font).horizontalAdvance(text) + 12
        badge = QPixmap(QSize(round(width * ratio), round(18 * ratio)))
        badge.setDevicePixelRatio(ratio)
        badge.fill(Qt.GlobalColor.transparent)
        painter = QPainter(badge)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        painter.setPen(fg)
        painter.setBrush(bg)
        shape = QRect(0, 0, width, 18)
        painter.drawRoundedRect(shape.adjusted(0, 0, -1, -1), 5, 5)
        painter.drawText(shape, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.end()
        return badge


class ImageGrid(QListView):
    """The thumbnail grid (icon mode, tiles wrap with the width); arrows move, Enter opens.

    Signals:
        open_requested(object): Enter on a tile (its ``ImageRecord``).
    """

    open_requested = Signal(object)

    def __init__(self, model: ImageGridModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setGridSize(TILE + QSize(4, 4))
        self.setItemDelegate(TileDelegate(self))
        self.setMouseTracking(True)
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setAccessibleName(self.tr("Photos"))

    def current_record(self) -> ImageRecord | None:
        index = self.currentIndex()
        record = index.data(RecordRole) if index.isValid() else None
        return record if isinstance(record, ImageRecord) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            record = self.current_record()
            if record is not None:
                self.open_requested.emit(record)
                return
        super().keyPressEvent(event)
