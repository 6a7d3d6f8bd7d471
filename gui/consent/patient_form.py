"""Step 1 of the capture: find the patient as you type, or add them on the spot."""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.model import Patient
from core.staff.model import StaffMember
from gui import errors
from gui.consent.wording import long_date, tr
from gui.tasks import TaskRunner
from gui.widgets import button, caption, plain_label

SEARCH_DELAY_MS = 150
NO_DATE = QDate(1900, 1, 1)
"""The date edit's minimum, shown as "Not given"."""
AUTHORITIES = ("Parent", "Legal guardian", "Health care power of attorney")


def patient_line(patient: Patient) -> str:
    """ "Marisol Quintero · born April 2, 2012 · minor" for a list row."""
    parts = [f"{patient.first_name} {patient.last_name}".strip()]
    if patient.preferred_name:
        parts[0] += f" ({patient.preferred_name})"
    if patient.date_of_birth is not None:
        parts.append(tr("born {date}").format(date=long_date(patient.date_of_birth)))
    if patient.phone:
        parts.append(patient.phone)
    return " · ".join(parts)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class NewPatientForm(QWidget):
    """The few facts the consent tracker keeps about a new patient; "Add patient" stores them.

    Signals:
        added(object): the new ``Patient``, stored.
        cancelled(): the person went back to searching.
    """

    added = Signal(object)
    cancelled = Signal()

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user: StaffMember | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        form = self._form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.first_name = self._line(form, self.tr("First name"))
        self.last_name = self._line(form, self.tr("Last name"))
        self.preferred_name = self._line(form, self.tr("Preferred name (optional)"))
        self.date_of_birth = QDateEdit()
        self.date_of_birth.setCalendarPopup(True)
        self.date_of_birth.setDisplayFormat("MM/dd/yyyy")
        self.date_of_birth.setMinimumDate(NO_DATE)
        self.date_of_birth.setSpecialValueText(self.tr("Not given"))
        self.date_of_birth.setDate(NO_DATE)
        self.date_of_birth.setAccessibleName(self.tr("Date of birth (optional)"))
        self.date_of_birth.setMaximumWidth(260)
        form.addRow(self.tr("Date of birth (optional)"), self.date_of_birth)
        self.phone = self._line(form, self.tr("Phone"))
        self.email = self._line(form, self.tr("E-mail"))
        self.minor = QCheckBox(self.tr("A parent or guardian signs for this patient (a minor)"))
        form.addRow("", self.minor)
        self.representative_name = self._line(form, self.tr("Their name"))
        self.representative_authority = QComboBox()
        self.representative_authority.setEditable(True)
        self.representative_authority.addItems([self.tr(a) for a in AUTHORITIES])
        self.representative_authority.setAccessibleName(self.tr("Their authority"))
        form.addRow(self.tr("Their authority"), self.representative_authority)
        column.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        self.back_button = button(self.tr("Back to search"), kind="ghost")
        self.back_button.clicked.connect(self.cancelled)
        row.addWidget(self.back_button)
        self.add_button = button(self.tr("Add patient"), "plus", "primary")
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.add_button)
        column.addLayout(row)
        self.minor.toggled.connect(self._update)
        self._update()

    def _line(self, form: QFormLayout, label: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(label)
        edit.setMaxLength(120)
        form.addRow(label, edit)
        return edit

    def _update(self) -> None:
        for widget in (self.representative_name, self.representative_authority):
            self._form.setRowVisible(widget, self.minor.isChecked())

    def start(self, text: str) -> None:
        """Begin with what was typed in the search box as the name."""
        words = text.split()
        if words and not any(c.isdigit() for c in text):
            self.first_name.setText(words[0].title())
            self.last_name.setText(" ".join(words[1:]).title())
        self.first_name.setFocus()

    def patient(self) -> Patient:
        dob = self.date_of_birth.date()
        minor = self.minor.isChecked()
        return Patient(
            id=None,
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            preferred_name=self.preferred_name.text().strip(),
            date_of_birth=None if dob == NO_DATE else to_date(dob),
            phone=self.phone.text().strip(),
            email=self.email.text().strip(),
            minor=minor,
            representative_name=self.representative_name.text().strip() if minor else "",
            representative_authority=(
                self.representative_authority.currentText().strip() if minor else ""
            ),
        )

    def add(self) -> None:
        if self.user is None:
            return
        consent, actor, patient = self.services.consent, self.user, self.patient()
        self.add_button.setEnabled(False)

        def done(stored: Patient) -> None:
            if not shiboken6.isValid(self):
                return
            self.add_button.setEnabled(True)
            self.added.emit(stored)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.add_button.setEnabled(True)
            errors.show_error(self if shiboken6.isValid(self) else None, exc)

        self.runner.run(lambda: consent.add_patient(actor, patient), done, failed)

    def clear(self) -> None:
        for edit in (
            self.first_name,
            self.last_name,
            self.preferred_name,
            self.phone,
            self.email,
            self.representative_name,
        ):
            edit.clear()
        self.date_of_birth.setDate(NO_DATE)
        self.minor.setChecked(False)


class PatientPicker(QWidget):
    """Search as you type (name or phone) with the matches under it, "New patient" for someone
    not there yet, and the chosen patient with a "Change" button.

    Signals:
        chosen(object): a ``Patient`` was chosen (or ``None`` when "Change" cleared it).
    """

    chosen = Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.patient: Patient | None = None
        self._generation = 0
        self.stack = QStackedWidget()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack)

        self.stack.addWidget(self._build_finder())
        self.new_form = NewPatientForm(services, runner)
        self.stack.addWidget(self.new_form)

        chosen = QWidget()
        chosen_row = QHBoxLayout(chosen)
        chosen_row.setContentsMargins(0, 0, 0, 0)
        self.chosen_label = plain_label()
        self.chosen_label.setProperty("heading", "3")
        chosen_row.addWidget(self.chosen_label, 1)
        self.change_button = button(self.tr("Change"), kind="ghost")
        self.change_button.clicked.connect(self.change)
        chosen_row.addWidget(self.change_button)
        self.stack.addWidget(chosen)
        self._chosen_view = chosen

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._take_first)
        self.results.itemActivated.connect(self._picked)
        self.results.itemClicked.connect(self._picked)
        self.new_button.clicked.connect(self._new)
        self.new_form.added.connect(self.choose)
        self.new_form.cancelled.connect(lambda: self.stack.setCurrentIndex(0))
        self.stack.currentChanged.connect(self._fit)
        self._fit()

    def _build_finder(self) -> QWidget:
        finder = QWidget()
        finder_column = QVBoxLayout(finder)
        finder_column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Type the patient's name or phone number"))
        self.search.setAccessibleName(self.tr("Find the patient"))
        self.search.setClearButtonEnabled(True)
        row.addWidget(self.search, 1)
        self.new_button = button(self.tr("New patient"), "plus")
        row.addWidget(self.new_button)
        finder_column.addLayout(row)
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Matching patients"))
        self.results.setVisible(False)
        finder_column.addWidget(self.results)
        self.no_match = caption("")
        self.no_match.setVisible(False)
        finder_column.addWidget(self.no_match)
        return finder

    def _fit(self, _index: int = 0) -> None:
        """Only the page on show takes room (a stack is as tall as its tallest page)."""
        current = self.stack.currentWidget()
        for i in range(self.stack.count()):
            page = self.stack.widget(i)
            if page is None:
                continue
            policy = QSizePolicy.Policy.Preferred if page is current else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.adjustSize()
        self.updateGeometry()

    def set_user(self, member: StaffMember | None) -> None:
        self.new_form.user = member

    def choose(self, patient: Patient) -> None:
        self.patient = patient
        self.chosen_label.setText(patient_line(patient))
        self.stack.setCurrentWidget(self._chosen_view)
        self.chosen.emit(patient)

    def change(self) -> None:
        self.patient = None
        self.stack.setCurrentIndex(0)
        self.search.setFocus()
        self.chosen.emit(None)

    def _new(self) -> None:
        self.new_form.clear()
        self.stack.setCurrentWidget(self.new_form)
        self.new_form.start(self.search.text())

    def _search_now(self) -> None:
        text = self.search.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self.results.clear()
            self.results.setVisible(False)
            self.no_match.setVisible(False)
            return
        consent = self.services.consent

        def found(patients: list[Patient]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self.results.clear()
            for patient in patients:
                item = QListWidgetItem(patient_line(patient))
                item.setData(Qt.ItemDataRole.UserRole, patient)
                self.results.addItem(item)
            rows = min(len(patients), 5)
            self.results.setFixedHeight(rows * (self.results.sizeHintForRow(0) + 2) + 6)
            self.results.setVisible(bool(patients))
            self.no_match.setText(
                self.tr('Nobody matches "{text}". Use "New patient" to add them.').format(text=text)
            )
            self.no_match.setVisible(not patients)
            if patients:
                self.results.setCurrentRow(0)

        self.runner.run(
            lambda: consent.search_patients(text, limit=20),
            found,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self if shiboken6.isValid(self) else None, exc)

    def _take_first(self) -> None:
        item = self.results.currentItem() or self.results.item(0)
        if item is not None and self.results.isVisible():
            self._picked(item)

    def _picked(self, item: QListWidgetItem) -> None:
        patient = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(patient, Patient):
            self.choose(patient)
