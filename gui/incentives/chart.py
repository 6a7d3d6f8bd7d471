"""Points by kind, month by month through a year: a stacked bar chart (pyqtgraph, as in the
review measures: PySide6-Essentials has no QtCharts) with a legend underneath."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui import theme
from gui.incentives.wording import kind_short, month_short, ordered_kinds, tr

CHART_HEIGHT = 220
_TONES = ("accent", "info", "success", "warning", "danger", "neutral")
_EXTRA = {False: ("#7C3AED", "#DB2777", "#0891B2"), True: ("#C4B5FD", "#F9A8D4", "#67E8F9")}
"""Colours after the theme's tones (purple, pink, cyan), light and dark."""


def kind_color(index: int) -> str:
    """The colour of the ``index``-th kind in the current theme."""
    t = theme.current()
    colors = [str(getattr(t, tone)) for tone in _TONES] + list(_EXTRA[t.dark])
    return colors[index % len(colors)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PointsChart(QWidget):
    """Twelve bars, one per month of ``year``, each split by kind (the kind's points that
    month). ``stacks`` keeps what was drawn: per kind, the points of months 1–12.

    Signals: none.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stacks: dict[str, list[int]] = {}
        self.legend_names: list[str] = []
        """The kinds in the legend, as worded, bottom of the stack first."""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.plot = pg.PlotWidget()
        self.plot.setAccessibleName(tr("Points by kind, month by month"))
        self.plot.setMinimumHeight(CHART_HEIGHT)
        column.addWidget(self.plot)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)  # our own markup: escaped names only
        self.legend.setWordWrap(True)
        column.addWidget(self.legend)
        self._style()

    def _style(self) -> None:
        t = theme.current()
        self.plot.setBackground(t.surface)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(t.border_strong))
            axis.setTextPen(pg.mkPen(t.muted))
        self.plot.showGrid(x=False, y=True, alpha=0.25)

    def clear(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self.stacks = {}
        self.legend_names = []

    def show_year(
        self,
        year: int,
        by_month: Mapping[int, Mapping[str, int]],
        custom: Mapping[str, str] | None = None,
    ) -> None:
        """Draw ``by_month`` (month → kind → points), stacked in the legend's order."""
        self.clear()
        self._style()  # the theme may have switched since the last time
        kinds = ordered_kinds(k for month in by_month.values() for k, p in month.items() if p)
        xs = [float(m) for m in range(1, 13)]
        bottoms = [0.0] * 12
        legend = []
        for index, kind in enumerate(kinds):
            heights = [int(by_month.get(m, {}).get(kind, 0)) for m in range(1, 13)]
            self.stacks[kind] = heights
            color = kind_color(index)
            self.plot.addItem(
                pg.BarGraphItem(
                    x=xs,
                    y0=list(bottoms),
                    height=[float(h) for h in heights],
                    width=0.62,
                    brush=color,
                    pen=pg.mkPen(theme.current().surface, width=1),
                )
            )
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            self.legend_names.append(kind_short(kind, custom))
            legend.append(
                f'<span style="color:{color}; font-size:16px">■</span>&nbsp;'
                f"{_escape(kind_short(kind, custom)).replace(' ', '&nbsp;')}"
            )
        top = max(1, math.ceil(max(bottoms)))
        step = max(1, math.ceil(top / 5))
        self.plot.setXRange(0.4, 12.6, padding=0)
        self.plot.setYRange(0, top * 1.08, padding=0.02)
        self.plot.getAxis("bottom").setTicks(
            [[(float(m), month_short(m, year)) for m in range(1, 13)]]
        )
        self.plot.getAxis("left").setTicks([[(float(v), str(v)) for v in range(0, top + 1, step)]])
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp; ".join(legend)
            if legend
            else _escape(tr("No points yet in {year}.").format(year=year))
        )

    def totals(self) -> list[int]:
        """The height of each month's bar (all kinds together)."""
        return [sum(stack[m] for stack in self.stacks.values()) for m in range(12)]
