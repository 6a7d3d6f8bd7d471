"""The review inbox's measures: response rate, median response time, the rating by month and
the themes over time (pyqtgraph charts: PySide6-Essentials has no QtCharts), exportable as
CSV."""

from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.reviews.service import Measures, MonthMeasure
from core.staff.model import StaffMember
from gui import errors, theme
from gui.reviews.wording import theme_label, tr
from gui.tasks import TaskRunner
from gui.widgets import Banner, Card, button, caption, heading, plain_label, scrolling_column

MONTHS = 12
"""How many calendar months the measures cover (this one included)."""
CHART_HEIGHT = 240
_THEME_TONES = ("accent", "info", "warning", "danger", "success")
_EXTRA_LINES = {False: ("#7C3AED", "#DB2777", "#475564"), True: ("#C4B5FD", "#F9A8D4", "#B4BEC8")}
"""Line colours after the theme's five tones (purple, pink, grey), light and dark: the
theme has no more tones that tell seven lines apart."""


def line_color(index: int) -> str:
    """The colour of the ``index``-th theme line in the current theme."""
    t = theme.current()
    colors = [str(getattr(t, tone)) for tone in _THEME_TONES] + list(_EXTRA_LINES[t.dark])
    return colors[index % len(colors)]


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    """Ask where to save the measures; ``None`` when cancelled. (Tests replace this.)"""
    path, _filter = QFileDialog.getSaveFileName(
        parent, tr("Export the measures"), suggested, tr("Spreadsheet (CSV) (*.csv)")
    )
    if not path:
        return None
    return path if path.lower().endswith(".csv") else f"{path}.csv"


def response_time_text(hours: float | None) -> str:
    """A median response time in plain words: "under an hour", "about 5 hours",
    "about 2 days"; "—" when nothing was answered."""
    if hours is None:
        return "—"
    if hours < 1:
        return tr("under an hour")
    if hours < 36:
        n = round(hours)
        return tr("about 1 hour") if n == 1 else tr("about {n} hours").format(n=n)
    days = round(hours / 24)
    return tr("about {n} days").format(n=days)


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def month_label(month: str, *, with_year: bool) -> str:
    """ "Mar" (or "Mar 2026") for ``"2026-03"``, in the user's locale."""
    year, number = (int(x) for x in month.split("-"))
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale.toString(QDate(year, number, 1), "MMM yyyy" if with_year else "MMM")


def _tick_labels(months: tuple[MonthMeasure, ...]) -> list[tuple[float, str]]:
    return [
        (float(i), month_label(m.month, with_year=i == 0 or m.month.endswith("-01")))
        for i, m in enumerate(months)
    ]


def _style_plot(plot: pg.PlotWidget) -> None:
    t = theme.current()
    plot.setBackground(t.surface)
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMinimumHeight(CHART_HEIGHT)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(t.border_strong))
        axis.setTextPen(pg.mkPen(t.muted))
    plot.showGrid(x=False, y=True, alpha=0.25)


class _Figure(QWidget):
    """A headline number with its caption (e.g. the response rate). Signals: none."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(caption(title, wrap=False))
        self.value = plain_label()
        self.value.setProperty("heading", "1")
        self.value.setAccessibleName(title)
        column.addWidget(self.value)
        self.detail = caption()
        column.addWidget(self.detail)
        column.addStretch(1)

    def show_value(self, value: str, detail: str) -> None:
        self.value.setText(value)
        self.detail.setText(detail)


class MeasuresView(QWidget):
    """How the practice answers its reviews, over the last twelve months: the response rate,
    the median time to a posted reply, the average rating by month (bars) and how often each
    theme came up (lines). "Export CSV…" saves the same numbers, month by month.

    ``set_user(None)`` clears it; ``refresh`` reloads off the GUI thread.

    Signals: none.
    """

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user: StaffMember | None = None
        self.measures: Measures | None = None
        self.month_ticks: list[tuple[float, str]] = []
        self.bar_heights: list[float] = []
        """The rating bars drawn, one per month with stars."""
        self.theme_lines: dict[str, list[int]] = {}
        """The theme lines drawn: counts per month, by theme id."""
        self.loaded = False
        self._generation = 0
        t = theme.current()
        pg.setConfigOptions(antialias=True, background=t.surface, foreground=t.muted)

        column = scrolling_column(self, 1100)
        head = QHBoxLayout()
        head.addWidget(heading(tr("Measures"), 2), 1)
        self.export_button = button(tr("Export CSV…"), "download")
        self.export_button.clicked.connect(self.export)
        head.addWidget(self.export_button)
        column.addLayout(head)
        column.addWidget(
            caption(
                tr(
                    "Reviews posted in the last {n} months (mentions are not counted). A review "
                    "counts as answered once its reply is marked posted."
                ).format(n=MONTHS)
            )
        )
        self.notice = Banner("", "success")
        self.notice.hide()
        column.addWidget(self.notice)
        self.problem = Banner("", "danger")
        self.problem.hide()
        column.addWidget(self.problem)

        self._build_cards(column)
        column.addStretch(1)
        self.set_user(None)

    def _build_cards(self, column: QVBoxLayout) -> None:
        figures = Card()
        row = QHBoxLayout()
        row.setSpacing(32)
        self.rate = _Figure(tr("Response rate"))
        self.response_time = _Figure(tr("Median response time"))
        self.rating = _Figure(tr("Average rating"))
        for figure in (self.rate, self.response_time, self.rating):
            row.addWidget(figure, 1)
        figures.body.addLayout(row)
        column.addWidget(figures)

        rating_card = Card(tr("Rating by month"))
        rating_card.body.addWidget(
            caption(tr("The average stars of the reviews posted each month."))
        )
        self.rating_plot = pg.PlotWidget()
        self.rating_plot.setAccessibleName(tr("Average rating by month"))
        _style_plot(self.rating_plot)
        rating_card.body.addWidget(self.rating_plot)
        column.addWidget(rating_card)

        themes_card = Card(tr("Themes over time"))
        themes_card.body.addWidget(caption(tr("How many reviews each month mention each theme.")))
        self.themes_plot = pg.PlotWidget()
        self.themes_plot.setAccessibleName(tr("Themes by month"))
        _style_plot(self.themes_plot)
        themes_card.body.addWidget(self.themes_plot)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)  # our own markup: theme names only
        self.legend.setWordWrap(True)
        themes_card.body.addWidget(self.legend)
        column.addWidget(themes_card)

    # --- state -------------------------------------------------------------------------------
    def set_user(self, member: StaffMember | None) -> None:
        self.user = member
        self._generation += 1
        self.loaded = False
        self.export_button.setEnabled(member is not None)
        if member is None:
            self.measures = None
            self._clear()

    def refresh(self) -> None:
        """Reload the measures (off the GUI thread); results for an earlier user are dropped."""
        if self.user is None:
            return
        reviews = self.services.reviews
        generation = self._generation
        self.runner.run(
            lambda: reviews.measures(months=MONTHS),
            lambda m: self._show(m) if self._current(generation) else None,
            lambda exc: self._failed(exc) if self._current(generation) else None,
        )

    def _current(self, generation: int) -> bool:
        return shiboken6.isValid(self) and generation == self._generation

    # --- showing -----------------------------------------------------------------------------
    def _clear(self) -> None:
        for figure in (self.rate, self.response_time, self.rating):
            figure.show_value("—", "")
        self.rating_plot.clear()
        self.themes_plot.clear()
        self.legend.clear()
        self.month_ticks, self.bar_heights, self.theme_lines = [], [], {}

    def _show(self, measures: Measures) -> None:
        self.measures = measures
        self.loaded = True
        self._clear()
        for plot in (self.rating_plot, self.themes_plot):
            _style_plot(plot)  # the theme may have switched since the last time
        self._show_figures(measures)
        self._draw_rating(measures.months)
        self._draw_themes(measures.months)

    def _show_figures(self, m: Measures) -> None:
        if m.reviews:
            rate_detail = tr("{replied} of {reviews} reviews were answered.").format(
                replied=f"{m.replied:,}", reviews=f"{m.reviews:,}"
            )
        else:
            rate_detail = tr("No reviews in the last {n} months.").format(n=MONTHS)
        self.rate.show_value(rate_text(m.response_rate), rate_detail)
        time_detail = (
            tr("From when a review came in to when its reply was posted.")
            if m.median_response_hours is not None
            else tr("No reply has been marked posted yet.")
        )
        self.response_time.show_value(response_time_text(m.median_response_hours), time_detail)
        rated = [(x.average_rating, x.reviews) for x in m.months if x.average_rating is not None]
        weight = sum(n for _avg, n in rated)
        if weight:
            average = sum(avg * n for avg, n in rated) / weight
            self.rating.show_value(
                f"{average:.1f} ★", tr("Across {n} reviews with stars.").format(n=f"{weight:,}")
            )
        else:
            self.rating.show_value("—", tr("No reviews with stars."))

    def _draw_rating(self, months: tuple[MonthMeasure, ...]) -> None:
        t = theme.current()
        xs = [float(i) for i, m in enumerate(months) if m.average_rating is not None]
        heights = [m.average_rating for m in months if m.average_rating is not None]
        self.bar_heights = heights
        self.month_ticks = _tick_labels(months)
        if xs:
            bars = pg.BarGraphItem(
                x=xs, height=heights, width=0.6, brush=t.accent, pen=pg.mkPen(None)
            )
            self.rating_plot.addItem(bars)
        self.rating_plot.setYRange(0, 5, padding=0.02)
        self.rating_plot.setXRange(-0.6, max(len(months) - 0.4, 0.4), padding=0)
        self.rating_plot.getAxis("left").setTicks([[(float(v), str(v)) for v in range(6)]])
        self.rating_plot.getAxis("bottom").setTicks([self.month_ticks])

    def _draw_themes(self, months: tuple[MonthMeasure, ...]) -> None:
        names = sorted({name for m in months for name in m.themes})
        xs = [float(i) for i in range(len(months))]
        legend = []
        top = 1
        for index, name in enumerate(names):
            color = line_color(index)
            counts = [m.themes.get(name, 0) for m in months]
            self.theme_lines[name] = counts
            top = max(top, *counts)
            self.themes_plot.plot(
                xs,
                counts,
                pen=pg.mkPen(color, width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=color,
                symbolPen=pg.mkPen(None),
            )
            legend.append(
                f'<span style="color:{color}; font-size:16px">●</span>&nbsp;'
                f"{_escape(theme_label(name))}"
            )
        self.themes_plot.setXRange(-0.4, max(len(months) - 0.6, 0.6), padding=0)
        step = max(1, math.ceil(top / 5))
        self.themes_plot.setYRange(0, top * 1.1, padding=0.03)
        self.themes_plot.getAxis("bottom").setTicks([_tick_labels(months)])
        self.themes_plot.getAxis("left").setTicks(
            [[(float(v), str(v)) for v in range(0, top + 1, step)]]
        )
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp; ".join(legend) if legend else _escape(tr("No themes yet."))
        )

    # --- export ------------------------------------------------------------------------------
    def export(self) -> None:
        """Save the measures as CSV where the person chooses (written off the GUI thread)."""
        if self.user is None:
            return
        today = self.services.clock.now().date()
        path = ask_save_path(self, f"review-measures-{today.isoformat()}.csv")
        if path is None:
            return
        self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        reviews = self.services.reviews

        def work() -> Path:
            path.write_bytes(reviews.measures_csv(months=MONTHS))
            return path

        self.runner.run(work, self._exported, self._export_failed)

    def _exported(self, path: Path) -> None:
        if shiboken6.isValid(self):
            self._notify(tr("The measures were saved to {path}.").format(path=path), "success")

    def _export_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(exc, OSError):
            self._notify(
                tr("The file could not be saved there ({reason}). Choose another folder.").format(
                    reason=exc.strerror or type(exc).__name__
                ),
                "danger",
            )
        else:
            errors.show_error(self, exc)

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

    def _notify(self, text: str, tone: str) -> None:
        shown, hidden = (
            (self.problem, self.notice) if tone == "danger" else (self.notice, self.problem)
        )
        hidden.hide()
        shown.set_text(text)
        shown.show()

    def notice_text(self) -> str:
        """The message shown after an export (saved, or why not), or ""."""
        for banner in (self.notice, self.problem):
            if not banner.isHidden():
                return banner.text_label.text()
        return ""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
