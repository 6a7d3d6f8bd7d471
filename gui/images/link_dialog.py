"""“Link to patient…”: find the patient as you type, then choose the consent that covers this
photo. Only an authorization in effect today that covers photos can be chosen; the others are
listed greyed out with why, so the person at the desk knows to take a new consent."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate, QLocale, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.model import Authorization, AuthorizationStatus, MediaKind, Patient
from gui import errors
from gui.tasks import TaskRunner
from gui.widgets import caption, heading, plain_label

SEARCH_DELAY_MS = 200
IN_EFFECT = frozenset({AuthorizationStatus.ACTIVE, AuthorizationStatus.EXPIRING})


@dataclass(frozen=True)
class LinkChoice:
    patient: Patient
    authorization_id: int


def _name(patient: Patient) -> str:
    name = f"{patient.last_name}, {patient.first_name}".strip(", ")
    return f"{name} ({patient.preferred_name})" if patient.preferred_name else name


class LinkPatientDialog(QDialog):
    """Choose a patient and one of their consents in effect. ``choice()`` after OK.

    Signals: QDialog's own.
    """

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Link to a patient"))
        self.setMinimumSize(520, 520)
        self._services = services
        self._runner = runner
        self._generation = 0
        self._patient: Patient | None = None
        column = QVBoxLayout(self)
        column.setSpacing(8)
        column.addWidget(heading(self.tr("Who is this?"), 2))
        column.addWidget(
            caption(
                self.tr(
                    "Find the patient, then choose the signed consent that covers photos. Only a "
                    "consent in effect today can be used."
                )
            )
        )
        search_label = plain_label(self.tr("Patient"))
        column.addWidget(search_label)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Type a name or phone number"))
        self.search.setAccessibleName(self.tr("Search patients"))
        self.search.setClearButtonEnabled(True)
        search_label.setBuddy(self.search)
        column.addWidget(self.search)
        self.patients = QListWidget()
        self.patients.setAccessibleName(self.tr("Patients found"))
        column.addWidget(self.patients, 2)
        consent_label = plain_label(self.tr("Consent"))
        column.addWidget(consent_label)
        self.consents = QListWidget()
        self.consents.setAccessibleName(self.tr("The patient's consents"))
        consent_label.setBuddy(self.consents)
        column.addWidget(self.consents, 1)
        self.hint = caption("")
        column.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        self.ok_button.setText(self.tr("Link"))
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._focus_patients)
        self.patients.currentItemChanged.connect(lambda _c, _p: self._patient_chosen())
        self.consents.currentItemChanged.connect(lambda _c, _p: self._update())
        self._search_now()

    def _focus_patients(self) -> None:
        if self.patients.count():
            self.patients.setFocus()
            if self.patients.currentRow() < 0:
                self.patients.setCurrentRow(0)

    def _search_now(self) -> None:
        self._generation += 1
        generation = self._generation
        consent, text = self._services.consent, self.search.text().strip()

        def found(patients: list[Patient]) -> None:
            if generation != self._generation:
                return
            self.patients.clear()
            for patient in patients:
                item = QListWidgetItem(_name(patient))
                item.setData(Qt.ItemDataRole.UserRole, patient)
                self.patients.addItem(item)
            if not patients:
                self.hint.setText(self.tr("No patient found. Check the spelling."))
            else:
                self.hint.setText("")

        self._runner.run(lambda: consent.search_patients(text, limit=50), found, self._failed)

    def _patient_chosen(self) -> None:
        item = self.patients.currentItem()
        self.consents.clear()
        self._update()
        patient = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(patient, Patient) or patient.id is None:
            self._patient = None
            return
        self._patient = patient
        consent, patient_id = self._services.consent, patient.id
        self._generation += 1
        generation = self._generation

        def load() -> list[tuple[Authorization, AuthorizationStatus]]:
            return [(a, consent.status_of(a)) for a in consent.authorizations(patient_id)]

        def loaded(rows: list[tuple[Authorization, AuthorizationStatus]]) -> None:
            if generation != self._generation:
                return
            self.consents.clear()
            first_usable = -1
            for auth, status in rows:
                usable = status in IN_EFFECT and MediaKind.PHOTO in auth.media_kinds
                item = QListWidgetItem(self._describe(auth, status))
                item.setData(Qt.ItemDataRole.UserRole, auth.id if usable else None)
                if not usable:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                elif first_usable < 0:
                    first_usable = self.consents.count()
                self.consents.addItem(item)
            if first_usable >= 0:
                self.consents.setCurrentRow(first_usable)
                self.hint.setText("")
            else:
                self.hint.setText(
                    self.tr(
                        "This patient has no consent for photos in effect. Take a new one on the "
                        "Consent page, or redact the face instead."
                    )
                )
            self._update()

        self._runner.run(load, loaded, self._failed)

    def _describe(self, auth: Authorization, status: AuthorizationStatus) -> str:
        locale = QLocale()
        signed = (
            locale.toString(
                QDate(auth.signed_on.year, auth.signed_on.month, auth.signed_on.day),
                QLocale.FormatType.ShortFormat,
            )
            if auth.signed_on
            else self.tr("not signed")
        )
        words = {
            AuthorizationStatus.ACTIVE: self.tr("in effect"),
            AuthorizationStatus.EXPIRING: self.tr("in effect, expires soon"),
            AuthorizationStatus.EXPIRED: self.tr("expired"),
            AuthorizationStatus.REVOKED: self.tr("withdrawn"),
            AuthorizationStatus.INCOMPLETE: self.tr("incomplete"),
            AuthorizationStatus.SUPERSEDED: self.tr("replaced by a newer one"),
        }
        state = words.get(status, status.value)
        if MediaKind.PHOTO not in auth.media_kinds:
            state = self.tr("does not cover photos")
        text = self.tr("Signed {signed} · {state}").format(signed=signed, state=state)
        if auth.media_description:
            text += f" · {auth.media_description}"
        return text

    def _update(self) -> None:
        self.ok_button.setEnabled(self.choice() is not None)

    def choice(self) -> LinkChoice | None:
        item = self.consents.currentItem()
        auth_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if self._patient is None or not isinstance(auth_id, int):
            return None
        return LinkChoice(self._patient, auth_id)

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)
