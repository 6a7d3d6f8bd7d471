"""The audit viewer's model: pages of events fetched lazily from SQL, newest first.

The trail can hold a million events, so the model never asks for everything: it holds the
pages loaded so far and, when the view scrolls to the end (``canFetchMore``/``fetchMore``),
asks its owner for the next page through ``more_wanted``. The owner runs the query off the GUI
thread and hands the page back with ``append_page``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

from core.audit.model import AuditEvent
from gui.settings.messages import action_label, actor_label, record_label, tr
from gui.settings.models import Index, ItemRole, local_datetime_text

PAGE_SIZE = 200


class AuditColumn(IntEnum):
    TIME = 0
    PERSON = 1
    ACTION = 2
    RECORD = 3
    DETAIL = 4


class AuditModel(QAbstractTableModel):
    """Audit events loaded page by page.

    Signals:
        more_wanted(int): the view wants more rows; load the page starting at this offset and
            pass it to ``append_page`` (or call ``fetch_failed``).
    """

    more_wanted = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[AuditEvent] = []
        self._seqs: set[int] = set()
        self._total = 0
        self._pending = False
        self._tz = ZoneInfo("UTC")
        self._staff_names: dict[int, str] = {}

    # --- filling -----------------------------------------------------------------------
    def reset(
        self, events: list[AuditEvent], total: int, tz: ZoneInfo, staff_names: dict[int, str]
    ) -> None:
        """Start over with the first page of a new query and the total that match it."""
        self.beginResetModel()
        self._events = list(events)
        self._seqs = {e.seq for e in events}
        self._total = total
        self._pending = False
        self._tz = tz
        self._staff_names = dict(staff_names)
        self.endResetModel()

    def append_page(self, offset: int, events: list[AuditEvent]) -> None:
        """Add a page that was asked for at ``offset``; a page for an older query (whose
        offset no longer matches) is ignored."""
        if offset != len(self._events):
            return
        self._pending = False
        fresh = [e for e in events if e.seq not in self._seqs]
        if not fresh:
            self._total = len(self._events)  # nothing more to come
            return
        start = len(self._events)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._events.extend(fresh)
        self._seqs.update(e.seq for e in fresh)
        self.endInsertRows()

    def fetch_failed(self) -> None:
        self._pending = False

    def clear(self) -> None:
        self.reset([], 0, self._tz, {})

    @property
    def total(self) -> int:
        """How many events match the query (loaded or not)."""
        return self._total

    @property
    def loaded(self) -> int:
        return len(self._events)

    def audit_event(self, row: int) -> AuditEvent:
        return self._events[row]

    # --- lazy loading ------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._pending and len(self._events) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._pending = True
            self.more_wanted.emit(len(self._events))

    # --- QAbstractItemModel ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AuditColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(AuditColumn):
            return None
        return {
            AuditColumn.TIME: tr("When"),
            AuditColumn.PERSON: tr("Who"),
            AuditColumn.ACTION: tr("What"),
            AuditColumn.RECORD: tr("Record"),
            AuditColumn.DETAIL: tr("Detail"),
        }[AuditColumn(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        column = AuditColumn(index.column())
        if role == ItemRole.ITEM:
            return event
        if role == ItemRole.SORT:
            return event.seq
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(event, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(event, column)
        return None

    def _tooltip(self, event: AuditEvent, column: AuditColumn) -> str | None:
        if column is AuditColumn.TIME:
            return tr("Event #{seq}, {when}").format(
                seq=event.seq, when=local_datetime_text(event.at, self._tz, seconds=True)
            )
        if column is AuditColumn.ACTION:
            return event.action
        return None

    def _display(self, event: AuditEvent, column: AuditColumn) -> str:
        if column is AuditColumn.TIME:
            return local_datetime_text(event.at, self._tz)
        if column is AuditColumn.PERSON:
            return actor_label(event)
        if column is AuditColumn.ACTION:
            return action_label(event.action)
        if column is AuditColumn.RECORD:
            return record_label(event, self._staff_names)
        return event.detail
