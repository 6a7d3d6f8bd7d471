"""The inbox table: reviews fetched a page at a time off the GUI thread (``canFetchMore`` /
``fetchMore``), sorted in SQL when a sortable header is clicked, and a keyboard-first view
(arrows move, Enter opens, R jumps to the reply)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from core.app import Services
from core.reviews.model import Review, ReviewStatus
from core.reviews.ports import ReviewOrder, ReviewQuery
from gui import theme
from gui.paging import PagedTableModel
from gui.reviews.wording import (
    relative_due,
    short_date,
    snippet,
    source_label,
    stars,
    stars_spoken,
    status_label,
    status_tone,
)
from gui.tasks import TaskRunner

PAGE_SIZE = 100
ReviewRole = Qt.ItemDataRole.UserRole + 1
"""The row's ``Review``."""
CLOSED = frozenset({ReviewStatus.REPLIED, ReviewStatus.NO_RESPONSE})
"""Statuses with nothing left to do: no due time shown."""


class Column(IntEnum):
    SOURCE = 0
    STARS = 1
    AUTHOR = 2
    DATE = 3
    SNIPPET = 4
    STATUS = 5
    DUE = 6
    ASSIGNEE = 7


SORTS: dict[Column, tuple[ReviewOrder, ReviewOrder]] = {
    Column.DATE: (ReviewOrder.POSTED_ASC, ReviewOrder.POSTED_DESC),
    Column.STARS: (ReviewOrder.RATING_ASC, ReviewOrder.RATING_DESC),
    Column.DUE: (ReviewOrder.DUE_ASC, ReviewOrder.DUE_ASC),
}
"""Sortable columns: (ascending, descending) orders done in SQL. Due sorts soonest first
either way (the latest due time is never what anyone looks for)."""


WIDTHS: dict[Column, int] = {
    Column.SOURCE: 92,
    Column.STARS: 72,
    Column.AUTHOR: 104,
    Column.DATE: 64,
    Column.STATUS: 140,
    Column.DUE: 92,
    Column.ASSIGNEE: 92,
}
"""Starting widths; the snippet takes the rest."""
HIDE_ORDER = (Column.ASSIGNEE, Column.DATE, Column.SOURCE)
"""Columns hidden first (in this order) when the table is narrow."""
MIN_SNIPPET = 180


def is_overdue(review: Review, now: datetime) -> bool:
    return review.due_at is not None and review.status not in CLOSED and review.due_at < now


class ReviewTableModel(PagedTableModel[Review]):
    """The inbox's rows for a ``ReviewQuery``: a first page, then more as the view scrolls.
    Stale answers (the filter changed meanwhile) are dropped."""

    COLUMNS = Column

    def __init__(self, services: Services, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(runner, parent)
        self._services = services
        self._query = ReviewQuery(limit=PAGE_SIZE)
        self.staff_names: Mapping[int, str] = {}
        self.now: datetime = services.clock.now()

    @property
    def query(self) -> ReviewQuery:
        return self._query

    # --- Qt model --------------------------------------------------------------------------
    def _titles(self) -> dict[Column, str]:
        return {
            Column.SOURCE: self.tr("Source"),
            Column.STARS: self.tr("Stars"),
            Column.AUTHOR: self.tr("Author"),
            Column.DATE: self.tr("Date"),
            Column.SNIPPET: self.tr("Review"),
            Column.STATUS: self.tr("Status"),
            Column.DUE: self.tr("Due"),
            Column.ASSIGNEE: self.tr("Assigned to"),
        }

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(Column):
            return None
        review = self._rows[index.row()]
        column = Column(index.column())
        if role == ReviewRole:
            return review
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(review, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.DUE and review.due_at:
            return self.tr("Answer by {when}").format(when=short_date(review.due_at))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column is Column.STARS:
                return stars_spoken(review.rating)
            return self._text(review, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(review, column)
        if role == Qt.ItemDataRole.FontRole and column is Column.DUE and self._late(review):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _late(self, review: Review) -> bool:
        return is_overdue(review, self.now)

    def _text(self, review: Review, column: Column) -> str:
        if column is Column.SOURCE:
            return source_label(review.source)
        if column is Column.STARS:
            return stars(review.rating) or "—"
        if column is Column.AUTHOR:
            return review.author or self.tr("(anonymous)")
        if column is Column.DATE:
            return short_date(review.posted_at, self.now)
        if column is Column.SNIPPET:
            return snippet(review.text)
        if column is Column.STATUS:
            return status_label(review.status)
        if column is Column.DUE:
            if review.status in CLOSED:
                return ""
            return relative_due(review.due_at, self.now)
        if review.assignee_id is None:
            return ""
        return self.staff_names.get(review.assignee_id, self.tr("Staff #{id}")).format(
            id=review.assignee_id
        )

    def _colour(self, review: Review, column: Column) -> QBrush | None:
        t = theme.current()
        if column is Column.DUE and self._late(review):
            return QBrush(QColor(t.danger))
        if column is Column.STARS:
            return QBrush(QColor(t.warning))
        if column is Column.STATUS and status_tone(review.status) in ("warning", "success"):
            return QBrush(QColor(t.tone(status_tone(review.status))[0]))
        if column in (Column.DATE, Column.ASSIGNEE, Column.SOURCE):
            return QBrush(QColor(t.muted))
        return None

    # --- loading ---------------------------------------------------------------------------
    def load(self, query: ReviewQuery, done: Callable[[], None] | None = None) -> None:
        """Replace the rows with the first page for ``query``."""
        self._query = query
        self._load_first_page(done)

    def _fetcher(self, offset: int) -> Callable[[], tuple[list[Review], int]]:
        reviews = self._services.reviews
        query = _page(self._query, offset)
        return lambda: reviews.list(query)

    def _rows_replaced(self) -> None:
        # Due times are worded against the moment the rows came in ("due in 2 h").
        self.now = self._services.clock.now()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by a sortable column (date, stars, due); other columns are ignored."""
        orders = SORTS.get(Column(column)) if 0 <= column < len(Column) else None
        if orders is None:
            return
        wanted = orders[0] if order == Qt.SortOrder.AscendingOrder else orders[1]
        self.load(_with(self._query, order=wanted))

    # --- rows ------------------------------------------------------------------------------
    def _row_id(self, row: Review) -> int | None:
        return row.id

    def review_at(self, row: int) -> Review:
        return self.row_at(row)


def _with(query: ReviewQuery, **changes: Any) -> ReviewQuery:
    return replace(query, **changes)


def _page(query: ReviewQuery, offset: int) -> ReviewQuery:
    return _with(query, offset=offset, limit=PAGE_SIZE)


class ReviewTable(QTableView):
    """The inbox's table view: whole rows, one at a time; sortable headers sort in SQL.

    Signals:
        open_requested(object): Enter (or a double-click) on a row: open this ``Review``.
        reply_requested(object): R on a row: open this ``Review`` at its reply.
    """

    open_requested = Signal(object)
    reply_requested = Signal(object)

    def __init__(self, model: ReviewTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self._model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(Column.DUE, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        for column, width in WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(Column.SNIPPET, QHeaderView.ResizeMode.Stretch)
        header.sectionClicked.connect(self._header_clicked)
        self.setAccessibleName(self.tr("Reviews"))
        self.doubleClicked.connect(lambda index: self._emit(self.open_requested, index))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Hide the least needed columns (assignee, then date, then source) while the table is
        too narrow to leave the review's first line readable; show them again when it is
        wide enough."""
        room = self.viewport().width() - MIN_SNIPPET
        shown = [c for c in WIDTHS if c not in HIDE_ORDER]
        used = sum(WIDTHS[c] for c in shown)
        keep: set[Column] = set()
        for column in reversed(HIDE_ORDER):
            if used + WIDTHS[column] <= room:
                used += WIDTHS[column]
                keep.add(column)
            else:
                break
        for column in HIDE_ORDER:
            self.setColumnHidden(column, column not in keep)

    def _header_clicked(self, section: int) -> None:
        header = self.horizontalHeader()
        if section not in SORTS:
            # Only date, stars and due sort (in SQL): keep showing the current order.
            header.blockSignals(True)
            header.setSortIndicator(self._sorted_column(), self._sorted_order())
            header.blockSignals(False)
            return
        self._sort_state = (section, header.sortIndicatorOrder())
        self._model.sort(section, header.sortIndicatorOrder())

    _sort_state: tuple[int, Qt.SortOrder] = (Column.DUE, Qt.SortOrder.AscendingOrder)

    def _sorted_column(self) -> int:
        return self._sort_state[0]

    def _sorted_order(self) -> Qt.SortOrder:
        return self._sort_state[1]

    def sort_by(self, column: Column, order: Qt.SortOrder) -> None:
        """Sort as if the header of ``column`` had been clicked into ``order``."""
        self.horizontalHeader().setSortIndicator(column, order)
        self._header_clicked(column)

    def _emit(self, signal: Any, index: QModelIndex) -> None:
        if index.isValid():
            signal.emit(self._model.review_at(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not (
            event.modifiers()
            & (
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.MetaModifier
            )
        )
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._emit(self.open_requested, self.currentIndex())
            event.accept()
            return
        if key == Qt.Key.Key_R and plain:
            self._emit(self.reply_requested, self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)
