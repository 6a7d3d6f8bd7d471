"""The audit viewer's filter bar: person, action and period, turned into an ``AuditQuery``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QGridLayout, QWidget

from core.audit.model import AuditQuery
from core.staff.model import StaffMember
from gui.settings.messages import action_label, app_locale, tr
from gui.style import caption


class Period(StrEnum):
    ANY = "any"
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"


def period_bounds(
    period: Period, today: date, start: date, end: date, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The [since, until) bounds, in UTC, of a period of whole days in the practice's zone.
    ``start``/``end`` (inclusive) apply to ``CUSTOM`` only."""
    if period is Period.ANY:
        return None, None
    first, last = {
        Period.TODAY: (today, today),
        Period.WEEK: (today - timedelta(days=6), today),
        Period.MONTH: (today - timedelta(days=29), today),
        Period.CUSTOM: (min(start, end), max(start, end)),
    }[period]
    since = datetime.combine(first, time(0), tz)
    until = datetime.combine(last + timedelta(days=1), time(0), tz)
    return since, until


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class AuditFilters(QWidget):
    """Person, action and period pickers.

    Signals:
        changed(): a filter changed; ask ``query()`` for the new filters.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = ZoneInfo("UTC")
        self.today = date.today()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.person = QComboBox()
        self.person.setMinimumWidth(170)
        self.action = QComboBox()
        self.action.setMinimumWidth(200)
        self.period = QComboBox()
        for period, label in (
            (Period.ANY, tr("Any time")),
            (Period.TODAY, tr("Today")),
            (Period.WEEK, tr("Last 7 days")),
            (Period.MONTH, tr("Last 30 days")),
            (Period.CUSTOM, tr("Choose dates…")),
        ):
            self.period.addItem(label, period)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(app_locale().dateFormat(QLocale.FormatType.ShortFormat))
            edit.setDate(QDate.currentDate())
        self._date_labels: list[QWidget] = []
        for column, (label, widget) in enumerate(
            (
                (tr("Person"), self.person),
                (tr("Action"), self.action),
                (tr("When"), self.period),
                (tr("From"), self.start),
                (tr("To"), self.end),
            )
        ):
            label_widget = caption(label, wrap=False)
            grid.addWidget(label_widget, 0, column)
            grid.addWidget(widget, 1, column)
            if widget in (self.start, self.end):
                self._date_labels.append(label_widget)
        grid.setColumnStretch(5, 1)
        self.set_people([])
        self.set_actions([])
        self._sync_dates()
        self.person.currentIndexChanged.connect(self.changed)
        self.action.currentIndexChanged.connect(self.changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.start.dateChanged.connect(self._dates_changed)
        self.end.dateChanged.connect(self._dates_changed)

    def set_context(self, today: date, tz: ZoneInfo) -> None:
        self.today, self.tz = today, tz

    def set_people(self, staff: list[StaffMember]) -> None:
        """Fill the person list, keeping the current choice when that person is still there."""
        current = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem(tr("Everyone"), None)
        for member in staff:
            label = (
                member.display_name
                if member.active
                else tr("{name} (deactivated)").format(name=member.display_name)
            )
            self.person.addItem(label, member.id)
        self.person.setCurrentIndex(max(self.person.findData(current), 0))
        self.person.blockSignals(False)

    def set_actions(self, codes: list[str]) -> None:
        current = self.action.currentData()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItem(tr("All actions"), None)
        for code in sorted(codes, key=lambda c: action_label(c).lower()):
            self.action.addItem(action_label(code), code)
        self.action.setCurrentIndex(max(self.action.findData(current), 0))
        self.action.blockSignals(False)

    def select_person(self, staff_id: int | None) -> None:
        self.person.setCurrentIndex(max(self.person.findData(staff_id), 0))

    def select_action(self, code: str | None) -> None:
        self.action.setCurrentIndex(max(self.action.findData(code), 0))

    def select_period(
        self, period: Period, start: date | None = None, end: date | None = None
    ) -> None:
        if start is not None:
            self.start.setDate(_qdate(start))
        if end is not None:
            self.end.setDate(_qdate(end))
        self.period.setCurrentIndex(self.period.findData(period))

    def query(self, limit: int) -> AuditQuery:
        """The first page of events matching the filters."""
        since, until = period_bounds(
            Period(self.period.currentData()),
            self.today,
            _pydate(self.start.date()),
            _pydate(self.end.date()),
            self.tz,
        )
        return AuditQuery(
            actor_id=self.person.currentData(),
            action=self.action.currentData(),
            since=since,
            until=until,
            offset=0,
            limit=limit,
        )

    def _sync_dates(self) -> None:
        custom = self.period.currentData() == Period.CUSTOM
        for widget in (self.start, self.end, *self._date_labels):
            widget.setVisible(custom)

    def _period_changed(self) -> None:
        self._sync_dates()
        self.changed.emit()

    def _dates_changed(self) -> None:
        if self.period.currentData() == Period.CUSTOM:
            self.changed.emit()
