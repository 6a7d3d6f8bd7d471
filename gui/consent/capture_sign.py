"""Steps 4 and 5 of the consent capture: the required statements read and ticked, and the
signature — drawn on the pad or a photo/scan of the signed paper form — with who signed, when,
by what right, and the patient's copy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from core.consent.forms import ConsentForm
from core.consent.model import Authorization, Patient
from gui.consent.patient_form import to_date, to_qdate
from gui.consent.signature import SignaturePad
from gui.tasks import TaskRunner
from gui.widgets import Card, button, caption, plain_label

STATEMENT_CODES = ("right_to_revoke", "treatment_not_conditioned", "redisclosure")
MAX_SCAN_BYTES = 25 * 1024 * 1024
SCAN_FILTER = "Images and PDF (*.jpg *.jpeg *.png *.heic *.tif *.tiff *.pdf)"


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


class StatementsStep(Card):
    """The required statements, each ticked once read to (or by) the patient.

    Signals:
        changed(): a statement was ticked or unticked.
    """

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.body.addWidget(
            caption(
                self.tr(
                    "Read each one to the patient (or let them read it), then tick it: "
                    '"I have read this to the patient / the patient has read it."'
                )
            )
        )
        self.statement_checks: dict[str, _WrappedCheck] = {}
        for code in STATEMENT_CODES:
            check = _WrappedCheck("")
            check.box.toggled.connect(self.changed)
            self.statement_checks[code] = check
            self.body.addWidget(check)

    def set_form(self, form: ConsentForm) -> None:
        """Show the practice's wording of each statement."""
        for code, check in self.statement_checks.items():
            check.set_text(form.statements.get(code, ""))

    def apply_to(self, auth: Authorization) -> Authorization:
        """``auth`` with the statements as ticked here."""
        ticked = {code: check.box.isChecked() for code, check in self.statement_checks.items()}
        return replace(
            auth,
            statement_right_to_revoke=ticked["right_to_revoke"],
            statement_treatment_not_conditioned=ticked["treatment_not_conditioned"],
            statement_redisclosure=ticked["redisclosure"],
        )


class SignatureStep(Card):
    """How it was signed (on the pad or on paper, attached as a photo or scan), who signed
    it, by what right, on which day, and whether the patient was offered and given a copy.
    ``scan`` holds the attached photo or scan once read.

    Signals:
        changed(): anything here changed (the pad drawn on, a scan attached, a field typed).
    """

    changed = Signal()

    def __init__(self, title: str, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.runner = runner
        self.scan: bytes | None = None
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
        self.body.addLayout(how)
        self.pad = SignaturePad()
        self.body.addWidget(self.pad)
        self.scan_row = QWidget()
        scan_row = QHBoxLayout(self.scan_row)
        scan_row.setContentsMargins(0, 0, 0, 0)
        self.scan_button = button(self.tr("Choose the photo or scan…"), "images")
        self.scan_button.clicked.connect(self._choose_scan)
        scan_row.addWidget(self.scan_button)
        self.scan_label = caption(self.tr("Nothing attached yet."), wrap=False)
        scan_row.addWidget(self.scan_label, 1)
        self.scan_row.setVisible(False)
        self.body.addWidget(self.scan_row)
        self._signer_rows()
        self._connect_changes()

    def _signer_rows(self) -> None:
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
        self.body.addLayout(form)

    def _connect_changes(self) -> None:
        for box in (self.copy_offered, self.copy_given):
            box.toggled.connect(self.changed)
        for edit in (self.signer_name, self.representative_authority):
            edit.textChanged.connect(self.changed)
        self.signed_on.dateChanged.connect(self.changed)
        self.sign_on_screen.toggled.connect(self._signing_changed)
        self.pad.changed.connect(self.changed)

    # --- values ----------------------------------------------------------------------------
    def set_today(self, today: date) -> None:
        """Signed today by default, and never later."""
        self.signed_on.setMaximumDate(to_qdate(today))
        self.signed_on.setDate(to_qdate(today))

    def fill_signer(self, patient: Patient) -> None:
        """Who signs for ``patient``: their representative, or the patient."""
        if patient.minor or patient.representative_name:
            self.signer_name.setText(patient.representative_name)
            self.representative_authority.setText(patient.representative_authority)
        else:
            self.signer_name.setText(f"{patient.first_name} {patient.last_name}".strip())
            self.representative_authority.clear()

    def on_screen(self) -> bool:
        return self.sign_on_screen.isChecked()

    def signed(self) -> bool:
        """Whether there is a signature: drawn on the pad, or a scan attached."""
        if self.on_screen():
            return not self.pad.is_empty()
        return self.scan is not None

    def apply_to(self, auth: Authorization) -> Authorization:
        """``auth`` with who signed, when, by what right and the copy (no signature
        reference: that is the vault's, once saved)."""
        return replace(
            auth,
            signed_on=to_date(self.signed_on.date()),
            signer_name=self.signer_name.text().strip(),
            representative_authority=self.representative_authority.text().strip(),
            copy_offered=self.copy_offered.isChecked(),
            copy_given=self.copy_given.isChecked(),
        )

    # --- the scan --------------------------------------------------------------------------
    def _signing_changed(self) -> None:
        on_screen = self.on_screen()
        self.pad.setVisible(on_screen)
        self.scan_row.setVisible(not on_screen)
        self.changed.emit()

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
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.scan = None
            self.scan_label.setText(
                self.tr("{name} could not be read (at most 25 MB). Choose another file.").format(
                    name=name
                )
            )
            self.changed.emit()

        self.runner.run(lambda: _read_scan(path), read, failed)
