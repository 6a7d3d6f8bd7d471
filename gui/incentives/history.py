"""A person's contributions, newest first, a page at a time (the service pages in SQL)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from core.incentives.model import Contribution
from gui.incentives.table import RowsTableModel
from gui.incentives.wording import kind_label, moment_text, short_day, tr

PAGE_SIZE = 50
ContributionRole = Qt.ItemDataRole.UserRole + 1
"""The row's ``Contribution``."""


class Column(IntEnum):
    WHEN = 0
    WHAT = 1
    POINTS = 2
    NOTE = 3


def is_hand_logged(contribution: Contribution) -> bool:
    """Logged by a person (removable by a manager), not credited by the app itself."""
    return contribution.added_by is not None


class HistoryModel(RowsTableModel[Contribution]):
    """One page of a person's contributions; ``offset`` is where the page starts and
    ``has_more`` whether an older page exists."""

    COLUMNS = Column

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.offset = 0
        self.has_more = False
        self.names: Mapping[int, str] = {}
        self.year = 0
        """This year in the practice: its dates are shown without the year."""

    def set_page(
        self,
        rows: list[Contribution],
        offset: int,
        *,
        has_more: bool,
        custom: Mapping[str, str],
        names: Mapping[int, str],
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.offset = offset
        self.has_more = has_more
        self.custom = dict(custom)
        self.names = dict(names)
        self.endResetModel()

    def clear(self) -> None:
        self.set_page([], 0, has_more=False, custom={}, names={})

    def contribution(self, row: int) -> Contribution | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _titles(self) -> dict[Column, str]:
        return {
            Column.WHEN: tr("When"),
            Column.WHAT: tr("What"),
            Column.POINTS: tr("Points"),
            Column.NOTE: tr("Note"),
        }

    def _note(self, item: Contribution) -> str:
        if item.added_by is None:
            return item.note
        by = self.names.get(item.added_by, f"#{item.added_by}")
        if item.added_by == item.staff_id:
            logged = tr("logged by themselves")
        else:
            logged = tr("logged by {name}").format(name=by)
        return f"{item.note} ({logged})" if item.note else logged

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = Column(index.column())
        if role == ContributionRole:
            return item
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.WHEN:
            return moment_text(item.at)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return {
                Column.WHEN: short_day(item.at, self.year),
                Column.WHAT: kind_label(item.kind, self.custom),
                Column.POINTS: f"{item.points:,}",
                Column.NOTE: self._note(item),
            }[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.POINTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
