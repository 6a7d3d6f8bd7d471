"""What the Incentives page's tables share: rows set all at once (a month's leaderboard, a page
of one person's history), columns named by an ``IntEnum``, and the practice's own kinds of
contribution to word them with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex

from gui.paging import TitledColumns

T = TypeVar("T")


class RowsTableModel(TitledColumns, QAbstractTableModel, Generic[T]):
    """A read-only table of ``rows``; a subclass names ``COLUMNS`` and words ``data``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []
        self.custom: Mapping[str, str] = {}
        """The practice's own kinds of contribution, by code (their names)."""

    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)
