"""The published list's model and its cell painter: published (and taken-down) posts, newest
first, fetched page by page from SQL; each platform's live link drawn as a clickable link.

Private to ``gui.composer.published`` (``pub_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from core.composer.calendar import short_title
from core.composer.model import Post, PostState
from core.composer.ports import Publication
from gui import theme
from gui.composer.cal_format import (
    date_time_text,
    platform_name,
    state_label,
    state_tone,
    tr,
)

PAGE_SIZE = 50
"""Posts per page: each page also reads every post's live links."""

Index = QModelIndex | QPersistentModelIndex


class PublishedColumn(IntEnum):
    PUBLISHED = 0
    POST = 1
    PLATFORMS = 2
    STATE = 3


class PublishedRole(IntEnum):
    ROW = Qt.ItemDataRole.UserRole + 1
    """The ``PublishedRow``."""
    LINKS = Qt.ItemDataRole.UserRole + 2
    """``[(platform name, url or "")]`` in the post's platform order."""


@dataclass(frozen=True, slots=True)
class PublishedRow:
    """A published or taken-down post and where each platform's variant went live."""

    post: Post
    publications: tuple[Publication, ...]

    @property
    def post_id(self) -> int:
        assert self.post.id is not None
        return self.post.id

    def links(self) -> list[tuple[str, str]]:
        """Per target platform: its id and live URL (``""`` when none was recorded)."""
        urls = {p.platform: p.url for p in self.publications}
        return [(platform, urls.get(platform, "")) for platform in self.post.platforms]


class PublishedModel(QAbstractTableModel):
    """Published posts loaded page by page, latest first.

    Signals:
        more_wanted(int): the view scrolled to the end; load the page at this offset and pass
            it to ``append_page`` (or call ``fetch_failed``).
    """

    more_wanted = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PublishedRow] = []
        self._ids: set[int] = set()
        self._total = 0
        self._pending = False
        self._tz = ZoneInfo("UTC")

    # --- filling -----------------------------------------------------------------------
    def reset(self, rows: list[PublishedRow], total: int, tz: ZoneInfo) -> None:
        """Start over with the first page of a query and how many posts match it."""
        self.beginResetModel()
        self._rows = list(rows)
        self._ids = {r.post_id for r in rows}
        self._total = total
        self._pending = False
        self._tz = tz
        self.endResetModel()

    def append_page(self, offset: int, rows: list[PublishedRow]) -> None:
        """Add the page asked for at ``offset``; a page for an older query is ignored."""
        if offset != len(self._rows):
            return
        self._pending = False
        fresh = [r for r in rows if r.post_id not in self._ids]
        if not fresh:
            self._total = len(self._rows)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._rows.extend(fresh)
        self._ids.update(r.post_id for r in fresh)
        self.endInsertRows()

    def replace_row(self, row: PublishedRow) -> None:
        """Show a post's new state (after it was taken down) in place."""
        for i, old in enumerate(self._rows):
            if old.post_id == row.post_id:
                self._rows[i] = row
                last = self.columnCount() - 1
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))
                return

    def fetch_failed(self) -> None:
        self._pending = False

    def clear(self) -> None:
        self.reset([], 0, self._tz)

    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int) -> PublishedRow:
        return self._rows[row]

    # --- lazy loading ------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._pending and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._pending = True
            self.more_wanted.emit(len(self._rows))

    # --- QAbstractItemModel ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PublishedColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(PublishedColumn):
            return None
        return {
            PublishedColumn.PUBLISHED: tr("Published"),
            PublishedColumn.POST: tr("Post"),
            PublishedColumn.PLATFORMS: tr("Live on"),
            PublishedColumn.STATE: tr("Status"),
        }[PublishedColumn(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = PublishedColumn(index.column())
        if role == PublishedRole.ROW:
            return row
        if role == PublishedRole.LINKS:
            return [(platform_name(p), url) for p, url in row.links()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return None

    def _display(self, row: PublishedRow, column: PublishedColumn) -> str:
        post = row.post
        if column is PublishedColumn.PUBLISHED:
            return date_time_text(post.published_at, self._tz) if post.published_at else ""
        if column is PublishedColumn.POST:
            return short_title(post.master_text, 60)
        if column is PublishedColumn.PLATFORMS:
            return ", ".join(platform_name(p) for p in post.platforms)
        return state_label(post.state)

    def _tooltip(self, row: PublishedRow, column: PublishedColumn) -> str | None:
        if column is PublishedColumn.POST:
            return row.post.master_text
        if column is PublishedColumn.PLATFORMS:
            lines = [
                f"{platform_name(p)}: {url}"
                if url
                else tr("{p}: no link recorded").format(p=platform_name(p))
                for p, url in row.links()
            ]
            return "\n".join([*lines, tr("Click a platform's name to open the live post.")])
        if column is PublishedColumn.STATE and row.post.state is PostState.WITHDRAWN:
            return tr("Taken down: {reason}").format(reason=row.post.withdrawn_reason)
        return None


# --- painting ----------------------------------------------------------------------------
_LINK_GAP = 14


def link_rects(rect: QRect, fm: QFontMetrics, names: list[str]) -> list[QRect]:
    """Where each platform's name is drawn in a cell (left to right, vertically centred);
    names that do not fit get an empty rectangle."""
    x = rect.left() + 8
    y = rect.top() + (rect.height() - fm.height()) // 2
    found: list[QRect] = []
    for name in names:
        width = fm.horizontalAdvance(name)
        if x + width > rect.right() - 4:
            found.append(QRect())
            continue
        found.append(QRect(x, y, width, fm.height()))
        x += width + _LINK_GAP
    return found


class PublishedDelegate(QStyledItemDelegate):
    """Draws the "Live on" column as links (one per platform; grey when no link was recorded)
    and the status column as a coloured pill; a click on a link asks to open it.

    Signals:
        link_clicked(str): a live link was clicked (its URL).
    """

    link_clicked = Signal(str)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        column = index.column()
        if column not in (PublishedColumn.PLATFORMS, PublishedColumn.STATE):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if column == PublishedColumn.PLATFORMS:
            self._paint_links(painter, option, index)
        else:
            self._paint_state(painter, option, index)
        painter.restore()

    def _paint_links(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        t = theme.current()
        links: list[tuple[str, str]] = index.data(PublishedRole.LINKS) or []
        font = QFont(option.font)
        fm = QFontMetrics(font)
        rect: QRect = option.rect
        for (name, url), where in zip(
            links, link_rects(rect, fm, [n for n, _ in links]), strict=True
        ):
            if where.isNull():
                continue
            link_font = QFont(font)
            link_font.setUnderline(bool(url))
            painter.setFont(link_font)
            painter.setPen(QColor(t.accent if url else t.muted))
            painter.drawText(
                where, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
            )

    def _paint_state(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row: PublishedRow | None = index.data(PublishedRole.ROW)
        if row is None:
            return
        fg, bg = theme.current().tone(state_tone(row.post.state))
        font = QFont(option.font)
        font.setBold(True)
        fm = QFontMetrics(font)
        text = state_label(row.post.state)
        rect: QRect = option.rect
        width, height = fm.horizontalAdvance(text) + 16, fm.height() + 4
        pill = QRectF(rect.left() + 8, rect.top() + (rect.height() - height) / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(pill, 6, 6)
        painter.setFont(font)
        painter.setPen(QColor(fg))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), 36))

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if (
            index.column() == PublishedColumn.PLATFORMS
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            url = self.url_at(option, index, event.position().toPoint())
            if url:
                self.link_clicked.emit(url)
                return True
        return super().editorEvent(event, model, option, index)

    @staticmethod
    def url_at(option: QStyleOptionViewItem, index: Index, point: Any) -> str:
        """The live URL drawn under ``point`` in the cell, or ``""``."""
        links: list[tuple[str, str]] = index.data(PublishedRole.LINKS) or []
        fm = QFontMetrics(option.font)
        rect: QRect = option.rect
        for (_name, url), where in zip(
            links, link_rects(rect, fm, [n for n, _ in links]), strict=True
        ):
            if url and where.adjusted(-2, -4, 2, 4).contains(point):
                return url
        return ""
