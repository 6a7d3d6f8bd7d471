"""The composer's list of posts: a filter, a search box and a lazily paged list (100 at a time,
filtered and sorted in SQL), newest change first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from core.composer.model import Post, PostState
from core.composer.ports import PostOrder, PostQuery
from core.composer.variants import variant_text
from gui import theme
from gui.composer.wording import platform_name, state_label, state_tone
from gui.paging import PagedListModel, reselect, single_shot_timer
from gui.tasks import TaskRunner
from gui.widgets import button

PAGE_SIZE = 100
SEARCH_DELAY_MS = 300
PostRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2
DetailRole = Qt.ItemDataRole.UserRole + 3

_S = PostState
FILTERS: list[tuple[str, tuple[PostState, ...], PostOrder]] = [
    (
        "Needs work",
        (_S.DRAFT, _S.IN_REVIEW, _S.APPROVED, _S.FAILED, _S.PUBLISHING),
        PostOrder.UPDATED_DESC,
    ),
    ("Waiting for approval", (_S.IN_REVIEW,), PostOrder.UPDATED_DESC),
    ("Drafts", (_S.DRAFT,), PostOrder.UPDATED_DESC),
    ("Scheduled", (_S.SCHEDULED,), PostOrder.SCHEDULED_ASC),
    ("Published", (_S.PUBLISHED,), PostOrder.PUBLISHED_DESC),
    ("Withdrawn", (_S.WITHDRAWN,), PostOrder.UPDATED_DESC),
    ("All posts", (), PostOrder.UPDATED_DESC),
]


def title_of(post: Post) -> str:
    """A one-line title: the first line of the main text (or the first platform's own)."""
    text = post.master_text.strip() or (
        variant_text(post, post.platforms[0]).strip() if post.platforms else ""
    )
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= 80 else first[:79] + "\u2026"


class PostListModel(PagedListModel[Post]):
    """Posts for a ``PostQuery``, fetched a page at a time through the runner."""

    def __init__(
        self,
        runner: TaskRunner,
        fetch: Callable[[PostQuery], tuple[list[Post], int]],
        describe: Callable[[Post], str],
        parent: Any = None,
    ) -> None:
        super().__init__(runner, parent)
        self._fetch = fetch
        self._describe = describe
        self._query = PostQuery(limit=PAGE_SIZE)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        post = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return title_of(post) or self.tr("(empty draft)")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{title_of(post)}. {state_label(post.state)}. {self._describe(post)}"
        if role == PostRole:
            return post
        if role == StateRole:
            return post.state
        if role == DetailRole:
            return self._describe(post)
        return None

    def load(self, query: PostQuery, done: Callable[[], None] | None = None) -> None:
        """Replace the list with the first page of ``query``."""
        self._query = PostQuery(**{**_fields(query), "offset": 0, "limit": PAGE_SIZE})
        self._load_first_page(done)

    def _fetcher(self, offset: int) -> Callable[[], tuple[list[Post], int]]:
        fetch, query = self._fetch, PostQuery(**{**_fields(self._query), "offset": offset})
        return lambda: fetch(query)

    def _row_id(self, row: Post) -> int | None:
        return row.id

    def update_post(self, post: Post) -> None:
        """Show a saved post's new text or state in place."""
        self.replace(post)


def _fields(query: PostQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in PostQuery.__slots__}


class PostDelegate(QStyledItemDelegate):
    """Two lines per post: the title, then the state (coloured) and when."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        height = option.fontMetrics.height()
        return QSize(200, height * 2 + 22)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        palette = theme.current()
        painter.save()
        rect: QRect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor(palette.accent_soft))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor(palette.hover))
        inner = rect.adjusted(12, 8, -12, -8)
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(QColor(palette.text))
        line = option.fontMetrics.height()
        title = painter.fontMetrics().elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight, inner.width()
        )
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), line), 0, title)
        state = index.data(StateRole)
        painter.setFont(option.font)
        fg, _bg = palette.tone(state_tone(state)) if state is not None else (palette.muted, "")
        state_text = state_label(state) if state is not None else ""
        painter.setPen(QColor(fg if state_tone(state) != "neutral" else palette.muted))
        second = QRect(inner.left(), inner.top() + line + 4, inner.width(), line)
        painter.drawText(second, 0, state_text)
        used = painter.fontMetrics().horizontalAdvance(state_text + "  ")
        painter.setPen(QColor(palette.muted))
        detail = painter.fontMetrics().elidedText(
            f"\u00b7 {index.data(DetailRole)}", Qt.TextElideMode.ElideRight, inner.width() - used
        )
        painter.drawText(second.adjusted(used, 0, 0, 0), 0, detail)
        painter.setPen(QColor(palette.border))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()


class PostListPanel(QWidget):
    """The list beside the editor.

    Signals:
        post_chosen(int): open this post.
        new_requested(): start a new draft.
    """

    post_chosen = Signal(int)
    new_requested = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        fetch: Callable[[PostQuery], tuple[list[Post], int]],
        tz: Callable[[], ZoneInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tz = tz
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.new_button = button(self.tr("New post"), "plus", "primary")
        self.new_button.setShortcut("Ctrl+N")
        self.new_button.setToolTip(self.tr("Start a new post (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_requested)
        column.addWidget(self.new_button)
        self.filter = QComboBox()
        self.filter.setAccessibleName(self.tr("Show"))
        for label, _states, _order in FILTERS:
            self.filter.addItem(self.tr(label))
        column.addWidget(self.filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search posts…"))
        self.search.setAccessibleName(self.tr("Search posts"))
        self.search.setClearButtonEnabled(True)
        column.addWidget(self.search)
        self.model = PostListModel(runner, fetch, self._describe, self)
        self.view = QListView()
        self.view.setObjectName("PostList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(PostDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setAccessibleName(self.tr("Posts"))
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        column.addWidget(self.view, 1)
        self._search_timer = single_shot_timer(self, SEARCH_DELAY_MS, self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(self._activated)
        self._selected: int | None = None

    def query(self) -> PostQuery:
        _label, states, order = FILTERS[max(self.filter.currentIndex(), 0)]
        return PostQuery(states=states, text=self.search.text().strip(), order=order)

    def reload(self, select: int | None = None, then: Callable[[], None] | None = None) -> None:
        """Load the first page again, keeping (or moving to ``select``) the selection; ``then``
        runs once the rows are in."""
        keep = select if select is not None else self._selected
        self.model.load(self.query(), reselect(self.view, self.model, keep, then, scroll=False))

    def clear(self) -> None:
        self._selected = None
        self.model.clear()

    def show_all(self) -> None:
        """Switch to "All posts" (e.g. to find a post Today pointed at)."""
        self.filter.setCurrentIndex(len(FILTERS) - 1)

    def _describe(self, post: Post) -> str:
        tz = self._tz()
        when: datetime = post.updated_at
        label = self.tr("changed")
        if post.state is PostState.SCHEDULED and post.scheduled_at is not None:
            when, label = post.scheduled_at, self.tr("goes out")
        elif post.published_at is not None:
            when, label = post.published_at, self.tr("published")
        local = when.astimezone(tz)
        platforms = ", ".join(platform_name(p, short=True) for p in post.platforms)
        return f"{label} {local:%b} {local.day}, {local:%I:%M %p}".replace(" 0", " ") + (
            f" \u00b7 {platforms}" if platforms else ""
        )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        post = current.data(PostRole)
        if isinstance(post, Post) and post.id is not None and post.id != self._selected:
            self._selected = post.id
            self.post_chosen.emit(post.id)

    def _activated(self, index: QModelIndex) -> None:
        post = index.data(PostRole)
        if isinstance(post, Post) and post.id is not None:
            self._selected = post.id
            self.post_chosen.emit(post.id)

    @property
    def selected(self) -> int | None:
        """The post open in the editor (or being opened), if any."""
        return self._selected

    def mark_selected(self, post_id: int | None) -> None:
        self._selected = post_id

    def first_post(self) -> int | None:
        """The id of the first post listed (the most recently changed one that needs work)."""
        post = self.model.index(0).data(PostRole) if self.model.rowCount() else None
        return post.id if isinstance(post, Post) else None
