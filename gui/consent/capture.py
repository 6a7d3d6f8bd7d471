"""The one-minute consent capture at the desk: the patient, the practice's form, what may be
used where and what for, the statements read, the signature — then the signed PDF to print or
hand over."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.forms import ConsentForm, render_text
from core.consent.model import Authorization, AuthorizationStatus, Patient, SignatureKind
from core.practice.model import Practice
from core.staff.model import StaffMember
from gui import errors
from gui.consent.capture_scope import ScopeStep
from gui.consent.capture_sign import SignatureStep, StatementsStep
from gui.consent.patient_form import PatientPicker
from gui.consent.pdf import authorization_pdf
from gui.consent.printing import print_authorization
from gui.consent.wording import long_date, missing_line, status_label
from gui.tasks import TaskRunner
from gui.widgets import Banner, Card, button, caption, heading, plain_label

MISSING_DELAY_MS = 120
_PLACEHOLDER_REF = "pending"
"""Stands in for the signature's vault hash in the live "Missing" check before saving."""


class CaptureDialog(QDialog):
    """Takes a patient's photo consent at the desk, in five numbered steps.

    ``patient`` starts with that patient chosen; ``previous`` (an earlier authorization)
    starts a re-consent with its scope filled in. Saving stores the authorization (as
    incomplete when something is missing), produces the signed PDF and keeps it, then offers
    to print or open it.

    Signals:
        saved(object): the stored ``Authorization``, its PDF attached.
    """

    saved = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        user: StaffMember,
        *,
        patient: Patient | None = None,
        previous: Authorization | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.user = user
        self.previous = previous
        self.form: ConsentForm | None = None
        self.practice: Practice | None = None
        self.today = date.today()
        self.stored: Authorization | None = None
        self._signature_png: bytes | None = None
        self.missing: tuple[str, ...] = ()
        self._missing_generation = 0
        self.setWindowTitle(self.tr("Photo consent"))
        self.setModal(True)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(940, screen.width() - 40), min(720, screen.height() - 40))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)
        self.pages.addWidget(self._build_steps())
        self.pages.addWidget(self._build_done())

        self.picker.set_user(user)
        self._missing_timer = QTimer(self)
        self._missing_timer.setSingleShot(True)
        self._missing_timer.setInterval(MISSING_DELAY_MS)
        self._missing_timer.timeout.connect(self._check_missing)
        self._connect_changes()
        self.missing = ("patient",)
        self._show_missing()
        self._load(patient)

    # --- layout ----------------------------------------------------------------------------
    def _build_steps(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        steps = QVBoxLayout(holder)
        steps.setContentsMargins(24, 20, 24, 20)
        steps.setSpacing(14)
        title = self.tr("Re-consent") if self.previous else self.tr("New photo consent")
        steps.addWidget(heading(title, 1))
        steps.addWidget(self._patient_step())
        steps.addWidget(self._form_step())
        self.scope = ScopeStep(self._step_title(3, self.tr("What, where and for how long")))
        steps.addWidget(self.scope)
        self.statements = StatementsStep(self._step_title(4, self.tr("The statements")))
        steps.addWidget(self.statements)
        self.signing = SignatureStep(self._step_title(5, self.tr("Signature")), self.runner)
        steps.addWidget(self.signing)
        steps.addStretch(1)
        scroll.setWidget(holder)
        self.steps_scroll = scroll
        column.addWidget(scroll, 1)

        bar = QWidget()
        bar.setObjectName("captureBar")
        bar_row = QHBoxLayout(bar)
        bar_row.setContentsMargins(24, 12, 24, 14)
        self.missing_label = plain_label(wrap=True)
        self.missing_label.setProperty("error", "true")
        self.missing_label.setAccessibleName(self.tr("What is missing"))
        bar_row.addWidget(self.missing_label, 1)
        self.cancel_button = button(self.tr("Cancel"), kind="ghost")
        self.cancel_button.clicked.connect(self.reject)
        bar_row.addWidget(self.cancel_button)
        self.save_button = button(self.tr("Save"), "check-circle", "primary")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        bar_row.addWidget(self.save_button)
        column.addWidget(bar)
        return page

    def _step_title(self, number: int, title: str) -> str:
        return self.tr("{n}. {title}").format(n=number, title=title)

    def _step(self, number: int, title: str) -> Card:
        return Card(self._step_title(number, title))

    def _patient_step(self) -> Card:
        card = self._step(1, self.tr("Patient"))
        self.picker = PatientPicker(self.services, self.runner)
        card.body.addWidget(self.picker)
        return card

    def _form_step(self) -> Card:
        card = self._step(2, self.tr("Form"))
        self.form_label = plain_label(self.tr("Loading the practice's form…"), wrap=True)
        card.body.addWidget(self.form_label)
        return card

    def _build_done(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(32, 28, 32, 28)
        column.setSpacing(14)
        self.done_title = heading("", 1)
        column.addWidget(self.done_title)
        self.done_banner = Banner("", "success")
        column.addWidget(self.done_banner)
        self.done_text = caption(
            self.tr("Print the signed form for the patient, or open it to look it over.")
        )
        column.addWidget(self.done_text)
        row = QHBoxLayout()
        self.print_button = button(self.tr("Print"), "print", "primary")
        self.print_button.clicked.connect(self.print_pdf)
        row.addWidget(self.print_button)
        self.open_button = button(self.tr("Open PDF"), "download")
        self.open_button.clicked.connect(self.open_pdf)
        row.addWidget(self.open_button)
        row.addStretch(1)
        self.close_button = button(self.tr("Close"))
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.close_button)
        column.addLayout(row)
        column.addStretch(1)
        return page

    # --- loading ---------------------------------------------------------------------------
    def _load(self, patient: Patient | None) -> None:
        consent, practice_service = self.services.consent, self.services.practice

        def load() -> tuple[ConsentForm, Practice, date]:
            return consent.form(), practice_service.practice().value, consent.today()

        def loaded(result: tuple[ConsentForm, Practice, date]) -> None:
            if not shiboken6.isValid(self):
                return
            form, practice, today = result
            self.form = render_text(form, practice.name, practice.address, practice.phone)
            self.practice = practice
            self.today = today
            self.form_label.setText(
                self.tr("{title} — version {version}").format(
                    title=self.form.title, version=self.form.version
                )
            )
            self.statements.set_form(self.form)
            self.signing.set_today(today)
            self.scope.set_today(today, default_end=self.previous is None)
            if self.previous is not None:
                self._fill_from(self.previous)
            self._schedule_missing()

        self.runner.run(load, loaded, self._failed)
        if patient is not None:
            self.picker.choose(patient)
        elif self.previous is not None:
            pid = self.previous.patient_id
            self.runner.run(lambda: consent.get_patient(pid), self._choose, self._failed)
        else:
            self.picker.search.setFocus()

    def _choose(self, patient: Patient) -> None:
        if shiboken6.isValid(self):
            self.picker.choose(patient)

    def _fill_from(self, old: Authorization) -> None:
        """Re-consent: the scope of the earlier authorization; dates, statements and the
        signature start empty again."""
        self.scope.fill_from(old, self.today)
        if old.signer_name:
            self.signing.signer_name.setText(old.signer_name)
        self.signing.representative_authority.setText(old.representative_authority)

    # --- the draft -------------------------------------------------------------------------
    def _connect_changes(self) -> None:
        for step in (self.scope, self.statements, self.signing):
            step.changed.connect(self._schedule_missing)
        self.picker.chosen.connect(self._patient_chosen)

    def _patient_chosen(self, patient: Patient | None) -> None:
        if patient is not None and not (self.previous and self.previous.signer_name):
            self.signing.fill_signer(patient)
        self._schedule_missing()

    def patient(self) -> Patient | None:
        return self.picker.patient

    def draft(self) -> Authorization:
        """The authorization as filled in so far (not stored; no signature reference)."""
        patient = self.patient()
        form = self.form
        draft = Authorization(
            id=None,
            patient_id=patient.id or 0 if patient is not None else 0,
            form_version=form.version if form is not None else "",
            media_hashes=self.previous.media_hashes if self.previous else (),
            discloser=self.practice.name if self.practice is not None else "",
            taken_by=self.user.id,
            taken_at=datetime.now(UTC),
        )
        for step in (self.scope, self.statements, self.signing):
            draft = step.apply_to(draft)
        return draft

    def _schedule_missing(self) -> None:
        self._missing_timer.start()

    def _check_missing(self) -> None:
        patient = self.patient()
        self._missing_generation += 1
        generation = self._missing_generation
        if patient is None or patient.id is None or self.form is None:
            self.missing = ("patient",)
            self._show_missing()
            return
        draft = self.draft()
        if self.signing.signed():
            kind = "pad" if self.signing.on_screen() else "scan"
            draft = replace(
                draft, signature_kind=SignatureKind(kind), signature_ref=_PLACEHOLDER_REF
            )
        consent = self.services.consent

        def checked(missing: tuple[str, ...]) -> None:
            if shiboken6.isValid(self) and generation == self._missing_generation:
                self.missing = missing
                self._show_missing()

        self.runner.run(lambda: consent.missing(draft), checked, lambda _e: None)

    def _show_missing(self) -> None:
        if self.missing == ("patient",):
            self.missing_label.setText(self.tr("Missing: the patient"))
            self.save_button.setEnabled(False)
            self.save_button.setText(self.tr("Save"))
            return
        self.save_button.setEnabled(self.stored is None)
        self.missing_label.setText(missing_line(self.missing))
        self.save_button.setText(self.tr("Save as incomplete") if self.missing else self.tr("Save"))

    # --- actions ---------------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self if shiboken6.isValid(self) else None, exc)

    def save(self) -> None:
        """Store the authorization, make its signed PDF and keep that too (one task)."""
        patient, form, practice = self.patient(), self.form, self.practice
        if patient is None or form is None or practice is None or self.stored is not None:
            return
        on_screen, pad = self.signing.on_screen(), self.signing.pad
        png = pad.to_png() if on_screen and not pad.is_empty() else None
        scan = self.signing.scan if not on_screen else None
        draft, actor, consent = self.draft(), self.user, self.services.consent

        def work() -> tuple[Authorization, AuthorizationStatus, tuple[str, ...]]:
            stored = consent.save_authorization(actor, draft, signature_png=png, scan=scan)
            assert stored.id is not None
            pdf = authorization_pdf(
                stored, patient, form, practice, png, taken_by_name=actor.display_name
            )
            stored = consent.attach_pdf(actor, stored.id, pdf)
            return stored, consent.status_of(stored), consent.missing(stored)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.save_button.setEnabled(True)
            errors.show_error(self if shiboken6.isValid(self) else None, exc)

        self.save_button.setEnabled(False)
        self.runner.run(work, self._saved, failed)
        self._signature_png = png

    def _saved(self, result: tuple[Authorization, AuthorizationStatus, tuple[str, ...]]) -> None:
        stored, status, missing = result
        if not shiboken6.isValid(self):
            return
        self.stored = stored
        self.missing = missing
        if missing:
            self.done_title.setText(self.tr("Saved as incomplete"))
            self.done_banner.setProperty("tone", "warning")
            self.done_banner.set_text(
                self.tr("{missing}. It cannot be used until a complete one is signed.").format(
                    missing=missing_line(missing)
                )
            )
        else:
            self.done_title.setText(self.tr("Consent saved"))
            self.done_banner.setProperty("tone", "success")
            ends = (
                long_date(stored.expires_on)
                if stored.expires_on is not None
                else stored.expiry_event
            )
            self.done_banner.set_text(
                self.tr("{status}. It covers what was ticked until {ends}.").format(
                    status=status_label(status), ends=ends
                )
            )
        self.done_banner.style().unpolish(self.done_banner)
        self.done_banner.style().polish(self.done_banner)
        self.pages.setCurrentIndex(1)
        self.print_button.setFocus()
        self.saved.emit(stored)

    def open_pdf(self) -> None:
        """Open the signed PDF in the computer's PDF viewer."""
        if self.stored is None:
            return
        consent, digest = self.services.consent, self.stored.pdf_ref

        def found(path: Path | None) -> None:
            if path is not None:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.runner.run(lambda: consent.media_path(digest, ".pdf"), found, self._failed)

    def print_pdf(self) -> None:
        """Print the signed form through the system's print dialog (painted straight onto the
        printer, the same layout as the PDF)."""
        if self.stored is None or self.form is None or self.practice is None:
            return
        patient = self.patient()
        if patient is None:
            return
        print_authorization(
            self,
            auth=self.stored,
            patient=patient,
            form=self.form,
            practice=self.practice,
            signature_png=self._signature_png,
            taken_by_name=self.user.display_name,
        )
