"""The one-minute capture at the desk, end to end over the demo practice's services: find or
add the patient, tick the scope, read the statements, sign, save — an active authorization
with its signed PDF; something left out — saved as incomplete, and the Missing line says what."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.consent.model import AuthorizationStatus, MediaKind, Purpose, SignatureKind
from gui.consent.capture import CaptureDialog
from gui.tasks import TaskRunner
from tests.gui.consent_env import PNG_1PX, ConsentEnv, build_consent_env


@pytest.fixture
def cenv(clock: ManualClock, tmp_path: Path) -> ConsentEnv:
    return build_consent_env(clock, tmp_path / "vault")


def _dialog(qtbot: QtBot, cenv: ConsentEnv, runner: TaskRunner, **kwargs: object) -> CaptureDialog:
    dialog = CaptureDialog(cenv.services, runner, cenv.staff.front_desk, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.resize(940, 720)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form is not None, timeout=5000)
    return dialog


def _find(qtbot: QtBot, dialog: CaptureDialog, text: str) -> None:
    dialog.picker.search.setText(text)
    qtbot.waitUntil(lambda: dialog.picker.results.count() > 0, timeout=5000)
    item = dialog.picker.results.item(0)
    dialog.picker.results.itemClicked.emit(item)
    assert dialog.patient() is not None


def _sign(qtbot: QtBot, dialog: CaptureDialog) -> None:
    canvas = dialog.signing.pad.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(60, 100))
    for x, y in ((100, 70), (140, 110), (180, 65), (230, 100)):
        qtbot.mouseMove(canvas, QPoint(x, y))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(260, 90))


def _tick_scope(dialog: CaptureDialog) -> None:
    dialog.scope.kind_boxes[MediaKind.PHOTO].setChecked(True)
    dialog.scope.description.setText("Photos of the new smile, today's visit")
    dialog.scope.recipient_boxes["facebook"].setChecked(True)
    dialog.scope.recipient_boxes["website"].setChecked(True)
    dialog.scope.purpose_boxes[Purpose.SOCIAL_MEDIA].setChecked(True)


def _settled_missing(qtbot: QtBot, dialog: CaptureDialog, expected: str) -> None:
    qtbot.waitUntil(lambda: dialog.missing_label.text() == expected, timeout=5000)


def test_find_tick_sign_save_gives_an_active_consent_with_its_pdf(
    qtbot: QtBot, cenv: ConsentEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> None:
    dialog = _dialog(qtbot, cenv, runner)
    assert dialog.save_button.isEnabled() is False  # no patient yet
    _find(qtbot, dialog, "quil")
    assert dialog.signing.signer_name.text() == "Quillon Marbury"
    assert dialog.form_label.text().endswith(cenv.services.consent.form().version)
    _tick_scope(dialog)
    for check in dialog.statements.statement_checks.values():
        assert check.label.text()
        check.box.setChecked(True)
    _sign(qtbot, dialog)
    dialog.signing.copy_offered.setChecked(True)
    dialog.signing.copy_given.setChecked(True)
    _settled_missing(qtbot, dialog, "")
    assert dialog.save_button.text() == "Save"

    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        dialog.save_button.click()
    auth = saved.args[0]
    consent = cenv.services.consent
    assert consent.status_of(auth) is AuthorizationStatus.ACTIVE
    assert auth.signature_kind is SignatureKind.PAD
    assert auth.recipients == {"facebook", "website"}
    assert auth.expires_on is not None
    assert (auth.expires_on - consent.today()).days in range(729, 732)  # two years
    assert auth.pdf_ref
    path = consent.media_path(auth.pdf_ref)
    assert path is not None
    text = " ".join(
        " ".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages
        ).split()
    )
    assert "Quillon Marbury" in text
    assert "Photos of the new smile, today's visit" in text
    assert dialog.pages.currentIndex() == 1
    assert dialog.done_title.text() == "Consent saved"
    # The earlier consent of the same patient is replaced by the new one.
    assert consent.status_of(consent.get_authorization(cenv.authorization.id or 0)) is (
        AuthorizationStatus.SUPERSEDED
    )
    assert not shown_errors


def test_a_new_patient_with_something_unticked_is_saved_as_incomplete(
    qtbot: QtBot, cenv: ConsentEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> None:
    dialog = _dialog(qtbot, cenv, runner)
    dialog.picker.search.setText("Zephyrine Olt")
    dialog.picker.new_button.click()
    form = dialog.picker.new_form
    assert (form.first_name.text(), form.last_name.text()) == ("Zephyrine", "Olt")
    form.phone.setText("217-555-0123")
    with qtbot.waitSignal(dialog.picker.chosen, timeout=5000):
        form.add_button.click()
    patient = dialog.patient()
    assert patient is not None
    assert patient.id is not None
    assert dialog.signing.signer_name.text() == "Zephyrine Olt"
    _tick_scope(dialog)
    dialog.statements.statement_checks["right_to_revoke"].box.setChecked(True)
    dialog.statements.statement_checks["treatment_not_conditioned"].box.setChecked(True)
    _settled_missing(qtbot, dialog, "Missing: the signature, statement: others may share it again")
    assert dialog.save_button.text() == "Save as incomplete"

    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        dialog.save_button.click()
    auth = saved.args[0]
    consent = cenv.services.consent
    assert consent.status_of(auth) is AuthorizationStatus.INCOMPLETE
    assert consent.missing(auth) == ("signature", "statement_redisclosure")
    assert auth.pdf_ref
    assert dialog.done_title.text() == "Saved as incomplete"
    assert "the signature" in dialog.done_banner.text_label.text()
    assert not shown_errors


def test_a_minor_is_signed_for_by_the_representative(
    qtbot: QtBot, cenv: ConsentEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> None:
    dialog = _dialog(qtbot, cenv, runner)
    dialog.picker.new_button.click()
    form = dialog.picker.new_form
    form.first_name.setText("Tamsin")
    form.last_name.setText("Okafor")
    form.minor.setChecked(True)
    form.representative_name.setText("Ngozi Okafor")
    form.representative_authority.setCurrentText("Parent")
    with qtbot.waitSignal(dialog.picker.chosen, timeout=5000):
        form.add_button.click()
    assert dialog.signing.signer_name.text() == "Ngozi Okafor"
    assert dialog.signing.representative_authority.text() == "Parent"
    dialog.signing.representative_authority.clear()
    qtbot.waitUntil(
        lambda: "the representative's authority" in dialog.missing_label.text(), timeout=5000
    )
    assert not shown_errors


def test_a_scan_of_the_paper_form_is_the_signature(
    qtbot: QtBot,
    cenv: ConsentEnv,
    runner: TaskRunner,
    tmp_path: Path,
    shown_errors: list[BaseException],
) -> None:
    dialog = _dialog(qtbot, cenv, runner, patient=cenv.patient)
    _tick_scope(dialog)
    for check in dialog.statements.statement_checks.values():
        check.box.setChecked(True)
    dialog.signing.sign_on_paper.setChecked(True)
    assert not dialog.signing.pad.isVisible()
    scan = tmp_path / "signed-form.png"
    scan.write_bytes(PNG_1PX + b"paper")
    dialog.signing.attach_scan(str(scan))
    qtbot.waitUntil(lambda: dialog.signing.scan is not None, timeout=5000)
    assert dialog.signing.scan_label.text() == "Attached: signed-form.png"
    _settled_missing(qtbot, dialog, "")
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        dialog.save_button.click()
    auth = saved.args[0]
    assert auth.signature_kind is SignatureKind.SCAN
    path = cenv.services.consent.media_path(auth.signature_ref)
    assert path is not None
    assert path.read_bytes() == PNG_1PX + b"paper"
    assert not shown_errors


def test_re_consent_starts_from_the_earlier_scope(
    qtbot: QtBot, cenv: ConsentEnv, runner: TaskRunner, shown_errors: list[BaseException]
) -> None:
    renewal = cenv.services.consent.renewal(cenv.authorization.id or 0)
    dialog = _dialog(qtbot, cenv, runner, previous=renewal)
    qtbot.waitUntil(lambda: dialog.patient() is not None, timeout=5000)
    assert dialog.scope.kind_boxes[MediaKind.PHOTO].isChecked()
    assert dialog.scope.description.text() == "Smile photos after whitening"
    assert dialog.scope.recipient_boxes["instagram"].isChecked()
    assert not dialog.scope.recipient_boxes["website"].isChecked()
    assert dialog.scope.purpose_boxes[Purpose.SOCIAL_MEDIA].isChecked()
    assert not any(c.box.isChecked() for c in dialog.statements.statement_checks.values())
    assert dialog.signing.pad.is_empty()
    assert not shown_errors
