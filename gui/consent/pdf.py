"""The consent form as a PDF (Qt's PDF writer, US Letter, 300 dpi): the signed authorization
with every element and its value, the signature and the date — the patient's copy and the
practice's record — and the blank form to print and fill in by hand.

Both functions only paint text and images, which Qt allows off the GUI thread: callers run them
through the task runner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

from core.consent.forms import ConsentForm, render_text
from core.consent.model import Authorization, MediaKind, Patient, Purpose, SignatureKind
from core.practice.model import Practice
from gui.consent.wording import (
    long_date,
    media_kind_label,
    purpose_label,
    recipient_ids,
    recipient_label,
)

DPI = 300
MARGIN_INCHES = 0.75
STATEMENT_CODES = ("right_to_revoke", "treatment_not_conditioned", "redisclosure")
"""The required statements, in the order the form prints them."""

_INK = QColor("#111111")
_MUTED = QColor("#555555")
_RULE = QColor("#888888")


def tr(text: str) -> str:
    return QCoreApplication.translate("ConsentPdf", text)


class _Sheet:
    """A very small page layout: text flows down the page and onto the next one; boxes,
    lines and images keep to the margins. Units are device pixels (300 per inch)."""

    def __init__(self, device: QPagedPaintDevice, resolution: int, footer: str) -> None:
        self.device = device
        self.painter = QPainter(device)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Lay out in 300-dpi units whatever the device (a printer may be 600 or 1200 dpi).
        self.painter.scale(resolution / DPI, resolution / DPI)
        paint = device.pageLayout().paintRectPixels(resolution)
        self.width = paint.width() * DPI / resolution
        self.bottom = paint.height() * DPI / resolution - self.inch(0.45)
        self.y = 0.0
        self.page = 1
        self.footer = footer
        self.body = self.font(10)
        self.small = self.font(8.5)
        self._draw_footer()

    @staticmethod
    def inch(value: float) -> float:
        return value * DPI

    @staticmethod
    def font(points: float, *, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        # In layout pixels, not points: the painter's scale maps them to any device's dots.
        font.setPixelSize(round(points * DPI / 72))
        font.setBold(bold)
        # Ligatures ("fi") would come out of the PDF's text as one odd character.
        for tag in ("liga", "clig"):
            font.setFeature(QFont.Tag(tag), 0)
        return font

    # --- flow ------------------------------------------------------------------------------
    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.device.newPage()
            self.page += 1
            self.y = 0.0
            self._draw_footer()

    def gap(self, inches: float) -> None:
        self.y += self.inch(inches)

    def _draw_footer(self) -> None:
        self.painter.setFont(self.small)
        self.painter.setPen(_MUTED)
        rect = QRectF(0, self.bottom + self.inch(0.2), self.width, self.inch(0.25))
        self.painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, self.footer)
        self.painter.drawText(rect, Qt.AlignmentFlag.AlignRight, tr("Page {n}").format(n=self.page))

    def measure(self, text: str, font: QFont, width: float) -> float:
        self.painter.setFont(font)
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        return self.painter.boundingRect(QRectF(0, 0, width, 1e6), flags, text).height()

    def text(
        self,
        text: str,
        font: QFont | None = None,
        *,
        indent: float = 0.0,
        color: QColor = _INK,
        after: float = 0.06,
    ) -> None:
        """A paragraph, wrapped to the margins (moved whole to the next page if it does not
        fit, unless it is taller than a page)."""
        if not text:
            return
        font = font or self.body
        width = self.width - indent
        height = self.measure(text, font, width)
        self.ensure(min(height, self.bottom - 1))
        self.painter.setFont(font)
        self.painter.setPen(color)
        self.painter.drawText(
            QRectF(indent, self.y, width, height),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        self.y += height + self.inch(after)

    def heading(self, text: str) -> None:
        self.ensure(self.inch(0.7))
        self.gap(0.1)
        self.text(text, self.font(11.5, bold=True), after=0.05)

    def label_value(self, label: str, value: str, *, blank: bool, lines: int = 1) -> None:
        """ "Label: value", or the label over ``lines`` empty lines to write on."""
        if not blank:
            self.text(f"{label}: {value}" if value else f"{label}: —", indent=self.inch(0.1))
            return
        self.text(label, indent=self.inch(0.1), after=0.0)
        self.write_lines(lines)

    def write_lines(self, lines: int) -> None:
        pitch = self.inch(0.36)
        self.ensure(pitch * lines)
        self.painter.setPen(QPen(_RULE, 2))
        for _ in range(lines):
            self.y += pitch
            self.painter.drawLine(QPointF(self.inch(0.1), self.y), QPointF(self.width, self.y))
        self.y += self.inch(0.08)

    def checkbox(
        self, label: str, ticked: bool | None, *, indent: float = 0.1, x: float | None = None
    ) -> float:
        """A box (ticked, empty when ``ticked`` is False or None) with its label to the right;
        returns the height used. With ``x``, draws in a column at that offset without moving
        down (the caller advances)."""
        box = self.inch(0.16)
        left = self.inch(indent) if x is None else x
        text_left = left + box + self.inch(0.1)
        width = (self.width if x is None else left + self.column_width()) - text_left
        height = max(box, self.measure(label, self.body, width))
        if x is None:
            self.ensure(height)
        top = self.y
        self.painter.setPen(QPen(_INK, 3))
        self.painter.setBrush(Qt.BrushStyle.NoBrush)
        box_rect = QRectF(left, top + self.inch(0.02), box, box)
        self.painter.drawRect(box_rect)
        if ticked:
            tick = QPainterPath(QPointF(box_rect.left() + box * 0.2, box_rect.top() + box * 0.55))
            tick.lineTo(box_rect.left() + box * 0.42, box_rect.top() + box * 0.78)
            tick.lineTo(box_rect.left() + box * 0.82, box_rect.top() + box * 0.22)
            pen = QPen(_INK, 6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.painter.setPen(pen)
            self.painter.drawPath(tick)
        self.painter.setFont(self.body)
        self.painter.setPen(_INK)
        self.painter.drawText(
            QRectF(text_left, top, width, height),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            label,
        )
        if x is None:
            self.y += height + self.inch(0.07)
        return height

    def column_width(self) -> float:
        return (self.width - self.inch(0.1)) / 2

    def checkbox_columns(self, items: Iterable[tuple[str, bool | None]]) -> None:
        """Checkboxes in two columns (short labels: platforms, options)."""
        rows = list(items)
        half = (len(rows) + 1) // 2
        left_x, right_x = self.inch(0.1), self.inch(0.1) + self.column_width()
        for i in range(half):
            self.ensure(self.inch(0.3))
            used = self.checkbox(rows[i][0], rows[i][1], x=left_x)
            if i + half < len(rows):
                used = max(used, self.checkbox(rows[i + half][0], rows[i + half][1], x=right_x))
            self.y += used + self.inch(0.07)

    def boxed_note(self, text: str) -> None:
        """A framed note (the attorney note on the blank form)."""
        pad = self.inch(0.12)
        font = self.font(10, bold=True)
        height = self.measure(text, font, self.width - 2 * pad) + 2 * pad
        self.ensure(height)
        self.painter.setPen(QPen(_INK, 4))
        self.painter.setBrush(QColor("#F2F2F2"))
        self.painter.drawRect(QRectF(0, self.y, self.width, height))
        self.painter.setBrush(Qt.BrushStyle.NoBrush)
        self.painter.setFont(font)
        self.painter.drawText(
            QRectF(pad, self.y + pad, self.width - 2 * pad, height - 2 * pad),
            Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        self.y += height + self.inch(0.12)

    def signature(self, png: bytes | None) -> None:
        """The signature image sitting on a line (or just the line to sign on)."""
        box_height = self.inch(0.9)
        self.ensure(box_height + self.inch(0.2))
        line_y = self.y + box_height
        image = QImage.fromData(png) if png else QImage()
        if not image.isNull():
            max_w, max_h = self.inch(3.2), box_height - self.inch(0.05)
            scale = min(max_w / image.width(), max_h / image.height())
            w, h = image.width() * scale, image.height() * scale
            self.painter.drawImage(QRectF(self.inch(0.1), line_y - h, w, h), image)
        self.painter.setPen(QPen(_RULE, 2))
        self.painter.drawLine(QPointF(self.inch(0.1), line_y), QPointF(self.inch(4.2), line_y))
        self.y = line_y + self.inch(0.04)
        self.text(tr("Signature"), self.small, indent=self.inch(0.1), color=_MUTED)

    def finish(self) -> None:
        self.painter.end()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _practice_line(practice: Practice) -> str:
    return " · ".join(p for p in (practice.name, practice.address, practice.phone) if p)


def _form_head(sheet: _Sheet, form: ConsentForm, practice: Practice) -> None:
    sheet.text(form.title, sheet.font(16, bold=True), after=0.04)
    sheet.text(_practice_line(practice), sheet.body, color=_MUTED, after=0.15)


def _form_text(sheet: _Sheet, form: ConsentForm) -> None:
    sheet.text(form.intro, after=0.1)
    for paragraph in form.paragraphs:
        sheet.text(paragraph, after=0.1)


def _body(
    sheet: _Sheet,
    auth: Authorization | None,
    patient: Patient | None,
    form: ConsentForm,
    practice: Practice,
    *,
    signature_png: bytes | None,
) -> None:
    """Every element of the form: filled in from ``auth`` and ``patient``, or empty boxes and
    lines when they are ``None`` (the blank form)."""
    blank = auth is None

    def ticked(value: bool) -> bool | None:
        return None if blank else value

    sheet.heading(tr("The patient"))
    full_name = f"{patient.first_name} {patient.last_name}".strip() if patient else ""
    sheet.label_value(tr("Patient's name"), full_name, blank=blank)
    if patient is None or patient.preferred_name:
        sheet.label_value(
            tr("Preferred name"), patient.preferred_name if patient else "", blank=blank
        )
    sheet.label_value(
        tr("Date of birth"),
        long_date(patient.date_of_birth) if patient else "",
        blank=blank,
    )
    if patient is None or patient.minor or patient.representative_name:
        sheet.label_value(
            tr("Representative (parent, guardian) signing for the patient"),
            patient.representative_name if patient else "",
            blank=blank,
        )

    sheet.heading(tr("1. What may be used"))
    kinds = auth.media_kinds if auth else frozenset()
    sheet.checkbox_columns((media_kind_label(k), ticked(k in kinds)) for k in MediaKind)
    sheet.label_value(
        tr("Which photos, videos or words"),
        auth.media_description if auth else "",
        blank=blank,
        lines=2,
    )

    sheet.heading(tr("2. Who may share it"))
    discloser = auth.discloser if auth else practice.name
    sheet.text(
        tr("{practice} and its staff may share it.").format(practice=discloser or "—"),
        indent=sheet.inch(0.1),
    )

    sheet.heading(tr("3. Where it may be shared"))
    recipients = auth.recipients if auth else frozenset()
    sheet.checkbox_columns((recipient_label(r), ticked(r in recipients)) for r in recipient_ids())

    sheet.heading(tr("4. What it may be used for"))
    purposes = auth.purposes if auth else frozenset()
    sheet.checkbox_columns((purpose_label(p), ticked(p in purposes)) for p in Purpose)

    sheet.heading(tr("5. When this permission ends"))
    sheet.label_value(tr("On this date"), long_date(auth.expires_on) if auth else "", blank=blank)
    sheet.label_value(tr("Or when this happens"), auth.expiry_event if auth else "", blank=blank)
    if auth is not None and auth.event_occurred_on is not None:
        sheet.label_value(
            tr("The event happened on"), long_date(auth.event_occurred_on), blank=False
        )

    sheet.heading(tr("6. The patient's requests"))
    sheet.checkbox_columns(
        (
            (tr("Use my first name only"), ticked(bool(auth and auth.first_name_only))),
            (tr("Blur my face"), ticked(bool(auth and auth.blur_face))),
            (tr("Do not tag me"), ticked(bool(auth and auth.no_tagging))),
        )
    )

    sheet.heading(tr("7. Please read"))
    acknowledged = {
        "right_to_revoke": bool(auth and auth.statement_right_to_revoke),
        "treatment_not_conditioned": bool(auth and auth.statement_treatment_not_conditioned),
        "redisclosure": bool(auth and auth.statement_redisclosure),
    }
    for code in STATEMENT_CODES:
        sheet.checkbox(form.statements.get(code, code), ticked(acknowledged[code]))

    sheet.heading(tr("8. Signature"))
    if auth is not None and auth.signature_kind is SignatureKind.SCAN:
        sheet.text(
            tr("Signed on the paper form; the practice keeps the scan of it."),
            indent=sheet.inch(0.1),
        )
    else:
        sheet.signature(signature_png)
    sheet.label_value(tr("Signed by"), auth.signer_name if auth else "", blank=blank)
    sheet.label_value(tr("Date signed"), long_date(auth.signed_on) if auth else "", blank=blank)
    sheet.label_value(
        tr("If signed by a representative, their authority (parent, legal guardian…)"),
        auth.representative_authority if auth else "",
        blank=blank,
    )

    sheet.heading(tr("The patient's copy"))
    sheet.checkbox_columns(
        (
            (tr("Copy offered"), ticked(bool(auth and auth.copy_offered))),
            (tr("Copy given"), ticked(bool(auth and auth.copy_given))),
        )
    )


def _pdf(paint: Callable[[QPagedPaintDevice, int], None], title: str) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(DPI)
    writer.setTitle(title)
    writer.setCreator("Front Desk Social")
    writer.setPageLayout(page_layout())
    paint(writer, DPI)
    buffer.close()
    return bytes(data.data())


def page_layout() -> QPageLayout:
    """US Letter, portrait, ¾-inch margins."""
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.Letter),
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_INCHES, MARGIN_INCHES, MARGIN_INCHES, MARGIN_INCHES),
        QPageLayout.Unit.Inch,
    )


def _filled(form: ConsentForm, practice: Practice) -> ConsentForm:
    return render_text(form, practice.name, practice.address, practice.phone)


def paint_authorization(
    device: QPagedPaintDevice,
    resolution: int,
    *,
    auth: Authorization,
    patient: Patient,
    form: ConsentForm,
    practice: Practice,
    signature_png: bytes | None,
    taken_by_name: str = "",
) -> None:
    """Paint the signed authorization onto ``device`` (a PDF writer or a printer) whose
    resolution is ``resolution`` dots per inch."""
    form = _filled(form, practice)
    footer = tr("{title} · form version {version}").format(
        title=form.title, version=auth.form_version or form.version
    )
    sheet = _Sheet(device, resolution, footer)
    _form_head(sheet, form, practice)
    _form_text(sheet, form)
    _body(sheet, auth, patient, form, practice, signature_png=signature_png)
    sheet.heading(tr("For the office"))
    sheet.label_value(tr("Form version"), auth.form_version, blank=False)
    taken_on = auth.taken_at.astimezone(_zone(practice.timezone)).date()
    sheet.label_value(
        tr("Taken by"),
        tr("{name} on {date}").format(name=taken_by_name or "—", date=long_date(taken_on)),
        blank=False,
    )
    if auth.id is not None:
        sheet.label_value(tr("Record number"), str(auth.id), blank=False)
    if auth.revocation is not None:
        sheet.label_value(
            tr("Withdrawn in writing, received on"),
            long_date(auth.revocation.received_on),
            blank=False,
        )
    sheet.finish()


def paint_blank_form(
    device: QPagedPaintDevice, resolution: int, form: ConsentForm, practice: Practice
) -> None:
    """Paint the blank form onto ``device`` (a PDF writer or a printer)."""
    form = _filled(form, practice)
    footer = tr("{title} · form version {version}").format(title=form.title, version=form.version)
    sheet = _Sheet(device, resolution, footer)
    _form_head(sheet, form, practice)
    if form.attorney_note:
        sheet.boxed_note(form.attorney_note)
    _form_text(sheet, form)
    _body(sheet, None, None, form, practice, signature_png=None)
    sheet.heading(tr("For the office"))
    sheet.label_value(tr("Form version"), form.version, blank=False)
    sheet.label_value(tr("Taken by (staff member) and date"), "", blank=True)
    sheet.finish()


def authorization_pdf(
    auth: Authorization,
    patient: Patient,
    form: ConsentForm,
    practice: Practice,
    signature_png: bytes | None,
    *,
    taken_by_name: str = "",
) -> bytes:
    """The signed authorization as a PDF: the form's title and text, every element with its
    value, the signature image (or a note that the paper form was scanned), the date, the form
    version and who took it. Safe to run off the GUI thread."""

    def paint(device: QPagedPaintDevice, resolution: int) -> None:
        paint_authorization(
            device,
            resolution,
            auth=auth,
            patient=patient,
            form=form,
            practice=practice,
            signature_png=signature_png,
            taken_by_name=taken_by_name,
        )

    return _pdf(paint, form.title)


def blank_form_pdf(form: ConsentForm, practice: Practice) -> bytes:
    """The practice's form to print and fill in by hand: the same sections with empty boxes
    and lines, and the note that the practice's attorney should review it. Safe to run off the
    GUI thread."""

    def paint(device: QPagedPaintDevice, resolution: int) -> None:
        paint_blank_form(device, resolution, form, practice)

    return _pdf(paint, form.title)
