"""Item models whose rows come a page at a time from a worker, tables' column headers, and
choosing a row quietly.

The photo grid, the consent list, the review inbox and the composer's post list each show a
query's rows, which may run to thousands: ``load`` fetches the first page off the GUI thread,
then the view asks for more as it scrolls (``canFetchMore``/``fetchMore``). Every answer is
tied to the load it belongs to, so one that arrives after the filter changed (or after
``clear`` at sign-out) is dropped instead of mixing two queries' rows. A row already shown is
not added again when the next page overlaps (a row inserted above shifts the pages).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QAbstractItemView

from gui import errors
from gui.tasks import TaskRunner

T = TypeVar("T")
S = TypeVar("S")
Page = tuple[Sequence[T], int]
"""One page of rows, and how many rows the whole query has."""

if TYPE_CHECKING:
    _ItemModel = QAbstractItemModel
else:

    class _ItemModel:
        """At run time the Qt class comes from the flavour (list or table) it is mixed into."""


class PagedRows(_ItemModel, Generic[T]):
    """The paging shared by the list and the table flavours below. A subclass says how to
    fetch a page (``_fetcher``) and what identifies a row (``_row_id``; ``_key`` when a row is
    the same row by something else), and starts a load with ``_load_first_page`` once it has
    kept its filter."""

    def __init__(self, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._rows: list[T] = []
        self._row_of_key: dict[Hashable, int] = {}
        self._total = 0
        self._loading = False
        self._generation = 0

    # --- what a subclass says ----------------------------------------------------------------
    def _fetcher(self, offset: int) -> Callable[[], Page[T]]:
        """The call a worker makes for the page starting at ``offset``. It is made here, on the
        GUI thread, so it captures the filter as it is now."""
        raise NotImplementedError

    def _row_id(self, row: T) -> int | None:
        """The id of what the row shows (``None``: nothing saved to point at)."""
        raise NotImplementedError

    def _key(self, row: T) -> Hashable | None:
        """What makes two pages' rows the same row (``None``: never taken for one shown)."""
        return self._row_id(row)

    def _rows_replaced(self) -> None:
        """Called while the first page replaces the rows (inside the model reset)."""

    # --- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        fetch = self._fetcher(len(self._rows))

        def more(page: Page[T]) -> None:
            self._loading = False
            if generation != self._generation:
                return
            known = self._row_of_key
            fresh = [r for r in page[0] if (key := self._key(r)) is None or key not in known]
            if fresh:
                start = len(self._rows)
                self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
                self._rows.extend(fresh)
                self._index_rows(start)
                self.endInsertRows()
            # A page with nothing new ends the paging: the total counted rows that are gone,
            # and asking for the same page again would bring nothing either.
            self._total = page[1] if fresh else len(self._rows)

        self._loading = True
        self._runner.run(fetch, more, self._failed)

    # --- loading -----------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """How many rows the query has (more than are fetched while the view has not
        scrolled to the end)."""
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def _load_first_page(self, done: Callable[[], None] | None) -> None:
        """Replace the rows with the first page (``done`` runs once they are in)."""
        self._generation += 1
        generation = self._generation
        fetch = self._fetcher(0)

        def loaded(page: Page[T]) -> None:
            if generation != self._generation:
                return
            self.beginResetModel()
            self._rows, self._total = list(page[0]), page[1]
            self._row_of_key = {}
            self._index_rows(0)
            self._rows_replaced()
            self.endResetModel()
            self._loading = False
            if done is not None:
                done()

        self._loading = True
        self._runner.run(fetch, loaded, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        errors.show_error(None, exc)

    def clear(self) -> None:
        """Drop every row; answers still on their way are dropped too (sign-out)."""
        self._generation += 1
        self._loading = False
        self.beginResetModel()
        self._rows, self._total = [], 0
        self._row_of_key = {}
        self.endResetModel()

    # --- rows --------------------------------------------------------------------------------
    def _index_rows(self, start: int) -> None:
        for row in range(start, len(self._rows)):
            key = self._key(self._rows[row])
            if key is not None:
                self._row_of_key[key] = row

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def all_rows(self) -> tuple[T, ...]:
        """The rows fetched so far."""
        return tuple(self._rows)

    def row_of(self, row_id: int) -> int:
        """The row showing ``row_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if self._row_id(r) == row_id), -1)

    def id_at(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        """The id of what the row at ``index`` shows (``None`` for no row)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._row_id(self._rows[index.row()])

    def replace(self, row: T) -> None:
        """Show a changed row in its place (after a step on it), without reloading."""
        key = self._key(row)
        at = self._row_of_key.get(key, -1) if key is not None else -1
        if at < 0:
            return
        self._rows[at] = row
        self.dataChanged.emit(self.index(at, 0), self.index(at, self._last_column()))

    def _last_column(self) -> int:
        return 0


class TitledColumns(_ItemModel):
    """A table whose columns are an ``IntEnum`` (``COLUMNS``): the column count, and the
    horizontal header's texts from ``_titles`` (asked only when the header is drawn)."""

    COLUMNS: ClassVar[type[IntEnum]]

    def _titles(self) -> Mapping[Any, str]:
        """The header text of each column, by column."""
        raise NotImplementedError

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        return self._titles()[self.COLUMNS(section)]


class PagedListModel(PagedRows[T], QAbstractListModel):
    """A list of a query's rows, fetched a page at a time (see the module)."""


class PagedTableModel(PagedRows[T], TitledColumns, QAbstractTableModel):
    """A table of a query's rows, fetched a page at a time (see the module), its columns
    named by ``COLUMNS``."""

    def _last_column(self) -> int:
        return self.columnCount(QModelIndex()) - 1


class FilteredListModel(PagedListModel[T], Generic[T, S]):
    """A paged list of the rows in some statuses (none: every status) that match a search
    text; ``_fetcher`` reads ``_statuses`` and ``_text``."""

    def __init__(self, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(runner, parent)
        self._statuses: tuple[S, ...] = ()
        self._text = ""

    def load(
        self,
        statuses: tuple[S, ...],
        text: str,
        done: Callable[[], None] | None = None,
    ) -> None:
        """Replace the rows with the first page for this filter and search text."""
        self._statuses, self._text = statuses, text.strip()
        self._load_first_page(done)


def single_shot_timer(parent: QObject, ms: int, slot: Callable[[], object]) -> QTimer:
    """A timer that runs ``slot`` once, ``ms`` after it was last started: a search runs when
    typing pauses, a row opens when the arrows rest on it."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer


def select_quietly(view: QAbstractItemView, index: QModelIndex, *, scroll: bool = True) -> None:
    """Make ``index`` the view's current item without the selection model's signals: the
    page already shows what is there, so nothing should open it again."""
    selection = view.selectionModel()
    selection.blockSignals(True)
    view.setCurrentIndex(index)
    selection.blockSignals(False)
    if scroll:
        view.scrollTo(index)
    view.viewport().update()  # the view missed the signals it repaints on


def select_id(
    view: QAbstractItemView, model: PagedRows[Any], row_id: int, *, scroll: bool = True
) -> None:
    """Make the row showing ``row_id`` current, quietly, if it is fetched."""
    row = model.row_of(row_id)
    if row >= 0:
        select_quietly(view, model.index(row, 0), scroll=scroll)


def reselect(
    view: QAbstractItemView,
    model: PagedRows[Any],
    row_id: int | None,
    then: Callable[[], None] | None = None,
    *,
    scroll: bool = True,
) -> Callable[[], None]:
    """A ``done`` for a load: the row showing ``row_id`` (if any) is current again, then
    ``then`` runs."""

    def done() -> None:
        if row_id is not None:
            select_id(view, model, row_id, scroll=scroll)
        if then is not None:
            then()

    return done
