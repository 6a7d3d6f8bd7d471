"""The one-minute consent capture at the desk: the patient, the practice's form, what may be
used where and what for, the statements read, the signature — then the signed PDF to print or
hand over."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.app import Services
from core.consent.forms import ConsentForm, render_text
from core.consent.model import (
    Authorization,
    AuthorizationStatus,
    MediaKind,
    Patient,
    Purpose,
    SignatureKind,
)
from core.practice.model import Practice
from core.staff.model import StaffMember
from gui import errors
from gui.consent.patient_form import PatientPicker, to_date, to_qdate
from gui.consent.pdf import authorization_pdf
from gui.consent.printing import print_authorization
from gui.consent.signature import SignaturePad
from gui.consent.wording import (
    long_date,
    media_kind_label,
    missing_line,
    purpose_label,
    recipient_ids,
    recipient_label,
    status_label,
)
from gui.tasks import TaskRunner
from gui.widgets import Banner, Card, button, caption, heading, plain_label

MISSING_DELAY_MS = 120
DEFAULT_YEARS = 2
MAX_SCAN_BYTES = 25 * 1024 * 1024
SCAN_FILTER = "Images and PDF (*.jpg *.jpeg *.png *.heic *.tif *.tiff *.pdf)"
_PLACEHOLDER_REF = "pending"
"""Stands in for the signature's vault hash in the live "Missing" check before saving."""


def _read_scan(path: str) -> bytes:
    file = Path(path)
    if file.stat().st_size > MAX_SCAN_BYTES:
        raise ValueError("too big")
    return file.read_bytes()


class _WrappedCheck(QWidget):
    """A checkbox with a long, wrapped statement beside it (QCheckBox does not wrap)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.box = QCheckBox()
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        self.label = plain_label(text, wrap=True)
        self.label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.label.mousePressEvent = lambda _e: self.box.toggle()  # type: ignore[method-assign]
        row.addWidget(self.label, 1)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.box.setAccessibleName(text)


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
        self.scan: bytes | None = None
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
        steps.addWidget(self._scope_step())
        steps.addWidget(self._statements_step())
        steps.addWidget(self._signature_step())
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

    def _step(self, number: int, title: str) -> Card:
        return Card(self.tr("{n}. {title}").format(n=number, title=title))

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

    def _scope_step(self) -> Card:
        card = self._step(3, self.tr("What, where and for how long"))
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self._what_rows(form)
        self._where_rows(form)
        until_box = QWidget()
        until = QGridLayout(until_box)
        until.setContentsMargins(0, 0, 0, 0)
        until.setHorizontalSpacing(12)
        until.setVerticalSpacing(8)
        self.until_date = QRadioButton(self.tr("On this date"))
        self.until_event = QRadioButton(self.tr("When this happens"))
        group = QButtonGroup(self)
        group.addButton(self.until_date)
        group.addButton(self.until_event)
        self.expires_on = QDateEdit()
        self.expires_on.setCalendarPopup(True)
        self.expires_on.setDisplayFormat("MMMM d, yyyy")
        self.expires_on.setAccessibleName(self.tr("Ends on"))
        self.expires_on.setMaximumWidth(260)
        self.expiry_event = QLineEdit()
        self.expiry_event.setPlaceholderText(self.tr("For example: when I leave the practice"))
        self.expiry_event.setAccessibleName(self.tr("Ends when"))
        until.addWidget(self.until_date, 0, 0)
        until.addWidget(self.expires_on, 0, 1)
        until.addWidget(self.until_event, 1, 0)
        until.addWidget(self.expiry_event, 1, 1)
        until.setColumnStretch(2, 1)
        self.until_date.setChecked(True)
        form.addRow(self.tr("Until"), until_box)

        options = QHBoxLayout()
        options.setSpacing(24)
        self.first_name_only = QCheckBox(self.tr("First name only"))
        self.blur_face = QCheckBox(self.tr("Blur the face"))
        self.no_tagging = QCheckBox(self.tr("No tagging"))
        for box in (self.first_name_only, self.blur_face, self.no_tagging):
            options.addWidget(box)
        options.addStretch(1)
        form.addRow(self.tr("The patient asks for"), options)
        card.body.addLayout(form)
        return card

    def _what_rows(self, form: QFormLayout) -> None:
        kinds = QHBoxLayout()
        kinds.setSpacing(24)
        self.kind_boxes: dict[MediaKind, QCheckBox] = {}
        for kind in MediaKind:
            box = QCheckBox(media_kind_label(kind))
            self.kind_boxes[kind] = box
            kinds.addWidget(box)
        kinds.addStretch(1)
        form.addRow(self.tr("What may be used"), kinds)
        self.description = QLineEdit()
        self.description.setPlaceholderText(
            self.tr("For example: before-and-after photos of the smile makeover")
        )
        self.description.setAccessibleName(self.tr("Which ones"))
        form.addRow(self.tr("Which ones"), self.description)

    def _where_rows(self, form: QFormLayout) -> None:
        where = QVBoxLayout()
        where.setSpacing(4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        self.recipient_boxes: dict[str, QCheckBox] = {}
        for i, recipient in enumerate(recipient_ids()):
            box = QCheckBox(recipient_label(recipient))
            self.recipient_boxes[recipient] = box
            grid.addWidget(box, i // 4, i % 4)
        where.addLayout(grid)
        self.all_places_button = button(self.tr("Tick every place"), kind="ghost")
        self.all_places_button.clicked.connect(self._tick_every_place)
        where.addWidget(self.all_places_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.tr("Where"), where)

        purposes = QHBoxLayout()
        purposes.setSpacing(24)
        self.purpose_boxes: dict[Purpose, QCheckBox] = {}
        for purpose in Purpose:
            box = QCheckBox(purpose_label(purpose))
            self.purpose_boxes[purpose] = box
            purposes.addWidget(box)
        purposes.addStretch(1)
        form.addRow(self.tr("What for"), purposes)

    def _statements_step(self) -> Card:
        card = self._step(4, self.tr("The statements"))
        card.body.addWidget(
            caption(
                self.tr(
                    "Read each one to the patient (or let them read it), then tick it: "
                    '"I have read this to the patient / the patient has read it."'
                )
            )
        )
        self.statement_checks: dict[str, _WrappedCheck] = {}
        for code in ("right_to_revoke", "treatment_not_conditioned", "redisclosure"):
            check = _WrappedCheck("")
            self.statement_checks[code] = check
            card.body.addWidget(check)
        return card

    def _signature_step(self) -> Card:
        card = self._step(5, self.tr("Signature"))
        how = QHBoxLayout()
        self.sign_on_screen = QRadioButton(self.tr("Sign on the screen"))
        self.sign_on_paper = QRadioButton(
            self.tr("Attach a photo or scan of the signed paper form")
        )
        group = QButtonGroup(self)
        group.addButton(self.sign_on_screen)
        group.addButton(self.sign_on_paper)
        self.sign_on_screen.setChecked(True)
        how.addWidget(self.sign_on_screen)
        how.addWidget(self.sign_on_paper)
        how.addStretch(1)
        card.body.addLayout(how)
        self.pad = SignaturePad()
        card.body.addWidget(self.pad)
        self.scan_row = QWidget()
        scan_row = QHBoxLayout(self.scan_row)
        scan_row.setContentsMargins(0, 0, 0, 0)
        self.scan_button = button(self.tr("Choose the photo or scan…"), "images")
        self.scan_button.clicked.connect(self._choose_scan)
        scan_row.addWidget(self.scan_button)
        self.scan_label = caption(self.tr("Nothing attached yet."), wrap=False)
        scan_row.addWidget(self.scan_label, 1)
        self.scan_row.setVisible(False)
        card.body.addWidget(self.scan_row)

        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.signer_name = QLineEdit()
        self.signer_name.setAccessibleName(self.tr("Signed by"))
        form.addRow(self.tr("Signed by"), self.signer_name)
        self.representative_authority = QLineEdit()
        self.representative_authority.setPlaceholderText(
            self.tr("Only when someone signs for the patient: parent, legal guardian…")
        )
        self.representative_authority.setAccessibleName(self.tr("Signing as"))
        form.addRow(self.tr("Signing as"), self.representative_authority)
        self.signed_on = QDateEdit()
        self.signed_on.setCalendarPopup(True)
        self.signed_on.setDisplayFormat("MMMM d, yyyy")
        self.signed_on.setAccessibleName(self.tr("Signed on"))
        self.signed_on.setMaximumWidth(260)
        form.addRow(self.tr("Signed on"), self.signed_on)
        copies = QHBoxLayout()
        copies.setSpacing(24)
        self.copy_offered = QCheckBox(self.tr("Copy offered"))
        self.copy_given = QCheckBox(self.tr("Copy given"))
        copies.addWidget(self.copy_offered)
        copies.addWidget(self.copy_given)
        copies.addStretch(1)
        form.addRow(self.tr("Patient's copy"), copies)
        card.body.addLayout(form)
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
            for code, check in self.statement_checks.items():
                check.set_text(self.form.statements.get(code, ""))
            self.signed_on.setMaximumDate(to_qdate(today))
            self.signed_on.setDate(to_qdate(today))
            self.expires_on.setMinimumDate(to_qdate(today))
            self.expires_on.setDate(
                to_qdate(today).addYears(DEFAULT_YEARS) if self.previous is None else QDate()
            )
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
        for kind, box in self.kind_boxes.items():
            box.setChecked(kind in old.media_kinds)
        self.description.setText(old.media_description)
        for recipient, box in self.recipient_boxes.items():
            box.setChecked(recipient in old.recipients)
        for purpose, box in self.purpose_boxes.items():
            box.setChecked(purpose in old.purposes)
        self.expires_on.setDate(to_qdate(self.today).addYears(DEFAULT_YEARS))
        if old.expiry_event and old.expires_on is None:
            self.until_event.setChecked(True)
        self.expiry_event.setText(old.expiry_event)
        self.first_name_only.setChecked(old.first_name_only)
        self.blur_face.setChecked(old.blur_face)
        self.no_tagging.setChecked(old.no_tagging)
        if old.signer_name:
            self.signer_name.setText(old.signer_name)
        self.representative_authority.setText(old.representative_authority)

    # --- the draft -------------------------------------------------------------------------
    def _connect_changes(self) -> None:
        boxes: list[QCheckBox] = [
            *self.kind_boxes.values(),
            *self.recipient_boxes.values(),
            *self.purpose_boxes.values(),
            *(c.box for c in self.statement_checks.values()),
            self.first_name_only,
            self.blur_face,
            self.no_tagging,
            self.copy_offered,
            self.copy_given,
        ]
        for box in boxes:
            box.toggled.connect(self._schedule_missing)
        for edit in (
            self.description,
            self.expiry_event,
            self.signer_name,
            self.representative_authority,
        ):
            edit.textChanged.connect(self._schedule_missing)
        for date_edit in (self.expires_on, self.signed_on):
            date_edit.dateChanged.connect(self._schedule_missing)
        self.until_date.toggled.connect(self._until_changed)
        self.sign_on_screen.toggled.connect(self._signing_changed)
        self.pad.changed.connect(self._schedule_missing)
        self.picker.chosen.connect(self._patient_chosen)
        self._until_changed()

    def _until_changed(self) -> None:
        self.expires_on.setEnabled(self.until_date.isChecked())
        self.expiry_event.setEnabled(self.until_event.isChecked())
        self._schedule_missing()

    def _signing_changed(self) -> None:
        on_screen = self.sign_on_screen.isChecked()
        self.pad.setVisible(on_screen)
        self.scan_row.setVisible(not on_screen)
        self._schedule_missing()

    def _patient_chosen(self, patient: Patient | None) -> None:
        if patient is not None and not (self.previous and self.previous.signer_name):
            if patient.minor or patient.representative_name:
                self.signer_name.setText(patient.representative_name)
                self.representative_authority.setText(patient.representative_authority)
            else:
                self.signer_name.setText(f"{patient.first_name} {patient.last_name}".strip())
                self.representative_authority.clear()
        self._schedule_missing()

    def patient(self) -> Patient | None:
        return self.picker.patient

    def signed(self) -> bool:
        """Whether there is a signature: drawn on the pad, or a scan attached."""
        if self.sign_on_screen.isChecked():
            return not self.pad.is_empty()
        return self.scan is not None

    def draft(self) -> Authorization:
        """The authorization as filled in so far (not stored; no signature reference)."""
        patient = self.patient()
        form = self.form
        by_date = self.until_date.isChecked()
        return Authorization(
            id=None,
            patient_id=patient.id or 0 if patient is not None else 0,
            form_version=form.version if form is not None else "",
            media_kinds=frozenset(k for k, b in self.kind_boxes.items() if b.isChecked()),
            media_description=self.description.text().strip(),
            media_hashes=self.previous.media_hashes if self.previous else (),
            discloser=self.practice.name if self.practice is not None else "",
            recipients=frozenset(r for r, b in self.recipient_boxes.items() if b.isChecked()),
            purposes=frozenset(p for p, b in self.purpose_boxes.items() if b.isChecked()),
            expires_on=to_date(self.expires_on.date()) if by_date else None,
            expiry_event="" if by_date else self.expiry_event.text().strip(),
            signed_on=to_date(self.signed_on.date()),
            signer_name=self.signer_name.text().strip(),
            representative_authority=self.representative_authority.text().strip(),
            statement_right_to_revoke=self.statement_checks["right_to_revoke"].box.isChecked(),
            statement_treatment_not_conditioned=self.statement_checks[
                "treatment_not_conditioned"
            ].box.isChecked(),
            statement_redisclosure=self.statement_checks["redisclosure"].box.isChecked(),
            copy_offered=self.copy_offered.isChecked(),
            copy_given=self.copy_given.isChecked(),
            first_name_only=self.first_name_only.isChecked(),
            blur_face=self.blur_face.isChecked(),
            no_tagging=self.no_tagging.isChecked(),
            taken_by=self.user.id,
            taken_at=datetime.now(UTC),
        )

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
        if self.signed():
            kind = "pad" if self.sign_on_screen.isChecked() else "scan"
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

    def _tick_every_place(self) -> None:
        for box in self.recipient_boxes.values():
            box.setChecked(True)

    def _choose_scan(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("The signed paper form"), "", self.tr(SCAN_FILTER)
        )
        if path:
            self.attach_scan(path)

    def attach_scan(self, path: str) -> None:
        """Read the photo or scan of the signed form (off the GUI thread) and keep it."""
        name = Path(path).name
        self.scan_label.setText(self.tr("Reading {name}…").format(name=name))

        def read(content: bytes) -> None:
            if not shiboken6.isValid(self):
                return
            self.scan = content
            self.scan_label.setText(self.tr("Attached: {name}").format(name=name))
            self._schedule_missing()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.scan = None
            self.scan_label.setText(
                self.tr("{name} could not be read (at most 25 MB). Choose another file.").format(
                    name=name
                )
            )
            self._schedule_missing()

        self.runner.run(lambda: _read_scan(path), read, failed)

    def save(self) -> None:
        """Store the authorization, make its signed PDF and keep that too (one task)."""
        patient, form, practice = self.patient(), self.form, self.practice
        if patient is None or form is None or practice is None or self.stored is not None:
            return
        on_screen = self.sign_on_screen.isChecked()
        png = self.pad.to_png() if on_screen and not self.pad.is_empty() else None
        scan = self.scan if not on_screen else None
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

        self.runner.run(lambda: consent.media_path(digest), found, self._failed)

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
