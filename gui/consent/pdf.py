"""The consent PDFs (Qt's PDF writer, US Letter, 300 dpi): the signed authorization with every
element and its value, the signature and the date — the patient's copy and the practice's
record —, the blank form to print and fill in by hand, and the consent register for an audit
(landscape, one table row per authorization).

Every function only paints text and images, which Qt allows off the GUI thread: callers run
them through the task runner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPagedPaintDevice, QPageLayout, QPageSize, QPdfWriter, QPen

from core.consent.forms import ConsentForm, render_text
from core.consent.model import (
    Authorization,
    MediaKind,
    Patient,
    Purpose,
    SignatureKind,
)
from core.consent.service import RegisterRow
from core.practice.model import Practice
from gui.consent.sheet import DPI, INK, MARGIN_INCHES, MUTED, RULE, Sheet, tr
from gui.consent.wording import (
    STATUS_ORDER,
    channel_label,
    long_date,
    media_kind_label,
    purpose_label,
    recipient_ids,
    recipient_label,
    status_label,
)

REGISTER_MARGIN_INCHES = 0.5
"""The register's table is wide: narrower margins than the forms."""

STATEMENT_CODES = ("right_to_revoke", "treatment_not_conditioned", "redisclosure")
"""The required statements, in the order the form prints them."""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _practice_line(practice: Practice) -> str:
    return " · ".join(p for p in (practice.name, practice.address, practice.phone) if p)


def _form_head(sheet: Sheet, form: ConsentForm, practice: Practice) -> None:
    sheet.text(form.title, sheet.font(16, bold=True), after=0.04)
    sheet.text(_practice_line(practice), sheet.body, color=MUTED, after=0.15)


def _form_text(sheet: Sheet, form: ConsentForm) -> None:
    sheet.text(form.intro, after=0.1)
    for paragraph in form.paragraphs:
        sheet.text(paragraph, after=0.1)


def _body(
    sheet: Sheet,
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


def _pdf(
    paint: Callable[[QPagedPaintDevice, int], None],
    title: str,
    layout: QPageLayout | None = None,
) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(DPI)
    writer.setTitle(title)
    writer.setCreator("Front Desk Social")
    writer.setPageLayout(layout or page_layout())
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


def register_layout() -> QPageLayout:
    """US Letter, landscape, ½-inch margins (the register's table)."""
    m = REGISTER_MARGIN_INCHES
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.Letter),
        QPageLayout.Orientation.Landscape,
        QMarginsF(m, m, m, m),
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
    sheet = Sheet(device, resolution, footer)
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
    sheet = Sheet(device, resolution, footer)
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


# --- the register --------------------------------------------------------------------------
_REGISTER_COLUMNS = (0.13, 0.08, 0.10, 0.16, 0.13, 0.09, 0.11, 0.11, 0.09)
"""Each column's share of the table's width, in the order of ``_register_header``."""
_CELL_PAD = 0.04
_SHADE = QColor("#F2F2F2")


def _register_header() -> tuple[str, ...]:
    return (
        tr("Patient"),
        tr("Status"),
        tr("Media"),
        tr("Where"),
        tr("Purposes"),
        tr("Signed on"),
        tr("Expires / event"),
        tr("Revoked (received, how)"),
        tr("Form version"),
    )


def register_cells(row: RegisterRow) -> tuple[str, ...]:
    """One authorization as the register's table shows it, column by column."""
    auth, patient = row.authorization, row.patient
    ends = [long_date(auth.expires_on)] if auth.expires_on is not None else []
    if auth.expiry_event:
        ends.append(auth.expiry_event)
    if auth.event_occurred_on is not None:
        ends.append(tr("happened {date}").format(date=long_date(auth.event_occurred_on)))
    revoked = ""
    if auth.revocation is not None:
        revoked = tr("{date}, {how}").format(
            date=long_date(auth.revocation.received_on),
            how=channel_label(auth.revocation.channel),
        )
    return (
        f"{patient.last_name}, {patient.first_name}".strip(", "),
        status_label(row.status),
        ", ".join(media_kind_label(k) for k in MediaKind if k in auth.media_kinds),
        ", ".join(recipient_label(r) for r in recipient_ids() if r in auth.recipients),
        ", ".join(purpose_label(p) for p in Purpose if p in auth.purposes),
        long_date(auth.signed_on),
        "; ".join(ends),
        revoked,
        auth.form_version,
    )


class _Table:
    """A table that breaks across pages, its header repeated at the top of each."""

    def __init__(self, sheet: Sheet, header: Sequence[str], shares: Sequence[float]) -> None:
        self.sheet = sheet
        self.header = tuple(header)
        self.widths = [sheet.width * share for share in shares]
        self.font = sheet.font(8)
        self.bold = sheet.font(8, bold=True)
        self.pad = sheet.inch(_CELL_PAD)
        self.rows = 0

    def _height(self, cells: Sequence[str], font: QFont) -> float:
        tallest = max(
            self.sheet.measure(text or " ", font, width - 2 * self.pad)
            for text, width in zip(cells, self.widths, strict=True)
        )
        return tallest + 2 * self.pad

    def _paint(self, cells: Sequence[str], font: QFont, height: float, fill: QColor | None) -> None:
        painter, y = self.sheet.painter, self.sheet.y
        if fill is not None:
            painter.fillRect(QRectF(0, y, self.sheet.width, height), fill)
        painter.setFont(font)
        painter.setPen(INK)
        x = 0.0
        for text, width in zip(cells, self.widths, strict=True):
            painter.drawText(
                QRectF(x + self.pad, y + self.pad, width - 2 * self.pad, height - 2 * self.pad),
                Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                text,
            )
            x += width
        painter.setPen(QPen(RULE, 1.5))
        painter.drawLine(QPointF(0, y + height), QPointF(self.sheet.width, y + height))
        self.sheet.y = y + height

    def draw_header(self) -> None:
        height = self._height(self.header, self.bold)
        self.sheet.ensure(height * 2)
        self._paint(self.header, self.bold, height, QColor("#DDDDDD"))

    def add(self, cells: Sequence[str]) -> None:
        height = self._height(cells, self.font)
        if self.sheet.y + height > self.sheet.bottom:
            self.sheet.new_page()
            self.draw_header()
        self.rows += 1
        self._paint(cells, self.font, height, _SHADE if self.rows % 2 == 0 else None)


def paint_register(
    device: QPagedPaintDevice,
    resolution: int,
    rows: Sequence[RegisterRow],
    practice: Practice,
    *,
    day: date,
) -> None:
    """Paint the consent register onto ``device`` (landscape): the title with the practice and
    the day, how many authorizations have each status, then one table row per
    authorization."""
    title = tr("Consent register")
    footer = tr("{title} · {practice} · as of {date}").format(
        title=title, practice=practice.name, date=long_date(day)
    )
    sheet = Sheet(device, resolution, footer)
    sheet.text(f"{title} — {practice.name}" if practice.name else title, sheet.font(15, bold=True))
    sheet.text(
        tr("As of {date} · {n} authorization(s)").format(date=long_date(day), n=len(rows)),
        color=MUTED,
        after=0.02,
    )
    counts = Counter(row.status for row in rows)
    sheet.text(
        " · ".join(f"{status_label(s)}: {counts[s]}" for s in STATUS_ORDER),
        sheet.small,
        color=MUTED,
        after=0.15,
    )
    table = _Table(sheet, _register_header(), _REGISTER_COLUMNS)
    table.draw_header()
    for row in rows:
        table.add(register_cells(row))
    if not rows:
        sheet.text(tr("No authorizations yet."), after=0.0)
    sheet.finish()


def register_pdf(rows: Sequence[RegisterRow], practice: Practice, *, day: date) -> bytes:
    """The consent register as a PDF for an audit (US Letter, landscape): the practice and
    the day in the title, one row per authorization (patient, status, media, where, purposes,
    signed on, expiry date or event, revocation, form version), the table's header on every
    page and page numbers. Made from ``ConsentService.register_rows`` like the CSV. Safe to
    run off the GUI thread."""

    def paint(device: QPagedPaintDevice, resolution: int) -> None:
        paint_register(device, resolution, rows, practice, day=day)

    return _pdf(paint, tr("Consent register"), register_layout())
