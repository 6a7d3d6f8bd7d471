"""The leaderboard tab: a month's points by person (◀ month ▶), and the year's points by kind,
month by month, for everyone or one person."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QWidget,
)

from core.app import Services
from core.incentives.model import LeaderRow
from gui.incentives.base import IncentiveContext, IncentiveTab
from gui.incentives.chart import PointsChart
from gui.incentives.table import RowsTableModel
from gui.incentives.wording import counts_line, month_title, points_text, tr
from gui.tasks import TaskRunner
from gui.widgets import Card, caption, plain_label

RowRole = Qt.ItemDataRole.UserRole + 1
"""The row's ``LeaderRow``."""


class Column(IntEnum):
    RANK = 0
    NAME = 1
    POINTS = 2
    WHAT = 3


class LeaderboardModel(RowsTableModel[LeaderRow]):
    """A month's rows, most points first (the service's order; ties share a rank)."""

    COLUMNS = Column

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._ranks: list[int] = []

    def set_rows(self, rows: list[LeaderRow], custom: Mapping[str, str]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.custom = dict(custom)
        self._ranks = []
        for i, row in enumerate(self._rows):
            same = i > 0 and self._rows[i - 1].points == row.points
            self._ranks.append(self._ranks[-1] if same else i + 1)
        self.endResetModel()

    def _titles(self) -> dict[Column, str]:
        return {
            Column.RANK: "#",
            Column.NAME: tr("Name"),
            Column.POINTS: tr("Points"),
            Column.WHAT: tr("For"),
        }

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                Column.RANK: str(self._ranks[index.row()]),
                Column.NAME: row.name,
                Column.POINTS: f"{row.points:,}",
                Column.WHAT: counts_line(row.counts, self.custom),
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.WHAT:
            return counts_line(row.counts, self.custom)
        if role == Qt.ItemDataRole.AccessibleTextRole and column is Column.POINTS:
            return points_text(row.points)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.RANK, Column.POINTS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LeaderboardTab(IncentiveTab):
    """The month's leaderboard and the year's chart. ``month`` is the (year, month) shown.

    Signals: ``IncentiveTab``'s.
    """

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, runner, parent)
        self.month: tuple[int, int] | None = None
        self._chart_year: int | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 12, 0, 0)
        row.setSpacing(16)
        row.addWidget(self._build_board(), 5)
        row.addWidget(self._build_chart(), 6)

    def _build_board(self) -> Card:
        card = Card()
        picker = QHBoxLayout()
        picker.setSpacing(4)
        self.previous_button = QPushButton("◀")
        self.previous_button.setAccessibleName(tr("Previous month"))
        self.previous_button.setToolTip(tr("Previous month"))
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.month_label = plain_label()
        self.month_label.setProperty("heading", "3")
        self.month_label.setMinimumWidth(150)
        self.month_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = QPushButton("▶")
        self.next_button.setAccessibleName(tr("Next month"))
        self.next_button.setToolTip(tr("Next month"))
        self.next_button.clicked.connect(lambda: self.step(1))
        for widget in (self.previous_button, self.month_label, self.next_button):
            picker.addWidget(widget)
        picker.addStretch(1)
        card.body.addLayout(picker)
        card.body.addWidget(
            caption(
                tr(
                    "Points earned this month. Approved and published posts earn the most: "
                    "quality first."
                )
            )
        )
        self.model = LeaderboardModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Leaderboard"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)  # "what for" wraps rather than hiding kinds
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.RANK, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.POINTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        card.body.addWidget(self.table, 1)
        self.empty_label = caption("")
        self.empty_label.hide()
        card.body.addWidget(self.empty_label)
        return card

    def _build_chart(self) -> Card:
        card = Card()
        self.chart_title = card.title_label
        self.chart_person = QComboBox()
        self.chart_person.setAccessibleName(tr("Whose points"))
        self.chart_person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chart_person.currentIndexChanged.connect(lambda _i: self._load_chart(force=True))
        card.header.addWidget(self.chart_person)
        self.chart = PointsChart()
        card.body.addWidget(self.chart, 1)
        return card

    # --- state -------------------------------------------------------------------------------
    def clear(self) -> None:
        self.month = None
        self._chart_year = None
        self.model.set_rows([], {})
        self.chart.clear()
        self.month_label.setText("")
        self.chart_title.setText("")
        self.empty_label.hide()
        self.chart_person.blockSignals(True)
        self.chart_person.clear()
        self.chart_person.blockSignals(False)

    def set_context(self, context: IncentiveContext) -> None:
        super().set_context(context)
        if self.month is None:
            self.month = (context.today.year, context.today.month)
        chosen = self.chart_person.currentData()
        self.chart_person.blockSignals(True)
        self.chart_person.clear()
        self.chart_person.addItem(tr("Everyone"), None)
        for member in context.staff:
            if member.active:
                self.chart_person.addItem(member.display_name, member.id)
        self.chart_person.setCurrentIndex(max(0, self.chart_person.findData(chosen)))
        self.chart_person.blockSignals(False)

    def step(self, months: int) -> None:
        """Show the month ``months`` before or after the one shown."""
        if self.month is None:
            return
        year, month = self.month
        index = year * 12 + (month - 1) + months
        self.show_month(index // 12, index % 12 + 1)

    def show_month(self, year: int, month: int) -> None:
        self.month = (year, month)
        self.reload()

    def reload(self) -> None:
        if self.user is None or self.month is None:
            return
        year, month = self.month
        today = self.context.today
        self.month_label.setText(month_title(year, month))
        self.next_button.setEnabled((year, month) < (today.year, today.month))
        incentives = self.services.incentives
        self.call(lambda: incentives.leaderboard(year, month), self._show_rows)
        self._load_chart(force=self._chart_year != year)

    def _show_rows(self, rows: list[LeaderRow]) -> None:
        # Only people who earned something are listed: a row of zeros says nothing kind.
        rows = [row for row in rows if row.points]
        self.model.set_rows(rows, self.context.custom)
        self.table.resizeRowsToContents()
        for row in range(self.model.rowCount()):  # breathing room around wrapped lines
            self.table.setRowHeight(row, self.table.rowHeight(row) + 8)
        self.loaded = True
        text = ""
        if not rows and self.month is not None:
            today = self.context.today
            this_month = self.month == (today.year, today.month)
            text = (
                tr("Nobody has earned points in {month} yet.")
                if this_month
                else tr("Nobody earned points in {month}.")
            ).format(month=month_title(*self.month))
        self.empty_label.setText(text)
        self.empty_label.setVisible(bool(text))

    def _load_chart(self, *, force: bool = True) -> None:
        if self.user is None or self.month is None or not force:
            return
        year = self.month[0]
        staff_id = self.chart_person.currentData()
        self._chart_year = year
        self.chart_title.setText(tr("Points by month in {year}").format(year=year))
        self.chart_title.setVisible(True)
        incentives, custom = self.services.incentives, self.context.custom
        self.call(
            lambda: incentives.monthly_by_kind(year, staff_id),
            lambda by_month: self.chart.show_year(year, by_month, custom),
        )
