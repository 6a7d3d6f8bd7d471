"""The Today list as a Qt item model: one row per attention item, in the order core gave."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from core.today.model import AttentionItem
from gui.today.wording import Wording, WordingContext, local_text, relative_due, word

_Index = QModelIndex | QPersistentModelIndex


class TodayRole(IntEnum):
    """Roles beyond ``DisplayRole`` (the title) and ``ToolTipRole`` (the explanation)."""

    SORT = Qt.ItemDataRole.UserRole
    """The item's place in core's urgency order."""
    ITEM = Qt.ItemDataRole.UserRole + 1
    """The ``AttentionItem`` itself."""
    DETAIL = Qt.ItemDataRole.UserRole + 2
    ACTION = Qt.ItemDataRole.UserRole + 3
    DUE = Qt.ItemDataRole.UserRole + 4
    """"due in 3 hours" / "overdue by 2 days", or "" without a due time."""
    DUE_AT = Qt.ItemDataRole.UserRole + 5
    """The due time in the practice's zone, for a tooltip, or ""."""
    SEVERITY = Qt.ItemDataRole.UserRole + 6
    OVERDUE = Qt.ItemDataRole.UserRole + 7
    """Whether the due time has passed (core moves such items up; the view says why)."""


class TodayModel(QAbstractListModel):
    """Attention items with their wording, ordered by urgency as ``TodayService`` returns them.

    Signals: only QAbstractItemModel's own.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[AttentionItem, Wording, str, str]] = []
        self._now = datetime.min.replace(tzinfo=ZoneInfo("UTC"))

    def set_items(self, items: list[AttentionItem], now: datetime, tz: ZoneInfo) -> None:
        context = WordingContext(now, tz)
        self.beginResetModel()
        self._now = now
        self._rows = [
            (
                item,
                word(item, context),
                relative_due(item.due, now) if item.due else "",
                local_text(item.due, tz) if item.due else "",
            )
            for item in items
        ]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def item(self, row: int) -> AttentionItem:
        return self._rows[row][0]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, wording, due, due_at = self._rows[index.row()]
        values: dict[int, Any] = {
            Qt.ItemDataRole.DisplayRole: wording.title,
            Qt.ItemDataRole.ToolTipRole: wording.detail,
            TodayRole.SORT: index.row(),
            TodayRole.ITEM: item,
            TodayRole.DETAIL: wording.detail,
            TodayRole.ACTION: wording.action,
            TodayRole.DUE: due,
            TodayRole.DUE_AT: due_at,
            TodayRole.SEVERITY: int(item.severity),
            TodayRole.OVERDUE: item.due is not None and item.due < self._now,
        }
        return values.get(role)
