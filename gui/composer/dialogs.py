"""Small dialogs of the composer: a written reason (override, withdraw, request changes), a
publishing time, and a template's fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.composer.templates import Template
from gui.widgets import caption, heading

FIELD_LABELS = {
    "about": "About",
    "doctor": "Doctor",
    "end_date": "Until",
    "event": "Event",
    "event_date": "Date of the event",
    "event_place": "Place",
    "holiday": "Holiday",
    "link": "Link (https://…)",
    "observance": "Awareness day or month",
    "reopen_date": "Open again on",
    "service": "Service",
    "source": "Source",
    "staff_name": "Staff member's name",
    "staff_role": "Their role",
    "start_date": "From",
    "tip": "The tip",
    "topic": "Topic",
    "when": "When",
}


class ScheduleDialog(QDialog):
    """Picks when to publish, in the practice's time zone (shown, so a laptop in another zone
    cannot mislead). ``when()`` is the aware UTC time."""

    def __init__(
        self, tz: ZoneInfo, now: datetime, current: datetime | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Schedule the post"))
        self._tz = tz
        column = QVBoxLayout(self)
        column.addWidget(heading(self.tr("When should it go out?"), 2))
        column.addWidget(
            caption(self.tr("Times are the practice's time ({zone}).").format(zone=tz.key))
        )
        proposal = current or _next_slot(now.astimezone(tz))
        local = proposal.astimezone(tz)
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("ddd d MMM yyyy  h:mm AP")
        # Only the date and time fields are read back (``when``), combined with the practice's
        # zone: the widget's own zone (the computer's) never shifts them.
        self.edit.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        self.edit.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day),
                QTime(local.hour, local.minute),
                QTimeZone(QTimeZone.Initialization.UTC),
            )
        )
        self.edit.setAccessibleName(self.tr("Publishing date and time"))
        column.addWidget(self.edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Schedule"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def when(self) -> datetime:
        qdate = self.edit.date()
        qtime = self.edit.time()
        local = datetime.combine(
            date(qdate.year(), qdate.month(), qdate.day()),
            time(qtime.hour(), qtime.minute()),
            tzinfo=self._tz,
        )
        return local.astimezone(ZoneInfo("UTC"))

    def set_when(self, when: datetime) -> None:
        local = when.astimezone(self._tz)
        self.edit.setDate(QDate(local.year, local.month, local.day))
        self.edit.setTime(QTime(local.hour, local.minute))


def _next_slot(local_now: datetime) -> datetime:
    """A sensible default: tomorrow at 10:00 (mid-morning posts do well for local businesses)."""
    tomorrow = (local_now + timedelta(days=1)).date()
    return datetime.combine(tomorrow, time(10, 0), tzinfo=local_now.tzinfo)


class TemplateDialog(QDialog):
    """Chooses a template and fills in its fields (about the practice, never about patients).
    ``chosen()`` and ``values()`` give the answer."""

    def __init__(
        self,
        templates: Sequence[Template],
        *,
        initial: str | None = None,
        values: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Start from a template"))
        self.setMinimumWidth(520)
        self._templates = list(templates)
        self._initial_values = dict(values or {})
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(heading(self.tr("Start from a template"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "Fill in the details about the practice; the practice's name, phone and "
                    "website are added for you."
                )
            )
        )
        self.choice = QComboBox()
        self.choice.setAccessibleName(self.tr("Template"))
        for template in self._templates:
            self.choice.addItem(template.name, template.id)
        column.addWidget(self.choice)
        self.preview = caption("")
        column.addWidget(self.preview)
        self.form = QFormLayout()
        column.addLayout(self.form)
        self.fields: dict[str, QLineEdit] = {}
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Use template"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.choice.currentIndexChanged.connect(self._rebuild)
        if initial is not None:
            index = self.choice.findData(initial)
            if index >= 0:
                self.choice.setCurrentIndex(index)
        self._rebuild()

    def chosen(self) -> Template:
        return self._templates[max(self.choice.currentIndex(), 0)]

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.fields.items()}

    def _rebuild(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        if not self._templates:
            return
        template = self.chosen()
        self.preview.setText(template.text)
        for name in template.user_fields:
            edit = QLineEdit(self._initial_values.get(name, ""))
            label = self.tr(FIELD_LABELS.get(name, name.replace("_", " ").capitalize()))
            edit.setAccessibleName(label)
            self.form.addRow(label, edit)
            self.fields[name] = edit
