"""The consent PDFs read back with pypdf: the signed one prints every element with its value,
the blank one every section and the attorney note."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, date, datetime

import pypdf
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication

from core.consent.forms import default_form, render_text
from core.consent.model import Authorization, MediaKind, Patient, Purpose, SignatureKind
from core.practice.model import Practice
from gui.consent.pdf import authorization_pdf, blank_form_pdf
from gui.consent.wording import media_kind_label, purpose_label, recipient_ids, recipient_label
from gui.tasks import TaskRunner

PRACTICE = Practice(
    name="Bright Smile Dental", address="12 Main St, Springfield", phone="(555) 010-2000"
)
PATIENT = Patient(
    id=7,
    first_name="Marisol",
    last_name="Quintero",
    date_of_birth=date(2012, 4, 2),
    minor=True,
    representative_name="Elena Quintero",
    representative_authority="parent",
)


def _auth() -> Authorization:
    return Authorization(
        id=41,
        patient_id=7,
        form_version="2026-11-01.1",
        media_kinds=frozenset({MediaKind.PHOTO, MediaKind.VIDEO}),
        media_description="Before-and-after photos of the braces, March 2026",
        discloser="Bright Smile Dental",
        recipients=frozenset({"facebook", "instagram", "website", "print"}),
        purposes=frozenset({Purpose.SOCIAL_MEDIA, Purpose.EDUCATION}),
        expires_on=date(2028, 3, 4),
        expiry_event="When my daughter turns 18",
        signed_on=date(2026, 3, 4),
        signer_name="Elena Quintero",
        signature_kind=SignatureKind.PAD,
        signature_ref="ab" * 32,
        representative_authority="Parent",
        statement_right_to_revoke=True,
        statement_treatment_not_conditioned=True,
        statement_redisclosure=True,
        copy_offered=True,
        copy_given=True,
        first_name_only=True,
        blur_face=True,
        no_tagging=True,
        taken_by=3,
        taken_at=datetime(2026, 3, 4, 15, 30, tzinfo=UTC),
    )


def _signature() -> bytes:
    image = QImage(300, 90, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QPen(QColor("#10233F"), 3))
    painter.drawLine(10, 80, 290, 10)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


def _text(pdf: bytes) -> str:
    """The PDF's words, one space apart, ligatures and odd spaces normalised."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    raw = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.usefixtures("qapp")
def test_the_signed_pdf_prints_every_element_with_its_value() -> None:
    form = default_form()
    pdf = authorization_pdf(
        _auth(), PATIENT, form, PRACTICE, _signature(), taken_by_name="Rosa Alvarez"
    )
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    filled = render_text(form, PRACTICE.name, PRACTICE.address, PRACTICE.phone)
    expected = [
        filled.title,
        _words(filled.intro),
        *(_words(p) for p in filled.paragraphs),
        "Marisol Quintero",
        "April 2, 2012",
        "Elena Quintero",
        *(media_kind_label(k) for k in MediaKind),
        "Before-and-after photos of the braces, March 2026",
        "Bright Smile Dental and its staff may share it.",
        *(recipient_label(r) for r in recipient_ids()),
        *(purpose_label(p) for p in Purpose),
        "On this date: March 4, 2028",
        "Or when this happens: When my daughter turns 18",
        "Use my first name only",
        "Blur my face",
        "Do not tag me",
        *(_words(filled.statements[c]) for c in ("right_to_revoke", "redisclosure")),
        _words(filled.statements["treatment_not_conditioned"]),
        "Signed by: Elena Quintero",
        "Date signed: March 4, 2026",
        "their authority (parent, legal guardian…): Parent",
        "Copy offered",
        "Copy given",
        "Form version: 2026-11-01.1",
        "Taken by: Rosa Alvarez on March 4, 2026",
        "Signature",
    ]
    for piece in expected:
        assert unicodedata.normalize("NFKC", piece) in text, piece
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    images = [image for page in reader.pages for image in page.images]
    assert images, "the signature image is in the PDF"
    assert reader.pages[0].mediabox.width == pytest.approx(612, abs=1)  # US Letter


@pytest.mark.usefixtures("qapp")
def test_a_scanned_form_says_so_instead_of_a_signature_line() -> None:
    auth = Authorization(
        **{
            **{f: getattr(_auth(), f) for f in Authorization.__slots__},
            "signature_kind": SignatureKind.SCAN,
        }
    )
    text = _text(authorization_pdf(auth, PATIENT, default_form(), PRACTICE, None))
    assert "Signed on the paper form; the practice keeps the scan of it." in text


@pytest.mark.usefixtures("qapp")
def test_the_blank_form_has_every_section_empty_and_the_attorney_note() -> None:
    form = default_form()
    pdf = blank_form_pdf(form, PRACTICE)
    text = _text(pdf)
    assert form.attorney_note in text
    for piece in (
        "Patient's name",
        "Which photos, videos or words",
        "Where it may be shared",
        "What it may be used for",
        "On this date",
        "Or when this happens",
        "Signed by",
        "Date signed",
        "Copy offered",
        f"Form version: {form.version}",
        *(recipient_label(r) for r in recipient_ids()),
    ):
        assert unicodedata.normalize("NFKC", piece) in text, piece
    assert "Marisol" not in text


def test_the_pdf_can_be_made_off_the_gui_thread(qapp: QApplication) -> None:
    runner = TaskRunner()
    results: list[bytes] = []
    runner.run(lambda: blank_form_pdf(default_form(), PRACTICE), results.append)
    assert runner.wait(10000)
    for _ in range(50):
        qapp.processEvents()
        if results:
            break
    assert results
    assert results[0].startswith(b"%PDF")
