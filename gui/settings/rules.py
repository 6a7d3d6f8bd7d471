"""Settings → Rules of engagement: how soon each kind of review gets an answer, business
hours, holidays and the practice's own closed days."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, QLocale, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from core.app import Services
from core.practice.model import BusinessHours, ResponseRules
from core.practice.service import Versioned
from core.staff.model import Permission
from gui.hub import SignalHub
from gui.settings.messages import app_locale, tr
from gui.settings.section import Section, read_only_note, unit_spin
from gui.style import Card, button, caption, plain_label
from gui.tasks import TaskRunner

HOLIDAY_COUNTRIES = (
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
)


class _DayRow:
    """One weekday's row: open checkbox, then opening and closing time or "Closed"."""

    def __init__(self, name: str) -> None:
        self.open = QCheckBox(name)
        self.opens = QTimeEdit()
        self.closes = QTimeEdit()
        for edit in (self.opens, self.closes):
            edit.setDisplayFormat(app_locale().timeFormat(QLocale.FormatType.ShortFormat))
            edit.setMinimumWidth(130)
        self.closed_label = caption(tr("Closed"), wrap=False)
        self.open.toggled.connect(self._sync)

    def place(self, grid: QGridLayout, row: int) -> None:
        grid.addWidget(self.open, row, 0)
        grid.addWidget(self.opens, row, 1)
        grid.addWidget(self.closed_label, row, 1)
        grid.addWidget(self.closes, row, 2)
        grid.setRowMinimumHeight(row, self.opens.sizeHint().height())

    def _sync(self) -> None:
        is_open = self.open.isChecked()
        self.opens.setVisible(is_open)
        self.closes.setVisible(is_open)
        self.closed_label.setVisible(not is_open)

    def set(self, hours: tuple[time, time] | None) -> None:
        self.open.setChecked(hours is not None)
        start, end = hours or (time(8, 0), time(17, 0))
        self.opens.setTime(QTime(start.hour, start.minute))
        self.closes.setTime(QTime(end.hour, end.minute))
        self._sync()

    def value(self) -> tuple[time, time] | None:
        if not self.open.isChecked():
            return None
        o, c = self.opens.time(), self.closes.time()
        return time(o.hour(), o.minute()), time(c.hour(), c.minute())


class RulesSection(Section):
    """The practice's written rules of engagement for reviews. Signals: none (emits
    ``hub.data_changed("settings")`` after saving)."""

    key = "rules"

    def __init__(
        self, services: Services, hub: SignalHub, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            services,
            hub,
            runner,
            title=tr("Rules of engagement"),
            intro=tr(
                "How soon the practice answers reviews. The review inbox uses these rules to show "
                "when each review needs its answer."
            ),
            parent=parent,
        )
        self._loaded: Versioned[ResponseRules] | None = None
        self._inputs: list[QWidget] = []
        self.days: dict[str, QSpinBox] = {}
        self.day_rows: list[_DayRow] = []
        self.content.addWidget(self._frames_card())
        self.content.addWidget(self._hours_card())
        self.content.addWidget(self._closed_card())

        actions = QHBoxLayout()
        actions.addStretch(1)
        self.undo_button = button(tr("Undo changes"), kind="ghost")
        self.save_button = button(tr("Save rules"), kind="primary")
        actions.addWidget(self.undo_button)
        actions.addWidget(self.save_button)
        self.content.addLayout(actions)
        self.content.addStretch(1)

        self._inputs = [
            *self.days.values(),
            self.country,
            self.new_day,
            self.add_day_button,
            self.remove_day_button,
            self.closed,
        ]
        for row in self.day_rows:
            self._inputs += [row.open, row.opens, row.closes]
            row.open.toggled.connect(self._edited)
            row.opens.timeChanged.connect(self._edited)
            row.closes.timeChanged.connect(self._edited)
        for spin in self.days.values():
            spin.valueChanged.connect(self._edited)
        self.country.currentIndexChanged.connect(self._edited)
        self.add_day_button.clicked.connect(self.add_closed_day)
        self.remove_day_button.clicked.connect(self.remove_closed_day)
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(lambda: self.refresh(force=True))
        self._edited()

    def _frames_card(self) -> Card:
        frames = Card(tr("Answer reviews within"))
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        for field, label in (
            ("negative_days", tr("Negative reviews")),
            ("neutral_days", tr("Neutral reviews")),
            ("positive_days", tr("Positive reviews")),
        ):
            spin = unit_spin(0, 30, tr(" business day"), tr(" business days"))
            self.days[field] = spin
            self.field_errors.add_row(form, label, spin, field)
        frames.body.addLayout(form)
        frames.body.addWidget(caption(tr("0 means the same business day.")))
        return frames

    def _hours_card(self) -> Card:
        hours_card = Card(tr("Business hours"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        grid.addWidget(caption(tr("Open on"), wrap=False), 0, 0)
        grid.addWidget(caption(tr("Opens"), wrap=False), 0, 1)
        grid.addWidget(caption(tr("Closes"), wrap=False), 0, 2)
        locale = app_locale()
        for weekday in range(7):
            row = _DayRow(locale.dayName(weekday + 1, QLocale.FormatType.LongFormat))
            self.day_rows.append(row)
            row.place(grid, weekday + 1)
        grid.setColumnStretch(3, 1)
        hours_card.body.addLayout(grid)
        hours_card.body.addWidget(self.field_errors.attach("hours", self.day_rows[0].opens))
        return hours_card

    def _closed_card(self) -> Card:
        closed_card = Card(tr("Holidays and closed days"))
        form2 = QFormLayout()
        form2.setHorizontalSpacing(24)
        self.country = QComboBox()
        self.country.setMaximumWidth(260)
        for code, name in HOLIDAY_COUNTRIES:
            self.country.addItem(tr(name), code)
        form2.addRow(tr("Public holidays of"), self.country)
        closed_card.body.addLayout(form2)
        closed_card.body.addWidget(plain_label(tr("Other days the practice is closed")))
        self.closed = QListWidget()
        self.closed.setMaximumHeight(150)
        closed_card.body.addWidget(self.closed)
        self.no_closed_days = caption(tr("None yet. Add days such as a staff training day."))
        closed_card.body.addWidget(self.no_closed_days)
        add_row = QHBoxLayout()
        self.new_day = QDateEdit()
        self.new_day.setCalendarPopup(True)
        self.new_day.setDate(QDate.currentDate())
        self.new_day.setDisplayFormat(app_locale().dateFormat(QLocale.FormatType.ShortFormat))
        self.new_day.setMinimumWidth(160)
        self.add_day_button = button(tr("Add day"), "plus")
        self.remove_day_button = button(tr("Remove selected"), "trash")
        add_row.addWidget(self.new_day)
        add_row.addWidget(self.add_day_button)
        add_row.addStretch(1)
        add_row.addWidget(self.remove_day_button)
        closed_card.body.addLayout(add_row)
        return closed_card

    # --- Section -----------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._loaded is not None and self.form_value() != self._loaded.value

    def apply_permissions(self) -> None:
        editable = self.permitted(Permission.EDIT_SETTINGS)
        for widget in self._inputs:
            widget.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.undo_button.setVisible(editable)
        self.show_read_only(
            None if editable or self.user is None else read_only_note(Permission.EDIT_SETTINGS)
        )

    def load(self) -> None:
        practice = self.services.practice
        self.call(practice.response_rules, self._show)

    # --- form <-> rules ----------------------------------------------------------------
    def _show(self, loaded: Versioned[ResponseRules]) -> None:
        self._loaded = loaded
        rules = loaded.value
        for field, spin in self.days.items():
            spin.setValue(getattr(rules, field))
        for weekday, row in enumerate(self.day_rows):
            row.set(rules.hours.days.get(weekday))
        index = self.country.findData(rules.holiday_country)
        if index < 0:
            self.country.addItem(rules.holiday_country, rules.holiday_country)
            index = self.country.count() - 1
        self.country.setCurrentIndex(index)
        self.closed.clear()
        for day in rules.closed_days:
            self._add_day_item(day)
        self.loaded = True
        self._edited()

    def _add_day_item(self, day: date) -> None:
        text = app_locale().toString(
            QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat
        )
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, day)
        self.closed.addItem(item)

    def closed_days(self) -> tuple[date, ...]:
        days = {
            self.closed.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.closed.count())
        }
        return tuple(sorted(days))

    def form_value(self) -> ResponseRules:
        hours = {
            weekday: value
            for weekday, row in enumerate(self.day_rows)
            if (value := row.value()) is not None
        }
        return ResponseRules(
            negative_days=self.days["negative_days"].value(),
            neutral_days=self.days["neutral_days"].value(),
            positive_days=self.days["positive_days"].value(),
            hours=BusinessHours(hours),
            holiday_country=str(self.country.currentData()),
            closed_days=self.closed_days(),
        )

    def add_closed_day(self) -> None:
        q = self.new_day.date()
        day = date(q.year(), q.month(), q.day())
        if day not in self.closed_days():
            days = sorted((*self.closed_days(), day))
            self.closed.clear()
            for d in days:
                self._add_day_item(d)
        self._edited()

    def remove_closed_day(self) -> None:
        for item in self.closed.selectedItems():
            self.closed.takeItem(self.closed.row(item))
        self._edited()

    # --- saving ------------------------------------------------------------------------
    def _edited(self) -> None:
        self.closed.setVisible(self.closed.count() > 0)
        self.no_closed_days.setVisible(self.closed.count() == 0)
        dirty = self.dirty
        self.save_button.setEnabled(dirty)
        self.undo_button.setEnabled(dirty)

    def save(self) -> None:
        if self._loaded is None:
            return
        self.save_versioned(
            self.services.practice.save_response_rules,
            Versioned(self.form_value(), self._loaded.version),
            button=self.save_button,
            saved_text=tr("The rules of engagement are saved."),
            stored=self._stored,
            edited=self._edited,
        )

    def _stored(self, result: Versioned[ResponseRules]) -> None:
        self._loaded = result
